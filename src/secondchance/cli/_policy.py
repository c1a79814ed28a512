"""Policy commands: `pack check`, `pack list` and `screen`."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import typer
from rich.table import Table as RichTable

from secondchance.cli._app import JsonOption, StoreOption, console, console_error, escape, print_json, store_path
from secondchance.errors import UserError

__all__ = ["pack_app", "print_screening_summary", "register"]

pack_app = typer.Typer(name="pack", help="Check and list policy packs.", no_args_is_help=True)

OutputFormat = Literal["table", "csv", "json", "parquet"]


@pack_app.command("check")
def pack_check(
    files: Annotated[list[str], typer.Argument(help="Pack files (or ids of shipped packs) to check.")],
) -> None:
    """Check packs: report every problem with its file, line, criterion and reason.

    Example: secondchance pack check src/secondchance/policy/packs/us-federal/clemency-2014.yaml
    """
    from secondchance.policy.checks import check_pack_file
    from secondchance.policy.pack import find_pack

    failed = 0
    for reference in files:
        if reference.endswith(".test.yaml"):
            typer.echo(f"note: {reference} holds test cases, which pytest runs; skipped", err=True)
            continue
        path = find_pack(reference)
        _, problems = check_pack_file(path, label=reference if reference.endswith((".yaml", ".yml")) else str(path))
        if problems:
            failed += 1
            for problem in problems:
                typer.echo(str(problem))
        else:
            typer.echo(f"{reference}: ok")
    if failed:
        console_error(f"{failed} of {len(files)} pack(s) have problems")
        raise typer.Exit(1)


@pack_app.command("list")
def pack_list(as_json: JsonOption = False) -> None:
    """List the packs that ship with secondchance.

    Example: secondchance pack list --json
    """
    from secondchance.policy.pack import list_packs, read_pack_file

    rows = []
    for pack_id, path in list_packs():
        pack = read_pack_file(path).pack
        rows.append(
            {
                "id": pack_id,
                "title": pack.title if pack else None,
                "version": pack.version if pack else None,
                "effective_from": pack.effective.from_ if pack else None,
                "effective_to": pack.effective.to if pack else None,
                "criteria": len(pack.criteria) if pack else None,
                "path": str(path),
                "valid": pack is not None,
            }
        )
    if as_json:
        print_json(rows)
        return
    table = RichTable(title="Policy packs")
    for column in ("id", "version", "title", "in force", "criteria"):
        table.add_column(column)
    for row in rows:
        span = (
            f"{row['effective_from']} to {row['effective_to'] or 'now'}" if row["valid"] else "invalid: run pack check"
        )
        table.add_row(
            escape(str(row["id"])),
            str(row["version"] or ""),
            escape(str(row["title"] or "")),
            span,
            str(row["criteria"] or ""),
        )
    console.print(table)


def _facts_relation(connection: object, facts: str | None) -> tuple[str | None, str | None]:
    """The facts relation and its label: a file (Parquet or CSV), a table in the store, or None (computed)."""
    if facts is None:
        return None, None
    from sqlglot import exp

    path = Path(facts)
    if path.suffix.lower() in (".parquet", ".csv"):
        if not path.is_file():
            raise UserError(f"no facts file at {facts}")
        reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv_auto"
        return f"SELECT * FROM {reader}({exp.Literal.string(str(path)).sql('duckdb')})", str(path)
    if not facts.replace("_", "").isalnum():
        raise UserError(f"--facts {facts!r}: give a Parquet or CSV file, or the name of a table in the store")
    return facts, f"table {facts}"


def screen(
    pack: Annotated[
        list[str] | None, typer.Option("--pack", help="Pack id or file; repeat for several.", show_default=False)
    ] = None,
    all_packs: Annotated[bool, typer.Option("--all", help="Screen against every shipped pack.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Screening date (YYYY-MM-DD); default today.", show_default=False)
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="Engine: duckdb or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option("--spark-master", help="With --engine spark: cluster URL (default local[*]).", show_default=False),
    ] = None,
    parquet: Annotated[
        str | None,
        typer.Option(
            "--parquet",
            help="With --engine spark: the store's Parquet export (default: exported now).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[str, typer.Option("--format", help="table, csv, json or parquet.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write csv/json/parquet here.", show_default=False)] = None,
    almost: Annotated[
        bool, typer.Option("--almost-eligible", help="Only the almost-eligible, soonest eligible_on first.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows of the almost-eligible list in table format.")] = 20,
    facts: Annotated[
        str | None,
        typer.Option("--facts", help="Precomputed facts: a Parquet/CSV file or a store table.", show_default=False),
    ] = None,
    evidence: Annotated[
        bool, typer.Option("--evidence/--no-evidence", help="Record the fact values each criterion read.")
    ] = True,
    store: StoreOption = None,
) -> None:
    """Screen everyone in the records store against policy packs and record the run.

    Example: secondchance screen --all --as-of 2024-07-01 --format csv --out screening.csv
    """
    from secondchance.policy.checks import load_pack
    from secondchance.policy.engine import ENGINES
    from secondchance.policy.engine import screen as run_screen
    from secondchance.policy.pack import find_pack, list_packs
    from secondchance.policy.results import almost_eligible, counts_by_status, export
    from secondchance.records.store import open_store

    if engine not in (*ENGINES, "spark"):
        raise UserError(f"--engine {engine!r}: available engines are {', '.join((*ENGINES, 'spark'))}")
    if engine == "spark" and facts is not None:
        raise UserError("--facts works with --engine duckdb; the Spark engine computes the facts from --parquet")
    if engine != "spark" and (spark_master is not None or parquet is not None):
        raise UserError("--spark-master and --parquet need --engine spark")
    if output not in ("table", "csv", "json", "parquet"):
        raise UserError(f"--format {output!r}: use table, csv, json or parquet")
    if output == "parquet" and out is None:
        raise UserError("--format parquet needs --out PATH")
    if all_packs == bool(pack):
        raise UserError("say which packs: --pack ID (repeatable) or --all")
    try:
        screening_date = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise UserError(f"--as-of {as_of!r} is not a date like 2024-07-01") from None
    paths = [path for _, path in list_packs()] if all_packs else [find_pack(reference) for reference in pack or []]
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)  # a pack named twice is screened once
    compiled = [load_pack(path) for path in unique.values()]
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path) as connection:
        relation, label = _facts_relation(connection, facts)
        clock = time.perf_counter()
        try:
            if engine == "spark":
                from secondchance.policy.spark_engine import screen_store

                run = screen_store(
                    connection, compiled, as_of=screening_date, parquet=parquet, master=spark_master, evidence=evidence
                )
            else:
                run = run_screen(
                    connection, compiled, as_of=screening_date, facts=relation, facts_label=label, evidence=evidence
                )
        except duckdb.Error as error:
            # Usually facts that cannot be read (a malformed file, a value of the wrong type).
            raise UserError(f"screening stopped: {error}") from None
        seconds = time.perf_counter() - clock
        for pack_run in run.packs:
            for warning in pack_run.warnings:
                typer.echo(f"note: {warning}", err=True)
        if output != "table":
            export(connection, run.run_id, output, out, almost_only=almost)  # type: ignore[arg-type]
            if out is not None:
                console.print(f"run {run.run_id}: wrote {output} to {escape(str(out))}")
            return
        counts = counts_by_status(connection, run.run_id)
        listing = almost_eligible(connection, run.run_id, limit)
    print_screening_summary(run, counts, listing, seconds, almost)


def print_screening_summary(
    run: object, counts: list[tuple[str, str, int]], listing: list[tuple[object, ...]], seconds: float, almost: bool
) -> None:
    from secondchance.policy.engine import ScreeningRun
    from secondchance.policy.status import STATUSES

    assert isinstance(run, ScreeningRun)
    if not almost:
        table = RichTable(title=f"Screening run {run.run_id} as of {run.as_of.isoformat()} ({run.people:,} people)")
        table.add_column("pack", overflow="fold")
        headers = {"eligible": "eligible", "almost-eligible": "almost", "needs-information": "needs info"}
        for status in STATUSES:
            header = headers.get(status, status)
            table.add_column(header, justify="right", no_wrap=True, min_width=max(len(header), 7))
        table.add_column("outside", justify="right", no_wrap=True, min_width=9)
        by_pack = {(pack, status): count for pack, status, count in counts}
        for pack_run in run.packs:
            pack_id = pack_run.compiled.pack.id
            cells = [f"{by_pack.get((pack_id, status), 0):,}" for status in STATUSES]
            table.add_row(escape(pack_id), *cells, f"{pack_run.outside_population:,}")
        console.print(table)
    listing_table = RichTable(title="Almost eligible, soonest first")
    for column in ("eligible on", "pack", "person", "source id", "unmet now"):
        listing_table.add_column(column)
    for listed_pack, person_id, source_id, eligible_on, unmet in listing:
        listing_table.add_row(
            str(eligible_on), escape(str(listed_pack)), str(person_id), escape(str(source_id)), escape(str(unmet))
        )
    if listing:
        console.print(listing_table)
    else:
        console.print("Nobody is almost eligible.")
    console.print(f"run {run.run_id} recorded in {seconds:.2f} s (facts {run.facts_seconds:.2f} s)")


def register(app: typer.Typer) -> None:
    """Add `pack` and `screen` to the application."""
    app.add_typer(pack_app)
    app.command()(screen)
