"""Explanations: one person against one pack, criterion by criterion, from the screening results.

An explanation says, for every criterion and group of the pack, its status (met, unmet, unknown),
its text with the parameters in force filled in, the fact values its test read (the evidence), the
date a time-based criterion is or will be met, its kind (proxy and judgement criteria need a person
to review them) and, when unknown, why and who can supply what is missing.

It reads the latest stored screening run that holds the person for the pack (same pack file, by
content hash); without one it screens that person on the fly through the engine, so the rules are
never re-implemented here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from secondchance.errors import UserError
from secondchance.policy.compiler import CompiledCriterion, CompiledPack
from secondchance.policy.pack import Criterion, CriterionTranslation, Group, Pack, ParameterValue
from secondchance.policy.parameters import values_as_of
from secondchance.policy.population import PopulationCondition, failed_condition
from secondchance.policy.provenance import DECIDED_KEY, PROVENANCE_KEYS, STORE_LAYER, SUPPLIED_KEY, provenance_sql
from secondchance.policy.status import NOT_IN_POPULATION
from secondchance.policy.templates import TemplateError, fill_template

__all__ = [
    "CriterionExplanation",
    "Explanation",
    "PersonRef",
    "explain",
    "explain_person",
    "find_person",
]


@dataclass(frozen=True)
class PersonRef:
    """The person an explanation is about: internal id, source, source id and display name (if any)."""

    person_id: int
    source: str
    source_id: str
    name: str | None = None


@dataclass(frozen=True)
class CriterionExplanation:
    """One criterion or group of the pack, as it stands for the person."""

    node: Criterion | Group
    parent_id: str | None
    depth: int
    status: str  # met | unmet | unknown
    eligible_on: date | None
    evidence: Mapping[str, Any]  # fact name -> value read (dates as date objects); empty for groups
    children: tuple[str, ...] = ()
    # `_supplied` (fact -> where its value came from) and `_decided` (the decision), `policy.provenance`
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The criterion id."""
        return self.node.id

    @property
    def kind(self) -> str:
        """`rule`, `proxy`, `judgement`, or `group`."""
        return self.node.kind if isinstance(self.node, Criterion) else "group"

    @property
    def combination(self) -> str | None:
        """For a group: `all_of`, `any_of` or `at_least`."""
        return self.node.combination if isinstance(self.node, Group) else None

    @property
    def at_least(self) -> int | None:
        """For an `at_least` group: how many of its criteria must be met."""
        return self.node.at_least if isinstance(self.node, Group) else None

    @property
    def needs_review(self) -> bool:
        """Whether a person must review this result (proxy or judgement criteria)."""
        return self.kind in ("proxy", "judgement")

    @property
    def time_based(self) -> bool:
        """Whether the criterion has a date on which it becomes true."""
        return isinstance(self.node, Criterion) and self.node.eligible_on is not None

    def _translation(self, pack: Pack, language: str) -> CriterionTranslation | None:
        """The pack's words for this criterion in `language`; None for English or when it has none."""
        translated = pack.translations.get(language)
        return translated.criteria.get(self.id) if translated is not None and language != "en" else None

    def text(self, pack: Pack, values: Mapping[str, str], language: str = "en") -> str:
        """The criterion text in `language` (English when the pack has no translation), parameters filled in."""
        words = self._translation(pack, language)
        template = words.text if words is not None else self.node.text
        return _fill(template, values)

    @property
    def supplied(self) -> Mapping[str, Mapping[str, Any]]:
        """Each supplied fact this result rests on, with who supplied it, from what document and why."""
        found = self.provenance.get(SUPPLIED_KEY)
        return found if isinstance(found, dict) else {}

    @property
    def decided(self) -> Mapping[str, Any] | None:
        """The decision that settled this criterion (who, met or unmet, why, from what), if one did."""
        found = self.provenance.get(DECIDED_KEY)
        return found if isinstance(found, dict) else None

    def provenance_lines(self) -> list[str]:
        """The supplied values and the decision behind this result, in words (English)."""
        lines = [
            f"{name} = {item.get('value')}{_since(item)}, supplied by {item.get('by')} from "
            f"{_document(item)}: {item.get('reason')}"
            for name, item in self.supplied.items()
        ]
        if self.decided is not None:
            item = self.decided
            source = f" from {_document(item)}" if item.get("document") else ""
            lines.append(f"decided {item.get('decision')} by {item.get('by')}{source}: {item.get('reason')}")
        return lines

    def unknown_reason(self, pack: Pack, values: Mapping[str, str], language: str = "en") -> str | None:
        """Why the criterion can be unknown and who can supply what is missing, in `language`."""
        words = self._translation(pack, language)
        reason = words.unknown_reason if words is not None and words.unknown_reason else self.node.unknown_reason
        return _fill(reason, values) if reason else None


