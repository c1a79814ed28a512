"""Second Chance Act prerelease custody, 18 U.S.C. § 3624(c) (28 CFR 570.21).

§ 3624(c)(1): up to 12 months of the final months of the term in a residential reentry centre (RRC);
§ 3624(c)(2): home confinement for "the shorter of 10 percent of the term of imprisonment of that
prisoner or 6 months". How this time combines with FSA credits is not published: the engine counts it
back from the date the person would otherwise leave prison (the FTC prerelease date if any, else the
release date), never before commencement (docs/sentencing-federal.md).
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.conventions import DAYS_PER_YEAR

__all__ = [
    "RRC_MAX_MONTHS",
    "HOME_CONFINEMENT_MAX_DAYS",
    "home_confinement_cap_days",
    "rrc_date",
    "home_confinement_date",
]

RRC_MAX_MONTHS = 12  # § 3624(c)(1): "not to exceed 12 months"
HOME_CONFINEMENT_MAX_DAYS = DAYS_PER_YEAR // 2  # § 3624(c)(2): 6 months, half the 365-day year rounded down: 182


def home_confinement_cap_days(term_days: int) -> int:
    """The shorter of 10% of the term imposed (days, rounded down) or 6 months (§ 3624(c)(2))."""
    return min(term_days // 10, HOME_CONFINEMENT_MAX_DAYS)


def rrc_date(leaves_prison: date, commencement: date) -> date:
    """Earliest RRC placement: 12 calendar months before `leaves_prison` (§ 3624(c)(1))."""
    return max(leaves_prison - relativedelta(months=RRC_MAX_MONTHS), commencement)


def home_confinement_date(leaves_prison: date, term_days: int, commencement: date) -> date:
    """Earliest home confinement: the § 3624(c)(2) cap before `leaves_prison`."""
    return max(leaves_prison - timedelta(days=home_confinement_cap_days(term_days)), commencement)
