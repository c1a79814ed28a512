"""`secondchance generate` and `secondchance demo`: build a synthetic population and show it.

`demo` runs the steps in `DEMO_STEPS` in order; later work appends its own steps (dates,
screening, ...) to that list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from secondchance.cli._app import JsonOption, StoreOption, console, escape, print_json, store_path
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import open_store
from secondchance.records.synthetic import GENERATION_STEPS, JURISDICTIONS, GenerationResult, generate_population
from secondchance.records.synthetic.calibration import AS_OF
from secondchance.records.synthetic.summary import PopulationSummary, summarise_population

__all__ = ["register", "generate", "demo", "DemoContext", "DEMO_STEPS", "DEMO_SEED"]

DEMO_SEED = 1
_progress_console = Console(stderr=True)


def _generate_with_progress(store: Path, people: int, seed: int, jurisdiction: str) -> GenerationResult:
    """Generate with a Rich progress bar on standard error (so --json output stays clean)."""
    total = len(GENERATION_STEPS) + len(TABLE_NAMES)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=_progress_console,
        transient=True,
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
    result = _generate_with_progress(path, people, seed, jurisdiction)
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


@dataclass
class DemoContext:
    """What the demo steps share: where the store is, how many people, and what earlier steps left."""

    store: Path
    people: int
    seed: int = DEMO_SEED
    console: Console = field(default_factory=lambda: console)
    results: dict[str, Any] = field(default_factory=dict)


def demo_generate(context: DemoContext) -> None:
    """Step 1: generate the population."""
    result = _generate_with_progress(context.store, context.people, context.seed, "mixed")
    context.results["generate"] = result
    context.console.print(
        f"[bold]Generated {context.people:,} synthetic people[/bold] (seed {context.seed}) into "
        f"{escape(str(context.store))} in {result.seconds:.1f} s"
    )


def demo_summary(context: DemoContext) -> None:
    """Step 2: print the population summary."""
    with open_store(context.store, read_only=True) as connection:
        summary = summarise_population(connection, AS_OF)
    context.results["summary"] = summary
    render_summary(summary, context.console)


def render_summary(summary: PopulationSummary, out: Console) -> None:
    """Rich tables of a population summary."""
    counts = RichTable(title="Rows per table")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, count in summary.tables.items():
        counts.add_row(name, f"{count:,}")
    out.print(counts)
    people = summary.tables.get("person", 0) or 1
    for title, pairs in (
        ("People by jurisdiction", summary.by_jurisdiction),
        ("Current sentence by offence category", summary.by_offense_category),
        ("Current sentence by type", summary.by_sentence_type),
        (f"Age on {summary.as_of.isoformat()}", summary.by_age_band),
    ):
        breakdown = RichTable(title=title, min_width=len(title) + 4)
        breakdown.add_column("")
        breakdown.add_column("people", justify="right")
        breakdown.add_column("share", justify="right")
        for label, count in pairs:
            breakdown.add_row(escape(label), f"{count:,}", f"{count / people:.1%}")
        out.print(breakdown)
    out.print(f"In custody on {summary.as_of.isoformat()}: {summary.in_custody:,} of {people:,}")
    needs_title = "Needs (latest assessment, moderate or high)"
    needs = RichTable(title=needs_title, min_width=len(needs_title) + 4)
    needs.add_column("domain")
    needs.add_column("people", justify="right")
    needs.add_column("share", justify="right")
    for domain, count, assessed in summary.needs:
        needs.add_row(domain.replace("_", " "), f"{count:,}", f"{count / max(assessed, 1):.1%}")
    out.print(needs)
    programs = RichTable(title="Programme seats against need (all cohorts)")
    programs.add_column("programme")
    programs.add_column("seats", justify="right")
    programs.add_column("referred", justify="right")
    programs.add_column("waitlisted", justify="right")
    programs.add_column("seats per referral", justify="right")
    for name, seats, referred, waitlisted in summary.programs:
        ratio = f"{seats / referred:.2f}" if referred else "-"
        programs.add_row(escape(name), f"{seats:,}", f"{referred:,}", f"{waitlisted:,}", ratio)
    out.print(programs)


# The demo, step by step; append to this list to extend `secondchance demo`.
DEMO_STEPS: list[Callable[[DemoContext], None]] = [demo_generate, demo_summary]


def demo(
    store: StoreOption = None,
    people: Annotated[int, typer.Option("--people", help="Number of people to generate.")] = 50_000,
) -> None:
    """Build a synthetic population and show what secondchance makes of it.

    Example: secondchance demo --store demo.duckdb --people 50000
    """
    context = DemoContext(store=store_path(store), people=people)
    for step in DEMO_STEPS:
        step(context)


def register(app: typer.Typer) -> None:
    """Add `generate` and `demo` to the application."""
    app.command()(generate)
    app.command()(demo)
