"""Missouri helpers of `law.missouri`: felony classes from record text, and the dangerous-felony rule in both forms."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from secondchance.law.missouri import dangerous_felony, dangerous_felony_sql, felony_class, felony_class_sql
from secondchance.law.offense_lists import offense_lists


@pytest.mark.parametrize(
    ("written", "letter"),
    [
        ("B felony", "B"),
        ("Class C Felony", "C"),
        (" e ", "E"),
        ("A misdemeanor", None),
        ("F felony", None),
        (None, None),
    ],
)
def test_felony_class_reads_the_letter_or_nothing(written: str | None, letter: str | None) -> None:
    assert felony_class(written) == letter
    assert duckdb.execute(f"SELECT {felony_class_sql('?')}", [written]).fetchone() == (letter,)


# RSMo 556.061(19): the list decides; the record's flag only adds; a conditional listing needs the flag.
@pytest.mark.parametrize(
    ("listed", "flagged", "expected"),
    [
        (True, False, True),  # first-degree robbery flagged "false" is still a dangerous felony
        (True, None, True),
        (False, True, True),  # a record may know of a condition the list cannot see
        (False, False, False),
        (False, None, False),
        (None, True, True),
        (None, False, None),  # listed only under a condition the record does not show
        (None, None, None),
    ],
)
def test_dangerous_felony_rule(listed: bool | None, flagged: bool | None, expected: bool | None) -> None:
    assert dangerous_felony(listed, flagged) is expected


def test_dangerous_felony_sql_is_the_same_rule() -> None:
    def literal(value: bool | None) -> str:
        return "CAST(NULL AS BOOLEAN)" if value is None else str(value).upper()

    for listed, flagged in itertools.product((True, False, None), repeat=2):
        value = duckdb.execute(f"SELECT {dangerous_felony_sql(literal(listed), literal(flagged))}").fetchone()
        assert value == (dangerous_felony(listed, flagged),), (listed, flagged)


def test_missouri_lists_cite_every_entry() -> None:
    lists = offense_lists()
    for name in ("mo_dangerous_felony", "mo_minimum_term_offense", "mo_drug"):
        assert lists[name].citation.startswith("RSMo")
        assert all(entry.cite for entry in lists[name].entries)
