"""Explanations of one person's result for one pack: from a stored run, or screened on the fly.

The store is built by hand. Expected statuses and dates are worked from the pack criteria and their
sources: DOJ's 2014 criterion 3 is ten years served, so a term served from 10 Jan 2017 reaches it on
10 Jan 2027; 18 U.S.C. § 3582(c)(1)(A) allows a motion 30 days after the warden receives the request.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from secondchance.errors import UserError
from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.policy.explain import explain, explain_person, find_person
from secondchance.policy.facts import FACTS
from secondchance.policy.pack import find_pack
from secondchance.records.schema import DUCKDB_TYPES
from secondchance.records.store import open_store

AS_OF = date(2026, 11, 25)
CLEMENCY = "us-federal/clemency-2014"
PACKS = (
    CLEMENCY,
    "us-federal/compassionate-release",
    "us-federal/fsa-time-credits",
    "us-mo/parole-eligibility",
    "us-ca/pir-resentencing",
    "us-ca/pir-cohort",
    "us-ca/pir-la-juvenile",
    "us-ca/pir-la-robbery",
    "us-ca/prison-prior-resentencing",
)

# A federal prisoner: sentenced in 2009 for a crack offence (before the Fair Sentencing Act of 2010), serving
# since 10 Jan 2017, no disciplinary record supplied (incidents unknown), 66 years old, asked the warden
# on 1 Nov 2026.
FEDERAL: dict[str, Any] = {
    "system": "federal",
    "jurisdiction": "federal",
    "in_custody": True,
    "has_crack_cocaine_offense": True,
    "sentence_imposed_date": date(2009, 5, 1),
    "has_851_enhancement": False,
    "has_924c_stacking": False,
    "has_violent_current_offense": False,
    "aggravating_role": False,
    "served_from_date": date(2017, 1, 10),
    "commencement_date": date(2017, 1, 10),
    "prior_commitments": 0,
    "serious_incidents_this_term": None,
    "has_violent_prior_offense": False,
    "violent_incidents_this_term": None,
    "birth_date": date(1960, 3, 15),
    "age_years": 66,
    "warden_request_date": date(2026, 11, 1),
    "sentence_type": "determinate",
    "sentence_term_days": 7300,
    "has_3559c_sentence": False,
    "has_fsa_excluded_offense": False,
    "latest_risk_level": "low",
    "risk_level_previous": "medium",
    "prerelease_custody_date": date(2027, 6, 1),
    "supervised_release_date": date(2027, 9, 1),
}
MISSOURI: dict[str, Any] = {
    "system": "us-mo",
    "jurisdiction": "us-mo",
    "in_custody": True,
    "has_mo_no_parole_offense": False,
    "parole_eligibility_date": date(2026, 3, 1),
}
CALIFORNIA: dict[str, Any] = {
    "system": "us-ca",
    "jurisdiction": "us-ca",
    "in_custody": True,
    "is_life_sentence": False,
    "term_months": 300,
    "served_from_date": date(2010, 5, 1),
}
PEOPLE = {"F-1": FEDERAL, "M-1": MISSOURI, "C-1": CALIFORNIA}
PERSON_FOR_PACK = dict.fromkeys(PACKS[:3], "F-1") | {PACKS[3]: "M-1"} | dict.fromkeys(PACKS[4:], "C-1")


def write_facts(connection: duckdb.DuckDBPyConnection, people: dict[str, dict[str, Any]]) -> str:
    """A facts table with every catalogue fact (NULL unless given), one row per person, person ids from 1."""
    columns = ", ".join(f"{fact.name} {DUCKDB_TYPES[fact.type]}" for fact in FACTS)
    connection.execute(f"CREATE OR REPLACE TABLE hand_facts (person_id BIGINT, source_id VARCHAR, {columns})")
    for number, (source_id, facts) in enumerate(people.items(), start=1):
        names = ["person_id", "source_id", *facts]
        marks = ", ".join("?" for _ in names)
        connection.execute(
            f"INSERT INTO hand_facts ({', '.join(names)}) VALUES ({marks})", [number, source_id, *facts.values()]
        )
    return "hand_facts"


def add_person(connection: duckdb.DuckDBPyConnection, person_id: int, source_id: str, **values: Any) -> None:
    """One row of `person`."""
    row = {"id": person_id, "source": "hand", "source_id": source_id, **values}
    marks = ", ".join("?" for _ in row)
    connection.execute(f"INSERT INTO person ({', '.join(row)}) VALUES ({marks})", list(row.values()))


def build_screened_store(path: Path, people: dict[str, dict[str, Any]] | None = None) -> Path:
    """A records store with the hand-made people, screened against every shipped pack from a facts table."""
    people = people or PEOPLE
    with open_store(path) as connection:
        for number, (source_id, facts) in enumerate(people.items(), start=1):
            add_person(connection, number, source_id, jurisdiction=facts["jurisdiction"])
        facts_table = write_facts(connection, people)
        compiled = [load_pack(find_pack(pack)) for pack in PACKS]
        screen(connection, compiled, as_of=AS_OF, facts=facts_table, facts_label="hand-made facts")
    return path


@pytest.fixture(scope="module")
def screened_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_screened_store(tmp_path_factory.mktemp("explain") / "records.duckdb")


def test_explanation_lists_every_criterion_with_status_evidence_and_date(screened_store: Path) -> None:
    explanation = explain_person(screened_store, "F-1", CLEMENCY, AS_OF)
    assert explanation.run_id == 1
    assert [item.id for item in explanation.criteria] == [
        "lower-sentence-today",
        "nonviolent-low-level",
        "served-10-years",
        "no-significant-criminal-history",
        "good-conduct",
        "no-violence-history",
    ]
    statuses = {item.id: item.status for item in explanation.criteria}
    assert statuses == {
        "lower-sentence-today": "met",  # crack offence sentenced before 3 Aug 2010
        "nonviolent-low-level": "met",
        "served-10-years": "unmet",  # 10 years from 10 Jan 2017 is 10 Jan 2027
        "no-significant-criminal-history": "met",
        "good-conduct": "unknown",  # no disciplinary record: unknown, not unmet
        "no-violence-history": "unknown",
    }
    served = explanation.criterion("served-10-years")
    assert served.eligible_on == date(2027, 1, 10)
    assert dict(served.evidence) == {"served_from_date": date(2017, 1, 10)}
    assert served.kind == "rule" and not served.needs_review and served.time_based
    lower = explanation.criterion("lower-sentence-today")
    assert dict(lower.evidence) == {
        "has_crack_cocaine_offense": True,
        "sentence_imposed_date": date(2009, 5, 1),
        "has_851_enhancement": False,
        "has_924c_stacking": False,
    }
    assert lower.kind == "proxy" and lower.needs_review
    assert dict(explanation.criterion("good-conduct").evidence) == {"serious_incidents_this_term": None}
    # One unmet criterion, time-based and within the 180-day window: almost eligible on its date.
    assert (explanation.status, explanation.eligible_on) == ("almost-eligible", date(2027, 1, 10))
    assert (explanation.unmet_count, explanation.unknown_count) == (1, 2)


def test_texts_have_parameters_filled_and_unknown_reasons(screened_store: Path) -> None:
    explanation = explain_person(screened_store, "F-1", CLEMENCY, AS_OF)
    served = explanation.criterion("served-10-years")
    words = {"min_years_served": "10"}
    assert served.text(explanation.pack, words) == "You have served at least 10 years of your prison sentence."
    assert served.text(explanation.pack, words, "es") == "Ha cumplido al menos 10 años de su condena de prisión."
    reason = explanation.criterion("good-conduct").unknown_reason(explanation.pack, {})
    assert reason is not None and "discipline history" in reason


def test_groups_keep_their_children_and_depth(screened_store: Path) -> None:
    explanation = explain_person(screened_store, "F-1", "us-federal/compassionate-release", AS_OF)
    grounds = explanation.criterion("grounds")
    assert grounds.kind == "group" and grounds.combination == "any_of"
    assert grounds.children == ("extraordinary-and-compelling", "age-70-and-30-years")
    assert explanation.criterion("age-65").depth == 3
    # 30 days after the warden received the request on 1 Nov 2026: 1 Dec 2026 (18 U.S.C. § 3582(c)(1)(A)).
    request = explanation.criterion("request-30-days")
    assert (request.status, request.eligible_on) == ("unmet", date(2026, 12, 1))
    # 65th birthday of someone born 15 Mar 1960 (USSG § 1B1.13(b)(2)(A)).
    assert (explanation.criterion("age-65").status, explanation.criterion("age-65").eligible_on) == (
        "met",
        date(2025, 3, 15),
    )
    assert explanation.criterion("not-a-danger").status == "unknown"
    assert explanation.criterion("not-a-danger").kind == "judgement"


def test_without_a_stored_run_the_person_is_screened_through_the_engine(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        add_person(connection, 1, "F-7", jurisdiction="federal", birth_date=date(1970, 1, 1))
        connection.execute(
            "INSERT INTO sentence (id, person_id, source, source_id, person_source_id, system, status, sentence_type, "
            "term_months, jail_credit_days, imposed_date, commencement_date) "
            "VALUES (1, 1, 'hand', 'S1', 'F-7', 'federal', 'active', 'determinate', 240, 30, "
            "DATE '2016-11-01', DATE '2017-02-09')"
        )
        connection.execute(
            "INSERT INTO custody_period (id, person_id, source, source_id, person_source_id, custody_type, start_date) "
            "VALUES (1, 1, 'hand', 'K1', 'F-7', 'prison', DATE '2016-11-01')"
        )
    explanation = explain_person(store, "F-7", CLEMENCY, AS_OF)
    assert explanation.run_id is None and explanation.as_of == AS_OF
    served = explanation.criterion("served-10-years")
    # Commenced 9 Feb 2017 with 30 days of jail credit: served from 10 Jan 2017, ten years on 10 Jan 2027.
    assert dict(served.evidence) == {"served_from_date": date(2017, 1, 10)}
    assert (served.status, served.eligible_on) == ("unmet", date(2027, 1, 10))
    assert len(explanation.criteria) == 6


def test_a_run_without_evidence_or_of_another_date_is_not_used(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        add_person(connection, 1, "F-1", jurisdiction="federal")
        facts = write_facts(connection, {"F-1": FEDERAL})
        compiled = load_pack(find_pack(CLEMENCY))
        screen(connection, [compiled], as_of=AS_OF, facts=facts, evidence=False)
        # No records beyond the person: screened now, the facts the records store gives are unknown.
        explanation = explain(connection, compiled, find_person(connection, "F-1"), AS_OF)
        assert explanation.run_id is None
        assert explanation.criterion("served-10-years").status == "unknown"
        screen(connection, [compiled], as_of=AS_OF, facts=facts)
        assert explain(connection, compiled, find_person(connection, "F-1"), AS_OF).run_id == 2
        assert explain(connection, compiled, find_person(connection, "F-1")).run_id == 2
        assert explain(connection, compiled, find_person(connection, "F-1"), date(2026, 1, 1)).run_id is None


@pytest.mark.parametrize("packs", ["[1]", "{}", '"text"', '[{"id": 1}]'])
def test_a_run_record_that_is_not_what_we_wrote_is_passed_over(tmp_path: Path, packs: str) -> None:
    # An imported store may hold anything in screening_run.packs; the person is then screened afresh.
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        add_person(connection, 1, "F-1", jurisdiction="federal")
        facts = write_facts(connection, {"F-1": FEDERAL})
        compiled = load_pack(find_pack(CLEMENCY))
        screen(connection, [compiled], as_of=AS_OF, facts=facts)
        connection.execute("UPDATE screening_run SET packs = ?", [packs])
        assert explain(connection, compiled, find_person(connection, "F-1"), AS_OF).run_id is None


def test_people_are_found_by_source_id_or_source_and_source_id(tmp_path: Path) -> None:
    with open_store(tmp_path / "records.duckdb") as connection:
        add_person(connection, 1, "A-1", jurisdiction="federal")
        connection.execute(
            "INSERT INTO person (id, source, source_id, jurisdiction) VALUES (2, 'bop', 'X-9', 'federal')"
        )
        connection.execute(
            "INSERT INTO person (id, source, source_id, jurisdiction) VALUES (3, 'cdcr', 'X-9', 'us-ca')"
        )
        assert find_person(connection, "A-1").person_id == 1
        assert find_person(connection, "cdcr:X-9").person_id == 3
        with pytest.raises(
            UserError, match=r"source id 'X-9' is ambiguous: 2 people have it; say which: bop:X-9, cdcr:X-9"
        ):
            find_person(connection, "X-9")
        with pytest.raises(UserError, match="no person with source id 'nobody'"):
            find_person(connection, "nobody")
