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
from secondchance.sentencing.reasons import ManualReview
from secondchance.sentencing.timeline import Timeline

__all__ = [
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


def review_reason_table(review: Mapping[str, int], title: str) -> RichTable:
    """Sentences sent to manual review, by reason, most frequent first."""
    table = RichTable(title=title)
    id_column(table, "reason")
    table.add_column("sentences", justify="right", no_wrap=True)
    for reason, count in sorted(review.items(), key=lambda item: -item[1]):
        table.add_row(escape(reason), f"{count:,}")
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
