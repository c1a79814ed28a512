"""A population summary read back from the records store (any source), for `demo` and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from secondchance.records.schema import NEED_DOMAINS
from secondchance.records.store import table_counts

__all__ = ["PopulationSummary", "summarise_population", "AGE_BANDS"]

# (label, first age, last age) of the age breakdown.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 30", 0, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50-59", 50, 59),
    ("60-64", 60, 64),
    ("65-69", 65, 69),
    ("70 and over", 70, 200),
)


@dataclass
class PopulationSummary:
    """Counts of a population; each breakdown is a list of (label, count) pairs."""

    as_of: date
    tables: dict[str, int]
    by_jurisdiction: list[tuple[str, int]] = field(default_factory=list)
    by_offense_category: list[tuple[str, int]] = field(default_factory=list)
    by_sentence_type: list[tuple[str, int]] = field(default_factory=list)
    by_age_band: list[tuple[str, int]] = field(default_factory=list)
    in_custody: int = 0
    needs: list[tuple[str, int, int]] = field(default_factory=list)  # domain, people with need >= 2, assessed
    programs: list[tuple[str, int, int, int]] = field(default_factory=list)  # name, seats, referred, waitlisted


def summarise_population(connection: duckdb.DuckDBPyConnection, as_of: date) -> PopulationSummary:
    """Summarise the people in the store as of a date."""
    summary = PopulationSummary(as_of=as_of, tables=table_counts(connection))
    summary.by_jurisdiction = _pairs(
        connection, "SELECT coalesce(jurisdiction, 'unknown'), count(*) FROM person GROUP BY 1 ORDER BY 2 DESC"
    )
    # The current sentence: not consecutive to another one, and not completed before a later one.
    current = """
        SELECT s.* FROM sentence s
        WHERE s.consecutive_to_id IS NULL
        QUALIFY row_number() OVER (PARTITION BY s.person_id ORDER BY s.commencement_date DESC NULLS LAST, s.id) = 1
    """
    summary.by_offense_category = _pairs(
        connection,
        f"""
        SELECT coalesce(c.offense_category, 'unknown'), count(*)
        FROM ({current}) s JOIN charge c ON c.sentence_id = s.id AND c.relationship = 'principal'
        GROUP BY 1 ORDER BY 2 DESC
        """,
    )
    summary.by_sentence_type = _pairs(
        connection,
        f"SELECT coalesce(sentence_type, 'unknown'), count(*) FROM ({current}) GROUP BY 1 ORDER BY 2 DESC",
    )
    bands = " ".join(f"WHEN age BETWEEN {lo} AND {hi} THEN '{label}'" for label, lo, hi in AGE_BANDS)
    order = " ".join(f"WHEN '{label}' THEN {i}" for i, (label, _, _) in enumerate(AGE_BANDS))
    summary.by_age_band = _pairs(
        connection,
        f"""
        WITH ages AS (
            SELECT date_sub('year', coalesce(birth_date, make_date(birth_year::INTEGER, 7, 1)), ?::DATE) AS age
            FROM person
        )
        SELECT CASE {bands} ELSE 'unknown' END AS band, count(*) FROM ages GROUP BY 1
        ORDER BY CASE band {order} ELSE 99 END
        """,
        [as_of],
    )
    row = connection.execute(
        "SELECT count(DISTINCT person_id) FROM custody_period "
        "WHERE start_date <= ? AND (end_date IS NULL OR end_date > ?)",
        [as_of, as_of],
    ).fetchall()
    summary.in_custody = int(row[0][0]) if row else 0
    need_columns = ", ".join(f"count(*) FILTER (WHERE need_{d} >= 2)" for d in NEED_DOMAINS)
    latest = connection.execute(
        f"""
        SELECT {need_columns}, count(*) FROM (
            SELECT * FROM assessment
            QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY assessed_on DESC, id DESC) = 1
        )
        """
    ).fetchall()[0]
    summary.needs = [(domain, int(latest[i]), int(latest[-1])) for i, domain in enumerate(NEED_DOMAINS)]
    summary.programs = [
        (str(name), int(seats), int(referred), int(waitlisted))
        for name, seats, referred, waitlisted in connection.execute(
            """
            SELECT p.name,
                   coalesce(sum(o.seats), 0),
                   coalesce(sum(e.referred), 0),
                   coalesce(sum(e.waitlisted), 0)
            FROM (SELECT name, min(id) AS id, list(id) AS ids FROM program GROUP BY name) p
            LEFT JOIN (SELECT program_id, sum(seats) AS seats FROM program_offering GROUP BY 1) o
                   ON list_contains(p.ids, o.program_id)
            LEFT JOIN (
                SELECT program_id, count(*) AS referred, count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted
                FROM enrollment GROUP BY 1
            ) e ON e.program_id = o.program_id
            GROUP BY p.name, p.id ORDER BY p.id
            """
        ).fetchall()
    ]
    return summary


def _pairs(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None
) -> list[tuple[str, int]]:
    return [(str(label), int(count)) for label, count in connection.execute(sql, parameters).fetchall()]
