"""Validation of staged rows as DuckDB SQL, derived from `records.schema`.

Every check is a SQL condition over a whole staged table, so validation runs vectorised inside
DuckDB: no Python code runs per row. For each column this module gives the expression of its
normalised text, the condition that the text parses, the typed value, and the problems (a
condition and a reason) that ingest reports. The rules are listed in docs/ingest.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from secondchance.records.schema import Column, Table

__all__ = [
    "Check",
    "ColumnSql",
    "column_sql",
    "row_checks",
    "quote_literal",
    "quote_identifier",
    "DATE_REASON",
    "INTEGER_REASON",
    "NUMBER_REASON",
    "BOOLEAN_REASON",
    "REQUIRED_REASON",
]

DATE_REASON = "is not a date (expected YYYY-MM-DD)"
INTEGER_REASON = "is not an integer"
NUMBER_REASON = "is not a number"
BOOLEAN_REASON = "is not a boolean (expected true or false)"
REQUIRED_REASON = "a value is required"

TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def _is_numeric(staged_type: str) -> bool:
    return staged_type in _INTEGER_TYPES or staged_type in _FLOAT_TYPES or staged_type.startswith("DECIMAL")


@dataclass(frozen=True)
class Check:
    """A problem condition over a staged row: where it is true, `reason` (SQL text) is reported."""

    column: str
    condition: str
    value: str  # SQL text of the offending value (NULL when there is none to show)
    reason: str  # SQL expression giving the reason text


@dataclass(frozen=True)
class ColumnSql:
    """SQL expressions for one canonical column over one staged table."""

    text: str  # normalised text, NULL when empty (used in messages and for text columns)
    parses: str  # TRUE when the non-NULL value has the right type
    typed: str  # the value in its store type, assuming it parses
    raw: str | None  # for an enumerated column, the source text stored in `<name>_raw`


def _text_of(identifier: str, staged_type: str) -> str:
    if staged_type == "VARCHAR":
        return f"NULLIF(TRIM({identifier}), '')"
    return f"NULLIF(TRIM(CAST({identifier} AS VARCHAR)), '')"


def column_sql(column: Column, staged_type: str | None, raw_staged_type: str | None = None) -> ColumnSql:
    """The expressions of a canonical column; `staged_type` is its DuckDB type in the stage (None when absent)."""
    if staged_type is None:
        return ColumnSql("NULL::VARCHAR", "TRUE", _null_of(column), "NULL::VARCHAR" if column.enum else None)
    ident = quote_identifier(column.name)
    text = _text_of(ident, staged_type)
    if column.type == "integer":
        if staged_type in _INTEGER_TYPES:
            return ColumnSql(text, "TRUE", f"CAST({ident} AS BIGINT)", None)
        if staged_type in _FLOAT_TYPES or staged_type.startswith("DECIMAL"):
            parses = f"(isfinite(CAST({ident} AS DOUBLE)) AND {ident} = round({ident}))"
            return ColumnSql(text, parses, f"CAST({ident} AS BIGINT)", None)
        parses = f"(regexp_full_match({text}, '[+-]?[0-9]+') AND try_cast({text} AS BIGINT) IS NOT NULL)"
        return ColumnSql(text, parses, f"CAST({text} AS BIGINT)", None)
    if column.type == "number":
        if _is_numeric(staged_type):
            return ColumnSql(text, f"isfinite(CAST({ident} AS DOUBLE))", f"CAST({ident} AS DOUBLE)", None)
        parses = (
            f"(regexp_full_match({text}, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?')"
            f" AND try_cast({text} AS DOUBLE) IS NOT NULL)"
        )
        return ColumnSql(text, parses, f"CAST({text} AS DOUBLE)", None)
    if column.type == "date":
        if staged_type == "DATE":
            return ColumnSql(text, "TRUE", ident, None)
        if staged_type.startswith("TIMESTAMP"):
            parses = f"(CAST({ident} AS TIMESTAMP) = date_trunc('day', CAST({ident} AS TIMESTAMP)))"
            return ColumnSql(f"CAST(CAST({ident} AS DATE) AS VARCHAR)", parses, f"CAST({ident} AS DATE)", None)
        parses = (
            f"(regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND try_cast({text} AS DATE) IS NOT NULL)"
        )
        return ColumnSql(text, parses, f"CAST({text} AS DATE)", None)
    if column.type == "boolean":
        if staged_type == "BOOLEAN":
            return ColumnSql(text, "TRUE", ident, None)
        if staged_type in _INTEGER_TYPES:
            return ColumnSql(text, f"{ident} IN (0, 1)", f"({ident} = 1)", None)
        words = _in_list(TRUE_WORDS + FALSE_WORDS)
        return ColumnSql(text, f"(lower({text}) IN {words})", f"(lower({text}) IN {_in_list(TRUE_WORDS)})", None)
    # text
    if column.enum:
        normalised = f"replace(replace(lower({text}), ' ', '_'), '-', '_')"
        raw = (
            f"NULLIF(CAST({quote_identifier(column.name + '_raw')} AS VARCHAR), '')"
            if raw_staged_type is not None
            else f"NULLIF(CAST({ident} AS VARCHAR), '')"
        )
        return ColumnSql(text, f"({normalised} IN {_in_list(column.values)})", normalised, raw)
    if column.pattern:
        return ColumnSql(text, f"regexp_full_match({text}, {quote_literal(column.pattern)})", text, None)
    return ColumnSql(text, "TRUE", text, None)


def _null_of(column: Column) -> str:
    from secondchance.records.schema import DUCKDB_TYPES

    return f"NULL::{DUCKDB_TYPES[column.type]}"


def _parse_reason(column: Column) -> str:
    if column.type == "integer":
        return INTEGER_REASON
    if column.type == "number":
        return NUMBER_REASON
    if column.type == "date":
        return DATE_REASON
    if column.type == "boolean":
        return BOOLEAN_REASON
    if column.enum:
        return "is not one of: " + ", ".join(column.values)
    return f"does not match the pattern {column.pattern}"


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def row_checks(spec: Table, staged: dict[str, str], today: dt.date) -> list[Check]:
    """The per-row checks of one staged table of `spec` (references and duplicate keys are checked apart)."""
    checks: list[Check] = []
    sql = {c.name: column_sql(c, staged.get(c.name), staged.get(c.name + "_raw")) for c in spec.columns}
    for column in spec.columns:
        if column.name not in staged:
            continue  # a missing required column is a file-level problem, reported once
        expr = sql[column.name]
        name = column.name
        if column.required:
            checks.append(Check(name, f"{expr.text} IS NULL", "NULL", quote_literal(REQUIRED_REASON)))
        if expr.parses != "TRUE":
            checks.append(
                Check(
                    name,
                    f"{expr.text} IS NOT NULL AND NOT {expr.parses}",
                    expr.text,
                    quote_literal(_parse_reason(column)),
                )
            )
        valid = f"{expr.text} IS NOT NULL AND {expr.parses}"
        if column.minimum is not None:
            reason = f"is less than the minimum, {_number_text(column.minimum)}"
            checks.append(Check(name, f"{valid} AND {expr.typed} < {column.minimum}", expr.text, quote_literal(reason)))
        if column.maximum is not None:
            reason = f"is more than the maximum, {_number_text(column.maximum)}"
            checks.append(Check(name, f"{valid} AND {expr.typed} > {column.maximum}", expr.text, quote_literal(reason)))
        if column.not_in_future:
            reason = f"is in the future (after {today.isoformat()})"
            condition = f"{valid} AND {expr.typed} > DATE {quote_literal(today.isoformat())}"
            checks.append(Check(name, condition, expr.text, quote_literal(reason)))
    for earlier, later in spec.date_order:
        if earlier not in staged or later not in staged:
            continue
        first, second = sql[earlier], sql[later]
        condition = (
            f"{first.text} IS NOT NULL AND {first.parses} AND {second.text} IS NOT NULL AND {second.parses}"
            f" AND {second.typed} < {first.typed}"
        )
        reason = f"'is before {earlier} ''' || {first.text} || ''''"
        checks.append(Check(later, condition, second.text, reason))
    return checks
