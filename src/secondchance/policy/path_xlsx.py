"""Paths to eligibility as Excel sheets: one sheet per pack, one row per step, headers in words.

A person's path and the nearest-to-eligible list give one row for each step between a person and
eligibility (a person with none has one row, the answer), so a filter on a column lists, say, everyone
waiting on a judgment. The blocking list gives one row per criterion to confirm. The writing, frozen
header, filters and formula-looking text kept as text, is spreadsheet_xlsx's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from secondchance.policy.path import STEP_WORDS, Blocker, PackPath, Step, settled_by
from secondchance.spreadsheet_xlsx import Sheet

__all__ = ["BLOCKER_COLUMNS", "STEP_COLUMNS", "blocking_sheets", "path_sheets"]

# The columns of a path sheet: the person and the answer, then the step of that row.
STEP_COLUMNS = (
    "person id",
    "status",
    "answer",
    "open steps",
    "eligible on (last wait)",
    "step",
    "criterion",
    "what it asks",
    "settled by",
    "document",
    "holder of the document",
    "who decides",
    "step met on",
)
BLOCKER_COLUMNS = (
    "criterion",
    "what it asks",
    "step",
    "people for whom it is one thing to confirm",
    "people for whom it is the only thing to confirm",
    "settled by",
    "document",
    "holder of the document",
    "who decides",
)


def _step_cells(step: Step) -> list[Any]:
    return [
        STEP_WORDS[step.category],
        step.criterion_id,
        step.text,
        settled_by(step.category, step.eligible_on, step.document, step.holder, step.role),
        step.document,
        step.holder,
        step.role,
        step.eligible_on,
    ]


def _path_rows(paths: Iterable[PackPath]) -> Iterable[list[Any]]:
    """One row per step of each path, the person's answer on each; one row for a path with no step."""
    for found in paths:
        person = [found.person.source_id, found.status, found.answer, len(found.open_steps), found.eligible_on]
        if not found.steps:
            yield person + [None] * (len(STEP_COLUMNS) - len(person))
        for step in found.steps:
            yield person + _step_cells(step)


def path_sheets(paths_by_pack: Mapping[str, Sequence[PackPath]]) -> list[Sheet]:
    """A sheet per pack (named for it), in the order given, with a row per step of each path."""
    return [Sheet(pack_id, STEP_COLUMNS, _path_rows(paths)) for pack_id, paths in paths_by_pack.items()]


def _blocker_row(blocker: Blocker) -> list[Any]:
    return [
        blocker.criterion_id,
        blocker.text,
        STEP_WORDS[blocker.category],
        blocker.among,
        blocker.only,
        settled_by(blocker.category, None, blocker.document, blocker.holder, blocker.role),
        blocker.document,
        blocker.holder,
        blocker.role,
    ]


def blocking_sheets(pack_ids: Sequence[str], blockers: Sequence[Blocker]) -> list[Sheet]:
    """A sheet per pack (one with no rows when nothing blocks anyone), blockers in the order given."""
    return [
        Sheet(pack_id, BLOCKER_COLUMNS, [_blocker_row(item) for item in blockers if item.pack_id == pack_id])
        for pack_id in pack_ids
    ]
