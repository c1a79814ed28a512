"""Every edge case the later engines need is present, at about its stated rate (20,000 people)."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pytest

from secondchance.records.synthetic.calibration import AS_OF, EDGE_CASE_RATES, MISSING_RATES

pytestmark = pytest.mark.slow

TEN_YEARS_AGO = date(AS_OF.year - 10, AS_OF.month, AS_OF.day)


def _count(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(connection.execute(sql).fetchall()[0][0])


def _near(count: int, total: int, rate: float, what: str) -> None:
    """Within four standard errors of the stated rate."""
    tolerance = 4 * math.sqrt(rate * (1 - rate) / total)
    assert abs(count / total - rate) <= tolerance, f"{what}: {count / total:.4f} vs {rate}"


@pytest.mark.parametrize(
    ("case", "sql"),
    [
        ("life with parole", "SELECT count(*) FROM sentence WHERE sentence_type = 'life'"),
        ("life without parole", "SELECT count(*) FROM sentence WHERE sentence_type = 'life_without_parole'"),
        ("consecutive sentence", "SELECT count(*) FROM sentence WHERE consecutive_to_source_id IS NOT NULL"),
        ("jail credit", "SELECT count(*) FROM sentence WHERE jail_credit_days > 0"),
        ("unknown jail credit", "SELECT count(*) FROM sentence WHERE jail_credit_days IS NULL"),
        ("over 65", f"SELECT count(*) FROM person WHERE date_sub('year', birth_date, DATE '{AS_OF}') >= 65"),
        ("over 70", f"SELECT count(*) FROM person WHERE date_sub('year', birth_date, DATE '{AS_OF}') >= 70"),
        ("final order of removal", "SELECT count(*) FROM person WHERE final_order_of_removal"),
        ("no diploma", "SELECT count(*) FROM person WHERE NOT has_diploma"),
        ("no schooling", "SELECT count(*) FROM person WHERE education_level = 'none'"),
        ("good conduct time lost", "SELECT count(*) FROM incident WHERE gct_days_lost > 0"),
        ("violent incident", "SELECT count(*) FROM incident WHERE violent"),
        ("birth year only", "SELECT count(*) FROM person WHERE birth_date IS NULL AND birth_year IS NOT NULL"),
        ("no birth date or year", "SELECT count(*) FROM person WHERE birth_date IS NULL AND birth_year IS NULL"),
        ("unknown risk level", "SELECT count(*) FROM assessment WHERE risk_level IS NULL"),
        ("unknown incident severity", "SELECT count(*) FROM incident WHERE severity IS NULL"),
        ("unknown incident violence", "SELECT count(*) FROM incident WHERE violent IS NULL"),
        ("unknown offence date", "SELECT count(*) FROM charge WHERE offense_date IS NULL"),
        ("Missouri dangerous felony", "SELECT count(*) FROM charge WHERE dangerous_felony"),
        (
            "released",
            "SELECT count(*) FROM release r JOIN person p ON p.id = r.person_id WHERE r.returned_to_prison IS NULL",
        ),
        ("aggravating role", "SELECT count(*) FROM charge WHERE role = 'leader_organizer'"),
        ("death or injury", "SELECT count(*) FROM charge WHERE death_or_injury_resulted"),
        ("year and a day", "SELECT count(*) FROM sentence WHERE term_months = 12 AND term_days = 1"),
        ("waitlisted", "SELECT count(*) FROM enrollment WHERE status = 'waitlisted'"),
        ("completed programme", "SELECT count(*) FROM enrollment WHERE status = 'completed'"),
        ("dropped programme", "SELECT count(*) FROM enrollment WHERE status = 'dropped'"),
    ],
)
def test_edge_case_is_present(population: duckdb.DuckDBPyConnection, case: str, sql: str) -> None:
    assert _count(population, sql) > 0, case


def test_long_served_nonviolent_federal_drug_cases(population: duckdb.DuckDBPyConnection) -> None:
    candidates = _count(
        population,
        f"""
        SELECT count(DISTINCT s.person_id) FROM sentence s
        JOIN charge c ON c.sentence_id = s.id AND c.relationship = 'principal'
        WHERE s.system = 'federal' AND s.status = 'active' AND s.commencement_date <= DATE '{TEN_YEARS_AGO}'
          AND c.offense_category = 'drug'
          AND NOT EXISTS (
              SELECT 1 FROM charge x WHERE x.sentence_id = s.id
                AND (x.weapon_involved OR x.death_or_injury_resulted OR x.offense_category = 'violent'))
          AND NOT EXISTS (SELECT 1 FROM incident i WHERE i.person_id = s.person_id AND i.violent)
        """,
    )
    federal = _count(population, "SELECT count(*) FROM person WHERE jurisdiction = 'federal'")
    # The people built as candidates, plus any that arise on their own.
    assert candidates >= federal * EDGE_CASE_RATES["long_served_nonviolent_drug_federal"] * 0.8


def test_missouri_prior_commitments_are_earlier_completed_sentences(population: duckdb.DuckDBPyConnection) -> None:
    with_priors = _count(
        population,
        """
        SELECT count(DISTINCT current.person_id) FROM sentence current
        JOIN sentence prior ON prior.person_id = current.person_id AND prior.id <> current.id
        WHERE current.system = 'us-mo' AND prior.status = 'completed'
          AND prior.commencement_date < current.commencement_date AND prior.consecutive_to_id IS NULL
        """,
    )
    three_or_more = _count(
        population,
        """
        SELECT count(*) FROM (
            SELECT person_id FROM sentence WHERE system = 'us-mo' AND status = 'completed'
            GROUP BY person_id HAVING count(*) >= 3)
        """,
    )
    assert with_priors > 0
    assert three_or_more > 0
    returns = _count(population, "SELECT count(*) FROM release WHERE returned_to_prison AND days_to_return > 0")
    assert returns > 0


def test_released_people_at_their_rate(population: duckdb.DuckDBPyConnection) -> None:
    people = _count(population, "SELECT count(*) FROM person")
    released = _count(
        population,
        """
        SELECT count(*) FROM person p WHERE NOT EXISTS (
            SELECT 1 FROM custody_period c WHERE c.person_id = p.id AND c.end_date IS NULL)
        """,
    )
    # Released people are drawn among those with a determinate term that is not a built candidate.
    assert 0.5 * EDGE_CASE_RATES["released"] * people < released <= EDGE_CASE_RATES["released"] * people * 1.1


@pytest.mark.parametrize(
    ("key", "sql", "total_sql"),
    [
        ("birth_date", "SELECT count(*) FROM person WHERE birth_date IS NULL", "SELECT count(*) FROM person"),
        ("race", "SELECT count(*) FROM person WHERE race IS NULL", "SELECT count(*) FROM person"),
        ("education_level", "SELECT count(*) FROM person WHERE education_level IS NULL", "SELECT count(*) FROM person"),
        ("offense_date", "SELECT count(*) FROM charge WHERE offense_date IS NULL", "SELECT count(*) FROM charge"),
        ("incident_severity", "SELECT count(*) FROM incident WHERE severity IS NULL", "SELECT count(*) FROM incident"),
    ],
)
def test_missing_data_rates(population: duckdb.DuckDBPyConnection, key: str, sql: str, total_sql: str) -> None:
    _near(_count(population, sql), _count(population, total_sql), MISSING_RATES[key], key)


def test_consecutive_rate(population: duckdb.DuckDBPyConnection) -> None:
    people = _count(population, "SELECT count(*) FROM person")
    consecutive = _count(population, "SELECT count(*) FROM sentence WHERE consecutive_to_id IS NOT NULL")
    # Drawn among people without a life term or built candidacy (about 95% of people).
    assert 0.85 * EDGE_CASE_RATES["consecutive_sentence"] * people < consecutive
    assert consecutive < 1.1 * EDGE_CASE_RATES["consecutive_sentence"] * people
