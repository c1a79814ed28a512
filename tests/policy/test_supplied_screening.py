"""Supplied facts and decisions in the engines: a supplied value wins, a decision settles, evidence says whence.

Golden values worked by hand. P1's sentence (California, 240 months, imposed 1 Jan 2010) has no
commencement date in the records; a legal status summary gives 1 Mar 2010. As of 15 Jun 2024 that is
5,221 days served: 1 Mar 2010 to 1 Mar 2024 is 14 × 365 + 4 leap days (2012, 2016, 2020, 29 Feb 2024)
= 5,114 days, to 15 Jun another 31 + 30 + 31 + 14 = 106, and the commencement day counts as day 1.
Ten years are 3,650 days (365-day years, docs/sentencing-conventions.md), so the rule is met.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from tests.policy.facts.test_query import charge, declare_complete, person, sentence

from secondchance.errors import UserError
from secondchance.policy.checks import load_pack
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import facts_relation_for, screen
from secondchance.policy.explain import explain, find_person
from secondchance.policy.provenance import STORE_LAYER
from secondchance.policy.rescreen import rescreen_people
from secondchance.policy.spark_engine import spark_screen
from secondchance.policy.supplied import Answer, check_answers, check_decision
from secondchance.records.parquet import export_parquet
from secondchance.records.problems import IngestError
from secondchance.records.store import ensure_schema
from secondchance.records.supplied import NewSuppliedFact, record_decisions, record_facts, withdraw
from secondchance.sentencing.compute import compute_dates, scalar_mismatches

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

AS_OF = date(2024, 6, 15)
PACK = """\
id: test/supplied
title: Test pack
jurisdiction: us-ca
version: 1
effective: {from: 2000-01-01}
sources:
  - {id: s, cite: test}
parameters:
  min_years:
    description: Years served
    values: {2000-01-01: {value: 10, source: s}}
population: system = 'us-ca'
criteria:
  - id: served-10-years
    text: Has served {min_years} years.
    test: served_days >= years_to_days(:min_years)
    kind: rule
    source: s
  - id: reviewer-agrees
    text: A reviewer agrees.
    kind: judgement
    source: s
