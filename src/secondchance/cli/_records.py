"""Commands over the records store: ingest, export, import and stats (generate lives beside them)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from secondchance.cli._app import JsonOption, StoreOption, console, print_json, store_path
from secondchance.errors import UserError
from secondchance.records.completeness import RECORD_KINDS, Completeness, plain_load_completeness
from secondchance.records.ingest import IngestReport, TableLoad, load_files, load_frames
from secondchance.records.parquet import export_parquet, import_parquet
from secondchance.records.problems import IngestError, format_problems, write_problems_csv
from secondchance.records.readers import error_reason
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import open_store, table_counts

__all__ = ["register"]

# Progress is shown only for work that lasts longer than this, and only on a terminal.
PROGRESS_AFTER_SECONDS = 1.0


def stats(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Count the rows of every records table.

    Example: secondchance stats --json
    """
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path, read_only=True) as connection:
        counts = table_counts(connection)
    if as_json:
        print_json({"store": str(path), "tables": counts})
        return
    table = RichTable(title=f"Records store {path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A step reporter that shows a Rich spinner once the work has lasted a second."""
    error_console = Console(stderr=True)
    if not enabled or not error_console.is_terminal:
        yield lambda step: None
        return
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=error_console, transient=True
    )
    task = progress.add_task("starting", total=None)
    timer = threading.Timer(PROGRESS_AFTER_SECONDS, progress.start)
    timer.daemon = True
    timer.start()
    started = time.monotonic()
    try:
        yield lambda step: progress.update(task, description=step)
    finally:
        timer.cancel()
        if time.monotonic() - started >= PROGRESS_AFTER_SECONDS:
            progress.stop()


def _adapter_frames(name: str, paths: list[Path]) -> tuple[dict[str, Any], list[Path], Completeness]:
    try:
        from secondchance.records.adapters import ADAPTERS
    except ImportError:
        raise UserError(f"unknown adapter {name!r}: no adapters are installed") from None
    if name not in ADAPTERS:
        known = ", ".join(sorted(ADAPTERS)) or "none"
        raise UserError(f"unknown adapter {name!r}; known adapters: {known}")
    if len(paths) != 1:
        raise UserError(f"--adapter {name} reads one PATH (a file or folder of the export); got {len(paths)}")
    path = paths[0]
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    adapter = ADAPTERS[name]
    try:
        frames = adapter.read(path)
        files = list(adapter.files(path)) if hasattr(adapter, "files") else [path]
    except UserError:
        raise
    except Exception as error:  # an export the adapter cannot parse must still end in a message
        line, reason = error_reason(error)
        where = f"{path}, line {line}" if line is not None else str(path)
        raise UserError(f"adapter {name} could not read {where}: {reason}") from None
    return dict(frames), files or [path], adapter.completeness


def _where(load: TableLoad) -> str:
    """The file a load read, or for an adapter's several files, how many and where."""
    if len(load.files) <= 1:
        return load.files[0] if load.files else load.file
    return f"{len(load.files)} files in {os.path.commonpath(load.files)}"


def _summary(report: IngestReport) -> str:
    lines = []
    for load in report.loads:
        lines.append(
            f"{load.table}: loaded {load.rows_loaded:,} of {load.rows_read:,} rows from {_where(load)} "
            f"({load.rows_inserted:,} new, {load.rows_updated:,} updated"
            + (f", {load.rows_rejected:,} rejected" if load.rows_rejected else "")
            + f"; ingest {load.ingest_id})"
        )
    if report.rows_rejected:
        lines.append(
            f"rejected {report.rows_rejected:,} rows (rows referring to a rejected row are rejected too); "
            f"every rejected row and its reasons: {', '.join(report.rejects_files)}"
        )
        lines.append(format_problems(report.rejected))
    return "\n".join(lines)


