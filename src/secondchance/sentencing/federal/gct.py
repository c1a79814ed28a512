"""Good conduct time (GCT) on a federal term: the current rule and the pre-2019 time-served method.

Current rule: 18 U.S.C. § 3624(b)(1) as amended by the First Step Act § 102(b) (54 days for each
year of the sentence imposed), computed as in 87 FR 7938 (Feb 11, 2022), Table 1 ("Alternative 3"):
54 × whole years + floor(54 × days of the partial final year / 365). 28 CFR 523.20(c)(2) sets 42 days a
year for some people without a high-school diploma; `literacy.reduced_rate_applies` decides when.

Pre-2019 method (`pre-fsa`): BOP Program Statement 5880.28, upheld in Barber v. Thomas, 560 U.S. 474
(2010): 54 days for each 365 days actually served, and for the last partial year 0.148 days per day
served (54/365 rounded to three places), fractions dropped, found by iterating on time served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.conventions import DAYS_PER_YEAR
from secondchance.sentencing.terms import Term

__all__ = [
    "GctMethod",
    "TermLength",
    "FULL_RATE",
    "NO_DIPLOMA_RATE",
    "DAYS_PER_YEAR",
    "term_end_exclusive",
    "term_length",
    "earns_gct",
    "annual_rate",
    "gct_fsa",
    "PER_MILLE",
    "per_mille_rate",
    "gct_pre_fsa",
]

GctMethod = Literal["fsa", "pre-fsa"]

FULL_RATE = 54  # 18 U.S.C. § 3624(b)(1): "up to 54 days for each year of the prisoner's sentence imposed"
PER_MILLE = 1000  # PS 5880.28 writes the daily rate to three places (0.148), i.e. in thousandths
NO_DIPLOMA_RATE = 42  # 28 CFR 523.20(c)(2): no diploma and no satisfactory progress toward one


@dataclass(frozen=True)
class TermLength:
    """A term measured for GCT: whole years and the days of the partial final year."""

    whole_years: int
    partial_days: int


def term_end_exclusive(start: date, term: Term) -> date:
    """The day after the last day of `term` counted from `start` as day 1 (18 U.S.C. § 3585(a))."""
    return start + relativedelta(months=term.months) + timedelta(days=term.days)


def term_length(start: date, term: Term) -> TermLength:
    """Whole years and partial-year days of a term (docs/sentencing-conventions.md, "GCT term length").

    Whole years of months are counted on the calendar from `start`; the days from the last such
    anniversary to the end of the term are the partial year, 365 of them making one more whole year.
    """
    whole_years_of_months = term.months // 12
    anniversary = start + relativedelta(months=12 * whole_years_of_months)
    rest = (term_end_exclusive(start, term) - anniversary).days
    return TermLength(whole_years_of_months + rest // DAYS_PER_YEAR, rest % DAYS_PER_YEAR)


def earns_gct(length: TermLength) -> bool:
    """Only a term of "more than 1 year" earns GCT (18 U.S.C. § 3624(b)(1)); exactly 12 months earns none."""
    return length.whole_years > 1 or (length.whole_years == 1 and length.partial_days > 0)


def annual_rate(reduced: bool) -> int:
    """Days a year: 54, or 42 where the reduced rate applies (28 CFR 523.20(c)(2); see `literacy`)."""
    return NO_DIPLOMA_RATE if reduced else FULL_RATE


def gct_fsa(start: date, term: Term, *, rate: int = FULL_RATE) -> int:
    """GCT on the sentence imposed: rate × whole years + floor(rate × partial days / 365) (87 FR 7938, Table 1)."""
    length = term_length(start, term)
    if not earns_gct(length):
        return 0
    return rate * length.whole_years + (rate * length.partial_days) // DAYS_PER_YEAR


def per_mille_rate(rate: int) -> int:
    """The daily rate of the time-served method in thousandths: 54/365 → 0.148 (PS 5880.28), 42/365 → 0.115."""
    return round(PER_MILLE * rate / DAYS_PER_YEAR)


def gct_pre_fsa(start: date, term: Term, *, rate: int = FULL_RATE) -> int:
    """GCT by the pre-2019 time-served method (PS 5880.28; Barber v. Thomas, 560 U.S. 474 (2010)).

    Each 365 days served earns `rate` days, so a full year consumes 365 + rate days of the term; the
    remainder is split into days served `s` and credit, with `s` the fewest days for which
    s + floor(s × daily rate) covers it.
    """
    length = term_length(start, term)
    if not earns_gct(length):
        return 0
    daily = per_mille_rate(rate)
    remaining = (term_end_exclusive(start, term) - start).days
    credit = 0
    while remaining >= DAYS_PER_YEAR + rate:  # a whole year served, with its full credit
        remaining -= DAYS_PER_YEAR + rate
        credit += rate
    served = 0
    while served + (daily * served) // PER_MILLE < remaining:  # the last, prorated year (§ 3624(b)(1))
        served += 1
    return credit + remaining - served
