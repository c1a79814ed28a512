from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from tests.csv_injection import HOSTILE_CELLS, ORDINARY_CELL, assert_neutralised, read_csv_rows

from secondchance.errors import UserError
from secondchance.spreadsheet_safe_csv import copy_query_to_csv, csv_text, neutralise_cell, write_csv


@pytest.mark.parametrize(("cell", "expected"), [*HOSTILE_CELLS.items(), (ORDINARY_CELL, ORDINARY_CELL), ("", "")])
def test_a_text_cell_that_starts_a_formula_gets_a_leading_quote(cell: str, expected: str) -> None:
    assert neutralise_cell(cell) == expected


def test_numbers_dates_and_missing_values_are_left_alone() -> None:
    day = dt.date(2020, 1, 2)
    assert [neutralise_cell(value) for value in (-1, -2.5, day, None, True)] == [-1, -2.5, day, None, True]


def test_written_rows_read_back_neutralised(tmp_path: Path) -> None:
    rows = [{"cell": cell, "n": -1} for cell in [*HOSTILE_CELLS, ORDINARY_CELL]]
    path = tmp_path / "rows.csv"
    assert write_csv(path, ["cell", "n"], rows) == len(rows)
    back = read_csv_rows(path)
    assert_neutralised([row["cell"] for row in back])
    assert {row["n"] for row in back} == {"-1"}
    assert read_csv_rows(csv_text(["cell", "n"], rows)) == back


def _hostile_query() -> str:
    values = ", ".join(f"({_literal(cell)}, -{i}, DATE '2020-01-0{i + 1}')" for i, cell in enumerate(HOSTILE_CELLS))
    return (
        f"SELECT cell, n, day, [cell] AS listed FROM (VALUES {values}, "
        f"({_literal(ORDINARY_CELL)}, 7, NULL)) AS t(cell, n, day)"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_a_duckdb_query_is_written_neutralised_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    with duckdb.connect() as connection:
        copy_query_to_csv(connection, _hostile_query(), path)
    back = read_csv_rows(path)
    assert list(back[0]) == ["cell", "n", "day", "listed"]
    assert_neutralised([row["cell"] for row in back])
    # Typed columns are written as they are: a negative number is a number, not a formula.
    assert [row["n"] for row in back] == ["0", "-1", "-2", "-3", "-4", "-5", "7"]
    assert back[1]["day"] == "2020-01-02"


def test_a_duckdb_query_is_written_neutralised_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    with duckdb.connect() as connection:
        copy_query_to_csv(connection, _hostile_query(), None)
    back = read_csv_rows(capsys.readouterr().out)
    assert_neutralised([row["cell"] for row in back])
    assert len(back) == len(HOSTILE_CELLS) + 1


def test_a_path_that_cannot_be_written_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "rows.csv"
    with pytest.raises(UserError) as raised:
        write_csv(missing, ["cell"], [{"cell": "x"}])
    assert str(raised.value) == f"{missing}: cannot be written: No such file or directory"
    with duckdb.connect() as connection, pytest.raises(UserError) as copied:
        copy_query_to_csv(connection, "SELECT 1 AS n", missing)
    assert str(copied.value) == f"{missing}: cannot be written: No such file or directory"
