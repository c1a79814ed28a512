"""The supplied layer in the records store: typed values, ranges, supersession and withdrawal with history kept."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from secondchance.errors import UserError
from secondchance.records.store import ensure_schema
from secondchance.records.supplied import (
    ACTIVE_DECISIONS_SQL,
    ACTIVE_FACTS_SQL,
    NewDecision,
    NewSuppliedFact,
    list_layer,
    parse_value,
    range_problem,
    record_decisions,
    record_facts,
    records_column,
    withdraw,
)
from secondchance.records.validate import BOOLEAN_REASON, DATE_REASON, INTEGER_REASON, NUMBER_REASON


def _store() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    connection.execute("INSERT INTO person (id, source, source_id) VALUES (1, 'src', 'P1')")
    return connection


def _start(day: date, by: str = "Ana") -> NewSuppliedFact:
    return NewSuppliedFact(1, "commencement_date", "date", day.isoformat(), day, None, "legal status summary", "3",
                           "custody start on the summary", by)  # fmt: skip


def _active(connection: duckdb.DuckDBPyConnection, sql: str = ACTIVE_FACTS_SQL) -> list[tuple[object, ...]]:
    return connection.execute(f"SELECT id FROM ({sql}) ORDER BY id").fetchall()


def test_schema_creates_the_layer_tables() -> None:
    tables = {row[0] for row in _store().execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"supplied_fact", "criterion_decision"} <= tables


@pytest.mark.parametrize(
    ("kind", "text", "value", "reason"),
    [
        ("boolean", "Yes", True, None),
        ("boolean", "false", False, None),
        ("boolean", "maybe", None, BOOLEAN_REASON),
        ("integer", "-3", -3, None),
        ("integer", "12.5", None, INTEGER_REASON),
        ("number", "2.5", 2.5, None),
        ("number", "nan", None, NUMBER_REASON),
        ("date", "2019-02-28", date(2019, 2, 28), None),
        ("date", "2019-02-30", None, DATE_REASON),  # February 2019 has 28 days
        ("date", "28/02/2019", None, DATE_REASON),
        ("text", "  male ", "male", None),
        ("text", "", None, "a value is required"),
    ],
)
def test_values_parse_by_type_with_ingest_reasons(kind: str, text: str, value: object, reason: str | None) -> None:
    assert parse_value(kind, text) == (value, reason)  # type: ignore[arg-type]


def test_records_columns_lend_their_ranges() -> None:
    today = date(2024, 6, 15)
    credit = records_column(["sentence"], "jail_credit_days")
    birth = records_column(["person"], "birth_date")
    sex = records_column(["person"], "sex")
    assert credit is not None and birth is not None and sex is not None
    assert range_problem(credit, -1, today) == "is less than the minimum, 0"
    assert range_problem(credit, 0, today) is None
    assert range_problem(birth, date(2024, 6, 16), today) == "is in the future (after 2024-06-15)"
    assert range_problem(sex, "female", today) is None
    assert (range_problem(sex, "f", today) or "").startswith("is not one of: ")
    assert records_column(["computed_dates"], "served_days") is None


def test_a_newer_value_supersedes_and_keeps_the_older_one() -> None:
    connection = _store()
    first = record_facts(connection, [_start(date(2010, 3, 1))])
    second = record_facts(connection, [_start(date(2010, 4, 1), by="Bo")])
    assert _active(connection) == [(second[0],)]
    rows = connection.execute("SELECT id, superseded_by, value_date FROM supplied_fact ORDER BY id").fetchall()
    assert rows == [(first[0], second[0], date(2010, 3, 1)), (second[0], None, date(2010, 4, 1))]
    assert [row["state"] for row in list_layer(connection)] == ["superseded", "active"]


def test_withdrawing_keeps_the_row_and_leaves_nothing_active() -> None:
    connection = _store()
    [answer] = record_facts(connection, [_start(date(2010, 3, 1))])
    withdrawn = withdraw(connection, answer, "another commitment's summary", "Bo")
    assert (withdrawn.table, withdrawn.person_id, withdrawn.subject) == ("supplied_fact", 1, "commencement_date")
    assert _active(connection) == []
    row = connection.execute("SELECT withdrawn_by, withdraw_reason, value FROM supplied_fact").fetchone()
    assert row == ("Bo", "another commitment's summary", "2010-03-01")
    with pytest.raises(UserError, match="already withdrawn"):
        withdraw(connection, answer, "again", "Bo")


def test_a_superseded_answer_cannot_be_withdrawn_and_names_its_replacement() -> None:
    connection = _store()
    [old] = record_facts(connection, [_start(date(2010, 3, 1))])
    [new] = record_facts(connection, [_start(date(2010, 4, 1))])
    with pytest.raises(UserError, match=f"replaced by answer {new}"):
        withdraw(connection, old, "wrong", "Bo")


def test_decisions_share_the_id_space_and_supersede() -> None:
    connection = _store()
    [fact_id] = record_facts(connection, [_start(date(2010, 3, 1))])
    decision = NewDecision(1, "test/pack", "reviewer-agrees", "met", "counsel's reading", "memo", "Ana")
    [first] = record_decisions(connection, [decision])
    [second] = record_decisions(connection, [NewDecision(1, "test/pack", "reviewer-agrees", "unmet", "no", None, "Bo")])
    assert fact_id < first < second
    assert _active(connection, ACTIVE_DECISIONS_SQL) == [(second,)]
    assert withdraw(connection, second, "mistaken", "Bo").subject == "test/pack reviewer-agrees"
    assert _active(connection, ACTIVE_DECISIONS_SQL) == []


def test_withdrawing_an_unknown_id_says_so() -> None:
    with pytest.raises(UserError, match="no supplied fact or decision with id 99"):
        withdraw(_store(), 99, "why", "Bo")
