"""The CSV files ingest writes (rejects, --errors-out) neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.csv_injection import HOSTILE_CELLS, ORDINARY_CELL, assert_neutralised, read_csv_rows
from tests.records.ingest_helpers import run_cli


def hostile_people(path: Path) -> Path:
    """A person file whose `sex` cells are formulas (so every row is rejected) and one ordinary row."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "name", "sex"])
        for number, cell in enumerate(HOSTILE_CELLS, start=1):
            writer.writerow([f"P{number}", cell, cell])
        writer.writerow(["P0", ORDINARY_CELL, ORDINARY_CELL])
    return path


def test_the_rejects_file_neutralises_formulas(tmp_path: Path) -> None:
    people = hostile_people(tmp_path / "people.csv")
    rejects = tmp_path / "rejects.csv"
    result = run_cli(
        "ingest", "--table", "person", people, "--skip-invalid", "--rejects", rejects, "--store", tmp_path / "s.duckdb"
    )
    assert result.returncode == 0, result.stderr
    rows = read_csv_rows(rejects)
    assert len(rows) == len(HOSTILE_CELLS) + 1
    assert_neutralised([row["name"] for row in rows])
    assert_neutralised([row["sex"] for row in rows])
    assert {row["_line"] for row in rows} == {str(line) for line in range(2, len(rows) + 2)}


def test_errors_out_neutralises_formulas(tmp_path: Path) -> None:
    people = hostile_people(tmp_path / "people.csv")
    errors = tmp_path / "errors.csv"
    result = run_cli("ingest", "--table", "person", people, "--errors-out", errors, "--store", tmp_path / "s.duckdb")
    assert result.returncode == 1
    rows = read_csv_rows(errors)
    assert_neutralised([row["value"] for row in rows])
    assert {row["column"] for row in rows} == {"sex"}
