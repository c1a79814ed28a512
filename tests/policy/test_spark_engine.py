"""The Spark engine agrees with the DuckDB engine, row for row, on a 20,000-person synthetic population.

The population is generated with a fixed seed, its dates computed and the store exported to Parquet;
both engines screen it against every shipped pack as of one date, and the full result sets are compared
(statuses, eligible_on, counts, and every criterion's status, eligible_on and evidence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from secondchance.policy.checks import load_pack
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import screen
from secondchance.policy.pack import list_packs
from secondchance.policy.spark_engine import spark_screen
from secondchance.policy.spark_sql import to_spark
from secondchance.records.parquet import export_parquet
from secondchance.records.synthetic.generator import generate_population
from secondchance.sentencing.compute import compute_dates

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.slow

PEOPLE = 20_000
SEED = 11
AS_OF = date(2024, 7, 1)
RESULT_COLUMNS = "pack_id, person_id, source_id, status, eligible_on, unmet_count, unknown_count"
CRITERION_COLUMNS = "pack_id, person_id, criterion_id, parent_id, status, eligible_on, CAST(evidence AS VARCHAR)"


@dataclass
class Screened:
    connection: duckdb.DuckDBPyConnection
    duckdb_run: int
    spark_run: int
    parquet: Path
    packs: list[CompiledPack]


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory, spark: SparkSession) -> Screened:
    folder = tmp_path_factory.mktemp("spark-population")
    store = folder / "records.duckdb"
    generate_population(store, PEOPLE, seed=SEED)
    connection = duckdb.connect(str(store))
    compute_dates(connection, AS_OF)
    parquet = folder / "parquet"
    export_parquet(connection, parquet)
    packs = [load_pack(path) for _, path in list_packs()]
    duckdb_run = screen(connection, packs, as_of=AS_OF).run_id
    spark_run = spark_screen(spark, packs, as_of=AS_OF, parquet=parquet, connection=connection).run_id
    return Screened(connection, duckdb_run, spark_run, parquet, packs)


def _difference(connection: duckdb.DuckDBPyConnection, table: str, columns: str, left: int, right: int) -> list[tuple]:
    return connection.execute(
        f"SELECT {columns} FROM {table} WHERE run_id = {left} EXCEPT ALL "
        f"SELECT {columns} FROM {table} WHERE run_id = {right} ORDER BY ALL LIMIT 5"
    ).fetchall()


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_every_pack_screens_a_varied_population(screened: Screened) -> None:
    # Agreement means something only if there is something to agree on: the federal and Missouri packs
    # screen thousands (the synthetic population has no California records, so the CA pack screens none),
    # and statuses, eligible_on dates and criterion results take several values.
    rows = screened.connection.execute(
        "SELECT pack_id, count(*), count(DISTINCT status), count(eligible_on) FROM screening_result "
        f"WHERE run_id = {screened.duckdb_run} GROUP BY pack_id ORDER BY pack_id"
    ).fetchall()
    screened_packs = {pack_id: people for pack_id, people, _, _ in rows}
    assert {pack: people > 1000 for pack, people in screened_packs.items()} == {
        "us-federal/clemency-2014": True,
        "us-federal/compassionate-release": True,
        "us-federal/fsa-time-credits": True,
        "us-mo/parole-eligibility": True,
    }
    statuses = screened.connection.execute(
        f"SELECT count(DISTINCT status) FROM screening_result WHERE run_id = {screened.duckdb_run}"
    ).fetchone()
    assert statuses == (4,)
    assert sum(dated for *_, dated in rows) > 100
    outcomes = screened.connection.execute(
        f"SELECT DISTINCT status FROM screening_criterion WHERE run_id = {screened.duckdb_run} ORDER BY status"
    ).fetchall()
    assert outcomes == [("met",), ("unknown",), ("unmet",)]


def test_statuses_and_eligible_on_dates_are_identical(screened: Screened) -> None:
    connection, duck, spark_run = screened.connection, screened.duckdb_run, screened.spark_run
    total = _count(connection, f"SELECT count(*) FROM screening_result WHERE run_id = {duck}")
    assert total == _count(connection, f"SELECT count(*) FROM screening_result WHERE run_id = {spark_run}")
    assert _difference(connection, "screening_result", RESULT_COLUMNS, duck, spark_run) == []
    assert _difference(connection, "screening_result", RESULT_COLUMNS, spark_run, duck) == []


def test_criteria_and_evidence_are_identical(screened: Screened) -> None:
    connection, duck, spark_run = screened.connection, screened.duckdb_run, screened.spark_run
    total = _count(connection, f"SELECT count(*) FROM screening_criterion WHERE run_id = {duck}")
    assert total == _count(connection, f"SELECT count(*) FROM screening_criterion WHERE run_id = {spark_run}")
    with_evidence = _count(
        connection, f"SELECT count(*) FROM screening_criterion WHERE run_id = {spark_run} AND evidence IS NOT NULL"
    )
    assert with_evidence > total // 4
    assert _difference(connection, "screening_criterion", CRITERION_COLUMNS, duck, spark_run) == []
    assert _difference(connection, "screening_criterion", CRITERION_COLUMNS, spark_run, duck) == []


def test_the_run_is_recorded_as_spark_with_the_same_packs(screened: Screened) -> None:
    rows = screened.connection.execute(
        "SELECT run_id, engine, as_of, packs FROM screening_run "
        f"WHERE run_id IN ({screened.duckdb_run}, {screened.spark_run}) ORDER BY run_id"
    ).fetchall()
    assert [(engine, as_of) for _, engine, as_of, _ in rows] == [("duckdb", AS_OF), ("spark", AS_OF)]
    duck_packs, spark_packs = (json.loads(packs) for *_, packs in rows)
    assert [(p["id"], p["version"], p["sha256"], p["screened"]) for p in spark_packs] == [
        (p["id"], p["version"], p["sha256"], p["screened"]) for p in duck_packs
    ]


def test_results_written_to_parquet_by_spark_match(screened: Screened, spark: SparkSession, tmp_path: Path) -> None:
    # The cluster path: Spark writes the results tables as Parquet itself, evidence JSON included.
    clemency = [compiled for compiled in screened.packs if compiled.pack.id == "us-federal/clemency-2014"]
    out = tmp_path / "results"
    run = spark_screen(spark, clemency, as_of=AS_OF, parquet=screened.parquet, out=out)
    connection = screened.connection
    duck = screened.duckdb_run
    pack = "'us-federal/clemency-2014'"
    written = f"read_parquet('{out}/screening_result/*.parquet')"
    assert (
        connection.execute(
            f"SELECT {RESULT_COLUMNS} FROM {written} EXCEPT ALL "
            f"SELECT {RESULT_COLUMNS} FROM screening_result WHERE run_id = {duck} AND pack_id = {pack}"
        ).fetchall()
        == []
    )
    assert _count(connection, f"SELECT count(*) FROM {written}") == run.packs[0].screened
    criteria = f"read_parquet('{out}/screening_criterion/*.parquet')"
    assert (
        connection.execute(
            f"SELECT {CRITERION_COLUMNS} FROM {criteria} EXCEPT ALL "
            f"SELECT {CRITERION_COLUMNS} FROM screening_criterion WHERE run_id = {duck} AND pack_id = {pack}"
        ).fetchall()
        == []
    )
    record = json.loads((out / "screening_run.jsonl").read_text().splitlines()[0])
    assert (record["engine"], record["as_of"]) == ("spark", AS_OF.isoformat())


def test_translated_facts_keep_duckdb_meaning(spark: SparkSession) -> None:
    # Each rewrite of policy.spark_sql on values where DuckDB and Spark would otherwise disagree.
    rows = "(1, 10, 'a', DATE '2020-01-01'), (2, 20, 'b', NULL), (3, 30, NULL, DATE '2021-01-01')"
    query = f"""
        SELECT
            arg_max(v, k) AS latest_known,
            arg_max_null(v, k) AS latest,
            arg_max(v, k, 2) AS top_two,
            arg_max(g, struct_pack(d := d)) AS by_date_null_highest,
            regexp_replace('18 u.s.c. 924', 'u\\.s\\.c\\.(\\s*)', 'usc\\1', 'g') AS statute,
            sum(k) / 12.0 AS per_month,
            CAST(DATE '2020-01-31' + to_months(1) + to_days(2) AS DATE) AS moved
        FROM (SELECT k, g, v, d FROM (VALUES {rows}) AS t(g, k, v, d))
    """
    expected = duckdb.connect().execute(query).fetchone()
    assert expected == ("b", None, ["b", "a"], 2, "18 usc 924", 5.0, date(2020, 3, 2))
    assert tuple(spark.sql(to_spark(query)).collect()[0]) == expected


def test_screen_command_runs_on_spark(tmp_path: Path, spark: SparkSession) -> None:
    # `secondchance screen --all --engine spark` exports the store to Parquet itself and records a Spark run.
    from typer.testing import CliRunner

    from secondchance.cli import app

    store = tmp_path / "small.duckdb"
    generate_population(store, 300, seed=3)
    arguments = ["screen", "--all", "--engine", "spark", "--as-of", AS_OF.isoformat(), "--store", str(store)]
    arguments += ["--format", "csv", "--out", str(tmp_path / "screening.csv")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(store), read_only=True) as connection:
        assert connection.execute("SELECT engine FROM screening_run").fetchall() == [("spark",)]
        screened = _count(connection, "SELECT count(*) FROM screening_result")
    lines = (tmp_path / "screening.csv").read_text().splitlines()
    assert screened > 0 and len(lines) == screened + 1
    assert lines[0].startswith("person_id,source_id,pack,status,eligible_on,unmet,unknown,crit:")


def test_spark_options_need_the_spark_engine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from secondchance.cli import app
    from secondchance.errors import UserError

    result = CliRunner().invoke(app, ["screen", "--all", "--parquet", str(tmp_path), "--store", str(tmp_path / "s")])
    assert isinstance(result.exception, UserError)
    assert str(result.exception) == "--spark-master and --parquet need --engine spark"


def test_a_spark_pack_past_its_time_limit_is_stopped(spark: SparkSession) -> None:
    from secondchance.policy.sandbox import PackTimeout
    from secondchance.policy.spark_engine import within_time_limit

    def slow() -> object:
        return spark.range(0, 20_000_000_000, numPartitions=4).selectExpr("sum(id % 7) AS total").collect()

    with pytest.raises(PackTimeout, match="pack slow ran longer than its limit of 0 s on Spark"):
        within_time_limit(spark, "pack slow", slow, 0.0)
    # The session is still usable afterwards.
    assert spark.sql("SELECT 1 AS one").collect()[0]["one"] == 1


HOSTILE_TEXT_PACK = """\
id: test/quotes
title: Quotes
jurisdiction: us-federal
version: 1
effective: {from: 2014-04-23}
sources:
  - {id: s, cite: "test"}
