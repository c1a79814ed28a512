"""Readers that stage input files (CSV, Parquet, XLSX) and data frames in DuckDB.

Staging keeps every value as given (CSV and XLSX as text), in file order, so that `rowid` gives
the line or row of each value. Parquet, XLSX and frames are copied into temporary tables; a CSV
is staged as a view over the file, read once by ingest, and copied only when problems must quote
its text (`materialise`). Files that cannot be read at all become a `Problem`, not an exception.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from secondchance.records.problems import Problem
from secondchance.records.validate import quote_identifier, quote_literal
from secondchance.records.xlsx import XlsxRefused, check_xlsx_limits, read_xlsx

__all__ = [
    "Staged",
    "ReadFailure",
    "error_reason",
    "first_invalid_utf8_line",
    "has_control_bytes",
    "read_problem",
    "LINE_COLUMN",
    "FILE_COLUMN",
    "materialise",
    "drop_staged",
    "stage_file",
    "stage_frame",
    "sha256_file",
    "SUFFIXES",
    "temp_name",
]

SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
# Frames may carry where each row came from, so problems cite the source file and line.
LINE_COLUMN = "_line"
FILE_COLUMN = "_file"

_counter = itertools.count(1)


def temp_name(prefix: str) -> str:
    """A fresh name for a temporary table of this process."""
    return f"__sc_{prefix}_{next(_counter)}"


@dataclass
class Staged:
    """A staged input: a temporary table of one file (or frame) for one records table."""

    table: str  # records table it loads into
    name: str  # DuckDB temporary table holding the rows as given
    label: str  # how problems name the file
    path: str | None  # file path for the ingest log (an adapter's several files joined by "; ")
    line_word: str  # "line" (CSV) or "row"
    line_offset: int  # line of a row = rowid + line_offset
    columns: dict[str, str] = field(default_factory=dict)  # staged column -> DuckDB type
    rows: int = 0
    has_line_column: bool = False
    has_file_column: bool = False
    # A CSV is first staged as a view over the file, read once into the typed table; its text
    # is only copied into a table (`materialise`) when problems must quote it.
    lazy: bool = False
    # Whether the rows may hold control characters in text: a CSV whose bytes have none cannot.
    may_hold_control_characters: bool = True
    owned: list[tuple[str, str]] = field(default_factory=list)  # ("TABLE" or "VIEW", name) made for it
    paths: list[str] = field(default_factory=list)  # the files the rows came from, each whole

    def line_sql(self, alias: str = "") -> str:
        """SQL giving the line (or row) of each staged row."""
        prefix = f"{alias}." if alias else ""
        if self.has_line_column:
            return f"CAST({prefix}{quote_identifier(LINE_COLUMN)} AS BIGINT)"
        return f"({prefix}rowid + {self.line_offset})"

    def file_sql(self, alias: str = "") -> str:
        """SQL giving the file each staged row came from (a frame's `_file`, else the batch label)."""
        prefix = f"{alias}." if alias else ""
        if self.has_file_column:
            return f"coalesce(CAST({prefix}{quote_identifier(FILE_COLUMN)} AS VARCHAR), {quote_literal(self.label)})"
        return quote_literal(self.label)


class ReadFailure(Exception):
    """The file could not be read; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message())
        self.problem = problem


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file (or of every file under a folder, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _describe(connection: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    rows = connection.execute(f"DESCRIBE {quote_identifier(name)}").fetchall()
    return {str(row[0]): str(row[1]) for row in rows}


def _count(connection: duckdb.DuckDBPyConnection, name: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()
    return int(row[0]) if row else 0


# DuckDB begins its messages with the kind of error ("Invalid Input Error: "), which says nothing to a reader.
_ERROR_KIND = re.compile(r"^[A-Za-z ]*Error: ")
_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")


def error_reason(error: BaseException) -> tuple[int | None, str]:
    """The reason a file could not be read, and the line DuckDB names (if it names one).

    DuckDB's CSV errors read "CSV Error on Line: N", the original line, the reason (e.g. "This
    file is not utf-8 encoded."), then hints and the reader's settings; only the line and the
    reason are kept.
    """
    lines = [line.strip() for line in str(error).strip().splitlines()]
    if not lines:
        return None, type(error).__name__
    located = _CSV_ERROR_LINE.search(lines[0])
    if located is None:
        return None, _ERROR_KIND.sub("", lines[0])
    for line in lines[1:]:
        if line.startswith("Possible"):
            break
        if line and not line.startswith("Original Line:"):
            return int(located[1]), line
    return int(located[1]), _ERROR_KIND.sub("", lines[0])


# C0 control bytes other than tab, line feed and carriage return. In UTF-8 they never occur inside
# a character of several bytes, so a file without them holds no such character.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def has_control_bytes(path: Path) -> bool:
    """Whether a file holds a control byte other than tab, line feed and carriage return."""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            # Deleting the control bytes is a C loop over the chunk: fast enough for files of gigabytes.
            if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
                return True
    return False


def first_invalid_utf8_line(path: Path) -> int | None:
    """The line (the first is 1) holding the first bytes that are not UTF-8, or None when all are."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines_before = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            pending = len(decoder.getstate()[0])  # bytes of a character begun in the previous chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return lines_before + chunk.count(b"\n", 0, max(0, error.start - pending)) + 1
            lines_before += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return lines_before + 1
    return None


def read_problem(label: str, what: str, error: BaseException, line_word: str = "line") -> Problem:
    """The problem of a file that cannot be read as `what` (CSV, Parquet, XLSX), with the line when known."""
    line, reason = error_reason(error)
    return Problem(label, line, None, None, f"file cannot be read as {what}: {reason}", line_word)


def _readable_kind(path: Path) -> str:
    """The kind of a file (csv, parquet, xlsx) once it is known to be a readable, non-empty file."""
    label = path.name
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ReadFailure(Problem(label, None, None, None, f"file type is not known (expected one of {known})"))
    if not path.exists():
        raise ReadFailure(Problem(label, None, None, None, "file cannot be read: no such file"))
    if not path.is_file():
        raise ReadFailure(Problem(label, None, None, None, "file cannot be read: it is a folder, not a file"))
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        raise ReadFailure(Problem(label, None, None, None, f"file cannot be read: {error.strerror}")) from None
    if not head.strip():
        raise ReadFailure(Problem(label, None, None, None, "file is empty (expected a header line and rows)"))
    return kind


def _create_stage(connection: duckdb.DuckDBPyConnection, name: str, kind: str, path: Path) -> None:
    """A view over a CSV file, or a temporary table of a Parquet or XLSX file's rows, called `name`."""
    if kind == "csv":
        # Quotes are double quotes (RFC 4180): left to the sniffer, a lone ' in a value made it
        # take ' for the quote and silently join the rows after it into one value.
        connection.execute(
            f"CREATE TEMP VIEW {name} AS SELECT * FROM read_csv({quote_literal(str(path))}, "
            "all_varchar = true, header = true, auto_detect = true, quote = '\"', escape = '\"')"
        )
    elif kind == "parquet":
        connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM read_parquet({quote_literal(str(path))})")
    else:
        frame = _read_checked_xlsx(path)
        view = temp_name("xlsx")
        connection.register(view, frame)
        try:
            connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {view}")
        finally:
            connection.unregister(view)


def stage_file(connection: duckdb.DuckDBPyConnection, table: str, path: Path) -> Staged:
    """Stage one CSV, Parquet or XLSX file; raises ReadFailure when it cannot be read."""
    label = path.name
    kind = _readable_kind(path)
    name = temp_name("stage")
    line_word, offset = ("line", 2) if kind == "csv" else (("row", 2) if kind == "xlsx" else ("row", 1))
    try:
        _create_stage(connection, name, kind, path)
    except ReadFailure:
        raise
    except (duckdb.Error, OSError, ValueError, pl.exceptions.PolarsError) as error:
        what = {"csv": "CSV", "parquet": "Parquet", "xlsx": "XLSX"}[kind]
        raise ReadFailure(read_problem(label, what, error)) from None
    staged = Staged(table, name, label, str(path), line_word, offset, _describe(connection, name), paths=[str(path)])
    staged.owned.append(("VIEW" if kind == "csv" else "TABLE", name))
    if kind == "csv":
        staged.lazy = True  # rows are counted once they are read
        staged.may_hold_control_characters = has_control_bytes(path)
    else:
        staged.rows = _count(connection, name)
    return staged


def materialise(connection: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Copy a lazily staged CSV into a table (in file order, so `rowid` numbers its rows)."""
    if not staged.lazy:
        return
    table = temp_name("rows")
    connection.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {staged.name}")
    staged.owned.insert(0, ("TABLE", table))
    staged.name = table
    staged.lazy = False


def drop_staged(connection: duckdb.DuckDBPyConnection, staged: Staged) -> None:
    """Drop the tables and views made for a staged input."""
    for kind, name in staged.owned:
        connection.execute(f"DROP {kind} IF EXISTS {name}")


def stage_frame(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    label: str,
    path: str | None,
    paths: list[str] | None = None,
) -> Staged:
    """Stage a data frame; rows are numbered from 1 unless the frame has `_line` (and `_file`) columns.

    `paths` are the files the frame was read from (`path` is how the ingest log names them).
    """
    name = temp_name("stage")
    view = temp_name("frame")
    connection.register(view, frame)
    try:
        connection.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        connection.unregister(view)
    columns = _describe(connection, name)
    has_line, has_file = LINE_COLUMN in columns, FILE_COLUMN in columns
    columns.pop(LINE_COLUMN, None)
    columns.pop(FILE_COLUMN, None)
    line_word = "line" if has_line else "row"
    staged = Staged(
        table,
        name,
        label,
        path,
        line_word,
        1,
        columns,
        has_line_column=has_line,
        has_file_column=has_file,
        paths=list(paths or ([] if path is None else [path])),
    )
    staged.owned.append(("TABLE", name))
    staged.rows = frame.height
    return staged


def _read_checked_xlsx(path: Path) -> pl.DataFrame:
    """The first sheet as text, once the workbook is within the limits of `records.xlsx`."""
    try:
        check_xlsx_limits(path)
    except XlsxRefused as refused:
        raise ReadFailure(Problem(path.name, None, None, None, f"file refused before it was read: {refused}")) from None
    try:
        frame = read_xlsx(path)
    except XlsxRefused as refused:
        raise ReadFailure(Problem(path.name, None, None, None, f"file refused: {refused}")) from None
    if frame is None:
        raise ReadFailure(Problem(path.name, None, None, None, "file is empty (expected a header row and rows)"))
    return frame
