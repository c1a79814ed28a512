"""Missouri's minimum-prison-term and conditional-release rules, one pure function per rule.

Sources (read before changing a number):
- RSMo 558.019.2: minimum prison terms by prior prison commitments (40 / 50 / 80%), each with an
  age-70 alternative (30 / 40 / 40% served), "whichever occurs first".
- RSMo 558.019.3: dangerous felonies (RSMo 556.061) 85%, or age 70 with 40% served.
- RSMo 558.019.4(1): a life sentence is calculated to be thirty years (Wolfe v. Mo. Dep't of Corr.,
  199 S.W.3d 219 (Mo. App. W.D. 2006): 85% of 30 years = 25.5 years).
- RSMo 558.011.4(1): a term of years for a felony other than a dangerous felony is a prison term
  plus a conditional release term of one-third (terms of nine years or less), three years (terms
  between nine and fifteen years) or five years (longer terms); the prison term is the remainder
  (read as quoted in Mo. Att'y Gen. Ops. 12-80 and 17-81; see docs/sentencing-states.md).
- 14 CSR 80-2.010(1): the parole board's shares for drug offences with no statutory minimum
  (`board.py`, `board_minimum.yaml`).

Percentages are taken on the days of the term and the fraction of a day is dropped from the time
to be served (docs/sentencing-conventions.md, "Missouri and Louisiana").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.terms import Term, term_days  # term_days re-exported for Missouri callers

__all__ = [
    "LIFE_AS_TERM",
    "NINE_YEARS",
    "FIFTEEN_YEARS",
    "DANGEROUS_FELONY_RULE",
    "MinimumTermRule",
    "minimum_term_rule",
    "served_portion_days",
    "term_days",
    "seventieth_birthday",
    "conditional_release_term_months",
    "prison_term_days_one_third",
]

# RSMo 558.019.4(1): "a sentence of life shall be calculated to be thirty years".
LIFE_AS_TERM = Term(months=30 * 12)
# RSMo 558.011.4(1)(a)-(c) thresholds, compared with the term imposed (months, then days).
NINE_YEARS = Term(months=9 * 12)
FIFTEEN_YEARS = Term(months=15 * 12)


@dataclass(frozen=True)
class MinimumTermRule:
    """A minimum prison term: a percentage of the sentence, or age 70 with a smaller percentage served."""

    percent: int  # of the sentence, before parole eligibility
    age_70_percent: int  # served by the 70th birthday, the alternative "whichever occurs first"
    citation: str
    description: str


# RSMo 558.019.2(1)-(3): by prior prison commitments to the department of corrections.
_BY_PRIOR_COMMITMENTS: dict[int, MinimumTermRule] = {
    1: MinimumTermRule(40, 30, "RSMo 558.019.2(1)", "one previous prison commitment"),
    2: MinimumTermRule(50, 40, "RSMo 558.019.2(2)", "two previous prison commitments"),
    3: MinimumTermRule(80, 40, "RSMo 558.019.2(3)", "three or more previous prison commitments"),
}
# RSMo 558.019.3: dangerous felonies as defined in RSMo 556.061.
DANGEROUS_FELONY_RULE = MinimumTermRule(85, 40, "RSMo 558.019.3", "dangerous felony (RSMo 556.061)")


def minimum_term_rule(prior_commitments: int, dangerous_felony: bool) -> MinimumTermRule | None:
    """The statutory minimum prison term that applies, or None when the parole board's guidelines govern.

    RSMo 558.019.3 (dangerous felonies) takes precedence over 558.019.2 (prior commitments); with no
    prior commitment and no dangerous felony, 558.019 sets no minimum (RSMo 217.690: board discretion).
    """
    if prior_commitments < 0:
        raise ValueError("prior prison commitments cannot be negative")
    if dangerous_felony:
        return DANGEROUS_FELONY_RULE
    if prior_commitments == 0:
        return None
    return _BY_PRIOR_COMMITMENTS[min(prior_commitments, 3)]


def served_portion_days(total_days: int, percent: int) -> int:
    """`percent` of `total_days`, the fraction of a day dropped (85% of 3,653 = 3,105)."""
    return total_days * percent // 100


def seventieth_birthday(birth_date: date) -> date:
    """The day a person attains seventy years of age (a 29 February birthday falls on 28 February)."""
    return birth_date + relativedelta(years=70)


def conditional_release_term_months(start: date, term: Term) -> int | None:
    """Months of a fixed conditional release term (RSMo 558.011.4(1)(b), (c)); None for the one-third rule.

    Terms of nine years or less get one-third (see `prison_term_days_one_third`); terms over nine and up
    to fifteen years get three years; terms of more than fifteen years get five years. Lengths are
    compared in days from the same start, so `107m40d` counts as more than nine years.
    """
    days = term_days(start, term)
    if days <= term_days(start, NINE_YEARS):
        return None
    if days <= term_days(start, FIFTEEN_YEARS):
        return 36
    return 60


def prison_term_days_one_third(total_days: int) -> int:
    """The prison term of a term of nine years or less: the remainder after a one-third conditional release term.

    RSMo 558.011.4(1)(a). Time in prison is rounded down, so this is floor(2/3 of the days).
    """
    return total_days * 2 // 3