@dataclass(frozen=True)
class Explanation:
    """A person's screening result for one pack, with every criterion explained."""

    person: PersonRef
    compiled: CompiledPack
    as_of: date
    status: str  # eligible | almost-eligible | needs-information | ineligible | not-in-population
    eligible_on: date | None
    unmet_count: int
    unknown_count: int
    run_id: int | None  # the stored run read, or None when screened on the fly
    parameters: Mapping[str, ParameterValue]
    criteria: tuple[CriterionExplanation, ...]
    fact_types: Mapping[str, str] = field(default_factory=dict)
    # Outside the population: the population condition that failed (policy.population), else None.
    population_failure: PopulationCondition | None = None

    @property
    def pack(self) -> Pack:
        """The pack explained."""
        return self.compiled.pack

    @property
    def top_level(self) -> tuple[CriterionExplanation, ...]:
        """The criteria that decide the status (not inside a group)."""
        return tuple(item for item in self.criteria if item.parent_id is None)

    def criterion(self, criterion_id: str) -> CriterionExplanation:
        """The explanation of one criterion by id."""
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)

    def children(self, item: CriterionExplanation) -> tuple[CriterionExplanation, ...]:
        """The criteria a group combines, in pack order."""
        return tuple(self.criterion(child) for child in item.children)

    @property
    def in_population(self) -> bool:
        """Whether the pack applies to the person at all."""
        return self.status != NOT_IN_POPULATION

    def title(self, language: str = "en") -> str:
        """The pack title in `language`."""
        translated = self.pack.translations.get(language)
        return translated.title if translated is not None and translated.title and language != "en" else self.pack.title


def _document(item: Mapping[str, Any]) -> str:
    """A document and the place in it: "legal status summary, page 3"; a bare number reads as a page."""
    ref = str(item.get("ref") or "").strip()
    if not ref:
        return str(item.get("document"))
    return f"{item.get('document')}, {'page ' + ref if ref.isdigit() else ref}"


def _since(item: Mapping[str, Any]) -> str:
    return f" from {item['from']}" if item.get("from") else ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    """Fill `{parameter}` references; text with anything else in braces is left as written."""
    try:
        return fill_template(template, lambda name: values[name])
    except (KeyError, TemplateError):
        return template


# ---------------------------------------------------------------------------- finding the person


def find_person(connection: duckdb.DuckDBPyConnection, reference: str) -> PersonRef:
    """The person given by `source_id`, or `source:source_id` when the source id alone is ambiguous."""
    query = "SELECT id, source, source_id, name FROM person WHERE source_id = ? ORDER BY source, id"
    rows = connection.execute(query, [reference]).fetchall()
    if not rows and ":" in reference:
        source, source_id = reference.split(":", 1)
        rows = connection.execute(
            "SELECT id, source, source_id, name FROM person WHERE source = ? AND source_id = ? ORDER BY id",
            [source, source_id],
        ).fetchall()
    if not rows:
        raise UserError(
            f"no person with source id {reference!r} in the records store; "
            "give the person's source id as in the records (or source:source_id)"
        )
    if len(rows) > 1:
        choices = ", ".join(f"{row[1]}:{row[2]}" for row in rows[:10])
        raise UserError(f"source id {reference!r} is ambiguous: {len(rows)} people have it; say which: {choices}")
    person_id, source, source_id, name = rows[0]
    return PersonRef(int(person_id), str(source), str(source_id), str(name) if name else None)


