"""Shared by the sentencing tests: a hand-built records store, the in-process CLI runner, bulk-test inputs and
the reading of golden cases."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import strategies as st

from secondchance.records.store import ensure_schema
from secondchance.sentencing.compute import compute_dates
from secondchance.sentencing.inputs import create_member_inputs
from secondchance.sentencing.terms import Term, parse_term

AS_OF = date(2026, 11, 25)

# The input columns of the Missouri and profile bulk paths (missouri.bulk.INPUT_COLUMNS), typed.
BULK_INPUT_SCHEMA = pa.schema(
    [
        ("sentence_id", pa.int64()),
        ("person_id", pa.int64()),
        ("commencement_date", pa.date32()),
        ("offense_date", pa.date32()),
        ("term_months", pa.int64()),
        ("term_days", pa.int64()),
        ("min_term_months", pa.int64()),
        ("sentence_type", pa.string()),
        ("jail_credit_days", pa.int64()),
        ("prior_commitments", pa.int64()),
        ("dangerous_felony", pa.bool_()),
        ("no_parole_offense", pa.bool_()),
        ("birth_date", pa.date32()),
        ("minimum_term_offense", pa.bool_()),
        ("drug_offense", pa.bool_()),
        ("felony_class", pa.string()),
    ]
)
BULK_COMPUTED_AT = datetime(2026, 1, 1, 12, 0, 0)  # one stamp for the bulk and the scalar path


def maybe(strategy: st.SearchStrategy[Any], null_share: int = 8) -> st.SearchStrategy[Any]:
    """One value in `null_share` is NULL, so unknown inputs are exercised without drowning the rest."""
    return st.one_of(st.none(), *[strategy] * (null_share - 1))


def golden_term(text: str) -> tuple[Term | None, str]:
    """The term and sentence type of a golden case's `term`: `life`, `lwop`, or a term like `10y`."""
    if text == "life":
        return None, "life"
    if text == "lwop":
        return None, "life_without_parole"
    return parse_term(text), "determinate"


def as_text(value: Any) -> Any:
    """A golden expected value as the engines' `to_dict` writes it (dates in ISO form)."""
    return value.isoformat() if isinstance(value, date) else value


def run_dates(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `secondchance dates ARGS` in this process (fast), the way the installed command runs it."""
    from secondchance.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["secondchance", "dates", *args]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = argv
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


class Store:
    """A hand-built records store in memory: rows inserted by name, internal ids given by the test."""

    def __init__(self) -> None:
        self.connection = duckdb.connect(":memory:")
        ensure_schema(self.connection)
        self._ids: dict[str, int] = {}

    def _id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    def insert(self, table: str, **values: Any) -> int:
        values.setdefault("id", self._id(table))
        values.setdefault("source", "test")
        values.setdefault("source_id", f"{table}-{values['id']}")
        columns = ", ".join(values)
        marks = ", ".join(f"${name}" for name in values)
        self.connection.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
        return int(values["id"])

    def person(self, **values: Any) -> int:
        values.setdefault("jurisdiction", "federal")
        return self.insert("person", **values)

    def sentence(self, person: int, **values: Any) -> int:
        values.setdefault("system", "federal")
        values.setdefault("sentence_type", "determinate")
        values.setdefault("status", "active")
        values.setdefault("person_source_id", f"person-{person}")
        return self.insert("sentence", person_id=person, **values)

    def charge(self, sentence: int, person: int, statute: str, **values: Any) -> int:
        return self.insert(
            "charge",
            sentence_id=sentence,
            person_id=person,
            sentence_source_id=f"sentence-{sentence}",
            statute=statute,
            **values,
        )

    def compute(self) -> dict[int, dict[str, Any]]:
        compute_dates(self.connection, AS_OF, computed_at=datetime(2026, 11, 25, 12))
        cursor = self.connection.execute("SELECT * FROM computed_dates")
        names = [d[0] for d in cursor.description or []]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}

    def member(self, sentence: int) -> dict[str, Any]:
        create_member_inputs(self.connection, AS_OF, "_members")
        cursor = self.connection.execute(f"SELECT * FROM _members WHERE sentence_id = {sentence}")
        names = [d[0] for d in cursor.description or []]
        return dict(zip(names, cursor.fetchall()[0], strict=True))


@pytest.fixture
def store() -> Iterator[Store]:
    """An empty in-memory store, closed after the test."""
    built = Store()
    try:
        yield built
    finally:
        built.connection.close()