"""


@pytest.fixture
def compiled(tmp_path: Path) -> CompiledPack:
    path = tmp_path / "supplied.yaml"
    path.write_text(PACK, encoding="utf-8")
    return load_pack(path)


@pytest.fixture
def store() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    declare_complete(connection)
    person(connection, 1, "P1", jurisdiction="us-ca", birth_date=date(1970, 1, 1))
    sentence(connection, 10, 1, system="us-ca", sentence_type="determinate", imposed_date=date(2010, 1, 1),
             term_months=240)  # fmt: skip
    charge(connection, 100, 10, offense_date=date(2009, 6, 1), statute="PC 459", offense_category="property")
    return connection


def _start(day: date, holds_from: date | None = None) -> NewSuppliedFact:
    return NewSuppliedFact(1, "commencement_date", "date", day.isoformat(), day, holds_from,
                           "legal status summary", "3", "custody start on the summary", "Ana")  # fmt: skip


def _served_days(connection: duckdb.DuckDBPyConnection, as_of: date = AS_OF) -> object:
    relation = facts_relation_for(connection, as_of, ["served_days", "commencement_date"], layer=STORE_LAYER)
    row = connection.execute(f"SELECT served_days FROM ({relation}) WHERE person_id = 1").fetchone()
    return row[0] if row else None


def _status(connection: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> tuple[str, dict[str, str]]:
    run = screen(connection, [compiled], as_of=AS_OF)
    status = connection.execute(
        "SELECT status FROM screening_result WHERE run_id = ? AND person_id = 1", [run.run_id]
    ).fetchone()
    criteria = connection.execute(
        "SELECT criterion_id, status FROM screening_criterion WHERE run_id = ? AND person_id = 1", [run.run_id]
    ).fetchall()
    return str(status[0] if status else None), {str(c): str(s) for c, s in criteria}


def test_a_supplied_commencement_date_changes_the_facts_and_the_status(
    store: duckdb.DuckDBPyConnection, compiled: CompiledPack
) -> None:
    assert _served_days(store) is None
    assert _status(store, compiled) == (
        "needs-information",
        {"served-10-years": "unknown", "reviewer-agrees": "unknown"},
    )
    record_facts(store, [_start(date(2010, 3, 1))])
    assert _served_days(store) == 5221
    assert _status(store, compiled)[1]["served-10-years"] == "met"


def test_a_value_holds_only_from_its_date(store: duckdb.DuckDBPyConnection) -> None:
    record_facts(store, [_start(date(2010, 3, 1), holds_from=date(2024, 7, 1))])
    assert _served_days(store) is None
    assert _served_days(store, date(2024, 7, 1)) == 5221 + 16  # 15 Jun to 1 Jul


def test_withdrawing_restores_the_derived_value(store: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> None:
    [answer] = record_facts(store, [_start(date(2010, 3, 1))])
    withdraw(store, answer, "summary of another commitment", "Bo")
    assert _served_days(store) is None
    assert _status(store, compiled)[1]["served-10-years"] == "unknown"
    assert store.execute("SELECT count(*) FROM supplied_fact").fetchone() == (1,)


def test_a_decision_settles_a_judgement_criterion(store: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> None:
    record_facts(store, [_start(date(2010, 3, 1))])
    decision = check_decision(store, "P1", str(compiled.path), "reviewer-agrees", "met", reason="counsel's reading",
                              source="memo of 2 May", by="Ana")  # fmt: skip
    record_decisions(store, [decision])
    assert _status(store, compiled) == ("eligible", {"served-10-years": "met", "reviewer-agrees": "met"})
    record_decisions(store, [check_decision(store, "P1", str(compiled.path), "reviewer-agrees", "unmet",
                                            reason="court found otherwise", source=None, by="Bo")])  # fmt: skip
    assert _status(store, compiled) == ("ineligible", {"served-10-years": "met", "reviewer-agrees": "unmet"})


def test_a_rule_criterion_cannot_be_decided(store: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> None:
    with pytest.raises(UserError, match="is a rule criterion"):
        check_decision(store, "P1", str(compiled.path), "served-10-years", "met", reason="r", source=None, by="A")


def test_evidence_and_explanation_say_who_supplied_what_from_which_document(
    store: duckdb.DuckDBPyConnection, compiled: CompiledPack
) -> None:
    record_facts(store, [_start(date(2010, 3, 1))])
    record_decisions(store, [check_decision(store, "P1", str(compiled.path), "reviewer-agrees", "met",
                                            reason="counsel's reading", source="memo", by="Bo")])  # fmt: skip
    run = screen(store, [compiled], as_of=AS_OF)
    rows = dict(
        store.execute(
            "SELECT criterion_id, evidence FROM screening_criterion WHERE run_id = ? AND person_id = 1", [run.run_id]
        ).fetchall()
    )
    served = json.loads(rows["served-10-years"])
    assert served["served_days"] == 5221
    assert served["_supplied"]["commencement_date"]["document"] == "legal status summary"
    assert served["_supplied"]["commencement_date"]["by"] == "Ana"
    assert json.loads(rows["reviewer-agrees"])["_decided"]["decision"] == "met"
    explained = explain(store, compiled, find_person(store, "P1"), AS_OF)
    item = explained.criterion("served-10-years")
    assert item.evidence == {"served_days": 5221}  # provenance is not a fact
    assert item.provenance_lines() == [
        "commencement_date = 2010-03-01, supplied by Ana from legal status summary, page 3: "
        "custody start on the summary"
    ]
    assert explained.criterion("reviewer-agrees").provenance_lines() == [
        "decided met by Bo from memo: counsel's reading"
    ]
    # Screened on the fly (no stored run of that date), the explanation says the same.
    on_the_fly = explain(store, compiled, find_person(store, "P1"), date(2024, 6, 16))
    assert on_the_fly.run_id is None
    assert on_the_fly.criterion("served-10-years").evidence == {"served_days": 5222}
    assert on_the_fly.criterion("served-10-years").provenance_lines() == item.provenance_lines()
    assert on_the_fly.criterion("reviewer-agrees").status == "met"


def test_bad_values_are_refused_with_place_and_reason_and_nothing_changes(store: duckdb.DuckDBPyConnection) -> None:
    answers = [
        Answer("P1", "commencement_date", "2010-02-30", "", "summary", "", "read", "Ana", "answers.csv", 2),
        Answer("P1", "jail_credit_days", "-4", "", "summary", "", "read", "Ana", "answers.csv", 3),
        Answer("P9", "served_dayz", "1", "", "summary", "", "read", "Ana", "answers.csv", 4),
    ]
    with pytest.raises(IngestError) as refused:
        check_answers(store, answers, AS_OF)
    assert str(refused.value).splitlines() == [
        "refused: 4 problems found, nothing was recorded",
        "answers.csv, line 2, column value: '2010-02-30' is not a date (expected YYYY-MM-DD) "
        "(commencement_date is of type date)",
        "answers.csv, line 3, column value: '-4' is less than the minimum, 0 (jail_credit_days is of type integer)",
        "answers.csv, line 4, column person: 'P9' is no person's source id in the records store",
        "answers.csv, line 4, column fact: 'served_dayz' is not a fact of the catalogue; did you mean served_days?",
    ]
    assert store.execute("SELECT count(*) FROM supplied_fact").fetchone() == (0,)


def test_rescreen_redates_and_reports_each_status(store: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> None:
    compute_dates(store, AS_OF)
    screen(store, [compiled], as_of=AS_OF)
    reason = store.execute("SELECT review_reason FROM computed_dates WHERE sentence_id = 10").fetchone()
    assert reason == ("MISSING_COMMENCEMENT_DATE",)
    record_facts(store, [_start(date(2010, 3, 1))])
    result = rescreen_people(store, [1], ["commencement_date"])
    assert result.redated
    assert result.review_before == {"P1": ["MISSING_COMMENCEMENT_DATE"]}
    assert "MISSING_COMMENCEMENT_DATE" not in result.review_after["P1"]
    # 240 months from 1 Mar 2010 end on 29 Feb 2030, the day before 1 Mar 2030 (exclusive ends).
    dates = store.execute("SELECT commencement_date, full_term_date FROM computed_dates WHERE sentence_id = 10")
    assert dates.fetchone() == (date(2010, 3, 1), date(2030, 2, 28))
    [change] = result.changes
    assert (change.source_id, change.before, change.after) == ("P1", "needs-information", "needs-information")
    # The scalar reference reads the same supplied inputs as the bulk path: one answer.
    assert scalar_mismatches(store, AS_OF) == (1, [])


def test_spark_reads_the_layer_as_duckdb_does(
    store: duckdb.DuckDBPyConnection, compiled: CompiledPack, spark: SparkSession, tmp_path: Path
) -> None:
    record_facts(store, [_start(date(2010, 3, 1))])
    record_decisions(store, [check_decision(store, "P1", str(compiled.path), "reviewer-agrees", "unmet",
                                            reason="court found otherwise", source="order", by="Bo")])  # fmt: skip
    export_parquet(store, tmp_path / "parquet")
    on_duckdb = screen(store, [compiled], as_of=AS_OF).run_id
    on_spark = spark_screen(spark, [compiled], as_of=AS_OF, parquet=tmp_path / "parquet", connection=store).run_id
    query = "SELECT criterion_id, status, evidence FROM screening_criterion WHERE run_id = ? ORDER BY criterion_id"
    duckdb_rows = store.execute(query, [on_duckdb]).fetchall()
    assert [row[:2] for row in duckdb_rows] == [("reviewer-agrees", "unmet"), ("served-10-years", "met")]
    assert store.execute(query, [on_spark]).fetchall() == duckdb_rows


def test_a_supplied_birth_date_gives_the_age_computed_from_it(store: duckdb.DuckDBPyConnection) -> None:
    birth = NewSuppliedFact(1, "birth_date", "date", "1960-07-01", date(1960, 7, 1), None, "birth certificate", None,
                            "corrected date of birth", "Ana")  # fmt: skip
    record_facts(store, [birth])
    relation = facts_relation_for(store, AS_OF, ["age_years"], layer=STORE_LAYER)
    # Born 1 Jul 1960 (the records say 1 Jan 1970): on 15 Jun 2024 the 64th birthday has not come, so 63.
    assert store.execute(f"SELECT age_years FROM ({relation})").fetchone() == (63,)
