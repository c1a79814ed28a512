"""`secondchance demo`: a synthetic population, its dates, its screening and one explanation.

The demo is the list of steps in `DEMO_STEPS`, run in order; each step reads what earlier steps
left in the shared `DemoContext`. Every step works as of one date, `demo_date()`: today, the default
of every command, so no date it lists as ahead of a person is already past. The synthetic records are
built around a fixed reference date (`records.synthetic.calibration.AS_OF`), so a seed gives the same
people on any day; on a later day they are read as the records left them (in custody stays in custody).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table as RichTable

from secondchance.cli._app import StoreOption, console, escape, store_path
from secondchance.cli._dates import review_reason_table
from secondchance.cli._generate import generate_with_progress
from secondchance.cli._options import check_output_path
from secondchance.records.store import open_store
from secondchance.records.synthetic.calibration import AS_OF
from secondchance.records.synthetic.summary import PopulationSummary, summarise_population
from secondchance.sentencing.compute import compute_dates

__all__ = ["DEMO_SEED", "DEMO_STEPS", "DemoContext", "demo", "demo_date", "register"]

DEMO_SEED = 1
# The pack whose first almost-eligible person the demo explains.
DEMO_PACK = "us-federal/clemency-2014"


def demo_date() -> date:
    """The date the demo works as of: today, or the population's reference date on a clock set before it."""
    return max(date.today(), AS_OF)


def demo_date_reason(as_of: date) -> str:
    """Why the demo works as of `as_of`, in one sentence."""
    if as_of == date.today():
        return (
            f"today, the date every command uses unless told --as-of; the synthetic records run to {AS_OF}, "
            "the date they are built around, and anyone in custody then is taken to be in custody still"
        )
    return f"the date the synthetic records are built around (nothing in them is dated later; today is {date.today()})"


@dataclass
class DemoContext:
    """What the demo steps share: where the store is, how many people, the date, and what earlier steps left."""

    store: Path
    people: int
    seed: int = DEMO_SEED
    as_of: date = field(default_factory=demo_date)
    console: Console = field(default_factory=lambda: console)
    results: dict[str, Any] = field(default_factory=dict)


def demo_generate(context: DemoContext) -> None:
    """Step 1: generate the population."""
    result = generate_with_progress(context.store, context.people, context.seed, "mixed")
    context.results["generate"] = result
    context.console.print(
        f"[bold]Generated {context.people:,} synthetic people[/bold] (seed {context.seed}) into "
        f"{escape(str(context.store))} in {result.seconds:.1f} s"
    )


def demo_summary(context: DemoContext) -> None:
    """Step 2: print the population summary."""
    with open_store(context.store, read_only=True) as connection:
        summary = summarise_population(connection, context.as_of)
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


def demo_dates(context: DemoContext) -> None:
    """Demo step: compute dates for the population and show release years and manual review."""
    with open_store(context.store) as connection:
        summary = compute_dates(connection, context.as_of)
        years = connection.execute(
            """SELECT year(d.projected_release_date) AS year, count(*) FROM computed_dates d
            JOIN sentence s ON s.id = d.sentence_id
            WHERE s.status = 'active' AND d.projected_release_date IS NOT NULL GROUP BY ALL ORDER BY 1"""
        ).fetchall()
    context.results["dates"] = summary
    out = context.console
    out.print(
        f"[bold]Computed dates for {summary.sentences:,} sentences[/bold] in {summary.seconds:.1f} s: "
        f"{summary.computed:,} computed, {sum(summary.review.values()):,} in manual review"
    )
    table = RichTable(title="Projected release of current sentences, by year")
    table.add_column("year")
    table.add_column("sentences", justify="right")
    today = context.as_of.year
    before = sum(count for year, count in years if year < today)
    later = sum(count for year, count in years if year > today + 10)
    if before:
        table.add_row(f"before {today} (overdue or released)", f"{before:,}")
    for year, count in years:
        if today <= year <= today + 10:
            table.add_row(str(year), f"{count:,}")
    if later:
        table.add_row(f"after {today + 10}", f"{later:,}")
    out.print(table)
    if summary.review:
        out.print(review_reason_table(summary.review, "Manual review by reason (secondchance dates review)"))


def demo_screening(context: DemoContext) -> None:
    """Screen everyone against every shipped pack and show counts and the almost-eligible list."""
    from secondchance.cli._policy import print_screening_summary
    from secondchance.policy.checks import load_pack
    from secondchance.policy.engine import screen
    from secondchance.policy.pack import list_packs
    from secondchance.policy.results import counts_by_status

    packs = [load_pack(path) for _, path in list_packs()]
    context.console.print(f"[bold]Screening as of {context.as_of}[/bold]: {demo_date_reason(context.as_of)}.")
    clock = time.perf_counter()
    with open_store(context.store) as connection:
        run = screen(connection, packs, as_of=context.as_of)
        counts = counts_by_status(connection, run.run_id)
        listing = _almost_eligible_ahead(connection, run.run_id)
    context.results["screening"] = run
    print_screening_summary(run, counts, listing[:10], time.perf_counter() - clock, almost=False)


def _almost_eligible_ahead(connection: duckdb.DuckDBPyConnection, run_id: int) -> list[tuple[Any, ...]]:
    """The run's almost-eligible, soonest first, without any whose date is already past."""
    from secondchance.policy.results import almost_eligible

    today = date.today()
    return [row for row in almost_eligible(connection, run_id) if row[3] is not None and row[3] >= today]


def demo_explanation(context: DemoContext) -> None:
    """Explain one person's result criterion by criterion: the first almost eligible for clemency."""
    from secondchance.policy.explain import explain_person
    from secondchance.policy.letters.console import explanation_tree

    with open_store(context.store, read_only=True) as connection:
        listing = _almost_eligible_ahead(connection, context.results["screening"].run_id)
    candidates = [row for row in listing if row[0] == DEMO_PACK] or listing
    if not candidates:
        context.console.print("Nobody is almost eligible, so there is no explanation to show.")
        return
    pack_id, _, source_id = (str(value) for value in candidates[0][:3])
    explanation = explain_person(context.store, source_id, pack_id, context.as_of)
    context.console.print(f"[bold]Why person {escape(source_id)} is almost eligible for {escape(pack_id)}[/bold]")
    context.console.print(explanation_tree(explanation, "en"))
    context.console.print(
        f"The letter to this person: secondchance explain {escape(source_id)} --pack {escape(pack_id)} "
        f"--store {escape(str(context.store))} --as-of {context.as_of.isoformat()} --letter --lang es"
    )


# The demo, step by step; append to this list to extend `secondchance demo`.
DEMO_STEPS: list[Callable[[DemoContext], None]] = [
    demo_generate,
    demo_summary,
    demo_dates,
    demo_screening,
    demo_explanation,
]


def demo(
    store: StoreOption = None,
    people: Annotated[int, typer.Option("--people", help="Number of people to generate.")] = 50_000,
) -> None:
    """Build a synthetic population and show what secondchance makes of it.

    Example: secondchance demo --store demo.duckdb --people 50000
    """
    context = DemoContext(store=store_path(store), people=people)
    check_output_path("--store", context.store)
    for step in DEMO_STEPS:
        step(context)


def register(app: typer.Typer) -> None:
    """Add `demo` to the application."""
    app.command()(demo)
