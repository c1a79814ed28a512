"""Which kinds of record a source is complete for: where silence in the records means "none".

DESIGN.md ("Records model"): silence is unknown. A person without incident rows may have a clean
record, or may come from an export that carries no incidents at all; only the source can say which.
So every load declares, for each kind of record its tables carry, whether its source is complete
for that kind (decision 8). The declarations are kept in the store's `source_completeness` table,
keyed by (source, record kind), written in the same transaction as the rows they describe, and the
facts read them (docs/facts.md): a fact reads "no rows" or an empty field as none only where the
source is declared complete for that kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

import duckdb

__all__ = [
    "RecordKind",
    "RECORD_KINDS",
    "KindSpec",
    "Declaration",
    "Completeness",
    "SOURCE_COMPLETENESS_SQL",
    "complete",
    "not_complete",
    "kinds_of_table",
    "plain_load_completeness",
    "write_declarations",
    "declared_completeness",
]

RecordKind = Literal[
    "charge", "enhancement", "jail_credit", "prior_sentence", "custody_period", "incident", "enrollment"
]


@dataclass(frozen=True)
class KindSpec:
    """A kind of record a source can be complete for: the table holding it and what completeness means."""

    kind: RecordKind
    table: str
    meaning: str


RECORD_KINDS: dict[RecordKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("charge", "charge", "each sentence's charges are all its counts of conviction"),
        KindSpec(
            "enhancement",
            "charge",
            "the `enhancements` of each charge of a current sentence list all its enhancements, so an empty "
            "field means none",
        ),
        KindSpec(
            "jail_credit",
            "sentence",
            "a sentence's `jail_credit_days` is recorded whenever there was credit, so an empty field means none",
        ),
        KindSpec("prior_sentence", "sentence", "every earlier (completed) sentence of its people is recorded"),
        KindSpec("custody_period", "custody_period", "every custody period of its people is recorded"),
        KindSpec("incident", "incident", "every disciplinary incident of its people is recorded"),
        KindSpec("enrollment", "enrollment", "every programme enrolment of its people is recorded"),
    )
}
assert tuple(RECORD_KINDS) == get_args(RecordKind)


@dataclass(frozen=True)
class Declaration:
    """Whether a source is complete for one kind of record, and the reason given."""

    complete: bool
    basis: str


# A source's declarations by kind; a kind it does not declare is not complete.
Completeness = Mapping[RecordKind, Declaration]


def complete(basis: str) -> Declaration:
    """A declaration that the source records every record of the kind."""
    return Declaration(True, basis)


def not_complete(basis: str) -> Declaration:
    """A declaration that records of the kind may be missing from the source."""
    return Declaration(False, basis)


SOURCE_COMPLETENESS_SQL = """
CREATE TABLE IF NOT EXISTS source_completeness (
    source VARCHAR NOT NULL,
    record_kind VARCHAR NOT NULL,
    complete BOOLEAN NOT NULL,
    basis VARCHAR,
    ingest_id BIGINT,
    declared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, record_kind)
)
"""


def kinds_of_table(table: str) -> tuple[RecordKind, ...]:
    """The kinds of record a records table carries (none for most tables)."""
    return tuple(kind for kind, spec in RECORD_KINDS.items() if spec.table == table)


def plain_load_completeness(tables: Iterable[str], complete_kinds: Iterable[str] = ()) -> dict[RecordKind, Declaration]:
    """The declarations of a load of plain files: complete only for the kinds named, each a kind of a loaded table.

    Raises ValueError naming a kind that is unknown or that none of the loaded tables carries.
    """
    loaded = sorted(set(tables))
    carried = {kind: table for table in loaded for kind in kinds_of_table(table)}
    named = list(dict.fromkeys(complete_kinds))
    for kind in named:
        _check_carried(kind, set(carried), loaded)
    return {
        kind: complete(f"declared complete when {table} was loaded")
        if kind in named
        else not_complete(f"{table} loaded without declaring it complete")
        for kind, table in carried.items()
    }


def _check_carried(kind: str, carried: Collection[str], loaded: list[str]) -> None:
    """Raise ValueError unless `kind` is a kind of record one of the loaded tables carries."""
    tables = {name: spec.table for name, spec in RECORD_KINDS.items()}
    if kind not in tables:
        raise ValueError(f"{kind!r} is not a kind of record; the kinds are {', '.join(RECORD_KINDS)}")
    if kind not in carried:
        raise ValueError(
            f"{kind!r} is a kind of {tables[kind]} records, and this load holds none "
            f"(tables loaded: {', '.join(loaded) or 'none'})"
        )


def write_declarations(
    connection: duckdb.DuckDBPyConnection,
    sources: Iterable[str],
    completeness: Completeness,
    ingest_id: int | None,
) -> None:
    """Replace each source's declarations of the kinds `completeness` declares (in the caller's transaction)."""
    connection.execute(SOURCE_COMPLETENESS_SQL)
    declared_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        [source, kind, declaration.complete, declaration.basis, ingest_id, declared_at]
        for source in sorted(set(sources))
        for kind, declaration in completeness.items()
    ]
    if not rows:
        return
    connection.executemany(
        "INSERT OR REPLACE INTO source_completeness (source, record_kind, complete, basis, ingest_id, declared_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def declared_completeness(connection: duckdb.DuckDBPyConnection, source: str) -> dict[str, Declaration]:
    """The declarations recorded for a source, by kind (empty when the store has none)."""
    exists = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'source_completeness' AND NOT temporary"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    rows = connection.execute(
        "SELECT record_kind, complete, basis FROM source_completeness WHERE source = ? ORDER BY record_kind", [source]
    ).fetchall()
    return {str(kind): Declaration(bool(flag), str(basis or "")) for kind, flag, basis in rows}
