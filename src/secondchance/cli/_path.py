"""`secondchance path`: what stands between a person and eligibility, and who in a population is nearest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from secondchance.cli._app import (
    JsonOption,
    StoreOption,
    console,
    data_table,
    escape,
    id_column,
    print_json,
    store_path,
    text_column,
)
from secondchance.cli._options import check_count, check_output_format, optional_date_option
from secondchance.errors import UserError

if TYPE_CHECKING:
    import duckdb

    from secondchance.policy.compiler import CompiledPack
    from secondchance.policy.path import Blocker, PackPath, Step
    from secondchance.spreadsheet_xlsx import Sheet

__all__ = ["path", "register"]

_MAX_LIMIT = 1_000_000
_FORMATS = ("table", "xlsx")


def path(
    person: Annotated[
        str | None,
        typer.Argument(help="The person's source id (or source:source_id); leave out with --nearest or --blocking."),
    ] = None,
    pack: Annotated[
        str | None, typer.Option("--pack", help="Pack id or file (default: the packs of the latest run).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Screening date (YYYY-MM-DD); default the latest stored run.", show_default=False),
    ] = None,
    nearest: Annotated[
        bool, typer.Option("--nearest", help="List the people nearest to eligibility: fewest open items, soonest.")
    ] = False,
    blocking: Annotated[
        bool, typer.Option("--blocking", help="List the unknown criteria that block the most people.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", help="With --nearest: rows per pack (default 20).", show_default=False)
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="table or xlsx (a sheet per pack, a row per step; needs --out).")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write the xlsx workbook here.", show_default=False)] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Show the path to eligibility: what stands between a person and eligibility, cheapest first.

    Example: secondchance path SYN-P-00000002 --pack us-federal/compassionate-release
    (or: secondchance path --pack us-ca/pir-resentencing --nearest --limit 10 --format xlsx --out nearest.xlsx)
    """
    _check_options(person, nearest, blocking, limit)
    check_output_format(output, out, _FORMATS, file_only=("xlsx",))
    if as_json and output != "table":
        raise UserError(f"--json and --format {output} are two outputs: give one")
    screening_date = optional_date_option("--as-of", as_of)
    shown = Shown(as_json, out if output == "xlsx" else None)
    with _open(store_path(store)) as connection:
        packs = _packs(connection, pack)
        if person is not None:
            _show_person(connection, person, packs, screening_date, shown)
        elif nearest:
            _show_nearest(connection, packs, screening_date, 20 if limit is None else limit, shown)
        else:
            _show_blocking(connection, packs, screening_date, shown)


@dataclass(frozen=True)
class Shown:
    """Where a listing goes: the terminal, JSON, or a workbook at `workbook`."""

    as_json: bool
    workbook: Path | None


def _write_workbook(out: Path, sheets: list[Sheet]) -> None:
    from secondchance.spreadsheet_xlsx import write_xlsx

    rows = write_xlsx(out, sheets)
    console.print(f"wrote {rows:,} rows, a sheet per pack, to {escape(str(out))}")


def _check_options(person: str | None, nearest: bool, blocking: bool, limit: int | None) -> None:
    if nearest and blocking:
        raise UserError("--nearest and --blocking are separate lists: give one")
    if person is not None and (nearest or blocking):
        raise UserError("--nearest and --blocking are about everyone: leave out the person")
    if person is None and not (nearest or blocking):
        raise UserError("give a person's source id, or --nearest or --blocking for everyone screened")
    if limit is not None and not nearest:
        raise UserError("--limit is for --nearest")
    check_count("--limit", limit, minimum=1, maximum=_MAX_LIMIT)


def _open(path: Path) -> Any:
    from secondchance.records.store import open_store

    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    return open_store(path, read_only=True)


def _packs(connection: duckdb.DuckDBPyConnection, reference: str | None) -> list[CompiledPack]:
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack
    from secondchance.policy.path import latest_run_packs

    if reference is not None:
        return [load_pack(find_pack(reference))]
    packs = latest_run_packs(connection)
    if not packs:
        raise UserError("no screening run in the store: run `secondchance screen --all` first, or give --pack")
    return packs


# ---------------------------------------------------------------------------- one person


def _step_json(step: Step) -> dict[str, Any]:
    return {
        "category": step.category,
        "criterion": step.criterion_id,
        "kind": step.kind,
        "status": step.status,
        "eligible_on": step.eligible_on,
        "document": step.document,
        "holder": step.holder,
        "role": step.role,
        "text": step.text,
        "reason": step.reason,
    }


def _path_json(found: PackPath, *, steps: bool = True) -> dict[str, Any]:
    row: dict[str, Any] = {
        "pack": found.pack_id,
        "person_id": found.person.source_id,
        "as_of": found.as_of,
        "run_id": found.run_id,
        "status": found.status,
        "outcome": found.outcome,
        "answer": found.answer,
        "eligible_on": found.eligible_on,
        "open_items": len(found.open_steps),
    }
    if steps:
        row["steps"] = [_step_json(step) for step in found.steps]
    return row


