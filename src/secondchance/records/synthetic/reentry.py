"""Reentry checklists: eight pathway tasks for each person due for release within a year."""

from __future__ import annotations

import numpy as np
import polars as pl

from secondchance.records.schema import ENUMS, REENTRY_PATHWAYS
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import dates, labels, person_row_keys
from secondchance.records.synthetic.people import Cohort

__all__ = ["reentry_table", "REENTRY_WINDOW_DAYS"]

REENTRY_WINDOW_DAYS = 365  # ASSUMPTION: checklists open a year before the projected release
_STATUSES = ENUMS["reentry_status"]


def reentry_table(rng: np.random.Generator, cohort: Cohort) -> pl.DataFrame:
    """Tasks due a fixed number of days before the projected release; past-due ones mostly done."""
    due_soon = (
        cohort.in_custody & (cohort.release >= cohort.as_of) & (cohort.release - cohort.as_of <= REENTRY_WINDOW_DAYS)
    )
    people = np.flatnonzero(due_soon)
    k = len(REENTRY_PATHWAYS)
    person = np.repeat(people, k)
    pathway = np.tile(np.arange(k, dtype=np.int64), people.size)
    lead = np.array([vocab.REENTRY_TASKS[p][1] for p in REENTRY_PATHWAYS], dtype=np.int64)[pathway]
    due = cohort.release[person] - lead
    rows = person.size
    u = rng.random(rows)
    overdue = due < cohort.as_of
    # ASSUMPTION: past due -> 70% done, 20% in progress, 10% open; not yet due -> 10% done,
    # 25% in progress, 5% not needed, 60% open.
    open_, in_progress, done, not_needed = (_STATUSES.index(s) for s in ("open", "in_progress", "done", "not_needed"))
    status = np.where(
        overdue,
        np.where(u < 0.7, done, np.where(u < 0.9, in_progress, open_)),
        np.where(u < 0.1, done, np.where(u < 0.35, in_progress, np.where(u < 0.4, not_needed, open_))),
    ).astype(np.int64)
    # Done on or before the due date, never after the reference date nor before custody began.
    completed = np.minimum(due, cohort.as_of) - np.floor(rng.random(rows) * 60).astype(np.int64)
    completed = np.maximum(completed, cohort.custody_start[person])
    return pl.DataFrame(
        {
            **person_row_keys("RI", person),
            "pathway": labels(REENTRY_PATHWAYS, pathway),
            "task": labels([vocab.REENTRY_TASKS[p][0] for p in REENTRY_PATHWAYS], pathway),
            "due_date": dates(due),
            "status": labels(_STATUSES, status),
            "completed_on": dates(completed, status != done),
        }
    )
