"""Facts on a small hand-built store: each value worked out by hand from the rules cited beside it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest

from secondchance.policy.facts import FACTS, facts_query, materialize_facts
from secondchance.records.completeness import RECORD_KINDS, RecordKind, complete, write_declarations
from secondchance.records.store import ensure_schema
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

AS_OF = date(2024, 6, 15)


def insert(connection: duckdb.DuckDBPyConnection, table: str, **values: Any) -> None:
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))


def person(
    connection: duckdb.DuckDBPyConnection, id: int, source_id: str, source: str = "src-a", **values: Any
) -> None:
    insert(connection, "person", id=id, source=source, source_id=source_id, **values)


def sentence(connection: duckdb.DuckDBPyConnection, id: int, person_id: int, **values: Any) -> None:
    values.setdefault("status", "active")
    values.setdefault("system", "federal")
    values.setdefault("source", "src-a")
    insert(connection, "sentence", id=id, person_id=person_id, source_id=f"s{id}", person_source_id="x", **values)


def charge(connection: duckdb.DuckDBPyConnection, id: int, sentence_id: int, **values: Any) -> None:
    values.setdefault("source", "src-a")
    insert(connection, "charge", id=id, sentence_id=sentence_id, source_id=f"c{id}", sentence_source_id="x", **values)


def row(connection: duckdb.DuckDBPyConnection, table: str, id: int, person_id: int, **values: Any) -> None:
    values.setdefault("source", "src-a")
    insert(connection, table, id=id, person_id=person_id, source_id=f"{table}{id}", person_source_id="x", **values)


def declare_complete(connection: duckdb.DuckDBPyConnection, source: str = "src-a") -> None:
    """Declare `source` complete for every kind of record, so that its silences mean none."""
    write_declarations(connection, [source], {kind: complete("hand-built") for kind in RECORD_KINDS}, None)


def build_store() -> duckdb.DuckDBPyConnection:
    """A store of five people whose facts are worked out by hand in the tests below.

    Source src-a declares itself complete for every kind of record; src-b declares nothing.
    """
    connection = duckdb.connect()
    ensure_schema(connection)
    c = connection
    declare_complete(c)
    # P1: federal, two consecutive terms and a shorter concurrent one; a completed earlier sentence.
    person(c, 1, "P1", jurisdiction="federal", birth_date=date(1960, 6, 15), sex="female", education_level="ged")
    sentence(
        c,
        10,
        1,
        sentence_type="determinate",
        imposed_date=date(2013, 12, 1),
        commencement_date=date(2014, 1, 1),
        term_months=120,
        jail_credit_days=30,
    )
    sentence(
        c,
        11,
        1,
        sentence_type="determinate",
        imposed_date=date(2013, 12, 1),
        commencement_date=date(2014, 1, 1),
        term_months=60,
        consecutive_to_id=10,
    )
    sentence(
        c,
        12,
        1,
        sentence_type="determinate",
        imposed_date=date(2014, 12, 1),
        commencement_date=date(2015, 1, 1),
        term_months=24,
        jail_credit_days=10,
    )
    sentence(
        c, 13, 1, status="completed", sentence_type="determinate", commencement_date=date(2000, 1, 1), term_months=36
    )
    charge(
        c,
        100,
        10,
        statute="21 U.S.C. § 841(b)(1)(A)(iii)",
        offense_category="drug",
        description="Possession with intent to distribute cocaine base",
        role="manager_supervisor",
        offense_date=date(2012, 3, 4),
    )
    charge(
        c,
        101,
        11,
        statute="18 USC 924(c)(1)(A)",
        offense_category="weapon",
        counts=2,
        offense_date=date(2012, 3, 4),
        role="none",
    )
    charge(
        c,
        102,
        12,
        statute="21 USC 846",
        offense_category="drug",
        enhancements="21 USC 851",
        description="Conspiracy",
        role="none",
        offense_date=date(2013, 5, 6),
    )
    charge(c, 103, 13, statute="18 USC 2113(a)", offense_category="violent")
    row(c, "custody_period", 1, 1, start_date=date(2014, 1, 1))
    row(c, "incident", 1, 1, incident_date=date(2015, 3, 1), severity="greatest", violent=True, gct_days_lost=27)
    row(c, "incident", 2, 1, incident_date=date(2023, 12, 1), severity="low", violent=False)
    row(c, "incident", 3, 1, incident_date=date(2010, 1, 1), severity="high", violent=True, gct_days_lost=5)
    row(c, "assessment", 1, 1, tool="pattern", assessed_on=date(2020, 1, 1), risk_level="high", need_trauma=1)
    row(c, "assessment", 2, 1, tool="pattern", assessed_on=date(2022, 1, 1), risk_level="low", need_mental_health=3)
    row(c, "assessment", 3, 1, tool="pattern", assessed_on=date(2023, 1, 1), need_trauma=2)
    row(c, "assessment", 4, 1, tool="pattern", assessed_on=date(2025, 1, 1), risk_level="medium")
    insert(c, "program", id=1, source="src-a", source_id="prog1", name="RDAP", evidence_based=True)
    insert(c, "program", id=2, source="src-a", source_id="prog2", name="Hobby", evidence_based=False)
    row(c, "enrollment", 1, 1, program_id=1, program_source_id="prog1", status="completed", end_date=date(2020, 5, 1))
    row(c, "enrollment", 2, 1, program_id=2, program_source_id="prog2", status="completed", end_date=date(2021, 5, 1))
    row(c, "enrollment", 3, 1, program_id=1, program_source_id="prog1", status="enrolled")
    # P2: same source, Missouri life without parole, nothing else recorded; only a birth year.
    person(c, 2, "P2", jurisdiction="us-mo", birth_year=1970)
    sentence(c, 20, 2, system="us-mo", sentence_type="life_without_parole", commencement_date=date(2001, 2, 3))
    charge(c, 200, 20, statute="RSMo 565.020", offense_category="violent")
    # P3: the same source, a 12-month term that began on 1 Jan 2020, custody ended 15 Jun 2020.
    person(c, 3, "P3", birth_date=date(1990, 1, 1))
    sentence(c, 30, 3, sentence_type="determinate", commencement_date=date(2020, 1, 1), term_months=12)
    charge(c, 300, 30, statute=None, offense_category="property")
    row(c, "custody_period", 2, 3, start_date=date(2020, 1, 1), end_date=date(2020, 6, 15))
    row(c, "incident", 4, 3, incident_date=date(2020, 2, 1), violent=False)
    # Q1 and Q2: a source with no incidents, custody, enrolments or completed sentences at all.
    person(c, 4, "Q1", source="src-b", jurisdiction="us-ca")
    sentence(c, 40, 4, source="src-b", system="us-ca", sentence_type="determinate", term_months=300)
    charge(c, 400, 40, source="src-b", statute="PC211", enhancements="PC12022.5(a);PC186.22(b)(1)")
    person(c, 5, "Q2", source="src-b")
    sentence(c, 50, 5, source="src-b", system="us-ca", sentence_type="determinate", term_months=60)
    charge(c, 500, 50, source="src-b", statute=None, offense_category="drug")
    return connection


@pytest.fixture
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = build_store()
    yield connection
    connection.close()


_SHARED: dict[str, Any] = {}


@pytest.fixture(scope="module")
def with_dates() -> Iterator[duckdb.DuckDBPyConnection]:
    """The hand-built store with an empty computed_dates table, shared by the read-only tests."""
    connection = build_store()
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    _SHARED.clear()
    yield connection
    connection.close()


def facts_of(connection: duckdb.DuckDBPyConnection, source_id: str, on: date = AS_OF) -> dict[str, Any]:
    """One person's facts; each as-of date is computed once per connection (the query plans slowly)."""
    key = f"{id(connection)}:{on}"
    if key not in _SHARED:
        cursor = connection.execute(facts_query(on))
        names = [d[0] for d in cursor.description]
        _SHARED[key] = {values[1]: dict(zip(names, values, strict=True)) for values in cursor.fetchall()}
    facts: dict[str, Any] = _SHARED[key][source_id]
    return facts


