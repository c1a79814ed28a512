"""What every adapter is, and the small Polars helpers they share.

An adapter turns one real export (a folder of files) into canonical frames keyed by records
table name; `records.ingest.load_frames` validates and loads them, with the adapter's declaration
of which kinds of record the export holds in full (`records.completeness`). Helpers here are Polars
expressions, so every adapter parses whole columns at once, never row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

import polars as pl

from secondchance.errors import UserError
from secondchance.records.completeness import Completeness
from secondchance.records.readers import first_invalid_utf8_line

__all__ = [
    "Adapter",
    "LINE_COLUMN",
    "require_files",
    "read_text_csv",
    "blank_to_null",
    "map_text",
    "us_date",
    "iso_date_prefix",
    "check_parsed",
]

# Frames may carry the source line of each row, so that load problems cite it (records.readers).
LINE_COLUMN = "_line"


@runtime_checkable
class Adapter(Protocol):
    """A reader of one real export: `read(path)` gives canonical frames keyed by table name."""

    @property
    def name(self) -> str:
        """The name `secondchance ingest --adapter NAME` uses, also the `source` of every row."""
        ...

    @property
    def description(self) -> str:
        """One line saying what export this adapter reads."""
        ...

    @property
    def completeness(self) -> Completeness:
        """For every kind of record, whether the export holds all of it for its people, and why."""
        ...

    def files(self, path: Path) -> list[Path]:
        """The source files this adapter reads under `path` (for checksums in the ingest log)."""
        ...

    def read(self, path: Path) -> dict[str, pl.DataFrame]:
        """Read the export at `path` into canonical frames keyed by records table name."""
        ...


def require_files(adapter: str, folder: Path, names: tuple[str, ...]) -> list[Path]:
    """The files `names` under `folder`; a UserError names the first one missing."""
    if not folder.is_dir():
        raise UserError(f"adapter {adapter}: {folder} is not a folder (expected one holding {', '.join(names)})")
    paths = [folder / name for name in names]
    for path in paths:
        if not path.is_file():
            raise UserError(f"adapter {adapter}: {path.name} is missing from {folder}")
    return paths


def read_text_csv(path: Path, columns: tuple[str, ...], null_values: list[str] | None = None) -> pl.DataFrame:
    """Read a CSV with every column as text, with `_line` (the file line of each row).

    Raises a UserError naming the file and the first expected column it lacks.
    """
    try:
        frame = pl.read_csv(
            path,
            infer_schema=False,
            null_values=null_values,
            empty_string_is_null=True,
        )
    except (pl.exceptions.PolarsError, OSError) as error:
        raise UserError(_unreadable_csv(path, error)) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(f"{path.name}: line 1: column {missing[0]!r} is missing from the header")
    # A quoted value may hold line breaks, so a row's first line is 2 (after the header) plus the
    # lines taken by the rows before it.
    lines = pl.sum_horizontal(pl.col(c).str.count_matches("\n").fill_null(0) for c in frame.columns) + 1
    return frame.with_columns((lines.cum_sum() - lines + 2).cast(pl.Int64).alias(LINE_COLUMN))


def _unreadable_csv(path: Path, error: Exception) -> str:
    """Why a CSV cannot be read, with the line of the first bytes that are not UTF-8 when that is why."""
    lines = str(error).strip().splitlines()
    reason = lines[0] if lines else type(error).__name__
    line = first_invalid_utf8_line(path) if "utf-8" in reason.lower() and path.is_file() else None
    if line is None:
        return f"{path.name}: cannot be read as CSV: {reason}"
    return f"{path.name}: line {line}: cannot be read as CSV: the file is not UTF-8 encoded ({reason})"


def blank_to_null(column: str | pl.Expr) -> pl.Expr:
    """The trimmed text of a column, NULL when empty."""
    expr = pl.col(column) if isinstance(column, str) else column
    trimmed = expr.str.strip_chars()
    return pl.when(trimmed.str.len_chars() > 0).then(trimmed).otherwise(None)


def map_text(column: str | pl.Expr, table: Mapping[str, str | None]) -> pl.Expr:
    """Map source text through a declarative table; text the table does not list becomes NULL."""
    expr = blank_to_null(column)
    return expr.replace_strict(dict(table), default=None, return_dtype=pl.String)


def us_date(column: str | pl.Expr) -> pl.Expr:
    """Parse `MM/DD/YYYY` text to a date; blank or malformed text is NULL."""
    return blank_to_null(column).str.strptime(pl.Date, "%m/%d/%Y", strict=False)


def iso_date_prefix(column: str | pl.Expr) -> pl.Expr:
    """The date of an ISO date or timestamp text (`YYYY-MM-DD[ HH:MM:SS...]`); the time is dropped."""
    return blank_to_null(column).str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def check_parsed(frame: pl.DataFrame, file: str, checks: Mapping[str, tuple[str, str]]) -> None:
    """Raise a UserError at the first row whose source text did not parse.

    `checks` maps a parsed column of `frame` to (the source column name, what was expected); the
    frame must keep each source column and `_line`.
    """
    for parsed, (source, expected) in checks.items():
        bad = frame.filter(blank_to_null(source).is_not_null() & pl.col(parsed).is_null())
        if bad.height:
            first = bad.row(0, named=True)
            more = f" ({bad.height - 1} more rows like it)" if bad.height > 1 else ""
            raise UserError(
                f"{file}: line {first[LINE_COLUMN]}: column {source!r}: {first[source]!r} is not {expected}{more}"
            )
