"""Cells that a spreadsheet would run as formulas, for the tests of every CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

# Each hostile cell and how it must arrive in an export: behind a single quote.
HOSTILE_CELLS: dict[str, str] = {
    '=HYPERLINK("http://example.com/x","click")': '\'=HYPERLINK("http://example.com/x","click")',
    "+1": "'+1",
    "-1+2": "'-1+2",
    "@SUM(1)": "'@SUM(1)",
    "\t=1": "'\t=1",
    "\r=1": "'\r=1",
}
# A cell that is not a formula arrives as it was.
ORDINARY_CELL = "P-ordinary 1"


def read_csv_rows(source: Path | str) -> list[dict[str, str]]:
    """The rows of a CSV file (a path) or CSV text, by header name."""
    if isinstance(source, Path):
        # newline="": a carriage return inside a quoted cell is part of the cell.
        with source.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    return list(csv.DictReader(io.StringIO(source, newline="")))


def assert_neutralised(values: list[str]) -> None:
    """Every hostile cell arrived behind a quote, and the ordinary cell unchanged."""
    expected = set(HOSTILE_CELLS.values()) | {ORDINARY_CELL}
    assert expected <= set(values), sorted(expected - set(values))
    assert not set(HOSTILE_CELLS) & set(values)
