"""The `secondchance facts` command group: the facts catalogue and one person's facts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table as RichTable

from secondchance.cli._app import (
    JsonOption,
    StoreOption,
    console,
    escape,
    id_column,
    print_json,
    store_path,
    text_column,
)
from secondchance.cli._options import optional_date_option
from secondchance.errors import UserError
from secondchance.policy.facts import FACTS, Fact, person_facts
from secondchance.records.store import open_store

__all__ = ["facts_app", "register"]

facts_app = typer.Typer(
    name="facts",
    help="The facts catalogue: named, typed per-person values that policy packs read.",
    no_args_is_help=True,
)


@facts_app.command("list")
def list_facts(as_json: JsonOption = False) -> None:
    """Print every fact with its type and description (with --json, what it reads and makes of silence too).

    Example: secondchance facts list --json
    """
    if as_json:
        print_json([_listed(item) for item in FACTS])
        return
    table = RichTable(title="Facts")
    id_column(table, "name")
    table.add_column("type", no_wrap=True)
    text_column(table, "description")
    for item in FACTS:
        table.add_row(item.name, item.type, escape(item.description))
    console.print(table)


def _listed(item: Fact) -> dict[str, str]:
    """A fact as `facts list --json` prints it."""
    absence = item.absence.rule if item.absence is not None else ""
    return {
        "name": item.name,
        "type": item.type,
        "description": item.description,
        "reads": item.reads,
        "absence": absence,
    }


@facts_app.command("show")
def show(
    person: Annotated[str, typer.Argument(help="The person's source id.", show_default=False)],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date the facts hold on (YYYY-MM-DD); default today.")
    ] = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print one person's facts as of a date.

    Example: secondchance facts show P000123 --as-of 2024-06-30
    """
    on = optional_date_option("--as-of", as_of) or date.today()
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path, read_only=True) as connection:
        values = person_facts(connection, person, on)
    if values is None:
        raise UserError(f"no person with source id {person!r} in {path}")
    if as_json:
        print_json(values)
        return
    table = RichTable(title=f"Facts of {escape(person)} as of {on.isoformat()}")
    id_column(table, "fact")
    table.add_column("type", no_wrap=True)
    text_column(table, "value")
    types = {f.name: f.type for f in FACTS}
    for name, value in values.items():
        shown = (
            "[dim]unknown[/dim]"
            if value is None
            else escape(str(value).lower() if isinstance(value, bool) else str(value))
        )
        table.add_row(name, types.get(name, ""), shown)
    console.print(table)
    note = _controlling_note(values)
    if note:
        console.print(escape(note))


def _controlling_note(values: dict[str, object]) -> str | None:
    """Where the source's own dates are: on the controlling commitment, not a maximum over current sentences."""
    case = values.get("ca_controlling_case")
    if case is None:
        return None
    dates = {
        "release (EPRD)": values.get("ca_controlling_release_date"),
        "parole eligibility (MEPD)": values.get("ca_controlling_parole_eligibility_date"),
    }
    known = ", ".join(f"{label} {value}" for label, value in dates.items() if value is not None) or "none recorded"
    return f"The source's own dates belong to the controlling commitment ({case}): {known}; other cases have none."


def register(app: typer.Typer) -> None:
    """Add the `facts` group to the application."""
    app.add_typer(facts_app)
