"""A fuzzer for the rule language: random expression trees with hostile leaves.

Hypothesis builds expressions from the whole grammar a pack may write, mixes in leaves and extra
arguments that reach outside one person's facts (subqueries, table, file and JVM functions, other
tables' columns, comments, statement separators, quotes and backslashes in text), and uses values
of the wrong type. Whatever `compile_expression` accepts must, once rendered for each engine and read
back in that engine's dialect, hold only the facts it declares, literals and the scalar functions
listed here (an oracle written apart from `policy.allowlist`), and must bind in DuckDB over typed
facts. Run it longer with SECONDCHANCE_FUZZ_EXAMPLES=100000.
"""

from __future__ import annotations

import os
from datetime import date

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp
from tests.policy.helpers import CATALOGUE

from secondchance.errors import UserError
from secondchance.policy.compiler import compile_expression, render
from secondchance.policy.sandbox import Sandbox

EXAMPLES = int(os.environ.get("SECONDCHANCE_FUZZ_EXAMPLES", "1500"))

PARAMETERS = {"n": "integer", "share": "number", "cutoff": "date", "codes": "list", "label": "text", "flag": "boolean"}
VALUES = {
    "n": 10,
    "share": 0.5,
    "cutoff": date(2010, 8, 3),
    "codes": ["21:841", "it's", "back\\slash"],
    "label": "x' OR '1'='1",
    "flag": True,
    "as_of": date(2024, 7, 1),
}

# The oracle: the only functions compiled SQL may call, in either engine's reading of it.
SCALAR_FUNCTIONS = {
    exp.And,
    exp.Or,
    exp.Abs,
    exp.Ceil,
    exp.Floor,
    exp.Round,
    exp.Coalesce,
    exp.Least,
    exp.Greatest,
    exp.Nullif,
    exp.Year,
    exp.Month,
    exp.Day,
    exp.Lower,
    exp.Upper,
    exp.Trim,
    exp.Length,
    exp.Cast,
    exp.TryCast,
    exp.Case,
    exp.If,
    exp.DateDiff,
    exp.DateAdd,
    exp.TsOrDsAdd,
    exp.TsOrDsToDate,
    exp.AddMonths,
}
FORBIDDEN = (exp.Query, exp.Subquery, exp.Table, exp.From, exp.Join, exp.Star, exp.Window, exp.Command, exp.Lambda)

HOSTILE_LEAVES = [
    "(SELECT 1)",
    "(SELECT content FROM read_text('/etc/passwd'))",
    "read_text('/etc/passwd')",
    "read_csv('/etc/passwd')",
    "glob('/etc/*')",
    "reflect('java.lang.Thread', 'sleep', 1000)",
    "java_method('java.lang.System', 'exit', 0)",
    "input_file_name()",
    "getenv('HOME')",
    "current_setting('threads')",
    "EXISTS (SELECT 1)",
    "person.birth_date",
    '"person"."id"',
    "max(age_years)",
    "sum(served_days) OVER ()",
    "list_transform([1], x -> x)",
    "unknown_fact",
    "1; DROP TABLE person",
    "1 -- comment",
    "/* comment */ 1",
    "'it''s'",
    "'back\\'",
    "'\\'' OR 1=1 --'",
    "1e999",
    "99999999999999999999",
    "INTERVAL 100000 YEAR",
    "to_years(100000)",
    ":as_of",
    ":codes",
    ":nope",
]

FACTS_BY_TYPE = {kind: [name for name, fact in CATALOGUE.items() if fact == kind] for kind in set(CATALOGUE.values())}


def _hostile() -> st.SearchStrategy[str]:
    return st.sampled_from(HOSTILE_LEAVES)


def _leaf(kind: str) -> st.SearchStrategy[str]:
    literals = {
        "integer": st.integers(0, 2000).map(str) | st.sampled_from([":n"]),
        "number": st.sampled_from(["0.5", "1.5", ":share", "2.0"]),
        "date": st.sampled_from(["DATE '2010-08-03'", ":cutoff", ":as_of", "CAST('2012-01-01' AS DATE)"]),
        "text": st.sampled_from(["'federal'", "'f%'", ":label", "'it''s'", "'a\\b'", "'21:841'"]),
        "boolean": st.sampled_from(["TRUE", "FALSE", ":flag"]),
    }[kind]
    return st.sampled_from(FACTS_BY_TYPE[kind]) | literals


