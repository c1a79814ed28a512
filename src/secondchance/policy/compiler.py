"""The compiler from pack expressions to DuckDB or Spark SQL (SQLGlot).

Each expression is parsed as DuckDB SQL, then walked once by `_Typer`, which
- accepts only expressions over facts and `:parameters` (no subqueries, tables or side effects,
  and functions only from `ALLOWED_FUNCTIONS`);
- infers the type of every node and rejects mismatches (a date compared with a number);
- rewrites date arithmetic into engine-neutral nodes (`DateAdd`, `DateDiff`) so that
  `commencement_date + to_years(:n)` and `release_date - commencement_date` come out right in
  both DuckDB and Spark SQL.
Parameters stay placeholders until `render` substitutes their typed values as of a date.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from secondchance.policy.facts import FACTS
from secondchance.policy.pack import Criterion, Group, Pack, ParameterValue
from secondchance.policy.parameters import AS_OF, ValueType

__all__ = [
    "ALLOWED_FUNCTIONS",
    "CompiledCriterion",
    "CompiledExpression",
    "CompiledPack",
    "Dialect",
    "ExprType",
    "ExpressionError",
    "compile_expression",
    "default_catalogue",
    "literal",
    "render",
    "type_words",
]

Dialect = Literal["duckdb", "spark"]
ExprType = Literal["boolean", "integer", "number", "date", "text", "interval", "list", "null", "any"]

DAYS_PER_YEAR = 365  # years_to_days: the 365-day year of docs/sentencing-conventions.md

_TYPE_WORDS: dict[str, str] = {
    "boolean": "a yes/no value",
    "integer": "a whole number",
    "number": "a number",
    "date": "a date",
    "text": "text",
    "interval": "a length of time",
    "list": "a list",
    "null": "NULL",
    "any": "a value",
}

# Helper functions a pack may call, beyond SQL's own operators; documented in docs/packs.md.
_INTERVAL_HELPERS = {"to_days": "DAY", "to_months": "MONTH", "to_years": "YEAR"}
ALLOWED_FUNCTIONS: tuple[str, ...] = (
    "abs",
    "ceil",
    "coalesce",
    "date_diff",
    "day",
    "floor",
    "greatest",
    "if",
    "least",
    "length",
    "lower",
    "month",
    "nullif",
    "round",
    "to_days",
    "to_months",
    "to_years",
    "trim",
    "upper",
    "year",
    "years_to_days",
)

_NUMERIC = {"integer", "number"}
_DATE_TYPE = exp.DataType.build("DATE")


def type_words(kind: str) -> str:
    """A type in words a policy author reads: 'a whole number', 'a date'."""
    return _TYPE_WORDS.get(kind, kind)


def default_catalogue() -> dict[str, str]:
    """The facts a pack may read, from the facts catalogue: name -> type."""
    return {fact.name: fact.type for fact in FACTS}


@dataclass(frozen=True)
class ExpressionError:
    """One problem in one expression, with its position inside the expression when known."""

    reason: str
    line: int | None = None  # 1-based line within the expression text
    column: int | None = None  # 1-based column within that line


@dataclass(frozen=True)
class CompiledExpression:
    """A checked, typed expression; parameters are still `:placeholders`."""

    source: str
    tree: exp.Expression
    type: ExprType
    facts: tuple[str, ...]
    parameters: tuple[str, ...]


@dataclass(frozen=True)
class CompiledCriterion:
    """A criterion or group with its compiled expressions, and its children for groups."""

    node: Criterion | Group
    alias: str  # a SQL-safe column stem, n0, n1, ...
    parent_id: str | None
    test: CompiledExpression | None = None
    eligible_on: CompiledExpression | None = None
    children: tuple[CompiledCriterion, ...] = ()

    @property
    def id(self) -> str:
        """The criterion id."""
        return self.node.id

    @property
    def kind(self) -> str:
        """`rule`, `proxy`, `judgement`, or `group`."""
        return self.node.kind if isinstance(self.node, Criterion) else "group"

    def evidence_facts(self) -> tuple[str, ...]:
        """The facts read by the test and the eligible_on expression, in order of first use."""
        names: list[str] = []
        for compiled in (self.test, self.eligible_on):
            if compiled is not None:
                names += [name for name in compiled.facts if name not in names]
        return tuple(names)


@dataclass(frozen=True)
class CompiledPack:
    """A pack whose every expression has been checked and compiled."""

    pack: Pack
    path: str
    sha256: str
    population: CompiledExpression | None
    criteria: tuple[CompiledCriterion, ...]
    fact_types: Mapping[str, str] = field(default_factory=dict)

    def all_criteria(self) -> list[CompiledCriterion]:
        """Every criterion and group, parents before their children."""
        found: list[CompiledCriterion] = []

        def walk(nodes: tuple[CompiledCriterion, ...]) -> None:
            for node in nodes:
                found.append(node)
                walk(node.children)

        walk(self.criteria)
        return found

    def facts_read(self) -> tuple[str, ...]:
        """Every fact the pack reads (population, tests, eligible_on)."""
        names: list[str] = list(self.population.facts) if self.population else []
        for criterion in self.all_criteria():
            names += [name for name in criterion.evidence_facts() if name not in names]
        return tuple(dict.fromkeys(names))


class _Stop(Exception):
    """Raised inside the typer to abandon a node after recording its problem."""


def _suggest(name: str, choices: list[str]) -> list[str]:
    return difflib.get_close_matches(name, choices, n=3, cutoff=0.6)


def _alternatives(names: list[str], prefix: str = "") -> str:
    quoted = [f"'{prefix}{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _show(node: exp.Expression) -> str:
    text = node.sql("duckdb", normalize_functions="lower")
    return text if len(text) <= 60 else text[:57] + "..."


class _Typer:
    """Checks and types one expression tree, producing the rewritten tree."""

    def __init__(self, facts: Mapping[str, str], parameters: Mapping[str, ValueType | None]) -> None:
        self.facts = facts
        self.parameters = parameters
        self.errors: list[ExpressionError] = []
        self.facts_read: list[str] = []
        self.parameters_read: list[str] = []

    def fail(self, reason: str) -> _Stop:
        self.errors.append(ExpressionError(reason))
        return _Stop()

    def check(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        """The rewritten node and its type; ('any') after a recorded problem."""
        try:
            return self._type(node)
        except _Stop:
            return node, "any"

    def _type(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        handler = self._handlers().get(type(node))
        if handler is not None:
            return handler(node)
        raise self.fail(self._not_allowed(node))

    def _handlers(self) -> dict[type[exp.Expression], Callable[[exp.Expression], tuple[exp.Expression, ExprType]]]:
        comparisons = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
        return {
            exp.Column: self._column,
            exp.Placeholder: self._placeholder,
            exp.Literal: self._literal,
            exp.Boolean: lambda node: (node.copy(), "boolean"),
            exp.Null: lambda node: (node.copy(), "null"),
            exp.Paren: self._paren,
            exp.And: self._logic,
            exp.Or: self._logic,
            exp.Not: self._not,
            **dict.fromkeys(comparisons, self._compare),
            exp.Add: self._add,
            exp.Sub: self._sub,
            exp.Mul: self._arithmetic,
            exp.Div: self._arithmetic,
            exp.Mod: self._arithmetic,
            exp.Neg: self._neg,
            exp.Is: self._is,
            exp.In: self._in,
            exp.Between: self._between,
            exp.Like: self._like,
            exp.ILike: self._like,
            exp.Case: self._case,
            exp.If: self._if,
            exp.Coalesce: self._same_type_function,
            exp.Least: self._same_type_function,
            exp.Greatest: self._same_type_function,
            exp.Nullif: self._same_type_function,
            exp.Abs: self._numeric_function,
            exp.Round: self._numeric_function,
            exp.Floor: self._numeric_function,
            exp.Ceil: self._numeric_function,
            exp.Year: self._date_part,
            exp.Month: self._date_part,
            exp.Day: self._date_part,
            exp.Lower: self._text_function,
            exp.Upper: self._text_function,
            exp.Trim: self._text_function,
            exp.Length: self._text_function,
            exp.Cast: self._cast,
            exp.DateDiff: self._date_diff,
            exp.Interval: self._interval,
            exp.ToDays: self._helper,
            exp.Anonymous: self._helper,
        }

    # -- leaves

    def _column(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        assert isinstance(node, exp.Column)
        if node.table:
            raise self.fail(
                f"write the fact name alone: '{node.name}', not '{node.sql('duckdb')}' (packs do not read tables)"
            )
        name = node.name
        if name not in self.facts:
            close = _suggest(name, sorted(self.facts))
            hint = (
                f"did you mean {_alternatives(close)}?"
                if close
                else "`secondchance facts list` shows the facts a pack can read"
            )
            raise self.fail(f"unknown fact '{name}'; {hint}")
        if name not in self.facts_read:
            self.facts_read.append(name)
        return exp.column(name), self.facts[name]  # type: ignore[return-value]

    def _placeholder(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        name = str(node.this or "")
        if not name or name.isdigit():
            raise self.fail("write parameters by name, like :min_years_served")
        if name == AS_OF:
            kind: ValueType | None = "date"
        elif name in self.parameters:
            kind = self.parameters[name]
        else:
            close = _suggest(name, sorted([*self.parameters, AS_OF]))
            hint = f"did you mean {_alternatives(close, ':')}?" if close else "declare it under `parameters`"
            raise self.fail(f"unknown parameter ':{name}'; {hint}")
        if name not in self.parameters_read:
            self.parameters_read.append(name)
        return exp.Placeholder(this=name), (kind or "any")

    def _literal(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        assert isinstance(node, exp.Literal)
        if node.is_string:
            return node.copy(), "text"
        return node.copy(), ("integer" if re.fullmatch(r"\d+", node.this) else "number")

    def _paren(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        inner, kind = self.check(node.this)
        return exp.Paren(this=inner), kind

    # -- logic and comparison

    def _expect(self, node: exp.Expression, kinds: set[str], role: str) -> tuple[exp.Expression, ExprType]:
        typed, kind = self.check(node)
        if kind not in kinds | {"null", "any"}:
            wanted = " or ".join(type_words(k) for k in sorted(kinds))
            raise self.fail(f"{role} must be {wanted}, but {_show(node)} is {type_words(kind)}")
        return typed, kind

    def _logic(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        word = "AND" if isinstance(node, exp.And) else "OR"
        left, _ = self._expect(node.this, {"boolean"}, f"each side of {word}")
        right, _ = self._expect(node.expression, {"boolean"}, f"each side of {word}")
        return type(node)(this=left, expression=right), "boolean"

    def _not(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        inner, _ = self._expect(node.this, {"boolean"}, "what follows NOT")
        return exp.Not(this=inner), "boolean"

    def _comparable(
        self, left: exp.Expression, lkind: str, right: exp.Expression, rkind: str, what: str
    ) -> tuple[exp.Expression, exp.Expression]:
        """Check two operands can be compared; a date compared with an ISO text literal reads it as a date."""
        if lkind == "date" and rkind == "text" and isinstance(right, exp.Literal):
            return left, self._date_literal(right)
        if rkind == "date" and lkind == "text" and isinstance(left, exp.Literal):
            return self._date_literal(left), right
        if "any" in (lkind, rkind) or "null" in (lkind, rkind) or lkind == rkind:
            return left, right
        if lkind in _NUMERIC and rkind in _NUMERIC:
            return left, right
        raise self.fail(f"cannot {what} {_show(left)} ({type_words(lkind)}) with {_show(right)} ({type_words(rkind)})")

    def _date_literal(self, node: exp.Literal) -> exp.Expression:
        try:
            date.fromisoformat(node.this)
        except ValueError:
            raise self.fail(f"'{node.this}' is not a date; write dates as DATE '2014-04-23'") from None
        return exp.Cast(this=exp.Literal.string(node.this), to=_DATE_TYPE.copy())

    def _compare(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        for kind, side in ((lkind, node.this), (rkind, node.expression)):
            if kind in ("interval", "list"):
                raise self.fail(f"{_show(side)} is {type_words(kind)} and cannot be compared")
        left, right = self._comparable(left, lkind, right, rkind, "compare")
        return type(node)(this=left, expression=right), "boolean"

    def _is(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        inner, _ = self.check(node.this)
        target = node.expression
        if not isinstance(target, exp.Null | exp.Boolean):
            raise self.fail("IS is for IS NULL, IS TRUE and IS FALSE; use = to compare values")
        return exp.Is(this=inner, expression=target.copy()), "boolean"

    def _in(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        if node.args.get("query") is not None or node.args.get("unnest") is not None:
            raise self.fail("IN takes a list of values or a list parameter, not a subquery")
        value, vkind = self.check(node.this)
        listed = list(node.expressions)
        field = node.args.get("field")
        if field is not None:
            # `x IN :list_parameter`, written without parentheses
            if not isinstance(field, exp.Placeholder):
                raise self.fail("IN takes a list of values in parentheses, or a list parameter like :codes")
            listed.append(field)
        items: list[exp.Expression] = []
        for item in listed:
            typed, kind = self.check(item)
            if kind == "list":
                kind = "any"  # list parameters are checked when they are substituted
            _, typed = self._comparable(value, vkind, typed, kind, "compare")
            items.append(typed)
        return exp.In(this=value, expressions=items), "boolean"

    def _between(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        value, vkind = self.check(node.this)
        low, lkind = self.check(node.args["low"])
        high, hkind = self.check(node.args["high"])
        value, low = self._comparable(value, vkind, low, lkind, "compare")
        value, high = self._comparable(value, vkind, high, hkind, "compare")
        return exp.Between(this=value, low=low, high=high), "boolean"

    def _like(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        left, _ = self._expect(node.this, {"text"}, "LIKE")
        right, _ = self._expect(node.expression, {"text"}, "a LIKE pattern")
        return type(node)(this=left, expression=right), "boolean"

    # -- arithmetic and dates

    def _add(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        if lkind in ("integer", "interval") and rkind == "date":
            left, lkind, right, rkind = right, rkind, left, lkind
        if lkind == "date":
            return self._shift_date(node, left, right, rkind, sign=1)
        return self._numeric_pair(node, left, lkind, right, rkind)

    def _sub(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        if lkind == "date" and rkind == "date":
            # Days between two dates: DATE_DIFF('DAY', b, a) in DuckDB, DATEDIFF(a, b) in Spark.
            return exp.DateDiff(this=left, expression=right), "integer"
        if lkind == "date":
            return self._shift_date(node, left, right, rkind, sign=-1)
        return self._numeric_pair(node, left, lkind, right, rkind)

    def _shift_date(
        self, node: exp.Expression, day: exp.Expression, amount: exp.Expression, kind: str, sign: int
    ) -> tuple[exp.Expression, ExprType]:
        if kind in ("any", "null"):
            return type(node)(this=day, expression=amount), "date"
        if kind == "interval":
            assert isinstance(amount, exp.Interval)
            count, unit = amount.this, amount.unit
        elif kind == "integer":
            count, unit = amount, exp.var("DAY")
        else:
            raise self.fail(
                f"a date can move by a whole number of days or by to_years(...), to_months(...) or to_days(...), "
                f"not by {_show(amount)} ({type_words(kind)})"
            )
        if sign < 0:
            count = exp.Neg(this=exp.Paren(this=count) if not isinstance(count, exp.Literal) else count)
        # DuckDB gives a TIMESTAMP for date + interval; the cast keeps the result a DATE in every dialect.
        return exp.Cast(this=exp.DateAdd(this=day, expression=count, unit=unit), to=_DATE_TYPE.copy()), "date"

    def _numeric_pair(
        self, node: exp.Expression, left: exp.Expression, lkind: str, right: exp.Expression, rkind: str
    ) -> tuple[exp.Expression, ExprType]:
        for kind, side in ((lkind, left), (rkind, right)):
            if kind not in _NUMERIC | {"any", "null"}:
                raise self.fail(f"arithmetic needs numbers, but {_show(side)} is {type_words(kind)}")
        result: ExprType = "integer" if lkind == rkind == "integer" else "number"
        return type(node)(this=left, expression=right), result

    def _arithmetic(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        typed, kind = self._numeric_pair(node, left, lkind, right, rkind)
        # Division gives a number in both DuckDB and Spark, even between whole numbers.
        return typed, ("number" if isinstance(node, exp.Div) else kind)

    def _neg(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        inner, kind = self._expect(node.this, set(_NUMERIC), "a negative sign")
        return exp.Neg(this=inner), kind

    def _interval(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        assert isinstance(node, exp.Interval)
        unit = (node.unit.name if node.unit else "").upper().rstrip("S")
        if unit not in ("DAY", "MONTH", "YEAR") or not isinstance(node.this, exp.Literal):
            raise self.fail("write lengths of time as to_years(n), to_months(n) or to_days(n)")
        if not re.fullmatch(r"\d+", str(node.this.this)):
            raise self.fail("an INTERVAL needs a whole number, like INTERVAL 10 YEAR")
        return exp.Interval(this=exp.Literal.number(node.this.this), unit=exp.var(unit)), "interval"

    def _helper(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        name = "to_days" if isinstance(node, exp.ToDays) else str(node.this).lower()
        arguments = [node.this] if isinstance(node, exp.ToDays) else list(node.expressions)
        if name not in ("years_to_days", *_INTERVAL_HELPERS):
            raise self.fail(self._not_allowed(node))
        if len(arguments) != 1:
            raise self.fail(f"{name}(...) takes one value")
        if name == "years_to_days":
            value, kind = self._expect(arguments[0], set(_NUMERIC), f"the value of {name}(...)")
            days = exp.Mul(this=exp.Paren(this=value), expression=exp.Literal.number(DAYS_PER_YEAR))
            return exp.Paren(this=days), ("integer" if kind == "integer" else "number")
        value, _ = self._expect(arguments[0], {"integer"}, f"the value of {name}(...)")
        return exp.Interval(this=value, unit=exp.var(_INTERVAL_HELPERS[name])), "interval"

    def _date_diff(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        unit = node.args.get("unit")
        if unit is not None and unit.name.upper() not in ("DAY", "DAYS"):
            raise self.fail("date_diff counts days only: date_diff('day', start, end); for years use to_years(...)")
        later, _ = self._expect(node.this, {"date"}, "date_diff")
        earlier, _ = self._expect(node.expression, {"date"}, "date_diff")
        return exp.DateDiff(this=later, expression=earlier), "integer"

    def _date_part(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        inner, _ = self._expect(node.this, {"date"}, f"{node.key.upper()}(...)")
        return type(node)(this=inner), "integer"

    # -- functions and conditionals

    def _same_type_function(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        arguments = [node.this, *node.expressions] if node.this is not None else list(node.expressions)
        if isinstance(node, exp.Nullif):
            arguments = [node.this, node.expression]
        typed = [self.check(argument) for argument in arguments]
        kind = self._unify([kind for _, kind in typed], f"the values of {node.key.upper()}", arguments)
        nodes = [item for item, _ in typed]
        if isinstance(node, exp.Nullif):
            return exp.Nullif(this=nodes[0], expression=nodes[1]), kind
        copy = node.copy()  # keeps flags such as LEAST's ignore_nulls
        copy.set("this", nodes[0])
        copy.set("expressions", nodes[1:])
        return copy, kind

    def _unify(self, kinds: list[ExprType], what: str, nodes: list[exp.Expression]) -> ExprType:
        known = [kind for kind in kinds if kind not in ("null", "any")]
        if not known:
            return "any"
        if all(kind in _NUMERIC for kind in known):
            return "integer" if all(kind == "integer" for kind in known) else "number"
        if len(set(known)) > 1:
            shown = ", ".join(f"{_show(n)} ({type_words(k)})" for n, k in zip(nodes, kinds, strict=False))
            raise self.fail(f"{what} must all be of one type: {shown}")
        return known[0]

    def _numeric_function(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        value, kind = self._expect(node.this, set(_NUMERIC), f"{node.key.upper()}(...)")
        copy = node.copy()
        copy.set("this", value)
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None:
            decimals, _ = self._expect(node.args["decimals"], {"integer"}, "the decimals of ROUND")
            copy.set("decimals", decimals)
        result: ExprType = kind if isinstance(node, exp.Abs) else "number"
        return copy, result

    def _text_function(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        value, _ = self._expect(node.this, {"text"}, f"{node.key.upper()}(...)")
        copy = node.copy()
        copy.set("this", value)
        return copy, ("integer" if isinstance(node, exp.Length) else "text")

    def _case(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        subject = node.this
        subject_typed, subject_kind = self.check(subject) if subject is not None else (None, "boolean")
        ifs: list[exp.Expression] = []
        results: list[tuple[exp.Expression, ExprType]] = []
        for branch in node.args.get("ifs") or []:
            if subject_typed is None:
                condition, _ = self._expect(branch.this, {"boolean"}, "a WHEN condition")
            else:
                condition, kind = self.check(branch.this)
                _, condition = self._comparable(subject_typed, subject_kind, condition, kind, "compare")
            value = self.check(branch.args["true"])
            results.append(value)
            ifs.append(exp.If(this=condition, true=value[0]))
        default = node.args.get("default")
        default_typed = self.check(default) if default is not None else None
        if default_typed is not None:
            results.append(default_typed)
        kind = self._unify([k for _, k in results], "the results of CASE", [n for n, _ in results])
        return exp.Case(this=subject_typed, ifs=ifs, default=default_typed[0] if default_typed else None), kind

    def _if(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        condition, _ = self._expect(node.this, {"boolean"}, "the condition of IF")
        true = self.check(node.args["true"])
        false = self.check(node.args["false"]) if node.args.get("false") is not None else (exp.Null(), "null")
        kind = self._unify([true[1], false[1]], "the results of IF", [true[0], false[0]])
        return exp.Case(ifs=[exp.If(this=condition, true=true[0])], default=false[0]), kind

    def _cast(self, node: exp.Expression) -> tuple[exp.Expression, ExprType]:
        assert isinstance(node, exp.Cast)
        target = node.to.this
        kinds: dict[object, ExprType] = {
            exp.DataType.Type.DATE: "date",
            exp.DataType.Type.INT: "integer",
            exp.DataType.Type.BIGINT: "integer",
            exp.DataType.Type.DOUBLE: "number",
            exp.DataType.Type.VARCHAR: "text",
            exp.DataType.Type.BOOLEAN: "boolean",
        }
        if target not in kinds:
            raise self.fail(f"CAST to {node.to.sql('duckdb')} is not allowed; use DATE, BIGINT, DOUBLE or VARCHAR")
        if kinds[target] == "date" and isinstance(node.this, exp.Literal) and node.this.is_string:
            return self._date_literal(node.this), "date"
        value, _ = self.check(node.this)
        return exp.Cast(this=value, to=node.to.copy()), kinds[target]

    # -- refusals

    def _not_allowed(self, node: exp.Expression) -> str:
        if isinstance(node, exp.Select | exp.Subquery | exp.Exists | exp.Union | exp.Query):
            return "subqueries are not allowed: a pack expression reads only facts and :parameters"
        if isinstance(node, exp.Table | exp.From | exp.Join):
            return "reading tables is not allowed: a pack expression reads only facts and :parameters"
        if isinstance(node, exp.Insert | exp.Update | exp.Delete | exp.Create | exp.Drop | exp.Alter | exp.Command):
            return "statements that change data are not allowed: a pack expression only reads facts"
        if isinstance(node, exp.Star):
            return "'*' is not allowed: name the facts you need"
        if isinstance(node, exp.Window):
            return "window functions are not allowed: a pack expression looks at one person at a time"
        if isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            return (
                f"function {name.upper()} is not allowed in a pack expression; allowed: {', '.join(ALLOWED_FUNCTIONS)}"
            )
        return f"{_show(node)} is not allowed in a pack expression"


def compile_expression(
    text: str,
    *,
    facts: Mapping[str, str],
    parameters: Mapping[str, ValueType | None],
    expect: ExprType | None = None,
    role: str = "the expression",
) -> tuple[CompiledExpression | None, list[ExpressionError]]:
    """Parse, check and type one expression; returns the compiled expression or the problems found."""
    try:
        parsed = sqlglot.parse(text, read="duckdb")
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        description = str(first.get("description") or error).rstrip(".")
        near = str(first.get("start_context") or "") + str(first.get("highlight") or "")
        where = f" near '{near.strip()}'" if near.strip() else ""
        detail = f"{description.lower()}{where}"
        return None, [
            ExpressionError(
                f"this is not a valid expression: {detail}",
                line=first.get("line"),
                column=first.get("col"),
            )
        ]
    except TokenError as error:
        return None, [ExpressionError(f"this is not a valid expression: {error}")]
    statements = [statement for statement in parsed if isinstance(statement, exp.Expression)]
    if len(statements) != 1:
        reason = "write one expression, without ';'" if statements else "the expression is empty"
        return None, [ExpressionError(reason)]
    typer = _Typer(facts, parameters)
    tree, kind = typer.check(statements[0])
    if not typer.errors and expect is not None and kind not in (expect, "null", "any"):
        if expect == "boolean":
            typer.errors.append(ExpressionError(f"{role} must be a yes/no condition, but this is {type_words(kind)}"))
        else:
            typer.errors.append(
                ExpressionError(f"{role} must give {type_words(expect)}, but this gives {type_words(kind)}")
            )
    if typer.errors:
        return None, typer.errors
    compiled = CompiledExpression(text, tree, kind, tuple(typer.facts_read), tuple(typer.parameters_read))
    return compiled, []


def literal(value: ParameterValue) -> exp.Expression:
    """A typed SQL literal for a parameter value."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()), to=_DATE_TYPE.copy())
    if isinstance(value, list):
        return exp.Tuple(expressions=[literal(item) for item in value])
    return exp.Literal.string(value)


