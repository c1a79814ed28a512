"""Export of the store to Parquet files and import back, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.ingest_helpers import run_cli, snapshot, write

from secondchance.records.ingest import load_files
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import open_store
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL


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
        # A table that is not a records table (computed_dates) is exported, and imported, too.
        connection.execute(CREATE_COMPUTED_DATES_SQL)
        connection.execute("INSERT INTO computed_dates (sentence_id, release_date) VALUES (1, DATE '2030-01-01')")
    return store


def test_export_writes_one_parquet_file_per_table(tmp_path: Path) -> None:
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    result = run_cli("export", "--format", "parquet", out, "--store", store, "--json")
    assert result.returncode == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    layer = {"supplied_fact", "criterion_decision"}  # the supplied layer travels with the store
    assert set(TABLE_NAMES) | {"ingest_log", "source_completeness", "computed_dates"} | layer == set(tables)
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
    sentence = pl.read_parquet(out / "sentence.parquet").sort("id")
    pl.concat([sentence, sentence.head(1)]).write_parquet(out / "sentence.parquet")
    copy = tmp_path / "copy.duckdb"
    result = run_cli("import", out, "--store", copy)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: refused: 2 problems found, nothing was imported",
        "sentence.parquet, row 3, column id: '1' repeats the id of row 1",
        "sentence.parquet, row 3, column source_id: 'S1' repeats the key of row 1 (source 'people')",
    ]
    assert not copy.exists()  # the import would have created it; refused, it leaves none behind


def exported(tmp_path: Path) -> tuple[Path, Path]:
    """A filled store and the folder it was exported to."""
    store = filled_store(tmp_path)
    out = tmp_path / "out"
    assert run_cli("export", "--format", "parquet", out, "--store", store).returncode == 0
    return store, out


def refused_import(out: Path, store: Path, *args: str) -> list[str]:
    """Run an import that must be refused: exit 1, no traceback, store unchanged; the message lines."""
    before = snapshot(store)
    result = run_cli("import", out, "--store", store, *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(store) == before
    return result.stderr.strip().splitlines()


def rewrite(file: Path, select: str) -> None:
    """Replace a Parquet file with `select` over its rows (aliased `t`)."""
    with duckdb.connect() as connection:
        connection.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{file}')")
        connection.execute(f"COPY ({select}) TO '{file}' (FORMAT parquet)")


def test_import_refuses_a_file_that_is_not_a_table_of_an_export(tmp_path: Path) -> None:
    _, out = exported(tmp_path)
    with duckdb.connect() as connection:
        connection.execute(f"COPY (SELECT 1 AS x) TO '{out / 'secrets.parquet'}' (FORMAT parquet)")
    lines = refused_import(out, tmp_path / "copy.duckdb")
    assert lines[0] == "error: refused: 1 problem found, nothing was imported"
    assert lines[1].startswith("secrets.parquet: not a table an export holds; the tables are person, sentence, ")
    assert lines[1].endswith(
        "computed_dates, criterion_decision, ingest_log, screening_criterion, screening_result, screening_run, "
        "source_completeness, supplied_fact"
    )


@pytest.mark.parametrize(
    ("file", "select", "expected"),
    [
        (
            "person.parquet",
            "SELECT * REPLACE (CASE WHEN source_id = 'P2' THEN 'M' ELSE sex END AS sex) FROM t ORDER BY id",
            "person.parquet, row 2, column sex: 'M' is not one of: female, male, other",
        ),
        (
            "person.parquet",
            "SELECT * REPLACE (CASE WHEN source_id = 'P1' THEN DATE '2999-01-01' END AS birth_date) FROM t ORDER BY id",
            "person.parquet, row 1, column birth_date: '2999-01-01' is in the future (after {today})",
        ),
        (
            "sentence.parquet",
            "SELECT * REPLACE ('P9' AS person_source_id) FROM t WHERE source_id = 'S2'",
            "sentence.parquet, row 1, column person_source_id: 'P9' does not match any person of source 'people' "
            "in this load or in the store",
        ),
        (
            "sentence.parquet",
            "SELECT * REPLACE (-6 AS term_months) FROM t WHERE source_id = 'S2'",
            "sentence.parquet, row 1, column term_months: '-6' is less than the minimum, 0",
        ),
        (
            "person.parquet",
            "SELECT * REPLACE (CASE WHEN source_id = 'P2' THEN id END AS id) FROM t ORDER BY source_id",
            "person.parquet, row 1, column id: a value is required",
        ),
        (
            "person.parquet",
            "SELECT * REPLACE (CASE WHEN source_id = 'P2' THEN name ELSE 'A' || chr(0) END AS name) FROM t ORDER BY id",
            "person.parquet, row 1, column name: holds the control character U+0000 "
            "(text may hold tab, line feed and carriage return, no others)",
        ),
        (
            "computed_dates.parquet",
            "SELECT * REPLACE ('soon' AS release_date) FROM t",
            "computed_dates.parquet: cannot be imported into table computed_dates: invalid date field format: "
            '"soon", expected format is (YYYY-MM-DD) when casting from source column release_date',
        ),
    ],
)
def test_import_checks_records_as_ingest_does(tmp_path: Path, file: str, select: str, expected: str) -> None:
    _, out = exported(tmp_path)
    rewrite(out / file, select)
    lines = refused_import(out, tmp_path / "copy.duckdb")
    assert lines[1:] == [expected.format(today=dt.date.today().isoformat())]


def test_a_refused_import_with_replace_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store, out = exported(tmp_path)
    rewrite(out / "sentence.parquet", "SELECT * REPLACE ('P9' AS person_source_id) FROM t")
    lines = refused_import(out, store, "--replace")
    assert len(lines) == 3  # both sentences name P9


def test_replace_refuses_to_leave_rows_that_refer_to_replaced_rows(tmp_path: Path) -> None:
    store, out = exported(tmp_path)
    (out / "sentence.parquet").unlink()
    rewrite(out / "person.parquet", "SELECT * FROM t WHERE source_id = 'P1'")
    # The store's sentence of P2 would be left naming a person the import removes.
    lines = refused_import(out, store, "--replace")
    assert lines[1:] == [
        f"{out}: the store's sentence rows refer to person rows, which the import replaces; "
        "the folder must hold sentence.parquet too"
    ]


def test_replace_with_the_whole_export_restores_it(tmp_path: Path) -> None:
    store, out = exported(tmp_path)
    before = snapshot(store)
    with duckdb.connect(str(store)) as connection:
        connection.execute("DELETE FROM sentence WHERE source_id = 'S2'")
        connection.execute("UPDATE person SET name = 'changed'")
    result = run_cli("import", out, "--replace", "--store", store)
    assert result.returncode == 0, result.stderr
    assert snapshot(store) == before


@pytest.mark.slow
def test_a_generated_population_with_computed_dates_round_trips(tmp_path: Path) -> None:
    store, out, copy = tmp_path / "s.duckdb", tmp_path / "out", tmp_path / "copy.duckdb"
    assert run_cli("generate", "--people", "300", "--seed", "3", "--store", store).returncode == 0
    assert run_cli("dates", "compute", "--as-of", "2026-01-01", "--store", store).returncode == 0
    assert run_cli("export", "--format", "parquet", out, "--store", store).returncode == 0
    result = run_cli("import", out, "--store", copy)
    assert result.returncode == 0, result.stderr
    assert snapshot(copy) == snapshot(store)