def test_columns_follow_the_catalogue(store: duckdb.DuckDBPyConnection) -> None:
    store.execute(CREATE_COMPUTED_DATES_SQL)
    cursor = store.execute(facts_query(AS_OF) + " LIMIT 0")
    assert [d[0] for d in cursor.description] == ["person_id", "source_id", "source", *(f.name for f in FACTS)]


def test_missing_computed_dates_table_is_created_empty(store: duckdb.DuckDBPyConnection) -> None:
    materialize_facts(store, AS_OF)
    count = store.execute("SELECT count(*), count(projected_release_date), count(ftc_days) FROM facts").fetchone()
    assert count == (5, 0, 0)


def test_one_row_per_person(store: duckdb.DuckDBPyConnection) -> None:
    store.execute(CREATE_COMPUTED_DATES_SQL)
    rows = store.execute(f"SELECT person_id FROM ({facts_query(AS_OF)}) ORDER BY person_id").fetchall()
    assert rows == [(1,), (2,), (3,), (4,), (5,)]


def test_age_changes_on_the_birthday(with_dates: duckdb.DuckDBPyConnection) -> None:
    assert facts_of(with_dates, "P1", date(2024, 6, 14))["age_years"] == 63
    assert facts_of(with_dates, "P1", date(2024, 6, 15))["age_years"] == 64
    assert facts_of(with_dates, "P2")["age_years"] is None  # only a birth year
    assert facts_of(with_dates, "P1")["birth_date"] == date(1960, 6, 15)


