"""Screening results exports: CSV to a file and to standard output, neutralised; JSON and Parquet too."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from tests.cli.test_policy_cli import SCREEN_AS_OF, build_store
from tests.csv_injection import HOSTILE_CELLS, ORDINARY_CELL, assert_neutralised, read_csv_rows

PACK = Path(__file__).parent / "fixtures" / "demo-clemency.yaml"
SOURCE_IDS = [*HOSTILE_CELLS, ORDINARY_CELL]


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    """A store of federal people in custody, almost eligible on 1 Jun 2015, whose source ids are formulas."""
    people = [(source_id, "src-a", "federal", dt.date(2005, 10, 1)) for source_id in SOURCE_IDS]
    return build_store(tmp_path / "records.duckdb", people)


def screen(store: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `secondchance screen` over the store; output is decoded as is (a carriage return stays one)."""
    command = ["screen", "--pack", PACK, "--as-of", SCREEN_AS_OF, "--store", store, *args]
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", *map(str, command)], capture_output=True, timeout=120
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


def test_csv_to_standard_output_is_written_and_neutralised(hostile_store: Path) -> None:
    result = screen(hostile_store, "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = read_csv_rows(result.stdout)
    assert len(rows) == len(SOURCE_IDS)
    assert_neutralised([row["source_id"] for row in rows])
    assert {row["status"] for row in rows} == {"almost-eligible"}


def test_csv_to_a_file_is_neutralised_and_the_same_as_standard_output(hostile_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    assert screen(hostile_store, "--format", "csv", "--out", out).returncode == 0
    rows = read_csv_rows(out)
    assert_neutralised([row["source_id"] for row in rows])
    assert rows == read_csv_rows(screen(hostile_store, "--format", "csv").stdout)


def test_json_and_parquet_keep_the_values_as_they_are(hostile_store: Path, tmp_path: Path) -> None:
    printed = screen(hostile_store, "--format", "json")
    assert printed.returncode == 0, printed.stderr
    assert sorted(row["source_id"] for row in json.loads(printed.stdout)) == sorted(SOURCE_IDS)
    out = tmp_path / "results.parquet"
    assert screen(hostile_store, "--format", "parquet", "--out", out).returncode == 0
    with duckdb.connect() as connection:
        stored = connection.execute(f"SELECT source_id FROM read_parquet('{out}')").fetchall()
    assert sorted(value for (value,) in stored) == sorted(SOURCE_IDS)
