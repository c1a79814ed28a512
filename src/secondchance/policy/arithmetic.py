"""Whole-number arithmetic that means the same in DuckDB and Spark, or is refused when a pack is checked.

The engines differ at the edges: DuckDB stops a query when a whole number overflows, Spark (ANSI off)
wraps it round silently; DuckDB types `100000 * 100000` as a 32-bit INTEGER and overflows, Spark's
`year()` and `datediff()` give 32-bit INTs; DuckDB gives infinity for `x / 0` and an error for `x % 0`,
Spark gives NULL. So the compiler
- divides by `NULLIF(divisor, 0)`: a division or remainder by zero is unknown in both;
- does whole-number arithmetic in 64 bits: when neither operand is already 64-bit (a fact, or a
  cast to BIGINT), the left one is cast to BIGINT;
- bounds every whole number an expression can produce, taking facts and parameters at their largest
  (`limits.MAX_FACT_NUMBER`, `limits.MAX_NUMBER`), and refuses an expression that could pass
  `LARGEST_WHOLE`, so neither engine can overflow on facts within the limit.
"""

from __future__ import annotations

from sqlglot import exp

from secondchance.policy import limits

__all__ = ["LARGEST_WHOLE", "LARGEST_INT", "largest_value", "is_wide", "safe_divisor", "widened"]

LARGEST_WHOLE = 2**62  # room under 2**63 for one more addition
LARGEST_INT = 2**31 - 1  # CAST(x AS INT)
_DAYS_IN_THE_CALENDAR = 3_652_059  # 0001-01-01 to 9999-12-31
_NARROW_FUNCTIONS = (exp.Year, exp.Month, exp.Day, exp.Length, exp.DateDiff)  # 32-bit INT in Spark
_SAME_AS_ARGUMENT = (exp.Paren, exp.Neg, exp.Abs)
_ROUNDING = (exp.Floor, exp.Ceil, exp.Round)
_CHOICES = (exp.Coalesce, exp.Least, exp.Greatest, exp.Nullif, exp.Case, exp.If)


def safe_divisor(divisor: exp.Expression) -> exp.Expression:
    """The divisor as NULLIF(divisor, 0): dividing by zero is unknown in both engines."""
    return exp.Nullif(this=divisor, expression=exp.Literal.number(0))


def is_wide(node: exp.Expression) -> bool:
    """Whether a whole-number expression is 64-bit in both engines."""
    if isinstance(node, exp.Column):
        return True
    if isinstance(node, exp.Cast):
        return bool(node.to.this == exp.DataType.Type.BIGINT)
    if isinstance(node, (exp.Literal, exp.Placeholder, *_NARROW_FUNCTIONS)):
        return False
    return any(is_wide(child) for child in node.iter_expressions())


def widened(left: exp.Expression, right: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    """The operands of a whole-number operation, the left cast to BIGINT when neither is 64-bit."""
    if is_wide(left) or is_wide(right):
        return left, right
    return exp.Cast(this=left, to=exp.DataType(this=exp.DataType.Type.BIGINT)), right


def largest_value(node: exp.Expression) -> float:
    """The largest absolute value a numeric expression can take, with facts and parameters at their limits."""
    if isinstance(node, exp.Literal):
        return 0.0 if node.is_string else abs(float(str(node.this)))
    if isinstance(node, exp.Placeholder):
        return float(limits.MAX_NUMBER)
    if isinstance(node, exp.Column):
        return float(limits.MAX_FACT_NUMBER)
    if isinstance(node, (exp.Cast, *_SAME_AS_ARGUMENT)):
        return largest_value(node.this)
    if isinstance(node, _ROUNDING):
        return largest_value(node.this) + 1
    return _largest_of_operation(node)


def _largest_of_operation(node: exp.Expression) -> float:
    if isinstance(node, exp.Add | exp.Sub):
        return largest_value(node.this) + largest_value(node.expression)
    if isinstance(node, exp.Mul):
        return largest_value(node.this) * largest_value(node.expression)
    if isinstance(node, exp.Div):
        return largest_value(node.this) / _smallest_divisor(node.expression)
    if isinstance(node, exp.Mod):
        return largest_value(node.expression)
    if isinstance(node, exp.Year | exp.Month | exp.Day):
        return 9999.0
    if isinstance(node, exp.DateDiff):
        return float(_DAYS_IN_THE_CALENDAR)
    if isinstance(node, exp.Length):
        return float(limits.MAX_FACT_NUMBER)
    if isinstance(node, _CHOICES):
        return max((largest_value(child) for child in _results(node)), default=0.0)
    return 0.0  # a yes/no value, a date or text


def _results(node: exp.Expression) -> list[exp.Expression]:
    """What a choice (CASE, COALESCE, LEAST, ...) can give: its values, not its conditions."""
    if isinstance(node, exp.Case):
        return [branch.args["true"] for branch in node.args.get("ifs") or []] + [
            value for value in [node.args.get("default")] if value is not None
        ]
    if isinstance(node, exp.If):
        return [value for value in (node.args.get("true"), node.args.get("false")) if value is not None]
    return list(node.iter_expressions())


def _smallest_divisor(node: exp.Expression) -> float:
    """The smallest size a non-zero divisor can have: its value when written, else a millionth."""
    while isinstance(node, exp.Nullif | exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string and float(str(node.this)) != 0:
        return abs(float(str(node.this)))
    return 1e-6
