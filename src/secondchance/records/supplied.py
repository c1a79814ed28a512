"""Supplied facts and criterion decisions: what people learn from documents, kept beside the source records.

DESIGN.md ("Supplied facts and criterion decisions"): a layer beside the records, never an edit of them.
A supplied fact is a value of a catalogue fact for one person, from a date on, with the document it was
read from, the reason, who recorded it and when; a criterion decision settles a judgement or proxy
criterion of a pack for one person (met or unmet). Rows are never deleted: withdrawing one stamps it,
and a newer value for the same person and fact (or person, pack and criterion) supersedes the older
one, which keeps its row. Only rows neither withdrawn nor superseded are active, and only active rows
reach the engines (`ACTIVE_FACTS_SQL`, `ACTIVE_DECISIONS_SQL`).

The values are checked here against a type and, where the fact is a records column, that column's
range (`records.schema`); which facts exist is the facts catalogue's business (`policy.supplied`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from secondchance.errors import UserError
from secondchance.records.schema import ENUMS, TABLES, Column
from secondchance.records.validate import BOOLEAN_REASON, DATE_REASON, INTEGER_REASON, NUMBER_REASON

__all__ = [
    "ACTIVE_DECISIONS_SQL",
    "ACTIVE_FACTS_SQL",
    "CRITERION_DECISION_SQL",
    "DECISIONS",
    "NewDecision",
    "NewSuppliedFact",
    "SUPPLIED_FACT_SQL",
    "SUPPLIED_TABLES",
    "ValueType",
    "Withdrawn",
    "decision_provenance_sql",
    "ensure_supplied_tables",
    "fact_provenance_sql",
    "list_layer",
    "parse_value",
    "range_problem",
    "record_decisions",
    "record_facts",
    "records_column",
    "typed_column",
    "withdraw",
]

ValueType = Literal["boolean", "integer", "number", "date", "text"]
DECISIONS = ("met", "unmet")

SUPPLIED_FACT_SQL = """
CREATE TABLE IF NOT EXISTS supplied_fact (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL,
    fact VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    value_boolean BOOLEAN,
    value_integer BIGINT,
    value_number DOUBLE,
    value_date DATE,
    value_text VARCHAR,
    holds_from DATE,
    source_document VARCHAR NOT NULL,
    document_ref VARCHAR,
    reason VARCHAR NOT NULL,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    superseded_by BIGINT,
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR,
    withdraw_reason VARCHAR
)
"""

CRITERION_DECISION_SQL = """
CREATE TABLE IF NOT EXISTS criterion_decision (
    id BIGINT PRIMARY KEY,
    person_id BIGINT NOT NULL,
    pack_id VARCHAR NOT NULL,
    criterion_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL CHECK (decision IN ('met', 'unmet')),
    reason VARCHAR NOT NULL,
    source_document VARCHAR,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    superseded_by BIGINT,
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR,
    withdraw_reason VARCHAR
)
"""

SUPPLIED_TABLES = {"supplied_fact": SUPPLIED_FACT_SQL, "criterion_decision": CRITERION_DECISION_SQL}

# The layer as the engines take it: a relation of the active rows (the web app passes its own, same columns).
ACTIVE_FACTS_SQL = "SELECT * FROM supplied_fact WHERE withdrawn_at IS NULL AND superseded_by IS NULL"
ACTIVE_DECISIONS_SQL = "SELECT * FROM criterion_decision WHERE withdrawn_at IS NULL AND superseded_by IS NULL"


def fact_provenance_sql(alias: str) -> str:
    """A JSON object saying where a supplied value came from, over a row `alias` of the facts relation."""
    return (
        f"json_object('id', {alias}.id, 'value', {alias}.value, 'from', CAST({alias}.holds_from AS VARCHAR), "
        f"'by', {alias}.recorded_by, 'document', {alias}.source_document, 'ref', {alias}.document_ref, "
        f"'reason', {alias}.reason, 'recorded_at', CAST({alias}.recorded_at AS VARCHAR))"
    )


def decision_provenance_sql(alias: str) -> str:
    """A JSON object saying who decided a criterion, why and from what, over a row `alias` of the decisions."""
    return (
        f"json_object('id', {alias}.id, 'decision', {alias}.decision, 'by', {alias}.recorded_by, "
        f"'document', {alias}.source_document, 'reason', {alias}.reason, "
        f"'recorded_at', CAST({alias}.recorded_at AS VARCHAR))"
    )


def ensure_supplied_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the layer's tables when missing: in the store, or as empty temporary tables if it is read-only."""
    existing = {str(row[0]) for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for name, statement in SUPPLIED_TABLES.items():
        if name in existing:
            continue
        try:
            connection.execute(statement)
        except duckdb.Error:
            connection.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))


