"""Checking a pack expression: the tree its author wrote, rebuilt from checked parts only.

`ExpressionChecker.check` walks the parsed tree once. For every node it
- refuses any node type that is not in `allowlist.WRITTEN`, and any argument its form does not list;
- checks and types every argument (a date compared with a number, text given to FLOOR, are refused);
- builds a new node from the checked arguments alone: nothing of the written tree is copied through;
- rewrites date arithmetic into engine-neutral nodes (`DateAdd`, `DateDiff`), so that
  `commencement_date + to_years(:n)` and `release_date - commencement_date` mean the same in
  DuckDB and Spark, and bounds every move of a date (`limits.MAX_DATE_SHIFT`).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Literal

from sqlglot import exp

from secondchance.policy import limits
from secondchance.policy.allowlist import COMPARISONS, WRITTEN, extra_arguments
from secondchance.policy.arithmetic import LARGEST_INT, LARGEST_WHOLE, largest_value, safe_divisor, widened
from secondchance.policy.parameters import AS_OF, ValueType
from secondchance.sentencing.conventions import DAYS_PER_YEAR

__all__ = ["DAYS_PER_YEAR", "HELPERS", "ExprType", "ExpressionChecker", "type_words"]

ExprType = Literal["boolean", "integer", "number", "date", "text", "interval", "list", "null", "any"]

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

# Helper functions a pack may call, beyond SQL's own; documented in docs/packs.md.
_INTERVAL_HELPERS = {"to_days": "DAY", "to_months": "MONTH", "to_years": "YEAR"}
HELPERS = ("to_days", "to_months", "to_years", "years_to_days")

# How each allowed form is written, for the message when a node carries more than its form.
_USAGE: dict[type[exp.Expression], str] = {
    exp.Abs: "abs(x)",
    exp.Floor: "floor(x)",
    exp.Ceil: "ceil(x)",
    exp.Round: "round(x) or round(x, digits)",
    exp.Year: "year(date)",
    exp.Month: "month(date)",
    exp.Day: "day(date)",
    exp.Lower: "lower(text)",
    exp.Upper: "upper(text)",
    exp.Trim: "trim(text)",
    exp.Length: "length(text)",
    exp.Coalesce: "coalesce(a, b, ...)",
    exp.Least: "least(a, b, ...)",
    exp.Greatest: "greatest(a, b, ...)",
    exp.Nullif: "nullif(a, b)",
    exp.Cast: "CAST(x AS DATE), CAST(x AS BIGINT), CAST(x AS DOUBLE), CAST(x AS VARCHAR) or CAST(x AS BOOLEAN)",
    exp.DateDiff: "date_diff('day', start, end)",
    exp.Interval: "INTERVAL 10 YEAR, or to_years(10)",
    exp.In: "x IN (a, b, ...) or x IN :list_parameter",
    exp.Between: "x BETWEEN low AND high",
    exp.Like: "text LIKE 'pattern'",
    exp.ILike: "text ILIKE 'pattern'",
    exp.Case: "CASE WHEN condition THEN value ... ELSE value END",
    exp.If: "if(condition, value, otherwise)",
}

_CASTS: dict[exp.DType, ExprType] = {
    exp.DataType.Type.DATE: "date",
    exp.DataType.Type.INT: "integer",
    exp.DataType.Type.BIGINT: "integer",
    exp.DataType.Type.DOUBLE: "number",
    exp.DataType.Type.VARCHAR: "text",
    exp.DataType.Type.TEXT: "text",
    exp.DataType.Type.BOOLEAN: "boolean",
}
# The casts each engine performs alike and without error; text is never read as a number or date.
_CAST_FROM: dict[str, set[str]] = {
    "integer": {"integer", "number", "boolean"},
    "number": {"integer", "number", "boolean"},
    "text": {"integer", "number", "boolean", "date", "text"},
    "date": {"date"},
    "boolean": {"boolean", "integer"},
}

_SQL_TYPES = {
    "boolean": exp.DataType.Type.BOOLEAN,
    "integer": exp.DataType.Type.BIGINT,
    "number": exp.DataType.Type.DOUBLE,
    "date": exp.DataType.Type.DATE,
    "text": exp.DataType.Type.VARCHAR,
}
_NUMERIC = {"integer", "number"}
_OPERATIONS = (exp.Binary, exp.Not, exp.Neg, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike)
_DATE_TYPE = exp.DataType.Type.DATE
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")

Typed = tuple[exp.Expression, ExprType]


def type_words(kind: str) -> str:
    """A type in words a policy author reads: 'a whole number', 'a date'."""
    return _TYPE_WORDS.get(kind, kind)


def date_type() -> exp.DataType:
    """A fresh DATE type node."""
    return exp.DataType(this=_DATE_TYPE)


def _operand(node: exp.Expression) -> exp.Expression:
    """An operator's operand, in brackets when it is an operation itself.

    SQLGlot prints a rebuilt tree without the brackets its precedence implies, and DuckDB, Spark and
    SQLGlot do not all rank LIKE, IN, IS and NOT alike; brackets make every engine read the tree that
    was checked.
    """
    return exp.Paren(this=node) if isinstance(node, _OPERATIONS) else node


def _suggest(name: str, choices: list[str]) -> list[str]:
    return difflib.get_close_matches(name, choices, n=3, cutoff=0.6)


def _alternatives(names: list[str], prefix: str = "") -> str:
    quoted = [f"'{prefix}{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def show(node: exp.Expression) -> str:
    """A node as the author might have written it, shortened for a message."""
    written = node.transform(lambda part: exp.var(f":{part.this}") if isinstance(part, exp.Placeholder) else part)
    try:
        text = written.sql("duckdb", normalize_functions="lower")
    except Exception:  # SQLGlot cannot always print what it parsed; the message needs no more
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).upper()
    return node.sql_name() if isinstance(node, exp.Func) else node.key.upper()


class _Stop(Exception):
    """Raised inside the checker to abandon a node after recording its problem."""


class ExpressionChecker:
    """Checks and types one expression tree, producing a new tree built from checked parts."""

    def __init__(self, facts: Mapping[str, str], parameters: Mapping[str, ValueType | None]) -> None:
        self.facts = facts
        self.parameters = parameters
        self.errors: list[str] = []
        self.facts_read: list[str] = []
        self.parameters_read: list[str] = []
        # Parameters that move a date, with the unit: their values are bounded when rendered.
        self.date_shift_parameters: list[tuple[str, str]] = []
        # List parameters after IN, with the type of the value they are compared with.
        self.list_parameters: list[tuple[str, str]] = []

    def fail(self, reason: str) -> _Stop:
        """Record a problem; the caller raises what this returns."""
        self.errors.append(reason)
        return _Stop()

    def check(self, node: exp.Expression, *, list_allowed: bool = False) -> Typed:
        """The rebuilt node and its type; ('any') after a recorded problem."""
        try:
            typed, kind = self._type(node)
        except _Stop:
            return exp.Null(), "any"
        if kind == "list" and not list_allowed:
            self.errors.append(f"the list {show(node)} can only be used after IN")
            return exp.Null(), "any"
        return typed, kind

    def _type(self, node: exp.Expression) -> Typed:
        form = WRITTEN.get(type(node))
        handler = self._handlers().get(type(node))
        if form is None or handler is None:
            raise self.fail(self._not_allowed(node))
        extra = extra_arguments(node, form)
        if extra:
            usage = _USAGE.get(type(node))
            advice = f"; write {usage}" if usage else ""
            raise self.fail(f"this form of {_name(node)} is not allowed in a pack expression{advice}")
        return handler(node)

    def _handlers(self) -> dict[type[exp.Expression], Callable[[exp.Expression], Typed]]:
        return {
            exp.Column: self._column,
            exp.Placeholder: self._placeholder,
            exp.Literal: self._literal,
            exp.Boolean: lambda node: (exp.Boolean(this=bool(node.this)), "boolean"),
            exp.Null: lambda node: (exp.Null(), "null"),
            exp.Paren: self._paren,
            exp.And: self._logic,
            exp.Or: self._logic,
            exp.Not: self._not,
            **dict.fromkeys(COMPARISONS, self._compare),
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
            exp.Nullif: self._nullif,
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

    def _column(self, node: exp.Expression) -> Typed:
        assert isinstance(node, exp.Column)
        if node.table or not isinstance(node.this, exp.Identifier):
            raise self.fail(f"write the fact name alone: '{node.name}', not '{show(node)}' (packs do not read tables)")
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

    def _placeholder(self, node: exp.Expression) -> Typed:
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

    def _literal(self, node: exp.Expression) -> Typed:
        assert isinstance(node, exp.Literal)
        text = str(node.this)
        if node.is_string:
            if len(text) > limits.MAX_TEXT_CHARS:
                raise self.fail(f"text in an expression is at most {limits.MAX_TEXT_CHARS:,} characters")
            if limits.CONTROL_CHARACTERS.search(text):
                raise self.fail("text in an expression cannot hold control characters")
            if "${" in text:
                raise self.fail("text in an expression cannot hold '${' (Spark reads it as a variable)")
            return exp.Literal.string(text), "text"
        if not _NUMBER.fullmatch(text) or not math.isfinite(float(text)) or abs(float(text)) > limits.MAX_NUMBER:
            raise self.fail(f"{text[:30]} is not a number a pack may use (at most {limits.MAX_NUMBER:,})")
        return exp.Literal.number(text), ("integer" if re.fullmatch("[0-9]+", text) else "number")

    def _paren(self, node: exp.Expression) -> Typed:
        inner, kind = self.check(node.this)
        return (inner if isinstance(inner, exp.Paren) else exp.Paren(this=inner)), kind

    # -- logic and comparison

    def _expect(self, node: exp.Expression, kinds: set[str], role: str) -> Typed:
        typed, kind = self.check(node)
        if kind not in kinds | {"null", "any"}:
            wanted = " or ".join(type_words(k) for k in sorted(kinds))
            raise self.fail(f"{role} must be {wanted}, but {show(node)} is {type_words(kind)}")
        if kind == "null":
            # A bare NULL given to a function leaves the engine to guess its type; name the type instead.
            wanted_kind = "integer" if "integer" in kinds else min(kinds)
            return exp.Cast(this=exp.Null(), to=exp.DataType(this=_SQL_TYPES[wanted_kind])), "null"
        return typed, kind

    def _logic(self, node: exp.Expression) -> Typed:
        word = "AND" if isinstance(node, exp.And) else "OR"
        left, _ = self._expect(node.this, {"boolean"}, f"each side of {word}")
        right, _ = self._expect(node.expression, {"boolean"}, f"each side of {word}")
        return type(node)(this=_operand(left), expression=_operand(right)), "boolean"

    def _not(self, node: exp.Expression) -> Typed:
        inner, _ = self._expect(node.this, {"boolean"}, "what follows NOT")
        return exp.Not(this=_operand(inner)), "boolean"

    def comparable(
        self, left: exp.Expression, lkind: str, right: exp.Expression, rkind: str
    ) -> tuple[exp.Expression, exp.Expression]:
        """Check two operands can be compared; a date compared with an ISO text literal reads it as a date."""
        if lkind == "date" and rkind == "text" and isinstance(right, exp.Literal):
            return left, self._date_literal(right)
        if rkind == "date" and lkind == "text" and isinstance(left, exp.Literal):
            return self._date_literal(left), right
        for kind, side in ((lkind, left), (rkind, right)):
            if kind in ("interval", "list"):
                raise self.fail(f"{show(side)} is {type_words(kind)} and cannot be compared")
        if "any" in (lkind, rkind) or "null" in (lkind, rkind) or lkind == rkind:
            return left, right
        if lkind in _NUMERIC and rkind in _NUMERIC:
            return left, right
        raise self.fail(f"cannot compare {show(left)} ({type_words(lkind)}) with {show(right)} ({type_words(rkind)})")

    def _date_literal(self, node: exp.Literal) -> exp.Expression:
        try:
            date.fromisoformat(str(node.this))
        except ValueError:
            raise self.fail(f"'{str(node.this)[:30]}' is not a date; write dates as DATE '2014-04-23'") from None
        return exp.Cast(this=exp.Literal.string(str(node.this)), to=date_type())

    def _compare(self, node: exp.Expression) -> Typed:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        for kind, side in ((lkind, node.this), (rkind, node.expression)):
            if kind in ("interval", "list"):
                raise self.fail(f"{show(side)} is {type_words(kind)} and cannot be compared")
        left, right = self.comparable(left, lkind, right, rkind)
        return type(node)(this=_operand(left), expression=_operand(right)), "boolean"

    def _is(self, node: exp.Expression) -> Typed:
        inner, kind = self.check(node.this)
        if kind == "interval":
            raise self.fail(f"{show(node.this)} is {type_words(kind)}, which is never NULL; add it to a date")
        target = node.expression
        if isinstance(target, exp.Null):
            return exp.Is(this=_operand(inner), expression=exp.Null()), "boolean"
        if isinstance(target, exp.Boolean):
            if kind not in ("boolean", "null", "any"):
                wrong = f"{show(node.this)} is {type_words(kind)}"
                raise self.fail(f"IS TRUE and IS FALSE need a yes/no value, but {wrong}")
            return exp.Is(this=_operand(inner), expression=exp.Boolean(this=bool(target.this))), "boolean"
        raise self.fail("IS is for IS NULL, IS TRUE and IS FALSE; use = to compare values")

    def _in(self, node: exp.Expression) -> Typed:
        value, vkind = self.check(node.this)
        listed = list(node.expressions)
        field = node.args.get("field")
        if field is not None:
            # `x IN :list_parameter`, written without parentheses
            if not isinstance(field, exp.Placeholder):
                raise self.fail("IN takes a list of values in parentheses, or a list parameter like :codes")
            listed.append(field)
        if len(listed) > limits.MAX_LIST_ITEMS:
            raise self.fail(f"an IN list holds at most {limits.MAX_LIST_ITEMS} values; use a list parameter")
        items: list[exp.Expression] = []
        for item in listed:
            typed, kind = self.check(item, list_allowed=isinstance(item, exp.Placeholder))
            if kind == "list":
                # A list parameter's values are checked against the value's type when they are rendered.
                self.list_parameters.append((str(item.this), vkind))
                kind = "any"
            _, typed = self.comparable(value, vkind, typed, kind)
            items.append(typed)
        return exp.In(this=_operand(value), expressions=items), "boolean"

    def _between(self, node: exp.Expression) -> Typed:
        value, vkind = self.check(node.this)
        low, lkind = self.check(node.args["low"])
        high, hkind = self.check(node.args["high"])
        value, low = self.comparable(value, vkind, low, lkind)
        value, high = self.comparable(value, vkind, high, hkind)
        return exp.Between(this=_operand(value), low=_operand(low), high=_operand(high)), "boolean"

    def _like(self, node: exp.Expression) -> Typed:
        left, _ = self._expect(node.this, {"text"}, "LIKE")
        right, _ = self._expect(node.expression, {"text"}, "a LIKE pattern")
        pattern = node.expression
        # Spark runs LIKE as a Java regular expression, which backtracks: `%a%a%a%b` over long text can
        # run for hours before any job exists to cancel. With % only at the ends the match is linear;
        # and Spark reads a backslash as an escape where DuckDB does not.
        text = str(pattern.this) if isinstance(pattern, exp.Literal) and pattern.is_string else None
        if text is None or len(text) > 100 or "%" in text[1:-1] or "\\" in text:
            raise self.fail(
                "a LIKE pattern is text written in the pack, at most 100 characters, with % only at its start "
                "or end and no backslash, like 'F%' or '%drug%'"
            )
        return type(node)(this=_operand(left), expression=_operand(right)), "boolean"

    # -- arithmetic and dates

    def _add(self, node: exp.Expression) -> Typed:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        if lkind in ("integer", "interval") and rkind == "date":
            left, lkind, right, rkind = right, rkind, left, lkind
        if lkind == "date":
            return self._shift_date(left, right, rkind, sign=1)
        return self._numeric_pair(node, left, lkind, right, rkind)

    def _sub(self, node: exp.Expression) -> Typed:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        if lkind == "date" and rkind == "date":
            # Days between two dates: DATE_DIFF('DAY', b, a) in DuckDB, DATEDIFF(a, b) in Spark.
            return exp.DateDiff(this=left, expression=right), "integer"
        if lkind == "date":
            return self._shift_date(left, right, rkind, sign=-1)
        return self._numeric_pair(node, left, lkind, right, rkind)

    def _shift_date(self, day: exp.Expression, amount: exp.Expression, kind: str, sign: int) -> Typed:
        while isinstance(amount, exp.Paren):
            amount = amount.this
        if kind in ("any", "null"):
            return exp.Cast(this=exp.Null(), to=date_type()), "date"
        if kind == "interval" and isinstance(amount, exp.Interval) and amount.unit is not None:
            count, unit = amount.this, amount.unit.name
        elif kind == "integer":
            count, unit = amount, "DAY"
        else:
            raise self.fail(
                f"a date can move by a whole number of days or by to_years(...), to_months(...) or to_days(...), "
                f"not by {show(amount)} ({type_words(kind)})"
            )
        if sign < 0:
            count = exp.Neg(this=exp.Paren(this=count) if not isinstance(count, exp.Literal) else count)
        # DuckDB gives a TIMESTAMP for date + interval; the cast keeps the result a DATE in every dialect.
        moved = exp.Cast(this=exp.DateAdd(this=_operand(day), expression=count, unit=exp.var(unit)), to=date_type())
        return self._bounded_move(moved, count, unit), "date"

    def _bounded_move(self, moved: exp.Expression, count: exp.Expression, unit: str) -> exp.Expression:
        """The move, made only when its count is within `limits.MAX_DATE_SHIFT` (else NULL, not an error)."""
        bound = limits.MAX_DATE_SHIFT[unit]
        value = count.this if isinstance(count, exp.Neg) else count
        if isinstance(value, exp.Literal):
            if int(float(str(value.this))) > bound:
                raise self.fail(f"a date can move by at most {bound:,} {unit.lower()}s")
            return moved
        if isinstance(value, exp.Placeholder):
            self.date_shift_parameters.append((str(value.this), unit))
            return moved
        within = exp.LTE(this=exp.Abs(this=count.copy()), expression=exp.Literal.number(bound))
        return exp.Case(ifs=[exp.If(this=within, true=moved)])

    def _numeric_pair(
        self, node: exp.Expression, left: exp.Expression, lkind: str, right: exp.Expression, rkind: str
    ) -> Typed:
        for kind, side in ((lkind, left), (rkind, right)):
            if kind not in _NUMERIC | {"any", "null"}:
                raise self.fail(f"arithmetic needs numbers, but {show(side)} is {type_words(kind)}")
        result: ExprType = "integer" if lkind == rkind == "integer" else "number"
        if isinstance(node, exp.Div | exp.Mod):
            right = safe_divisor(right)
        if result == "integer" and not isinstance(node, exp.Div):
            left, right = widened(left, right)
        built = type(node)(this=_operand(left), expression=_operand(right))
        if result == "integer":
            self._within_whole_numbers(built, LARGEST_WHOLE)
        return built, result

    def _within_whole_numbers(self, node: exp.Expression, largest: int) -> None:
        reach = largest_value(node)
        if reach > largest:
            raise self.fail(
                f"this arithmetic can reach about {reach:.1e}, more than the whole numbers both engines hold "
                f"({largest:.1e}, with facts taken at most {limits.MAX_FACT_NUMBER:,}); divide first or use "
                "smaller numbers"
            )

    def _arithmetic(self, node: exp.Expression) -> Typed:
        left, lkind = self.check(node.this)
        right, rkind = self.check(node.expression)
        typed, kind = self._numeric_pair(node, left, lkind, right, rkind)
        # Division gives a number in both DuckDB and Spark, even between whole numbers.
        return typed, ("number" if isinstance(node, exp.Div) else kind)

    def _neg(self, node: exp.Expression) -> Typed:
        inner, kind = self._expect(node.this, set(_NUMERIC), "a negative sign")
        return exp.Neg(this=_operand(inner)), kind

    def _interval(self, node: exp.Expression) -> Typed:
        assert isinstance(node, exp.Interval)
        unit = (node.unit.name if isinstance(node.unit, exp.Var) else "").upper().rstrip("S")
        count = node.this
        if unit not in limits.MAX_DATE_SHIFT or not isinstance(count, exp.Literal):
            raise self.fail("write lengths of time as to_years(n), to_months(n) or to_days(n)")
        if not re.fullmatch("[0-9]{1,9}", str(count.this)):
            raise self.fail("an INTERVAL needs a whole number, like INTERVAL 10 YEAR")
        return exp.Interval(this=exp.Literal.number(str(count.this)), unit=exp.var(unit)), "interval"

    def _helper(self, node: exp.Expression) -> Typed:
        name = "to_days" if isinstance(node, exp.ToDays) else str(node.this).lower()
        arguments = [node.this] if isinstance(node, exp.ToDays) else list(node.expressions)
        if name not in HELPERS:
            raise self.fail(self._not_allowed(node))
        if len(arguments) != 1:
            raise self.fail(f"{name}(...) takes one value")
        if name == "years_to_days":
            value, kind = self._expect(arguments[0], set(_NUMERIC), f"the value of {name}(...)")
            days, result = self._numeric_pair(
                exp.Mul(), exp.Paren(this=value), kind, exp.Literal.number(DAYS_PER_YEAR), "integer"
            )
            return exp.Paren(this=days), result
        value, _ = self._expect(arguments[0], {"integer"}, f"the value of {name}(...)")
        return exp.Interval(this=value, unit=exp.var(_INTERVAL_HELPERS[name])), "interval"

    def _date_diff(self, node: exp.Expression) -> Typed:
        unit = node.args.get("unit")
        if unit is not None and unit.name.upper() not in ("DAY", "DAYS"):
            raise self.fail("date_diff counts days only: date_diff('day', start, end); for years use to_years(...)")
        later, _ = self._expect(node.this, {"date"}, "date_diff")
        earlier, _ = self._expect(node.expression, {"date"}, "date_diff")
        return exp.DateDiff(this=later, expression=earlier), "integer"

    def _date_part(self, node: exp.Expression) -> Typed:
        inner, _ = self._expect(node.this, {"date"}, f"{node.key.upper()}(...)")
        return type(node)(this=inner), "integer"

    # -- functions and conditionals

    def _same_type_function(self, node: exp.Expression) -> Typed:
        arguments = [node.this, *node.expressions] if node.this is not None else list(node.expressions)
        typed = [self.check(argument) for argument in arguments]
        kind = self._unify([kind for _, kind in typed], f"the values of {node.key.upper()}", arguments)
        nodes = [item for item, _ in typed]
        rebuilt = type(node)(this=nodes[0], expressions=nodes[1:])
        if node.args.get("ignore_nulls"):
            rebuilt.set("ignore_nulls", True)  # DuckDB's LEAST and GREATEST skip NULLs, as Spark's do
        return rebuilt, kind

    def _nullif(self, node: exp.Expression) -> Typed:
        first, second = self.check(node.this), self.check(node.expression)
        kind = self._unify([first[1], second[1]], "the values of NULLIF", [node.this, node.expression])
        return exp.Nullif(this=first[0], expression=second[0]), kind

    def _unify(self, kinds: list[ExprType], what: str, nodes: list[exp.Expression]) -> ExprType:
        if "interval" in kinds:
            raise self.fail("a length of time such as to_years(...) can only be added to or taken from a date")
        known = [kind for kind in kinds if kind not in ("null", "any")]
        if not known:
            return "any"
        if all(kind in _NUMERIC for kind in known):
            return "integer" if all(kind == "integer" for kind in known) else "number"
        if len(set(known)) > 1:
            shown = ", ".join(f"{show(n)} ({type_words(k)})" for n, k in zip(nodes, kinds, strict=False))
            raise self.fail(f"{what} must all be of one type: {shown}")
        return known[0]

    def _numeric_function(self, node: exp.Expression) -> Typed:
        value, kind = self._expect(node.this, set(_NUMERIC), f"{node.key.upper()}(...)")
        rebuilt = type(node)(this=value)
        decimals = node.args.get("decimals")
        if isinstance(node, exp.Round) and decimals is not None:
            if not (isinstance(decimals, exp.Literal) and re.fullmatch("[0-9]{1,2}", str(decimals.this))):
                raise self.fail("the digits of ROUND are a whole number written in the pack, like round(x, 2)")
            rebuilt.set("decimals", exp.Literal.number(str(decimals.this)))
        result: ExprType = kind if isinstance(node, exp.Abs) else "number"
        return rebuilt, result

    def _text_function(self, node: exp.Expression) -> Typed:
        value, _ = self._expect(node.this, {"text"}, f"{node.key.upper()}(...)")
        return type(node)(this=value), ("integer" if isinstance(node, exp.Length) else "text")

    def _case(self, node: exp.Expression) -> Typed:
        subject = node.this
        subject_typed, subject_kind = self.check(subject) if subject is not None else (None, "boolean")
        ifs: list[exp.Expression] = []
        results: list[Typed] = []
        for branch in node.args.get("ifs") or []:
            if not isinstance(branch, exp.If) or extra_arguments(branch, frozenset({"this", "true"})):
                raise self.fail(f"write CASE as {_USAGE[exp.Case]}")
            if subject_typed is None:
                condition, _ = self._expect(branch.this, {"boolean"}, "a WHEN condition")
            else:
                condition, kind = self.check(branch.this)
                _, condition = self.comparable(subject_typed, subject_kind, condition, kind)
            value = self.check(branch.args["true"])
            results.append(value)
            ifs.append(exp.If(this=condition, true=value[0]))
        default = node.args.get("default")
        default_typed = self.check(default) if default is not None else None
        if default_typed is not None:
            results.append(default_typed)
        kind = self._unify([k for _, k in results], "the results of CASE", [n for n, _ in results])
        rebuilt = exp.Case(this=subject_typed, ifs=ifs, default=default_typed[0] if default_typed else None)
        return rebuilt, kind

    def _if(self, node: exp.Expression) -> Typed:
        condition, _ = self._expect(node.this, {"boolean"}, "the condition of IF")
        true = self.check(node.args["true"])
        false = self.check(node.args["false"]) if node.args.get("false") is not None else (exp.Null(), "null")
        kind = self._unify([true[1], false[1]], "the results of IF", [true[0], false[0]])
        return exp.Case(ifs=[exp.If(this=condition, true=true[0])], default=false[0]), kind

    def _cast(self, node: exp.Expression) -> Typed:
        assert isinstance(node, exp.Cast)
        target = node.to
        kind = _CASTS.get(target.this) if isinstance(target, exp.DataType) else None
        if kind is None or extra_arguments(target, frozenset({"this"})):
            raise self.fail(f"CAST to {show(target)} is not allowed; use DATE, BIGINT, DOUBLE, VARCHAR or BOOLEAN")
        if kind == "date" and isinstance(node.this, exp.Literal) and node.this.is_string:
            return self._date_literal(node.this), "date"
        value, value_kind = self.check(node.this)
        if value_kind not in _CAST_FROM[kind] | {"null", "any"}:
            raise self.fail(
                f"CAST cannot turn {show(node.this)} ({type_words(value_kind)}) into {type_words(kind)}; "
                "facts already have their types"
            )
        if target.this in (exp.DataType.Type.INT, exp.DataType.Type.BIGINT):
            self._within_whole_numbers(value, LARGEST_INT if target.this == exp.DataType.Type.INT else LARGEST_WHOLE)
        return exp.Cast(this=value, to=exp.DataType(this=target.this)), kind

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
            return f"function {_name(node)} is not allowed in a pack expression; allowed: {', '.join(allowed_names())}"
        return f"{show(node)} is not allowed in a pack expression"


def allowed_names() -> tuple[str, ...]:
    """The functions a pack may call, by the name it writes, sorted."""
    functions = {"abs", "ceil", "coalesce", "date_diff", "day", "floor", "greatest", "if", "least", "length"}
    functions |= {"lower", "month", "nullif", "round", "trim", "upper", "year", *HELPERS}
    return tuple(sorted(functions))
