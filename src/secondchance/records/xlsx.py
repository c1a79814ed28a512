"""Reading XLSX workbooks safely: limits checked on the ZIP archive before the sheet is read.

The XLSX reader (calamine) holds a sheet in memory as a grid from A1 to its furthest cell, so a
5 KB file with one cell at XFD1048576 asks for 17 billion cells and aborts the process, and a
ZIP bomb expands a few kilobytes into gigabytes. Before calamine sees a workbook, its archive is
checked: the number of parts, their uncompressed size and compression ratio, and, for every
sheet, the declared `<dimension>` and the furthest row and column its cells reach (found by
streaming the XML through regular expressions, never by building it in memory).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "MAX_XLSX_COLUMNS",
    "MAX_XLSX_COMPRESSION_RATIO",
    "MAX_XLSX_PARTS",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_CELLS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "XlsxRefused",
    "SheetExtent",
    "check_xlsx_limits",
    "read_xlsx",
]

# Excel's own grid: no workbook Excel writes goes beyond it.
MAX_XLSX_ROWS = 1_048_576
MAX_XLSX_COLUMNS = 16_384
# The grid calamine builds (rows × columns up to the furthest cell), about 32 bytes a cell.
MAX_XLSX_CELLS = 20_000_000
MAX_XLSX_UNCOMPRESSED_BYTES = 1 << 30
MAX_XLSX_PARTS = 10_000
# Sheet XML compresses 5 to 20 times; a ZIP bomb a thousand times. Small parts are not judged.
MAX_XLSX_COMPRESSION_RATIO = 100
RATIO_JUDGED_FROM_BYTES = 1 << 20
# A tag longer than this is not a spreadsheet's; refusing it keeps the streaming scan bounded.
MAX_TAG_BYTES = 1 << 20
_CHUNK_BYTES = 1 << 24
# A sheet declares its dimension at its start, before its rows (calamine itself ignores it).
_DIMENSION_WITHIN_BYTES = 1 << 16

# A cell `<c ...>` (any namespace prefix) and its reference `r="AB12"`, when it has one.
_CELL = re.compile(rb"""<(?:[\w.-]+:)?c(?=[\s/>])(?:[^>]*?\sr\s*=\s*["']([A-Za-z]{1,8})([0-9]{1,12})["'])?""")
_ROW = re.compile(rb"""<(?:[\w.-]+:)?row(?=[\s/>])(?:[^>]*?\sr\s*=\s*["']([0-9]{1,12})["'])?""")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*?ref\s*=\s*["']([A-Za-z0-9:$]{1,40})["']""")
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,8})\$?([0-9]{1,12})")


class XlsxRefused(Exception):
    """The workbook is refused before it is read; the message says which limit and by how much."""


@dataclass
class SheetExtent:
    """How far the cells of one XML part reach: an upper bound of the grid calamine would build."""

    max_row: int = 0
    max_column: int = 0
    rows_without_number: int = 0
    cells_without_reference: int = 0
    declared: str | None = None

    @property
    def rows(self) -> int:
        # A row without `r` follows the row before it, a cell without `r` the cell before it.
        return self.max_row + self.rows_without_number

    @property
    def columns(self) -> int:
        return self.max_column + self.cells_without_reference


def column_number(letters: str) -> int:
    """The 1-based number of a column name: A is 1, Z 26, AA 27, XFD 16384."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _scan(extent: SheetExtent, text: bytes) -> None:
    # Millions of cells: the matches are taken apart by built-ins (zip, set, map), not a Python loop.
    cells = _CELL.findall(text)
    if cells:
        letters, digits = zip(*cells, strict=True)
        extent.cells_without_reference += letters.count(b"")
        names = set(letters) - {b""}
        if names:
            extent.max_column = max(extent.max_column, *(column_number(name.decode("ascii")) for name in names))
            extent.max_row = max(extent.max_row, max(map(int, filter(None, digits))))
    rows = _ROW.findall(text)
    extent.rows_without_number += rows.count(b"")
    numbered = [number for number in rows if number]
    if numbered:
        extent.max_row = max(extent.max_row, max(map(int, numbered)))


def _part_extent(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> tuple[SheetExtent, int]:
    """Stream one part to its true end, returning its extent and its true uncompressed size."""
    # zipfile stops at the size a part declares; one that understates its size would then hide
    # the rest from the scan, yet not from calamine. So the part is read to the end of its
    # compressed data, at most one byte past the limit.
    unbounded = copy.copy(part)
    unbounded.file_size = MAX_XLSX_UNCOMPRESSED_BYTES + 1
    extent = SheetExtent()
    carry, size = b"", 0
    with archive.open(unbounded) as stream:
        while chunk := stream.read(_CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise XlsxRefused(f"part {part.filename} expands beyond {MAX_XLSX_UNCOMPRESSED_BYTES:,} bytes")
            text = carry + chunk
            if size == len(chunk) and (found := _DIMENSION.search(text, 0, _DIMENSION_WITHIN_BYTES)):
                extent.declared = found[1].decode("ascii")
            # Tags never hold a raw "<", so everything before the last one is whole tags.
            cut = text.rfind(b"<")
            cut = len(text) if cut < 0 else cut
            _scan(extent, text[:cut])
            carry = text[cut:]
            if len(carry) > MAX_TAG_BYTES:
                raise XlsxRefused(f"part {part.filename} holds an XML tag longer than {MAX_TAG_BYTES:,} bytes")
    _scan(extent, carry)
    return extent, size


def _judge_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """Check one part's true size and the grid its cells (and its declared dimension) span; returns its size."""
    extent, size = _part_extent(archive, part)
    if size != part.file_size:
        raise XlsxRefused(f"part {part.filename} declares {part.file_size:,} bytes but expands to {size:,}")
    if extent.declared and (declared := _declared_size(extent.declared)):
        _judge_grid(part.filename, *declared, f"declares the dimension {extent.declared}, which reaches")
    _judge_grid(part.filename, extent.rows, extent.columns, "has cells up to")
    return size


def _declared_size(reference: str) -> tuple[int, int] | None:
    corners = [_REFERENCE.fullmatch(corner) for corner in reference.split(":")]
    if not corners or any(corner is None for corner in corners):
        return None
    rows = max(int(corner[2]) for corner in corners if corner)
    columns = max(column_number(corner[1]) for corner in corners if corner)
    return rows, columns


def _judge_grid(name: str, rows: int, columns: int, what: str) -> None:
    if rows > MAX_XLSX_ROWS:
        raise XlsxRefused(f"sheet {name} {what} row {rows:,}, beyond the limit of {MAX_XLSX_ROWS:,} rows")
    if columns > MAX_XLSX_COLUMNS:
        raise XlsxRefused(f"sheet {name} {what} column {columns:,}, beyond the limit of {MAX_XLSX_COLUMNS:,} columns")
    if rows * columns > MAX_XLSX_CELLS:
        raise XlsxRefused(
            f"sheet {name} {what} row {rows:,} and column {columns:,}: a grid of {rows * columns:,} cells, "
            f"more than the limit of {MAX_XLSX_CELLS:,}"
        )


def _judge_archive(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_XLSX_PARTS:
        raise XlsxRefused(f"it holds {len(parts):,} parts, more than the limit of {MAX_XLSX_PARTS:,}")
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise XlsxRefused(
            f"its parts take {total:,} bytes uncompressed, more than the limit of {MAX_XLSX_UNCOMPRESSED_BYTES:,}"
        )
    for part in parts:
        if part.file_size >= RATIO_JUDGED_FROM_BYTES:
            ratio = part.file_size / max(part.compress_size, 1)
            if ratio > MAX_XLSX_COMPRESSION_RATIO:
                raise XlsxRefused(
                    f"part {part.filename} expands {ratio:,.0f} times, more than the limit of "
                    f"{MAX_XLSX_COMPRESSION_RATIO} (a ZIP bomb?)"
                )


def check_xlsx_limits(path: Path) -> None:
    """Raise XlsxRefused when the workbook at `path` exceeds a limit; nothing is held in memory."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            _judge_archive(parts)
            total = 0
            # Every part is scanned: calamine finds its sheets through the workbook's links, not by name.
            for part in parts:
                total += _judge_part(archive, part)
                if total > MAX_XLSX_UNCOMPRESSED_BYTES:
                    raise XlsxRefused(f"its parts expand beyond {MAX_XLSX_UNCOMPRESSED_BYTES:,} bytes")
    except zipfile.BadZipFile as error:
        raise XlsxRefused(f"it is not a valid ZIP archive, as an XLSX workbook is ({error})") from None
    except (NotImplementedError, RuntimeError, zlib.error, EOFError) as error:
        raise XlsxRefused(f"its ZIP archive cannot be read ({error})") from None


def _cell_text(value: Any) -> str | None:
    """An XLSX cell as text: dates in ISO form, whole numbers without a decimal point."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(path: Path) -> list[list[Any]]:
    """The first sheet's cells; what the reader cannot read becomes `XlsxRefused`."""
    from python_calamine import CalamineWorkbook

    try:
        with _rust_panics_unprinted():
            workbook = CalamineWorkbook.from_path(str(path))
            rows: list[list[Any]] = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # the reader's Rust panics (a date cell out of range) are BaseExceptions
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise XlsxRefused(f"the workbook cannot be read: {reason[:200]}") from None
    return rows


@contextmanager
def _rust_panics_unprinted() -> Iterator[None]:
    """Standard error closed to the reader: a Rust panic prints its own backtrace there before it is raised."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as nowhere:
        os.dup2(nowhere.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _check_header(header: list[str]) -> None:
    """Refuse an empty or repeated column name, which would make one column hide another."""
    seen: set[str] = set()
    for number, name in enumerate(header, start=1):
        if not name:
            raise XlsxRefused(f"column {number} of the header row has no name")
        if name in seen:
            raise XlsxRefused(f"column {name!r} appears twice in the header row (again in column {number})")
        seen.add(name)


def read_xlsx(path: Path) -> pl.DataFrame | None:
    """The first sheet of a workbook, first row as header, every cell as text; None when it is empty.

    Call `check_xlsx_limits` first: calamine builds the whole sheet in memory.
    """
    rows = _sheet_rows(path)
    if not rows or all(cell in (None, "") for cell in rows[0]):
        return None
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    _check_header(header)
    body = rows[1:]
    # One pass per column over a sheet of at most MAX_XLSX_ROWS rows.
    data = {
        column_name: [_cell_text(row[index]) if index < len(row) else None for row in body]
        for index, column_name in enumerate(header)
    }
    return pl.DataFrame(data, schema=dict.fromkeys(header, pl.String))