def substitute(tree: exp.Expression, values: Mapping[str, ParameterValue]) -> exp.Expression:
    """The tree with every `:parameter` replaced by its typed literal (lists expand inside IN)."""

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.In):
            items: list[exp.Expression] = []
            for item in node.expressions:
                value = values.get(str(item.this)) if isinstance(item, exp.Placeholder) else None
                if isinstance(value, list):
                    items += [literal(element) for element in value]
                else:
                    items.append(item)
            node.set("expressions", items)
            return node
        if isinstance(node, exp.Placeholder):
            return literal(values[str(node.this)])
        return node

    return tree.copy().transform(replace)


def render(
    compiled: CompiledExpression | exp.Expression, values: Mapping[str, ParameterValue], dialect: Dialect
) -> str:
    """The SQL of an expression for `dialect`, with parameters substituted."""
    tree = compiled.tree if isinstance(compiled, CompiledExpression) else compiled
    rendered = substitute(tree, values)
    if dialect == "spark":
        rendered = rendered.transform(_spark_int_count)
    return rendered.sql(dialect)


def _spark_int_count(node: exp.Expression) -> exp.Expression:
    """Spark's DATE_ADD and ADD_MONTHS take an INT count, and a whole-number fact is a BIGINT: cast it."""
    if isinstance(node, exp.DateAdd):
        count = node.expression
        literal_count = isinstance(count, exp.Literal) or (
            isinstance(count, exp.Neg) and isinstance(count.this, exp.Literal)
        )
        if not literal_count:
            node.set("expression", exp.Cast(this=count, to=exp.DataType.build("INT")))
    return node
