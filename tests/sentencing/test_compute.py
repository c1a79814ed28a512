"""`secondchance dates compute`: inputs from the store, consecutive aggregation, review routing, bulk = scalar."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sentencing.conftest import AS_OF, Store
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.records.synthetic import generate_population
from secondchance.sentencing.compute import (
    compute_dates,
    scalar_mismatches,
)
from secondchance.sentencing.federal import SentenceTerm, aggregate_terms, compute_federal
from secondchance.sentencing.terms import Term, parse_term

FIXTURES = Path(__file__).parent / "fixtures"


def _term_columns(text: str) -> dict[str, int]:
    term = parse_term(text)
    return {"term_months": term.months, "term_days": term.days}


def _aggregate_cases() -> list[dict[str, Any]]:
    return list(yaml.safe_load((FIXTURES / "federal_aggregate.yaml").read_text(encoding="utf-8"))["cases"])


@pytest.mark.parametrize("case", _aggregate_cases(), ids=lambda case: str(case["id"]))
def test_aggregate_fixtures_through_the_bulk_path(store: Store, case: dict[str, Any]) -> None:
    """The federal aggregate fixtures (18 U.S.C. § 3584(c), Table A values) through the store and the SQL walk."""
    person = store.person()
    ids: dict[str, int] = {}
    terms = case["input"]["terms"]
    for number, term in enumerate(terms, start=1):
        ids[term["id"]] = number
    for term in terms:
        target = term.get("consecutive_to")
        store.sentence(
            person,
            id=ids[term["id"]],
            source_id=f"sentence-{term['id']}",
            commencement_date=term.get("start"),
            jail_credit_days=term.get("jail_credit_days"),
            consecutive_to_id=ids.get(target) if target else None,
            consecutive_to_source_id=f"sentence-{target}" if target else None,
            **_term_columns(term["term"]),
        )
    rows = store.compute()
    assert set(rows) == set(ids.values())  # nothing dropped
    expect = case["expect"]
    if "review_reason" in expect:
        flagged = {row["review_reason"] for row in rows.values()}
        assert expect["review_reason"] in flagged
        return
    consecutive = all(term.get("start") is None for term in terms[1:])
    if not consecutive:
        # Concurrent terms keep their own dates; the person's date is the latest of them.
        latest = max(row["release_date"] for row in rows.values())
        own = [compute_federal(date.fromisoformat(str(t["start"])), parse_term(t["term"])).release_date for t in terms]
        assert latest == max(own)
        return
    for row in rows.values():  # every member of a chain carries the aggregate's dates
        assert row["review_reason"] is None
        assert row["gct_days"] == expect["gct_days"]
        assert row["release_date"] == date.fromisoformat(str(expect["release_date"]))
        if "full_term_date" in expect:
            assert row["full_term_date"] == date.fromisoformat(str(expect["full_term_date"]))
        if "jail_credit_days" in expect:
            assert row["jail_credit_days"] == expect["jail_credit_days"]


def test_concurrent_terms_keep_their_own_dates(store: Store) -> None:
    """24 and 36 months from 2020-01-01: releases 2021-09-14 and 2022-07-22 (87 FR 7938 Table 1, Table A)."""
    person = store.person()
    short = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=24, term_days=0)
    long = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=36, term_days=0)
    rows = store.compute()
    assert (rows[short]["gct_days"], rows[short]["release_date"]) == (108, date(2021, 9, 14))
    assert (rows[long]["gct_days"], rows[long]["release_date"]) == (162, date(2022, 7, 22))


def test_three_term_chain_and_a_branch(store: Store) -> None:
    """12m, then 12m consecutive, then 1m consecutive (25 months: GCT 112, 2021-10-11); a branch ends earlier."""
    person = store.person()
    first = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=12, term_days=0)
    second = store.sentence(person, term_months=12, term_days=0, consecutive_to_id=first)
    third = store.sentence(person, term_months=1, term_days=0, consecutive_to_id=second)
    branch = store.sentence(person, term_months=6, term_days=0, consecutive_to_id=first)
    rows = store.compute()
    for sentence in (first, second, third, branch):
        assert rows[sentence]["gct_days"] == 112
        assert rows[sentence]["release_date"] == date(2021, 10, 11)
        assert rows[sentence]["commencement_date"] == date(2020, 1, 1)


def test_cycles_missing_targets_and_unsupported_systems_are_reviewed_not_dropped(store: Store) -> None:
    person = store.person()
    a = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=12, term_days=0)
    b = store.sentence(person, term_months=12, term_days=0, consecutive_to_id=a)
    # a cycle c → d → c, and e consecutive to the cycle
    c = store.sentence(person, term_months=12, term_days=0, consecutive_to_id=4)
    d = store.sentence(person, term_months=12, term_days=0, consecutive_to_id=c)
    e = store.sentence(person, term_months=12, term_days=0, consecutive_to_id=d)
    dangling = store.sentence(person, term_months=12, term_days=0, consecutive_to_source_id="elsewhere-9")
    after_dangling = store.sentence(person, term_months=3, term_days=0, consecutive_to_id=dangling)
    texan = store.person(jurisdiction="us-tx")
    texas = store.sentence(texan, system="us-tx", commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    rows = store.compute()
    total = store.connection.execute("SELECT count(*) FROM sentence").fetchone()
    assert total is not None and len(rows) == total[0]
    assert rows[a]["review_reason"] is None and rows[b]["review_reason"] is None
    assert {rows[s]["review_reason"] for s in (c, d, e)} == {"CONSECUTIVE_CYCLE"}
    assert rows[dangling]["review_reason"] == "CONSECUTIVE_TARGET_MISSING"
    assert "elsewhere-9" in rows[dangling]["review_detail"]
    assert rows[after_dangling]["review_reason"] == "CONSECUTIVE_TARGET_MISSING"
    assert rows[texas]["review_reason"] == "UNSUPPORTED_SYSTEM"
    assert rows[texas]["system"] == "us-tx"


def test_run_replaces_the_previous_rows_and_records_version_and_profile(store: Store) -> None:
    person = store.person()
    sentence = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=24, term_days=0)
    store.compute()
    rows = store.compute()
    count = store.connection.execute("SELECT count(*) FROM computed_dates").fetchone()
    assert count is not None and count[0] == 1
    assert rows[sentence]["rule_profile"] == "federal-fsa@2022-03-14"
    assert rows[sentence]["engine_version"]


@pytest.mark.parametrize(
    ("statute", "facts", "expected"),
    [
        ("18 U.S.C. § 924(c)(1)(A)", {}, True),  # § 3632(d)(4)(D)(xxii)
        ("18 USC 2113(e)", {}, True),  # (xxxiii)
        ("18 USC 2113(d)", {}, False),  # armed bank robbery without death: not listed
        ("18 USC 113(a)(1)", {}, True),  # (vi)
        ("18 USC 113(a)", {}, None),  # (vi) names (a)(1), (7), (8): which paragraph is unknown
        ("18 USC 1201(a)", {}, True),  # (xxvi) chapter 55
        ("18 USC 1112", {}, False),  # (xxv) excepts manslaughter
        ("18 USC 836", {}, False),  # (xvii) excepts § 836
        ("18 USC 2252A", {}, True),  # (xlii)
        ("21 USC 841(a)(1)", {"death_or_injury_resulted": True}, True),  # (lviii)
        ("21 USC 841(a)(1)", {"death_or_injury_resulted": False}, False),
        ("21 USC 841(a)(1)", {}, None),  # whether death resulted is not recorded
        ("21 USC 841(b)(1)(A)(viii)", {"role": "leader_organizer", "death_or_injury_resulted": False}, True),
        ("21 USC 841(b)(1)(A)(viii)", {"role": "none", "death_or_injury_resulted": False}, False),  # (lxvii)
        ("21 USC 841(b)(1)(B)(vi)", {"role": "none", "death_or_injury_resulted": False}, True),  # (lxvi)
        ("8 USC 1326(b)(2)", {}, True),  # (lix)
        ("8 USC 1326", {}, None),  # (lix) only (b)(1) or (2): not shown
        ("18 USC 1343", {}, False),
    ],
)
def test_excluded_offense_from_charges(
    store: Store, statute: str, facts: dict[str, Any], expected: bool | None
) -> None:
    """Statutes matched in SQL against the § 3632(d)(4)(D) clauses the federal package keeps as data."""
    person = store.person()
    sentence = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    store.charge(sentence, person, statute, **facts)
    assert store.member(sentence)["excluded_offense"] is expected


def test_one_listed_count_excludes_the_sentence_and_unknown_leaves_credits_unprojected(store: Store) -> None:
    person = store.person()
    listed = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    store.charge(listed, person, "18 USC 1343")
    store.charge(listed, person, "18 USC 924(c)")
    other = store.person()
    unknown = store.sentence(other, commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    store.charge(unknown, other, "8 USC 1326")
    for who in (person, other):
        store.insert(
            "assessment",
            person_id=who,
            person_source_id=f"person-{who}",
            tool="pattern",
            assessed_on=date(2021, 1, 1),
            risk_level="low",
        )
    rows = store.compute()
    assert rows[listed]["ftc_days"] == 0
    assert rows[unknown]["ftc_days"] is None  # never a guess: credits need the exclusion settled


def test_risk_level_reads_the_two_latest_pattern_assessments(store: Store) -> None:
    """The 15-day rate needs minimum or low risk over two consecutive assessments (§ 3632(d)(4)(A)(ii))."""
    person = store.person()
    sentence = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    for day, level in ((date(2020, 6, 1), "high"), (date(2021, 6, 1), "low")):
        store.insert(
            "assessment",
            person_id=person,
            person_source_id=f"person-{person}",
            tool="pattern",
            assessed_on=day,
            risk_level=level,
        )
    store.insert(
        "assessment",
        person_id=person,
        person_source_id=f"person-{person}",
        tool="pattern",
        assessed_on=date(2027, 1, 1),
        risk_level="minimum",
    )  # after the as-of date: not read
    assert store.member(sentence)["risk_level"] == "medium"
    store.insert(
        "assessment",
        person_id=person,
        person_source_id=f"person-{person}",
        tool="pattern",
        assessed_on=date(2022, 6, 1),
        risk_level="minimum",
    )
    assert store.member(sentence)["risk_level"] == "minimum"


def test_rdap_needs_the_residential_programme(store: Store) -> None:
    person = store.person()
    sentence = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    drug_class = store.insert("program", name="Drug education", program_type="substance_use_treatment")
    store.insert(
        "enrollment",
        person_id=person,
        person_source_id=f"person-{person}",
        program_id=drug_class,
        program_source_id=f"program-{drug_class}",
        status="completed",
        start_date=date(2020, 3, 1),
        end_date=date(2020, 6, 1),
    )
    assert store.member(sentence)["rdap"] is False
    rdap = store.insert("program", name="Residential Drug Abuse Program (RDAP)", program_type="substance_use_treatment")
    store.insert(
        "enrollment",
        person_id=person,
        person_source_id=f"person-{person}",
        program_id=rdap,
        program_source_id=f"program-{rdap}",
        status="enrolled",
        start_date=date(2021, 3, 1),
    )
    assert store.member(sentence)["rdap"] is True


def test_gct_days_lost_are_the_incidents_during_the_term(store: Store) -> None:
    """24 months from 2020-01-01 earns 108 days (Table A); 20 days lost in the term, none before it."""
    person = store.person()
    sentence = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=24, term_days=0)
    for day, lost in ((date(2019, 12, 1), 40), (date(2020, 5, 1), 13), (date(2021, 2, 1), 7), (date(2021, 3, 1), None)):
        store.insert(
            "incident", person_id=person, person_source_id=f"person-{person}", incident_date=day, gct_days_lost=lost
        )
    row = store.compute()[sentence]
    assert row["gct_days_lost"] == 20
    assert row["gct_days"] == 108 - 20
    assert row["release_date"] == date(2021, 9, 14) + timedelta(days=20)


def test_missouri_prior_commitments_and_flags_from_the_store(store: Store) -> None:
    """Two completed earlier Missouri sentences: 50% before parole (RSMo 558.019.2(2)); 565.020 has no parole."""
    person = store.person(jurisdiction="us-mo", birth_date=date(1980, 1, 1))
    for year in (2005, 2010):
        store.sentence(
            person, system="us-mo", status="completed", commencement_date=date(year, 1, 1), term_months=24, term_days=0
        )
    current = store.sentence(person, system="us-mo", commencement_date=date(2020, 1, 1), term_months=120, term_days=0)
    # stealing is on RSMo 558.019.2's list when punished as a class A, B or C felony (2019 HB 192)
    store.charge(current, person, "RSMo 570.030", dangerous_felony=False, offense_class="C felony")
    murder = store.sentence(
        person, system="us-mo", sentence_type="life_without_parole", commencement_date=date(2020, 1, 1)
    )
    store.charge(murder, person, "565.020", dangerous_felony=True)
    assert store.member(current)["prior_commitments"] == 2
    assert store.member(murder)["no_parole_offense"] is True
    rows = store.compute()
    full_term_days = (date(2030, 1, 1) - date(2020, 1, 1)).days
    assert rows[current]["parole_eligibility_date"] == date(2020, 1, 1) + timedelta(days=full_term_days // 2 - 1)
    assert rows[murder]["parole_eligibility_date"] is None
    assert rows[murder]["review_reason"] is None


def _chains() -> st.SearchStrategy[list[tuple[int, int, int, int | None]]]:
    """(months, days, jail credit, index of the earlier term it follows) for a tree of consecutive terms."""
    term = st.tuples(st.integers(1, 150), st.integers(0, 40), st.integers(0, 20))  # credit < any term
    return st.lists(term, min_size=1, max_size=5).flatmap(
        lambda terms: st.tuples(*(st.integers(0, max(i - 1, 0)) for i in range(len(terms)))).map(
            lambda parents: [(*terms[i], None if i == 0 else parents[i]) for i in range(len(terms))]
        )
    )


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(
    start=st.dates(min_value=date(1995, 1, 1), max_value=date(2030, 12, 31)),
    chains=st.lists(_chains(), min_size=1, max_size=6),
)
def test_sql_aggregation_equals_aggregate_terms(
    start: date, chains: list[list[tuple[int, int, int, int | None]]]
) -> None:
    """The recursive-CTE aggregate of consecutive trees equals `aggregate_terms` (§ 3584(c)), month ends included."""
    built = Store()
    try:
        people = []
        for offset, chain in enumerate(chains):
            person = built.person()
            first = start + timedelta(days=29 * offset)  # month ends, leap days and ordinary days
            ids: list[int] = []
            for months, days, credit, parent in chain:
                ids.append(
                    built.sentence(
                        person,
                        commencement_date=first if parent is None else None,
                        term_months=months,
                        term_days=days,
                        jail_credit_days=credit,
                        consecutive_to_id=None if parent is None else ids[parent],
                    )
                )
            people.append((first, chain, ids))
        rows = built.compute()
        for first, chain, ids in people:
            aggregate = aggregate_terms(
                [
                    SentenceTerm(
                        str(ids[i]), Term(m, d), first if p is None else None, c, None if p is None else str(ids[p])
                    )
                    for i, (m, d, c, p) in enumerate(chain)
                ]
            )
            expected = compute_federal(
                aggregate.commencement_date, aggregate.term, jail_credit_days=aggregate.jail_credit_days
            )
            for sentence in ids:
                row = rows[sentence]
                assert row["commencement_date"] == first
                assert row["full_term_date"] == expected.full_term_date
                assert row["jail_credit_days"] == aggregate.jail_credit_days
                assert row["gct_days"] == expected.gct_days
                assert row["release_date"] == expected.release_date
    finally:
        built.connection.close()


@pytest.mark.slow
def test_bulk_equals_scalar_on_the_whole_synthetic_population(tmp_path: Path) -> None:
    """20,000 people (seed 1): every computed_dates column of every sentence equals the scalar reference."""
    path = tmp_path / "population.duckdb"
    generate_population(path, 20_000, seed=1, jurisdiction="mixed")
    connection = duckdb.connect(str(path))
    try:
        summary = compute_dates(connection, AS_OF)
        assert summary.sentences == connection.execute("SELECT count(*) FROM sentence").fetchone()[0]  # type: ignore[index]
        # Missouri sends about a tenth to review: DWI counts whose dangerous-felony status the record cannot show,
        # drug offences before 2017 and the board's unread class A-B row (docs/sentencing-states.md)
        assert summary.computed > 0.85 * summary.sentences
        compared, found = scalar_mismatches(connection, AS_OF)
        assert compared == summary.sentences
        assert found == []
    finally:
        connection.close()


@pytest.mark.slow
def test_cli_compute_review_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    generate_population(path, 300, seed=3, jurisdiction="mixed")
    runner = CliRunner()
    result = runner.invoke(app, ["dates", "compute", "--store", str(path), "--as-of", "2026-11-25", "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    assert counts["sentences"] == counts["computed"] + counts["manual_review"]
    review = runner.invoke(app, ["dates", "review", "--store", str(path), "--format", "json"])
    assert review.exit_code == 0, review.output
    listed = json.loads(review.output)
    assert len(listed) == counts["manual_review"]
    assert all(row["reason"] and row["sentence_source_id"] and row["detail"] for row in listed)
    for args in (
        ["compute", "--store", str(path), "--as-of", "2026-13-01"],
        ["review", "--store", str(tmp_path / "absent.duckdb")],
        ["review", "--store", str(path), "--reason", "NOT_A_CODE"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "secondchance", "dates", *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 1, args
        assert "error:" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["compute", "review", "reconcile"])
def test_bulk_commands_and_their_options_are_in_the_docs(name: str) -> None:
    import typing

    from secondchance.cli import _dates_bulk

    text = (Path(__file__).resolve().parents[2] / "docs" / "sentencing-bulk.md").read_text(encoding="utf-8")
    assert f"secondchance dates {name}" in text
    callback = {"compute": _dates_bulk.compute, "review": _dates_bulk.review}.get(name, _dates_bulk.reconcile_command)
    for hint in typing.get_type_hints(callback, include_extras=True).values():
        for meta in getattr(hint, "__metadata__", ()):
            option = getattr(meta, "default", None)
            if isinstance(option, str) and option.startswith("--"):
                assert option in text, f"dates {name} {option} is not in docs/sentencing-bulk.md"


@pytest.mark.parametrize(
    ("facts", "term", "sentence_type", "min_term_months", "release", "parole"),
    [
        # PC 2933(b), half time: 10 years from 2000-01-01 = 3,653 days; 1,826 served → last day 2004-12-30
        ({"violent": False, "habitual_offender": False}, Term(120), "determinate", None, date(2004, 12, 30), None),
        # PC 2933.1(a), 15% credit: 3,653 × 20/23 = 3,176 days served → 2008-09-10
        ({"violent": True, "habitual_offender": False}, Term(120), "determinate", None, date(2008, 9, 10), None),
        # PC 667(c)(5), second striker: four-fifths, 2,922 days → 2007-12-31
        ({"violent": False, "habitual_offender": True}, Term(120), "determinate", None, date(2007, 12, 31), None),
        # PC 3046(a): 25-to-life, the greater of 7 years and 25 years → eligible after 2024-12-31
        ({"violent": True, "habitual_offender": True}, None, "life", 300, None, date(2024, 12, 31)),
        # PC 3046(a)(1): 5-to-life is raised to 7 calendar years → 2006-12-31
        ({"violent": True, "habitual_offender": False}, None, "life", 60, None, date(2006, 12, 31)),
    ],
)
def test_california_profile_statutory_rates(
    facts: dict[str, Any],
    term: Term | None,
    sentence_type: str,
    min_term_months: int | None,
    release: date | None,
    parole: date | None,
) -> None:
    from secondchance.sentencing.profiles import builtin_profile, compute_profile

    dates = compute_profile(
        builtin_profile("us-ca"),
        date(2000, 1, 1),
        term,
        start=date(2000, 1, 1),
        sentence_type=sentence_type,
        facts=facts,
        min_term_months=min_term_months,
    )
    assert (dates.release_date, dates.parole_eligibility_date, dates.review_reason) == (release, parole, None)


def test_california_sentences_use_the_profile_and_unknown_facts_go_to_review(store: Store) -> None:
    person = store.person(jurisdiction="us-ca")
    sentence = store.sentence(person, system="us-ca", commencement_date=date(2000, 1, 1), term_months=120, term_days=0)
    store.charge(sentence, person, "PC459", offense_date=date(1999, 6, 1))
    no_start = store.sentence(person, system="us-ca", term_months=120, term_days=0)
    store.charge(no_start, person, "PC459", offense_date=date(1999, 6, 1))
    rows = store.compute()
    assert rows[sentence]["review_reason"] == "MISSING_FACT"  # no sentence type names the strike status
    assert rows[sentence]["full_term_date"] == date(2009, 12, 31)
    assert rows[sentence]["rule_profile"] == "us-ca@1994-09"
    assert rows[no_start]["review_reason"] == "MISSING_COMMENCEMENT_DATE"


def test_sentences_outside_the_supported_dates_go_to_review_in_bulk_and_scalar(store: Store) -> None:
    """A 10,000-year term, a start in 9990 and a chain running past 2199 are reviewed, never overflowed."""
    person = store.person()
    endless = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=120_000, term_days=0)
    far = store.sentence(person, commencement_date=date(9990, 1, 1), term_months=12, term_days=0)
    first = store.sentence(person, commencement_date=date(2000, 1, 1), term_months=12 * 150, term_days=0)
    second = store.sentence(person, term_months=12 * 100, term_days=0, consecutive_to_id=first)
    mo_person = store.person(jurisdiction="us-mo")
    missouri = store.sentence(
        mo_person, system="us-mo", commencement_date=date(1850, 1, 1), term_months=12, term_days=0
    )
    ordinary = store.sentence(person, commencement_date=date(2020, 1, 1), term_months=24, term_days=0)
    rows = store.compute()
    for sentence in (endless, far, first, second, missouri):
        assert rows[sentence]["review_reason"] == "DATE_OUT_OF_RANGE"
        assert rows[sentence]["release_date"] is None
    assert "ends outside 1900-01-01 to 2199-12-31" in rows[endless]["review_detail"]
    assert "commences outside" in rows[far]["review_detail"]
    assert rows[ordinary]["release_date"] == date(2021, 9, 14)
    compared, found = scalar_mismatches(store.connection, AS_OF)
    assert (compared, found) == (6, [])
