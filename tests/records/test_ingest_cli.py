"""`secondchance ingest` on bad input: exit code 1, the documented message, and an unchanged store."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from tests.records.ingest_helpers import run_cli, snapshot, write

from secondchance.records.ingest import load_files
from secondchance.records.store import open_store

PEOPLE = "source_id,birth_date,sex\nP1,1980-01-02,female\nP2,1975-06-30,male\n"


@pytest.fixture
def loaded_store(tmp_path: Path) -> Path:
    """A store that already holds two people of source `people`, so "unchanged" means something."""
    store = tmp_path / "records.duckdb"
    folder = tmp_path / "first"
    folder.mkdir()
    with open_store(store) as connection:
        load_files(connection, "person", [write(folder / "people.csv", PEOPLE)])
    return store


def refused(store: Path, *args: str | Path) -> str:
    """Run an ingest that must be refused; check exit code 1, no traceback, store unchanged; return stderr."""
    before = snapshot(store)
    result = run_cli("ingest", *args, "--store", store)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store) == before
    return result.stderr


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of an error message (after the `error: refused...` line)."""
    return stderr.strip().splitlines()[1:]


def test_a_malformed_date_is_refused_with_file_line_column_value_and_reason(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,birth_date,sex\nP3,1990-02-03,male\nP4,1985-13-01,female\n")
    stderr = refused(loaded_store, "--table", "person", people)
    assert stderr.splitlines()[0] == "error: refused: 1 problem found, nothing was loaded"
    assert problem_lines(stderr) == [
        "people.csv, line 3, column birth_date: '1985-13-01' is not a date (expected YYYY-MM-DD)"
    ]


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        (
            "term_months",
            "twelve",
            "sentences.csv, line 2, column term_months: 'twelve' is not an integer",
        ),
        (
            "term_months",
            "-3",
            "sentences.csv, line 2, column term_months: '-3' is less than the minimum, 0",
        ),
        (
            "sentence_type",
            "suspended",
            "sentences.csv, line 2, column sentence_type: 'suspended' is not one of: "
            "determinate, indeterminate, life, life_without_parole, death",
        ),
        (
            "imposed_date",
            "2001-02-30",
            "sentences.csv, line 2, column imposed_date: '2001-02-30' is not a date (expected YYYY-MM-DD)",
        ),
    ],
)
def test_bad_sentence_values(tmp_path: Path, loaded_store: Path, header: str, row: str, expected: str) -> None:
    sentences = write(
        tmp_path / "sentences.csv",
        f"source,source_id,person_source_id,system,{header}\npeople,S1,P1,federal,{row}\n",
    )
    assert problem_lines(refused(loaded_store, "--table", "sentence", sentences)) == [expected]


def test_a_birth_date_in_the_future_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,birth_date\nP3,2999-01-01\n")
    today = dt.date.today().isoformat()
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        f"people.csv, line 2, column birth_date: '2999-01-01' is in the future (after {today})"
    ]


def test_an_end_before_its_start_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    custody = write(
        tmp_path / "custody.csv",
        "source,source_id,person_source_id,start_date,end_date\npeople,C1,P1,2020-05-01,2020-04-01\n",
    )
    assert problem_lines(refused(loaded_store, "--table", "custody_period", custody)) == [
        "custody.csv, line 2, column end_date: '2020-04-01' is before start_date '2020-05-01'"
    ]


def test_an_unknown_enumeration_value_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,sex\nP3,Male\nP4,X\n")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv, line 3, column sex: 'X' is not one of: female, male, other"
    ]


def test_a_missing_required_column_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "birth_date,sex\n1980-01-01,male\n")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv, line 1, column source_id: required column is missing"
    ]


def test_a_missing_required_value_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,sex\nP3,male\n,female\n")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv, line 3, column source_id: a value is required"
    ]


def test_a_duplicate_key_in_the_file_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,sex\nP7,male\nP8,female\nP7,female\n")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv, line 4, column source_id: 'P7' repeats the key of line 2 (source 'people')"
    ]


def test_a_reference_to_a_person_in_neither_the_file_nor_the_store_is_refused(
    tmp_path: Path, loaded_store: Path
) -> None:
    sentences = write(
        tmp_path / "sentences.csv",
        "source,source_id,person_source_id,system\npeople,S1,P1,federal\npeople,S2,P9,federal\n",
    )
    assert problem_lines(refused(loaded_store, "--table", "sentence", sentences)) == [
        "sentences.csv, line 3, column person_source_id: 'P9' does not match any person of source 'people' "
        "in this load or in the store"
    ]


def test_an_unknown_column_is_reported_not_dropped(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,birth_dte,shoe_size\nP3,1980-01-01,9\n")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv, line 1, column birth_dte: unknown column of person; did you mean birth_date?",
        "people.csv, line 1, column shoe_size: unknown column of person; the columns of person are in docs/records.md",
    ]


def test_an_empty_file_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "people.csv", "")
    assert problem_lines(refused(loaded_store, "--table", "person", people)) == [
        "people.csv: file is empty (expected a header line and rows)"
    ]


def test_a_missing_file_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    assert problem_lines(refused(loaded_store, "--table", "person", tmp_path / "people.csv")) == [
        "people.csv: file cannot be read: no such file"
    ]