# ---------------------------------------------------------------------------- values

_INTEGER = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")
_MAX_TEXT = 1000


def parse_value(kind: ValueType, text: str) -> tuple[Any, str | None]:
    """The typed value of a supplied text, or (None, the reason it is refused) in ingest's words."""
    value = text.strip()
    if not value:
        return None, "a value is required"
    if kind == "boolean":
        lowered = value.lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE, None
        return None, BOOLEAN_REASON
    if kind == "integer":
        return (int(value), None) if _INTEGER.fullmatch(value) else (None, INTEGER_REASON)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return None, NUMBER_REASON
        return (number, None) if math.isfinite(number) else (None, NUMBER_REASON)
    if kind == "date":
        try:
            return (dt.date.fromisoformat(value), None) if _DATE.fullmatch(value) else (None, DATE_REASON)
        except ValueError:
            return None, DATE_REASON
    if len(value) > _MAX_TEXT or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return None, f"is not one line of text of at most {_MAX_TEXT} characters"
    return value, None


def records_column(tables: Sequence[str], name: str) -> Column | None:
    """The records column named `name` in the first of `tables` that has one (its checks apply to the fact)."""
    by_name = {spec.name: spec for spec in TABLES}
    for table_name in tables:
        spec = by_name.get(table_name.strip())
        for column in spec.columns if spec else ():
            if column.name == name:
                return column
    return None


def range_problem(column: Column, value: Any, today: dt.date) -> str | None:
    """Why a typed value breaks the records column's range, enumeration or pattern; None when it fits."""
    if column.minimum is not None and isinstance(value, int | float) and value < column.minimum:
        return f"is less than the minimum, {column.minimum:g}"
    if column.maximum is not None and isinstance(value, int | float) and value > column.maximum:
        return f"is more than the maximum, {column.maximum:g}"
    if column.not_in_future and isinstance(value, dt.date) and value > today:
        return f"is in the future (after {today.isoformat()})"
    if column.enum and isinstance(value, str) and value not in ENUMS[column.enum]:
        return "is not one of: " + ", ".join(ENUMS[column.enum])
    if column.pattern and isinstance(value, str) and not re.fullmatch(column.pattern, value):
        return f"does not match the pattern {column.pattern}"
    return None


def typed_column(kind: ValueType) -> str:
    """The column of `supplied_fact` holding a value of this type."""
    return f"value_{kind}"


# ---------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class NewSuppliedFact:
    """A checked supplied value, ready to record."""

    person_id: int
    fact: str
    kind: ValueType
    value: str
    typed: Any
    holds_from: dt.date | None
    source_document: str
    document_ref: str | None
    reason: str
    recorded_by: str


@dataclass(frozen=True)
class NewDecision:
    """A checked criterion decision, ready to record."""

    person_id: int
    pack_id: str
    criterion_id: str
    decision: str
    reason: str
    source_document: str | None
    recorded_by: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _next_id(connection: duckdb.DuckDBPyConnection) -> int:
    """One id space for both tables, so `withdraw ID` names one row."""
    row = connection.execute(
        "SELECT greatest((SELECT coalesce(max(id), 0) FROM supplied_fact), "
        "(SELECT coalesce(max(id), 0) FROM criterion_decision))"
    ).fetchone()
    return int(row[0] if row else 0) + 1


def _in_transaction(connection: duckdb.DuckDBPyConnection, work: Callable[[], list[int]]) -> list[int]:
    """Run `work` in one transaction: all of its writes, or none."""
    connection.execute("BEGIN TRANSACTION")
    try:
        result = work()
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


def record_facts(connection: duckdb.DuckDBPyConnection, items: Sequence[NewSuppliedFact]) -> list[int]:
    """Record checked supplied values in one transaction, superseding the active ones they replace; their ids."""
    ensure_supplied_tables(connection)

    def write() -> list[int]:
        ids = []
        first_id = _next_id(connection)
        for new_id, item in enumerate(items, start=first_id):
            typed = dict.fromkeys(("boolean", "integer", "number", "date", "text"))
            typed[item.kind] = item.typed
            connection.execute(
                "UPDATE supplied_fact SET superseded_by = ? WHERE person_id = ? AND fact = ? "
                "AND withdrawn_at IS NULL AND superseded_by IS NULL",
                [new_id, item.person_id, item.fact],
            )
            connection.execute(
                "INSERT INTO supplied_fact (id, person_id, fact, value, value_boolean, value_integer, value_number, "
                "value_date, value_text, holds_from, source_document, document_ref, reason, recorded_by, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [new_id, item.person_id, item.fact, item.value, *typed.values(), item.holds_from,
                 item.source_document, item.document_ref, item.reason, item.recorded_by, _now()],
            )  # fmt: skip
            ids.append(new_id)
        return ids

    return _in_transaction(connection, write)


