"""The Typer application and the options and output helpers its commands share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from secondchance.records.store import STORE_ENV, default_store_path

__all__ = ["app", "console", "console_error", "StoreOption", "JsonOption", "print_json", "store_path"]

app = typer.Typer(
    name="secondchance",
    help="Records, release dates, policy screening and rehabilitation planning for second-chance work.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
_error_console = Console(stderr=True, soft_wrap=True)

StoreOption = Annotated[
    Path | None,
    typer.Option("--store", envvar=STORE_ENV, help="Records store (DuckDB file).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def store_path(path: Path | None) -> Path:
    """The store path given on the command line, else the default."""
    return path if path is not None else default_store_path()


def console_error(message: str) -> None:
    """Print an error message to standard error, without markup interpretation."""
    _error_console.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False)


def escape(text: str) -> str:
    """Escape Rich markup in text that comes from data or users."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


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
