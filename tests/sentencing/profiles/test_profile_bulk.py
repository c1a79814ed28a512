"""The compiled profile query gives exactly the evaluator's rows, for every shipped profile."""

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

from secondchance.sentencing.profiles import (
    builtin_profile,
    builtin_profile_ids,
    compute_profile_bulk,
    compute_profile_row,
)
from secondchance.sentencing.profiles.bulk import OUTPUT_COLUMNS

SCHEMA = pa.schema(
    [
        *BULK_INPUT_SCHEMA,
        ("violent", pa.bool_()),
        ("sex_offense", pa.bool_()),
        ("habitual_offender", pa.bool_()),
        ("prior_felonies", pa.int64()),
        ("prior_violent_felonies", pa.int64()),
        ("prior_sex_offenses", pa.int64()),
    ]
)
_CONNECTION = duckdb.connect()


@st.composite
def sentence_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for index in range(draw(st.integers(1, 40))):
        offense = draw(maybe(st.dates(date(2010, 1, 1), date(2026, 12, 31)), 15))
        rows.append(
            {
                "sentence_id": index,
                "person_id": index,
                "commencement_date": draw(maybe(st.dates(date(2010, 1, 1), date(2030, 12, 31)), 20)),
                "offense_date": offense,
                "term_months": draw(maybe(st.integers(0, 480), 12)),
                "term_days": draw(maybe(st.integers(0, 400), 3)),
                "min_term_months": draw(st.one_of(st.none(), st.none(), st.integers(0, 400))),
                "sentence_type": draw(st.sampled_from(["determinate"] * 6 + ["life", "life_without_parole", None])),
                "jail_credit_days": draw(maybe(st.integers(0, 900), 4)),
                "violent": draw(maybe(st.booleans(), 10)),
                "sex_offense": draw(maybe(st.sampled_from([False] * 4 + [True]), 10)),
                "habitual_offender": draw(maybe(st.sampled_from([False] * 4 + [True]), 10)),
                "prior_felonies": draw(maybe(st.integers(0, 5), 10)),
                "prior_violent_felonies": draw(maybe(st.integers(0, 3), 10)),
                "prior_sex_offenses": draw(maybe(st.integers(0, 3), 10)),
            }
        )
    return rows


def _compare(profile_id: str, rows: list[dict[str, Any]], schema: pa.Schema = SCHEMA) -> None:
    profile = builtin_profile(profile_id)
    relation = _CONNECTION.from_arrow(pa.Table.from_pylist(rows, schema=schema))
    result = compute_profile_bulk(_CONNECTION, profile, relation, computed_at=BULK_COMPUTED_AT)
    assert tuple(result.columns) == OUTPUT_COLUMNS
    bulk = {row[0]: row for row in result.fetchall()}
    scalar = {}
    for row in rows:
        computed = compute_profile_row(profile, row, computed_at=BULK_COMPUTED_AT)
        scalar[row["sentence_id"]] = tuple(computed[name] for name in OUTPUT_COLUMNS)
    assert bulk == scalar


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentence_rows())
def test_bulk_equals_scalar(rows: list[dict[str, Any]]) -> None:
    for profile_id in builtin_profile_ids():
        _compare(profile_id, rows)


def test_bulk_equals_scalar_on_a_random_population() -> None:
    rng = random.Random(20171101)
    rows = []
    for index in range(4000):
        rows.append(
            {
                "sentence_id": index,
                "person_id": index,
                "commencement_date": date(2012, 1, 1) + timedelta(days=rng.randrange(5000)),
                "offense_date": rng.choice([None, date(2011, 1, 1) + timedelta(days=rng.randrange(5500))]),
                "term_months": rng.choice([None, *range(0, 360)]),
                "term_days": rng.choice([None, 0, 0, 1, 200]),
                "min_term_months": rng.choice([None, None, None, 12, 60, 360]),
                "sentence_type": rng.choice(["determinate"] * 12 + ["life", "life_without_parole", None]),
                "jail_credit_days": rng.choice([None, 0, 30, 365]),
                "violent": rng.choice([None, False, False, True]),
                "sex_offense": rng.choice([None, False, False, False, True]),
                "habitual_offender": rng.choice([None, False, False, False, True]),
                "prior_felonies": rng.choice([None, 0, 0, 1, 2, 3, 4]),
                "prior_violent_felonies": rng.choice([None, 0, 0, 1, 2]),
                "prior_sex_offenses": rng.choice([None, 0, 0, 0, 1, 2]),
            }
        )
    for profile_id in builtin_profile_ids():
        _compare(profile_id, rows)


def test_absent_fact_columns_are_unknown_and_go_to_review() -> None:
    schema = pa.schema(
        [field for field in SCHEMA if field.name not in ("violent", "sex_offense", "prior_sex_offenses")]
    )
    rows = [
        {
            "sentence_id": 1,
            "person_id": 1,
            "commencement_date": date(2019, 1, 1),
            "offense_date": date(2018, 3, 1),
            "term_months": 120,
            "term_days": 0,
            "min_term_months": None,
            "sentence_type": "determinate",
            "jail_credit_days": 0,
            "prior_felonies": 0,
        }
    ]
    _compare("us-la", rows, schema)
    profile = builtin_profile("us-la")
    (row,) = compute_profile_bulk(
        _CONNECTION, profile, _CONNECTION.from_arrow(pa.Table.from_pylist(rows, schema=schema))
    ).fetchall()
    assert row[OUTPUT_COLUMNS.index("review_reason")] == "MISSING_FACT"
    assert row[OUTPUT_COLUMNS.index("parole_eligibility_date")] is None
