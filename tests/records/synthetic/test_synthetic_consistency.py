"""Internal consistency of a generated population, checked in SQL on the store (20,000 people)."""

from __future__ import annotations

import duckdb
import pytest

from secondchance.records.schema import ENUMS, TABLES
from secondchance.records.store import store_columns
from secondchance.records.synthetic import NOT_DRAWN
from secondchance.records.synthetic.calibration import AS_OF

pytestmark = pytest.mark.slow


def _count(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None) -> int:
    rows = connection.execute(sql, parameters).fetchall()
    return int(rows[0][0])


def test_every_table_about_people_is_filled(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        filled = _count(population, f"SELECT count(*) FROM {spec.name}") > 0
        assert filled is (spec.name not in NOT_DRAWN), spec.name


def test_every_reference_resolves_by_source_id_and_internal_id(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        for ref in spec.references:
            dangling = _count(
                population,
                f"""
                SELECT count(*) FROM {spec.name} r
                LEFT JOIN {ref.table} t ON t.source = r.source AND t.source_id = r.{ref.column}
                WHERE r.{ref.column} IS NOT NULL AND (t.id IS NULL OR t.id <> r.{ref.internal})
                """,
            )
            assert dangling == 0, f"{spec.name}.{ref.column} -> {ref.table}"
            mismatched_nulls = _count(
                population,
                f"SELECT count(*) FROM {spec.name} WHERE ({ref.column} IS NULL) <> ({ref.internal} IS NULL)",
            )
            assert mismatched_nulls == 0, f"{spec.name}.{ref.internal}"


def test_charge_person_is_the_person_of_its_sentence(population: duckdb.DuckDBPyConnection) -> None:
    assert (
        _count(
            population,
            "SELECT count(*) FROM charge c JOIN sentence s ON s.id = c.sentence_id WHERE c.person_id <> s.person_id",
        )
        == 0
    )


def test_consecutive_sentences_belong_to_the_same_person(population: duckdb.DuckDBPyConnection) -> None:
    assert (
        _count(
            population,
            """
            SELECT count(*) FROM sentence s JOIN sentence first ON first.id = s.consecutive_to_id
            WHERE s.person_id <> first.person_id OR s.commencement_date < first.commencement_date
            """,
        )
        == 0
    )


def test_ids_are_unique_and_keys_are_unique(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        duplicates = _count(
            population,
            f"SELECT count(*) - count(DISTINCT id) + count(*) - count(DISTINCT (source, source_id)) FROM {spec.name}",
        )
        assert duplicates == 0, spec.name


def test_rows_are_synthetic_and_logged(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        assert _count(population, f"SELECT count(*) FROM {spec.name} WHERE source <> 'synthetic'") == 0
        unlogged = _count(
            population,
            f"""
            SELECT count(*) FROM {spec.name} r LEFT JOIN ingest_log l
              ON l.ingest_id = r.ingest_id AND l.adapter = 'synthetic' AND l.table_name = '{spec.name}'
            WHERE l.ingest_id IS NULL
            """,
        )
        assert unlogged == 0, spec.name


def test_enumerations_are_valid_and_keep_raw_text(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        for column in spec.columns:
            if not column.enum:
                continue
            allowed = ", ".join(f"'{value}'" for value in ENUMS[column.enum])
            invalid = _count(
                population,
                f"SELECT count(*) FROM {spec.name} WHERE {column.name} NOT IN ({allowed})",
            )
            assert invalid == 0, f"{spec.name}.{column.name}"
            no_raw = _count(
                population,
                f"SELECT count(*) FROM {spec.name} WHERE ({column.name} IS NULL) <> ({column.name}_raw IS NULL)",
            )
            assert no_raw == 0, f"{spec.name}.{column.name}_raw"


def test_required_columns_are_filled(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        for name in spec.required:
            assert _count(population, f"SELECT count(*) FROM {spec.name} WHERE {name} IS NULL") == 0, name
        assert _count(population, f"SELECT count(*) FROM {spec.name} WHERE ingest_id IS NULL") == 0


def test_store_columns_match_the_schema(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        described = [row[0] for row in population.execute(f"DESCRIBE {spec.name}").fetchall()]
        assert described == [name for name, _ in store_columns(spec)]


def test_numbers_are_in_their_ranges(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        for column in spec.columns:
            if column.minimum is not None:
                low = _count(population, f"SELECT count(*) FROM {spec.name} WHERE {column.name} < {column.minimum}")
                assert low == 0, f"{spec.name}.{column.name}"
            if column.maximum is not None:
                high = _count(population, f"SELECT count(*) FROM {spec.name} WHERE {column.name} > {column.maximum}")
                assert high == 0, f"{spec.name}.{column.name}"


def test_nothing_recorded_happens_after_the_reference_date(population: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        for column in spec.columns:
            if column.not_in_future:
                late = _count(population, f"SELECT count(*) FROM {spec.name} WHERE {column.name} > ?", [AS_OF])
                assert late == 0, f"{spec.name}.{column.name}"
    for table, column in (("sentence", "commencement_date"), ("reentry_item", "completed_on")):
        assert _count(population, f"SELECT count(*) FROM {table} WHERE {column} > ?", [AS_OF]) == 0


def test_sentence_dates_are_in_order(population: duckdb.DuckDBPyConnection) -> None:
    assert _count(population, "SELECT count(*) FROM sentence WHERE imposed_date >= commencement_date") == 0
    offence_after_commencement = _count(
        population,
        """
        SELECT count(*) FROM charge c JOIN sentence s ON s.id = c.sentence_id
        WHERE c.offense_date >= s.commencement_date OR c.offense_date > s.imposed_date
        """,
    )
    assert offence_after_commencement == 0
    born_after_offence = _count(
        population,
        """
        SELECT count(*) FROM charge c JOIN person p ON p.id = c.person_id
        WHERE c.offense_date <= p.birth_date
        """,
    )
    assert born_after_offence == 0


def test_custody_starts_at_commencement_less_jail_credit(population: duckdb.DuckDBPyConnection) -> None:
    # Each sentence that is not consecutive to another matches a custody period of its person that
    # starts on commencement minus jail credit (18 U.S.C. § 3585(b)).
    unmatched = _count(
        population,
        """
        SELECT count(*) FROM sentence s
        WHERE s.consecutive_to_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM custody_period c
            WHERE c.person_id = s.person_id
              AND c.start_date = s.commencement_date - coalesce(s.jail_credit_days, 0)::INTEGER
        )
        """,
    )
    assert unmatched == 0


def test_custody_is_open_exactly_for_people_serving_a_sentence(population: duckdb.DuckDBPyConnection) -> None:
    open_without_active = _count(
        population,
        """
        SELECT count(*) FROM custody_period c WHERE c.end_date IS NULL AND NOT EXISTS (
            SELECT 1 FROM sentence s WHERE s.person_id = c.person_id AND s.status = 'active')
        """,
    )
    active_without_open = _count(
        population,
        """
        SELECT count(*) FROM sentence s WHERE s.status = 'active' AND NOT EXISTS (
            SELECT 1 FROM custody_period c WHERE c.person_id = s.person_id AND c.end_date IS NULL)
        """,
    )
    assert open_without_active == 0
    assert active_without_open == 0
    assert _count(population, "SELECT count(*) FROM custody_period WHERE end_date <= start_date") == 0
    overlapping = _count(
        population,
        """
        SELECT count(*) FROM custody_period a JOIN custody_period b
          ON a.person_id = b.person_id AND a.id < b.id
         AND a.start_date < coalesce(b.end_date, DATE '9999-12-31')
         AND b.start_date < coalesce(a.end_date, DATE '9999-12-31')
        """,
    )
    assert overlapping == 0


def test_closed_custody_has_a_release_on_its_last_day(population: duckdb.DuckDBPyConnection) -> None:
    missing = _count(
        population,
        """
        SELECT count(*) FROM custody_period c WHERE c.end_date IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM release r WHERE r.person_id = c.person_id AND r.release_date = c.end_date)
        """,
    )
    assert missing == 0


def _within_custody(table: str, column: str) -> str:
    return f"""
        SELECT count(*) FROM {table} x WHERE NOT EXISTS (
            SELECT 1 FROM custody_period c WHERE c.person_id = x.person_id
              AND c.start_date <= x.{column} AND (c.end_date IS NULL OR x.{column} < c.end_date))
    """


def test_assessments_and_incidents_fall_within_custody(population: duckdb.DuckDBPyConnection) -> None:
    assert _count(population, _within_custody("assessment", "assessed_on")) == 0
    assert _count(population, _within_custody("incident", "incident_date")) == 0
    assert _count(population, _within_custody("enrollment", "referred_on")) == 0


def test_every_person_is_assessed(population: duckdb.DuckDBPyConnection) -> None:
    unassessed = _count(
        population,
        "SELECT count(*) FROM person p WHERE NOT EXISTS (SELECT 1 FROM assessment a WHERE a.person_id = p.id)",
    )
    assert unassessed == 0


def test_enrolments_respect_seats_and_dates(population: duckdb.DuckDBPyConnection) -> None:
    over = _count(
        population,
        """
        SELECT count(*) FROM (
            SELECT o.id, o.seats, count(e.id) AS placed FROM program_offering o
            JOIN enrollment e ON e.offering_id = o.id GROUP BY o.id, o.seats
        ) WHERE placed > seats
        """,
    )
    assert over == 0
    assert _count(population, "SELECT count(*) FROM enrollment WHERE status = 'waitlisted'") > 0
    assert (
        _count(
            population,
            "SELECT count(*) FROM enrollment WHERE (status = 'waitlisted') <> (offering_source_id IS NULL)",
        )
        == 0
    )
    wrong_programme = _count(
        population,
        "SELECT count(*) FROM enrollment e JOIN program_offering o ON o.id = e.offering_id "
        "WHERE o.program_id <> e.program_id",
    )
    assert wrong_programme == 0
    assert _count(population, "SELECT count(*) FROM enrollment WHERE start_date < referred_on") == 0
    assert _count(population, "SELECT count(*) FROM enrollment WHERE end_date < start_date") == 0
    started_elsewhere = _count(
        population,
        "SELECT count(*) FROM enrollment e JOIN program_offering o ON o.id = e.offering_id "
        "WHERE e.start_date IS NOT NULL AND e.start_date <> o.start_date",
    )
    assert started_elsewhere == 0
    assert (
        _count(population, "SELECT count(*) FROM enrollment WHERE status = 'completed' AND end_date > ?", [AS_OF]) == 0
    )


def test_reentry_items_are_for_people_in_custody_due_before_release(population: duckdb.DuckDBPyConnection) -> None:
    outside = _count(
        population,
        """
        SELECT count(*) FROM reentry_item r WHERE NOT EXISTS (
            SELECT 1 FROM custody_period c WHERE c.person_id = r.person_id AND c.end_date IS NULL)
        """,
    )
    assert outside == 0
    # Due dates sit between 120 days before today (the earliest lead time) and a year ahead.
    late = _count(
        population,
        "SELECT count(*) FROM reentry_item WHERE due_date < ?::DATE - 120 OR due_date > ?::DATE + 365",
        [AS_OF, AS_OF],
    )
    assert late == 0
    eight_each = _count(
        population, "SELECT count(*) FROM (SELECT person_id FROM reentry_item GROUP BY 1 HAVING count(*) <> 8)"
    )
    assert eight_each == 0
    done_without_date = _count(
        population, "SELECT count(*) FROM reentry_item WHERE (status = 'done') <> (completed_on IS NOT NULL)"
    )
    assert done_without_date == 0


def test_latest_assessment_needs_drive_referrals(population: duckdb.DuckDBPyConnection) -> None:
    # Individual therapy referrals are for high mental-health need on the latest assessment.
    unneeded = _count(
        population,
        """
        WITH latest AS (
            SELECT * FROM assessment
            QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY assessed_on DESC, id DESC) = 1
        )
        SELECT count(*) FROM enrollment e JOIN program p ON p.id = e.program_id
        JOIN latest a ON a.person_id = e.person_id
        WHERE p.program_type = 'individual_therapy' AND a.need_mental_health < 3
        """,
    )
    assert unneeded == 0
