"""Multiple federal terms as one aggregate term (18 U.S.C. § 3584(c)).

§ 3584(c): "Multiple terms of imprisonment ordered to run consecutively or concurrently shall be
treated for administrative purposes as a single, aggregate term of imprisonment." GCT and time
credits are then computed once on the aggregate (87 FR 7938 applies the per-year rate to it).

Convention: a consecutive term starts the day after the term it follows would end without credits
(its imposed length is added on the calendar); concurrent terms run from their own commencement
dates. The aggregate runs from the earliest commencement to the latest end; its full-term date is
the latest of the terms' full-term dates, jail credit included, and its jail credit is what maps the
one onto the other. Prior custody credit follows its term along a consecutive chain (§ 3585(b) bars
counting the same days twice, which the records are trusted to respect).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term

__all__ = ["SentenceTerm", "AggregateTerm", "aggregate_terms", "calendar_term"]


@dataclass(frozen=True)
class SentenceTerm:
    """One term of imprisonment: concurrent (with a commencement date) or consecutive to another term."""

    sentence_id: str
    term: Term
    commencement_date: date | None = None
    jail_credit_days: int = 0
    consecutive_to: str | None = None


@dataclass(frozen=True)
class AggregateTerm:
    """The single aggregate term of § 3584(c)."""

    commencement_date: date
    term: Term
    jail_credit_days: int
    sentence_ids: tuple[str, ...]


def calendar_term(start: date, end_exclusive: date) -> Term:
    """The term from `start` (day 1) to the day before `end_exclusive`, as whole calendar months plus days."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    while months > 0 and start + relativedelta(months=months) > end_exclusive:
        months -= 1
    return Term(months, (end_exclusive - (start + relativedelta(months=months))).days)


def aggregate_terms(terms: list[SentenceTerm]) -> AggregateTerm:
    """Aggregate concurrent and consecutive terms into one (18 U.S.C. § 3584(c)).

    Raises `ManualReview` when a consecutive term points at a missing term or at itself through a
    cycle, or when a concurrent term has no commencement date.
    """
    if not terms:
        raise ManualReview(ReasonCode.MISSING_TERM, "no terms to aggregate")
    by_id = {item.sentence_id: item for item in terms}
    ends: dict[str, tuple[date, int]] = {}  # sentence id → (end exclusive without credit, credit along its chain)

    def end_of(sentence_id: str, chain: tuple[str, ...]) -> tuple[date, int]:
        if sentence_id in ends:
            return ends[sentence_id]
        if sentence_id in chain:
            raise ManualReview(ReasonCode.CONSECUTIVE_CYCLE, f"consecutive terms form a cycle: {' → '.join(chain)}")
        item = by_id[sentence_id]
        if item.consecutive_to is not None:
            if item.consecutive_to not in by_id:
                raise ManualReview(
                    ReasonCode.CONSECUTIVE_TARGET_MISSING,
                    f"term {sentence_id} runs consecutively to {item.consecutive_to}, which is not among the terms",
                )
            start, credit = end_of(item.consecutive_to, (*chain, sentence_id))
        elif item.commencement_date is None:
            raise ManualReview(ReasonCode.MISSING_COMMENCEMENT_DATE, f"term {sentence_id} has no commencement date")
        else:
            start, credit = item.commencement_date, 0
        end = start + relativedelta(months=item.term.months) + timedelta(days=item.term.days)
        ends[sentence_id] = (end, credit + item.jail_credit_days)
        return ends[sentence_id]

    for item in terms:
        end_of(item.sentence_id, ())
    starts = [item.commencement_date for item in terms if item.consecutive_to is None and item.commencement_date]
    start = min(starts)
    end = max(end for end, _ in ends.values())
    last_day = max(end - timedelta(days=1 + credit) for end, credit in ends.values())
    return AggregateTerm(
        commencement_date=start,
        term=calendar_term(start, end),
        jail_credit_days=(end - timedelta(days=1) - last_day).days,
        sentence_ids=tuple(item.sentence_id for item in terms),
    )
