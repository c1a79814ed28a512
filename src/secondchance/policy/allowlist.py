"""The allow-list of pack expressions: which SQLGlot nodes may appear, and with which arguments.

A pack is someone else's file, so its expressions are checked over parsed trees, never over text,
twice:
- `WRITTEN` is what an author may write (DuckDB syntax as SQLGlot parses it). The checker in
  `policy.typecheck` refuses any other node, and any argument of an allowed node that its form
  does not list (the second argument of FLOOR, TRIM's characters, a CAST to a parameterised type).
- `COMPILED` is what a compiled tree may hold, and what the SQL rendered from it may hold once
  read back in its own dialect (`verify_sql`). Every node is checked, with its place: an
  identifier only as a fact's name, a type only as the target of a cast, a unit only as a unit.
Nothing else can reach an engine: no subquery, table, table function, JVM or file function.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from secondchance.errors import UserError

__all__ = [
    "COMPARISONS",
    "COMPILED",
    "DATA_TYPES",
    "UNITS",
    "WRITTEN",
    "UnsafeExpression",
    "extra_arguments",
    "verify_sql",
    "verify_tree",
]

Form = frozenset[str]

_NONE: Form = frozenset()
_ONE: Form = frozenset({"this"})
_TWO: Form = frozenset({"this", "expression"})
_VARIADIC: Form = frozenset({"this", "expressions"})
_LITERAL: Form = frozenset({"this", "is_string"})

COMPARISONS: tuple[type[exp.Expression], ...] = (
    exp.EQ,
    exp.NEQ,
    exp.GT,
    exp.GTE,
    exp.LT,
    exp.LTE,
    exp.NullSafeEQ,
    exp.NullSafeNEQ,
)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_ONE_VALUE_FUNCTIONS = (exp.Abs, exp.Floor, exp.Ceil, exp.Year, exp.Month, exp.Day)
_TEXT_FUNCTIONS = (exp.Lower, exp.Upper, exp.Trim, exp.Length)

_COMMON: dict[type[exp.Expr], Form] = {
    exp.Column: _ONE,
    exp.Literal: _LITERAL,
    exp.Boolean: _ONE,
    exp.Null: _NONE,
    exp.Paren: _ONE,
    exp.And: _TWO,
    exp.Or: _TWO,
    exp.Not: _ONE,
    **dict.fromkeys(COMPARISONS, _TWO),
    **dict.fromkeys(_ARITHMETIC, _TWO),
    exp.Neg: _ONE,
    exp.Is: _TWO,
    exp.Between: frozenset({"this", "low", "high"}),
    exp.Like: _TWO,
    exp.ILike: _TWO,
    exp.Case: frozenset({"this", "ifs", "default"}),
    exp.If: frozenset({"this", "true", "false"}),
    exp.Coalesce: _VARIADIC,
    exp.Least: _VARIADIC | {"ignore_nulls"},
    exp.Greatest: _VARIADIC | {"ignore_nulls"},
    exp.Nullif: _TWO,
    **dict.fromkeys(_ONE_VALUE_FUNCTIONS, _ONE),
    exp.Round: frozenset({"this", "decimals"}),
    **dict.fromkeys(_TEXT_FUNCTIONS, _ONE),
    exp.Cast: frozenset({"this", "to"}),
    exp.DataType: _ONE,
    exp.Interval: frozenset({"this", "unit"}),
    exp.Var: _ONE,
}

# What a pack author may write. Column may carry a table only to be refused with its own message.
WRITTEN: dict[type[exp.Expr], Form] = {
    **_COMMON,
    exp.Column: frozenset({"this", "table"}),
    exp.Placeholder: _ONE,
    exp.In: frozenset({"this", "expressions", "field"}),
    exp.DateDiff: frozenset({"this", "expression", "unit", "date_part_boundary"}),
    exp.ToDays: _ONE,
    exp.Anonymous: _VARIADIC,  # only the helpers to_years, to_months, to_days, years_to_days
}

# What a compiled tree, and its SQL read back in DuckDB's or Spark's dialect, may hold.
COMPILED: dict[type[exp.Expr], Form] = {
    **_COMMON,
    exp.Identifier: frozenset({"this", "quoted"}),
    exp.Placeholder: _ONE,
    exp.In: _VARIADIC,
    exp.DateDiff: frozenset({"this", "expression", "unit", "date_part_boundary"}),
    exp.DateAdd: frozenset({"this", "expression", "unit"}),
    # How Spark SQL reads back what the DuckDB tree becomes: DATE_ADD, ADD_MONTHS, CAST, a/b.
    exp.TsOrDsAdd: frozenset({"this", "expression", "unit"}),
    exp.TsOrDsToDate: _ONE,
    exp.AddMonths: _TWO,
    exp.TryCast: frozenset({"this", "to"}),
    exp.Div: _TWO | {"safe"},
}

DATA_TYPES: frozenset[exp.DType] = frozenset(
    {
        exp.DataType.Type.DATE,
        exp.DataType.Type.INT,
        exp.DataType.Type.BIGINT,
        exp.DataType.Type.DOUBLE,
        exp.DataType.Type.VARCHAR,
        exp.DataType.Type.TEXT,
        exp.DataType.Type.BOOLEAN,
    }
)
UNITS = frozenset({"DAY", "MONTH", "YEAR"})

# Where the nodes that are not values may stand: (parent types, argument name).
_PLACES: dict[type[exp.Expr], tuple[tuple[type[exp.Expr], ...], str]] = {
    exp.Identifier: ((exp.Column,), "this"),
    exp.DataType: ((exp.Cast, exp.TryCast), "to"),
    exp.Var: ((exp.DateDiff, exp.DateAdd, exp.TsOrDsAdd, exp.Interval), "unit"),
}


class UnsafeExpression(UserError):
    """Compiled SQL that the allow-list refuses: a compiler fault, never something to run."""


def extra_arguments(node: exp.Expr, form: Form) -> list[str]:
    """The arguments `node` carries (not empty, not false) that `form` does not allow."""
    return sorted(key for key, value in node.args.items() if key not in form and value not in (None, False, []))


def _walk(tree: exp.Expr) -> Iterator[exp.Expr]:
    """Every node, without recursion (a hostile tree may be deep)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.iter_expressions())


