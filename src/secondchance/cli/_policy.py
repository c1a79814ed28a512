"""Policy commands: `pack check`, `pack list` and `screen`."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import duckdb
import typer
from rich.table import Table as RichTable

from secondchance.cli._app import (
    JsonOption,
    StoreOption,
    console,
    console_error,
    data_table,
    escape,
    id_column,
    print_json,
    store_path,
    text_column,
)
from secondchance.cli._errors import is_java_error, is_spark_error, spark_first_line
from secondchance.cli._options import check_count, check_output_path, optional_date_option
from secondchance.errors import UserError

if TYPE_CHECKING:
    from secondchance.policy.compiler import CompiledPack
    from secondchance.policy.engine import ScreeningRun

__all__ = ["pack_app", "print_screening_summary", "register"]

pack_app = typer.Typer(name="pack", help="Check and list policy packs.", no_args_is_help=True)

OutputFormat = Literal["table", "csv", "json", "parquet", "xlsx"]


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
    table = data_table("Policy packs")
    id_column(table, "id")
    for column in ("version", "title", "in force"):
        text_column(table, column)
    table.add_column("criteria", justify="right", no_wrap=True)
    for row in rows:
        span = (
            f"{row['effective_from']}\nto {row['effective_to'] or 'now'}" if row["valid"] else "invalid: run pack check"
        )
        table.add_row(
            escape(str(row["id"])),
            escape(str(row["version"] or "")),
            escape(str(row["title"] or "")),
            span,
            str(row["criteria"] or ""),
        )
    console.print(table)


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
    output: Annotated[
        str, typer.Option("--format", help="table, csv, json, parquet or xlsx (a sheet per pack).")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write csv/json/parquet/xlsx here.", show_default=False)
    ] = None,
    almost: Annotated[
        bool, typer.Option("--almost-eligible", help="Only the almost-eligible, soonest eligible_on first.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="Rows of the almost-eligible list in table format.")] = 20,
    evidence: Annotated[
        bool, typer.Option("--evidence/--no-evidence", help="Record the fact values each criterion read.")
    ] = True,
    store: StoreOption = None,
) -> None:
    """Screen everyone in the records store against policy packs and record the run.

    Example: secondchance screen --all --as-of 2024-07-01 --format xlsx --out screening.xlsx
    """
    from secondchance.policy.results import almost_eligible, counts_by_status, export
    from secondchance.records.store import open_store

    _check_engine_options(engine, spark_master, parquet)
    _check_output_options(output, out, limit)
    screening_date = optional_date_option("--as-of", as_of) or date.today()
    compiled = _compiled_packs(pack, all_packs)
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path) as connection:
        clock = time.perf_counter()
        if engine == "spark":
            run = _screen_on_spark(connection, compiled, screening_date, parquet, spark_master, evidence)
        else:
            run = _screen_on_duckdb(connection, compiled, screening_date, evidence)
        seconds = time.perf_counter() - clock
        for pack_run in run.packs:
            for warning in pack_run.warnings:
                typer.echo(f"note: {warning}", err=True)
        if output == "xlsx" and out is not None:
            from secondchance.policy.results_xlsx import export_xlsx

            rows = export_xlsx(connection, run.run_id, compiled, screening_date, out, almost_only=almost)
            console.print(f"run {run.run_id}: wrote {rows:,} rows, a sheet per pack, to {escape(str(out))}")
            return
        if output != "table":
            export(connection, run.run_id, output, out, almost_only=almost)  # type: ignore[arg-type]
            if out is not None:
                console.print(f"run {run.run_id}: wrote {output} to {escape(str(out))}")
            return
        counts = counts_by_status(connection, run.run_id)
        listing = almost_eligible(connection, run.run_id, limit)
    print_screening_summary(run, counts, listing, seconds, almost)


# Rows of the almost-eligible table; a longer list is for --format csv.
MAX_LIMIT = 1_000_000


def _check_engine_options(engine: str, spark_master: str | None, parquet: str | None) -> None:
    """Refuse an unknown engine and options that belong to the other engine."""
    from secondchance.policy.engine import ENGINES

    if engine not in (*ENGINES, "spark"):
        raise UserError(f"--engine {engine!r}: available engines are {', '.join((*ENGINES, 'spark'))}")
    if engine != "spark" and (spark_master is not None or parquet is not None):
        raise UserError("--spark-master and --parquet need --engine spark")
    if parquet is not None and not Path(parquet).is_dir() and "://" not in parquet:
        raise UserError(f"--parquet {parquet}: no such folder (write one with `secondchance export`)")


def _check_output_options(output: str, out: Path | None, limit: int) -> None:
    """Refuse an unknown format, an --out that cannot be written, and a negative or absurd --limit."""
    if output not in ("table", "csv", "json", "parquet", "xlsx"):
        raise UserError(f"--format {output!r}: use table, csv, json, parquet or xlsx")
    if output in ("parquet", "xlsx") and out is None:
        raise UserError(f"--format {output} needs --out PATH")
    if output == "table" and out is not None:
        raise UserError("--out is for --format csv, json, parquet or xlsx")
    check_output_path("--out", out)
    check_count("--limit", limit, maximum=MAX_LIMIT, why="use --format csv for every row")


def _compiled_packs(pack: list[str] | None, all_packs: bool) -> list[CompiledPack]:
    """The packs to screen against, each compiled once however often it is named."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack, list_packs

    if all_packs == bool(pack):
        raise UserError("say which packs: --pack ID (repeatable) or --all")
    paths = [path for _, path in list_packs()] if all_packs else [find_pack(reference) for reference in pack or []]
    unique: dict[Path, Path] = {}
    for path in paths:
        unique.setdefault(path.resolve(), path)  # a pack named twice is screened once
    return [load_pack(path) for path in unique.values()]


