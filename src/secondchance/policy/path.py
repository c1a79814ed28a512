"""A path to eligibility: what stands between a person and eligibility under a pack, cheapest first.

From a screening result (policy.explain reads it), every criterion not met becomes a step:
- `time`: unmet now, met by time alone on its `eligible_on` date (a date after the screening date);
- `document`: unknown, and a document the pack names can settle it (which one, and who holds it);
- `role`: a judgement (or a proxy no document settles) that needs a named person: attorney, warden,
  court, clinician or reviewer (policy.path_settlers holds the words that name them);
- `cannot`: unmet with no date to come: it cannot be met, and the criterion's text says why.
Groups follow their logic: an `all_of` needs every part, an `any_of` is open only when no branch is
met and its cheapest branch is the path, an `at_least: N` needs its cheapest missing branches.
The one-line answer is "eligible now", "eligible on DATE [if X and Y are confirmed]", "eligible if X
and Y are confirmed", "not eligible under this pack: REASON" or "outside this pack's population".
Unknown is never "not eligible": only an unmet criterion with no date to come is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import duckdb

from secondchance.errors import UserError
from secondchance.policy.compiler import CompiledCriterion, CompiledPack
from secondchance.policy.explain import CriterionExplanation, Explanation, PersonRef, explain
from secondchance.policy.parameters import values_as_of
from secondchance.policy.path_settlers import DEFAULT_ROLE, documents_named, role_named
from secondchance.policy.status import NOT_IN_POPULATION

__all__ = [
    "CATEGORIES",
    "STEP_WORDS",
    "Blocker",
    "Outcome",
    "PackPath",
    "Step",
    "answer_line",
    "blocker_order",
    "blocking",
    "latest_run_packs",
    "nearest",
    "pack_run",
    "path_of",
    "person_paths",
    "population_paths",
    "settled_by",
]

Category = Literal["time", "document", "role", "cannot"]
Outcome = Literal["eligible-now", "eligible-on", "eligible-if", "not-eligible", "outside-population"]
# Cheapest first: waiting costs nothing, a document costs a request, a decision costs a person's time.
CATEGORIES: tuple[Category, ...] = ("time", "document", "role", "cannot")
_RANK = {category: rank for rank, category in enumerate(CATEGORIES)}
OUTSIDE_POPULATION = "outside this pack's population"


# How each kind of step reads in tables and sheets: what it waits for, what settles it.
STEP_WORDS: dict[Category, str] = {
    "time": "wait",
    "document": "document",
    "role": "decision",
    "cannot": "cannot be met",
}


def settled_by(
    category: Category, eligible_on: date | None, document: str | None, holder: str | None, role: str | None
) -> str:
    """What settles a step, in words: the date, the document and its holder, or who decides."""
    if category == "time":
        return f"on {eligible_on.isoformat()}" if eligible_on else ""
    parts = []
    if document:
        parts.append(f"{document} ({holder})" if holder else document)
    elif category == "document":
        parts.append("a record showing it (the pack names none)")
    if role:
        verb = {"role": "decides", "cannot": "may review", "document": "can supply it"}[category]
        parts.append(f"{role} {verb}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Step:
    """One criterion that stands between the person and eligibility, and what would settle it."""

    category: Category
    criterion_id: str
    text: str
    kind: str  # rule | proxy | judgement | group
    status: str  # unmet | unknown
    eligible_on: date | None = None
    document: str | None = None
    holder: str | None = None
    role: str | None = None
    reason: str | None = None  # the pack's unknown_reason, in its words

    @property
    def is_open(self) -> bool:
        """Whether the step can still be met (every category but `cannot`)."""
        return self.category != "cannot"


@dataclass(frozen=True)
class PackPath:
    """A person's path to eligibility under one pack, and its one-line answer."""

    pack_id: str
    person: PersonRef
    as_of: date
    status: str
    run_id: int | None
    steps: tuple[Step, ...]
    population_reason: str | None = None  # outside the population: the condition that failed, when known

    @property
    def in_population(self) -> bool:
        """Whether the pack applies to the person at all."""
        return self.status != NOT_IN_POPULATION

    @property
    def open_steps(self) -> tuple[Step, ...]:
        """The steps that can still be met, cheapest first."""
        return tuple(step for step in self.steps if step.is_open)

    @property
    def blocked(self) -> bool:
        """Whether a criterion cannot be met."""
        return any(not step.is_open for step in self.steps)

    @property
    def eligible_on(self) -> date | None:
        """The date the last time-based step is met; None when none waits on time."""
        dates = [step.eligible_on for step in self.steps if step.category == "time" and step.eligible_on]
        return max(dates) if dates else None

    @property
    def to_confirm(self) -> tuple[Step, ...]:
        """The steps someone must confirm (documents and decisions)."""
        return tuple(step for step in self.steps if step.category in ("document", "role"))

    @property
    def outcome(self) -> Outcome:
        """Which of the five answers applies."""
        if not self.in_population:
            return "outside-population"
        if self.blocked:
            return "not-eligible"
        if not self.steps:
            return "eligible-now"
        return "eligible-if" if self.to_confirm else "eligible-on"

    @property
    def answer(self) -> str:
        """The one-line answer."""
        return answer_line(self)


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def answer_line(path: PackPath) -> str:
    """ "eligible now", "eligible on DATE [if X and Y are confirmed]", "eligible if ...", or why not."""
    outcome = path.outcome
    if outcome == "outside-population":
        return f"{OUTSIDE_POPULATION}: {path.population_reason}" if path.population_reason else OUTSIDE_POPULATION
    if outcome == "not-eligible":
        # A criterion's text states what must hold, so it is quoted as the condition not met, never as a finding.
        reasons = [
            f'{step.criterion_id} is not met ("{step.text.rstrip(".")}")' for step in path.steps if not step.is_open
        ]
        return "not eligible under this pack: " + "; ".join(reasons)
    if outcome == "eligible-now":
        return "eligible now"
    when = f" on {path.eligible_on.isoformat()}" if path.eligible_on else ""
    confirm = [step.criterion_id for step in path.to_confirm]
    if not confirm:
        return f"eligible{when}"
    verb = "is" if len(confirm) == 1 else "are"
    return f"eligible{when} if {_join(confirm)} {verb} confirmed"


