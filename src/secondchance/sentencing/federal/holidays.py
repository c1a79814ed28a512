"""Weekend and federal-holiday release moves (18 U.S.C. § 3624(a)).

"If the date for a prisoner's release falls on a Saturday, a Sunday, or a legal holiday at the place
of confinement, the prisoner may be released by the Bureau on the last preceding weekday." The place
of confinement is not in the records, so the engine uses the federal holidays (with their observed
days) of the `holidays` package; state holidays are not applied.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays as holiday_calendars

__all__ = ["federal_holidays", "is_release_day", "preceding_release_day", "release_day_calendar"]


@lru_cache(maxsize=512)
def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays of one year, observed days included."""
    return frozenset(holiday_calendars.country_holidays("US", years=year).keys())


def is_release_day(day: date) -> bool:
    """A weekday that is not a federal holiday (18 U.S.C. § 3624(a))."""
    # A holiday of next year can be observed on Dec 31 of this one (New Year's Day on a Saturday).
    return day.weekday() < 5 and day not in federal_holidays(day.year) and day not in federal_holidays(day.year + 1)


def preceding_release_day(day: date) -> date:
    """`day` itself if it is a weekday and not a holiday, else the last preceding such weekday (§ 3624(a))."""
    while not is_release_day(day):
        day -= timedelta(days=1)
    return day


def release_day_calendar(first_year: int, last_year: int) -> tuple[list[date], list[date]]:
    """Every day of the years given and the day a release on it moves to (for the bulk path's join)."""
    days: list[date] = []
    moved: list[date] = []
    day = date(first_year, 1, 1)
    end = date(last_year, 12, 31)
    last_release_day = preceding_release_day(day)
    while day <= end:
        if is_release_day(day):
            last_release_day = day
        days.append(day)
        moved.append(last_release_day)
        day += timedelta(days=1)
    return days, moved
