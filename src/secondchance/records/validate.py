"""Validation of staged rows as DuckDB SQL, derived from `records.schema`.

Every check is a SQL condition over a whole staged table, so validation runs vectorised inside
DuckDB: no Python code runs per row. Each staged row `s` is first turned into a typed row `t`
(NULL where a value does not parse), once; the checks then compare `s` and `t`: a value that
is there in `s` but NULL in `t` did not parse, ranges and date orders read `t`. The rules and
their messages are listed in docs/ingest.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secondchance.records.schema import DUCKDB_TYPES, Column, Table

__all__ = [
    "Check",
    "ColumnSql",
    "column_sql",
    "typed_select",
    "lookup_columns",
    "normalise_word",
    "row_checks",
    "flag_columns",
    "quote_literal",
    "quote_identifier",
    "DATE_REASON",
    "INTEGER_REASON",
    "NUMBER_REASON",
    "BOOLEAN_REASON",
    "REQUIRED_REASON",
    "CONTROL_CHARACTERS",
    "CONTROL_REASON",
    "control_character_checks",
    "control_character_screen",
]

DATE_REASON = "is not a date (expected YYYY-MM-DD)"
INTEGER_REASON = "is not an integer"
NUMBER_REASON = "is not a number"
BOOLEAN_REASON = "is not a boolean (expected true or false)"
REQUIRED_REASON = "a value is required"
# C0 control characters other than tab, line feed and carriage return (an RE2 character class).
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"
CONTROL_REASON = "holds the control character U+%04X (text may hold tab, line feed and carriage return, no others)"

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
    """A problem condition over `s` (the staged row) and `t` (its typed row): where true, `reason` is reported."""

    column: str
    condition: str
    value: str  # SQL text of the offending value (NULL when there is none to show)
    reason: str  # SQL expression giving the reason text
    fast: str  # the same condition over the typed row alone and its flags (see `flag_columns`)


@dataclass(frozen=True)
class ColumnSql:
    """SQL expressions for one canonical column over one staged table (rows aliased `s`)."""

    text: str  # the value as text, NULL when empty (shown in messages)
    typed: str  # the value in its store type; NULL when empty or when it does not parse
    raw: str | None  # for an enumerated column, the source text stored in `<name>_raw`


def _text_of(identifier: str, staged_type: str) -> str:
    # Values are taken as written (no trimming, which would cost a pass over every string); empty is NULL.
    if staged_type == "VARCHAR":
        return f"NULLIF({identifier}, '')"
    return f"NULLIF(CAST({identifier} AS VARCHAR), '')"


def _when(condition: str, value: str) -> str:
    return f"CASE WHEN {condition} THEN {value} END"


def normalise_word(text: str) -> str:
    """An enumerated or boolean value as compared: trimmed, lower case, spaces and hyphens as underscores."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _lookup(identifier: str, mapping: Mapping[str, str], otherwise: str) -> str:
    """A CASE over known distinct values of a column, each to its SQL value; any other value goes to
    `otherwise` (the same rule as string functions), which DuckDB evaluates only for those rows."""
    if not mapping:
        return otherwise
    arms = " ".join(f"WHEN {quote_literal(value)} THEN {result}" for value, result in mapping.items())
    return f"CASE {identifier} {arms} ELSE {otherwise} END"


def lookup_columns(spec: Table, staged: Mapping[str, str]) -> list[str]:
    """Text columns of the stage whose few distinct values are mapped one by one (enumerations, booleans)."""
    return [
        c.name for c in spec.columns if staged.get(c.name) == "VARCHAR" and (c.enum is not None or c.type == "boolean")
    ]


