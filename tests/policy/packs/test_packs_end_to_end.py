"""Records to results: a hand-built store, the real sentencing engine, the facts query and the pack engine.

Pack test cases feed facts in directly; these tests check that the facts the packs read are computed
from records the way the packs expect. Every expected value is worked by hand from the statute.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest

from secondchance.policy.checks import load_pack
from secondchance.policy.engine import evaluate
from secondchance.policy.facts import materialize_facts
from secondchance.policy.pack import find_pack
from secondchance.records.completeness import RecordKind, complete, write_declarations
from secondchance.records.store import ensure_schema
from secondchance.sentencing.compute import compute_dates
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

AS_OF = date(2025, 6, 1)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def _person(
    connection: duckdb.DuckDBPyConnection,
    person_id: int,
    jurisdiction: str,
    birth_date: date,
    sentence: dict[str, Any],
    charge: dict[str, Any],
    custody_from: date,
    prefix: str = "P",
) -> None:
    """One person in custody with one active sentence of one charge."""
    source_id = f"{prefix}{person_id}"
    _insert(
        connection,
        "person",
        id=person_id,
        source="hand",
        source_id=source_id,
        jurisdiction=jurisdiction,
        birth_date=birth_date,
    )
    sentence_id = person_id * 10
    _insert(
        connection,
        "sentence",
        id=sentence_id,
        person_id=person_id,
        source="hand",
        source_id=f"S{sentence_id}",
        person_source_id=source_id,
        system=jurisdiction,
        status="active",
        **sentence,
    )
    _insert(
        connection,
        "charge",
        id=sentence_id,
        sentence_id=sentence_id,
        person_id=person_id,
        source="hand",
        source_id=f"C{sentence_id}",
        sentence_source_id=f"S{sentence_id}",
        **charge,
    )
    _insert(
        connection,
        "custody_period",
        id=person_id,
        person_id=person_id,
        source="hand",
        source_id=f"K{person_id}",
        person_source_id=source_id,
        custody_type="prison",
        start_date=custody_from,
    )


def _declare_counts_and_custody_complete(connection: duckdb.DuckDBPyConnection) -> None:
    """The hand-built source records every count and custody period, and says nothing of other kinds."""
    kinds: tuple[RecordKind, ...] = ("charge", "custody_period")
    write_declarations(connection, ["hand"], {kind: complete("written here") for kind in kinds}, None)


@pytest.fixture(scope="module")  # read-only in the tests: built once
def missouri_store() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    _declare_counts_and_custody_complete(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    determinate = {"sentence_type": "determinate", "term_months": 120, "jail_credit_days": 0}
    # 1: second-degree murder, a dangerous felony (RSMo 556.061), 10 years from 2015-01-01.
    _person(
        connection,
        1,
        "us-mo",
        date(1970, 1, 1),
        {**determinate, "imposed_date": date(2014, 12, 1), "commencement_date": date(2015, 1, 1)},
        {"statute": "565.021", "offense_category": "violent", "dangerous_felony": True},
        date(2015, 1, 1),
    )
    # 2: first-degree murder, life without parole (RSMo 565.020.2).
    _person(
        connection,
        2,
        "us-mo",
        date(1980, 5, 5),
        {
            "sentence_type": "life_without_parole",
            "imposed_date": date(2009, 3, 1),
            "commencement_date": date(2009, 3, 1),
        },
        {"statute": "565.020", "offense_category": "violent", "dangerous_felony": True},
        date(2009, 3, 1),
    )
    # 3: a dangerous felony, 10 years from 2016-10-01: 85% is still ahead on the as-of date.
    _person(
        connection,
        3,
        "us-mo",
        date(1985, 2, 2),
        {**determinate, "imposed_date": date(2016, 9, 1), "commencement_date": date(2016, 10, 1)},
        {"statute": "569.020", "offense_category": "violent", "dangerous_felony": True},
        date(2016, 10, 1),
    )
    # The sentencing engine's own pass over the store (secondchance dates compute).
    compute_dates(connection, AS_OF)
    materialize_facts(connection, AS_OF)
    return connection


def _results(connection: duckdb.DuckDBPyConnection, pack_id: str, as_of: date) -> dict[str, dict[str, Any]]:
    compiled = load_pack(find_pack(pack_id))
    rows = evaluate(connection, compiled, "facts", as_of).to_pylist()
    aliases = {node.alias: node.id for node in compiled.all_criteria()}
    results = {}
    for row in rows:
        criteria = {
            aliases[key.removesuffix("_status")]: value for key, value in row.items() if key.endswith("_status")
        }
        results[row["source_id"]] = {"status": row["status"], "eligible_on": row["eligible_on"], **criteria}
    return results


def test_missouri_dangerous_felony_from_records_to_status(missouri_store: duckdb.DuckDBPyConnection) -> None:
    # RSMo 558.019.3: 85% of 3,653 days (2015-01-01 to 2025-01-01) = 3,105 days, the last of which is
    # 2015-01-01 + 3,104 days = 2023-07-02; the 70th birthday (2040) comes later.
    facts = missouri_store.execute(
        "SELECT parole_eligibility_date, has_mo_no_parole_offense FROM facts WHERE source_id = 'P1'"
    ).fetchall()
    assert facts == [(date(2023, 7, 2), False)]
    results = _results(missouri_store, "us-mo/parole-eligibility", AS_OF)
    assert results["P1"]["status"] == "eligible"


def test_missouri_life_without_parole_is_ineligible(missouri_store: duckdb.DuckDBPyConnection) -> None:
    result = _results(missouri_store, "us-mo/parole-eligibility", AS_OF)["P2"]
    assert (result["status"], result["parole-possible"]) == ("ineligible", "unmet")


def test_missouri_minimum_term_ahead_gives_its_date(missouri_store: duckdb.DuckDBPyConnection) -> None:
    # 10 years from 2016-10-01 = 3,652 days (leap days 2020 and 2024); 85% = 3,104.2 -> 3,104 days;
    # day 3,104 = 2016-10-01 + 3,103 days: 8 years (2,922 days, two leap days) reach 2024-10-01, and 181
    # more days (31 + 30 + 31 + 31 + 28 + 30) reach 2025-03-31.
    # On 2025-01-01 that is 89 days ahead: almost-eligible within 180 days.
    result = _results(missouri_store, "us-mo/parole-eligibility", date(2025, 1, 1))["P3"]
    assert (result["status"], result["eligible_on"]) == ("almost-eligible", date(2025, 3, 31))
    assert result["minimum-term-served"] == "unmet"


@pytest.fixture(scope="module")
def federal_store() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    _declare_counts_and_custody_complete(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    crack = {
        "statute": "21 USC 841(a)(1)",
        "description": "Possession with intent to distribute cocaine base",
        "offense_category": "drug",
        "role": "none",
    }
    # F1: crack sentence imposed 2005-02-15, commenced 2005-03-01 with 14 days of jail credit.
    crack_sentence = {
        "sentence_type": "determinate",
        "term_months": 360,
        "imposed_date": date(2005, 2, 15),
        "commencement_date": date(2005, 3, 1),
        "jail_credit_days": 14,
    }
    _person(
        connection,
        1,
        "federal",
        date(1968, 4, 4),
        crack_sentence,
        crack,
        date(2005, 2, 15),
        prefix="F",
    )
    # F2: the same, but a leader or organiser (USSG § 3B1.1(a)).
    _person(
        connection,
        2,
        "federal",
        date(1968, 4, 4),
        crack_sentence,
        {**crack, "role": "leader_organizer"},
        date(2005, 2, 15),
        prefix="F",
    )
    materialize_facts(connection, date(2024, 7, 1))
    return connection


def test_clemency_crack_sentence_from_records(federal_store: duckdb.DuckDBPyConnection) -> None:
    # served_from_date = 2005-03-01 - 14 days = 2005-02-15; ten years on 2015-02-15 <= 2024-07-01.
    # The source declares its counts and custody complete but nothing of incidents or earlier sentences, so
    # conduct and history facts are unknown, and the status is needs-information, not ineligible.
    served_from = federal_store.execute("SELECT served_from_date FROM facts WHERE source_id = 'F1'").fetchall()
    assert served_from == [(date(2005, 2, 15),)]
    results = _results(federal_store, "us-federal/clemency-2014", date(2024, 7, 1))
    assert results["F1"]["lower-sentence-today"] == "met"
    assert results["F1"]["served-10-years"] == "met"
    assert results["F1"]["nonviolent-low-level"] == "met"
    # Not declared complete for incidents or earlier sentences: those facts are NULL (decision 8).
    assert results["F1"]["good-conduct"] == "unknown"
    assert results["F1"]["no-significant-criminal-history"] == "unknown"
    assert results["F1"]["status"] == "needs-information"
    assert results["F2"]["nonviolent-low-level"] == "unmet"
    assert results["F2"]["status"] == "ineligible"
