"""Sentence terms as imposed (calendar months plus days) and how they become dates.

Convention (docs/sentencing-conventions.md): the commencement date is day 1 of the
term (18 U.S.C. § 3585(a)), so a 12-month term starting 2020-01-01 ends on
2020-12-31, its last day in custody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from secondchance.errors import UserError
from secondchance.sentencing.conventions import DAYS_PER_YEAR
from secondchance.sentencing.reasons import ManualReview, ReasonCode

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "LONGEST_TERM_MONTHS",
    "Term",
    "check_in_supported_range",
    "out_of_range_detail",
    "parse_term",
    "term_of_parts",
    "full_term_date",
    "term_days",
    "days_inclusive",
]

# The dates secondchance computes with (docs/sentencing-conventions.md): records, options and computed
# dates outside them are refused or sent to manual review, never carried into date arithmetic that
# would overflow (Python's dates end in 9999) or stand for nothing real.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
# No term longer than the supported range (300 years) can start and end inside it.
LONGEST_TERM_MONTHS = 12 * (LATEST_DATE.year - EARLIEST_DATE.year + 1)

_TERM_PART = re.compile(r"(\d+)\s*([ymd])", re.IGNORECASE)
_TERM_WHOLE = re.compile(r"^(\s*\d+\s*[ymd]\s*)+$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Term:
    """A term imposed by a court: whole months (years × 12) plus days."""

    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if self.months < 0 or self.days < 0:
            raise ValueError("a term cannot be negative")

    @property
    def years(self) -> float:
        """The term in years, as a number (for display and percentages only)."""
        return self.months / 12 + self.days / DAYS_PER_YEAR

    def __str__(self) -> str:
        parts = []
        years, months = divmod(self.months, 12)
        if years:
            parts.append(f"{years} year{'s' if years != 1 else ''}")
        if months:
            parts.append(f"{months} month{'s' if months != 1 else ''}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'s' if self.days != 1 else ''}")
        return " ".join(parts)


def parse_term(text: str, what: str = "term") -> Term:
    """Parse a term written like `24m`, `10y`, `366d`, `12m1d` or `2y6m`; `what` names it in errors.

    >>> parse_term("12m1d")
    Term(months=12, days=1)
    """
    if not text or not _TERM_WHOLE.match(text):
        raise UserError(f"{what} {text!r} is not a term like 24m, 10y, 366d or 12m1d")
    months = days = 0
    for amount, unit in _TERM_PART.findall(text):
        value = int(amount)
        match unit.lower():
            case "y":
                months += 12 * value
            case "m":
                months += value
            case _:
                days += value
    if _whole_months_at_least(months, days) > LONGEST_TERM_MONTHS:
        years = LONGEST_TERM_MONTHS // 12
        raise UserError(
            f"{what} {text!r} is longer than {years} years, the span of the dates secondchance computes "
            f"({EARLIEST_DATE} to {LATEST_DATE}); for a term that outlasts any life give `life`"
        )
    return Term(months, days)


def check_in_supported_range(start: date, term: Term | None) -> None:
    """Send a sentence to manual review when it starts, or its term ends, outside the supported dates."""
    if not EARLIEST_DATE <= start <= LATEST_DATE:
        raise ManualReview(ReasonCode.DATE_OUT_OF_RANGE, out_of_range_detail("commences"))
    if term is None:
        return
    # Whole months first, so a term of thousands of years is refused before any date arithmetic.
    if (
        _whole_months_at_least(term.months, term.days) > LONGEST_TERM_MONTHS
        or _end_exclusive(start, term) > _AFTER_LATEST
    ):
        raise ManualReview(ReasonCode.DATE_OUT_OF_RANGE, out_of_range_detail("ends"))


def out_of_range_detail(what: str) -> str:
    """The review detail of a sentence that `what` ("commences" or "ends") outside the supported dates."""
    return f"the sentence {what} outside {EARLIEST_DATE} to {LATEST_DATE}, the dates secondchance computes"


_AFTER_LATEST = LATEST_DATE + timedelta(days=1)


def _whole_months_at_least(months: int, days: int) -> int:
    """Months a term lasts at least (31 days are at least a month), without date arithmetic."""
    return months + days // 31


def _end_exclusive(start: date, term: Term) -> date:
    return start + relativedelta(months=term.months) + timedelta(days=term.days)


def term_of_parts(months: int | None, days: int | None) -> Term | None:
    """A term from the nullable `term_months` and `term_days` columns: None when both are NULL, a NULL part reads 0."""
    return None if months is None and days is None else Term(months or 0, days or 0)


def full_term_date(start: date, term: Term, jail_credit_days: int = 0) -> date:
    """The last day of a term counted from `start` as day 1, less prior custody credit.

    18 U.S.C. § 3585(a) (commencement) and (b) (credit for prior custody).
    """
    end_exclusive = start + relativedelta(months=term.months) + timedelta(days=term.days)
    return end_exclusive - timedelta(days=1 + jail_credit_days)


def term_days(start: date, term: Term) -> int:
    """Days of a term counted from `start` as day 1 (the exclusive end less the start)."""
    end_exclusive = start + relativedelta(months=term.months, days=term.days)
    return (end_exclusive - start).days


def days_inclusive(start: date, end: date) -> int:
    """Days from `start` to `end`, both counted."""
    return (end - start).days + 1
