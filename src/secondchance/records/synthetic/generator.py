"""Generate a synthetic population and write it into the records store.

Each table draws from its own random stream (spawned from the seed), so the same seed and
arguments give byte-identical tables, and a change to one table's draws leaves the others alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast, get_args

import duckdb
import numpy as np
import polars as pl

from secondchance.errors import UserError
from secondchance.records.store import open_store
from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic._arrays import day_number
from secondchance.records.synthetic.assessments import assessment_table, draw_needs
from secondchance.records.synthetic.custody import custody_table, release_table
from secondchance.records.synthetic.incidents import incident_table
from secondchance.records.synthetic.people import Jurisdiction, build_cohort, person_table
from secondchance.records.synthetic.programs import program_tables
from secondchance.records.synthetic.reentry import reentry_table
from secondchance.records.synthetic.sentences import build_sentences, charge_table
from secondchance.records.synthetic.store_writer import write_tables

__all__ = [
    "JURISDICTIONS",
    "GENERATION_STEPS",
    "Generated",
    "GenerationResult",
    "NOT_DRAWN",
    "generate_frames",
    "generate_population",
]

# Records tables the generator leaves empty, and why: they are not about people.
NOT_DRAWN: dict[str, str] = {
    "offense_table_entry": "a source's own published offence tables (the CDCR export's PIR tables A-F)",
}

JURISDICTIONS: tuple[str, ...] = get_args(Jurisdiction)
# A population is drawn in memory: about 4.5 GB at the peak per million people.
MAX_PEOPLE = 3_000_000

# Steps reported to a progress callback, in order (the store step reports once per table).
GENERATION_STEPS: tuple[str, ...] = (
    "people",
    "sentences and charges",
    "custody and releases",
    "assessments",
    "incidents",
    "programmes and enrolments",
    "reentry items",
)

_STREAMS = ("cohort", "person", "sentence", "charge", "custody", "release", "needs", "assessment", "incident")
_STREAMS_MORE = ("program", "reentry")


@dataclass
class Generated:
    """The generated tables (local ids from 1) and programme need against seats."""

    frames: dict[str, pl.DataFrame]
    need_by_program: dict[str, int] = field(default_factory=dict)
    seats_by_program: dict[str, int] = field(default_factory=dict)


@dataclass
class GenerationResult:
    """What `generate_population` wrote."""

    store: Path
    people: int
    seed: int
    jurisdiction: str
    as_of: date
    counts: dict[str, int]
    seconds: float
    need_by_program: dict[str, int]
    seats_by_program: dict[str, int]


def generate_frames(
    people: int,
    seed: int,
    jurisdiction: str = "mixed",
    *,
    as_of: date = cal.AS_OF,
    on_step: Callable[[str], None] | None = None,
) -> Generated:
    """Draw every table of a population of `people` in memory."""
    _check(people, seed, jurisdiction)
    generated = Generated(frames={})
    for name, frame in _draw_tables(generated, people, seed, jurisdiction, as_of, on_step):
        generated.frames[name] = frame
    return generated


def _draw_tables(
    generated: Generated,
    people: int,
    seed: int,
    jurisdiction: str,
    as_of: date,
    on_step: Callable[[str], None] | None,
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Yield (table name, frame) one table at a time, so a writer can store each and let it go."""
    names = _STREAMS + _STREAMS_MORE
    children = np.random.SeedSequence(seed).spawn(len(names))
    streams = {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    step(GENERATION_STEPS[0])
    cohort = build_cohort(streams["cohort"], people, cast(Jurisdiction, jurisdiction), day_number(as_of))
    person = person_table(streams["person"], cohort)
    education_known = person["education_level"].is_not_null().to_numpy()
    yield "person", person
    del person
    step(GENERATION_STEPS[1])
    sentences = build_sentences(streams["sentence"], cohort)
    yield "sentence", sentences.table
    yield "charge", charge_table(streams["charge"], sentences)
    step(GENERATION_STEPS[2])
    yield "custody_period", custody_table(streams["custody"], cohort, sentences.priors)
    yield "release", release_table(streams["release"], cohort, sentences.priors)
    del sentences
    step(GENERATION_STEPS[3])
    needs = draw_needs(streams["needs"], cohort, education_known)
    yield "assessment", assessment_table(streams["assessment"], cohort, needs)
    step(GENERATION_STEPS[4])
    yield "incident", incident_table(streams["incident"], cohort)
    step(GENERATION_STEPS[5])
    programs = program_tables(streams["program"], cohort, needs)
    generated.need_by_program = programs.need_by_program
    generated.seats_by_program = programs.seats_by_program
    yield "program", programs.program
    yield "program_offering", programs.offering
    yield "enrollment", programs.enrollment
    del programs
    step(GENERATION_STEPS[6])
    yield "reentry_item", reentry_table(streams["reentry"], cohort)


def generate_population(
    store: str | Path,
    people: int,
    seed: int,
    jurisdiction: str = "mixed",
    *,
    as_of: date = cal.AS_OF,
    on_step: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Generate a population and replace the synthetic rows of the store with it, one table at a time."""
    _check(people, seed, jurisdiction)
    started = time.perf_counter()
    generated = Generated(frames={})
    try:
        with open_store(store) as connection:
            counts = write_tables(
                connection,
                _draw_tables(generated, people, seed, jurisdiction, as_of, on_step),
                on_table=(lambda name: on_step(f"store: {name}")) if on_step is not None else None,
            )
    except duckdb.IOException as error:
        # E.g. another process holds the store open for writing.
        reason = str(error).splitlines()[0]
        raise UserError(f"cannot write the records store {store}: {reason}") from None
    return GenerationResult(
        store=Path(store),
        people=people,
        seed=seed,
        jurisdiction=jurisdiction,
        as_of=as_of,
        counts=counts,
        seconds=time.perf_counter() - started,
        need_by_program=generated.need_by_program,
        seats_by_program=generated.seats_by_program,
    )


def _check(people: int, seed: int, jurisdiction: str) -> None:
    if not 1 <= people <= MAX_PEOPLE:
        raise UserError(
            f"--people must be between 1 and {MAX_PEOPLE:,} (the population is built in memory); got {people:,}"
        )
    if seed < 0:
        raise UserError(f"--seed must be zero or positive; got {seed}")
    if jurisdiction not in JURISDICTIONS:
        raise UserError(f"--jurisdiction must be one of {', '.join(JURISDICTIONS)}; got {jurisdiction!r}")
