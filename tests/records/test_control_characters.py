"""Text with NUL or other control characters is refused with file, line and column, from every input."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from tests.records.ingest_helpers import run_cli, snapshot, write

from secondchance.records.ingest import IngestError, load_files, load_frames
from secondchance.records.problems import Problem
from secondchance.records.store import open_store

REASON = "holds the control character {} (text may hold tab, line feed and carriage return, no others)"


def messages(error: pytest.ExceptionInfo[IngestError]) -> list[str]:
    return [problem.message() for problem in error.value.problems]


def test_a_csv_with_nul_and_escape_characters_is_refused(tmp_path: Path, store_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(b"source_id,name,release_area\nP1,Ana,Cole County\nP\x002,Bo,x\nP3,Cy\x1b[2J,\x7fok\n")
    result = run_cli("ingest", "--table", "person", people, "--store", store_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[1:] == [
        f"people.csv, line 3, column source_id: {REASON.format('U+0000')}",
        f"people.csv, line 4, column name: {REASON.format('U+001B')}",
    ]
    assert snapshot(store_path) == {}


def test_tab_line_feed_and_carriage_return_are_text(tmp_path: Path, store_path: Path) -> None:
    people = tmp_path / "people.csv"
    with people.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["source_id", "name"], ["P1", "Ana\tB"], ["P2", "two\r\nlines"]])
    with open_store(store_path) as connection:
        load_files(connection, "person", [people])
        names = connection.execute("SELECT name FROM person ORDER BY source_id").fetchall()
    assert names == [("Ana\tB",), ("two\r\nlines",)]


def test_a_parquet_string_with_a_control_character_is_refused(tmp_path: Path, store_path: Path) -> None:
    people = tmp_path / "people.parquet"
    pl.DataFrame({"source_id": ["P1", "P2"], "name": ["Ana", "B\x08o"]}).write_parquet(people)
    with open_store(store_path) as connection, pytest.raises(IngestError) as refused:
        load_files(connection, "person", [people])
    assert messages(refused) == [f"people.parquet, row 2, column name: {REASON.format('U+0008')}"]


def test_a_frame_names_the_raw_column_that_holds_the_character(store_path: Path) -> None:
    people = pl.DataFrame({"source_id": ["P1"], "sex": ["female"], "sex_raw": ["F\x00"], "_line": [7]})
    with open_store(store_path) as connection, pytest.raises(IngestError) as refused:
        load_frames(connection, {"person": people}, adapter="test")
    assert messages(refused) == [f"test, line 7, column sex_raw: {REASON.format('U+0000')}"]


def test_skip_invalid_rejects_the_row_and_loads_the_rest(tmp_path: Path, store_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(b"source_id,name\nP1,Ana\nP2,B\x01o\n")
    with open_store(store_path) as connection:
        report = load_files(connection, "person", [people], skip_invalid=True)
        loaded = connection.execute("SELECT source_id FROM person").fetchall()
    assert loaded == [("P1",)]
    assert [problem.message() for problem in report.rejected] == [
        f"people.csv, line 3, column name: {REASON.format('U+0001')}"
    ]


def test_a_problem_message_shows_control_characters_escaped_on_one_line() -> None:
    problem = Problem("people.csv", 3, "sex", "fe\nmale\x00\t", "is not one of: female, male, other")
    assert problem.message() == r"people.csv, line 3, column sex: 'fe\nmale\x00\t' is not one of: female, male, other"


def test_an_enumeration_with_a_line_break_is_reported_on_one_line(tmp_path: Path, store_path: Path) -> None:
    people = write(tmp_path / "people.csv", 'source_id,sex\nP1,"fe\nmale"\n')
    result = run_cli("ingest", "--table", "person", people, "--store", store_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[1:] == [
        r"people.csv, line 2, column sex: 'fe\nmale' is not one of: female, male, other"
    ]
