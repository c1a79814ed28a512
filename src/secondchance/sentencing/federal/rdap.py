"""Residential Drug Abuse Program (RDAP) reduction, 18 U.S.C. § 3621(e)(2)(B), and when it is projected.

The statute allows a reduction of "not more than one year"; BOP Program Statement 5331.02 (§ 11)
scales it by the term: 30 months or less → 6 months, 31 through 36 months → 9, 37 months or more → 12.
A term between whole months (e.g. 30 months and 15 days) is "more than 30 months" and takes the next tier.

The reduction is projected only when (docs/sentencing-federal.md, "RDAP"):
- 28 CFR 550.55(b) does not bar it (the bars are read from the charges by `store_inputs`); a bar the
  records cannot settle makes the reduction unknown: not applied, and the timeline says so;
- the programme can be completed before the release date it would move. The unit-based component is
  500 hours over about nine months (BOP, RDAP programme description; PS 5330.11 ch. 2; at least six
  months, 28 CFR 550.53(a)(1)), so an enrolment still under way completes nine calendar months after it
  began, a completed one on its end date; the reduced date is never before that completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.federal.gct import term_end_exclusive
from secondchance.sentencing.terms import Term

__all__ = [
    "RDAP_MAX_MONTHS",
    "RDAP_TIERS",
    "RDAP_UNIT_MONTHS",
    "RdapStatus",
    "RdapOutcome",
    "rdap_reduction_months",
    "rdap_release_date",
    "rdap_completion_date",
    "rdap_outcome",
]

RDAP_MAX_MONTHS = 12  # § 3621(e)(2)(B): "may not be reduced by more than one year"
# PS 5331.02 § 11: (term of at most this many months, reduction in months); longer terms take RDAP_MAX_MONTHS.
RDAP_TIERS: tuple[tuple[int, int], ...] = ((30, 6), (36, 9))
RDAP_UNIT_MONTHS = 9  # unit-based component: 500 hours over about nine months (PS 5330.11 ch. 2)

RdapStatus = Literal["projected", "barred", "unknown", "not-completable"]


@dataclass(frozen=True)
class RdapOutcome:
    """Whether the reduction is projected, the date it gives or would give, and why."""

    status: RdapStatus
    months: int  # the PS 5331.02 tier
    release_date: date | None  # the reduced release date when projected
    would_be: date  # the date the tier alone would give
    reason: str


def _longer_than(start: date, term: Term, months: int) -> bool:
    return term_end_exclusive(start, term) > start + relativedelta(months=months)


def rdap_reduction_months(start: date, term: Term) -> int:
    """The RDAP reduction tier in months for a term (PS 5331.02 § 11; § 3621(e)(2)(B) caps it at 12)."""
    for longest, months in RDAP_TIERS:
        if not _longer_than(start, term, longest):
            return months
    return RDAP_MAX_MONTHS


def rdap_release_date(release: date, months: int, commencement: date) -> date:
    """The release date less the RDAP reduction in calendar months, never before commencement."""
    return max(release - relativedelta(months=months), commencement)


def rdap_completion_date(started_on: date | None, completed_on: date | None) -> date | None:
    """The day the unit-based component was, or will be, completed; None when the records do not say."""
    if completed_on is not None:
        return completed_on
    if started_on is not None:
        return started_on + relativedelta(months=RDAP_UNIT_MONTHS)
    return None


def rdap_outcome(
    release: date,
    start: date,
    term: Term,
    *,
    barred: bool | None,
    completion: date | None,
) -> RdapOutcome:
    """The reduction of a participant: barred, not completable before `release`, unknown, or projected."""
    months = rdap_reduction_months(start, term)
    would_be = rdap_release_date(release, months, start)

    def outcome(status: RdapStatus, reason: str, applied: date | None = None) -> RdapOutcome:
        return RdapOutcome(status, months, applied, would_be, reason)

    if barred:
        return outcome("barred", "28 CFR 550.55(b) bars early release for a conviction of this sentence or a prior one")
    if completion is not None and completion >= release:
        return outcome("not-completable", f"the programme completes on {completion}, not before release on {release}")
    if barred is None:
        return outcome("unknown", "the records do not show whether 28 CFR 550.55(b) bars early release")
    if completion is None:
        return outcome("unknown", "the records do not show when the programme began or was completed")
    return outcome("projected", f"programme completed on {completion}", max(would_be, completion))