def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, Parquet or XLSX files (or the adapter's PATH).")],
    table: Annotated[str | None, typer.Option("--table", help=f"Table to load: {', '.join(TABLE_NAMES)}.")] = None,
    adapter: Annotated[str | None, typer.Option("--adapter", help="Read PATH with a real-export adapter.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Source of rows without a `source` column (default: file name).")
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Load the valid rows; write the rejected ones to a rejects CSV.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Rejects CSV (default: <first file>.rejects.csv beside it).")
    ] = None,
    errors_out: Annotated[Path | None, typer.Option("--errors-out", help="Write every problem to this CSV.")] = None,
    complete: Annotated[
        list[str] | None,
        typer.Option(
            "--complete",
            help=f"With --table: the source records every record of this kind ({', '.join(RECORD_KINDS)}); repeat "
            "for several. Otherwise a missing record of the table's kinds is unknown, not none.",
        ),
    ] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate and load records files into the store, all or nothing (docs/ingest.md).

    Example: secondchance ingest --table incident incidents.csv --complete incident
    """
    if (table is None) == (adapter is None):
        raise UserError("give either --table TABLE FILE... or --adapter NAME PATH")
    if table is not None and table not in TABLE_NAMES:
        raise UserError(f"unknown table {table!r}; known tables: {', '.join(TABLE_NAMES)}")
    if adapter is not None and complete:
        raise UserError(f"--complete is for --table loads; adapter {adapter} declares its own (docs/adapters.md)")
    if table is not None:
        try:
            plain_load_completeness([table], complete or ())
        except ValueError as error:
            raise UserError(f"--complete {error}") from None
    frames: dict[str, Any] = {}
    adapter_files: list[Path] = []
    completeness: Completeness | None = None
    if adapter is not None:
        frames, adapter_files, completeness = _adapter_frames(adapter, files)
    try:
        with _progress(not as_json) as step, open_store(store_path(store)) as connection:
            if adapter is not None:
                report = load_frames(
                    connection,
                    frames,
                    source_files=adapter_files,
                    adapter=adapter,
                    default_source=source,
                    completeness=completeness,
                    skip_invalid=skip_invalid,
                    rejects_path=rejects,
                    progress=step,
                )
            else:
                assert table is not None
                report = load_files(
                    connection,
                    table,
                    files,
                    source=source,
                    complete=complete or (),
                    skip_invalid=skip_invalid,
                    rejects_path=rejects,
                    progress=step,
                )
    except IngestError as error:
        if errors_out is not None:
            write_problems_csv(error.problems, errors_out)
            raise UserError(f"{error}\nevery problem was written to {errors_out}") from None
        raise
    if errors_out is not None:
        write_problems_csv(report.rejected, errors_out)
    if as_json:
        print_json(report.to_dict())
    else:
        console.print(_summary(report), highlight=False, markup=False, soft_wrap=True)


class ExportFormat(StrEnum):
    parquet = "parquet"


def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write <table>.parquet files into.")],
    file_format: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.parquet,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write every table of the store to DIR/<table>.parquet (read by Spark and `secondchance import`).

    Example: secondchance export --format parquet out/
    """
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}")
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory}: exists and is not a folder")
    with open_store(path, read_only=True) as connection:
        counts = export_parquet(connection, directory)
    if as_json:
        print_json({"directory": str(directory), "tables": counts})
        return
    for name, count in counts.items():
        console.print(
            f"{directory / (name + '.parquet')}: {count:,} rows", highlight=False, markup=False, soft_wrap=True
        )


def import_(
    directory: Annotated[Path, typer.Argument(help="Folder of <table>.parquet files written by `export`.")],
    replace: Annotated[bool, typer.Option("--replace", help="Replace the rows of tables that hold some.")] = False,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Load a folder written by `secondchance export` back into the store, checked as ingest checks, all or nothing.

    Example: secondchance import out/ --store copy.duckdb
    """
    # Imported here, not at the top: every other command would pay for loading them.
    from secondchance.policy.results import RESULTS_DDL
    from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

    with open_store(store_path(store)) as connection:
        counts = import_parquet(
            connection, directory, replace=replace, derived_ddl=(CREATE_COMPUTED_DATES_SQL, *RESULTS_DDL)
        )
    if as_json:
        print_json({"directory": str(directory), "tables": counts})
        return
    for name, count in counts.items():
        console.print(f"{name}: {count:,} rows imported", highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the records commands to the application."""
    app.command()(stats)
    app.command()(ingest)
    app.command()(export)
    app.command(name="import")(import_)