def _screen_on_duckdb(
    connection: duckdb.DuckDBPyConnection, compiled: list[CompiledPack], screening_date: date, evidence: bool
) -> ScreeningRun:
    """Screen with the DuckDB engine, on the facts computed from the store."""
    from secondchance.policy.engine import screen as run_screen

    return run_screen(connection, compiled, as_of=screening_date, evidence=evidence)


def _screen_on_spark(
    connection: duckdb.DuckDBPyConnection,
    compiled: list[CompiledPack],
    screening_date: date,
    parquet: str | None,
    spark_master: str | None,
    evidence: bool,
) -> ScreeningRun:
    """Screen on Spark; an error Spark raises for its input or its start is one line naming the options."""
    from secondchance.policy.spark_engine import screen_store

    try:
        return screen_store(
            connection, compiled, as_of=screening_date, parquet=parquet, master=spark_master, evidence=evidence
        )
    except Exception as error:
        # Here a Java error is Spark failing on the Parquet files it was given, not a bug in the engine.
        if not (is_spark_error(error) or is_java_error(error)):
            raise
        where = f"--parquet {parquet}" if parquet else "the store's Parquet export"
        raise UserError(f"screening on Spark stopped ({where}): {spark_first_line(error)}") from None


def print_screening_summary(
    run: ScreeningRun,
    counts: list[tuple[str, str, int]],
    listing: list[tuple[object, ...]],
    seconds: float,
    almost: bool,
) -> None:
    """Print a run's counts by pack and status (unless `almost`) and its almost-eligible list."""
    if not almost:
        console.print(_counts_table(run, counts))
    if listing:
        console.print(_almost_eligible_table(listing))
    else:
        console.print("Nobody is almost eligible.")
    console.print(f"run {run.run_id} recorded in {seconds:.2f} s (facts {run.facts_seconds:.2f} s)")


# Short headers, two-line where they can be, so pack ids fit whole beside five counts in 80 columns.
_STATUS_HEADERS = {"eligible": "eligible", "almost-eligible": "almost", "needs-information": "needs\ninfo"}


def _counts_table(run: ScreeningRun, counts: list[tuple[str, str, int]]) -> RichTable:
    """People by pack and status, and those outside each pack's population."""
    from secondchance.policy.status import STATUSES

    by_pack = {(pack, status): count for pack, status, count in counts}
    rows = [
        [f"{by_pack.get((pack_run.compiled.pack.id, status), 0):,}" for status in STATUSES]
        + [f"{pack_run.outside_population:,}"]
        for pack_run in run.packs
    ]
    table = data_table(f"Screening run {run.run_id} as of {run.as_of.isoformat()} ({run.people:,} people)")
    id_column(table, "pack")
    headers = [_STATUS_HEADERS.get(status, status) for status in STATUSES] + ["outside"]
    for number, header in enumerate(headers):
        # A long pack id narrows the headers before any count: a count is never folded.
        widest = max((len(row[number]) for row in rows), default=1)
        table.add_column(header, justify="right", overflow="fold", min_width=widest)
    for pack_run, cells in zip(run.packs, rows, strict=True):
        table.add_row(escape(pack_run.compiled.pack.id), *cells)
    table.caption = COUNTS_CAPTION
    table.caption_justify = "left"
    return table


def _almost_eligible_table(listing: list[tuple[object, ...]]) -> RichTable:
    """The almost-eligible, soonest first, with the id a person types to explain each."""
    table = data_table("Almost eligible, soonest first")
    table.add_column("eligible on", no_wrap=True)
    for column in ("pack", "person"):
        id_column(table, column)
    text_column(table, "unmet now")
    for listed_pack, _, source_id, eligible_on, unmet in listing:
        table.add_row(str(eligible_on), escape(str(listed_pack)), escape(str(source_id)), escape(str(unmet)))
    table.caption = ALMOST_ELIGIBLE_CAPTION
    table.caption_justify = "left"
    return table


# What the words of the screening tables mean, printed under them (DESIGN.md, "Policy packs").
COUNTS_CAPTION = (
    "almost: every unmet criterion is met by time alone within the pack's window; needs info: nothing unmet, "
    "something the records cannot decide (not a refusal); outside: not in the pack's population, so not screened."
)
ALMOST_ELIGIBLE_CAPTION = (
    "person: the id to give `secondchance explain PERSON --pack PACK`. unmet now: the ids of the pack's "
    "criteria not met yet, all met by time alone on or before the date shown; `explain` gives their words."
)


def register(app: typer.Typer) -> None:
    """Add `pack` and `screen` to the application."""
    app.add_typer(pack_app)
    app.command()(screen)