parameters:
  label:
    description: text a spreadsheet or a person wrote
    values:
      2014-04-23: {value: "x\\\\' OR 'a'='a", source: s}
criteria:
  - id: literal
    text: t
    kind: rule
    source: s
    test: system = 'it''s \\'
  - id: parameter
    text: t
    kind: rule
    source: s
    test: system = :label
"""


def test_text_with_quotes_and_backslashes_means_the_same_on_spark(spark: SparkSession, tmp_path: Path) -> None:
    from tests.policy.helpers import compile_fixture, facts_table, write_pack

    from secondchance.policy.parameters import values_as_of
    from secondchance.policy.status import evaluation_sql

    compiled = compile_fixture(write_pack(tmp_path, HOSTILE_TEXT_PACK))
    texts = ["it's \\", "x\\' OR 'a'='a", "federal"]
    rows = [(number, f"P{number}", text) for number, text in enumerate(texts, start=1)]
    spark.createDataFrame(rows, "person_id BIGINT, source_id STRING, system STRING").createOrReplaceTempView("quotes")
    connection = duckdb.connect()
    facts_table(connection, [{"system": text} for text in texts])
    values = values_as_of(compiled.pack, AS_OF)
    expected = {1: ("met", "unmet"), 2: ("unmet", "met"), 3: ("unmet", "unmet")}
    # Each text matches only itself: no quote or backslash escapes its literal, in either engine.
    spark_rows = spark.sql(evaluation_sql(compiled, "quotes", values, AS_OF, "spark")).collect()
    assert {row["person_id"]: (row["n0_status"], row["n1_status"]) for row in spark_rows} == expected
    duckdb_rows = connection.sql(evaluation_sql(compiled, "facts", values, AS_OF, "duckdb")).to_arrow_table()
    assert {row["person_id"]: (row["n0_status"], row["n1_status"]) for row in duckdb_rows.to_pylist()} == expected


def test_edges_of_arithmetic_mean_the_same_on_spark(spark: SparkSession, tmp_path: Path) -> None:
    from tests.policy.helpers import compile_fixture, criterion_yaml, pack_yaml, write_pack

    from secondchance.policy.parameters import values_as_of
    from secondchance.policy.status import evaluation_sql

    criteria = criterion_yaml("divide", "served_days / age_years > 1") + criterion_yaml(
        "remainder", "served_days % age_years = 0"
    )
    criteria += criterion_yaml("wide", "100000 * 100000 / 10 = 1000000000")
    compiled = compile_fixture(write_pack(tmp_path, pack_yaml(criteria)))
    frame = spark.createDataFrame(
        [(1, "P1", 10, 0)], "person_id BIGINT, source_id STRING, served_days BIGINT, age_years BIGINT"
    )
    frame.createOrReplaceTempView("edges")
    row = spark.sql(evaluation_sql(compiled, "edges", values_as_of(compiled.pack, AS_OF), AS_OF, "spark")).collect()[0]
    # Division and remainder by zero are unknown, as in DuckDB; 100000 * 100000 does not wrap round.
    assert (row["n0_status"], row["n1_status"], row["n2_status"]) == ("unknown", "unknown", "met")


def test_spark_reads_dollar_braces_as_text_not_as_a_variable(spark: SparkSession) -> None:
    # With substitution on, Spark would replace ${env:HOME} inside the quotes by the environment's value.
    assert spark.sql("SELECT '${env:HOME}' AS text").collect()[0]["text"] == "${env:HOME}"
