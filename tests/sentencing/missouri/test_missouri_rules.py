"""The Missouri rule functions one by one, at their edges."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondchance.law.missouri import NO_PAROLE_OFFENSES, is_no_parole_statute
from secondchance.sentencing.missouri import MissouriOffence, compute_missouri, minimum_term_rule
from secondchance.sentencing.missouri.board import board_row, board_rows
from secondchance.sentencing.missouri.rules import (
    conditional_release_term_months,
    served_portion_days,
    seventieth_birthday,
)
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term


@pytest.mark.parametrize(
    ("priors", "dangerous", "percent", "age_70_percent"),
    [
        (1, False, 40, 30),
        (2, False, 50, 40),
        (3, False, 80, 40),
        (9, False, 80, 40),
        (0, True, 85, 40),
        (2, True, 85, 40),
    ],
)
def test_minimum_term_percentages_follow_558_019(
    priors: int, dangerous: bool, percent: int, age_70_percent: int
) -> None:
    rule = minimum_term_rule(priors, dangerous)
    assert rule is not None
    assert (rule.percent, rule.age_70_percent) == (percent, age_70_percent)


def test_no_prior_commitment_has_no_statutory_minimum() -> None:
    assert minimum_term_rule(0, False) is None


def test_percentages_drop_the_fraction_of_a_day() -> None:
    assert served_portion_days(3653, 85) == 3105  # 3,105.05
    assert served_portion_days(3653, 50) == 1826  # 1,826.5


def test_seventieth_birthday_of_a_leap_day_birth_is_28_february() -> None:
    assert seventieth_birthday(date(1952, 2, 29)) == date(2022, 2, 28)
    assert seventieth_birthday(date(1950, 6, 15)) == date(2020, 6, 15)


@pytest.mark.parametrize(
    ("term", "months"),
    [(Term(108), None), (Term(108, 1), 36), (Term(107, 40), 36), (Term(180), 36), (Term(180, 1), 60), (Term(360), 60)],
)
def test_conditional_release_term_by_length(term: Term, months: int | None) -> None:
    assert conditional_release_term_months(date(2020, 1, 1), term) == months


def test_first_degree_murder_is_listed_without_parole_with_its_citation() -> None:
    assert is_no_parole_statute("565.020")
    assert is_no_parole_statute("RSMo § 565.020")
    assert not is_no_parole_statute("565.021")
    assert all(rule.citation.startswith("RSMo") for rule in NO_PAROLE_OFFENSES)


def test_board_guidelines_case_explains_itself_in_the_timeline() -> None:
    result = compute_missouri(date(2020, 1, 1), Term(120), prior_commitments=0)
    assert result.parole_eligibility_date is None
    assert result.parole_basis == "board-guidelines"
    assert any(step.label == "board_guidelines" and "217.690" in step.rule for step in result.timeline)


def test_unknown_birth_date_is_noted_not_guessed() -> None:
    result = compute_missouri(date(2020, 1, 1), Term(120), prior_commitments=1)
    assert result.parole_eligibility_date == date(2023, 12, 31)
    assert any(step.label == "age_70_unknown" for step in result.timeline)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"start": None, "term": Term(12)}, ReasonCode.MISSING_COMMENCEMENT_DATE),
        ({"start": date(2020, 1, 1), "term": None}, ReasonCode.MISSING_TERM),
        ({"start": date(2020, 1, 1), "term": Term(12), "sentence_type": "death"}, ReasonCode.UNSUPPORTED_SENTENCE_TYPE),
        ({"start": date(2020, 1, 1), "term": Term(12), "jail_credit_days": 400}, ReasonCode.CONFLICTING_CREDITS),
        ({"start": date(2020, 1, 1), "term": Term(12), "birth_date": date(2021, 1, 1)}, ReasonCode.INCONSISTENT_DATES),
    ],
)
def test_inputs_the_engine_will_not_guess_at_go_to_review(kwargs: dict[str, object], code: ReasonCode) -> None:
    start = kwargs.pop("start")
    term = kwargs.pop("term")
    with pytest.raises(ManualReview) as caught:
        compute_missouri(start, term, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_every_date_step_cites_a_rule() -> None:
    result = compute_missouri(date(2020, 1, 1), Term(120), prior_commitments=2, birth_date=date(1955, 1, 1))
    assert all(step.rule for step in result.timeline)
    labels = [step.label for step in result.timeline]
    assert labels.index("minimum_term") < labels.index("parole_eligibility") < labels.index("conditional_release")


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(1980, 1, 1), date(2040, 12, 31)),
    months=st.integers(1, 480),
    days=st.integers(0, 60),
    longer_by=st.integers(1, 400),
    priors=st.integers(0, 5),
    dangerous=st.booleans(),
    birth=st.one_of(st.none(), st.dates(date(1920, 1, 1), date(1979, 12, 31))),
)
def test_a_longer_term_never_makes_parole_eligibility_earlier(
    start: date, months: int, days: int, longer_by: int, priors: int, dangerous: bool, birth: date | None
) -> None:
    kwargs = {"prior_commitments": priors, "dangerous_felony": dangerous, "birth_date": birth}
    shorter = compute_missouri(start, Term(months, days), **kwargs)  # type: ignore[arg-type]
    longer = compute_missouri(start, Term(months, days + longer_by), **kwargs)  # type: ignore[arg-type]
    if shorter.parole_eligibility_date is not None:
        assert longer.parole_eligibility_date is not None
        assert longer.parole_eligibility_date >= shorter.parole_eligibility_date


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(1980, 1, 1), date(2040, 12, 31)), months=st.integers(1, 479), longer_by=st.integers(1, 60))
def test_conditional_release_is_monotone_except_at_the_fifteen_year_cliff(
    start: date, months: int, longer_by: int
) -> None:
    shorter = compute_missouri(start, Term(months), prior_commitments=0).conditional_release_date
    longer = compute_missouri(start, Term(months + longer_by), prior_commitments=0).conditional_release_date
    assert shorter is not None and longer is not None
    crosses_cliff = months <= 180 < months + longer_by
    assert longer >= shorter or crosses_cliff


def test_the_fifteen_year_cliff_is_statutory() -> None:
    # RSMo 558.011.4(1)(b)-(c): 15 years keeps a 3-year CR term (prison 12 years), one day more gets 5 years
    fifteen = compute_missouri(date(2020, 1, 1), Term(180), prior_commitments=0)
    one_day_more = compute_missouri(date(2020, 1, 1), Term(180, 1), prior_commitments=0)
    assert fifteen.conditional_release_date == date(2031, 12, 31)
    assert one_day_more.conditional_release_date == date(2030, 1, 1)


def test_the_boards_table_is_the_rule_text() -> None:
    # 14 CSR 80-2.010(1)(A): class D and E drug offences 15%; (B): class C 20%; (C): classes A and B, not read
    assert [(row.classes, row.percent, row.cite) for row in board_rows()] == [
        (("D", "E"), 15, "14 CSR 80-2.010(1)(A)"),
        (("C",), 20, "14 CSR 80-2.010(1)(B)"),
        (("A", "B"), None, "14 CSR 80-2.010(1)(C)"),
    ]
    assert board_row("B").uncertain


_OFFENCES = st.builds(
    MissouriOffence,
    dangerous_felony=st.sampled_from([True, False, None]),
    no_parole_offense=st.sampled_from([False, False, True, None]),
    minimum_term_offense=st.sampled_from([True, False, None]),
    drug_offense=st.sampled_from([True, False, None]),
    felony_class=st.sampled_from(["A", "B", "C", "D", "E", "mixed", None]),
    offense_date=st.one_of(st.none(), st.dates(date(2012, 1, 1), date(2024, 12, 31))),
)


@settings(max_examples=300, deadline=None)
@given(
    offence=_OFFENCES,
    priors=st.one_of(st.none(), st.integers(0, 5)),
    months=st.integers(12, 400),
    sentence_type=st.sampled_from(["determinate"] * 4 + ["life", "life_without_parole"]),
)
def test_an_unknown_is_never_reported_as_not_eligible(
    offence: MissouriOffence, priors: int | None, months: int, sentence_type: str
) -> None:
    """No date means a review reason, no parole by law, or a board rule the timeline names; never a silent no."""
    result = compute_missouri(
        date(2025, 1, 1), Term(months), sentence_type=sentence_type, prior_commitments=priors, offence=offence
    )
    barred = sentence_type == "life_without_parole" or offence.no_parole_offense is True
    if result.parole_eligibility_date is None:
        if result.parole_basis == "no-parole":
            assert barred
        elif result.parole_basis == "board-guidelines":
            assert any(step.label == "board_guidelines" for step in result.timeline)
        else:
            assert result.parole_basis == "unknown" and result.review_reason is not None
    if result.projected_release_date is None and sentence_type == "determinate":
        assert result.review_reason is not None


@settings(max_examples=300, deadline=None)
@given(offence=_OFFENCES, priors=st.integers(0, 2), months=st.integers(12, 480), credit=st.integers(0, 200))
def test_conditional_release_never_comes_before_parole_eligibility(
    offence: MissouriOffence, priors: int, months: int, credit: int
) -> None:
    """With two or fewer previous commitments every minimum is at most 50%, below the 2/3 prison term of 558.011.4."""
    result = compute_missouri(
        date(2025, 1, 1), Term(months), prior_commitments=priors, offence=offence, jail_credit_days=credit
    )
    if result.conditional_release_date and result.parole_eligibility_date:
        assert result.parole_eligibility_date <= result.conditional_release_date
