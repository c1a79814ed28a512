"""CSV files that a spreadsheet opens as data, never as formulas.

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some programs, a tab or
a carriage return followed by one) as a formula, so a value from an input file such as
`=HYPERLINK("http://...")` could act when someone opens an export. Following the OWASP guidance
on CSV injection, every text cell that begins with one of those characters is written with a
single quote before it (`'=HYPERLINK(...)`), which spreadsheets show as text. Numbers, dates and
booleans written from typed columns are left alone: they are not text and cannot be formulas.

Every CSV that secondchance writes goes through this module: rows from Python through
`write_csv`/`csv_text`, and DuckDB queries (millions of rows) through `copy_query_to_csv`,
which wraps each text column of the query in the same rule in SQL.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import duckdb

from secondchance.errors import UserError
from secondchance.records.validate import quote_identifier, quote_literal

__all__ = [
    "FORMULA_TRIGGERS",
    "neutralise_cell",
    "neutralised_query",
    "write_rows",
    "write_csv",
    "csv_text",
    "copy_query_to_csv",
]

# The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

# DuckDB types whose values are written as numbers, dates, times or booleans: never formulas.
_NUMERIC_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
    "FLOAT",
    "DOUBLE",
    "BOOLEAN",
    "DATE",
    "TIME",
}


def neutralise_cell(value: Any) -> Any:
    """The value to write: text that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_rows(handle: TextIO, fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a header and `rows` (dicts by field name) as CSV to an open text handle; returns the row count."""
    writer = csv.DictWriter(handle, fieldnames=list(fieldnames), extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({name: neutralise_cell(value) for name, value in row.items()})
        count += 1
    return count


def write_csv(path: Path, fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows to a UTF-8 CSV file at `path`; returns the row count. A path that cannot be written is a UserError."""
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            return write_rows(handle, fieldnames, rows)
    except OSError as error:
        raise UserError(f"{path}: cannot be written: {error.strerror or error}") from None


def csv_text(fieldnames: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Rows as CSV text (for standard output)."""
    buffer = io.StringIO(newline="")
    write_rows(buffer, fieldnames, rows)
    return buffer.getvalue()


def _is_typed_value(sql_type: str) -> bool:
    return (
        sql_type in _NUMERIC_TYPES
        or sql_type.startswith(("DECIMAL", "TIMESTAMP"))
        or sql_type.startswith("TIME ")  # TIME WITH TIME ZONE
    )


def neutralised_query(connection: duckdb.DuckDBPyConnection, query: str) -> str:
    """`query` with every column that is not a number, date, time or boolean neutralised as text, in SQL.

    Columns keep their names and order. Lists, structs, JSON and other types are written as their
    text, so they are neutralised as text too.
    """
    columns = connection.execute(f"DESCRIBE ({query})").fetchall()
    triggers = ", ".join("'" + trigger + "'" for trigger in FORMULA_TRIGGERS)
    items = []
    for row in columns:
        name, sql_type = str(row[0]), str(row[1])
        column = "q." + quote_identifier(name)
        if _is_typed_value(sql_type):
            items.append(column)
            continue
        text = column if sql_type == "VARCHAR" else f"CAST({column} AS VARCHAR)"
        items.append(
            f"CASE WHEN left({text}, 1) IN ({triggers}) THEN '''' || {text} ELSE {text} END AS {quote_identifier(name)}"
        )
    return f"SELECT {', '.join(items)} FROM ({query}) AS q"


def copy_query_to_csv(connection: duckdb.DuckDBPyConnection, query: str, out: Path | None) -> None:
    """Write the rows of a query as CSV with a header, neutralised, to `out` or to standard output.

    An `out` that cannot be written is a UserError naming it.
    """
    safe = neutralised_query(connection, query)
    if out is not None:
        try:
            connection.execute(f"COPY ({safe}) TO {quote_literal(str(out))} (FORMAT csv, HEADER)")
        except duckdb.IOException as error:
            raise UserError(f"{out}: cannot be written: {_io_reason(error)}") from None
        return
    # DuckDB writes the file set-based; it is then streamed, so the rows are never all in memory.
    with tempfile.TemporaryDirectory(prefix="secondchance-csv-") as folder:
        staged = Path(folder) / "rows.csv"
        connection.execute(f"COPY ({safe}) TO {quote_literal(str(staged))} (FORMAT csv, HEADER)")
        sys.stdout.flush()
        with staged.open(encoding="utf-8", newline="") as handle:
            shutil.copyfileobj(handle, sys.stdout)
        sys.stdout.flush()


def _io_reason(error: duckdb.Error) -> str:
    """The operating system's reason in a DuckDB IO error ('Cannot open file "x": Permission denied')."""
    line = str(error).strip().splitlines()[0].removeprefix("IO Error: ")
    return line.rsplit('": ', 1)[-1]
