"""`compute_missouri`: the dates of one Missouri sentence, with the timeline that explains them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.missouri.rules import (
    LIFE_AS_TERM,
    conditional_release_term_months,
    minimum_term_rule,
    prison_term_days_one_third,
    served_portion_days,
    seventieth_birthday,
)
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.state_checks import SENTENCE_TYPES, check_state_sentence
from secondchance.sentencing.terms import Term, full_term_date, term_days
from secondchance.sentencing.timeline import Timeline

__all__ = ["MissouriDates", "compute_missouri", "SENTENCE_TYPES", "RULE_PROFILE"]

RULE_PROFILE = "us-mo@rsmo-558.019-2019"
_JAIL_CREDIT_RULE = "RSMo 558.031 (credit for time in custody)"


@dataclass
class MissouriDates:
    """The computed dates of one Missouri sentence; None where no such date applies."""

    full_term_date: date | None
    parole_eligibility_date: date | None
    conditional_release_date: date | None
    projected_release_date: date | None
    minimum_prison_days: int | None
    parole_basis: str  # the rule behind the parole date, or why there is none
    jail_credit_days: int
    review_reason: ReasonCode | None = None  # set when part of the computation needs a person
    review_detail: str | None = None
    timeline: Timeline = field(default_factory=Timeline)

    def to_dict(self) -> dict[str, Any]:
        """The dates as JSON-ready data."""

        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "system": "us-mo",
            "full_term_date": iso(self.full_term_date),
            "parole_eligibility_date": iso(self.parole_eligibility_date),
            "conditional_release_date": iso(self.conditional_release_date),
            "projected_release_date": iso(self.projected_release_date),
            "minimum_prison_days": self.minimum_prison_days,
            "parole_basis": self.parole_basis,
            "jail_credit_days": self.jail_credit_days,
            "review_reason": str(self.review_reason) if self.review_reason else None,
            "review_detail": self.review_detail,
            "rule_profile": RULE_PROFILE,
            "timeline": self.timeline.to_list(),
        }


def _last_day(start: date, days: int, jail_credit_days: int) -> date:
    """The last day of a period of `days` counted from `start` as day 1, less jail credit."""
    return start + timedelta(days=days - 1 - jail_credit_days)


def compute_missouri(
    start: date | None,
    term: Term | None,
    *,
    sentence_type: str | None = "determinate",
    prior_commitments: int | None = 0,
    dangerous_felony: bool | None = False,
    no_parole_offense: bool | None = False,
    birth_date: date | None = None,
    jail_credit_days: int | None = 0,
) -> MissouriDates:
    """Full term, minimum parole eligibility (RSMo 558.019) and conditional release (RSMo 558.011.4) dates.

    Raises ManualReview when the sentence cannot be computed at all (no start, no term, an unsupported
    type, inconsistent dates); an unknown fact needed by one rule leaves that date None and sets
    `review_reason` instead.
    """
    credit = jail_credit_days or 0
    is_life = check_state_sentence(start, term, sentence_type, credit)
    assert start is not None  # check_state_sentence raised otherwise
    if prior_commitments is not None and prior_commitments < 0:
        raise ManualReview(ReasonCode.MISSING_FACT, "prior prison commitments cannot be negative")
    if birth_date is not None and birth_date > start:
        raise ManualReview(ReasonCode.INCONSISTENT_DATES, "the birth date is after the commencement date")

    timeline = Timeline()
    timeline.add("start", f"Sentence commenced on {start}, counted as day 1.", "RSMo 558.031; day 1 counting", on=start)
    if credit:
        timeline.add("jail_credit", f"{credit} days of credit for time in custody.", _JAIL_CREDIT_RULE, days=credit)

    # Full term (a term of years only; a life sentence has none).
    full_term: date | None = None
    if not is_life:
        assert term is not None
        if term_days(start, term) <= credit:
            raise ManualReview(ReasonCode.CONFLICTING_CREDITS, "jail credit is as long as the term or longer")
        full_term = full_term_date(start, term, credit)
        timeline.add(
            "full_term",
            f"A term of {term} ends on {full_term}.",
            "RSMo 558.011.1; day 1 counting",
            on=full_term,
            days=term_days(start, term),
        )

    result = MissouriDates(
        full_term_date=full_term,
        parole_eligibility_date=None,
        conditional_release_date=None,
        projected_release_date=full_term,
        minimum_prison_days=None,
        parole_basis="",
        jail_credit_days=credit,
        timeline=timeline,
    )
    _parole_eligibility(
        result,
        start,
        term,
        is_life,
        sentence_type,
        prior_commitments,
        dangerous_felony,
        no_parole_offense,
        birth_date,
        credit,
    )
    if not is_life:
        assert term is not None
        _conditional_release(result, start, term, dangerous_felony, bool(no_parole_offense), credit)
    return result


def _parole_eligibility(
    result: MissouriDates,
    start: date,
    term: Term | None,
    is_life: bool,
    sentence_type: str | None,
    prior_commitments: int | None,
    dangerous_felony: bool | None,
    no_parole_offense: bool | None,
    birth_date: date | None,
    credit: int,
) -> None:
    """Fill the parole eligibility date and its steps (RSMo 558.019.2-4)."""
    timeline = result.timeline
    if sentence_type == "life_without_parole" or no_parole_offense:
        result.parole_basis = "no-parole"
        timeline.add(
            "no_parole",
            "The sentence is without eligibility for parole, so there is no parole eligibility date.",
            "RSMo 565.020.2" if sentence_type == "life_without_parole" else "statute of the offence",
        )
        return
    if dangerous_felony is None or (not dangerous_felony and prior_commitments is None):
        missing = (
            "whether the offence is a dangerous felony" if dangerous_felony is None else "prior prison commitments"
        )
        result.parole_basis = "unknown"
        result.review_reason = ReasonCode.MISSING_FACT
        result.review_detail = f"{missing} unknown; the minimum prison term depends on it"
        timeline.add("missing_fact", f"No parole eligibility date: {missing} is unknown.", "RSMo 558.019.2-3")
        return
    rule = minimum_term_rule(prior_commitments or 0, dangerous_felony)
    if rule is None:
        result.parole_basis = "board-guidelines"
        timeline.add(
            "board_guidelines",
            "No previous prison commitment and not a dangerous felony: RSMo 558.019 sets no minimum prison term, "
            "so the parole board's guidelines set the hearing date. No statutory eligibility date is given.",
            "RSMo 558.019.2; RSMo 217.690",
        )
        return

    base = term
    if is_life:
        base = LIFE_AS_TERM
        timeline.add("life_as_30_years", "A life sentence is calculated to be thirty years.", "RSMo 558.019.4(1)")
    assert base is not None
    total = term_days(start, base)
    minimum = served_portion_days(total, rule.percent)
    main_date = _last_day(start, minimum, credit)
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
    if birth_date is None:
        timeline.add(
            "age_70_unknown",
            f"Birth date unknown: the age-70 alternative ({rule.age_70_percent}% served) could make the date "
            "earlier and was not evaluated.",
            rule.citation,
        )
    else:
        smaller = served_portion_days(total, rule.age_70_percent)
        smaller_date = _last_day(start, smaller, credit)
        birthday = seventieth_birthday(birth_date)
        alternative = max(birthday, smaller_date)
        timeline.add(
            "age_70_alternative",
            f"Age-70 alternative: turns 70 on {birthday}; {rule.age_70_percent}% ({smaller:,} days) served by "
            f"{smaller_date}; the later of the two is {alternative}.",
            rule.citation,
            on=alternative,
            days=smaller,
        )
        if alternative < main_date:
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


def _conditional_release(
    result: MissouriDates, start: date, term: Term, dangerous_felony: bool | None, no_parole: bool, credit: int
) -> None:
    """Fill the conditional release date and its steps (RSMo 558.011.4(1))."""
    timeline = result.timeline
    if no_parole:
        # e.g. RSMo 565.020.2: "without eligibility for probation or parole, or release except by act of the governor"
        timeline.add(
            "no_conditional_release",
            "An offence without parole has no conditional release either; release is at the full term.",
            "statute of the offence (e.g. RSMo 565.020.2)",
        )
        return
    if dangerous_felony is None:
        return  # already sent to review by the parole step; whether 558.011.4 applies is unknown too
    if dangerous_felony:
        timeline.add(
            "no_conditional_release",
            "A dangerous felony has no conditional release term.",
            "RSMo 558.011.4(1)",
        )
        return
    fixed_months = conditional_release_term_months(start, term)
    if fixed_months is None:
        total = term_days(start, term)
        prison_days = prison_term_days_one_third(total)
        release = _last_day(start, prison_days, credit)
        timeline.add(
            "conditional_release",
            f"Term of nine years or less: the conditional release term is one-third; the prison term is the "
            f"remaining {prison_days:,} of {total:,} days (fraction of a day dropped), ending {release}.",
            "RSMo 558.011.4(1)(a)",
            on=release,
            days=prison_days,
        )
    else:
        # The fixed conditional release term is the last `fixed_months` of the term; the prison term is the rest.
        end_exclusive = start + relativedelta(months=term.months, days=term.days)
        prison_end_exclusive = end_exclusive - relativedelta(months=fixed_months)
        release = prison_end_exclusive - timedelta(days=1 + credit)
        prison_days = (prison_end_exclusive - start).days
        clause = "(b)" if fixed_months == 36 else "(c)"
        timeline.add(
            "conditional_release",
            f"The conditional release term is the last {fixed_months // 12} years of the term; the prison term is "
            f"the remaining {prison_days:,} days, ending {release}.",
            f"RSMo 558.011.4(1){clause}",
            on=release,
            days=prison_days,
        )
    if result.parole_eligibility_date is not None and release < result.parole_eligibility_date:
        release = result.parole_eligibility_date
        timeline.add(
            "minimum_term_controls",
            f"The minimum prison term applies notwithstanding other provisions of law, so conditional release "
            f"moves to the parole eligibility date, {release} (reading marked uncertain in docs/sentencing-states.md).",
            "RSMo 558.019.2",
            on=release,
        )
    result.conditional_release_date = release
    result.projected_release_date = release