def _show_person(
    connection: duckdb.DuckDBPyConnection, reference: str, packs: list[CompiledPack], as_of: Any, shown: Shown
) -> None:
    from secondchance.policy.explain import find_person
    from secondchance.policy.path import STEP_WORDS, person_paths, settled_by

    found = person_paths(connection, find_person(connection, reference), packs, as_of)
    if shown.workbook is not None:
        from secondchance.policy.path_xlsx import path_sheets

        _write_workbook(shown.workbook, path_sheets({item.pack_id: [item] for item in found}))
        return
    if shown.as_json:
        print_json([_path_json(item) for item in found])
        return
    for item in found:
        source = f"run {item.run_id}" if item.run_id is not None else "screened now"
        console.print(f"[bold]{escape(item.pack_id)}[/bold] (as of {item.as_of.isoformat()}, {source})")
        # The answer stays one line, however narrow the terminal, so it can be read by a script too.
        console.print(f"  {escape(item.answer)}", soft_wrap=True)
        if not item.steps:
            continue
        table = data_table("")
        for header in ("step", "criterion"):
            id_column(table, header)
        for header in ("settled by", "what it asks"):
            text_column(table, header)
        for step in item.steps:
            table.add_row(
                STEP_WORDS[step.category],
                escape(step.criterion_id),
                escape(settled_by(step.category, step.eligible_on, step.document, step.holder, step.role)),
                escape(step.text),
            )
        console.print(table)


# ---------------------------------------------------------------------------- a population


def _show_nearest(
    connection: duckdb.DuckDBPyConnection, packs: list[CompiledPack], as_of: Any, limit: int, shown: Shown
) -> None:
    from secondchance.policy.path import nearest, population_paths

    listed = {compiled.pack.id: nearest(population_paths(connection, compiled, as_of), limit) for compiled in packs}
    if shown.workbook is not None:
        from secondchance.policy.path_xlsx import path_sheets

        _write_workbook(shown.workbook, path_sheets(listed))
        return
    if shown.as_json:
        print_json({pack_id: [_path_json(item, steps=False) for item in rows] for pack_id, rows in listed.items()})
        return
    for pack_id, rows in listed.items():
        if not rows:
            console.print(f"Nearest to eligible: {escape(pack_id)}: no one in the run is in its population")
            continue
        table = data_table(f"Nearest to eligible: {pack_id}")
        id_column(table, "person id")
        id_column(table, "status")
        table.add_column("open", justify="right", no_wrap=True)
        id_column(table, "date")
        text_column(table, "answer")
        for item in rows:
            when = item.eligible_on.isoformat() if item.eligible_on else ""
            table.add_row(
                escape(item.person.source_id), item.status, str(len(item.open_steps)), when, escape(item.answer)
            )
        console.print(table)


def _blocker_json(blocker: Blocker) -> dict[str, Any]:
    return {
        "pack": blocker.pack_id,
        "criterion": blocker.criterion_id,
        "category": blocker.category,
        "only": blocker.only,
        "among": blocker.among,
        "document": blocker.document,
        "holder": blocker.holder,
        "role": blocker.role,
        "text": blocker.text,
    }


def _show_blocking(connection: duckdb.DuckDBPyConnection, packs: list[CompiledPack], as_of: Any, shown: Shown) -> None:
    from secondchance.policy.path import blocker_order, blocking, population_paths, settled_by

    blockers = [item for compiled in packs for item in blocking(population_paths(connection, compiled, as_of))]
    blockers.sort(key=blocker_order)
    if shown.workbook is not None:
        from secondchance.policy.path_xlsx import blocking_sheets

        _write_workbook(shown.workbook, blocking_sheets([compiled.pack.id for compiled in packs], blockers))
        return
    if shown.as_json:
        print_json([_blocker_json(item) for item in blockers])
        return
    for pack_id in dict.fromkeys(item.pack_id for item in blockers):
        table = data_table(f"What blocks the most people: {pack_id} (only: the one thing left to confirm)")
        id_column(table, "criterion")
        table.add_column("people", justify="right", no_wrap=True)
        table.add_column("only", justify="right", no_wrap=True)
        text_column(table, "settled by")
        for item in (blocker for blocker in blockers if blocker.pack_id == pack_id):
            settled = settled_by(item.category, None, item.document, item.holder, item.role)
            table.add_row(escape(item.criterion_id), str(item.among), str(item.only), escape(settled))
        console.print(table)
    if not blockers:
        console.print("nothing to confirm: no one screened is waiting on an unknown criterion")


def register(app: typer.Typer) -> None:
    """Add `path` to the application."""
    app.command()(path)
