"""Generate a synthetic population and write it into the records store.

Each table draws from its own random stream (spawned from the seed), so the same seed and
arguments give byte-identical tables, and a change to one table's draws leaves the others alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import get_args

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
    "generate_frames",
    "generate_population",
]

JURISDICTIONS: tuple[str, ...] = get_args(Jurisdiction)
# A population is drawn in memory: about 5.5 GB at the peak per million people.
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
    streams = dict(
        zip(
            _STREAMS + _STREAMS_MORE,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS + _STREAMS_MORE))),
            strict=True,
        )
    )

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    step(GENERATION_STEPS[0])
    cohort = build_cohort(streams["cohort"], people, jurisdiction, day_number(as_of))  # type: ignore[arg-type]
    person = person_table(streams["person"], cohort)
    step(GENERATION_STEPS[1])
    sentences = build_sentences(streams["sentence"], cohort)
    charges = charge_table(streams["charge"], sentences)
    step(GENERATION_STEPS[2])
    custody = custody_table(streams["custody"], cohort, sentences.priors)
    releases = release_table(streams["release"], cohort, sentences.priors)
    step(GENERATION_STEPS[3])
    education_known = person["education_level"].is_not_null().to_numpy()
    needs = draw_needs(streams["needs"], cohort, education_known)
    assessments = assessment_table(streams["assessment"], cohort, needs)
    step(GENERATION_STEPS[4])
    incidents = incident_table(streams["incident"], cohort)
    step(GENERATION_STEPS[5])
    programs = program_tables(streams["program"], cohort, needs)
    step(GENERATION_STEPS[6])
    reentry = reentry_table(streams["reentry"], cohort)
    return Generated(
        frames={
            "person": person,
            "sentence": sentences.table,
            "charge": charges,
            "custody_period": custody,
            "assessment": assessments,
            "program": programs.program,
            "program_offering": programs.offering,
            "enrollment": programs.enrollment,
            "incident": incidents,
            "release": releases,
            "reentry_item": reentry,
        },
        need_by_program=programs.need_by_program,
        seats_by_program=programs.seats_by_program,
    )


def generate_population(
    store: str | Path,
    people: int,
    seed: int,
    jurisdiction: str = "mixed",
    *,
    as_of: date = cal.AS_OF,
    on_step: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Generate a population and replace the synthetic rows of the store with it."""
    started = time.perf_counter()
    generated = generate_frames(people, seed, jurisdiction, as_of=as_of, on_step=on_step)
    try:
        with open_store(store) as connection:
            counts = write_tables(
                connection,
                generated.frames,
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