# ---------------------------------------------------------------------------- building the steps


def _leaf_step(item: CriterionExplanation, text: str, reason: str | None, as_of: date) -> Step:
    """The step of a leaf criterion that is not met."""
    step = Step("cannot", item.id, text, item.kind, item.status, reason=reason)
    if item.status == "unmet":
        if item.eligible_on is not None and item.eligible_on > as_of:
            return replace(step, category="time", eligible_on=item.eligible_on)
        # A proxy the records answer "no" is still a reviewer's to overturn: say who, but it is not open.
        return replace(step, role=role_named(reason, text) or DEFAULT_ROLE) if item.kind == "proxy" else step
    documents = documents_named(reason, text)
    if documents:
        step = replace(step, document=documents[0].name, holder=documents[0].holder)
    if item.kind == "judgement" or (item.kind == "proxy" and not documents):
        return replace(step, category="role", role=role_named(reason, text) or DEFAULT_ROLE)
    # With no document named, the person the pack says can supply the fact (if it names one).
    return replace(step, category="document", role=None if documents else role_named(reason))


@dataclass(frozen=True)
class _Branch:
    """The steps a node needs, and how dear they are: (cannot, dearest category, count, latest date)."""

    steps: tuple[Step, ...]

    @property
    def cost(self) -> tuple[bool, int, int, date]:
        ranks = [_RANK[step.category] for step in self.steps]
        dates = [step.eligible_on for step in self.steps if step.eligible_on is not None]
        blocked = any(not step.is_open for step in self.steps)
        return blocked, max(ranks, default=-1), len(self.steps), max(dates, default=date.min)

    @property
    def blocked(self) -> bool:
        return self.cost[0]


class _Walker:
    """Walks an explanation's criterion tree, turning what is not met into steps."""

    def __init__(
        self, explanation: Explanation, words: Mapping[str, str], texts: dict[str, tuple[str, str | None]]
    ) -> None:
        self.explanation = explanation
        self.words = words
        self.texts = texts  # criterion id -> (text, unknown_reason), filled once per pack

    def words_of(self, item: CriterionExplanation) -> tuple[str, str | None]:
        """The criterion's text and unknown_reason with the parameters filled in."""
        if item.id not in self.texts:
            pack = self.explanation.pack
            self.texts[item.id] = (item.text(pack, self.words), item.unknown_reason(pack, self.words))
        return self.texts[item.id]

    def group_step(self, item: CriterionExplanation) -> Step:
        """A group none of whose ways can be met: it cannot be met, in its own words."""
        text, reason = self.words_of(item)
        return Step("cannot", item.id, text, "group", item.status, reason=reason)

    def node(self, item: CriterionExplanation) -> _Branch:
        if item.status == "met":
            return _Branch(())
        if item.kind != "group":
            text, reason = self.words_of(item)
            return _Branch((_leaf_step(item, text, reason, self.explanation.as_of),))
        children = self.explanation.children(item)
        if item.combination == "all_of":
            return self.all_of(children)
        missing = [self.node(child) for child in children if child.status != "met"]
        needed = 1 if item.combination == "any_of" else (item.at_least or 1) - (len(children) - len(missing))
        cheapest = sorted((branch for branch in missing if not branch.blocked), key=lambda branch: branch.cost)
        if len(cheapest) < needed:
            return _Branch((self.group_step(item),))
        return _Branch(tuple(step for branch in cheapest[:needed] for step in branch.steps))

    def all_of(self, children: Sequence[CriterionExplanation]) -> _Branch:
        return _Branch(tuple(step for child in children for step in self.node(child).steps))


