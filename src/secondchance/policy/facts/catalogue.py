"""Declarations of every fact: its name, type, description and the records it reads.

The SQL that computes the facts lives in `policy.facts.query`; `docs/facts.md` is generated
from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FactType", "Fact", "FACTS", "fact"]

FactType = Literal["boolean", "integer", "number", "date", "text"]


@dataclass(frozen=True)
class Fact:
    """One per-person fact as of a date."""

    name: str
    type: FactType
    description: str
    reads: str  # records tables it is computed from, e.g. "person, computed_dates"


FACTS: tuple[Fact, ...] = (
    Fact("age_years", "integer", "Age in whole years on the as-of date.", "person"),
    Fact(
        "served_days", "integer", "Days served on the current term, jail credit included.", "sentence, custody_period"
    ),
)

_BY_NAME = {f.name: f for f in FACTS}


def fact(name: str) -> Fact:
    """The fact called `name`; raises KeyError when there is none."""
    return _BY_NAME[name]
