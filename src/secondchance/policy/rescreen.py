"""Re-dating and re-screening the people whose supplied answers changed, and what changed for them.

Issue 10: a person whose answers change is re-screened and re-dated at once. The packs are those of the
store's latest screening run, as of that run's date, so "before" and "after" compare like with like; the
whole population is screened again (a new run), so the latest run stays the population's, and the
changes are reported for the people concerned. The dates are computed again
(`sentencing.compute.compute_dates`, which reads supplied sentence inputs) when a supplied commencement
date or jail credit changed and the store holds computed dates.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from secondchance.policy.compiler import CompiledPack

__all__ = ["SENTENCE_INPUTS", "StatusChange", "Rescreen", "rescreen_people"]

# Supplied facts the sentencing engines read (`sentencing.inputs`): changing one re-dates the store.
SENTENCE_INPUTS = ("commencement_date", "jail_credit_days")


@dataclass(frozen=True)
class StatusChange:
    """One person's status under one pack, before the answers and after them."""

    source_id: str
    pack_id: str
    before: str | None  # None: not screened before (or outside the population)
    after: str | None

    @property
    def changed(self) -> bool:
        """Whether the status moved."""
        return self.before != self.after


@dataclass
class Rescreen:
    """What re-screening did: the run it wrote (if any), the dates it recomputed and each status."""

    run_id: int | None
    as_of: date | None
    redated: bool = False
    review_before: dict[str, list[str]] = field(default_factory=dict)  # source id -> review reasons
    review_after: dict[str, list[str]] = field(default_factory=dict)
    changes: list[StatusChange] = field(default_factory=list)


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _latest_run(connection: duckdb.DuckDBPyConnection) -> tuple[int, date, list[CompiledPack]] | None:
    """The latest screening run: its id, date and packs (found by path, else by id); None when there is none."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack

    if "screening_run" not in _tables(connection):
        return None
    row = connection.execute("SELECT run_id, as_of, packs FROM screening_run ORDER BY run_id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    packs = []
    for entry in json.loads(row[2] or "[]"):
        path = Path(str(entry.get("path") or ""))
        packs.append(load_pack(path if path.is_file() else find_pack(str(entry["id"]))))
    return int(row[0]), row[1], packs


def _statuses(
    connection: duckdb.DuckDBPyConnection, person_ids: Sequence[int], run_id: int | None = None
) -> dict[tuple[int, str], str]:
    """Each (person, pack) status: of one run, or the latest a run recorded."""
    listed = ", ".join(str(int(i)) for i in person_ids)
    where = f"person_id IN ({listed})" + (f" AND run_id = {int(run_id)}" if run_id is not None else "")
    rows = connection.execute(
        f"SELECT person_id, pack_id, arg_max(status, run_id) FROM screening_result WHERE {where} "
        "GROUP BY person_id, pack_id"
    ).fetchall()
    return {(int(person), str(pack)): str(status) for person, pack, status in rows}


def _reviews(connection: duckdb.DuckDBPyConnection, person_ids: Sequence[int]) -> dict[int, list[str]]:
    """The review reasons of each person's current (active) sentences in the computed dates."""
    if "computed_dates" not in _tables(connection):
        return {}
    listed = ", ".join(str(int(i)) for i in person_ids)
    rows = connection.execute(
        f"SELECT d.person_id, list(DISTINCT d.review_reason ORDER BY d.review_reason) FILTER (WHERE d.review_reason "
        f"IS NOT NULL) FROM computed_dates d JOIN sentence s ON s.id = d.sentence_id "
        f"WHERE d.person_id IN ({listed}) AND coalesce(s.status, 'active') = 'active' GROUP BY d.person_id"
    ).fetchall()
    return {int(person): [str(reason) for reason in reasons or []] for person, reasons in rows}


def _has_dates(connection: duckdb.DuckDBPyConnection) -> bool:
    if "computed_dates" not in _tables(connection):
        return False
    row = connection.execute("SELECT count(*) > 0 FROM computed_dates").fetchone()
    return bool(row and row[0])


def rescreen_people(
    connection: duckdb.DuckDBPyConnection, person_ids: Collection[int], changed_facts: Collection[str] = ()
) -> Rescreen:
    """Re-date (when sentence inputs changed) and re-screen these people with the latest run's packs."""
    from secondchance.policy.engine import screen

    latest = _latest_run(connection)
    source_ids = _source_ids(connection, list(set(person_ids)))
    people = sorted(set(person_ids), key=lambda person: source_ids.get(person, ""))
    result = Rescreen(run_id=None, as_of=latest[1] if latest else None)
    if not people:
        return result
    if _has_dates(connection) and set(changed_facts) & set(SENTENCE_INPUTS):
        from secondchance.sentencing.compute import compute_dates

        before = _reviews(connection, people)
        compute_dates(connection, latest[1] if latest else date.today())
        after = _reviews(connection, people)
        result.redated = True
        result.review_before = {source_ids[p]: before.get(p, []) for p in people}
        result.review_after = {source_ids[p]: after.get(p, []) for p in people}
    if latest is None:
        return result
    _, as_of, packs = latest
    before_status = _statuses(connection, people)
    # Everyone is screened again, not only these people, so the latest run stays whole for `path --nearest`,
    # letters and reports, which read a run as the population's.
    run = screen(connection, packs, as_of=as_of, facts_label="records store and supplied answers (re-screen)")
    after_status = _statuses(connection, people, run.run_id)
    result.run_id = run.run_id
    result.changes = [
        StatusChange(source_ids[person], compiled.pack.id, before_status.get((person, compiled.pack.id)),
                     after_status.get((person, compiled.pack.id)))
        for person in people
        for compiled in packs
    ]  # fmt: skip
    return result


def _source_ids(connection: duckdb.DuckDBPyConnection, people: Sequence[int]) -> dict[int, str]:
    if not people:
        return {}
    listed = ", ".join(str(int(i)) for i in people)
    rows = connection.execute(f"SELECT id, source_id FROM person WHERE id IN ({listed})").fetchall()
    return {int(person): str(source_id) for person, source_id in rows}
