"""The parole eligibility date of a Missouri sentence and its steps, once `decide_minimum` has chosen the rule."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from secondchance.sentencing.missouri.minimum import MinimumDecision, Step
from secondchance.sentencing.missouri.rules import (
    LIFE_AS_TERM,
    MinimumTermRule,
    served_portion_days,
    seventieth_birthday,
)
from secondchance.sentencing.terms import Term, term_days

if TYPE_CHECKING:
    from secondchance.sentencing.missouri.compute import MissouriDates

__all__ = ["fill_parole_eligibility", "last_day"]

_BOARD_RULE = "14 CSR 80-2.010(1)"


def last_day(start: date, days: int, jail_credit_days: int) -> date:
    """The last day of a period of `days` counted from `start` as day 1, less jail credit."""
    return start + timedelta(days=days - 1 - jail_credit_days)


def fill_parole_eligibility(
    result: MissouriDates,
    decision: MinimumDecision,
    start: date,
    term: Term | None,
    birth_date: date | None,
    credit: int,
) -> None:
    """Fill the parole eligibility date, its basis and its steps from the rule `decision` chose (`term` None: life)."""
    timeline = result.timeline
    if decision.step is Step.NO_PAROLE:
        result.parole_basis = "no-parole"
        timeline.add(
            "no_parole",
            "The sentence is without eligibility for parole, so there is no parole eligibility date.",
            "RSMo 565.020.2 (life without parole) or the statute of the offence",
        )
    elif decision.statute is not None:
        _statutory_date(result, decision.statute, start, term, birth_date, credit)
    elif decision.board is not None and decision.board.percent is not None:
        _board_date(result, decision, start, term, credit)
    elif decision.step is Step.NONE:
        result.parole_basis = "board-guidelines"
        timeline.add(
            "board_guidelines",
            "RSMo 558.019 sets no minimum prison term here (the offence is not on 558.019.2's list, or there is "
            "no previous prison commitment). The parole board's rule sets the minimum by its own classification "
            "of the offence, which is not modelled for offences other than drug offences. No date is given.",
            f"RSMo 558.019.2; {_BOARD_RULE}; RSMo 217.690",
        )
    else:
        result.parole_basis = "unknown"
        result.review_reason = decision.reason
        result.review_detail = decision.detail
        timeline.add("minimum_term_unknown", f"No parole eligibility date: {decision.detail}.", _cite(decision))


def _cite(decision: MinimumDecision) -> str:
    """The rule a decision without a date turned on."""
    if decision.board is not None:
        return decision.board.cite
    if decision.step in (Step.LIFE_UNDER_BOARD, Step.DRUG_BEFORE_2017, Step.MISSING_CLASS, Step.MIXED_CLASSES):
        return _BOARD_RULE
    return "RSMo 558.019.2-3"


def _board_date(result: MissouriDates, decision: MinimumDecision, start: date, term: Term | None, credit: int) -> None:
    """The board's share of the maximum sentence for a drug offence (14 CSR 80-2.010(1)(A)-(B))."""
    row = decision.board
    assert row is not None and row.percent is not None and term is not None  # life goes to LIFE_UNDER_BOARD
    total = term_days(start, term)
    minimum = served_portion_days(total, row.percent)
    eligibility = last_day(start, minimum, credit)
    result.minimum_prison_days = minimum
    result.parole_basis = f"{row.cite} {row.percent}%"
    result.parole_eligibility_date = eligibility
    result.timeline.add(
        "board_minimum",
        f"No statutory minimum prison term (RSMo 558.019.2); the parole board's rule for {row.text}: "
        f"{row.percent}% of {total:,} days is {minimum:,} days (fraction of a day dropped), served by {eligibility}.",
        row.cite,
        on=eligibility,
        days=minimum,
    )


def _statutory_date(
    result: MissouriDates,
    rule: MinimumTermRule,
    start: date,
    term: Term | None,
    birth_date: date | None,
    credit: int,
) -> None:
    """RSMo 558.019.2-4: the percentage date, or the age-70 alternative when it comes first."""
    timeline = result.timeline
    base = term
    if base is None:
        base = LIFE_AS_TERM
        timeline.add("life_as_30_years", "A life sentence is calculated to be thirty years.", "RSMo 558.019.4(1)")
    total = term_days(start, base)
    minimum = served_portion_days(total, rule.percent)
    main_date = last_day(start, minimum, credit)
    timeline.add(
        "minimum_term",
        f"{rule.description.capitalize()}: {rule.percent}% of {total:,} days is {minimum:,} days "
        f"(fraction of a day dropped), served by {main_date}.",
        rule.citation,
        on=main_date,
        days=minimum,
    )
    result.minimum_prison_days = minimum
    result.parole_basis = f"{rule.citation} {rule.percent}%"
    eligibility = main_date
    alternative = _age_70_alternative(result, rule, start, total, birth_date, credit)
    if alternative is not None and alternative < main_date:
        eligibility = alternative
        result.minimum_prison_days = (alternative - start).days + 1 + credit
        result.parole_basis = f"{rule.citation} age 70 and {rule.age_70_percent}%"
    result.parole_eligibility_date = eligibility
    timeline.add(
        "parole_eligibility",
        f"Eligible for parole consideration on {eligibility}, whichever of the dates above comes first.",
        rule.citation,
        on=eligibility,
    )


def _age_70_alternative(
    result: MissouriDates, rule: MinimumTermRule, start: date, total: int, birth_date: date | None, credit: int
) -> date | None:
    """The later of the 70th birthday and the smaller percentage served (RSMo 558.019.2-3), with its step."""
    if birth_date is None:
        result.timeline.add(
            "age_70_unknown",
            f"Birth date unknown: the age-70 alternative ({rule.age_70_percent}% served) could make the date "
            "earlier and was not evaluated.",
            rule.citation,
        )
        return None
    smaller = served_portion_days(total, rule.age_70_percent)
    smaller_date = last_day(start, smaller, credit)
    birthday = seventieth_birthday(birth_date)
    alternative = max(birthday, smaller_date)
    result.timeline.add(
        "age_70_alternative",
        f"Age-70 alternative: turns 70 on {birthday}; {rule.age_70_percent}% ({smaller:,} days) served by "
        f"{smaller_date}; the later of the two is {alternative}.",
        rule.citation,
        on=alternative,
        days=smaller,
    )
    return alternative
