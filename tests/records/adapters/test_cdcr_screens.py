"""Redo.io's screens over the CDCR cohort they produced, checked against the data set's own columns and SOURCE.md.

The cohort is the output of the cohort screen (SOURCE.md), so that screen, run over it on the day it ran,
must find every one of the 551 people. The other checks compare the facts with what the export itself says:
its own cleaned codes, its enhancement columns, its conditions file.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.records.adapters.conftest import csv_rows, dataset_folder

from secondchance.law.source_lists import screen_cleaned_sql, source_lists
from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.policy.facts import materialize_facts
from secondchance.policy.pack import find_pack, list_packs

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

SCREEN_RAN = date(2024, 11, 8)  # the day Redo.io's screen computed `time served in years` (docs/adapters.md)
folder = functools.partial(dataset_folder, "cdcr")
raw_rows = functools.partial(csv_rows, "cdcr")


def _ingest(source: Path, store: Path) -> Path:
    command = [sys.executable, "-m", "secondchance", "ingest", "--store", str(store), "--adapter", "cdcr", str(source)]
    loaded = subprocess.run(command, capture_output=True, text=True, check=False)
    assert loaded.returncode == 0, loaded.stderr
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingest(folder(), tmp_path_factory.mktemp("cdcr") / "records.duckdb")


@pytest.fixture(scope="module")
def facts(store: Path) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(store)) as connection:
        materialize_facts(connection, SCREEN_RAN, "screen_facts")
        cursor = connection.execute("SELECT * FROM screen_facts")
        names = [column[0] for column in cursor.description]
        return {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _statuses(store: Path, pack: str, as_of: date) -> dict[str, str]:
    with duckdb.connect(str(store)) as connection:
        run = screen(connection, [load_pack(find_pack(pack))], as_of=as_of).run_id
        rows = connection.execute("SELECT source_id, status FROM screening_result WHERE run_id = ?", [run]).fetchall()
    return dict(rows)


def test_the_cohort_screen_finds_every_person_of_the_cohort_on_the_day_it_ran(store: Path) -> None:
    # All 551 are eligible: every aggregate is 240 months or more (r_2), every figure 10.0 years or more on
    # 2024-11-08 (r_3), and no current offence in tables A-D or prior in C-D, with their implied offences (r_4,
    # r_5). No one is left almost-eligible or needing information: the records hold everything the screen read.
    statuses = _statuses(store, "us-ca/pir-cohort", SCREEN_RAN)
    assert set(statuses) == {row["cdcno"] for row in raw_rows("demographics.csv")}
    assert set(statuses.values()) == {"eligible"}


def test_without_the_offence_tables_the_cohort_screen_needs_them_for_everyone(tmp_path: Path) -> None:
    # An older copy of the data set: r_4 and r_5 are unknown, never "not listed".
    for name in ("demographics.csv", "current_commitments.csv", "prior_commitments.csv"):
        (tmp_path / name).write_bytes((folder() / name).read_bytes())
    store = _ingest(tmp_path, tmp_path / "records.duckdb")
    assert set(_statuses(store, "us-ca/pir-cohort", SCREEN_RAN).values()) == {"needs-information"}


def test_charges_are_cleaned_exactly_as_the_data_set_cleaned_them(store: Path) -> None:
    # The export carries the screen's own cleaned codes (`offense cleaned`, `controlling offense cleaned`).
    expected = {r["offense"]: r["offense cleaned"] for name in ("current_commitments.csv", "prior_commitments.csv")
                for r in raw_rows(name)}  # fmt: skip
    expected |= {r["controlling offense"]: r["controlling offense cleaned"] for r in raw_rows("demographics.csv")}
    with duckdb.connect(str(store), read_only=True) as connection:
        found = dict(
            connection.execute(
                f"SELECT statute, {screen_cleaned_sql('statute')} FROM (SELECT DISTINCT statute FROM charge "
                "UNION SELECT DISTINCT controlling_offense FROM sentence) WHERE statute IS NOT NULL"
            ).fetchall()
        )
    assert found == expected


def test_the_cohort_lists_take_their_suffixes_and_perm_from_the_conditions_file() -> None:
    conditions = {row["rule_id"]: row for row in raw_rows("eligibility_conditions.csv")}
    lists = source_lists()
    for rule, name in (("r_4", "ca_pir_abcd"), ("r_5", "ca_pir_cd")):
        implied = ast.literal_eval(conditions[rule]["implied ineligibility"])
        assert {key: tuple(value) for key, value in implied.items()} == lists[name].implied
        assert lists[name].perm == int(conditions[rule]["perm"])
    for rule, name in (("r_7", "ca_pir_de"), ("r_8", "ca_pir_d"), ("r_9", "ca_pir_f"), ("r_12", "ca_pir_abcd_not_f")):
        assert conditions[rule]["implied ineligibility"] == "" and lists[name].implied == {}


def test_r_11_reads_the_offences_and_enhancements_as_the_export_writes_them(facts: dict[str, Any]) -> None:
    columns = ["offense", *(f"off_enh{n}" for n in range(1, 12))]
    expected = {row["cdcno"] for row in raw_rows("current_commitments.csv") if any("12022" in row[c] for c in columns)}
    assert {person for person, values in facts.items() if values["ca_current_mentions_12022"]} == expected
    assert len(expected) == 177
    assert all(values["ca_current_mentions_12022"] is not None for values in facts.values())


def test_prison_priors_are_the_current_667_5_b_rows_stayed_or_not(facts: dict[str, Any]) -> None:
    rows = [row for row in raw_rows("current_commitments.csv") if row["offense"] == "PC667.5(b)"]
    expected = {row["cdcno"] for row in rows}
    assert {person for person, values in facts.items() if values["ca_has_prison_prior_enhancement"]} == expected
    stayed_only = expected - {row["cdcno"] for row in rows if row["relationship"] != "Stayed"}
    assert (len(expected), len(stayed_only)) == (138, 64)  # 64 outside § 1172.75 under the Rhodius reading


def test_every_person_has_the_source_dates_of_the_controlling_commitment(facts: dict[str, Any]) -> None:
    # One EPRD (determinate terms) or MEPD (life terms) per person in demographics.csv, whatever the other cases.
    for row in raw_rows("demographics.csv"):
        values = facts[row["cdcno"]]
        dates = (values["ca_controlling_release_date"], values["ca_controlling_parole_eligibility_date"])
        assert sum(value is not None for value in dates) == 1, row["cdcno"]
        assert values["ca_controlling_offense"] == row["controlling offense"]


def test_facts_show_names_the_controlling_commitments_date_for_a_person_with_several_cases(store: Path) -> None:
    # 77cdefe593: two current cases; demographics gives EPRD `JUL25` (2025-07-01) for the controlling one.
    assert sum(row["cdcno"] == "77cdefe593" for row in raw_rows("demographics.csv")) == 1
    command = [sys.executable, "-m", "secondchance", "facts", "show", "77cdefe593", "--as-of", "2023-12-31",
               "--store", str(store)]  # fmt: skip
    shown = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    text = " ".join(shown.stdout.split())
    assert "belong to the controlling commitment" in text and "release (EPRD) 2025-07-01" in text


def test_spark_screens_the_cohort_as_duckdb_does(store: Path, tmp_path: Path) -> None:
    # The California facts (the screen's lists, their VALUES joins and cleaning) mean the same on Spark.
    pyspark_sql = pytest.importorskip("pyspark.sql")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java; `make system-packages` installs it")
    from secondchance.policy.spark_engine import spark_screen
    from secondchance.records.parquet import export_parquet

    copy = tmp_path / "records.duckdb"
    shutil.copy(store, copy)
    spark = pyspark_sql.SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
    packs = [load_pack(path) for pack_id, path in list_packs() if pack_id.startswith("us-ca/")]
    columns = "pack_id, person_id, criterion_id, status, eligible_on, CAST(evidence AS VARCHAR)"
    with duckdb.connect(str(copy)) as connection:
        duck = screen(connection, packs, as_of=date(2023, 12, 31)).run_id
        export_parquet(connection, tmp_path / "parquet")
        spark_run = spark_screen(
            spark, packs, as_of=date(2023, 12, 31), parquet=tmp_path / "parquet", connection=connection
        ).run_id
        for left, right in ((duck, spark_run), (spark_run, duck)):
            differences = connection.execute(
                f"SELECT {columns} FROM screening_criterion WHERE run_id = {left} EXCEPT ALL "
                f"SELECT {columns} FROM screening_criterion WHERE run_id = {right} LIMIT 5"
            ).fetchall()
            assert differences == []