def _place_problem(node: exp.Expr) -> str | None:
    place = _PLACES.get(type(node))
    if place is None:
        return None
    parents, key = place
    if not isinstance(node.parent, parents) or node.arg_key != key:
        return f"{type(node).__name__} outside its place"
    if isinstance(node, exp.DataType) and (node.this not in DATA_TYPES or node.expressions):
        return f"type {node.sql()}"
    if isinstance(node, exp.Var) and node.name.upper() not in UNITS:
        return f"unit {node.name}"
    return None


def _node_problem(node: exp.Expr, facts: Collection[str], parameters: Collection[str] | None) -> str | None:
    form = COMPILED.get(type(node))
    if form is None:
        return f"node {type(node).__name__}"
    extra = extra_arguments(node, form)
    if extra:
        return f"{type(node).__name__} with {', '.join(extra)}"
    if isinstance(node, exp.Column) and node.name not in facts:
        return f"column {node.name}"
    if isinstance(node, exp.Placeholder) and (parameters is None or str(node.this) not in parameters):
        return f"placeholder :{node.this}"
    if isinstance(node, exp.Literal) and not node.is_string and not _is_number(node.this):
        return f"number {node.this}"
    return _place_problem(node)


def _is_number(text: object) -> bool:
    try:
        float(str(text))
    except ValueError:
        return False
    return True


def verify_tree(tree: exp.Expr, facts: Collection[str], parameters: Collection[str] | None = None) -> list[str]:
    """What in a compiled tree is outside the allow-list (empty when all is allowed).

    `parameters` are the placeholder names allowed; None when every placeholder must be substituted.
    """
    found = (_node_problem(node, facts, parameters) for node in _walk(tree))
    return [problem for problem in found if problem is not None]


def verify_sql(sql: str, dialect: str, facts: Collection[str]) -> None:
    """Read rendered SQL back in its dialect and refuse it unless every node is allowed."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except (ParseError, TokenError, RecursionError) as error:
        raise UnsafeExpression(f"compiled SQL cannot be read back: {str(error).splitlines()[0]}") from None
    problems = verify_tree(tree, facts)
    if problems:
        raise UnsafeExpression(
            f"compiled {dialect} SQL holds what the allow-list refuses ({'; '.join(problems[:3])}); "
            "nothing was run; please report this pack"
        )
