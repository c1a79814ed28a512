"""The checks every state engine (Missouri, the rule profiles) makes before it computes a date."""

from __future__ import annotations

from datetime import date

from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term, check_in_supported_range

__all__ = ["SENTENCE_TYPES", "check_state_sentence"]

SENTENCE_TYPES = ("determinate", "life", "life_without_parole")


def check_state_sentence(start: date | None, term: Term | None, sentence_type: str | None, credit: int) -> bool:
    """Raise ManualReview for a sentence no state rule can compute; return whether it is a life sentence.

    The order (start, type, term, credit) is the order of the bulk queries' `stop_reason` CASE; the bulk path
    checks the supported dates before those queries run (`compute.UNIT_SQL`).
    """
    if start is None:
        raise ManualReview(ReasonCode.MISSING_COMMENCEMENT_DATE, "the sentence has no commencement date")
    if sentence_type not in SENTENCE_TYPES:
        raise ManualReview(
            ReasonCode.UNSUPPORTED_SENTENCE_TYPE,
            f"sentence type {sentence_type or 'unknown'} is not supported ({', '.join(SENTENCE_TYPES)})",
        )
    is_life = sentence_type != "determinate"
    if not is_life and term is None:
        raise ManualReview(ReasonCode.MISSING_TERM, "a determinate sentence needs a term")
    check_in_supported_range(start, None if is_life else term)
    if credit < 0:
        raise ManualReview(ReasonCode.CONFLICTING_CREDITS, "jail credit cannot be negative")
    return is_life
