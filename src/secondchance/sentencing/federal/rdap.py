"""Residential Drug Abuse Program (RDAP) reduction, 18 U.S.C. § 3621(e)(2)(B).

The statute allows a reduction of "not more than one year"; BOP Program Statement 5331.02 (§ 11)
scales it by the term: 30 months or less → 6 months, 31 through 36 months → 9, 37 months or more → 12.
A term between whole months (e.g. 30 months and 15 days) is "more than 30 months" and takes the next tier.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.federal.gct import term_end_exclusive
from secondchance.sentencing.terms import Term

__all__ = ["RDAP_MAX_MONTHS", "rdap_reduction_months", "rdap_release_date"]

RDAP_MAX_MONTHS = 12  # § 3621(e)(2)(B): "may not be reduced by more than one year"


def _longer_than(start: date, term: Term, months: int) -> bool:
    return term_end_exclusive(start, term) > start + relativedelta(months=months)


def rdap_reduction_months(start: date, term: Term) -> int:
    """The RDAP reduction tier in months for a term (PS 5331.02 § 11; § 3621(e)(2)(B) caps it at 12)."""
    if not _longer_than(start, term, 30):
        return 6
    if not _longer_than(start, term, 36):
        return 9
    return RDAP_MAX_MONTHS


def rdap_release_date(release: date, months: int, commencement: date) -> date:
    """The release date less the RDAP reduction in calendar months, never before commencement."""
    return max(release - relativedelta(months=months), commencement)
