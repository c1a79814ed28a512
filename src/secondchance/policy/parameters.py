"""Dated parameter values: the value of each pack parameter in force on a date.

A change of law is a new dated value (or a new pack version), never an edit in place, so a
screening as of an earlier date still uses the value in force then.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from secondchance.errors import UserError
from secondchance.policy.pack import DatedValue, Pack, Parameter, ParameterValue
from secondchance.policy.templates import fill_template

__all__ = [
    "AS_OF",
    "ValueType",
    "dated_value_as_of",
    "parameter_type",
    "render_text",
    "value_as_of",
    "value_type",
    "values_as_of",
]

ValueType = Literal["boolean", "integer", "number", "date", "text", "list"]

# The screening date is always available to expressions as `:as_of`.
AS_OF = "as_of"


def value_type(value: ParameterValue) -> ValueType:
    """The expression type of one parameter value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list):
        return "list"
    return "text"


def parameter_type(parameter: Parameter) -> ValueType | None:
    """The type shared by every dated value (integers widen to numbers); None when they disagree."""
    types = {value_type(dated.value) for dated in parameter.values.values()}
    if types == {"integer", "number"}:
        return "number"
    return types.pop() if len(types) == 1 else None


def dated_value_as_of(parameter: Parameter, as_of: date) -> tuple[date, DatedValue] | None:
    """The dated value in force on `as_of`: the latest one dated on or before it, or None."""
    in_force = [(start, dated) for start, dated in parameter.values.items() if start <= as_of]
    return max(in_force, key=lambda item: item[0]) if in_force else None


def value_as_of(pack: Pack, name: str, as_of: date) -> ParameterValue:
    """The value of parameter `name` of `pack` in force on `as_of`; UserError when none is."""
    found = dated_value_as_of(pack.parameters[name], as_of)
    if found is None:
        first = min(pack.parameters[name].values)
        raise UserError(
            f"pack {pack.id}: parameter {name} has no value on {as_of.isoformat()}; "
            f"its first value is dated {first.isoformat()}"
        )
    return found[1].value


def values_as_of(pack: Pack, as_of: date) -> dict[str, ParameterValue]:
    """Every parameter of `pack` as of a date, plus `as_of` itself."""
    values: dict[str, ParameterValue] = {name: value_as_of(pack, name, as_of) for name in pack.parameters}
    values[AS_OF] = as_of
    return values


def _words(value: ParameterValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value)
    return str(value)


def render_text(text: str, values: dict[str, ParameterValue]) -> str:
    """A criterion's plain-language text with each `{parameter}` replaced by its value (as of a date)."""
    return fill_template(text, lambda name: _words(values[name]))