def test_person_facts(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert p1["as_of_date"] == AS_OF
    assert p1["system"] == "federal"
    assert p1["jurisdiction"] == "federal"
    assert p1["sex"] == "female"
    assert p1["has_diploma"] is True  # a GED is an equivalent, 28 CFR 523.20(c)
    assert facts_of(with_dates, "P2")["has_diploma"] is None


def test_served_days_count_the_commencement_day(with_dates: duckdb.DuckDBPyConnection) -> None:
    # 18 U.S.C. § 3585(a): the commencement day is day 1.
    p3 = facts_of(with_dates, "P3", date(2020, 1, 1))
    assert p3["served_days"] == 1
    assert facts_of(with_dates, "P3", date(2020, 1, 31))["served_days"] == 31
    # 12 months from 1 Jan 2020 end on 31 Dec 2020: 366 days in a leap year.
    assert p3["sentence_term_days"] == 366
    assert p3["term_months"] == 12
    assert p3["fraction_served"] == pytest.approx(1 / 366)


def test_aggregate_term_and_jail_credit(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert p1["commencement_date"] == date(2014, 1, 1)
    assert p1["sentence_imposed_date"] == date(2013, 12, 1)
    assert p1["jail_credit_days"] == 30  # the largest credit, not the sum (§ 3585(b): no double credit)
    assert p1["served_from_date"] == date(2013, 12, 2)
    # 1 Jan 2014 to 15 Jun 2024, both counted, is 3819 days; plus 30 days of credit.
    assert p1["served_days"] == 3819 + 30
    # One length of a year (docs/sentencing-conventions.md), the one `years_to_days` uses: 3,849 / 365 = 10.545
    # years (the 365.25 once used here gave 10.538, so `served_years >= n` and `served_days >= years_to_days(n)`
    # could disagree).
    assert p1["served_years"] == pytest.approx(3849 / 365)
    # 120 + 60 months consecutive (the 24-month concurrent term ends earlier): 15 years from 1 Jan 2014,
    # i.e. 1 Jan 2014 to 31 Dec 2028: 15 × 365 + 4 leap days (2016, 2020, 2024, 2028).
    assert p1["term_months"] == 180
    assert p1["sentence_term_days"] == 5479
    assert p1["sentence_term_years"] == pytest.approx(15.0)
    assert p1["fraction_served"] == pytest.approx(3849 / 5479)
    assert p1["sentence_type"] == "determinate"
    assert p1["is_life_sentence"] is False


def test_life_without_parole(with_dates: duckdb.DuckDBPyConnection) -> None:
    p2 = facts_of(with_dates, "P2")
    assert p2["sentence_type"] == "life_without_parole"
    assert p2["is_life_sentence"] is True
    assert p2["is_life_without_parole"] is True
    assert p2["term_months"] is None
    assert p2["sentence_term_days"] is None
    assert p2["fraction_served"] is None
    assert p2["has_mo_no_parole_offense"] is True  # RSMo 565.020.2
    assert p2["system"] == "us-mo"


def test_term_without_commencement(with_dates: duckdb.DuckDBPyConnection) -> None:
    q1 = facts_of(with_dates, "Q1")
    assert q1["served_days"] is None
    assert q1["sentence_term_days"] is None
    assert q1["term_months"] == 300
    assert q1["sentence_term_years"] == pytest.approx(25.0)


def test_current_offences(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert p1["current_offense_categories"] == "drug;weapon"
    assert p1["has_drug_current_offense"] is True
    assert p1["has_weapon_current_offense"] is True
    # The completed sentence's robbery is a prior; the § 924(c) count names no predicate, which may be a crime of
    # violence (18 U.S.C. § 924(c)(1)(A)), so the offence is not known to be non-violent.
    assert p1["has_violent_current_offense"] is None
    assert p1["is_drug_only_offense"] is False
    assert p1["has_federal_drug_trafficking_offense"] is True
    assert p1["has_crack_cocaine_offense"] is True
    assert p1["count_924c"] == 2
    assert p1["has_924c_stacking"] is True
    assert p1["has_851_enhancement"] is True
    assert p1["has_fsa_excluded_offense"] is True  # § 3632(d)(4)(D)(xxii): § 924(c)
    assert p1["aggravating_role"] is True
    assert p1["earliest_offense_date"] == date(2012, 3, 4)
    assert p1["age_at_offense_years"] == 51


def test_unknown_offence_facts_are_null(with_dates: duckdb.DuckDBPyConnection) -> None:
    q1 = facts_of(with_dates, "Q1")  # statute PC211, no category
    assert q1["current_offense_categories"] is None
    assert q1["has_violent_current_offense"] is None
    assert q1["has_ca_violent_felony"] is True  # Cal. Penal Code § 667.5(c)(9): robbery
    assert q1["has_pc12022_enhancement"] is True
    assert q1["ca_current_offense_in_tables_abcd"] is True
    assert q1["has_fsa_excluded_offense"] is False  # a California charge
    q2 = facts_of(with_dates, "Q2")  # category drug, no statute; src-b may not record every count
    assert q2["has_drug_current_offense"] is True
    assert q2["is_drug_only_offense"] is None
    assert q2["has_ca_violent_felony"] is None
    assert q2["ca_current_offense_in_tables_abcd"] is None
    p3 = facts_of(with_dates, "P3")  # federal, category property, no statute
    assert p3["has_drug_current_offense"] is False
    assert p3["has_fsa_excluded_offense"] is None
    assert p3["has_924c_stacking"] is None
    assert p3["count_924c"] is None
    assert p3["aggravating_role"] is None


def test_prior_record(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert (p1["prior_commitments"], p1["prior_violent_offenses"], p1["has_violent_prior_offense"]) == (1, 1, True)
    p2 = facts_of(with_dates, "P2")  # its source records completed sentences, P2 has none
    assert (p2["prior_commitments"], p2["prior_violent_offenses"], p2["has_violent_prior_offense"]) == (0, 0, False)
    q1 = facts_of(with_dates, "Q1")  # its source records no completed sentences at all
    assert (q1["prior_commitments"], q1["prior_violent_offenses"], q1["has_violent_prior_offense"]) == (
        None,
        None,
        None,
    )


def test_incidents(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert p1["incidents_total"] == 3
    assert p1["serious_incidents_last_10y"] == 1  # 2010's is more than 10 years before the as-of date
    assert p1["serious_incidents_this_term"] == 1
    assert p1["violent_incidents_this_term"] == 1
    assert p1["incidents_last_12m"] == 1
    # The low-severity incident of December 2023 records no loss of good conduct time: the total is unknown.
    assert p1["gct_days_lost"] is None
    assert facts_of(with_dates, "P1", date(2020, 1, 1))["gct_days_lost"] == 27  # before it: only March 2015's
    assert facts_of(with_dates, "P1", date(2015, 2, 28))["violent_incidents_this_term"] == 0
    p2 = facts_of(with_dates, "P2")  # same source, no incidents: none
    assert (p2["incidents_total"], p2["violent_incidents_this_term"]) == (0, 0)
    q1 = facts_of(with_dates, "Q1")  # source without incident data: unknown
    assert q1["incidents_total"] is None
    assert q1["serious_incidents_last_10y"] is None
    p3 = facts_of(with_dates, "P3")  # one incident without a severity
    assert p3["incidents_total"] == 1
    assert p3["serious_incidents_last_10y"] is None
    assert p3["violent_incidents_this_term"] == 0


def test_custody_open_and_closed(with_dates: duckdb.DuckDBPyConnection) -> None:
    assert facts_of(with_dates, "P1")["in_custody"] is True
    assert facts_of(with_dates, "P3", date(2020, 6, 14))["in_custody"] is True
    assert facts_of(with_dates, "P3", date(2020, 6, 15))["in_custody"] is False  # end date is exclusive
    assert facts_of(with_dates, "P2")["in_custody"] is False
    assert facts_of(with_dates, "Q1")["in_custody"] is None


def test_risk_and_needs(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert p1["latest_risk_level"] == "low"  # the 2025 assessment is after the as-of date
    assert p1["latest_risk_assessed_on"] == date(2022, 1, 1)
    assert p1["latest_risk_tool"] == "pattern"
    assert p1["risk_level_previous"] == "high"
    assert p1["needs_mental_health"] == 3
    assert p1["needs_trauma"] == 2
    assert p1["needs_education"] is None
    assert facts_of(with_dates, "P1", date(2021, 1, 1))["risk_level_previous"] is None
    assert facts_of(with_dates, "P2")["latest_risk_level"] is None


def test_programmes(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    assert (p1["programs_completed"], p1["evidence_based_programs_completed"]) == (2, 1)
    assert facts_of(with_dates, "P1", date(2020, 12, 31))["programs_completed"] == 1
    assert facts_of(with_dates, "P2")["programs_completed"] == 0
    assert facts_of(with_dates, "Q1")["programs_completed"] is None


def test_not_recorded_facts_are_null(with_dates: duckdb.DuckDBPyConnection) -> None:
    p1 = facts_of(with_dates, "P1")
    for name in ("warden_request_date", "medical_circumstance", "family_circumstance", "abuse_in_custody_finding"):
        assert p1[name] is None


def test_computed_dates(store: duckdb.DuckDBPyConnection) -> None:
    c = store
    c.execute(CREATE_COMPUTED_DATES_SQL)
    assert facts_of(c, "P1")["projected_release_date"] is None
    _SHARED.clear()
    for sentence_id, projected, computed_at in (
        (10, date(2026, 1, 1), "2024-01-01 00:00:00"),
        (11, date(2027, 3, 1), "2024-01-01 00:00:00"),
        (11, date(2027, 9, 1), "2024-02-01 00:00:00"),  # the later run replaces the earlier one
        (12, date(2016, 1, 1), "2024-01-01 00:00:00"),
    ):
        insert(
            c,
            "computed_dates",
            sentence_id=sentence_id,
            person_id=1,
            projected_release_date=projected,
            full_term_date=projected,
            ftc_days=sentence_id,
            computed_at=computed_at,
        )
    insert(
        c,
        "computed_dates",
        sentence_id=30,
        person_id=3,
        review_reason="MISSING_TERM",
        computed_at="2024-01-01 00:00:00",
    )
    p1 = facts_of(c, "P1")
    assert p1["projected_release_date"] == date(2027, 9, 1)
    assert p1["days_to_release"] == (date(2027, 9, 1) - AS_OF).days
    assert p1["ftc_days"] == 11
    assert p1["parole_eligibility_date"] is None
    p3 = facts_of(c, "P3")
    assert p3["dates_review_reason"] == "MISSING_TERM"
    assert p3["projected_release_date"] is None


def test_person_filter_gives_the_same_facts(with_dates: duckdb.DuckDBPyConnection) -> None:
    # The source rules still read every row: P2's zero incidents and Q1's unknown ones survive the filter.
    for person_id, source_id in ((1, "P1"), (2, "P2"), (4, "Q1")):
        cursor = with_dates.execute(facts_query(AS_OF, person_ids=[person_id]))
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        assert len(rows) == 1
        assert dict(zip(names, rows[0], strict=True)) == facts_of(with_dates, source_id)
    assert with_dates.execute(facts_query(AS_OF, person_ids=[])).fetchall() == []


def test_conditional_list_entries() -> None:
    """18 U.S.C. § 3632(d)(4)(D) clauses that depend on the charge's flags, and entries that stay unknown."""
    cases = {
        # (lviii): § 841 with death or serious bodily injury resulting.
        "death": ("21 USC 841(b)(1)(C)", {"death_or_injury_resulted": True}, True),
        "no death": ("21 USC 841(b)(1)(C)", {"death_or_injury_resulted": False}, False),
        "death unknown": ("21 USC 841(b)(1)(C)", {}, None),
        # (lxvii): methamphetamine (A)(viii) quantity with an aggravating role.
        "meth leader": (
            "21 USC 841(b)(1)(A)(viii)",
            {"role": "leader_organizer", "death_or_injury_resulted": False},
            True,
        ),
        "meth minor role": ("21 USC 841(b)(1)(A)(viii)", {"role": "minor", "death_or_injury_resulted": False}, False),
        # (xviii): § 842(p) only if a weapon of mass destruction, which records do not show.
        "842(p)": ("18 USC 842(p)(2)", {}, None),
        "not listed": ("18 USC 922(g)(1)", {}, False),
    }
    connection = duckdb.connect()
    ensure_schema(connection)
    declare_complete(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    for number, (name, (statute, flags, _)) in enumerate(cases.items(), start=1):
        person(connection, number, name)
        sentence(connection, number, number, sentence_type="determinate", term_months=60)
        charge(connection, number, number, statute=statute, offense_category="drug", **flags)
    rows = connection.execute(f"SELECT source_id, has_fsa_excluded_offense FROM ({facts_query(AS_OF)})").fetchall()
    assert dict(rows) == {name: expected for name, (_, _, expected) in cases.items()}


def test_crack_needs_a_description_naming_the_drug() -> None:
    # Fair Sentencing Act of 2010, § 2: the thresholds changed for cocaine base only, so a § 841(a)(1) count is a
    # crack count, or not, only when its description names the substance.
    connection = duckdb.connect()
    ensure_schema(connection)
    declare_complete(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    descriptions = ("cocaine base", "powder cocaine", None, "Possession with intent to distribute a controlled drug")
    for number, description in enumerate(descriptions, start=1):
        person(connection, number, f"P{number}")
        sentence(connection, number, number, sentence_type="determinate", term_months=120)
        charge(connection, number, number, statute="21 USC 841(a)(1)", offense_category="drug", description=description)
    rows = connection.execute(f"SELECT source_id, has_crack_cocaine_offense FROM ({facts_query(AS_OF)})").fetchall()
    assert dict(rows) == {"P1": True, "P2": False, "P3": None, "P4": None}


def _one_charge_each(
    cases: dict[str, tuple[str, dict[str, Any] | None]], declared: dict[str, tuple[RecordKind, ...]]
) -> dict[str, Any]:
    """A person per case (source, charge columns or None for no charge), one current sentence each; the sources
    declare `declared`."""
    connection = duckdb.connect()
    ensure_schema(connection)
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    for source, kinds in declared.items():
        write_declarations(connection, [source], {kind: complete("hand-built") for kind in kinds}, None)
    for number, (name, (source, columns)) in enumerate(cases.items(), start=1):
        system = columns.pop("system", "federal") if columns is not None else "federal"
        person(connection, number, name, source=source)
        sentence(connection, number, number, source=source, system=system, sentence_type="determinate", term_months=60)
        if columns is not None:
            charge(connection, number, number, source=source, **columns)
    cursor = connection.execute(facts_query(AS_OF))
    names = [d[0] for d in cursor.description]
    return {values[1]: dict(zip(names, values, strict=True)) for values in cursor.fetchall()}


def test_851_enhancement_needs_a_source_complete_for_enhancements() -> None:
    # 21 U.S.C. § 851(a)(1): the enhancement applies only if the prosecutor files an information; a record whose
    # enhancements field may omit it says nothing about the filing.
    drug = {"statute": "21 USC 841(a)(1)", "offense_category": "drug"}
    cases = {
        "complete, none recorded": ("full", dict(drug)),
        "not complete, none recorded": ("counts-only", dict(drug)),
        "not complete, 851 recorded": ("counts-only", {**drug, "enhancements": "21 USC 851"}),
        "not complete, another recorded": ("counts-only", {**drug, "enhancements": "USSG 2D1.1(b)(1)"}),
    }
    facts = _one_charge_each(cases, {"full": ("charge", "enhancement"), "counts-only": ("charge",)})
    assert {name: facts[name]["has_851_enhancement"] for name in cases} == {
        "complete, none recorded": False,
        "not complete, none recorded": None,
        "not complete, 851 recorded": True,
        "not complete, another recorded": None,
    }


def test_924c_count_is_violent_by_its_predicate() -> None:
    # 18 U.S.C. § 924(c)(1)(A): the predicate is a crime of violence (§ 924(c)(3)) or a drug trafficking crime
    # (§ 924(c)(2)); a count that does not name it may be either.
    gun = {"statute": "18 USC 924(c)(1)(A)", "offense_category": "weapon"}
    cases = {
        "drug trafficking crime": ("full", {**gun, "description": "Possession of a firearm in furtherance of a "
                                                                  "drug trafficking crime"}),
        "crime of violence": ("full", {**gun, "description": "Brandishing a firearm during a crime of violence"}),
        "no predicate": ("full", {**gun, "description": "Possession of a firearm"}),
        "no description": ("full", dict(gun)),
        "federal weapon count, no statute": ("full", {"offense_category": "weapon"}),
        "Missouri weapon count, no statute": ("full", {"offense_category": "weapon", "system": "us-mo"}),
        "felon in possession": ("full", {"statute": "18 USC 922(g)(1)", "offense_category": "weapon"}),
    }  # fmt: skip
    facts = _one_charge_each(cases, {"full": ("charge",)})
    assert {name: facts[name]["has_violent_current_offense"] for name in cases} == {
        "drug trafficking crime": False,
        "crime of violence": True,
        "no predicate": None,
        "no description": None,
        "federal weapon count, no statute": None,  # it may be a § 924(c) count
        "Missouri weapon count, no statute": False,  # a state count is never one
        "felon in possession": False,
    }


def test_counts_a_source_may_not_record_are_unknown() -> None:
    # A source not complete for charges may hold more counts than it records: "no violent count" is then unknown,
    # while what a recorded count shows stays. A sentence without any charge is unknown even in a complete source.
    drug = {"statute": "21 USC 841(a)(1)", "offense_category": "drug", "description": "50 grams of heroin"}
    cases = {"complete": ("full", dict(drug)), "not complete": ("other", dict(drug)), "no charge": ("full", None)}
    facts = _one_charge_each(cases, {"full": ("charge",)})
    names = (
        "has_violent_current_offense",
        "is_drug_only_offense",
        "has_drug_current_offense",
        "has_crack_cocaine_offense",
    )
    assert {case: tuple(facts[case][name] for name in names) for case in cases} == {
        "complete": (False, True, True, False),  # heroin, every count recorded
        "not complete": (None, None, True, None),  # heroin named, but another count may be missing
        "no charge": (None, None, None, None),
    }
