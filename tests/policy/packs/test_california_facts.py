"""The California facts on a small hand-built store, each value worked out by hand from the rule cited beside it.

The offence tables here are a handful of codes of this test's own, loaded as the CDCR adapter loads the real
ones (source `cdcr`; the real tables come from the data set, never from the repository). Source `ca` declares
itself complete for every kind of record; source `other` declares nothing, so its silences are unknown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest

from secondchance.policy.facts import facts_query
from secondchance.records.completeness import RECORD_KINDS, complete, write_declarations
from secondchance.records.store import ensure_schema
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

AS_OF = date(2024, 11, 8)
# (table letter, code): § 459 in A; § 211 in B and F; § 666 in F; § 187 in C and E; § 288(b)(1) in D.
TABLES = [("A", "459"), ("B", "211"), ("F", "211"), ("F", "666"), ("C", "187"), ("E", "187"), ("D", "288(b)(1)")]


def _insert(connection: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def _sentence(connection: duckdb.DuckDBPyConnection, id: int, person: int, source: str, **values: Any) -> None:
    values.setdefault("status", "active")
    _insert(connection, "sentence", id=id, person_id=person, source=source, source_id=f"s{id}",
            person_source_id="x", system="us-ca", **values)  # fmt: skip


def _charge(connection: duckdb.DuckDBPyConnection, id: int, sentence: int, source: str, **values: Any) -> None:
    _insert(connection, "charge", id=id, sentence_id=sentence, source=source, source_id=f"c{id}",
            sentence_source_id="x", **values)  # fmt: skip


def _store(with_tables: bool = True) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    write_declarations(connection, ["ca"], {kind: complete("hand-built") for kind in RECORD_KINDS}, None)
    for number, (letter, code) in enumerate(TABLES if with_tables else [], start=1):
        _insert(connection, "offense_table_entry", id=number, source="cdcr", source_id=f"t{number}",
                table_name=f"Table {letter}", table_letter=letter, offense=code, offense_cleaned=code)  # fmt: skip
    for person, source in ((1, "ca"), (2, "ca"), (3, "other")):
        _insert(connection, "person", id=person, source=source, source_id=f"P{person}", jurisdiction="us-ca")
    # P1: two current cases; the controlling one (petty theft with a prior) carries the EPRD and the screen's
    # figure; the other a second-degree burglary and a stayed § 667.5(b) enhancement. A prior § 220.
    _sentence(connection, 10, 1, "ca", controlling=True, controlling_offense="PC666", court="Fresno",
              case_number="case-1", source_release_date=date(2025, 3, 1), source_time_served_years=12.5,
              source_time_served_on=date(2024, 11, 8))  # fmt: skip
    _sentence(connection, 11, 1, "ca", controlling=False)
    _charge(connection, 100, 10, "ca", statute="PC666", offense_date=date(2011, 5, 2))
    _charge(connection, 101, 11, "ca", statute="PC459 2nd", offense_date=date(2003, 4, 9))
    _charge(connection, 102, 11, "ca", statute="PC667.5(b)", relationship_raw="Stayed")
    _sentence(connection, 12, 1, "ca", status="completed")
    _charge(connection, 103, 12, "ca", statute="PC220")
    # P2: a current robbery with a knife enhancement; a prior PC187(a) and a prior PC288(b).
    _sentence(connection, 20, 2, "ca", controlling=True, controlling_offense="PC211")
    _charge(connection, 200, 20, "ca", statute="PC211", enhancements="PC12022(b)(1)")
    _sentence(connection, 21, 2, "ca", status="completed")
    _charge(connection, 201, 21, "ca", statute="PC187(a)")
    _charge(connection, 202, 21, "ca", statute="PC288(b)")
    # P3, of a source that declares nothing: a current robbery, and a second case of a burglary.
    _sentence(connection, 30, 3, "other")
    _charge(connection, 300, 30, "other", statute="PC211")
    _sentence(connection, 31, 3, "other")
    _charge(connection, 301, 31, "other", statute="PC459 2nd")
    return connection


def _facts(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cursor = connection.execute(facts_query(AS_OF))
    names = [column[0] for column in cursor.description]
    return {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


@pytest.fixture(scope="module")
def facts() -> dict[str, dict[str, Any]]:
    return _facts(_store())


def test_current_offences_match_the_tables_exactly_with_their_implied_offences(facts: dict[str, Any]) -> None:
    # `PC459 2nd` cleans to `4592nd`: § 459's own suffixes are /att and (664) (r_4), so it is not listed;
    # `PC666` is in table F only; `PC211` is in B and F.
    assert facts["P1"]["ca_current_in_pir_abcd"] is False
    assert facts["P1"]["ca_current_in_pir_f"] is True
    assert facts["P2"]["ca_current_in_pir_abcd"] is True
    assert facts["P2"]["ca_current_in_pir_abcd_not_f"] is False  # § 211 is table F's, which r_12 leaves out
    # The source that declares nothing may have an unrecorded count: listed decides, not listed is unknown.
    assert facts["P3"]["ca_current_in_pir_abcd"] is True
    assert facts["P3"]["ca_current_in_pir_de"] is None


def test_prior_offences_match_exactly(facts: dict[str, Any]) -> None:
    # `187(a)` is not table C's `187`, and `288(b)` is not table D's `288(b)(1)`: exact match, as the screen.
    assert facts["P2"]["ca_prior_in_pir_cd"] is False
    assert facts["P2"]["ca_prior_in_pir_d"] is False
    assert facts["P1"]["ca_prior_in_pir_cd"] is False
    assert facts["P3"]["ca_prior_in_pir_cd"] is None  # no prior sentences declared complete


def test_the_controlling_offence_and_the_source_dates_are_the_controlling_commitment(facts: dict[str, Any]) -> None:
    p1 = facts["P1"]
    assert p1["ca_controlling_case"] == "Fresno, case-1"
    assert p1["ca_controlling_offense"] == "PC666"
    assert p1["ca_controlling_release_date"] == date(2025, 3, 1)  # the other current case carries none
    assert p1["ca_controlling_parole_eligibility_date"] is None
    assert (p1["ca_source_years_served"], p1["ca_source_years_served_on"]) == (12.5, date(2024, 11, 8))
    assert p1["ca_controlling_in_pir_f"] is True and facts["P2"]["ca_controlling_in_pir_f"] is True
    assert facts["P3"]["ca_controlling_in_pir_f"] is None  # no controlling offence named


def test_12022_is_a_substring_of_the_offence_or_its_enhancements(facts: dict[str, Any]) -> None:
    assert facts["P2"]["ca_current_mentions_12022"] is True  # PC12022(b)(1)
    assert facts["P1"]["ca_current_mentions_12022"] is False  # enhancements complete, none mentions it
    assert facts["P3"]["ca_current_mentions_12022"] is None  # enhancements may be unrecorded


def test_prison_priors_stayed_count_and_carry_the_case_offence_date(facts: dict[str, Any]) -> None:
    # People v. Rhodius resolved by the California Supreme Court (2025): imposed and stayed counts.
    p1 = facts["P1"]
    assert p1["ca_has_prison_prior_enhancement"] is True
    assert p1["ca_prison_prior_imposed_date"] is None  # no sentencing date recorded
    assert p1["ca_prison_prior_offense_date"] == date(2003, 4, 9)  # the burglary of the same case
    assert facts["P2"]["ca_has_prison_prior_enhancement"] is False
    assert facts["P3"]["ca_has_prison_prior_enhancement"] is None


def test_sexually_violent_priors_are_never_true_from_records(facts: dict[str, Any]) -> None:
    # W&I § 6600(b): § 220 and § 288 count only when committed with intent or by force, which records do not show.
    assert facts["P1"]["ca_sexually_violent_prior"] is None
    assert facts["P2"]["ca_sexually_violent_prior"] is None


def test_without_the_tables_every_table_fact_is_unknown_never_not_listed() -> None:
    facts = _facts(_store(with_tables=False))
    for person in ("P1", "P2"):
        for name in ("ca_current_in_pir_abcd", "ca_prior_in_pir_cd", "ca_current_in_pir_f", "ca_controlling_in_pir_f"):
            assert facts[person][name] is None, (person, name)
        assert facts[person]["ca_current_mentions_12022"] is not None  # r_11 reads no table