def _ordered(steps: Sequence[Step]) -> tuple[Step, ...]:
    """Cheapest first: by category, time steps by date; the pack's order otherwise."""
    unique = list({step.criterion_id: step for step in steps}.values())
    return tuple(sorted(unique, key=lambda step: (_RANK[step.category], step.eligible_on or date.min)))


def path_of(
    explanation: Explanation,
    words: Mapping[str, str] | None = None,
    texts: dict[str, tuple[str, str | None]] | None = None,
) -> PackPath:
    """The path to eligibility of one explained result (stored or screened on the fly).

    `words` are the pack's parameters as text (computed from the explanation when not given); `texts`
    is a cache of criterion texts that people screened with the same pack and parameters can share.
    """
    from secondchance.policy.letters import parameter_words

    steps: tuple[Step, ...] = ()
    if explanation.in_population:
        words = words if words is not None else parameter_words(explanation.parameters, "en")
        walker = _Walker(explanation, words, texts if texts is not None else {})
        steps = _ordered(walker.all_of(explanation.top_level).steps)
    return PackPath(
        pack_id=explanation.pack.id,
        person=explanation.person,
        as_of=explanation.as_of,
        status=explanation.status,
        run_id=explanation.run_id,
        steps=steps,
        population_reason=_population_reason(explanation),
    )


def _population_reason(explanation: Explanation) -> str | None:
    """The population condition that is false or unknown, when the explanation names it."""
    condition = explanation.population_failure
    if condition is None:
        return None
    # An unknown condition is not a "no": the person may be in the population once it is recorded.
    return f"{condition.text} is {'unknown' if condition.value is None else 'not met'}"


# ---------------------------------------------------------------------------- one person, every pack


def latest_run_packs(connection: duckdb.DuckDBPyConnection) -> list[CompiledPack]:
    """The packs of the latest screening run, compiled from their files (shipped ids first, else the path)."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack, list_packs

    if not {"screening_run", "screening_result", "screening_criterion"} <= _tables(connection):
        return []
    rows = connection.execute("SELECT packs FROM screening_run ORDER BY run_id DESC LIMIT 1").fetchall()
    shipped = dict(list_packs())
    compiled: list[CompiledPack] = []
    for record in _json_list(rows[0][0] if rows else None):
        reference = str(record.get("id", ""))
        path = shipped.get(reference) or Path(str(record.get("path", "")))
        if reference in shipped or path.is_file():
            compiled.append(load_pack(find_pack(str(path))))
    return compiled


def person_paths(
    connection: duckdb.DuckDBPyConnection, person: PersonRef, packs: Sequence[CompiledPack], as_of: date | None
) -> list[PackPath]:
    """The person's path under each pack: from the latest stored run that holds them, else screened now."""
    paths = []
    for compiled in packs:
        # Outside a run's population a person is screened now: as of the run's date, so answers agree.
        when = as_of or _latest_as_of(connection, compiled)
        paths.append(path_of(explain(connection, compiled, person, when)))
    return paths


def _latest_as_of(connection: duckdb.DuckDBPyConnection, compiled: CompiledPack) -> date | None:
    try:
        return pack_run(connection, compiled, None)[1]
    except UserError:
        return None


# ---------------------------------------------------------------------------- a whole population


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _json_list(text: str | None) -> list[dict[str, Any]]:
    try:
        items = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def pack_run(connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, as_of: date | None) -> tuple[int, date]:
    """The latest run that screened with this very pack file (as of `as_of`, when given); UserError if none."""
    rows: list[tuple[Any, ...]] = []
    if {"screening_run", "screening_result", "screening_criterion"} <= _tables(connection):
        rows = connection.execute(
            "SELECT run_id, as_of, packs FROM screening_run WHERE (CAST(? AS DATE) IS NULL OR as_of = ?) "
            "ORDER BY run_id DESC",
            [as_of, as_of],
        ).fetchall()
    for run_id, run_as_of, packs in rows:
        recorded = [pack for pack in _json_list(packs) if pack.get("id") == compiled.pack.id]
        # A run of another version of the pack file would list criteria that may have changed.
        if recorded and recorded[0].get("sha256") == compiled.sha256:
            return int(run_id), run_as_of
    when = f" as of {as_of.isoformat()}" if as_of else ""
    raise UserError(
        f"no screening run{when} used this version of {compiled.pack.id}; "
        f"run `secondchance screen --pack {compiled.pack.id}` first"
    )


