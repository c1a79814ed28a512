"""Commands over the records store: stats (ingest, export and generate live beside it)."""

from __future__ import annotations

import typer
from rich.table import Table as RichTable

from secondchance.cli._app import JsonOption, StoreOption, console, print_json, store_path
from secondchance.errors import UserError
from secondchance.records.store import open_store, table_counts

__all__ = ["register"]


def stats(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Count the rows of every records table.

    Example: secondchance stats --json
    """
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path, read_only=True) as connection:
        counts = table_counts(connection)
    if as_json:
        print_json({"store": str(path), "tables": counts})
        return
    table = RichTable(title=f"Records store {path}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the records commands to the application."""
    app.command()(stats)
