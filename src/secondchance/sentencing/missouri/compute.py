"""`compute_missouri`: the dates of one Missouri sentence, with the timeline that explains them.

The rule that sets the minimum prison term is chosen in `minimum.py`, its date computed in `parole.py`;
conditional release is `conditional.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from secondchance.sentencing.missouri.conditional import decide_release, fill_conditional_release
from secondchance.sentencing.missouri.minimum import MissouriOffence, decide_minimum
from secondchance.sentencing.missouri.parole import fill_parole_eligibility
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.state_checks import SENTENCE_TYPES, check_state_sentence
from secondchance.sentencing.terms import Term, full_term_date, term_days
from secondchance.sentencing.timeline import Timeline

__all__ = ["MissouriDates", "MissouriOffence", "compute_missouri", "SENTENCE_TYPES", "RULE_PROFILE"]

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
    offence: MissouriOffence | None = None,
) -> MissouriDates:
    """Full term, minimum parole eligibility (RSMo 558.019, 14 CSR 80-2.010) and conditional release (558.011.4).

    `offence` gives the facts of the offence; without it, `dangerous_felony` and `no_parole_offense` describe
    a felony on RSMo 558.019.2's list that is not a drug offence (`MissouriOffence`'s defaults). Raises
    ManualReview when the sentence cannot be computed at all (no start, no term, an unsupported type,
    inconsistent dates); an unknown fact or an uncertain text behind one date leaves that date None and sets
    `review_reason` instead.
    """
    facts = offence or MissouriOffence(dangerous_felony=dangerous_felony, no_parole_offense=no_parole_offense)
    credit = jail_credit_days or 0
    is_life = check_state_sentence(start, term, sentence_type, credit)
    assert start is not None  # check_state_sentence raised otherwise
    if prior_commitments is not None and prior_commitments < 0:
        raise ManualReview(ReasonCode.MISSING_FACT, "prior prison commitments cannot be negative")
    if birth_date is not None and birth_date > start:
        raise ManualReview(ReasonCode.INCONSISTENT_DATES, "the birth date is after the commencement date")

    result = _with_full_term(start, term, is_life, credit)
    decision = decide_minimum(facts, prior_commitments, sentence_type, is_life, start)
    # a life sentence's minimum is counted on thirty years (RSMo 558.019.4(1)), whatever term a record gives it
    fill_parole_eligibility(result, decision, start, None if is_life else term, birth_date, credit)
    no_parole = sentence_type == "life_without_parole" or bool(facts.no_parole_offense)
    release = decide_release(is_life, no_parole, facts.dangerous_felony, prior_commitments)
    if not is_life:
        assert term is not None
        fill_conditional_release(result, release, no_parole, start, term, credit)
    return result


def _with_full_term(start: date, term: Term | None, is_life: bool, credit: int) -> MissouriDates:
    """The result with its first steps: the start, jail credit and the full term of a term of years."""
    timeline = Timeline()
    timeline.add("start", f"Sentence commenced on {start}, counted as day 1.", "RSMo 558.031; day 1 counting", on=start)
    if credit:
        timeline.add("jail_credit", f"{credit} days of credit for time in custody.", _JAIL_CREDIT_RULE, days=credit)
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
    return MissouriDates(
        full_term_date=full_term,
        parole_eligibility_date=None,
        conditional_release_date=None,
        projected_release_date=full_term,
        minimum_prison_days=None,
        parole_basis="",
        jail_credit_days=credit,
        timeline=timeline,
    )