# ---------------------------------------------------------------------------- reading results


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(row[0]) for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _stored_run(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, person_id: int, as_of: date | None
) -> tuple[int, date] | None:
    """The latest run that screened this person with this very pack file (and as of `as_of`, when given)."""
    if not {"screening_run", "screening_result", "screening_criterion"} <= _tables(connection):
        return None
    rows = connection.execute(
        """
        SELECT r.run_id, r.as_of, r.packs FROM screening_run r
        WHERE (CAST(? AS DATE) IS NULL OR r.as_of = ?)
          AND EXISTS (SELECT 1 FROM screening_result s
                      WHERE s.run_id = r.run_id AND s.pack_id = ? AND s.person_id = ?)
        ORDER BY r.run_id DESC
        """,
        [as_of, as_of, compiled.pack.id, person_id],
    ).fetchall()
    for run_id, run_as_of, packs in rows:
        recorded = [pack for pack in _json_list(packs) if pack.get("id") == compiled.pack.id]
        # A run of an earlier version of the pack file would explain criteria that may have changed.
        if recorded and recorded[0].get("sha256") == compiled.sha256:
            return int(run_id), run_as_of
    return None


def _json_list(text: str | None) -> list[dict[str, Any]]:
    """The objects of a JSON list (a run's packs); nothing for anything else, as an imported store may hold."""
    try:
        items = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _read_stored(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, person_id: int, run_id: int
) -> tuple[dict[str, Any], dict[str, tuple[str, date | None, str | None]]] | None:
    """The result row and per-criterion rows of a stored run; None when the run kept no evidence."""
    result = connection.execute(
        "SELECT status, eligible_on, unmet_count, unknown_count FROM screening_result "
        "WHERE run_id = ? AND pack_id = ? AND person_id = ?",
        [run_id, compiled.pack.id, person_id],
    ).fetchone()
    if result is None:
        return None
    rows = connection.execute(
        "SELECT criterion_id, status, eligible_on, evidence FROM screening_criterion "
        "WHERE run_id = ? AND pack_id = ? AND person_id = ?",
        [run_id, compiled.pack.id, person_id],
    ).fetchall()
    criteria = {str(cid): (str(status), eligible_on, evidence) for cid, status, eligible_on, evidence in rows}
    for node in compiled.all_criteria():
        if node.id not in criteria:
            return None
        if not isinstance(node.node, Group) and node.evidence_facts() and criteria[node.id][2] is None:
            return None  # screened with --no-evidence: screen again to show what was read
    status, eligible_on, unmet, unknown = result
    return {"status": status, "eligible_on": eligible_on, "unmet": unmet, "unknown": unknown}, criteria


def _screen_on_the_fly(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, person_id: int, as_of: date
) -> tuple[dict[str, Any], dict[str, tuple[str, date | None, str | None]]]:
    """Screen one person through the engine, population or not."""
    from secondchance.policy.engine import evaluate, facts_relation_for

    relation = facts_relation_for(connection, as_of, layer=STORE_LAYER, person_ids=[person_id])
    facts = f"SELECT * FROM ({relation}) AS all_facts WHERE person_id = {int(person_id)}"
    fetched = evaluate(connection, compiled, facts, as_of, population_only=False, layer=STORE_LAYER).to_pylist()
    if not fetched:
        raise UserError(f"person {person_id} has no facts as of {as_of.isoformat()}")
    row = fetched[0]
    provenance = _provenance(connection, compiled, person_id, as_of)
    criteria = {
        node.id: (
            str(row[f"{node.alias}_status"]),
            row[f"{node.alias}_eligible_on"],
            _with_provenance(row.get(f"{node.alias}_evidence"), provenance.get(node.id)),
        )
        for node in compiled.all_criteria()
    }
    result = {
        "status": row["status"],
        "eligible_on": row["eligible_on"],
        "unmet": row["unmet_count"],
        "unknown": row["unknown_count"],
    }
    return result, criteria


def _provenance(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, person_id: int, as_of: date
) -> dict[str, str]:
    """Per criterion, the provenance JSON of the supplied values and decision it rests on (`policy.provenance`)."""
    rows = connection.execute(provenance_sql(compiled, as_of, STORE_LAYER, [person_id])).fetchall()
    return {str(criterion): str(text) for _, criterion, text in rows}