def column_sql(
    column: Column,
    staged_type: str | None,
    raw_staged_type: str | None = None,
    distinct: Sequence[str] | None = None,
) -> ColumnSql:
    """The expressions of a canonical column; `staged_type` is its DuckDB type in the stage (None when absent).

    For an enumerated or boolean column, `distinct` (distinct staged values, when few) lets the
    typed value be a lookup instead of string functions run on every row; values not among them
    still get the string functions.
    """
    if staged_type is None:
        return ColumnSql(
            "NULL::VARCHAR", f"NULL::{DUCKDB_TYPES[column.type]}", "NULL::VARCHAR" if column.enum else None
        )
    ident = "s." + quote_identifier(column.name)
    text = _text_of(ident, staged_type)
    if column.type == "integer":
        if staged_type in _INTEGER_TYPES:
            return ColumnSql(text, f"CAST({ident} AS BIGINT)", None)
        if staged_type in _FLOAT_TYPES or staged_type.startswith("DECIMAL"):
            whole = f"isfinite(CAST({ident} AS DOUBLE)) AND {ident} = round({ident})"
            return ColumnSql(text, _when(whole, f"CAST({ident} AS BIGINT)"), None)
        return ColumnSql(text, _when(f"regexp_full_match({text}, '[+-]?[0-9]+')", f"try_cast({text} AS BIGINT)"), None)
    if column.type == "number":
        if _is_numeric(staged_type):
            return ColumnSql(text, _when(f"isfinite(CAST({ident} AS DOUBLE))", f"CAST({ident} AS DOUBLE)"), None)
        number = "'[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?'"
        return ColumnSql(text, _when(f"regexp_full_match({text}, {number})", f"try_cast({text} AS DOUBLE)"), None)
    if column.type == "date":
        if staged_type == "DATE":
            return ColumnSql(text, ident, None)
        if staged_type.startswith("TIMESTAMP"):
            midnight = f"CAST({ident} AS TIMESTAMP) = date_trunc('day', CAST({ident} AS TIMESTAMP))"
            return ColumnSql(text, _when(midnight, f"CAST({ident} AS DATE)"), None)
        iso = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'"
        return ColumnSql(text, _when(f"regexp_full_match({text}, {iso})", f"try_cast({text} AS DATE)"), None)
    if column.type == "boolean":
        if staged_type == "BOOLEAN":
            return ColumnSql(text, ident, None)
        if staged_type in _INTEGER_TYPES:
            return ColumnSql(text, f"CASE {ident} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END", None)
        typed = (
            f"CASE WHEN lower(trim({text})) IN {_in_list(TRUE_WORDS)} THEN TRUE "
            f"WHEN lower(trim({text})) IN {_in_list(FALSE_WORDS)} THEN FALSE END"
        )
        if distinct is not None:
            words = {value: normalise_word(value) for value in distinct}
            truth = {
                value: ("TRUE" if word in TRUE_WORDS else "FALSE")
                for value, word in words.items()
                if word in TRUE_WORDS + FALSE_WORDS
            }
            return ColumnSql(text, _lookup(ident, truth, typed), None)
        return ColumnSql(text, typed, None)
    if column.enum:
        # Case-insensitive, spaces and hyphens read as underscores: "Life Without Parole", "LSI-R".
        raw_column = column.name + "_raw" if raw_staged_type is not None else column.name
        raw = f"NULLIF(CAST(s.{quote_identifier(raw_column)} AS VARCHAR), '')"
        normalised = f"replace(replace(lower(trim({text})), ' ', '_'), '-', '_')"
        by_functions = _when(f"{normalised} IN {_in_list(column.values)}", normalised)
        if distinct is not None:
            known = {value: normalise_word(value) for value in distinct if normalise_word(value) in column.values}
            return ColumnSql(text, _lookup(ident, {v: quote_literal(w) for v, w in known.items()}, by_functions), raw)
        return ColumnSql(text, by_functions, raw)
    if column.pattern:
        return ColumnSql(text, _when(f"regexp_full_match({text}, {quote_literal(column.pattern)})", text), None)
    return ColumnSql(text, text, None)


def typed_select(
    spec: Table, staged: Mapping[str, str], source: str, distinct: Mapping[str, Sequence[str]] | None = None
) -> str:
    """The select list of the typed value of every staged canonical column (and `<name>_raw`) over stage `s`."""
    items = []
    for column in spec.columns:
        if column.name not in staged and column.name != "source":
            continue  # absent columns are NULL in the store; they are not carried through staging
        values = (distinct or {}).get(column.name)
        expr = column_sql(column, staged.get(column.name), staged.get(column.name + "_raw"), values)
        typed = source if column.name == "source" else expr.typed
        items.append(f"{typed} AS {quote_identifier(column.name)}")
        if column.enum:
            items.append(f"{expr.raw} AS {quote_identifier(column.name + '_raw')}")
    return ", ".join(items)


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


def _parses_always(column: Column, staged_type: str) -> bool:
    if column.type == "text":
        return not column.enum and not column.pattern
    if column.type == "integer":
        return staged_type in _INTEGER_TYPES
    if column.type == "date":
        return staged_type == "DATE"
    if column.type == "boolean":
        return staged_type == "BOOLEAN"
    return False


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _missing_flag(name: str) -> str:
    return quote_identifier(f"__missing_{name}")


