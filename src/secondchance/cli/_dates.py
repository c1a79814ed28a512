"""The `secondchance dates` command group: release and eligibility dates.

Each jurisdiction's one-sentence command lives in its own module and registers on `dates_app`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer
from rich.table import Table as RichTable

from secondchance.cli._app import console, data_table, escape, id_column, text_column
from secondchance.errors import UserError
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.timeline import Timeline

__all__ = [
    "REASON_WORDS",
    "cannot_compute",
    "dates_app",
    "register",
    "review_reason_table",
    "show_dates",
]

dates_app = typer.Typer(
    name="dates",
    help="Compute release and eligibility dates, with the timeline that explains each one.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `dates` group, with every command registered on it, to the application."""
    app.add_typer(dates_app)


def cannot_compute(review: ManualReview) -> UserError:
    """The error a one-sentence command raises when the engine sends its sentence to manual review."""
    return UserError(f"cannot compute this sentence ({review.code}): {review.detail}")


# What each manual-review code means, shown beside it (sentencing.reasons.ReasonCode; docs/sentencing-bulk.md).
REASON_WORDS: dict[str, str] = {
    ReasonCode.UNSUPPORTED_SENTENCE_TYPE: "a sentence type the engine does not compute (e.g. federal life)",
    ReasonCode.UNSUPPORTED_SYSTEM: "a sentencing system with no rules here",
    ReasonCode.MISSING_COMMENCEMENT_DATE: "no date the term began",
    ReasonCode.MISSING_TERM: "no term imposed",
    ReasonCode.MISSING_OFFENSE_DATE: "no offence date, which decides the rules in force",
    ReasonCode.CONFLICTING_CREDITS: "credits that contradict each other",
    ReasonCode.CONSECUTIVE_CYCLE: "sentences consecutive to each other in a loop",
    ReasonCode.CONSECUTIVE_TARGET_MISSING: "consecutive to a sentence not in the store",
    ReasonCode.NO_PROFILE_FOR_DATE: "the state's rules are not written for that offence date",
    ReasonCode.MISSING_FACT: "a fact a rule needs is unknown (e.g. prior prison commitments)",
    ReasonCode.INCONSISTENT_DATES: "dates that cannot all be true (e.g. born after the term began)",
    ReasonCode.RULE_NEEDS_REVIEW: "the rule that applies is one the engine does not compute",
    ReasonCode.DATE_OUT_OF_RANGE: "starts or ends outside the dates the engine computes",
    ReasonCode.PAROLE_RULE_UNCERTAIN: "the law's minimum prison term for it could not be established",
    ReasonCode.CONDITIONAL_RELEASE_UNCERTAIN: "whether it has a conditional release term could not be established",
}


def review_reason_table(review: Mapping[str, int], title: str) -> RichTable:
    """Sentences sent to manual review, by reason, most frequent first, each reason in words."""
    table = RichTable(title=title)
    id_column(table, "reason")
    table.add_column("sentences", justify="right", no_wrap=True)
    text_column(table, "what it means")
    for reason, count in sorted(review.items(), key=lambda item: -item[1]):
        table.add_row(escape(reason), f"{count:,}", escape(REASON_WORDS.get(reason, "")))
    return table


def show_dates(title: str, rows: dict[str, Any], timeline: Timeline) -> None:
    """Print a sentence's dates and the timeline that produced them."""
    table = RichTable(title=title, show_header=False)
    id_column(table, "date")
    text_column(table, "value")
    for name, value in rows.items():
        table.add_row(name, "—" if value is None else escape(str(value)))
    console.print(table)
    steps = data_table("Timeline")
    id_column(steps, "step")
    steps.add_column("date", no_wrap=True)
    steps.add_column("days", justify="right", no_wrap=True)
    text_column(steps, "what happened")
    text_column(steps, "rule")
    for step in timeline:
        steps.add_row(
            step.label,
            step.on.isoformat() if step.on else "",
            "" if step.days is None else f"{step.days:,}",
            escape(step.description),
            escape(step.rule),
        )
    console.print(steps)
