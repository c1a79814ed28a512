"""Whole years of age in SQL against dateutil's calendar arithmetic."""

from __future__ import annotations

from datetime import date

import duckdb
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from secondchance.policy.facts.query import _age

_CONNECTION = duckdb.connect()


def sql_age(birth: date, on: date) -> int:
    row = _CONNECTION.execute(
        f"SELECT {_age('b', 'o')} FROM (SELECT CAST(? AS DATE) AS b, CAST(? AS DATE) AS o)", [birth, on]
    ).fetchone()
    assert row is not None
    return int(row[0])


@settings(max_examples=300, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.dates(date(1900, 1, 1), date(2060, 12, 31)))
def test_age_matches_calendar_years(birth: date, on: date) -> None:
    assume(on >= birth and (birth.month, birth.day) != (2, 29))
    assert sql_age(birth, on) == relativedelta(on, birth).years


def test_born_on_29_february() -> None:
    # The birthday counts from 1 March in common years (documented on age_years).
    assert sql_age(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert sql_age(date(2000, 2, 29), date(2018, 3, 1)) == 18
    assert sql_age(date(2000, 2, 29), date(2020, 2, 29)) == 20
