"""The compiler: expression -> DuckDB and Spark SQL, types, and what a pack expression may not do."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from tests.policy.helpers import CATALOGUE

from secondchance.policy.compiler import compile_expression, render

PARAMETERS = {"min_years_served": "integer", "codes": "list", "cutoff": "date", "share": "number"}
VALUES = {
    "min_years_served": 10,
    "codes": ["21:841", "21:846"],
    "cutoff": date(2010, 8, 3),
    "share": 0.5,
    "as_of": date(2015, 6, 1),
}

# expression, DuckDB SQL, Spark SQL. Spark has no date + INTERVAL for columns and date - date is an
# interval there, so dates move with ADD_MONTHS/DATE_ADD and differences use DATEDIFF(end, start).
# Every operand that is an operation is bracketed, so no engine's precedence can regroup it; whole-number
# arithmetic is 64-bit in both engines (policy.arithmetic).
GOLDEN = [
    (
        "served_days >= years_to_days(:min_years_served)",
        "served_days >= (CAST((10) AS BIGINT) * 365)",
        "served_days >= (CAST((10) AS BIGINT) * 365)",
    ),
    (
        "commencement_date + to_years(:min_years_served)",
        "CAST(commencement_date + INTERVAL 10 YEAR AS DATE)",
        "CAST(ADD_MONTHS(commencement_date, 120) AS DATE)",
    ),
    (
        "commencement_date + to_months(6)",
        "CAST(commencement_date + INTERVAL 6 MONTH AS DATE)",
        "CAST(ADD_MONTHS(commencement_date, 6) AS DATE)",
    ),
    (
        "release_date - to_days(30)",
        "CAST(release_date + INTERVAL (-30) DAY AS DATE)",
        "CAST(DATE_ADD(release_date, -30) AS DATE)",
    ),
    (
        "commencement_date + 30",
        "CAST(commencement_date + INTERVAL 30 DAY AS DATE)",
        "CAST(DATE_ADD(commencement_date, 30) AS DATE)",
    ),
    (
        "release_date - commencement_date",
        "DATE_DIFF('DAY', commencement_date, release_date)",
        "DATEDIFF(release_date, commencement_date)",
    ),
    (
        "date_diff('day', commencement_date, :as_of) > 3650",
        "DATE_DIFF('DAY', commencement_date, CAST('2015-06-01' AS DATE)) > 3650",
        "DATEDIFF(CAST('2015-06-01' AS DATE), commencement_date) > 3650",
    ),
    (
        "NOT (has_violent_prior_offense OR violent_incidents_this_term > 0)",
        "NOT (has_violent_prior_offense OR (violent_incidents_this_term > 0))",
        "NOT (has_violent_prior_offense OR (violent_incidents_this_term > 0))",
    ),
    (
        "offense_code IN :codes",
        "offense_code IN ('21:841', '21:846')",
        "offense_code IN ('21:841', '21:846')",
    ),
    (
        "commencement_date < '2010-08-03'",
        "commencement_date < CAST('2010-08-03' AS DATE)",
        "commencement_date < CAST('2010-08-03' AS DATE)",
    ),
    (
        "least(release_date, :cutoff)",
        "LEAST(release_date, CAST('2010-08-03' AS DATE))",
        "LEAST(release_date, CAST('2010-08-03' AS DATE))",
    ),
    (
        "coalesce(risk_score, 0) >= :share AND age_years BETWEEN 18 AND 25",
        "(COALESCE(risk_score, 0) >= 0.5) AND (age_years BETWEEN 18 AND 25)",
        "(COALESCE(risk_score, 0) >= 0.5) AND (age_years BETWEEN 18 AND 25)",
    ),
    (
        "if(age_years >= 60, 'older', 'younger') = 'older'",
        "CASE WHEN age_years >= 60 THEN 'older' ELSE 'younger' END = 'older'",
        "CASE WHEN age_years >= 60 THEN 'older' ELSE 'younger' END = 'older'",
    ),
    ("age_years IS NOT NULL", "NOT (age_years IS NULL)", "NOT (age_years IS NULL)"),
]


@pytest.mark.parametrize(("expression", "duckdb_sql", "spark_sql"), GOLDEN)
def test_golden_sql(expression: str, duckdb_sql: str, spark_sql: str) -> None:
    compiled, errors = compile_expression(expression, facts=CATALOGUE, parameters=PARAMETERS)
    assert errors == []
    assert compiled is not None
    assert render(compiled, VALUES, "duckdb") == duckdb_sql
    assert render(compiled, VALUES, "spark") == spark_sql


@pytest.mark.parametrize(
    ("expression", "facts", "expected"),
    [
        # Calendar years: 10 years from 2005-10-01 is the tenth anniversary, whatever the leap days.
        (
            "commencement_date + to_years(:min_years_served)",
            {"commencement_date": date(2005, 10, 1)},
            date(2015, 10, 1),
        ),
        # A 29 February start reaches its anniversary on 28 February in a common year.
        ("commencement_date + to_years(1)", {"commencement_date": date(2020, 2, 29)}, date(2021, 2, 28)),
        ("commencement_date + 30", {"commencement_date": date(2024, 1, 31)}, date(2024, 3, 1)),
        # 2005-10-01 to 2015-10-01: 3,650 days plus the leap days of 2008 and 2012.
        (
            "release_date - commencement_date",
            {"commencement_date": date(2005, 10, 1), "release_date": date(2015, 10, 1)},
            3652,
        ),
    ],
)
def test_dates_compute_as_the_calendar_says(expression: str, facts: dict[str, date], expected: object) -> None:
    compiled, errors = compile_expression(expression, facts=CATALOGUE, parameters=PARAMETERS)
    assert compiled is not None, errors
    connection = duckdb.connect()
    columns = ", ".join(f"CAST(? AS DATE) AS {name}" for name in facts)
    connection.execute(f"CREATE TABLE facts AS SELECT {columns}", list(facts.values()))
    row = connection.execute(f"SELECT {render(compiled, VALUES, 'duckdb')} FROM facts").fetchone()
    assert row is not None and row[0] == expected


def test_types_and_facts_read() -> None:
    compiled, _ = compile_expression(
        "served_days >= years_to_days(:min_years_served) AND commencement_date < :cutoff",
        facts=CATALOGUE,
        parameters=PARAMETERS,
    )
    assert compiled is not None
    assert compiled.type == "boolean"
    assert compiled.facts == ("served_days", "commencement_date")
    assert compiled.parameters == ("min_years_served", "cutoff")


@pytest.mark.parametrize(
    ("expression", "expect", "reason"),
    [
        ("serverd_days >= 3650", "boolean", "unknown fact 'serverd_days'; did you mean 'served_days'?"),
        ("zzz > 1", "boolean", "unknown fact 'zzz'; `secondchance facts list` shows the facts a pack can read"),
        (
            "served_days >= :min_year_served",
            "boolean",
            "unknown parameter ':min_year_served'; did you mean ':min_years_served'?",
        ),
        (
            "served_days > commencement_date",
            "boolean",
            "cannot compare served_days (a whole number) with commencement_date (a date)",
        ),
        ("served_days", "boolean", "a test must be a yes/no condition, but this is a whole number"),
        ("served_days + 1", "date", "the expression must give a date, but this gives a whole number"),
        ("commencement_date < 'soon'", "boolean", "'soon' is not a date; write dates as DATE '2014-04-23'"),
        (
            "age_years AND in_custody",
            "boolean",
            "each side of AND must be a yes/no value, but age_years is a whole number",
        ),
        ("to_years(10) > 1", "boolean", "to_years(10) is a length of time and cannot be compared"),
        (
            "commencement_date + to_years(risk_score)",
            "date",
            "the value of to_years(...) must be a whole number, but risk_score is a number",
        ),
        (
            "(SELECT max(served_days) FROM facts) > 1",
            "boolean",
            "subqueries are not allowed: a pack expression reads only facts and :parameters",
        ),
        (
            "facts.served_days > 1",
            "boolean",
            "write the fact name alone: 'served_days', not 'facts.served_days' (packs do not read tables)",
        ),
        ("served_days > 1; DROP TABLE person", "boolean", "write one expression, without ';'"),
        (
            "DELETE FROM person",
            "boolean",
            "statements that change data are not allowed: a pack expression only reads facts",
        ),
        ("count(*) > 1", "boolean", "function COUNT is not allowed in a pack expression"),
        ("read_csv('x.csv') IS NULL", "boolean", "function READ_CSV is not allowed in a pack expression"),
        ("date_diff('year', commencement_date, release_date) > 1", "boolean", "date_diff counts days only"),
    ],
)
def test_problems(expression: str, expect: str, reason: str) -> None:
    role = "a test" if expect == "boolean" else "the expression"
    compiled, errors = compile_expression(
        expression,
        facts=CATALOGUE,
        parameters=PARAMETERS,
        expect=expect,
        role=role,  # type: ignore[arg-type]
    )
    assert compiled is None
    assert errors, "expected a problem"
    assert errors[0].reason.startswith(reason), errors[0].reason


def test_syntax_error_has_its_position() -> None:
    compiled, errors = compile_expression("served_days >= (3650", facts=CATALOGUE, parameters=PARAMETERS)
    assert compiled is None
    assert errors[0].reason.startswith("this is not a valid expression: expecting )")
    assert (errors[0].line, errors[0].column) == (1, 20)


def test_every_unknown_fact_is_reported() -> None:
    _, errors = compile_expression("servd_days > 1 AND agee_years > 2", facts=CATALOGUE, parameters={})
    assert [error.reason for error in errors] == [
        "unknown fact 'servd_days'; did you mean 'served_days'?",
        "unknown fact 'agee_years'; did you mean 'age_years'?",
    ]
