"""Excel workbooks that advocates can filter and sort, and that never run a formula from the data.

Each sheet has its header row frozen, a filter on every column and widths fitted to the first rows.
A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return (the characters of
`spreadsheet_safe_csv.FORMULA_TRIGGERS`, OWASP "CSV Injection") is stored as a text cell with the
quote prefix, so Excel shows it as typed and does not run it even when the cell is edited; the text
is kept as written (XML reads a carriage return back as a line feed). Rows are streamed (openpyxl's
write-only mode), so a sheet of a million rows is never all in memory.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from secondchance.errors import UserError
from secondchance.spreadsheet_safe_csv import FORMULA_TRIGGERS

__all__ = [
    "MAX_ROWS",
    "Sheet",
    "query_sheet",
    "sheet_name",
    "write_xlsx",
]

# Excel's limits (Microsoft, "Excel specifications and limits"): rows per sheet (the header is one),
# characters per cell, characters in a sheet name.
MAX_ROWS = 1_048_576 - 1
MAX_CELL_CHARACTERS = 32_767
MAX_SHEET_NAME = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot hold (openpyxl refuses them): written as \x0b and the like.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Column widths, in characters: fitted to the header and the first rows, within these bounds.
_WIDTH_SAMPLE_ROWS = 200
_MIN_WIDTH, _MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name (made safe by `sheet_name`), its column headers and its rows."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def sheet_name(label: str, taken: set[str]) -> str:
    """A sheet name Excel accepts for `label` (no []:*?/\\, at most 31 characters), unique among `taken`."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", label).strip("'") or "sheet"
    name = base[:MAX_SHEET_NAME]
    number = 2
    while name.lower() in {other.lower() for other in taken}:
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        number += 1
    taken.add(name)
    return name


def _cell_value(value: Any) -> Any:
    """A value openpyxl writes as a typed cell: numbers, dates and booleans as they are, anything else as text."""
    if value is None or isinstance(value, bool | int | float | date | datetime):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, default=str, ensure_ascii=False)
    return _ILLEGAL.sub(lambda found: f"\\x{ord(found.group()):02x}", str(value))


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(value)) for value in values if value is not None), default=0)
    return float(min(max(longest + 2, _MIN_WIDTH), _MAX_WIDTH))


def _column_letter(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _text_cell(worksheet: Any, value: str, where: str) -> Any:
    """A cell that holds `value` as text with the quote prefix, never a formula; refused beyond Excel's length."""
    from openpyxl.cell import WriteOnlyCell

    if len(value) > MAX_CELL_CHARACTERS:
        raise UserError(f"{where}: more than Excel's {MAX_CELL_CHARACTERS:,} characters in a cell; use --format csv")
    cell = WriteOnlyCell(worksheet, value=value)
    cell.data_type = "s"  # openpyxl would store text beginning with = as a formula
    cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def _write_sheet(workbook: Any, sheet: Sheet, taken: set[str], path: Path) -> int:
    """Append one sheet to a write-only workbook; returns the number of data rows."""
    name = sheet_name(sheet.name, taken)
    worksheet = workbook.create_sheet(name)
    rows = iter(sheet.rows)
    sample = [[_cell_value(value) for value in row] for row in itertools.islice(rows, _WIDTH_SAMPLE_ROWS)]
    for number, header in enumerate(sheet.columns, start=1):
        width = _width([header, *(row[number - 1] for row in sample if number <= len(row))])
        worksheet.column_dimensions[_column_letter(number)].width = width
    worksheet.freeze_panes = "A2"  # set before the first row: write-only sheets write their views first
    worksheet.append([str(header) for header in sheet.columns])
    count = 0
    for row in itertools.chain(sample, ([_cell_value(value) for value in row] for row in rows)):
        count += 1
        if count > MAX_ROWS:
            raise UserError(f"{path}: sheet {name} has more than Excel's {MAX_ROWS:,} rows; use --format csv")
        for column, value in enumerate(row):
            if isinstance(value, str) and (len(value) > MAX_CELL_CHARACTERS or value.startswith(FORMULA_TRIGGERS)):
                row[column] = _text_cell(
                    worksheet, value, f"{path}: sheet {name}, row {count + 1}, column {sheet.columns[column]}"
                )
        worksheet.append(row)
    last = _column_letter(max(len(sheet.columns), 1))
    worksheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def write_xlsx(path: Path, sheets: Iterable[Sheet]) -> int:
    """Write the sheets, in order, to an .xlsx workbook at `path`; returns the data rows written in all.

    A path that cannot be written, a sheet beyond Excel's rows or a cell beyond its characters is a UserError.
    """
    from openpyxl import Workbook

    try:
        handle = path.open("wb")  # before any work: an unwritable path costs nothing
    except OSError as error:
        raise UserError(f"{path}: cannot be written: {error.strerror or error}") from None
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    with handle:
        try:
            total = sum(_write_sheet(workbook, sheet, taken, path) for sheet in sheets)
            if not taken:
                _write_sheet(workbook, Sheet("empty", ["no rows"], []), taken, path)  # a workbook needs a sheet
        except BaseException:
            for worksheet in workbook.worksheets:
                worksheet.close()  # ends each sheet's row writer, which would otherwise be left open
            raise
        workbook.save(handle)
    return total


def query_sheet(connection: duckdb.DuckDBPyConnection, name: str, query: str, *, batch: int = 10_000) -> Sheet:
    """A sheet holding the rows of a query, run and fetched in batches only as the sheet is written
    (so several such sheets can share one connection)."""
    columns = [str(row[0]) for row in connection.execute(f"DESCRIBE ({query})").fetchall()]

    def rows() -> Iterable[Sequence[Any]]:
        result = connection.execute(query)
        while chunk := result.fetchmany(batch):
            yield from chunk

    return Sheet(name, columns, rows())
