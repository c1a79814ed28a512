"""Offence lists a data set publishes with its records, matched the way the screen that published them matched.

Redo.io's resentencing screen read its offence tables A-F (`selection_criteria.xlsx`); the CDCR data set
carries them as `offense_tables.csv`, and the CDCR adapter loads them into the records table
`offense_table_entry`, so the entries are never written in this repository. `offense_lists.yaml`
(`source_lists`) says which tables make each list, which implied offences extend it, and which facts
read it. The matching follows the screen (SOURCE.md of the data set, "Offence tables"):

- a code is cleaned (lower case, trailing periods dropped, then `pc`, `rape`, line breaks and spaces
  removed) and compared **exactly**, so `187` lists `PC187` but not `PC187(a)`;
- a listed code also lists its *implied offences*: the code followed by every ordered selection of 1 up
  to `perm` of its suffixes (the code's own suffix list when it has one, else the `all` list);
- a list may leave out the codes of other tables (`except_tables`, with their implied offences), as
  rule r_12 leaves out table F.

This differs on purpose from `law.offense_lists`, whose lists are the law's and match a section and its
subdivisions (`245` lists `245(a)(1)`) and read prefixes such as `664/` or `hs`: these lists are a
screen's, and a fact that says what the screen said must match as the screen matched.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

import yaml

from secondchance.errors import UserError
from secondchance.law.offense_lists import LISTS_FILE
from secondchance.records.validate import quote_literal

__all__ = [
    "Scope",
    "SourceList",
    "implied_suffixes",
    "list_codes_sql",
    "lists_loaded_sql",
    "screen_cleaned_sql",
    "source_lists",
]

# Which of a person's records a fact reads: current charges, prior charges, or the controlling offence.
Scope = Literal["current", "prior", "controlling"]
# Ordered selections of up to this many suffixes; the screen's rules use at most 4.
MAX_PERM = 4


@dataclass(frozen=True)
class SourceList:
    """A list made of tables a source publishes, extended by implied offences, and the facts that read it."""

    name: str
    title: str
    citation: str
    source: str
    system: str
    tables: tuple[str, ...]
    except_tables: tuple[str, ...]
    implied: dict[str, tuple[str, ...]]
    perm: int
    facts: dict[Scope, str]


def _letters(value: Any, where: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) == 1 and v.isupper() for v in value):
        raise UserError(f"{where}: {field} must be a list of table letters like [A, B]")
    return tuple(value)


def _implied(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise UserError(f"{where}: implied must map `all` or a cleaned code to a list of suffixes")
    implied = {}
    for key, suffixes in value.items():
        if not isinstance(suffixes, list) or not all(isinstance(s, str) and s for s in suffixes):
            raise UserError(f"{where}: implied {key!r} must be a list of suffixes")
        implied[str(key)] = tuple(suffixes)
    return implied


def _facts(value: Any, where: str) -> dict[Scope, str]:
    if not isinstance(value, dict) or not value or not set(value) <= set(get_args(Scope)):
        raise UserError(f"{where}: facts must map current, prior or controlling to a fact name")
    return {scope: str(name) for scope, name in value.items()}


def _parse(name: str, spec: Any) -> SourceList:
    where = f"{LISTS_FILE}: source list {name!r}"
    if not isinstance(spec, dict):
        raise UserError(f"{where}: expected a mapping")
    for key in ("title", "citation", "source", "system", "tables", "facts"):
        if key not in spec:
            raise UserError(f"{where}: field {key!r} is missing")
    perm = spec.get("perm", 0)
    if not isinstance(perm, int) or not 0 <= perm <= MAX_PERM:
        raise UserError(f"{where}: perm must be a whole number from 0 to {MAX_PERM}")
    return SourceList(
        name=name,
        title=str(spec["title"]),
        citation=str(spec["citation"]),
        source=str(spec["source"]),
        system=str(spec["system"]),
        tables=_letters(spec["tables"], where, "tables"),
        except_tables=_letters(spec.get("except_tables", []), where, "except_tables"),
        implied=_implied(spec.get("implied", {}), where),
        perm=perm,
        facts=_facts(spec["facts"], where),
    )


@cache
def source_lists() -> dict[str, SourceList]:
    """Every list of `source_lists` in offense_lists.yaml, by name."""
    data: Any = yaml.safe_load(LISTS_FILE.read_text(encoding="utf-8"))
    specs = data.get("source_lists") if isinstance(data, dict) else None
    if not isinstance(specs, dict):
        raise UserError(f"{LISTS_FILE}: expected a `source_lists` mapping")
    return {name: _parse(name, spec) for name, spec in specs.items()}


def screen_cleaned_sql(column: str) -> str:
    """SQL cleaning a code as the screen did: `PC187(a).` becomes `187(a)` (steps in the module docstring)."""
    expression = f"regexp_replace(lower({column}), '\\.+$', '')"
    for removed in ("pc", "rape"):
        expression = f"replace({expression}, '{removed}', '')"
    return f"replace(regexp_replace({expression}, '\\n', '', 'g'), ' ', '')"


def implied_suffixes(source_list: SourceList) -> list[tuple[str, str]]:
    """(key, suffix) for every ordered selection of 1 up to `perm` distinct suffixes of each key, joined."""
    pairs = []
    for key, suffixes in source_list.implied.items():
        for size in range(1, min(source_list.perm, len(suffixes)) + 1):
            pairs += [(key, "".join(chosen)) for chosen in itertools.permutations(suffixes, size)]
    return pairs


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(quote_literal(value) for value in values)


def _base_sql(source_list: SourceList, letters: tuple[str, ...]) -> str:
    return (
        f"SELECT DISTINCT offense_cleaned AS code FROM offense_table_entry "
        f"WHERE source = {quote_literal(source_list.source)} AND table_letter IN ({_in_list(letters)}) "
        "AND offense_cleaned IS NOT NULL"
    )


def _expanded_sql(source_list: SourceList, base: str) -> str:
    """The codes of `base` and their implied offences, under the list's suffixes."""
    pairs = implied_suffixes(source_list)
    if not pairs:
        return base
    own = [key for key in source_list.implied if key != "all"]
    key = f"CASE WHEN b.code IN ({_in_list(tuple(own))}) THEN b.code ELSE 'all' END" if own else "'all'"
    values = ", ".join(f"({quote_literal(k)}, {quote_literal(s)})" for k, s in pairs)
    return (
        f"SELECT code FROM ({base}) UNION ALL SELECT b.code || s.suffix AS code FROM ({base}) AS b "
        f"JOIN (VALUES {values}) AS s(suffix_key, suffix) ON s.suffix_key = {key}"
    )


