"""A screening run as an Excel workbook: one sheet per pack, and a key that says what each column means.

Each pack's sheet has one row per person screened (the people outside its population are not
screened, so not listed) with the person's id as `explain` takes it, the status, the date every
unmet criterion is met, the counts and one `crit:<id>` column per criterion of that pack. The last
sheet, `key`, gives the words of every column and every criterion, so a criterion id is explained
where it appears.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from secondchance.policy.compiler import CompiledPack
from secondchance.policy.parameters import values_as_of
from secondchance.policy.results import export_sql
from secondchance.policy.templates import TemplateError, fill_template
from secondchance.spreadsheet_xlsx import Sheet, query_sheet, write_xlsx

__all__ = ["COLUMN_WORDS", "export_xlsx"]

# The words of the columns every pack's sheet has (DESIGN.md, "Policy packs", for the statuses).
COLUMN_WORDS: dict[str, str] = {
    "person": "The person's id in the records: give it to `secondchance explain PERSON --pack PACK`.",
    "status": (
        "eligible: every criterion met; almost-eligible: what is unmet is met by time alone within the pack's "
        "window; needs-information: nothing unmet, something unknown (not a refusal); ineligible: a criterion unmet."
    ),
    "eligible_on": "The date every unmet criterion is met, when each has one.",
    "unmet": "How many of the pack's criteria are not met.",
    "unknown": "How many of the pack's criteria the records cannot decide (unknown is not unmet).",
    "crit:ID": "met, unmet or unknown for the criterion ID; its words are in the rows below.",
}


def _pack_query(run_id: int, compiled: CompiledPack, almost_only: bool) -> str:
    """The rows of one pack of a run: the person's source id first, no internal id."""
    criteria = [node.id for node in compiled.all_criteria()]
    pack = exp.Literal.string(compiled.pack.id).sql("duckdb")
    rows = export_sql(run_id, criteria, almost_only=almost_only)
    return (
        f"SELECT source_id AS person, * EXCLUDE (person_id, source_id, pack) FROM ({rows}) AS rows WHERE pack = {pack}"
    )


def _criterion_words(compiled: CompiledPack, as_of: date) -> Iterable[Sequence[Any]]:
    """(pack, column, kind, words) for every criterion of a pack, its parameters filled in as of the date."""
    values = {name: str(value) for name, value in values_as_of(compiled.pack, as_of).items()}
    for node in compiled.all_criteria():
        try:
            text = fill_template(node.node.text, lambda name: values[name])
        except (KeyError, TemplateError):
            text = node.node.text
        yield compiled.pack.id, f"crit:{node.id}", node.kind, " ".join(text.split())


def _key(packs: Sequence[CompiledPack], as_of: date) -> Sheet:
    rows: list[Sequence[Any]] = [("every pack", column, "", words) for column, words in COLUMN_WORDS.items()]
    for compiled in packs:
        rows += list(_criterion_words(compiled, as_of))
    return Sheet("key", ["pack", "column", "kind", "meaning"], rows)


def export_xlsx(
    connection: duckdb.DuckDBPyConnection,
    run_id: int,
    packs: Sequence[CompiledPack],
    as_of: date,
    out: Path,
    *,
    almost_only: bool = False,
) -> int:
    """Write a run's results to `out` as a workbook, one sheet per pack and a key; returns the people's rows."""
    sheets = [
        query_sheet(connection, compiled.pack.id, _pack_query(run_id, compiled, almost_only)) for compiled in packs
    ]
    key = _key(packs, as_of)
    return write_xlsx(out, [*sheets, key]) - len(list(key.rows))