def _with_provenance(evidence: str | None, provenance: str | None) -> str | None:
    """The evidence JSON with the provenance keys added, as a stored run has them."""
    if provenance is None:
        return evidence
    values = json.loads(evidence) if evidence else {}
    return json.dumps({**(values if isinstance(values, dict) else {}), **json.loads(provenance)})


def _split_provenance(values: dict[str, Any]) -> dict[str, Any]:
    """Take the provenance keys out of evidence values (they name no fact) and return them."""
    return {key: values.pop(key) for key in PROVENANCE_KEYS if key in values}


def _evidence(text: str | None, fact_types: Mapping[str, str]) -> dict[str, Any]:
    """Evidence JSON as Python values, dates as `date` so letters can write them in each language."""
    if not text:
        return {}
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        return {}  # a store imported from elsewhere may hold anything here: show no evidence, not a crash
    if not isinstance(values, dict):
        return {}
    for name, value in values.items():
        if fact_types.get(name) == "date" and isinstance(value, str):
            try:
                values[name] = date.fromisoformat(value[:10])
            except ValueError:
                pass
    return values


def _walk(nodes: tuple[CompiledCriterion, ...], depth: int = 0) -> list[tuple[CompiledCriterion, int]]:
    found: list[tuple[CompiledCriterion, int]] = []
    for node in nodes:
        found.append((node, depth))
        found += _walk(node.children, depth + 1)
    return found


def explain(
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledPack,
    person: PersonRef,
    as_of: date | None = None,
) -> Explanation:
    """Explain one person's result for one pack: from the latest matching stored run, else screened now."""
    from secondchance.policy.facts import FACTS

    stored = _stored_run(connection, compiled, person.person_id, as_of)
    read = _read_stored(connection, compiled, person.person_id, stored[0]) if stored else None
    if stored is not None and read is not None:
        run_id: int | None = stored[0]
        screening_date = stored[1]
        result, rows = read
    else:
        run_id, screening_date = None, as_of or date.today()
        result, rows = _screen_on_the_fly(connection, compiled, person.person_id, screening_date)
    fact_types = {fact.name: fact.type for fact in FACTS}
    failure = _population_failure(connection, compiled, person.person_id, screening_date, str(result["status"]))
    criteria = tuple(
        CriterionExplanation(
            node=node.node,
            parent_id=node.parent_id,
            depth=depth,
            status=rows[node.id][0],
            eligible_on=rows[node.id][1],
            evidence=evidence,
            children=tuple(child.id for child in node.children),
            provenance=_split_provenance(evidence),
        )
        for node, depth in _walk(compiled.criteria)
        for evidence in (_evidence(rows[node.id][2], fact_types),)
    )
    return Explanation(
        person=person,
        compiled=compiled,
        as_of=screening_date,
        status=str(result["status"]),
        eligible_on=result["eligible_on"],
        unmet_count=int(result["unmet"]),
        unknown_count=int(result["unknown"]),
        run_id=run_id,
        parameters=values_as_of(compiled.pack, screening_date),
        criteria=criteria,
        fact_types=fact_types,
        population_failure=failure,
    )


def _population_failure(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, person_id: int, as_of: date, status: str
) -> PopulationCondition | None:
    """For a person outside the pack's population, the population condition that is false or unknown."""
    if status != NOT_IN_POPULATION or compiled.population is None:
        return None
    from secondchance.policy.engine import facts_relation_for

    facts = facts_relation_for(connection, as_of, list(compiled.population.facts))
    return failed_condition(connection, compiled, facts, person_id, as_of)


def explain_person(store: Path, person_reference: str, pack_reference: str, as_of: date | None = None) -> Explanation:
    """Open the records store read-only, find the person and the pack, and explain the result."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack
    from secondchance.records.store import open_store

    compiled = load_pack(find_pack(pack_reference))
    if not store.exists():
        raise UserError(f"no records store at {store}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(store, read_only=True) as connection:
        if "person" not in _tables(connection):
            raise UserError(f"the records store {store} has no people; run `secondchance ingest` first")
        person = find_person(connection, person_reference)
        return explain(connection, compiled, person, as_of)