def record_decisions(connection: duckdb.DuckDBPyConnection, items: Sequence[NewDecision]) -> list[int]:
    """Record checked decisions in one transaction, superseding the active ones they replace; their ids."""
    ensure_supplied_tables(connection)

    def write() -> list[int]:
        ids = []
        first_id = _next_id(connection)
        for new_id, item in enumerate(items, start=first_id):
            connection.execute(
                "UPDATE criterion_decision SET superseded_by = ? WHERE person_id = ? AND pack_id = ? "
                "AND criterion_id = ? AND withdrawn_at IS NULL AND superseded_by IS NULL",
                [new_id, item.person_id, item.pack_id, item.criterion_id],
            )
            connection.execute(
                "INSERT INTO criterion_decision (id, person_id, pack_id, criterion_id, decision, reason, "
                "source_document, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [new_id, item.person_id, item.pack_id, item.criterion_id, item.decision, item.reason,
                 item.source_document, item.recorded_by, _now()],
            )  # fmt: skip
            ids.append(new_id)
        return ids

    return _in_transaction(connection, write)


@dataclass(frozen=True)
class Withdrawn:
    """The row a withdrawal stamped: which table, whose, and what it was about."""

    table: str
    person_id: int
    subject: str  # the fact, or `pack criterion`


def withdraw(connection: duckdb.DuckDBPyConnection, row_id: int, reason: str, withdrawn_by: str) -> Withdrawn:
    """Withdraw an active supplied fact or decision by id (its row stays, stamped); UserError when none is active."""
    ensure_supplied_tables(connection)
    if not reason.strip():
        raise UserError("withdraw: --reason is required (say why the answer no longer holds)")
    for table, subject in (("supplied_fact", "fact"), ("criterion_decision", "pack_id || ' ' || criterion_id")):
        row = connection.execute(
            f"SELECT person_id, {subject}, withdrawn_at, superseded_by FROM {table} WHERE id = ?", [row_id]
        ).fetchone()
        if row is None:
            continue
        if row[2] is not None:
            raise UserError(f"answer {row_id} was already withdrawn")
        if row[3] is not None:
            raise UserError(f"answer {row_id} was replaced by answer {row[3]}; withdraw that one")
        connection.execute(
            f"UPDATE {table} SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ? WHERE id = ?",
            [_now(), withdrawn_by, reason.strip(), row_id],
        )
        return Withdrawn(table, int(row[0]), str(row[1]))
    raise UserError(f"no supplied fact or decision with id {row_id} (`secondchance supplied list` shows them)")


def list_layer(connection: duckdb.DuckDBPyConnection, person_id: int | None = None) -> list[dict[str, Any]]:
    """Every supplied fact and decision (active, superseded and withdrawn), oldest first, with the person's ids."""
    ensure_supplied_tables(connection)
    where = "" if person_id is None else f"WHERE x.person_id = {int(person_id)}"
    state = (
        "CASE WHEN x.withdrawn_at IS NOT NULL THEN 'withdrawn' "
        "WHEN x.superseded_by IS NOT NULL THEN 'superseded' ELSE 'active' END"
    )
    cursor = connection.execute(
        f"""
        SELECT * FROM (
            SELECT 'fact' AS kind, x.id, x.person_id, p.source, p.source_id, x.fact AS subject, x.value,
                x.holds_from, x.source_document, x.document_ref, x.reason, x.recorded_by, x.recorded_at,
                {state} AS state, x.superseded_by, x.withdrawn_at, x.withdrawn_by, x.withdraw_reason
            FROM supplied_fact x LEFT JOIN person p ON p.id = x.person_id {where}
            UNION ALL
            SELECT 'decision', x.id, x.person_id, p.source, p.source_id, x.pack_id || ' ' || x.criterion_id,
                x.decision, NULL, x.source_document, NULL, x.reason, x.recorded_by, x.recorded_at,
                {state}, x.superseded_by, x.withdrawn_at, x.withdrawn_by, x.withdraw_reason
            FROM criterion_decision x LEFT JOIN person p ON p.id = x.person_id {where}
        ) ORDER BY id
        """
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
