"""The generated population matches the published figures in `calibration` (50,000 people).

Each target comes from `calibration`, which cites its source. Tolerances are four standard errors
of a sample share, sqrt(p (1 - p) / n), for the number of people the share is measured on: a
correct generator fails such a check far less than once in ten thousand runs, while a share off
by a few points fails it.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest

from secondchance.records.synthetic import Generated
from secondchance.records.synthetic import calibration as cal

pytestmark = pytest.mark.slow


def assert_share(observed_count: int, total: int, expected: float, what: str) -> None:
    """The observed share is within four standard errors of the expected share."""
    assert total > 0, what
    share = observed_count / total
    tolerance = 4 * math.sqrt(expected * (1 - expected) / total)
    assert abs(share - expected) <= tolerance, f"{what}: {share:.4f} vs {expected:.4f} ± {tolerance:.4f} (n={total})"


def _one(connection: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, int]:
    row = connection.execute(sql).fetchall()[0]
    return int(row[0]), int(row[1])


@pytest.fixture(scope="module")
def db(calibration_population: Generated) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB over the generated frames, with the current sentence of each person."""
    connection = duckdb.connect()
    for name, frame in calibration_population.frames.items():
        connection.register(f"{name}_frame", frame)
        connection.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    people = calibration_population.frames["person"].height
    # Sentences 1..n are the current sentences, one per person, in person order.
    connection.execute(
        f"""
        CREATE TABLE current AS
        SELECT s.*, p.jurisdiction, c.offense_category
        FROM sentence s JOIN person p ON p.id = s.person_id
        JOIN charge c ON c.sentence_id = s.id AND c.relationship = 'principal'
        WHERE s.id <= {people}
        """
    )
    connection.execute(
        """
        CREATE TABLE latest AS SELECT a.*, p.jurisdiction FROM assessment a JOIN person p ON p.id = a.person_id
        QUALIFY row_number() OVER (PARTITION BY a.person_id ORDER BY a.assessed_on DESC, a.id DESC) = 1
        """
    )
    return connection


def test_mixed_population_is_half_federal(db: duckdb.DuckDBPyConnection) -> None:
    federal, total = _one(db, "SELECT count(*) FILTER (WHERE jurisdiction = 'federal'), count(*) FROM person")
    assert_share(federal, total, cal.MIXED_FEDERAL_SHARE, "federal share")


def test_share_male(db: duckdb.DuckDBPyConnection) -> None:
    male, known = _one(db, "SELECT count(*) FILTER (WHERE sex = 'male'), count(sex) FROM person")
    assert_share(male, known, cal.SHARE_MALE, "male")


@pytest.mark.parametrize("jurisdiction", ["federal", "us-mo"])
def test_race_and_ethnicity(db: duckdb.DuckDBPyConnection, jurisdiction: str) -> None:
    shares = cal.RACE_FEDERAL if jurisdiction == "federal" else cal.RACE_STATE
    for race, expected in shares.items():
        count, known = _one(
            db,
            f"SELECT count(*) FILTER (WHERE race = '{race}'), count(race) FROM person "
            f"WHERE jurisdiction = '{jurisdiction}'",
        )
        assert_share(count, known, expected, f"{jurisdiction} {race}")


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (50, cal.SHARE_AGE_50_PLUS),
        (60, cal.SHARE_AGE_60_PLUS),
        (65, cal.SHARE_AGE_65_PLUS),
        (70, cal.SHARE_AGE_70_PLUS),
    ],
)
def test_age_distribution(db: duckdb.DuckDBPyConnection, age: int, expected: float) -> None:
    count, known = _one(
        db,
        f"SELECT count(*) FILTER (WHERE date_sub('year', birth_date, DATE '{cal.AS_OF}') >= {age}), "
        "count(birth_date) FROM person",
    )
    assert_share(count, known, expected, f"aged {age}+")


@pytest.mark.parametrize(
    ("jurisdiction", "category", "expected"),
    [
        ("federal", "drug", cal.OFFENSE_FEDERAL["drug"]),
        ("federal", "weapon", cal.OFFENSE_FEDERAL["weapon"]),
        ("federal", "sex", cal.OFFENSE_FEDERAL["sex"]),
        ("us-mo", "violent", cal.OFFENSE_STATE["violent"]),
        ("us-mo", "sex", cal.OFFENSE_STATE["sex"]),
        ("us-mo", "drug", cal.OFFENSE_STATE["drug"]),
        ("us-mo", "property", cal.OFFENSE_STATE["property"]),
    ],
)
def test_offence_categories(db: duckdb.DuckDBPyConnection, jurisdiction: str, category: str, expected: float) -> None:
    count, total = _one(
        db,
        f"SELECT count(*) FILTER (WHERE offense_category = '{category}'), count(*) FROM current "
        f"WHERE jurisdiction = '{jurisdiction}'",
    )
    assert_share(count, total, expected, f"{jurisdiction} {category}")