def _tree(compiled: CompiledPack) -> list[tuple[CompiledCriterion, int]]:
    found: list[tuple[CompiledCriterion, int]] = []

    def visit(nodes: tuple[CompiledCriterion, ...], depth: int) -> None:
        for node in nodes:
            found.append((node, depth))
            visit(node.children, depth + 1)

    visit(compiled.criteria, 0)
    return found


def population_paths(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, as_of: date | None = None
) -> list[PackPath]:
    """Everyone a stored run screened against the pack (the latest run, or the latest as of `as_of`), with paths."""
    from secondchance.policy.letters import parameter_words

    run_id, run_as_of = pack_run(connection, compiled, as_of)
    parameters = values_as_of(compiled.pack, run_as_of)
    words = parameter_words(parameters, "en")
    texts: dict[str, tuple[str, str | None]] = {}
    people = connection.execute(
        "SELECT r.person_id, coalesce(p.source, ''), coalesce(r.source_id, ''), r.status, r.eligible_on, "
        "r.unmet_count, r.unknown_count FROM screening_result r LEFT JOIN person p ON p.id = r.person_id "
        "WHERE r.run_id = ? AND r.pack_id = ? ORDER BY r.person_id",
        [run_id, compiled.pack.id],
    ).fetchall()
    statuses: dict[int, dict[str, tuple[str, date | None]]] = {}
    for person_id, criterion_id, status, eligible_on in connection.execute(
        "SELECT person_id, criterion_id, status, eligible_on FROM screening_criterion WHERE run_id = ? AND pack_id = ?",
        [run_id, compiled.pack.id],
    ).fetchall():
        statuses.setdefault(int(person_id), {})[str(criterion_id)] = (str(status), eligible_on)
    tree = _tree(compiled)
    paths = []
    for person_id, source, source_id, status, eligible_on, unmet, unknown in people:
        rows = statuses.get(int(person_id), {})
        criteria = tuple(
            CriterionExplanation(
                node=node.node,
                parent_id=node.parent_id,
                depth=depth,
                status=rows.get(node.id, ("unknown", None))[0],
                eligible_on=rows.get(node.id, ("unknown", None))[1],
                evidence={},
                children=tuple(child.id for child in node.children),
            )
            for node, depth in tree
        )
        explanation = Explanation(
            person=PersonRef(int(person_id), str(source), str(source_id)),
            compiled=compiled,
            as_of=run_as_of,
            status=str(status),
            eligible_on=eligible_on,
            unmet_count=int(unmet),
            unknown_count=int(unknown),
            run_id=run_id,
            parameters=parameters,
            criteria=criteria,
        )
        paths.append(path_of(explanation, words, texts))
    return paths


def nearest(paths: Sequence[PackPath], limit: int | None = None) -> list[PackPath]:
    """People nearest to eligibility: fewest open steps, then soonest date; those who cannot be eligible last."""

    def key(path: PackPath) -> tuple[bool, int, date, int]:
        # No date to wait for is as soon as can be: the screening date.
        return path.blocked, len(path.open_steps), path.eligible_on or path.as_of, path.person.person_id

    ordered = sorted((path for path in paths if path.in_population), key=key)
    return ordered[:limit] if limit is not None else ordered


@dataclass(frozen=True)
class Blocker:
    """An unknown criterion, and how many people it stands between and eligibility."""

    pack_id: str
    criterion_id: str
    text: str
    category: Category
    document: str | None
    holder: str | None
    role: str | None
    only: int  # people for whom it is the only thing to confirm (a wait for a date aside)
    among: int  # people for whom it is one of the things to confirm


def blocker_order(blocker: Blocker) -> tuple[int, int, str, list[int | str]]:
    """Most people first, then most people for whom it is the only one; ids in natural order (r_5 before r_10)."""
    natural: list[int | str] = [
        int(part) if part.isdigit() else part for part in re.split(r"(\d+)", blocker.criterion_id)
    ]
    return -blocker.among, -blocker.only, blocker.pack_id, natural


def blocking(paths: Sequence[PackPath]) -> list[Blocker]:
    """The criteria to confirm, by the people they block (most first); people who cannot be eligible aside."""
    found: dict[tuple[str, str], Step] = {}
    only: dict[tuple[str, str], int] = {}
    among: dict[tuple[str, str], int] = {}
    for path in paths:
        if path.blocked or not path.in_population:
            continue
        confirm = path.to_confirm
        for step in confirm:
            key = (path.pack_id, step.criterion_id)
            found.setdefault(key, step)
            among[key] = among.get(key, 0) + 1
            if len(confirm) == 1:
                only[key] = only.get(key, 0) + 1
    blockers = [
        Blocker(
            pack,
            cid,
            step.text,
            step.category,
            step.document,
            step.holder,
            step.role,
            only.get((pack, cid), 0),
            among[(pack, cid)],
        )
        for (pack, cid), step in found.items()
    ]
    return sorted(blockers, key=blocker_order)