def _codes_sql(source_list: SourceList) -> str:
    """One list's codes: its tables' codes (less the excepted tables' codes and implied offences), then implied."""
    base = _base_sql(source_list, source_list.tables)
    if source_list.except_tables:
        excepted = _expanded_sql(source_list, _base_sql(source_list, source_list.except_tables))
        base = f"SELECT code FROM ({base}) WHERE code NOT IN ({excepted})"
    return _expanded_sql(source_list, base)


def list_codes_sql(lists: list[SourceList]) -> str:
    """SELECT of (list_name, system, code): every code each list holds, distinct."""
    parts = [
        f"SELECT {quote_literal(item.name)} AS list_name, {quote_literal(item.system)} AS system, code "
        f"FROM ({_codes_sql(item)})"
        for item in lists
    ]
    return "SELECT DISTINCT list_name, system, code FROM (" + " UNION ALL ".join(parts) + ")"


def lists_loaded_sql(lists: list[SourceList]) -> str:
    """SELECT of (list_name, loaded): whether every table a list reads has rows in the store."""
    parts = []
    for item in lists:
        letters = tuple(dict.fromkeys(item.tables + item.except_tables))
        parts.append(
            f"SELECT {quote_literal(item.name)} AS list_name, count(DISTINCT table_letter) = {len(letters)} AS loaded "
            f"FROM offense_table_entry WHERE source = {quote_literal(item.source)} "
            f"AND table_letter IN ({_in_list(letters)})"
        )
    return " UNION ALL ".join(parts)