def _given_flag(name: str) -> str:
    return quote_identifier(f"__given_{name}")


def flag_columns(spec: Table, staged: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, SQL over stage `s`) of the flags the fast checks read: a required value missing, a value given."""
    flags = []
    for column in spec.columns:
        if column.name not in staged:
            continue
        text = column_sql(column, staged[column.name], staged.get(column.name + "_raw")).text
        if column.required:
            flags.append((_missing_flag(column.name), f"({text} IS NULL)"))
        if not _parses_always(column, staged[column.name]):
            flags.append((_given_flag(column.name), f"({text} IS NOT NULL)"))
    return flags


def row_checks(spec: Table, staged: Mapping[str, str], today: dt.date) -> list[Check]:
    """Per-row checks over `s` (staged) and `t` (typed); references and duplicate keys are checked apart."""
    checks: list[Check] = []
    sql = {c.name: column_sql(c, staged.get(c.name), staged.get(c.name + "_raw")) for c in spec.columns}
    for column in spec.columns:
        if column.name not in staged:
            continue  # a missing required column is a file-level problem, reported once
        name, text, typed = column.name, sql[column.name].text, "t." + quote_identifier(column.name)
        if column.required:
            reason = quote_literal(REQUIRED_REASON)
            checks.append(Check(name, f"{text} IS NULL", "NULL", reason, f"t.{_missing_flag(name)}"))
        if not _parses_always(column, staged[name]):
            reason = quote_literal(_parse_reason(column))
            condition = f"{typed} IS NULL AND {text} IS NOT NULL"
            checks.append(Check(name, condition, text, reason, f"{typed} IS NULL AND t.{_given_flag(name)}"))
        ranges = []
        if column.minimum is not None:
            reason = quote_literal(f"is less than the minimum, {_number_text(column.minimum)}")
            ranges.append((f"{typed} < {column.minimum}", reason))
        if column.maximum is not None:
            reason = quote_literal(f"is more than the maximum, {_number_text(column.maximum)}")
            ranges.append((f"{typed} > {column.maximum}", reason))
        if column.not_in_future:
            reason = quote_literal(f"is in the future (after {today.isoformat()})")
            ranges.append((f"{typed} > DATE {quote_literal(today.isoformat())}", reason))
        checks += [Check(name, condition, text, reason, condition) for condition, reason in ranges]
    for earlier, later in spec.date_order:
        if earlier in staged and later in staged:
            condition = f"t.{quote_identifier(later)} < t.{quote_identifier(earlier)}"
            reason = "'is before " + earlier + " ''' || " + sql[earlier].text + " || ''''"
            checks.append(Check(later, condition, sql[later].text, reason, condition))
    return checks


def control_character_checks(spec: Table, staged: Mapping[str, str]) -> list[Check]:
    """Text read as text (CSV, XLSX, Parquet strings) must not hold NUL or other control characters.

    They hide in a terminal, cut strings short in other programs and can forge lines in logs.
    The stored text is checked (over the typed row `t` alone): a plain column's value, an
    enumerated column's `<name>_raw`. A regular expression per value is costly, so ingest runs
    these only on files that may hold such characters (`control_character_screen`).
    """
    checks = []
    for column in spec.columns:
        if column.type != "text" or staged.get(column.name) != "VARCHAR":
            continue
        stored_name = column.name + "_raw" if column.enum else column.name
        stored = "t." + quote_identifier(stored_name)
        pattern = quote_literal(CONTROL_CHARACTERS)
        condition = f"regexp_matches({stored}, {pattern})"
        reason = f"printf({quote_literal(CONTROL_REASON)}, unicode(regexp_extract({stored}, {pattern})))"
        # The problem names the column the text came from: `<name>_raw` when the file has it.
        named = stored_name if stored_name in staged else column.name
        checks.append(Check(named, condition, "NULL", reason, condition))
    return checks


def control_character_screen(spec: Table, staged: Mapping[str, str]) -> str | None:
    """One condition over the typed row `t`: whether any checked text holds a control character."""
    stored = [
        "t." + quote_identifier(column.name + "_raw" if column.enum else column.name)
        for column in spec.columns
        if column.type == "text" and staged.get(column.name) == "VARCHAR"
    ]
    if not stored:
        return None
    # One expression over the row's text joined, rather than one per value: a third of the work.
    return f"regexp_matches(concat({', '.join(stored)}), {quote_literal(CONTROL_CHARACTERS)})"
