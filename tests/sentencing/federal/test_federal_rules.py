"""Unit checks of the federal rule modules beside the golden fixtures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondchance.law.fsa_exclusions import ROMAN_CLAUSES, excluded_offenses
from secondchance.sentencing.federal import SentenceTerm, aggregate_terms, compute_federal
from secondchance.sentencing.federal.aggregate import calendar_term
from secondchance.sentencing.federal.gct import per_mille_rate, term_end_exclusive
from secondchance.sentencing.federal.holidays import is_release_day, preceding_release_day
from secondchance.sentencing.federal.rdap import rdap_reduction_months
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term


def _roman(number: int) -> str:
    numerals = ((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


def test_excluded_offense_list_has_every_clause_in_order() -> None:
    clauses = excluded_offenses()
    assert [clause.clause for clause in clauses] == [_roman(n) for n in range(1, ROMAN_CLAUSES + 1)]
    assert all(clause.cite and clause.relating_to for clause in clauses)
    cites = {clause.clause: clause.cite for clause in clauses}
    assert cites["xxii"] == "18 U.S.C. § 924(c)"  # the firearms clause the reference singles out
    assert "death or serious bodily injury" in (clauses[57].condition or "")  # (lviii), 21 U.S.C. § 841


def test_daily_rates_of_the_time_served_method() -> None:
    assert per_mille_rate(54) == 148  # PS 5880.28: 0.148
    assert per_mille_rate(42) == 115


@pytest.mark.parametrize(("months", "days", "tier"), [(30, 0, 6), (30, 1, 9), (36, 0, 9), (36, 1, 12), (37, 0, 12)])
def test_rdap_tiers(months: int, days: int, tier: int) -> None:
    assert rdap_reduction_months(date(2026, 1, 1), Term(months, days)) == tier


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2060, 12, 31)))
def test_release_day_moves_to_the_nearest_earlier_weekday(day: date) -> None:
    moved = preceding_release_day(day)
    assert moved <= day and is_release_day(moved)
    assert moved.weekday() < 5
    between = moved + timedelta(days=1)
    while between <= day:
        assert not is_release_day(between)
        between += timedelta(days=1)


def test_observed_new_year_in_the_year_before() -> None:
    # New Year's Day 2022 fell on a Saturday and was observed on Friday, December 31, 2021.
    assert preceding_release_day(date(2022, 1, 1)) == date(2021, 12, 30)


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2040, 12, 31)), st.integers(1, 4000))
def test_calendar_term_rebuilds_the_span(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    assert term_end_exclusive(start, calendar_term(start, end)) == end


def test_aggregate_rejects_a_concurrent_term_without_commencement() -> None:
    with pytest.raises(ManualReview) as caught:
        aggregate_terms([SentenceTerm("a", Term(12))])
    assert caught.value.code is ReasonCode.MISSING_COMMENCEMENT_DATE


def test_timeline_cites_a_rule_for_every_step() -> None:
    result = compute_federal(
        date(2025, 1, 1), Term(60), risk_level="low", rdap=True, rdap_started_on=date(2025, 6, 1), jail_credit_days=10
    )
    labels = [step.label for step in result.timeline]
    assert labels[:4] == ["commencement", "jail_credit", "full_term", "gct"]
    assert {"rdap", "ftc_earned", "ftc_supervised_release", "ftc_prerelease_custody"} <= set(labels)
    assert all(step.rule for step in result.timeline)


def test_weekend_move_is_a_timeline_step() -> None:
    result = compute_federal(date(2026, 1, 1), Term(12, 1))
    move = [step for step in result.timeline if step.label == "weekend_move"]
    assert len(move) == 1 and move[0].on == date(2026, 11, 6) and move[0].rule == "18 U.S.C. § 3624(a)"


def test_release_due_on_a_weekend_commencement_stays_on_it() -> None:
    saturday = date(2025, 1, 4)
    result = compute_federal(saturday, Term(24), jail_credit_days=700)
    assert result.release_date == saturday
    assert result.projected_release_date == saturday
