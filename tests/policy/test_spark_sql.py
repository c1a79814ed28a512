"""The Spark SQL of a pack, run on real Spark (local mode), gives exactly what DuckDB gives."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pytest
from tests.policy.helpers import CATALOGUE, FIXTURES, compile_fixture, facts_table

from secondchance.policy.parameters import values_as_of
from secondchance.policy.status import evaluation_sql

pytestmark = pytest.mark.slow

_SPARK_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "text": "STRING"}
PEOPLE: list[dict[str, Any]] = [
    {
        "system": "federal",
        "in_custody": True,
        "served_days": 3530,
        "commencement_date": date(2005, 10, 1),
        "has_violent_prior_offense": False,
        "violent_incidents_this_term": 0,
        "age_years": 55,
        "release_date": date(2025, 3, 1),
        "risk_score": 0.5,
    },
    {
        "system": "federal",
        "in_custody": True,
        "served_days": 3700,
        "commencement_date": date(2023, 6, 1),
        "violent_incidents_this_term": None,
        "risk_score": 0.1,
    },
    {
        "system": "mo",
        "in_custody": True,
        "served_days": 100,
        "commencement_date": date(2020, 2, 29),
        "has_violent_prior_offense": True,
        "violent_incidents_this_term": 2,
        "age_years": 30,
        "release_date": date(2024, 3, 1),
    },
]


@pytest.fixture(scope="module")
def spark_local() -> Iterator[Any]:
    """A local Spark session; left running, since other test modules may share it (getOrCreate)."""
    pyspark_sql = pytest.importorskip("pyspark.sql")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java; `make system-packages` installs it")
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session


@pytest.mark.parametrize(
    ("pack", "as_of"), [("demo-clemency.yaml", date(2015, 6, 1)), ("groups.yaml", date(2024, 1, 1))]
)
def test_spark_and_duckdb_agree(spark_local: Any, pack: str, as_of: date) -> None:
    compiled = compile_fixture(FIXTURES / pack)
    values = values_as_of(compiled.pack, as_of)
    connection = duckdb.connect()
    facts_table(connection, PEOPLE)
    rows = connection.execute("SELECT * FROM facts ORDER BY person_id").fetchall()
    schema = "person_id BIGINT, source_id STRING, " + ", ".join(
        f"{name} {_SPARK_TYPES[kind]}" for name, kind in CATALOGUE.items()
    )
    spark_local.createDataFrame(rows, schema).createOrReplaceTempView("facts")
    duck = connection.execute(
        evaluation_sql(compiled, "facts", values, as_of, "duckdb", population_only=False) + " ORDER BY person_id"
    ).fetchall()
    sparked = [
        tuple(row)
        for row in spark_local.sql(
            evaluation_sql(compiled, "facts", values, as_of, "spark", population_only=False) + " ORDER BY person_id"
        ).collect()
    ]
    assert sparked == duck
    assert len({row[3] for row in duck}) >= 2  # the people differ, so agreement says something
