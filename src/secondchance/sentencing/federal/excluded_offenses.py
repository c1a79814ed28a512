"""The offences that bar earning FSA time credits, 18 U.S.C. § 3632(d)(4)(D), as data (excluded_offenses.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml

__all__ = ["ExcludedOffense", "excluded_offenses", "ROMAN_CLAUSES"]

ROMAN_CLAUSES = 68  # the statute lists clauses (i) through (lxviii)


@dataclass(frozen=True)
class ExcludedOffense:
    """One clause of § 3632(d)(4)(D): the provision, what it relates to, and any limit the statute puts on it."""

    clause: str
    cite: str
    relating_to: str
    condition: str | None = None


@lru_cache(maxsize=1)
def excluded_offenses() -> tuple[ExcludedOffense, ...]:
    """Every clause of § 3632(d)(4)(D), in the statute's order."""
    text = files("secondchance.sentencing.federal").joinpath("excluded_offenses.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return tuple(
        ExcludedOffense(str(row["clause"]), row["cite"], row["relating_to"], row.get("condition"))
        for row in data["clauses"]
    )