@pytest.mark.parametrize(
    ("jurisdiction", "sentence_type", "expected"),
    [
        ("federal", "life_without_parole", cal.SHARE_LIFE_FEDERAL),
        ("us-mo", "life_without_parole", cal.STATE_LWOP_SHARE),
        ("us-mo", "life", cal.STATE_LIFE_WITH_PAROLE_SHARE),
    ],
)
def test_life_sentences(db: duckdb.DuckDBPyConnection, jurisdiction: str, sentence_type: str, expected: float) -> None:
    count, total = _one(
        db,
        f"SELECT count(*) FILTER (WHERE sentence_type = '{sentence_type}'), count(*) FROM current "
        f"WHERE jurisdiction = '{jurisdiction}'",
    )
    assert_share(count, total, expected, f"{jurisdiction} {sentence_type}")


def test_state_life_or_virtual_life(db: duckdb.DuckDBPyConnection) -> None:
    count, total = _one(
        db,
        "SELECT count(*) FILTER (WHERE sentence_type IN ('life', 'life_without_parole') OR term_months >= 600), "
        "count(*) FROM current WHERE jurisdiction = 'us-mo'",
    )
    assert_share(count, total, cal.SHARE_LIFE_OR_VIRTUAL_LIFE_STATE, "state life or virtual life")


@pytest.mark.parametrize(("low", "high", "share"), cal.SENTENCE_BUCKETS_FEDERAL)
def test_federal_sentence_lengths(db: duckdb.DuckDBPyConnection, low: int, high: int, share: float) -> None:
    determinate_share = sum(s for *_, s in cal.SENTENCE_BUCKETS_FEDERAL)
    count, total = _one(
        db,
        f"SELECT count(*) FILTER (WHERE term_months BETWEEN {low} AND {high}), count(*) FROM current "
        "WHERE jurisdiction = 'federal' AND sentence_type = 'determinate'",
    )
    assert_share(count, total, share / determinate_share, f"federal terms {low}-{high} months")


def test_mental_health_needs(db: duckdb.DuckDBPyConnection) -> None:
    history, total = _one(db, "SELECT count(*) FILTER (WHERE need_mental_health >= 2), count(*) FROM latest")
    assert_share(history, total, cal.SHARE_MENTAL_HEALTH_HISTORY, "history of a mental health problem")
    distress, total = _one(db, "SELECT count(*) FILTER (WHERE need_mental_health = 3), count(*) FROM latest")
    assert_share(distress, total, cal.SHARE_SERIOUS_PSYCHOLOGICAL_DISTRESS, "serious psychological distress")


@pytest.mark.parametrize(
    ("jurisdiction", "expected"),
    [
        ("us-mo", cal.SHARE_DRUG_DEPENDENCE_OR_ABUSE_STATE),
        ("federal", cal.SHARE_DRUG_DEPENDENCE_OR_ABUSE_FEDERAL),
    ],
)
def test_substance_use_needs(db: duckdb.DuckDBPyConnection, jurisdiction: str, expected: float) -> None:
    count, total = _one(
        db,
        "SELECT count(*) FILTER (WHERE need_substance_use >= 2), count(*) FROM latest "
        f"WHERE jurisdiction = '{jurisdiction}'",
    )
    assert_share(count, total, expected, f"{jurisdiction} drug dependence or abuse")


@pytest.mark.parametrize(
    ("jurisdiction", "shares"), [("us-mo", cal.EDUCATION_STATE), ("federal", cal.EDUCATION_FEDERAL)]
)
def test_no_diploma(db: duckdb.DuckDBPyConnection, jurisdiction: str, shares: dict[str, float]) -> None:
    count, known = _one(
        db,
        "SELECT count(*) FILTER (WHERE NOT has_diploma), count(has_diploma) FROM person "
        f"WHERE jurisdiction = '{jurisdiction}'",
    )
    assert_share(count, known, shares["none"] + shares["some_high_school"], f"{jurisdiction} without a diploma")


def test_rule_violators(db: duckdb.DuckDBPyConnection) -> None:
    violators, total = _one(
        db,
        """
        WITH served AS (
            SELECT person_id FROM custody_period
            WHERE reason LIKE 'New commitment%'
              AND coalesce(end_date, DATE '2026-11-25') - start_date > 30
        )
        SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM incident i WHERE i.person_id = s.person_id)), count(*)
        FROM served s
        """,
    )
    assert_share(violators, total, cal.SHARE_WITH_RULE_VIOLATION, "people with a rule violation")


def test_programme_seats_are_far_below_need(calibration_population: Generated) -> None:
    offerings = calibration_population.frames["program_offering"]
    programs = calibration_population.frames["program"]
    for program_source, need in calibration_population.need_by_program.items():
        seats = calibration_population.seats_by_program[program_source]
        assert need > 0, program_source
        assert seats / need < 0.5, f"{program_source}: {seats} seats a year for {need} people in need"
    # Residential drug treatment: seats a year per person in need, as GAO-12-320 implies; each
    # offering's seats are rounded up, so allow one seat per offering a year.
    for system in ("FED", "MO"):
        key = f"SYN-PG-{system}-SU"
        program_id = programs.filter(pl.col("source_id") == key)["id"][0]
        per_year = offerings.filter(pl.col("program_id") == program_id).height / 2  # one past and one next cohort
        need = calibration_population.need_by_program[key]
        ratio = calibration_population.seats_by_program[key] / need
        assert abs(ratio - cal.RDAP_ANNUAL_SEATS_PER_SUD_NEED) <= per_year / need, f"{key}: {ratio:.4f}"
