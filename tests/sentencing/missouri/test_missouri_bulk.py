"""The DuckDB bulk path gives exactly the scalar reference's rows (RSMo 558.019, 558.011.4)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sentencing.conftest import BULK_COMPUTED_AT, BULK_INPUT_SCHEMA, maybe

from secondchance.sentencing.missouri import compute_missouri_bulk, compute_missouri_row
from secondchance.sentencing.missouri.bulk import INPUT_COLUMNS, OUTPUT_COLUMNS


@st.composite
def sentence_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 40))
    rows = []
    for index in range(count):
        start = draw(maybe(st.dates(date(1975, 1, 1), date(2035, 12, 31)), 20))
        rows.append(
            {
                "sentence_id": index,
                "person_id": index // 2,
                "commencement_date": start,
                "offense_date": draw(maybe(st.dates(date(2014, 1, 1), date(2022, 12, 31)), 6)),
                "term_months": draw(maybe(st.integers(0, 600), 12)),
                "term_days": draw(maybe(st.integers(0, 400), 3)),
                "min_term_months": None,
                "sentence_type": draw(
                    st.sampled_from(["determinate"] * 6 + ["life", "life_without_parole", "death", None])
                ),
                "jail_credit_days": draw(maybe(st.integers(0, 900), 4)),
                "prior_commitments": draw(maybe(st.integers(0, 6), 10)),
                "dangerous_felony": draw(maybe(st.booleans(), 10)),
                "no_parole_offense": draw(maybe(st.sampled_from([False] * 6 + [True]), 4)),
                "birth_date": draw(maybe(st.dates(date(1905, 1, 1), date(2010, 12, 31)), 3)),
                "minimum_term_offense": draw(maybe(st.booleans(), 6)),
                "drug_offense": draw(maybe(st.booleans(), 6)),
                "felony_class": draw(maybe(st.sampled_from(["A", "B", "C", "D", "E", "mixed"]), 6)),
            }
        )
    return rows


_CONNECTION = duckdb.connect()  # one in-memory database for every example
# An offence on RSMo 558.019.2's list that is not a drug offence, as the store derives it.
LISTED_NOT_DRUG = {"minimum_term_offense": True, "drug_offense": False}


def _bulk(rows: list[dict[str, Any]]) -> dict[int, tuple[Any, ...]]:
    connection = _CONNECTION
    relation = connection.from_arrow(pa.Table.from_pylist(rows, schema=BULK_INPUT_SCHEMA))
    result = compute_missouri_bulk(connection, relation, computed_at=BULK_COMPUTED_AT)
    assert tuple(result.columns) == OUTPUT_COLUMNS
    return {row[0]: row for row in result.fetchall()}


def _scalar(rows: list[dict[str, Any]]) -> dict[int, tuple[Any, ...]]:
    output = {}
    for row in rows:
        computed = compute_missouri_row(row, computed_at=BULK_COMPUTED_AT)
        output[row["sentence_id"]] = tuple(computed[name] for name in OUTPUT_COLUMNS)
    return output


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentence_rows())
def test_bulk_equals_scalar(rows: list[dict[str, Any]]) -> None:
    assert _bulk(rows) == _scalar(rows)


def test_bulk_equals_scalar_on_a_random_population() -> None:
    # 5,000 sentences in one query: the property test above explores shapes, this one volume
    rng = random.Random(20260101)
    rows = []
    for index in range(5000):
        rows.append(
            {
                "sentence_id": index,
                "person_id": index,
                "commencement_date": date(1980, 1, 1) + timedelta(days=rng.randrange(20000)),
                "offense_date": rng.choice([None, date(2012, 1, 1) + timedelta(days=rng.randrange(4000))]),
                "term_months": rng.choice([None, *range(0, 480)]),
                "term_days": rng.choice([None, 0, 0, 0, 1, 15, 200]),
                "min_term_months": None,
                "sentence_type": rng.choice(["determinate"] * 12 + ["life", "life_without_parole", "death", None]),
                "jail_credit_days": rng.choice([None, 0, 0, 30, 365, 1200]),
                "prior_commitments": rng.choice([None, 0, 0, 1, 2, 3, 4]),
                "dangerous_felony": rng.choice([None, False, False, False, True]),
                "no_parole_offense": rng.choice([None, False, False, False, True]),
                "birth_date": rng.choice([None, date(1930, 1, 1) + timedelta(days=rng.randrange(25000))]),
                "minimum_term_offense": rng.choice([None, False, True, True]),
                "drug_offense": rng.choice([None, False, False, True]),
                "felony_class": rng.choice([None, "A", "B", "C", "D", "E", "mixed"]),
            }
        )
    assert _bulk(rows) == _scalar(rows)


def test_bulk_equals_scalar_on_the_fixture_edges() -> None:
    base = dict.fromkeys(INPUT_COLUMNS)
    edges = [
        # leap-day start, nine years exactly and one day over, 15 years and one month over, life, age 70
        {"commencement_date": date(2020, 2, 29), "term_months": 12, "prior_commitments": 1},
        {"commencement_date": date(2020, 1, 1), "term_months": 108, "prior_commitments": 0},
        {"commencement_date": date(2020, 1, 1), "term_months": 108, "term_days": 1, "prior_commitments": 0},
        {"commencement_date": date(2020, 1, 1), "term_months": 181, "prior_commitments": 2},
        {"commencement_date": date(2020, 1, 1), "sentence_type": "life", "dangerous_felony": True},
        {
            "commencement_date": date(2020, 6, 1),
            "term_months": 48,
            "prior_commitments": 2,
            "birth_date": date(1952, 2, 29),
        },
        {"commencement_date": date(2020, 1, 1), "term_months": 120, "prior_commitments": 3, "jail_credit_days": 99},
        {"commencement_date": date(2020, 1, 1), "term_days": 4000, "term_months": None, "prior_commitments": 1},
    ]
    rows = []
    for index, edge in enumerate(edges):
        row = {**base, "sentence_id": index, "person_id": index, "sentence_type": "determinate"}
        row.update({"dangerous_felony": False, "no_parole_offense": False, **LISTED_NOT_DRUG, **edge})
        rows.append(row)
    assert _bulk(rows) == _scalar(rows)


def test_bulk_reads_a_table_by_name_and_rejects_a_relation_without_the_columns() -> None:
    connection = duckdb.connect()
    start = date(2020, 1, 1)
    rows = [
        {
            **dict.fromkeys(INPUT_COLUMNS),
            "sentence_id": 1,
            "commencement_date": start,
            "term_months": 120,
            "sentence_type": "determinate",
            "prior_commitments": 1,
            "dangerous_felony": False,
            **LISTED_NOT_DRUG,
        }
    ]
    connection.register("staged", pa.Table.from_pylist(rows, schema=BULK_INPUT_SCHEMA))
    connection.execute("CREATE TABLE sentences_in AS SELECT * FROM staged")
    (row,) = compute_missouri_bulk(connection, "sentences_in").fetchall()
    assert row[OUTPUT_COLUMNS.index("parole_eligibility_date")] == start + timedelta(days=1460)
    try:
        compute_missouri_bulk(connection, connection.sql("SELECT 1 AS sentence_id"))
    except ValueError as error:
        assert "commencement_date" in str(error)
    else:
        raise AssertionError("a relation without the input columns was accepted")


def test_result_inserts_into_the_computed_dates_table() -> None:
    from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL
    from secondchance.sentencing.profiles import builtin_profile, compute_profile_bulk

    connection = duckdb.connect()
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    row = {
        **dict.fromkeys(INPUT_COLUMNS),
        "sentence_id": 7,
        "person_id": 3,
        "commencement_date": date(2019, 1, 1),
        "offense_date": date(2018, 3, 1),
        "term_months": 120,
        "sentence_type": "determinate",
        "prior_commitments": 1,
        "dangerous_felony": False,
        **LISTED_NOT_DRUG,
    }
    relation = connection.from_arrow(pa.Table.from_pylist([row], schema=BULK_INPUT_SCHEMA))
    for result in (
        compute_missouri_bulk(connection, relation),
        compute_profile_bulk(connection, builtin_profile("us-la"), relation),
    ):
        result.insert_into("computed_dates")  # positional, as INSERT INTO computed_dates SELECT * does
    systems = connection.execute("SELECT system, rule_profile FROM computed_dates ORDER BY system").fetchall()
    assert systems == [("us-la", "us-la@2017-11"), ("us-mo", "us-mo@rsmo-558.019-2019")]
    assert connection.execute("SELECT count(computed_at) FROM computed_dates").fetchone() == (2,)
