"""Missouri helpers of `law.missouri`: felony classes from record text, and the dangerous-felony rule in both forms."""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import pytest

from secondchance.law.missouri import dangerous_felony, dangerous_felony_sql, felony_class, felony_class_sql
from secondchance.law.offense_lists import offense_lists
from secondchance.policy.facts import ensure_fact_inputs, facts_query
from secondchance.records.completeness import complete, write_declarations
from secondchance.records.store import ensure_schema
from secondchance.sentencing.inputs import create_member_inputs


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


def test_the_engine_and_the_facts_read_a_dangerous_felony_alike() -> None:
    """Each statute and flag gives `dangerous_felony` (sentencing) and `has_mo_dangerous_felony` (facts) one answer."""
    statutes = ["RSMo 570.023", "569.020", "565.021", "577.010", "566.032", "569.170", "579.015", None]
    cases = list(itertools.product(statutes, (True, False, None)))
    connection = duckdb.connect()
    ensure_schema(connection)
    write_declarations(connection, ["hand"], {"charge": complete("one count per sentence, written here")}, None)
    for number, (statute, flag) in enumerate(cases, start=1):
        connection.execute(
            "INSERT INTO person (id, source, source_id, jurisdiction) VALUES (?, 'hand', ?, 'us-mo')",
            [number, f"P{number}"],
        )
        connection.execute(
            "INSERT INTO sentence (id, person_id, source, source_id, person_source_id, system, status, "
            "sentence_type, commencement_date) VALUES (?, ?, 'hand', ?, ?, 'us-mo', 'active', 'determinate', ?)",
            [number, number, f"S{number}", f"P{number}", date(2020, 1, 1)],
        )
        connection.execute(
            "INSERT INTO charge (id, sentence_id, source, source_id, sentence_source_id, statute, dangerous_felony) "
            "VALUES (?, ?, 'hand', ?, ?, ?, ?)",
            [number, number, f"C{number}", f"S{number}", statute, flag],
        )
    ensure_fact_inputs(connection)
    create_member_inputs(connection, date(2024, 6, 15), "members")
    engine = dict(connection.execute("SELECT sentence_id, dangerous_felony FROM members").fetchall())
    query = facts_query(date(2024, 6, 15))
    facts = dict(connection.execute(f"SELECT person_id, has_mo_dangerous_felony FROM ({query})").fetchall())
    answers = {case: (engine[number], facts[number]) for number, case in enumerate(cases, start=1)}
    assert [case for case, (a, b) in answers.items() if a != b] == []
    assert answers[("RSMo 570.023", False)] == (True, True)  # the record's "false" does not override the statute
    assert answers[("577.010", False)] == (None, None)
