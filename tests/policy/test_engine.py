"""The DuckDB engine end to end: a small facts table, a run recorded, results and criteria written and exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlglot
from tests.policy.helpers import FIXTURES, compile_fixture, facts_table

from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import screen
from secondchance.policy.parameters import values_as_of
from secondchance.policy.results import almost_eligible, counts_by_status, export, export_sql, run_criteria
from secondchance.policy.status import evaluation_sql

AS_OF = date(2015, 6, 1)
BASE = {
    "system": "federal",
    "in_custody": True,
    "commencement_date": date(2005, 10, 1),
    "has_violent_prior_offense": False,
    "violent_incidents_this_term": 0,
}
PEOPLE = [
    {**BASE, "served_days": 3530},  # 1: almost-eligible on 2015-10-01
    {**BASE, "served_days": 3700, "violent_incidents_this_term": None},  # 2: needs-information
    {**BASE, "served_days": 3530, "commencement_date": date(2005, 8, 1)},  # 3: almost-eligible on 2015-08-01
    {**BASE, "served_days": 2000, "commencement_date": date(2010, 1, 1)},  # 4: ineligible, eligible_on 2020-01-01
    {**BASE, "system": "mo", "served_days": 5000},  # 5: outside the population
]


@pytest.fixture
def clemency() -> CompiledPack:
    return compile_fixture(FIXTURES / "demo-clemency.yaml")


@pytest.fixture
def connection() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    facts_table(connection, PEOPLE)
    return connection


def test_a_run_writes_results_criteria_and_its_record(
    connection: duckdb.DuckDBPyConnection, clemency: CompiledPack
) -> None:
    run = screen(connection, [clemency], as_of=AS_OF, facts="facts")
    assert (run.run_id, run.people) == (1, 5)
    assert (run.packs[0].screened, run.packs[0].outside_population) == (4, 1)
    results = connection.execute(
        "SELECT person_id, status, eligible_on, unmet_count, unknown_count FROM screening_result ORDER BY person_id"
    ).fetchall()
    assert results == [
        (1, "almost-eligible", date(2015, 10, 1), 1, 1),
        (2, "needs-information", None, 0, 2),
        (3, "almost-eligible", date(2015, 8, 1), 1, 1),
        (4, "ineligible", date(2020, 1, 1), 1, 1),
    ]
    criteria = connection.execute(
        "SELECT criterion_id, status, eligible_on, evidence::VARCHAR FROM screening_criterion "
        "WHERE person_id = 1 ORDER BY criterion_id"
    ).fetchall()
    assert criteria == [
        ("good-conduct", "unknown", None, None),
        (
            "no-violence-history",
            "met",
            None,
            '{"has_violent_prior_offense":false,"violent_incidents_this_term":0}',
        ),
        ("served-10-years", "unmet", date(2015, 10, 1), '{"served_days":3530,"commencement_date":"2005-10-01"}'),
    ]
    recorded = connection.execute("SELECT as_of, engine, packs, ingest_ids, facts FROM screening_run").fetchone()
    assert recorded is not None
    as_of, engine, packs, ingest_ids, facts = recorded
    assert (as_of, engine, ingest_ids, facts) == (AS_OF, "duckdb", [], "facts")
    pack_record = json.loads(packs)[0]
    assert pack_record["id"] == "test/demo-clemency"
    assert pack_record["version"] == 1
    assert len(pack_record["sha256"]) == 64
    assert (pack_record["screened"], pack_record["outside_population"]) == (4, 1)


def test_runs_accumulate_and_read_back(connection: duckdb.DuckDBPyConnection, clemency: CompiledPack) -> None:
    screen(connection, [clemency], as_of=AS_OF, facts="facts")
    second = screen(connection, [clemency], as_of=date(2015, 9, 1), facts="facts", evidence=False)
    assert second.run_id == 2
    assert counts_by_status(connection, 2) == [
        ("test/demo-clemency", "almost-eligible", 2),
        ("test/demo-clemency", "ineligible", 1),
        ("test/demo-clemency", "needs-information", 1),
    ]
    # Soonest first.
    assert [row[1:4] for row in almost_eligible(connection, 1)] == [
        (3, "P3", date(2015, 8, 1)),
        (1, "P1", date(2015, 10, 1)),
    ]
    evidence = connection.execute("SELECT count(evidence) FROM screening_criterion WHERE run_id = 2").fetchone()
    assert evidence == (0,)


def test_csv_export_has_one_column_per_criterion(
    connection: duckdb.DuckDBPyConnection, clemency: CompiledPack, tmp_path: Path
) -> None:
    run = screen(connection, [clemency], as_of=AS_OF, facts="facts")
    out = tmp_path / "screening.csv"
    export(connection, run.run_id, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "person_id",
        "source_id",
        "pack",
        "status",
        "eligible_on",
        "unmet",
        "unknown",
        "crit:served-10-years",
        "crit:no-violence-history",
        "crit:good-conduct",
    ]
    assert rows[3] == {
        "person_id": "4",
        "source_id": "P4",
        "pack": "test/demo-clemency",
        "status": "ineligible",
        "eligible_on": "2020-01-01",
        "unmet": "1",
        "unknown": "1",
        "crit:served-10-years": "unmet",
        "crit:no-violence-history": "met",
        "crit:good-conduct": "unknown",
    }
    assert run_criteria(connection, run.run_id) == ["served-10-years", "no-violence-history", "good-conduct"]


def test_json_export_nests_criteria_with_evidence(
    connection: duckdb.DuckDBPyConnection, clemency: CompiledPack, tmp_path: Path
) -> None:
    run = screen(connection, [clemency], as_of=AS_OF, facts="facts")
    out = tmp_path / "almost.json"
    export(connection, run.run_id, "json", out, almost_only=True)
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert [(row["person_id"], row["eligible_on"]) for row in rows] == [(3, "2015-08-01"), (1, "2015-10-01")]
    assert [c["criterion"] for c in rows[1]["criteria"]] == ["served-10-years", "no-violence-history", "good-conduct"]
    served = rows[1]["criteria"][0]
    assert served == {
        "criterion": "served-10-years",
        "status": "unmet",
        "eligible_on": "2015-10-01",
        "evidence": {"served_days": 3530, "commencement_date": "2005-10-01"},
    }
    assert "crit:" not in export_sql(run.run_id, [], nested=True)


def test_facts_may_be_a_select(connection: duckdb.DuckDBPyConnection, clemency: CompiledPack) -> None:
    run = screen(connection, [clemency], as_of=AS_OF, facts="SELECT * FROM facts WHERE person_id <= 2")
    assert (run.people, run.packs[0].screened) == (2, 2)


def test_the_same_query_reads_as_spark_sql(clemency: CompiledPack) -> None:
    sql = evaluation_sql(clemency, "facts", values_as_of(clemency.pack, AS_OF), AS_OF, "spark")
    anniversary = "(CAST(ADD_MONTHS(commencement_date, 120) AS DATE))"
    # An eligible_on beyond the calendar every engine shares is unknown, not an error (policy.limits).
    calendar = "BETWEEN CAST('0001-01-01' AS DATE) AND CAST('9999-12-31' AS DATE)"
    assert f"CASE WHEN {anniversary} {calendar} THEN {anniversary} END AS n0_d" in sql
    assert "to_json(named_struct('served_days', served_days, 'commencement_date', commencement_date), " in sql
    assert "json_object" not in sql and "INTERVAL" not in sql
    # The almost-eligible window ends 180 days after the as-of date.
    assert "CAST('2015-11-28' AS DATE)" in sql
    # The whole query reads as one Spark SELECT.
    assert isinstance(sqlglot.parse_one(sql, read="spark"), sqlglot.exp.Select)


def test_a_pack_outside_its_effective_dates_is_screened_with_a_warning(
    connection: duckdb.DuckDBPyConnection, clemency: CompiledPack
) -> None:
    run = screen(connection, [clemency], as_of=date(2018, 1, 1), facts="facts")
    assert run.packs[0].warnings == [
        "pack test/demo-clemency is in force from 2014-04-23 to 2017-01-19, not on 2018-01-01: "
        "its results say what its criteria would decide"
    ]


def test_a_date_before_any_parameter_value_is_a_clear_error(
    connection: duckdb.DuckDBPyConnection, clemency: CompiledPack
) -> None:
    from secondchance.errors import UserError

    with pytest.raises(UserError) as error:
        screen(connection, [clemency], as_of=date(2010, 1, 1), facts="facts")
    assert str(error.value) == (
        "pack test/demo-clemency: parameter min_years_served has no value on 2010-01-01; "
        "its first value is dated 2014-04-23"
    )


def test_facts_missing_a_column_the_pack_reads(connection: duckdb.DuckDBPyConnection, clemency: CompiledPack) -> None:
    from secondchance.errors import UserError

    connection.execute("CREATE TABLE thin AS SELECT person_id, source_id, system, in_custody FROM facts")
    with pytest.raises(UserError) as error:
        screen(connection, [clemency], as_of=AS_OF, facts="thin")
    assert str(error.value) == (
        "the facts (thin) lack what pack test/demo-clemency reads: served_days, commencement_date, "
        "has_violent_prior_offense, violent_incidents_this_term"
    )
