"""Why a person is outside a pack's population: the condition of the `population` test that failed.

A pack's `population` is one yes/no expression, usually conditions joined by AND (e.g.
`system = 'us-ca' AND in_custody IS NOT FALSE`). A person is in the population only when it is
TRUE (DESIGN.md, "Policy packs"), so when it is not, one of its top-level AND conditions is false or
unknown. This module splits the expression at those ANDs, evaluates each condition for one person
in the sandbox, as the engine does, and names the first false one (else the first unknown one) with
the fact values it read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import duckdb
from sqlglot import TokenType, exp
from sqlglot.tokens import Tokenizer

from secondchance.policy.compiler import CompiledExpression, CompiledPack, render
from secondchance.policy.parameters import values_as_of
from secondchance.policy.sandbox import Sandbox

__all__ = ["PopulationCondition", "conditions", "describe", "failed_condition"]

_FACTS_TABLE = "population_facts"


@dataclass(frozen=True)
class PopulationCondition:
    """One top-level AND condition of a population test, as written, and its value for one person."""

    text: str
    value: bool | None  # False: not met; None: unknown (a fact it reads is not recorded)
    facts: Mapping[str, Any]  # fact name -> value read


def _source_pieces(source: str) -> list[str] | None:
    """The text between the top-level ANDs of `source` (not BETWEEN's AND); None when a top-level OR joins them."""
    pieces, start, depth, open_betweens = [], 0, 0, 0
    for token in Tokenizer().tokenize(source):
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and token.token_type == TokenType.OR:
            return None
        elif depth == 0 and token.token_type == TokenType.BETWEEN:
            open_betweens += 1
        elif depth == 0 and token.token_type == TokenType.AND:
            if open_betweens:
                open_betweens -= 1
                continue
            pieces.append(source[start : token.start].strip())
            start = token.end + 1
    pieces.append(source[start:].strip())
    return pieces


def conditions(population: CompiledExpression) -> list[CompiledExpression]:
    """The top-level AND conditions of a population test, each compiled on its own, in the order written."""
    tree = population.tree
    terms: list[exp.Expression] = [
        term for term in (tree.flatten() if isinstance(tree, exp.And) else [tree]) if isinstance(term, exp.Expression)
    ]
    pieces = _source_pieces(population.source)
    texts = pieces if pieces is not None and len(pieces) == len(terms) else [term.sql() for term in terms]
    found = []
    for term, text in zip(terms, texts, strict=True):
        read = {column.name for column in term.find_all(exp.Column)}
        facts = tuple(name for name in population.facts if name in read)
        found.append(replace(population, source=text, tree=term, facts=facts))
    return found


def failed_condition(
    connection: duckdb.DuckDBPyConnection, compiled: CompiledPack, facts: str, person_id: int, as_of: date
) -> PopulationCondition | None:
    """The first population condition false for the person (else the first unknown), over the facts relation
    `facts` (a SELECT of the store); None when the pack has no population test or the person meets it."""
    if compiled.population is None:
        return None
    parts = conditions(compiled.population)
    values = values_as_of(compiled.pack, as_of)
    names = list(compiled.population.facts)
    columns = ", ".join(["person_id", *names])
    rows = connection.sql(f"SELECT {columns} FROM ({facts}) AS facts WHERE person_id = {int(person_id)}")
    tests = ", ".join(f"({render(part, values, 'duckdb')}) AS c{number}" for number, part in enumerate(parts))
    with Sandbox() as sandbox:
        sandbox.load(_FACTS_TABLE, rows.to_arrow_table())
        found = sandbox.run(f"SELECT {tests}, * FROM {_FACTS_TABLE}", label=f"pack {compiled.pack.id} population")
    if found.num_rows == 0:
        return None
    row = found.to_pylist()[0]
    evaluated = [
        PopulationCondition(part.source, row[f"c{number}"], {name: row[name] for name in part.facts})
        for number, part in enumerate(parts)
    ]
    false = [item for item in evaluated if item.value is False]
    unknown = [item for item in evaluated if item.value is None]
    first = false or unknown
    return first[0] if first else None


# The sentence an explanation prints, in each language the letters speak (policy.letters.LANGUAGES).
_WORDS = {
    "en": {
        "head": "This pack applies only where {condition}",
        "false": "for this person that is false",
        "unknown": "for this person that is unknown",
        "read": "records read",
        "none": "No criterion of the pack is assessed for people outside its population.",
    },
    "es": {
        "head": "Esta evaluación solo se aplica cuando {condition}",
        "false": "para esta persona eso no se cumple",
        "unknown": "para esta persona eso se desconoce",
        "read": "registros leídos",
        "none": "No se evalúa ningún criterio para las personas fuera de su población.",
    },
}


def describe(condition: PopulationCondition | None, language: str, show: Callable[[Any, str], str]) -> str:
    """The failed condition in words (`show` writes a fact value in `language`), e.g. "This pack applies only
    where system = 'us-ca'; for this person that is false (records read: system = federal). ..."."""
    words = _WORDS.get(language, _WORDS["en"])
    if condition is None:
        return words["none"]
    read = "; ".join(f"{name} = {show(value, language)}" for name, value in condition.facts.items())
    evidence = f" ({words['read']}: {read})" if read else ""
    verdict = words["unknown" if condition.value is None else "false"]
    return f"{words['head'].format(condition=condition.text)}; {verdict}{evidence}. {words['none']}"
