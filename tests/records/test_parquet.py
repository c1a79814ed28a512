"""Export of the store to Parquet files and import back, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.ingest_helpers import run_cli, snapshot, write

from secondchance.records.ingest import load_files
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import open_store


def filled_store(tmp_path: Path) -> Path:
    store = tmp_path / "records.duckdb"
    people = write(tmp_path / "people.csv", "source_id,birth_date,sex\nP1,1980-01-02,Female\nP2,1975-06-30,male\n")
    sentences = write(
        tmp_path / "sentences.csv",
        "source,source_id,person_source_id,system,term_months\npeople,S1,P1,federal,120\npeople,S2,P2,us-mo,36\n",
    )
    with open_store(store) as connection:
        load_files(connection, "person", [people])
        load_files(connection, "sentence", [sentences])
        # A table that is not a records table (e.g. computed_dates) is exported too.
        connection.execute("CREATE TABLE computed_dates AS SELECT 1 AS sentence_id, DATE '2030-01-01' AS release_date")
    return store


def test_export_writes_one_parquet_file_per_table(tmp_path: Path) -> None:
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    result = run_cli("export", "--format", "parquet", out, "--store", store, "--json")
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    assert set(TABLE_NAMES) | {"ingest_log", "computed_dates"} == set(tables)
    assert sorted(p.stem for p in out.glob("*.parquet")) == sorted(tables)
    people = pl.read_parquet(out / "person.parquet").sort("source_id")
    assert people["sex"].to_list() == ["female", "male"]
    assert people["sex_raw"].to_list() == ["Female", "male"]


def test_import_restores_the_store_exactly(tmp_path: Path) -> None:
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    assert run_cli("export", "--format", "parquet", out, "--store", store).returncode == 0
    copy = tmp_path / "copy.duckdb"
    result = run_cli("import", out, "--store", copy)
    assert result.returncode == 0, result.stderr
    assert snapshot(copy) == snapshot(store)


@pytest.mark.slow
def test_import_into_a_store_that_holds_rows_is_refused_unless_replace(tmp_path: Path) -> None:
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    assert run_cli("export", "--format", "parquet", out, "--store", store).returncode == 0
    with duckdb.connect(str(store)) as connection:
        connection.execute("UPDATE person SET name = 'changed'")
    before = snapshot(store)
    refused = run_cli("import", out, "--store", store)
    assert refused.returncode == 1
    assert "person.parquet: table person already holds 2 rows (use --replace to replace them)" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert snapshot(store) == before
    replaced = run_cli("import", out, "--replace", "--store", store)
    assert replaced.returncode == 0, replaced.stderr
    with duckdb.connect(str(store), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM person WHERE name IS NULL").fetchone() == (2,)


def test_import_refuses_a_file_with_repeated_keys_and_changes_nothing(tmp_path: Path) -> None:
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    assert run_cli("export", "--format", "parquet", out, "--store", store).returncode == 0
    sentence = pl.read_parquet(out / "sentence.parquet")
    pl.concat([sentence, sentence]).write_parquet(out / "sentence.parquet")
    copy = tmp_path / "copy.duckdb"
    result = run_cli("import", out, "--store", copy)
    assert result.returncode == 1
    assert "sentence.parquet: 2 values of (id) appear more than once" in result.stderr
    assert snapshot(copy) == {name: [] for name in snapshot(copy)}  # the store was created, with every table empty
