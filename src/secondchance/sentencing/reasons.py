"""Typed reasons for sending a sentence to manual review instead of guessing."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ReasonCode", "ManualReview"]


class ReasonCode(StrEnum):
    """Why the engine will not compute a date for a record."""

    UNSUPPORTED_SENTENCE_TYPE = "UNSUPPORTED_SENTENCE_TYPE"
    UNSUPPORTED_SYSTEM = "UNSUPPORTED_SYSTEM"
    MISSING_COMMENCEMENT_DATE = "MISSING_COMMENCEMENT_DATE"
    MISSING_TERM = "MISSING_TERM"
    MISSING_OFFENSE_DATE = "MISSING_OFFENSE_DATE"
    CONFLICTING_CREDITS = "CONFLICTING_CREDITS"
    CONSECUTIVE_CYCLE = "CONSECUTIVE_CYCLE"
    CONSECUTIVE_TARGET_MISSING = "CONSECUTIVE_TARGET_MISSING"
    NO_PROFILE_FOR_DATE = "NO_PROFILE_FOR_DATE"
    MISSING_FACT = "MISSING_FACT"  # a fact a rule needs (e.g. prior prison commitments) is unknown
    INCONSISTENT_DATES = "INCONSISTENT_DATES"  # e.g. a birth date after the commencement date
    RULE_NEEDS_REVIEW = "RULE_NEEDS_REVIEW"  # the rule that applies is one the engine does not compute
    DATE_OUT_OF_RANGE = "DATE_OUT_OF_RANGE"  # the sentence starts or ends outside terms.EARLIEST_DATE..LATEST_DATE
    # the law sets this sentence's minimum prison term, but the text that does so could not be established
    PAROLE_RULE_UNCERTAIN = "PAROLE_RULE_UNCERTAIN"
    # whether the sentence has a conditional release term could not be established from the statute's text
    CONDITIONAL_RELEASE_UNCERTAIN = "CONDITIONAL_RELEASE_UNCERTAIN"


class ManualReview(Exception):
    """Raised by a rule that cannot compute a date; carries a reason code and a readable detail."""

    def __init__(self, code: ReasonCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
