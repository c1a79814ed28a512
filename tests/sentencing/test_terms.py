"""Terms as imposed: parsing, and the supported dates no term may run past."""

from __future__ import annotations

from datetime import date

import pytest

from secondchance.errors import UserError
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import (
    EARLIEST_DATE,
    LATEST_DATE,
    Term,
    check_in_supported_range,
    parse_term,
)


@pytest.mark.parametrize(("text", "term"), [("24m", Term(24)), ("10y", Term(120)), ("12m1d", Term(12, 1))])
def test_parse_term(text: str, term: Term) -> None:
    assert parse_term(text) == term


@pytest.mark.parametrize("text", ["10000y", "3601m", "99999999999999999999d", "300y1m"])
def test_a_term_longer_than_the_supported_dates_is_refused_by_name(text: str) -> None:
    with pytest.raises(UserError, match=rf"term '{text}' is longer than 300 years"):
        parse_term(text)


def test_the_longest_term_parses() -> None:
    assert parse_term("300y") == Term(3600)


@pytest.mark.parametrize(
    ("start", "term", "what"),
    [
        (date(1899, 12, 31), Term(12), "commences"),
        (date(2200, 1, 1), None, "commences"),
        (date(2190, 1, 1), Term(120, 1), "ends"),
        (date(2020, 1, 1), Term(0, 10**12), "ends"),  # thousands of years, refused before any date arithmetic
    ],
)
def test_a_sentence_outside_the_supported_dates_goes_to_review(start: date, term: Term | None, what: str) -> None:
    with pytest.raises(ManualReview) as raised:
        check_in_supported_range(start, term)
    assert raised.value.code is ReasonCode.DATE_OUT_OF_RANGE
    assert f"the sentence {what} outside {EARLIEST_DATE} to {LATEST_DATE}" in raised.value.detail


def test_a_term_ending_on_the_last_supported_day_is_computed_and_a_day_more_is_not() -> None:
    check_in_supported_range(date(2189, 1, 1), Term(132))  # last day 2199-12-31
    check_in_supported_range(EARLIEST_DATE, Term(3600))
    with pytest.raises(ManualReview):
        check_in_supported_range(date(2189, 1, 1), Term(132, 1))
