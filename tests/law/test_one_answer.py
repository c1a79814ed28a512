"""One list, one answer: each § 3632(d)(4)(D) statute gives the sentencing engine and the facts one result.

Each listed provision (and each provision above one, which a record may name instead) is put in a
charge of its own, with the charge's flags in each state that a clause's condition reads; the
sentencing engine's `excluded_offense` and the facts' `has_fsa_excluded_offense` must agree on every
one. Five statutes on which the two used to disagree are held to the answer the statute gives.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from secondchance.law.fsa_exclusions import exclusion_entries
from secondchance.policy.facts import ensure_fact_inputs, facts_query
from secondchance.records.completeness import complete, write_declarations
from secondchance.records.store import ensure_schema
from secondchance.sentencing.inputs import create_member_inputs

AS_OF = date(2024, 6, 15)
FLAG_STATES: list[dict[str, Any]] = [
    {"death_or_injury_resulted": death, "role": role, "description": description}
    for death, role, description in itertools.product(
        (True, False, None), ("leader_organizer", "minor", None), ("fentanyl", "heroin", None)
    )
]


def _statutes() -> list[str]:
    """Every provision the list names, written as a record would write it (`18 U.S.C. § 113(a)(1)`)."""
    written = {f"{entry.prefix.removesuffix('usc')} U.S.C. § {entry.provision}" for entry in exclusion_entries()}
    return sorted(written | {"18 U.S.C. § 2331", "18 U.S.C. § 3559(c)", "18 U.S.C. § 113(a)(3)"})


def _store(charges: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    """One federal person per charge, each with one active sentence holding that charge (and no other count)."""
    connection = duckdb.connect()
    ensure_schema(connection)
    write_declarations(connection, ["hand"], {"charge": complete("one count per sentence, written here")}, None)
    numbers = list(range(1, len(charges) + 1))
    rows = pa.table(
        {
            "number": numbers,
            "statute": [charge["statute"] for charge in charges],
            "death_or_injury_resulted": [charge["death_or_injury_resulted"] for charge in charges],
            "role": [charge["role"] for charge in charges],
            "description": [charge["description"] for charge in charges],
        }
    )
    connection.register("hand_charges", rows)
    connection.execute(
        "INSERT INTO person (id, source, source_id, jurisdiction) "
        "SELECT number, 'hand', 'P' || number, 'federal' FROM hand_charges"
    )
    connection.execute(
        "INSERT INTO sentence (id, person_id, source, source_id, person_source_id, system, status, sentence_type, "
        "imposed_date) SELECT number, number, 'hand', 'S' || number, 'P' || number, 'federal', 'active', "
        "'determinate', DATE '2015-01-01' FROM hand_charges"
    )
    connection.execute(
        "INSERT INTO charge (id, sentence_id, source, source_id, sentence_source_id, statute, "
        "death_or_injury_resulted, role, description) SELECT number, number, 'hand', 'C' || number, 'S' || number, "
        "statute, death_or_injury_resulted, role, description FROM hand_charges"
    )
    connection.unregister("hand_charges")
    return connection


def _answers(charges: list[dict[str, Any]]) -> list[tuple[object, object]]:
    """(sentencing engine, facts) for each charge, in order."""
    connection = _store(charges)
    ensure_fact_inputs(connection)
    create_member_inputs(connection, AS_OF, "members")
    engine = dict(connection.execute("SELECT sentence_id, excluded_offense FROM members").fetchall())
    facts = dict(
        connection.execute(f"SELECT person_id, has_fsa_excluded_offense FROM ({facts_query(AS_OF)})").fetchall()
    )
    return [(engine[number], facts[number]) for number in range(1, len(charges) + 1)]


def test_every_listed_statute_gets_one_answer_from_both_engines() -> None:
    charges = [{"statute": statute, **flags} for statute in _statutes() for flags in FLAG_STATES]
    disagreements = [
        (charge, answer) for charge, answer in zip(charges, _answers(charges), strict=True) if answer[0] != answer[1]
    ]
    assert len(charges) > 2_000
    assert disagreements == []


NO_FLAGS = {"death_or_injury_resulted": False, "role": "minor", "description": "cocaine"}


@pytest.mark.parametrize(
    ("statute", "flags", "expected"),
    [
        # (xlvii) "chapter 113B, relating to terrorism": § 2331 is a section of chapter 113B.
        ("18 U.S.C. § 2331", NO_FLAGS, True),
        # (li) names § 3559(c)(2)(F) only; a record of § 3559(c) does not show the paragraph.
        ("18 U.S.C. § 3559(c)", NO_FLAGS, None),
        # (vi) names § 113(a)(1), (7) and (8); paragraph (3), assault with a dangerous weapon, is not listed.
        ("18 U.S.C. § 113(a)(3)", NO_FLAGS, False),
        # (lviii) any § 841(b)(1)(A)-(C) offence "if death or serious bodily injury resulted".
        ("21 U.S.C. § 841(b)(1)(A)", {**NO_FLAGS, "death_or_injury_resulted": True}, True),
        # (lxvi) lists § 841(b)(1)(A)(vi), fentanyl, with no condition; a record of (A) alone may be it.
        ("21 U.S.C. § 841(b)(1)(A)", NO_FLAGS, None),
        # (lxviii) § 960(b)(1) with fentanyl and an aggravating role.
        ("21 U.S.C. § 960(b)(1)", {**NO_FLAGS, "role": "leader_organizer", "description": "fentanyl"}, True),
        # (lxvi) again: § 960(b)(1)(F) is fentanyl with no condition; (b)(1) alone may be it.
        ("21 U.S.C. § 960(b)(1)", NO_FLAGS, None),
    ],
)
def test_the_statutes_the_engines_disagreed_on(statute: str, flags: dict[str, Any], expected: bool | None) -> None:
    ((engine, facts),) = _answers([{"statute": statute, **flags}])
    assert (engine, facts) == (expected, expected)
