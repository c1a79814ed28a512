"""Silence is unknown, never "no", for every fact of the catalogue (decision 8).

Table-driven from each fact's `absence` declaration: on a hand-built store where every fact is known,
each input a fact reads is blanked (rows deleted, or a column set to NULL), and the fact must become
NULL, unless its declared rule names the completeness that makes the absence mean none: then, with the
source declared complete, it must take the none value worked out by hand below, and without the
declaration NULL. A fact without a declaration, or that the store below leaves unknown, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest
from tests.policy.facts.test_query import charge, declare_complete, insert, person, row, sentence

from secondchance.policy.facts import FACTS, facts_query
from secondchance.policy.facts.absence import CALIFORNIA, INPUT_ROWS
from secondchance.records.completeness import RECORD_KINDS
from secondchance.records.schema import TABLE_NAMES, table
from secondchance.records.store import ensure_schema
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

AS_OF = date(2024, 6, 15)
# Served from 1 Apr 2009 to 15 Jun 2024, both days counted: 15 years (5,475 days and the leap days of 2012,
# 2016, 2020 and 2024) to 1 Apr 2024, then 75 days to 15 Jun, plus the first day: 5,555 days.
SERVED_WITHOUT_CREDIT = 5555
# 240 + 60 months from 1 Apr 2009 end on 31 Mar 2034: 25 × 365 days and 6 leap days (2012 to 2032).
TERM_DAYS = 9131
DATE_COLUMNS = (
    "full_term_date",
    "release_date",
    "projected_release_date",
    "parole_eligibility_date",
    "conditional_release_date",
    "supervised_release_date",
    "prerelease_custody_date",
    "prerelease_custody_date_if_approved",
)

# Whose fact is tested: F (federal) unless named here.
PERSON_OF = {
    "has_mo_no_parole_offense": "M",
    "has_mo_dangerous_felony": "M",
    "has_mo_drug_offense": "M",
    "has_ca_violent_felony": "C",
    "has_pc12022_enhancement": "C",
    "dates_review_reason": "R",
}
PERSON_OF |= dict.fromkeys(CALIFORNIA, "C")

# The value a fact takes when an input its completeness covers is blanked and the source is declared complete:
# the records then say "none". Worked by hand from the store below.
NONE_WHEN_COMPLETE: dict[tuple[str, str], Any] = {
    ("in_custody", "custody_period"): False,
    ("jail_credit_days", "sentence.jail_credit_days"): 0,
    ("served_from_date", "sentence.jail_credit_days"): date(2009, 4, 1),
    ("served_days", "sentence.jail_credit_days"): SERVED_WITHOUT_CREDIT,
    ("served_years", "sentence.jail_credit_days"): SERVED_WITHOUT_CREDIT / 365,
    ("fraction_served", "sentence.jail_credit_days"): SERVED_WITHOUT_CREDIT / TERM_DAYS,
    # An enhancement is recorded where the source is complete for them: § 851 and § 3559(c) are in none.
    ("has_851_enhancement", "charge.enhancements"): False,
    ("has_851_enhancement", "charge.statute"): False,
    ("has_3559c_sentence", "charge.enhancements"): False,
    ("has_3559c_sentence", "charge.statute"): False,
    ("has_ca_violent_felony", "charge.enhancements"): False,  # PC487(a) is not in § 667.5(c)
    ("has_pc12022_enhancement", "charge.enhancements"): False,
    ("prior_commitments", "prior_sentence"): 0,
    ("prior_violent_offenses", "prior_sentence"): 0,
    ("has_violent_prior_offense", "prior_sentence"): False,
    ("ca_prior_offense_in_tables_cd", "prior_sentence"): False,
    ("incidents_total", "incident"): 0,
    ("serious_incidents_last_10y", "incident"): 0,
    ("serious_incidents_this_term", "incident"): 0,
    ("serious_incidents_this_term", "sentence.jail_credit_days"): 0,
    ("violent_incidents_this_term", "incident"): 0,
    ("violent_incidents_this_term", "sentence.jail_credit_days"): 0,
    ("incidents_last_12m", "incident"): 0,
    ("gct_days_lost", "incident"): 0,
    ("gct_days_lost", "sentence.jail_credit_days"): 13,  # the 2015 incident is in the term either way
    ("programs_completed", "enrollment"): 0,
    ("evidence_based_programs_completed", "enrollment"): 0,
}

# California (C): a prior sentence known to be the only one, and a current count known to be the only one.
_CA_PRIOR_LISTS = ("ca_prior_in_pir_cd", "ca_prior_in_pir_d", "ca_prior_in_pir_cd_robbery")
NONE_WHEN_COMPLETE |= {(name, "prior_sentence"): False for name in (*_CA_PRIOR_LISTS, "ca_sexually_violent_prior")}
NONE_WHEN_COMPLETE[("ca_current_mentions_12022", "charge.enhancements")] = False

# The facts that need a completeness declaration, as the store below gives them when its source declares
# nothing: what a record shows stays (F's open custody period, a drug count, a § 924(c) count, a recorded
# credit), and every "none" becomes unknown.
UNDECLARED: dict[str, Any] = {
    "in_custody": True,
    "jail_credit_days": 100,
    "served_from_date": date(2008, 12, 22),
    "served_days": SERVED_WITHOUT_CREDIT + 100,
    "served_years": (SERVED_WITHOUT_CREDIT + 100) / 365,
    "fraction_served": (SERVED_WITHOUT_CREDIT + 100) / TERM_DAYS,
    "current_offense_categories": None,
    "has_violent_current_offense": None,
    "has_drug_current_offense": True,
    "has_sex_current_offense": None,
    "has_weapon_current_offense": True,
    "is_drug_only_offense": False,  # the § 924(c) count is not a drug count
    "has_federal_drug_trafficking_offense": True,
    "has_fsa_excluded_offense": True,  # § 3632(d)(4)(D)(xxii): § 924(c)
    "has_crack_cocaine_offense": None,
    "count_924c": None,
    "has_924c_stacking": None,
    "has_851_enhancement": None,
    "has_3559c_sentence": None,
    "has_mo_no_parole_offense": None,
    "has_mo_dangerous_felony": None,
    "has_mo_drug_offense": None,
    "has_ca_violent_felony": None,
    "has_pc12022_enhancement": None,
    "aggravating_role": None,
    "death_or_injury_resulted": None,
    "weapon_involved": True,
    "prior_commitments": None,
    "prior_violent_offenses": None,
    "has_violent_prior_offense": None,
    "ca_prior_offense_in_tables_cd": None,
    "incidents_total": None,
    "serious_incidents_last_10y": None,
    "serious_incidents_this_term": None,
    "violent_incidents_this_term": None,
    "incidents_last_12m": None,
    "gct_days_lost": None,
    "programs_completed": None,
    "evidence_based_programs_completed": None,
}
# C undeclared: its counts may be incomplete, so nothing is "not listed"; the recorded § 667.5(b) stays.
UNDECLARED |= {name: None for name, absence in CALIFORNIA.items() if absence.complete_for}
UNDECLARED["ca_has_prison_prior_enhancement"] = True


def _federal(c: duckdb.DuckDBPyConnection) -> None:
    """F: a 2009 federal drug sentence and a consecutive § 924(c) count, an earlier commitment, a full record."""
    person(c, 1, "F", jurisdiction="federal", birth_date=date(1970, 5, 1), sex="male", race="black")
    c.execute("UPDATE person SET education_level = 'ged', final_order_of_removal = false WHERE id = 1")
    dates = {"imposed_date": date(2009, 3, 2), "commencement_date": date(2009, 4, 1), "jail_credit_days": 100}
    sentence(
        c,
        10,
        1,
        sentence_type="determinate",
        term_months=240,
        **dates,
        source_release_date=date(2026, 1, 1),
        source_parole_eligibility_date=date(2020, 1, 1),
    )
    sentence(
        c,
        11,
        1,
        sentence_type="determinate",
        term_months=60,
        consecutive_to_id=10,
        **dates,
        source_release_date=date(2031, 1, 1),
        source_parole_eligibility_date=date(2025, 1, 1),
    )
    sentence(c, 12, 1, status="completed", sentence_type="determinate", imposed_date=date(1995, 1, 1),
             commencement_date=date(1995, 2, 1), term_months=36)  # fmt: skip
    flags = {"counts": 1, "role": "none", "death_or_injury_resulted": False, "offense_date": date(2008, 6, 1)}
    charge(
        c,
        100,
        10,
        statute="21 USC 841(a)(1)",
        description="Possession with intent to distribute cocaine hydrochloride",
        offense_category="drug",
        weapon_involved=False,
        enhancements="USSG 2D1.1(b)(1)",
        **flags,
    )
    charge(
        c,
        101,
        11,
        statute="18 USC 924(c)(1)(A)",
        description="Possession of a firearm in furtherance of a drug trafficking crime",
        offense_category="weapon",
        weapon_involved=True,
        **flags,
    )
    charge(
        c,
        102,
        12,
        statute="18 USC 924(c)(1)(A)",
        offense_category="weapon",
        counts=1,
        description="Use of a firearm during a drug trafficking crime",
    )
    charge(c, 103, 12, statute="18 USC 1343", offense_category="property", counts=1, description="Wire fraud")
    row(c, "custody_period", 1, 1, start_date=date(2009, 4, 1))
    row(c, "incident", 1, 1, incident_date=date(2015, 3, 1), severity="moderate", violent=False, gct_days_lost=13)
    row(c, "incident", 2, 1, incident_date=date(2024, 2, 1), severity="low", violent=False, gct_days_lost=0)
    row(c, "assessment", 1, 1, tool="pattern", assessed_on=date(2020, 1, 1), risk_level="high")
    needs = {f"need_{domain}": 2 for domain in ("mental_health", "trauma", "substance_use", "education")}
    needs |= {f"need_{domain}": 1 for domain in ("employment", "housing", "family", "cognitive_behavioral")}
    row(c, "assessment", 2, 1, tool="pattern", assessed_on=date(2023, 1, 1), risk_level="low", **needs)
    insert(c, "program", id=1, source="src-a", source_id="prog1", name="RDAP", evidence_based=True)
    row(c, "enrollment", 1, 1, program_id=1, program_source_id="prog1", status="completed", end_date=date(2019, 5, 1))
    for sentence_id, full_term in ((10, date(2027, 6, 1)), (11, date(2032, 6, 1))):
        values = dict.fromkeys(DATE_COLUMNS, full_term)
        insert(c, "computed_dates", sentence_id=sentence_id, person_id=1, ftc_days=365,
               computed_at="2024-01-01 00:00:00", **values)  # fmt: skip


def _states(c: duckdb.DuckDBPyConnection) -> None:
    """M (Missouri weapon count), C (California theft with a prison-prior enhancement), R (dates in review)."""
    person(c, 2, "M", jurisdiction="us-mo")
    sentence(c, 20, 2, system="us-mo", sentence_type="determinate", term_months=120, imposed_date=date(2015, 1, 1))
    charge(c, 200, 20, statute="RSMo 571.070", offense_category="weapon", dangerous_felony=False, counts=1)
    person(c, 3, "C", jurisdiction="us-ca")
    sentence(c, 30, 3, system="us-ca", sentence_type="determinate", term_months=96, imposed_date=date(2016, 1, 1))
    charge(c, 300, 30, statute="PC487(a)", offense_category="property", enhancements="PC667.5(b)", counts=1)
    _california(c)
    person(c, 4, "R", jurisdiction="federal")
    sentence(c, 40, 4, sentence_type="determinate", term_months=60, commencement_date=date(2020, 1, 1))
    insert(c, "computed_dates", sentence_id=40, person_id=4, review_reason="MISSING_TERM",
           computed_at="2024-01-01 00:00:00")  # fmt: skip


def _california(c: duckdb.DuckDBPyConnection) -> None:
    """C's California records: the controlling commitment, the screen's figure, a prior theft, the offence tables."""
    c.execute(
        "UPDATE sentence SET controlling = true, controlling_offense = 'PC487(a)', court = 'Fresno', "
        "case_number = 'case-3', source_release_date = DATE '2027-01-01', source_parole_eligibility_date = "
        "DATE '2026-01-01', source_time_served_years = 10.5, source_time_served_on = DATE '2024-11-08' WHERE id = 30"
    )
    c.execute("UPDATE charge SET offense_date = DATE '2015-06-01' WHERE id = 300")
    sentence(c, 31, 3, status="completed", system="us-ca", sentence_type="determinate", term_months=24)
    charge(c, 301, 31, statute="PC10851(a)", offense_category="property", counts=1)
    # A code in each table the lists read (loaded as the CDCR adapter loads them); none is C's.
    for number, (letter, code) in enumerate((("A", "459"), ("B", "211"), ("C", "187"), ("D", "288(b)(1)"),
                                             ("E", "187"), ("F", "211")), start=1):  # fmt: skip
        insert(c, "offense_table_entry", id=number, source="cdcr", source_id=f"t{number}",
               table_name=f"Table {letter}", table_letter=letter, offense=code, offense_cleaned=code)  # fmt: skip


def build_scenario(*, declared: bool = True) -> duckdb.DuckDBPyConnection:
    """The store of the four people above, its source declared complete for every kind (or for none)."""
    connection = duckdb.connect()
    ensure_schema(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    if declared:
        declare_complete(connection)
    _federal(connection)
    _states(connection)
    return connection


def blank(connection: duckdb.DuckDBPyConnection, item: str) -> None:
    """Make the records silent about one input: delete its rows, or set its columns (each alternative) to NULL."""
    if item in INPUT_ROWS:
        name, condition = INPUT_ROWS[item]
        connection.execute(f"DELETE FROM {name} WHERE {condition}")
    elif "." not in item:
        connection.execute(f"DELETE FROM {item}")
    for alternative in (part.strip() for part in item.split("|") if "." in part):
        name, column = alternative.split(".")
        connection.execute(f"UPDATE {name} SET {column} = NULL")


def facts_by_person(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    cursor = connection.execute(facts_query(AS_OF))
    names = [d[0] for d in cursor.description]
    return {values[1]: dict(zip(names, values, strict=True)) for values in cursor.fetchall()}


def inputs_of(name: str) -> tuple[str, ...]:
    absence = next(item.absence for item in FACTS if item.name == name)
    return absence.inputs if absence is not None else ()


ALL_INPUTS = sorted({item for fact in FACTS if fact.absence is not None for item in fact.absence.inputs})


@pytest.fixture(scope="module")
def known() -> Iterator[dict[str, dict[str, Any]]]:
    connection = build_scenario()
    yield facts_by_person(connection)
    connection.close()


def test_every_fact_declares_what_silence_means() -> None:
    undeclared = [item.name for item in FACTS if item.absence is None]
    assert undeclared == [], "declare each fact's Absence in policy/facts/absence.py"
    for item in FACTS:
        assert item.absence is not None
        for kind in item.absence.complete_for:
            assert kind in RECORD_KINDS, (item.name, kind)
            assert f"`{kind}`" in item.absence.rule, f"{item.name}: the rule must name the completeness it relies on"
        if item.reads not in ("(the as-of date)", "(not in the records model)"):
            assert item.absence.inputs, f"{item.name}: name the inputs whose absence the fact reads"


@pytest.mark.parametrize("item", ALL_INPUTS)
def test_inputs_name_records(item: str) -> None:
    for part in (piece.strip() for piece in item.split("|")):
        name, _, column = part.partition(".")
        if part in INPUT_ROWS or name == "computed_dates":
            continue
        assert name in TABLE_NAMES, part
        if column:
            assert column in table(name).column_names, part


def test_every_fact_is_known_in_the_store(known: dict[str, dict[str, Any]]) -> None:
    always_null = [item.name for item in FACTS if item.reads == "(not in the records model)"]
    for item in FACTS:
        if item.name not in always_null:
            value = known[PERSON_OF.get(item.name, "F")][item.name]
            assert value is not None, f"{item.name} is unknown for {PERSON_OF.get(item.name, 'F')}: record its inputs"


@pytest.mark.parametrize("item", ALL_INPUTS)
def test_blanking_an_input_leaves_its_facts_unknown_or_none(item: str) -> None:
    readers = [fact.name for fact in FACTS if item in inputs_of(fact.name)]
    for declared in (True, False):
        connection = build_scenario(declared=declared)
        blank(connection, item)
        facts = facts_by_person(connection)
        connection.close()
        for name in readers:
            got = facts[PERSON_OF.get(name, "F")][name]
            expected = NONE_WHEN_COMPLETE.get((name, item)) if declared else None
            if isinstance(expected, float):
                assert got == pytest.approx(expected), (name, item, declared)
            else:
                assert got == expected, f"{name} with {item} blanked ({'complete' if declared else 'undeclared'})"


def test_none_values_follow_the_declared_rules() -> None:
    for name, item in NONE_WHEN_COMPLETE:
        absence = next(fact.absence for fact in FACTS if fact.name == name)
        assert absence is not None and absence.complete_for, name
        assert item in absence.inputs, (name, item)


def test_without_declarations_only_what_is_recorded_stays(known: dict[str, dict[str, Any]]) -> None:
    connection = build_scenario(declared=False)
    undeclared = facts_by_person(connection)
    connection.close()
    for item in FACTS:
        who = PERSON_OF.get(item.name, "F")
        got = undeclared[who][item.name]
        if item.absence is not None and item.absence.complete_for:
            assert item.name in UNDECLARED, f"{item.name}: work out its value without declarations"
            expected = UNDECLARED[item.name]
            assert got == (pytest.approx(expected) if isinstance(expected, float) else expected), item.name
        else:
            assert got == known[who][item.name], f"{item.name} reads a completeness its rule does not name"
