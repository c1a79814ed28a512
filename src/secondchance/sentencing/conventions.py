"""Conventions written once and read by the scalar engines, the bulk SQL and the pack compiler.

docs/sentencing-conventions.md states them in prose; this module is their one definition. The SQL
helpers turn the same Python values into SQL literals, so a bulk query never writes a number, a date
or a list of sentence types of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from secondchance.records.validate import quote_literal

__all__ = [
    "DAYS_PER_YEAR",
    "LIFE_SENTENCE_TYPES",
    "SENTENCE_TYPE_RANK",
    "sql_date",
    "sql_rank",
    "sql_texts",
    "sentence_type_rank",
]

# The one length of a year: a rule stated per year counts a partial year on 365 days, in leap years too
# (87 FR 7938 Table 1 divides by 365); packs' `years_to_days` and the facts' year figures use it as well.
DAYS_PER_YEAR = 365

# Sentences without a term in days: no good conduct time (18 U.S.C. § 3624(b)(1)) and no release date.
LIFE_SENTENCE_TYPES: tuple[str, ...] = ("life", "life_without_parole", "death")

# The most severe type of a chain of consecutive sentences decides its review (records enum `sentence_type`).
SENTENCE_TYPE_RANK: Mapping[str, int] = {
    "death": 4,
    "life_without_parole": 3,
    "life": 2,
    "indeterminate": 1,
    "determinate": 0,
}
_UNRANKED = -1  # a type outside the enum ranks below every known one


def sentence_type_rank(sentence_type: str | None) -> int:
    """The rank of a sentence type in `SENTENCE_TYPE_RANK` (-1 for none or an unknown type)."""
    return SENTENCE_TYPE_RANK.get(sentence_type or "", _UNRANKED)


def sql_date(day: date) -> str:
    """A DuckDB date literal."""
    return f"DATE '{day.isoformat()}'"


def sql_texts(values: Iterable[str]) -> str:
    """Text literals separated by commas, for `x IN (...)`."""
    return ", ".join(quote_literal(value) for value in values)


def sql_rank(column: str, ranks: Mapping[str, int] = SENTENCE_TYPE_RANK) -> str:
    """SQL giving the rank of `column` in `ranks` (-1 otherwise), as `sentence_type_rank` does."""
    cases = " ".join(f"WHEN {quote_literal(name)} THEN {rank}" for name, rank in ranks.items())
    return f"CASE {column} {cases} ELSE {_UNRANKED} END"