def _compositions(kind: str, of: dict[str, st.SearchStrategy[str]]) -> list[st.SearchStrategy[str]]:
    """The ways to build an expression of `kind` from expressions one level down (`of`, by kind)."""
    whole, number, day, text, truth = of["integer"], of["number"], of["date"], of["text"], of["boolean"]

    def call(name: str, *arguments: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        # Now and then a function gets one argument more than it takes: a hostile one or an ordinary one.
        extra = st.sampled_from(["", "", "", "", ", 1"]) | _hostile().map(lambda text: f", {text}")
        return st.tuples(*arguments, extra).map(lambda items: f"{name}({', '.join(items[:-1])}{items[-1]})")

    def infix(operator: str, left: st.SearchStrategy[str], right: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(left, right).map(lambda pair: f"({pair[0]} {operator} {pair[1]})")

    def case(result: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(truth, result, result).map(
            lambda item: f"CASE WHEN {item[0]} THEN {item[1]} ELSE {item[2]} END"
        )

    same = of[kind]
    shared = [case(same), call("if", truth, same, same), call("coalesce", same, same), call("nullif", same, same)]
    by_kind = {
        "integer": [
            *(infix(operator, whole, whole) for operator in ("+", "-", "*", "%")),
            call("abs", whole),
            call("greatest", whole, whole),
            call("year", day),
            call("month", day),
            call("length", text),
            st.tuples(day, day).map(lambda pair: f"date_diff('day', {pair[0]}, {pair[1]})"),
            infix("-", day, day),
            call("years_to_days", whole),
            number.map(lambda value: f"CAST({value} AS BIGINT)"),
        ],
        "number": [
            infix("/", whole, whole),
            infix("*", number, whole),
            call("floor", number),
            call("round", number),
            st.tuples(number).map(lambda value: f"round({value[0]}, 2)"),
            whole.map(lambda value: f"CAST({value} AS DOUBLE)"),
        ],
        "date": [
            *(
                st.tuples(day, whole).map(lambda pair, unit=unit: f"({pair[0]} + {unit}({pair[1]}))")
                for unit in ("to_years", "to_months", "to_days")
            ),
            infix("-", day, whole),
            infix("+", day, whole),
            call("least", day, day),
        ],
        "text": [
            call("lower", text),
            call("upper", text),
            call("trim", text),
            whole.map(lambda v: f"CAST({v} AS VARCHAR)"),
        ],
        "boolean": [
            *(infix(operator, whole, number) for operator in ("=", "<", ">=", "<>")),
            infix("<", day, day),
            infix("=", text, text),
            infix("AND", truth, truth),
            infix("OR", truth, truth),
            truth.map(lambda value: f"NOT {value}"),
            st.one_of(whole, day, text).map(lambda value: f"{value} IS NULL"),
            st.tuples(whole, st.lists(whole, min_size=1, max_size=3)).map(
                lambda item: f"{item[0]} IN ({', '.join(item[1])})"
            ),
            text.map(lambda value: f"{value} IN :codes"),
            st.tuples(whole, whole, whole).map(lambda item: f"{item[0]} BETWEEN {item[1]} AND {item[2]}"),
            infix("LIKE", text, text),
            truth.map(lambda value: f"{value} IS TRUE"),
        ],
    }
    return shared + by_kind[kind]


KINDS = ("integer", "number", "date", "text", "boolean")


def _typed(depth: int) -> dict[str, st.SearchStrategy[str]]:
    """An expression of each kind, at most `depth` levels deep; one child in twelve is hostile or of another kind."""
    if depth == 0:
        return {kind: _leaf(kind) for kind in KINDS}
    below = _typed(depth - 1)
    anything = st.one_of(*below.values())
    children = {
        kind: st.one_of(below[kind], below[kind], below[kind], below[kind], below[kind], below[kind])
        | st.one_of(_hostile(), anything)
        for kind in KINDS
    }
    return {kind: st.one_of(_leaf(kind), *_compositions(kind, children)) for kind in KINDS}


def _expression() -> st.SearchStrategy[str]:
    return st.one_of(*_typed(3).values())


def _check_against_oracle(sql: str, dialect: str, facts: tuple[str, ...]) -> None:
    tree = sqlglot.parse_one(sql, read=dialect)
    for node in tree.walk():
        assert not isinstance(node, FORBIDDEN), (dialect, sql)
        assert not isinstance(node, exp.Anonymous), (dialect, sql)
        if isinstance(node, exp.Func):
            assert type(node) in SCALAR_FUNCTIONS, (dialect, type(node).__name__, sql)
        if isinstance(node, exp.Column):
            assert not node.table and node.name in facts, (dialect, sql)


_SQL_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "text": "VARCHAR"}


def _binds_in_duckdb(sql: str) -> None:
    columns = ", ".join(f"CAST(NULL AS {_SQL_TYPES[kind]}) AS {name}" for name, kind in CATALOGUE.items())
    with Sandbox() as sandbox:
        sandbox.run(f"EXPLAIN SELECT {sql} FROM (SELECT {columns}) AS facts")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
@given(_expression())
def test_whatever_compiles_reads_only_facts_and_parameters(text: str) -> None:
    compiled, errors = compile_expression(text, facts=CATALOGUE, parameters=PARAMETERS)
    if compiled is None:
        assert errors, text
        return
    assert set(compiled.facts) <= set(CATALOGUE)
    assert set(compiled.parameters) <= {*PARAMETERS, "as_of"}
    try:
        rendered = {dialect: render(compiled, VALUES, dialect) for dialect in ("duckdb", "spark")}
    except UserError:
        return  # refused with the parameters' values, as `pack check` refuses it for every dated value
    for dialect, sql in rendered.items():
        _check_against_oracle(sql, dialect, compiled.facts)
    _binds_in_duckdb(rendered["duckdb"])
