"""`secondchance generate`: build a synthetic population into the records store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from secondchance.cli._app import JsonOption, StoreOption, console, escape, print_json, store_path
from secondchance.cli._options import check_output_path
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.synthetic import GENERATION_STEPS, JURISDICTIONS, GenerationResult, generate_population

__all__ = ["register", "generate", "generate_with_progress"]

DEMO_SEED = 1
_progress_console = Console(stderr=True, emoji=False, highlight=False)


def generate_with_progress(store: Path, people: int, seed: int, jurisdiction: str) -> GenerationResult:
    """Generate with a Rich progress bar on standard error (so --json output stays clean)."""
    total = len(GENERATION_STEPS) + len(TABLE_NAMES)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=_progress_console,
        transient=True,
        disable=not _progress_console.is_terminal,  # a log or a pipe gets no bar and no stray blank line
    ) as progress:
        task = progress.add_task(f"Generating {people:,} people", total=total)

        def on_step(name: str) -> None:
            progress.update(task, advance=1, description=f"Generating {people:,} people: {name}")

        return generate_population(store, people, seed, jurisdiction, on_step=on_step)


def generate(
    people: Annotated[int, typer.Option("--people", help="Number of people to generate.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same data.")] = 1,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help=f"One of {', '.join(JURISDICTIONS)}.")] = "mixed",
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a synthetic population into the records store, replacing earlier synthetic rows.

    Example: secondchance generate --people 100000 --seed 7 --jurisdiction federal --json
    """
    path = store_path(store)
    check_output_path("--store", path)
    result = generate_with_progress(path, people, seed, jurisdiction)
    if as_json:
        print_json(_result_json(result))
        return
    table = RichTable(title=f"Synthetic population (seed {seed}, {jurisdiction}) in {escape(str(path))}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in result.counts.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    console.print(f"{people:,} people in {result.seconds:.1f} s ({people / result.seconds:,.0f} people a second)")


def _result_json(result: GenerationResult) -> dict[str, Any]:
    return {
        "store": str(result.store),
        "people": result.people,
        "seed": result.seed,
        "jurisdiction": result.jurisdiction,
        "as_of": result.as_of.isoformat(),
        "seconds": round(result.seconds, 3),
        "tables": result.counts,
    }


def register(app: typer.Typer) -> None:
    """Add `generate` to the application."""
    app.command()(generate)
