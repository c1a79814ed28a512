"""The `secondchance dates` command group: release and eligibility dates.

Each jurisdiction's one-sentence command lives in its own module and registers on `dates_app`.
"""

from __future__ import annotations

import typer

__all__ = ["dates_app", "register"]

dates_app = typer.Typer(
    name="dates",
    help="Compute release and eligibility dates, with the timeline that explains each one.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `dates` group, with every command registered on it, to the application."""
    app.add_typer(dates_app)
