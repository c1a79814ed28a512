"""XLSX workbooks: limits checked before the sheet is read, and text with control characters refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from tests.records.ingest_helpers import run_cli, snapshot
from tests.records.xlsx_builder import SHEET_PART, cell, row, sheet_xml, table_rows, understate_size, write_xlsx

from secondchance.records import xlsx
from secondchance.records.xlsx import XlsxRefused, check_xlsx_limits, read_xlsx

PEOPLE = [["source_id", "name"], ["P1", "Ana"], ["P2", "Bo"]]


def refused_line(tmp_path: Path, workbook: Path) -> str:
    """Ingest a workbook that must be refused: exit 1, no traceback, no store; the problem line."""
    store = tmp_path / "records.duckdb"
    result = run_cli("ingest", "--table", "person", workbook, "--store", store)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store) == {}
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: refused: 1 problem found, nothing was loaded"
    assert len(lines) == 2
    return lines[1]


def test_a_small_workbook_within_the_limits_is_read(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "people.xlsx", sheet_xml(table_rows(PEOPLE), dimension="A1:B3"))
    check_xlsx_limits(workbook)
    frame = read_xlsx(workbook)
    assert frame is not None and frame.rows() == [("P1", "Ana"), ("P2", "Bo")]


def test_one_far_cell_is_refused_before_calamine_builds_its_grid(tmp_path: Path) -> None:
    # Once, this 2 KB workbook made calamine ask for 512 GiB and abort the whole process.
    far = row(1_048_576, [cell("XFD1048576", "x")])
    workbook = write_xlsx(tmp_path / "people.xlsx", sheet_xml(table_rows(PEOPLE) + far, dimension="A1:B3"))
    assert workbook.stat().st_size < 5_000
    assert refused_line(tmp_path, workbook) == (
        f"people.xlsx: file refused before it was read: sheet {SHEET_PART} has cells up to row 1,048,576 and "
        "column 16,384: a grid of 17,179,869,184 cells, more than the limit of 20,000,000"
    )


def test_a_declared_dimension_beyond_the_limits_is_refused(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "people.xlsx", sheet_xml(table_rows(PEOPLE), dimension="A1:XFD1048576"))
    assert refused_line(tmp_path, workbook) == (
        f"people.xlsx: file refused before it was read: sheet {SHEET_PART} declares the dimension A1:XFD1048576, "
        "which reaches row 1,048,576 and column 16,384: a grid of 17,179,869,184 cells, more than the limit of "
        "20,000,000"
    )


@pytest.mark.parametrize(
    ("reference", "reason"),
    [("A1048577", "row 1,048,577, beyond the limit of 1,048,576 rows"), ("XFE1", "column 16,385, beyond the limit")],
)
def test_a_cell_beyond_excels_grid_is_refused(tmp_path: Path, reference: str, reason: str) -> None:
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(table_rows(PEOPLE) + row(9, [cell(reference, "x")])))
    with pytest.raises(XlsxRefused, match=reason):
        check_xlsx_limits(workbook)


def test_cells_without_references_count_from_the_cell_before_them(tmp_path: Path) -> None:
    # Cells and rows without `r` follow the ones before them, as calamine places them.
    wide = row(2, [cell("XFA2", "x"), *[cell(None, "y")] * 5])
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(table_rows(PEOPLE[:1]) + wide))
    with pytest.raises(XlsxRefused, match="column 16,386, beyond the limit of 16,384 columns"):
        check_xlsx_limits(workbook)


def test_namespace_prefixes_do_not_hide_cells(tmp_path: Path) -> None:
    body = '<x:row r="1"><x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>'
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(body))
    with pytest.raises(XlsxRefused, match="a grid of 17,179,869,184 cells"):
        check_xlsx_limits(workbook)


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    # 8 MB of blanks inside the sheet compress to about 8 KB.
    workbook = write_xlsx(tmp_path / "bomb.xlsx", sheet_xml(table_rows(PEOPLE), padding=" " * (8 << 20)))
    assert workbook.stat().st_size < 50_000
    line = refused_line(tmp_path, workbook)
    assert line.startswith(f"bomb.xlsx: file refused before it was read: part {SHEET_PART} expands ")
    assert line.endswith("times, more than the limit of 100 (a ZIP bomb?)")


def test_a_part_that_understates_its_size_is_refused(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(table_rows(PEOPLE)))
    with zipfile.ZipFile(workbook) as archive:
        size = archive.getinfo(SHEET_PART).file_size
    understate_size(workbook, SHEET_PART, 100)
    with pytest.raises(XlsxRefused, match=f"part {SHEET_PART} declares 100 bytes but expands to {size:,}"):
        check_xlsx_limits(workbook)


def test_the_uncompressed_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(table_rows(PEOPLE), padding=" " * 5_000))
    monkeypatch.setattr(xlsx, "MAX_XLSX_UNCOMPRESSED_BYTES", 4_000)
    with pytest.raises(XlsxRefused, match="bytes uncompressed, more than the limit of 4,000"):
        check_xlsx_limits(workbook)


def test_too_many_parts_are_refused(tmp_path: Path) -> None:
    workbook = write_xlsx(tmp_path / "w.xlsx", sheet_xml(table_rows(PEOPLE)), extra_parts=10_000)
    with pytest.raises(XlsxRefused, match="it holds 10,005 parts, more than the limit of 10,000"):
        check_xlsx_limits(workbook)


def test_a_file_that_is_not_a_zip_archive_is_refused(tmp_path: Path) -> None:
    workbook = tmp_path / "people.xlsx"
    workbook.write_text("source_id\nP1\n", encoding="utf-8")
    assert refused_line(tmp_path, workbook).startswith(
        "people.xlsx: file refused before it was read: it is not a valid ZIP archive, as an XLSX workbook is"
    )


@pytest.mark.parametrize(("text", "code"), [("a_x0000_b", "U+0000"), ("P_x0001_2", "U+0001"), ("x_x001B_y", "U+001B")])
def test_text_cells_with_control_characters_are_refused_with_row_and_column(
    tmp_path: Path, text: str, code: str
) -> None:
    # XLSX writes a control character as _xHHHH_; calamine gives the character back.
    rows = [["source_id", "name"], ["P1", "fine\ttab"], ["P2", text]]
    workbook = write_xlsx(tmp_path / "people.xlsx", sheet_xml(table_rows(rows)))
    assert refused_line(tmp_path, workbook) == (
        f"people.xlsx, row 3, column name: holds the control character {code} "
        "(text may hold tab, line feed and carriage return, no others)"
    )


def test_a_date_cell_the_reader_cannot_convert_is_one_line(tmp_path: Path) -> None:
    # The reader panics (in Rust) on a date 1e15 days before 1900; the panic must not reach the terminal.
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["source_id", "birth_date"])
    sheet.append(["P1", -1e15])
    sheet["B2"].number_format = "yyyy-mm-dd"
    workbook = tmp_path / "people.xlsx"
    book.save(workbook)
    store = tmp_path / "records.duckdb"
    result = run_cli("ingest", "--table", "person", workbook, "--store", store)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: refused: 1 problem found, nothing was loaded",
        "people.xlsx: file refused: the workbook cannot be read: TimeDelta::milliseconds out of bounds",
    ]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (["source_id", "source_id"], "column 'source_id' appears twice in the header row (again in column 2)"),
        (["source_id", "", "sex"], "column 2 of the header row has no name"),
    ],
)
def test_a_header_that_would_hide_a_column_is_refused(tmp_path: Path, header: list[str], reason: str) -> None:
    rows = [header, ["P1", "lost", "keep-me"][: len(header)]]
    workbook = write_xlsx(tmp_path / "people.xlsx", sheet_xml(table_rows(rows)))
    assert refused_line(tmp_path, workbook) == f"people.xlsx: file refused: {reason}"
