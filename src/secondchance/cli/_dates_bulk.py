"""`secondchance dates compute | review | reconcile`: dates for the whole store, manual review, reconciliation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

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
from secondchance.cli._dates import dates_app, review_reason_table
from secondchance.cli._options import check_output_path, parse_date_option
from secondchance.errors import UserError
from secondchance.records.store import open_store
from secondchance.sentencing.compute import ComputeSummary, compute_dates
from secondchance.sentencing.reasons import ReasonCode
from secondchance.sentencing.reconcile import ReconcileReport, reconcile
from secondchance.spreadsheet_safe_csv import csv_text
from secondchance.spreadsheet_xlsx import Sheet, write_xlsx

__all__ = ["register"]

FormatOption = Annotated[str, typer.Option("--format", help="table, csv or json.")]
_FORMATS = ("table", "csv", "json")
_REVIEW_FORMATS = (*_FORMATS, "xlsx")


def _as_of(text: str | None) -> date:
    return date.today() if text is None else parse_date_option("--as-of", text)


def _either(words: tuple[str, ...]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}"


def _check_format(output: str, out: Path | None, formats: tuple[str, ...] = _FORMATS) -> None:
    if output not in formats:
        raise UserError(f"--format {output!r}: use {_either(formats)}")
    if out is not None and output == "table":
        raise UserError(f"--out is for --format {_either(formats[1:])}")
    if output == "xlsx" and out is None:
        raise UserError("--format xlsx needs --out PATH")
    check_output_path("--out", out)


def _store_or_error(store: Path | None) -> Path:
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}: load one with `secondchance ingest` or `secondchance generate`")
    return path


def _print_summary(summary: ComputeSummary) -> None:
    console.print(
        f"[bold]{summary.sentences:,} sentences[/bold] as of {summary.as_of}: {summary.computed:,} computed, "
        f"{sum(summary.review.values()):,} sent to manual review ({summary.seconds:.1f} s)"
    )
    if summary.review:
        console.print(review_reason_table(summary.review, "Manual review by reason"))


def compute(
    store: StoreOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the records are read as of (default today), YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Compute dates for every sentence in the store into `computed_dates`, replacing the previous run.

    Example: secondchance dates compute --store demo.duckdb --as-of 2026-01-01 --json
    """
    day = _as_of(as_of)
    path = _store_or_error(store)
    with open_store(path) as connection:
        summary = compute_dates(connection, day)
    if as_json:
        print_json(summary.to_dict())
        return
    _print_summary(summary)


