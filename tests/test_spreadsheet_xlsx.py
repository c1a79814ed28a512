"""Workbooks read back with openpyxl: sheets, frozen header, filter, widths, and formulas kept as text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from secondchance.errors import UserError
from secondchance.spreadsheet_xlsx import Sheet, query_sheet, sheet_name, write_xlsx

HOSTILE = ['=HYPERLINK("http://example.com","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"]


def test_sheets_have_frozen_headers_filters_and_fitted_widths(tmp_path: Path) -> None:
    out = tmp_path / "book.xlsx"
    written = write_xlsx(
        out,
        [
            Sheet("us-federal/clemency-2014", ["person", "eligible_on", "unmet"], [["P-1", date(2027, 1, 10), 1]]),
            Sheet("us-mo/parole-eligibility", ["person"], [["M-1"], ["M-2"]]),
        ],
    )
    assert written == 3
    book = load_workbook(out)
    # "/" is not allowed in a sheet name.
    assert book.sheetnames == ["us-federal_clemency-2014", "us-mo_parole-eligibility"]
    first = book["us-federal_clemency-2014"]
    assert first.freeze_panes == "A2"
    assert first.auto_filter.ref == "A1:C2"
    assert book["us-mo_parole-eligibility"].auto_filter.ref == "A1:A3"
    assert [cell.value for cell in first[1]] == ["person", "eligible_on", "unmet"]
    assert first["B2"].value.date() == date(2027, 1, 10) and first["C2"].value == 1  # typed, not text
    # "eligible_on" (11 characters) is the widest text of column B: width 11 + 2.
    assert first.column_dimensions["B"].width == 13


def test_formula_looking_text_is_stored_as_text(tmp_path: Path) -> None:
    out = tmp_path / "hostile.xlsx"
    write_xlsx(out, [Sheet("rows", ["value"], [[text] for text in HOSTILE] + [["plain"]])])
    sheet = load_workbook(out)["rows"]
    cells = [sheet.cell(row=row, column=1) for row in range(2, len(HOSTILE) + 3)]
    # The text is kept as written; XML reads the carriage return back as a line feed.
    assert [cell.value for cell in cells] == [*HOSTILE[:-1], "\n=1", "plain"]
    assert all(cell.data_type == "s" for cell in cells)  # never "f" (formula)
    assert [cell.quotePrefix for cell in cells] == [True] * len(HOSTILE) + [False]


def test_sheet_names_are_cut_to_31_characters_and_kept_unique() -> None:
    taken: set[str] = set()
    long = "us-ca/prison-prior-resentencing-and-more"
    assert sheet_name(long, taken) == "us-ca_prison-prior-resentencing"
    assert sheet_name(long, taken) == "us-ca_prison-prior-resenten (2)"
    assert all(len(name) <= 31 for name in taken)


def test_control_characters_are_written_visibly_not_refused(tmp_path: Path) -> None:
    out = tmp_path / "controls.xlsx"
    write_xlsx(out, [Sheet("rows", ["value"], [["a\x07b"]])])
    assert load_workbook(out)["rows"]["A2"].value == "a\\x07b"


def test_query_sheets_share_one_connection(tmp_path: Path) -> None:
    out = tmp_path / "query.xlsx"
    with duckdb.connect() as connection:
        sheets = [
            query_sheet(connection, "small", "SELECT range AS n FROM range(3)"),
            query_sheet(connection, "text", "SELECT '=1+1' AS formula, DATE '2026-12-01' AS day"),
        ]
        write_xlsx(out, sheets)
    book = load_workbook(out)
    assert [row[0] for row in book["small"].iter_rows(min_row=2, values_only=True)] == [0, 1, 2]
    assert book["text"]["A2"].value == "=1+1" and book["text"]["A2"].data_type == "s"


def test_an_unwritable_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot be written"):
        write_xlsx(tmp_path / "missing" / "book.xlsx", [Sheet("rows", ["value"], [["x"]])])


def test_a_cell_beyond_excels_limit_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"sheet rows, row 3, column value: more than Excel's 32,767 characters"):
        write_xlsx(tmp_path / "long.xlsx", [Sheet("rows", ["value"], [["short"], ["x" * 32_768]])])
