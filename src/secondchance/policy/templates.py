"""The texts of a pack that name parameters: `{name}` and nothing else.

A criterion's text (and its translations) is read by people, with each `{parameter}` replaced by
its value as of a date. Python's own format strings would also run `{name.attribute}`,
`{name[0]}`, `{name!r}` and `{name:>100000000}`, which a pack from someone else could use to read
attributes or exhaust memory; here a brace holds a parameter name and nothing else, and `{{` and
`}}` are literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["TemplateError", "fill_template", "template_names"]

_PART = re.compile(r"\{\{|\}\}|\{([a-z_][a-z0-9_]*)\}|[{}]")


class TemplateError(ValueError):
    """A text whose braces hold something other than a parameter name."""


def _parts(text: str) -> list[re.Match[str]]:
    found = list(_PART.finditer(text))
    for match in found:
        if match.group(0) in ("{", "}"):
            raise TemplateError(
                "braces in a text hold only a parameter name, like {min_years_served}; write {{ and }} for a brace"
            )
    return found


def template_names(text: str) -> list[str]:
    """The parameter names a text mentions, in order; `TemplateError` for anything else in braces."""
    return [match.group(1) for match in _parts(text) if match.group(1)]


def fill_template(text: str, value_of: Callable[[str], str]) -> str:
    """The text with each `{name}` replaced by `value_of(name)` and `{{`, `}}` by single braces."""
    _parts(text)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return value_of(name) if name else match.group(0)[0]

    return _PART.sub(replace, text)