_REVIEW_SQL = """
SELECT d.review_reason AS reason, d.system, s.source, s.source_id AS sentence_source_id,
    s.person_source_id, d.review_detail AS detail
FROM computed_dates d JOIN sentence s ON s.id = d.sentence_id
WHERE d.review_reason IS NOT NULL AND ($reason IS NULL OR d.review_reason = $reason)
ORDER BY d.review_reason, s.source, s.person_source_id, s.source_id
"""


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A row with list values joined by "; " (a timeline), for one CSV cell each."""
    return {key: "; ".join(value) if isinstance(value, list) else value for key, value in row.items()}


def _write(rows: list[dict[str, Any]], output: str, out: Path | None, columns: list[str]) -> None:
    if output == "json":
        text = json.dumps(rows, indent=2, default=str, ensure_ascii=False) + "\n"
    else:
        text = csv_text(columns, (_flat(row) for row in rows))
    if out is None:
        typer.echo(text, nl=False)
    else:
        _write_text(out, text)
        console.print(f"Wrote {len(rows):,} rows to {escape(str(out))}")


def _write_text(out: Path, text: str) -> None:
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"{out}: cannot be written: {error.strerror or error}") from None


def review(
    store: StoreOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Only this reason code.")] = None,
    output: Annotated[str, typer.Option("--format", help="table, csv, json or xlsx.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write csv, json or xlsx here.", show_default=False)] = None,
) -> None:
    """List the sentences sent to manual review, with their reason code and what the reviewer needs to know.

    Example: secondchance dates review --reason CONSECUTIVE_CYCLE --format xlsx --out review.xlsx
    """
    _check_format(output, out, _REVIEW_FORMATS)
    if reason is not None and reason not in ReasonCode.__members__:
        raise UserError(f"--reason {reason!r} is not a reason code; codes: {', '.join(ReasonCode.__members__)}")
    path = _store_or_error(store)
    with open_store(path, read_only=True) as connection:
        tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "computed_dates" not in tables:
            raise UserError("the store has no computed dates yet: run `secondchance dates compute` first")
        cursor = connection.execute(_REVIEW_SQL, {"reason": reason})
        columns = [d[0] for d in cursor.description or []]
        rows = [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]
    if output == "xlsx" and out is not None:
        write_xlsx(out, [Sheet("manual review", columns, [list(row.values()) for row in rows])])
        console.print(f"Wrote {len(rows):,} rows to {escape(str(out))}")
        return
    if output != "table":
        _write(rows, output, out, columns)
        return
    console.print(f"{len(rows):,} sentences in manual review")
    for table in _review_tables(rows):
        console.print(table)


def _review_tables(rows: list[dict[str, Any]]) -> list[RichTable]:
    """One table per reason code (rows come sorted by reason), so the detail has room beside the ids."""
    tables: dict[str, RichTable] = {}
    for row in rows:
        table = tables.get(row["reason"])
        if table is None:
            count = sum(1 for other in rows if other["reason"] == row["reason"])
            table = tables[row["reason"]] = data_table(f"{escape(row['reason'])} ({count:,})")
            for column in ("system", "sentence", "person"):
                id_column(table, column)
            text_column(table, "detail")
        table.add_row(
            escape(row["system"] or ""),
            escape(row["sentence_source_id"]),
            escape(row["person_source_id"] or ""),
            escape(row["detail"] or ""),
        )
    return list(tables.values())


_RECONCILE_COLUMNS = [
    "status",
    "kind",
    "source",
    "person_source_id",
    "sentence_source_id",
    "system",
    "source_date",
    "source_date_text",
    "precision",
    "computed_date",
    "difference_days",
    "band",
    "reason",
    "timeline",
]


def _show_report(report: ReconcileReport) -> None:
    summary = report.summary()
    console.print(
        f"[bold]{summary['pairs']:,} source dates[/bold]: {summary['matches']:,} match within "
        f"{report.tolerance_days} days, {summary['differences']:,} differ, "
        f"{summary['not_comparable']:,} not comparable"
    )
    bands = RichTable(title="Differences by size (ours minus the source's)")
    bands.add_column("band")
    bands.add_column("pairs", justify="right")
    for label, count in summary["differences_by_band"].items():
        bands.add_row(label, f"{count:,}")
    console.print(bands)
    if summary["not_comparable_by_reason"]:
        reasons = RichTable(title="Not comparable, and why")
        text_column(reasons, "reason")
        reasons.add_column("pairs", justify="right")
        for reason, count in summary["not_comparable_by_reason"].items():
            reasons.add_row(escape(str(reason)), f"{count:,}")
        console.print(reasons)
    differences = [row for row in report.rows if row.status == "difference"]
    if not differences:
        return
    shown = differences[:50]
    table = data_table(f"Differences ({len(differences):,}; every one is in --format csv or json)")
    for column in ("person", "sentence"):
        id_column(table, column)
    for column in ("kind", "source date", "ours", "days"):
        text_column(table, column)
    for row in shown:
        table.add_row(
            escape(row.person_source_id),
            escape(row.sentence_source_id),
            escape(row.kind),
            escape(row.source_date_text or str(row.source_date)),
            str(row.computed_date),
            f"{row.difference_days:+,}",
        )
    console.print(table)
    for row in shown:
        console.print(f"\n[bold]Our timeline for {escape(row.sentence_source_id)}[/bold] ({row.kind}):")
        for line in row.timeline:
            console.print(f"  {escape(line)}", highlight=False)


def reconcile_command(
    store: StoreOption = None,
    source: Annotated[str | None, typer.Option("--source", help="Only sentences from this source, e.g. cdcr.")] = None,
    tolerance: Annotated[
        int, typer.Option("--tolerance", help="Days of difference still counted as a match.", min=0)
    ] = 0,
    output: FormatOption = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write csv or json here.", show_default=False)] = None,
    summary_only: Annotated[bool, typer.Option("--summary", help="Print only the summary (JSON).")] = False,
) -> None:
    """Compare computed dates with the source's own (e.g. CDCR EPRD/MEPD) and report every difference.

    Example: secondchance dates reconcile --source cdcr --format csv --out reconcile.csv
    """
    _check_format(output, out)
    path = _store_or_error(store)
    with open_store(path, read_only=True) as connection:
        report = reconcile(connection, source=source, tolerance_days=tolerance, with_timelines=not summary_only)
    if summary_only:
        print_json(report.summary())
        return
    if output == "table":
        _show_report(report)
        return
    if output == "json":
        payload = {"summary": report.summary(), "rows": [row.to_dict() for row in report.rows]}
        text = json.dumps(payload, indent=2, default=str, ensure_ascii=False) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            _write_text(out, text)
            console.print(f"Wrote {len(report.rows):,} rows to {escape(str(out))}")
        return
    _write([row.to_dict() for row in report.rows], output, out, _RECONCILE_COLUMNS)


def register() -> None:
    """Add compute, review and reconcile to `secondchance dates`."""
    dates_app.command("compute")(compute)
    dates_app.command("review")(review)
    dates_app.command("reconcile")(reconcile_command)
