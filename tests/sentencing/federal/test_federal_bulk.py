"""The DuckDB bulk path gives exactly the scalar reference's rows (DESIGN.md, "Sentencing")."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondchance.sentencing.computed_dates import COMPUTED_DATES_COLUMNS, CREATE_COMPUTED_DATES_SQL, RUN_STAMP_COLUMNS
from secondchance.sentencing.federal import BULK_INPUT_COLUMNS, federal_dates_relation, scalar_federal_row

COMPARED = [name for name, _, _ in COMPUTED_DATES_COLUMNS if name not in RUN_STAMP_COLUMNS]
ARROW_TYPES = {
    "sentence_id": pa.int64(),
    "person_id": pa.int64(),
    "commencement_date": pa.date32(),
    "term_months": pa.int64(),
    "term_days": pa.int64(),
    "jail_credit_days": pa.int64(),
    "supervised_release_months": pa.int64(),
    "has_diploma": pa.bool_(),
    "risk_level": pa.string(),
    "final_order_of_removal": pa.bool_(),
    "excluded_offense": pa.bool_(),
    "rdap": pa.bool_(),
    "gct_days_lost": pa.int64(),
    "method": pa.string(),
    "sentence_type": pa.string(),
    "offense_date": pa.date32(),
    "literacy_progress": pa.bool_(),
    "rdap_barred": pa.bool_(),
    "rdap_started_on": pa.date32(),
    "rdap_completed_on": pa.date32(),
    "warden_approved": pa.bool_(),
}


def _bulk_rows(rows: list[dict[str, Any]], convention: str = "fixed-point") -> list[dict[str, Any]]:
    connection = duckdb.connect()
    table = pa.table({name: pa.array([row.get(name) for row in rows], ARROW_TYPES[name]) for name in ARROW_TYPES})
    connection.register("sentences", table)
    relation = federal_dates_relation(connection, "sentences", ftc_convention=convention)  # type: ignore[arg-type]
    names = [column[0] for column in relation.description]
    result = [dict(zip(names, values, strict=True)) for values in relation.fetchall()]
    return sorted(result, key=lambda row: row["sentence_id"])


def _assert_same(rows: list[dict[str, Any]], convention: str = "fixed-point") -> None:
    bulk = _bulk_rows(rows, convention)
    assert len(bulk) == len(rows)
    for row, got in zip(rows, bulk, strict=True):
        expected = scalar_federal_row(row, ftc_convention=convention)  # type: ignore[arg-type]
        assert {name: got[name] for name in COMPARED} == {name: expected[name] for name in COMPARED}, row


def _row_strategy() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "person_id": st.integers(1, 5),
            "commencement_date": st.one_of(
                st.dates(date(1988, 1, 1), date(2040, 12, 31)), st.dates(date(2023, 12, 1), date(2024, 3, 31))
            )
            | st.none(),
            "term_months": st.one_of(st.integers(0, 40), st.integers(0, 480), st.none()),
            "term_days": st.one_of(st.just(0), st.integers(0, 400), st.none()),
            "jail_credit_days": st.one_of(st.just(0), st.integers(0, 800), st.none()),
            "supervised_release_months": st.sampled_from([None, 0, 36, 60]),
            "has_diploma": st.sampled_from([None, True, False]),
            "risk_level": st.sampled_from([None, "minimum", "low", "medium", "high"]),
            "final_order_of_removal": st.sampled_from([None, False, True]),
            "excluded_offense": st.sampled_from([None, False, False, True]),
            "rdap": st.sampled_from([None, False, True]),
            "gct_days_lost": st.one_of(st.just(0), st.integers(0, 120), st.none()),
            "method": st.sampled_from(["fsa", "fsa", "pre-fsa", None]),
            "sentence_type": st.sampled_from(["determinate"] * 8 + ["life", None]),
            "offense_date": st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))),
            "literacy_progress": st.sampled_from([None, True, False]),
            "rdap_barred": st.sampled_from([None, False, False, True]),
            "rdap_started_on": st.one_of(st.none(), st.dates(date(1995, 1, 1), date(2045, 12, 31))),
            "rdap_completed_on": st.one_of(st.none(), st.none(), st.dates(date(1995, 1, 1), date(2045, 12, 31))),
            "warden_approved": st.sampled_from([None, None, True, False]),
        }
    )


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_row_strategy(), min_size=1, max_size=30), st.sampled_from(["fixed-point", "handout"]))
def test_bulk_equals_scalar_on_random_sentences(rows: list[dict[str, Any]], convention: str) -> None:
    for number, row in enumerate(rows):
        row["sentence_id"] = number
    _assert_same(rows, convention)


@pytest.mark.slow
def test_bulk_equals_scalar_on_a_large_seeded_population() -> None:
    generator = random.Random(20260101)
    rows = []
    for number in range(6000):
        months = generator.choice([generator.randint(1, 36), generator.randint(12, 600)])
        rows.append(
            {
                "sentence_id": number,
                "person_id": number // 2,
                "commencement_date": date(1995, 1, 1) + timedelta(days=generator.randint(0, 16000)),
                "term_months": months,
                "term_days": generator.choice([0, 0, 0, 1, generator.randint(0, 364)]),
                "jail_credit_days": generator.choice([0, generator.randint(0, 400)]),
                "supervised_release_months": generator.choice([None, 0, 36]),
                "has_diploma": generator.choice([None, True, False]),
                "risk_level": generator.choice([None, "minimum", "low", "medium", "high"]),
                "final_order_of_removal": generator.random() < 0.1,
                "excluded_offense": generator.random() < 0.15,
                "rdap": generator.random() < 0.2,
                "gct_days_lost": generator.choice([0, 0, generator.randint(0, 100)]),
                "method": generator.choice(["fsa", "pre-fsa"]),
                "sentence_type": "determinate",
                "offense_date": generator.choice([None, date(1996, 4, 25), date(1996, 4, 26), date(2010, 6, 1)]),
                "literacy_progress": generator.choice([None, True, False]),
                "rdap_barred": generator.choice([None, False, False, True]),
                "rdap_started_on": date(1995, 1, 1) + timedelta(days=generator.randint(0, 17000)),
                "rdap_completed_on": generator.choice(
                    [None, date(1995, 1, 1) + timedelta(days=generator.randint(0, 17000))]
                ),
                "warden_approved": generator.choice([None, None, True, False]),
            }
        )
    _assert_same(rows)


def test_bulk_output_fits_the_computed_dates_table() -> None:
    connection = duckdb.connect()
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    connection.execute(
        "CREATE TABLE sentences AS SELECT 7 AS sentence_id, 3 AS person_id, DATE '2025-01-01' AS commencement_date,"
        " 24 AS term_months, 0 AS term_days, 0 AS jail_credit_days, 36 AS supervised_release_months,"
        " true AS has_diploma, 'low' AS risk_level, false AS final_order_of_removal, false AS excluded_offense,"
        " false AS rdap, 0 AS gct_days_lost, 'fsa' AS method"
    )
    stamp = datetime(2026, 1, 2, 3, 4, 5)
    federal_dates_relation(connection, "sentences", target="out", computed_at=stamp)
    connection.execute("INSERT INTO computed_dates SELECT * FROM out")
    row = connection.execute(
        "SELECT release_date, supervised_release_date, ftc_days, rule_profile, computed_at FROM computed_dates"
    ).fetchall()
    # BOP handout example 1 (Table B): GCT release 2026-09-14, 175 credits, supervised release 2026-03-23
    assert row == [(date(2026, 9, 14), date(2026, 3, 23), 175, "federal-fsa@2022-03-14", stamp)]


def test_bulk_names_missing_input_columns() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE sentences AS SELECT 1 AS sentence_id")
    with pytest.raises(ValueError, match="person_id"):
        federal_dates_relation(connection, "sentences")
    assert "method" in BULK_INPUT_COLUMNS
