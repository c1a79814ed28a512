"""Where a result's supplied values and decisions came from, written into the criterion's evidence.

DESIGN.md ("Supplied facts and criterion decisions"): the evidence says what was supplied, by whom and
from what. A criterion's evidence JSON keeps the fact values its test read and gains two keys, never
names of facts: `_supplied` (per supplied fact the criterion rests on, directly or through a fact
computed from it, `policy.facts.query.SUPPLIED_EFFECTS`: id, value, from, by, document, ref, reason,
recorded_at) and `_decided` (the decision that settled it: id, decision, by, document, reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa
from sqlglot import exp

from secondchance.policy.compiler import CompiledPack
from secondchance.policy.status import is_query
from secondchance.records.supplied import (
    ACTIVE_DECISIONS_SQL,
    ACTIVE_FACTS_SQL,
    decision_provenance_sql,
    ensure_supplied_tables,
    fact_provenance_sql,
)

__all__ = [
    "DECIDED_KEY",
    "PROVENANCE_KEYS",
    "STORE_LAYER",
    "SUPPLIED_KEY",
    "SuppliedLayer",
    "add_provenance",
    "decisions_arrow",
    "provenance_sql",
    "supplied_names",
]

SUPPLIED_KEY = "_supplied"
DECIDED_KEY = "_decided"
PROVENANCE_KEYS = (SUPPLIED_KEY, DECIDED_KEY)


@dataclass(frozen=True)
class SuppliedLayer:
    """The supplied facts and decisions the engines take, as two relations (names or SELECTs) of a connection.

    The CLI reads the records store's active rows (`STORE_LAYER`); the case app passes its own, per
    organisation, with the same columns (`records.supplied`).
    """

    facts: str = ACTIVE_FACTS_SQL
    decisions: str = ACTIVE_DECISIONS_SQL


STORE_LAYER = SuppliedLayer()


def _string(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def _relation(sql: str) -> str:
    return f"({sql})" if is_query(sql) else sql


def supplied_names(connection: duckdb.DuckDBPyConnection, layer: SuppliedLayer) -> list[str]:
    """The facts the layer holds a value of (for anyone), so the facts query replaces only those."""
    if layer == STORE_LAYER:
        ensure_supplied_tables(connection)
    rows = connection.execute(f"SELECT DISTINCT fact FROM {_relation(layer.facts)} AS f ORDER BY fact").fetchall()
    return [str(row[0]) for row in rows]


def decisions_arrow(connection: duckdb.DuckDBPyConnection, layer: SuppliedLayer) -> pa.Table:
    """The layer's decisions (person, pack, criterion, met or unmet), for an engine's sandbox."""
    if layer == STORE_LAYER:
        ensure_supplied_tables(connection)
    return connection.sql(
        f"SELECT person_id, pack_id, criterion_id, decision FROM {_relation(layer.decisions)} AS d"
    ).to_arrow_table()


def _reads(compiled: CompiledPack) -> list[tuple[str, str]]:
    """(criterion, supplied fact) for every supplied fact a criterion's evidence can rest on."""
    from secondchance.policy.facts.query import SUPPLIED_EFFECTS

    pairs: list[tuple[str, str]] = []
    for node in compiled.all_criteria():
        for name in node.evidence_facts():
            pairs.append((node.id, name))
            pairs += [(node.id, source) for source, effects in SUPPLIED_EFFECTS.items() if name in effects]
    return list(dict.fromkeys(pairs))


def provenance_sql(
    compiled: CompiledPack, as_of: date, layer: SuppliedLayer, person_ids: Sequence[int] | None = None
) -> str:
    """A SELECT of (person_id, criterion_id, provenance JSON) for every criterion resting on the layer."""
    only = "" if person_ids is None else f" AND person_id IN ({', '.join(str(int(i)) for i in person_ids) or 'NULL'})"
    at = f"DATE '{as_of.isoformat()}'"
    pairs = _reads(compiled)
    values = ", ".join(f"({_string(criterion)}, {_string(fact)})" for criterion, fact in pairs)
    reads = f"(VALUES {values}) AS r(criterion_id, fact)" if pairs else "(SELECT '' AS criterion_id, '' AS fact) AS r"
    supplied = f"""
        SELECT sf.person_id, r.criterion_id,
            json_object({_string(SUPPLIED_KEY)}, json_group_object(sf.fact, {fact_provenance_sql("sf")})) AS part
        FROM {reads} JOIN {_relation(layer.facts)} AS sf ON sf.fact = r.fact
        WHERE (sf.holds_from IS NULL OR sf.holds_from <= {at}){only}
        GROUP BY sf.person_id, r.criterion_id"""
    decided = f"""
        SELECT d.person_id, d.criterion_id, json_object({_string(DECIDED_KEY)}, {decision_provenance_sql("d")}) AS part
        FROM {_relation(layer.decisions)} AS d
        WHERE d.pack_id = {_string(compiled.pack.id)}{only}"""
    return f"""
    SELECT coalesce(s.person_id, d.person_id) AS person_id, coalesce(s.criterion_id, d.criterion_id) AS criterion_id,
        json_merge_patch(coalesce(s.part, '{{}}'), coalesce(d.part, '{{}}')) AS provenance
    FROM ({supplied}) AS s FULL OUTER JOIN ({decided}) AS d
        ON s.person_id = d.person_id AND s.criterion_id = d.criterion_id"""


def _joined(evidence: str, provenance: str) -> str:
    """The evidence object with the provenance keys appended, its NULL fact values kept (a merge patch drops them)."""
    text = f"CAST({evidence} AS VARCHAR)"
    return (
        f"CASE WHEN {evidence} IS NULL OR json_keys({evidence}) = [] THEN {provenance} "
        f"ELSE CAST(left({text}, length({text}) - 1) || ',' || substr(CAST({provenance} AS VARCHAR), 2) AS JSON) END"
    )


def add_provenance(
    connection: duckdb.DuckDBPyConnection, run_id: int, compiled: CompiledPack, as_of: date, layer: SuppliedLayer
) -> None:
    """Write the provenance of each supplied value and decision into the evidence of a run's criteria."""
    if layer == STORE_LAYER:
        ensure_supplied_tables(connection)
    connection.execute(
        f"""
        UPDATE screening_criterion AS c
        SET evidence = {_joined("c.evidence", "p.provenance")}
        FROM ({provenance_sql(compiled, as_of, layer)}) AS p
        WHERE c.run_id = ? AND c.pack_id = ? AND c.person_id = p.person_id AND c.criterion_id = p.criterion_id
        """,
        [run_id, compiled.pack.id],
    )
