"""Conditional release of a Missouri sentence (RSMo 558.011.4(1)) and its timeline steps.

The one-third, three-year and five-year conditional release terms were read as quoted in Mo. Att'y Gen.
Ops. 12-80 (1980) and 17-81 (1981); the current subsection could be read only as far as "for felonies other
tha[n] ...". It is commonly described as also excluding sentences that involve a fourth or subsequent
remand to the department of corrections; that text was not retrieved, so a sentence with three or more
previous prison commitments goes to review (`CONDITIONAL_RELEASE_UNCERTAIN`) instead of getting a date.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.missouri.parole import last_day
from secondchance.sentencing.missouri.rules import conditional_release_term_months, prison_term_days_one_third
from secondchance.sentencing.reasons import ReasonCode
from secondchance.sentencing.terms import Term, term_days

if TYPE_CHECKING:
    from secondchance.sentencing.missouri.compute import MissouriDates

__all__ = ["Release", "decide_release", "fill_conditional_release", "FOURTH_REMAND_DETAIL", "PRIORS_UNKNOWN_DETAIL"]

# A commitment with this many previous prison commitments is the fourth or a later remand.
FOURTH_REMAND_PRIORS = 3
FOURTH_REMAND_DETAIL = (
    "a fourth or subsequent commitment (three or more previous prison commitments): RSMo 558.011.4(1) may "
    "exclude a sentence of a fourth or subsequent remand from conditional release, and its current text was "
    "not retrieved"
)
PRIORS_UNKNOWN_DETAIL = (
    "prior prison commitments unknown; whether conditional release applies (a fourth or subsequent remand, "
    "RSMo 558.011.4(1)) depends on it"
)


class Release(StrEnum):
    """Whether a sentence has a conditional release term, in the order the conditions are tried."""

    NONE = "none"  # life, no parole, or a dangerous felony: release at the full term
    UNKNOWN = "unknown"  # whether it is a dangerous felony is unknown (the parole step already said so)
    PRIORS_UNKNOWN = "priors_unknown"
    FOURTH_REMAND = "fourth_remand"
    TERM = "term"  # 558.011.4(1)(a)-(c)


def decide_release(
    is_life: bool, no_parole: bool, dangerous_felony: bool | None, prior_commitments: int | None
) -> Release:
    """Whether RSMo 558.011.4(1) gives the sentence a conditional release term, as far as the facts tell."""
    if is_life or no_parole:
        return Release.NONE
    if dangerous_felony is None:
        return Release.UNKNOWN
    if dangerous_felony:
        return Release.NONE
    if prior_commitments is None:
        return Release.PRIORS_UNKNOWN
    if prior_commitments >= FOURTH_REMAND_PRIORS:
        return Release.FOURTH_REMAND
    return Release.TERM


def fill_conditional_release(
    result: MissouriDates, release: Release, no_parole: bool, start: date, term: Term, credit: int
) -> None:
    """Fill the conditional release date, the projected release date and their steps."""
    timeline = result.timeline
    if release is Release.NONE:
        why = "An offence without parole has" if no_parole else "A dangerous felony has"
        cite = "statute of the offence (e.g. RSMo 565.020.2)" if no_parole else "RSMo 558.011.4(1)"
        timeline.add("no_conditional_release", f"{why} no conditional release term; release is at the full term.", cite)
        return
    result.projected_release_date = None
    if release is Release.UNKNOWN:
        return  # the parole step already sent the sentence to review for the same unknown fact
    if release in (Release.PRIORS_UNKNOWN, Release.FOURTH_REMAND):
        reason, detail = (
            (ReasonCode.MISSING_FACT, PRIORS_UNKNOWN_DETAIL)
            if release is Release.PRIORS_UNKNOWN
            else (ReasonCode.CONDITIONAL_RELEASE_UNCERTAIN, FOURTH_REMAND_DETAIL)
        )
        if result.review_reason is None:
            result.review_reason, result.review_detail = reason, detail
        timeline.add("conditional_release_unknown", f"No conditional release date: {detail}.", "RSMo 558.011.4(1)")
        return
    released = _conditional_release_date(result, start, term, credit)
    result.conditional_release_date = released
    result.projected_release_date = released


def _conditional_release_date(result: MissouriDates, start: date, term: Term, credit: int) -> date:
    """The last day of the prison term: the term less its conditional release term (RSMo 558.011.4(1)(a)-(c))."""
    fixed_months = conditional_release_term_months(start, term)
    if fixed_months is None:
        total = term_days(start, term)
        prison_days = prison_term_days_one_third(total)
        release = last_day(start, prison_days, credit)
        result.timeline.add(
            "conditional_release",
            f"Term of nine years or less: the conditional release term is one-third; the prison term is the "
            f"remaining {prison_days:,} of {total:,} days (fraction of a day dropped), ending {release}.",
            "RSMo 558.011.4(1)(a)",
            on=release,
            days=prison_days,
        )
        return release
    # The fixed conditional release term is the last `fixed_months` of the term; the prison term is the rest.
    end_exclusive = start + relativedelta(months=term.months, days=term.days)
    prison_end_exclusive = end_exclusive - relativedelta(months=fixed_months)
    release = prison_end_exclusive - timedelta(days=1 + credit)
    prison_days = (prison_end_exclusive - start).days
    clause = "(b)" if fixed_months == 36 else "(c)"
    result.timeline.add(
        "conditional_release",
        f"The conditional release term is the last {fixed_months // 12} years of the term; the prison term is "
        f"the remaining {prison_days:,} days, ending {release}.",
        f"RSMo 558.011.4(1){clause}",
        on=release,
        days=prison_days,
    )
    return release
