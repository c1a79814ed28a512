"""The Typer application and the options and output helpers its commands share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table as RichTable

from secondchance.records.store import STORE_ENV, default_store_path

__all__ = [
    "app",
    "console",
    "console_error",
    "data_table",
    "escape",
    "id_column",
    "text_column",
    "StoreOption",
    "JsonOption",
    "print_json",
    "store_path",
]

app = typer.Typer(
    name="secondchance",
    help="Records, release dates, policy screening and rehabilitation planning for second-chance work.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Data is printed as it is: no `:x:` turned into an emoji, no colours guessed from its shape.
console = Console(emoji=False, highlight=False)
_error_console = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", envvar=STORE_ENV, help="Records store (DuckDB file).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def store_path(path: Path | None) -> Path:
    """The store path given on the command line, else the default."""
    return path if path is not None else default_store_path()


# Control characters but tab and line feed, shown as \x1b and the like: a message may quote a file's
# bytes, and an escape sequence must not reach the terminal (set its title, write the clipboard).
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def console_error(message: str) -> None:
    """Print an error message to standard error, without markup interpretation or terminal controls."""
    _error_console.print(f"[bold red]error:[/bold red] {escape(message.translate(_CONTROLS))}", highlight=False)


def escape(text: str) -> str:
    """Escape Rich markup in text that comes from data or users."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def data_table(title: str) -> RichTable:
    """A table with no side borders and one space between columns: more room for ids in 80 columns."""
    return RichTable(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, title_justify="left"
    )


def id_column(table: RichTable, header: str) -> None:
    """Add a column of ids a person types (packs, people, sentences, reason codes): never wrapped, never
    cut with an ellipsis; other columns give way first, and only a table with no room left folds an id."""
    table.add_column(header, no_wrap=True, overflow="fold")


def text_column(table: RichTable, header: str) -> None:
    """Add a column of words that wraps at spaces and folds a long word rather than cutting it."""
    table.add_column(header, overflow="fold")


def print_json(payload: Any) -> None:
    """Print a JSON document to standard output (dates as ISO text)."""
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


def _show_version(value: bool) -> None:
    if value:
        from secondchance import __version__

        typer.echo(f"secondchance {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Records, release dates, policy screening and rehabilitation planning for second-chance work."""