def test_a_file_that_is_not_text_is_refused(tmp_path: Path, loaded_store: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes(b"source_id,sex\n\xff\xfe\xfa\x00\x81,male\n")
    lines = problem_lines(refused(loaded_store, "--table", "person", people))
    assert len(lines) == 1
    assert lines[0].startswith("people.csv, line 2: file cannot be read as CSV: ")
    assert lines[0].endswith("This file is not utf-8 encoded.")


def test_a_latin_1_file_is_refused_with_the_line_and_duckdbs_reason(tmp_path: Path, loaded_store: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes("source_id,name\nP3,Ana\nP4,José\n".encode("latin-1"))
    lines = problem_lines(refused(loaded_store, "--table", "person", people))
    assert lines == [
        "people.csv, line 3: file cannot be read as CSV: Invalid unicode (byte sequence mismatch) detected. "
        "This file is not utf-8 encoded."
    ]


def test_a_row_with_too_many_values_far_into_a_file_names_its_line(tmp_path: Path, loaded_store: Path) -> None:
    rows = [f"P{number},female" for number in range(3, 40_003)]  # beyond what the sniffer samples
    people = write(tmp_path / "people.csv", "\n".join(["source_id,sex", *rows, "PX,female,extra", "PY,male"]) + "\n")
    lines = problem_lines(refused(loaded_store, "--table", "person", people))
    assert lines == ["people.csv, line 40002: file cannot be read as CSV: Expected Number of Columns: 2 Found: 3"]


def test_a_file_name_with_a_semicolon_is_reported_whole(tmp_path: Path, loaded_store: Path) -> None:
    people = write(tmp_path / "old; new.csv", "source_id,sex\nP3,female\nP4,M\n")
    result = run_cli("ingest", "--table", "person", people, "--skip-invalid", "--store", loaded_store)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"person: loaded 1 of 2 rows from {people} (1 new, 0 updated, 1 rejected; ingest 2)"
    )
    assert (tmp_path / "old; new.rejects.csv").is_file()


def test_an_unknown_table_is_a_user_error(tmp_path: Path, loaded_store: Path) -> None:
    stderr = refused(loaded_store, "--table", "persons", write(tmp_path / "p.csv", PEOPLE))
    assert "unknown table 'persons'; known tables: person, sentence," in stderr


def test_an_unknown_adapter_lists_the_known_ones(tmp_path: Path, loaded_store: Path) -> None:
    stderr = refused(loaded_store, "--adapter", "nosuch", tmp_path)
    assert "unknown adapter 'nosuch'; known adapters: " in stderr


def test_the_first_20_problems_are_listed_then_counted(tmp_path: Path, loaded_store: Path) -> None:
    rows = "".join(f"Q{i},not-a-date\n" for i in range(25))
    people = write(tmp_path / "people.csv", "source_id,birth_date\n" + rows)
    lines = problem_lines(refused(loaded_store, "--table", "person", people))
    assert len(lines) == 21
    assert lines[0] == "people.csv, line 2, column birth_date: 'not-a-date' is not a date (expected YYYY-MM-DD)"
    assert lines[19].startswith("people.csv, line 21, ")
    assert lines[20] == "and 5 more problems"


def test_errors_out_writes_every_problem_as_csv(tmp_path: Path, loaded_store: Path) -> None:
    rows = "".join(f"Q{i},not-a-date\n" for i in range(25))
    people = write(tmp_path / "people.csv", "source_id,birth_date\n" + rows)
    errors = tmp_path / "errors.csv"
    stderr = refused(loaded_store, "--table", "person", people, "--errors-out", errors)
    assert f"every problem was written to {errors}" in stderr
    with errors.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == 25
    assert written[24] == {
        "file": "people.csv",
        "line_kind": "line",
        "line": "26",
        "column": "birth_date",
        "value": "not-a-date",
        "reason": "is not a date (expected YYYY-MM-DD)",
        "message": "people.csv, line 26, column birth_date: 'not-a-date' is not a date (expected YYYY-MM-DD)",
    }


def test_a_person_file_with_source_id_birth_date_and_sex_only_is_valid(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    people = write(tmp_path / "people.csv", PEOPLE)
    result = run_cli("ingest", "--table", "person", people, "--store", store, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (2, 2, 0)
    assert snapshot(store)["person"][0][1:3] == ("people", "P1")  # source defaults to the file name


def test_skip_invalid_loads_the_valid_rows_and_writes_the_rejects(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    people = write(
        tmp_path / "people.csv", "source_id,birth_date,sex\nP1,1980-01-02,female\nP2,1985-13-01,male\nP3,,M\n"
    )
    result = run_cli("ingest", "--table", "person", people, "--skip-invalid", "--store", store)
    assert result.returncode == 0, result.stderr
    rejects = tmp_path / "people.rejects.csv"
    assert "loaded 1 of 3 rows" in result.stdout
    assert "rejected 2 rows" in result.stdout
    assert str(rejects) in result.stdout.replace("\n", "")
    with rejects.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {
            "_file": "people.csv",
            "_line_kind": "line",
            "_line": "3",
            "_reasons": "birth_date: '1985-13-01' is not a date (expected YYYY-MM-DD)",
            "source_id": "P2",
            "birth_date": "1985-13-01",
            "sex": "male",
        },
        {
            "_file": "people.csv",
            "_line_kind": "line",
            "_line": "4",
            "_reasons": "sex: 'M' is not one of: female, male, other",
            "source_id": "P3",
            "birth_date": "",
            "sex": "M",
        },
    ]
    assert [row[2] for row in snapshot(store)["person"]] == ["P1"]
    log = snapshot(store)["ingest_log"]
    assert [(row[6], row[7], row[8]) for row in log] == [(3, 1, 2)]
