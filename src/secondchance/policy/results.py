"""Screening results tables in the records store, and the ways of reading them back.

- `screening_run`: one row per run: as-of date, engine, packs (id, version, sha256 of the file,
  population counts), the ingest loads read, and the secondchance version, so a run can be redone;
- `screening_result`: one row per person and pack: status, eligible_on, unmet and unknown counts;
- `screening_criterion`: one row per person, pack and criterion (groups and their members):
  met/unmet/unknown, eligible_on and the evidence (the fact values the test read, as JSON).
People outside a pack's population are not written; the run records how many there were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
from sqlglot import exp

from secondchance.errors import UserError
from secondchance.spreadsheet_safe_csv import copy_query_to_csv

__all__ = [
    "RESULTS_DDL",
    "ExportFormat",
    "almost_eligible",
    "counts_by_status",
    "ensure_results_schema",
    "export",
    "export_sql",
    "ingest_ids",
    "latest_run_id",
    "next_run_id",
    "record_run",
    "run_criteria",
]

ExportFormat = Literal["csv", "json", "parquet"]

RESULTS_DDL = (
    """CREATE TABLE IF NOT EXISTS screening_run (
    run_id BIGINT PRIMARY KEY,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    as_of DATE NOT NULL,
    engine VARCHAR NOT NULL,
    packs JSON NOT NULL,
    ingest_ids BIGINT[],
    facts VARCHAR,
    secondchance_version VARCHAR NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS screening_result (
    run_id BIGINT NOT NULL,
    pack_id VARCHAR NOT NULL,
    person_id BIGINT NOT NULL,
    source_id VARCHAR,
    status VARCHAR NOT NULL,
    eligible_on DATE,
    unmet_count INTEGER NOT NULL,
    unknown_count INTEGER NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS screening_criterion (
    run_id BIGINT NOT NULL,
    pack_id VARCHAR NOT NULL,
    person_id BIGINT NOT NULL,
    criterion_id VARCHAR NOT NULL,
    parent_id VARCHAR,
    status VARCHAR NOT NULL,
    eligible_on DATE,
    evidence JSON
)""",
)


def ensure_results_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the screening tables if they are missing."""
    for statement in RESULTS_DDL:
        connection.execute(statement)


def next_run_id(connection: duckdb.DuckDBPyConnection) -> int:
    """The id the next run will get."""
    row = connection.execute("SELECT coalesce(max(run_id), 0) + 1 FROM screening_run").fetchone()
    return int(row[0]) if row else 1


def latest_run_id(connection: duckdb.DuckDBPyConnection) -> int | None:
    """The id of the most recent run, or None when there is none."""
    row = connection.execute("SELECT max(run_id) FROM screening_run").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def ingest_ids(connection: duckdb.DuckDBPyConnection) -> list[int]:
    """The ingest loads in the store (what a run read), from `ingest_log`; empty when there is none."""
    exists = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'ingest_log' AND NOT temporary"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    return [int(row[0]) for row in connection.execute("SELECT ingest_id FROM ingest_log ORDER BY ingest_id").fetchall()]


def record_run(
    connection: duckdb.DuckDBPyConnection,
    *,
    run_id: int,
    started_at: datetime,
    finished_at: datetime,
    as_of: date,
    engine: str,
    packs: list[dict[str, Any]],
    facts: str,
) -> None:
    """Write the row of `screening_run` describing a run."""
    from secondchance import __version__

    connection.execute(
        "INSERT INTO screening_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            started_at,
            finished_at,
            as_of,
            engine,
            json.dumps(packs, default=str),
            ingest_ids(connection),
            facts,
            __version__,
        ],
    )


def counts_by_status(connection: duckdb.DuckDBPyConnection, run_id: int) -> list[tuple[str, str, int]]:
    """(pack, status, people) for a run."""
    rows = connection.execute(
        "SELECT pack_id, status, count(*) FROM screening_result WHERE run_id = ? GROUP BY ALL ORDER BY ALL",
        [run_id],
    ).fetchall()
    return [(str(pack), str(status), int(count)) for pack, status, count in rows]


def almost_eligible(
    connection: duckdb.DuckDBPyConnection, run_id: int, limit: int | None = None
) -> list[tuple[Any, ...]]:
    """(pack, person_id, source_id, eligible_on, unmet criteria) of the almost-eligible, soonest first."""
    query = """
        SELECT r.pack_id, r.person_id, r.source_id, r.eligible_on,
               string_agg(c.criterion_id, ', ' ORDER BY c.criterion_id) AS unmet
        FROM screening_result r
        JOIN screening_criterion c USING (run_id, pack_id, person_id)
        WHERE r.run_id = ? AND r.status = 'almost-eligible' AND c.status = 'unmet' AND c.parent_id IS NULL
        GROUP BY ALL ORDER BY r.eligible_on, r.pack_id, r.person_id
    """
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    return connection.execute(query, [run_id]).fetchall()


def run_criteria(connection: duckdb.DuckDBPyConnection, run_id: int) -> list[str]:
    """The criterion ids of a run's packs, each once, in pack order (from the run's record)."""
    # fetchall, not fetchone: a result left unfinished would block the next query on this connection.
    rows = connection.execute("SELECT packs FROM screening_run WHERE run_id = ?", [run_id]).fetchall()
    if not rows:
        raise UserError(f"there is no screening run {run_id}")
    ids: list[str] = []
    for pack in json.loads(rows[0][0]):
        ids += [str(criterion) for criterion in pack.get("criteria", []) if criterion not in ids]
    return ids


def _string(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def export_sql(run_id: int, criterion_ids: Sequence[str], *, almost_only: bool = False, nested: bool = False) -> str:
    """One row per person and pack: the CSV layout (`crit:<id>` columns), or criteria nested for JSON."""
    if nested:
        order = "[" + ", ".join(_string(cid) for cid in criterion_ids) + "]::VARCHAR[]"
        criteria = (
            ", list({'criterion': c.criterion_id, 'status': c.status, 'eligible_on': c.eligible_on, "
            f"'evidence': c.evidence}} ORDER BY array_position({order}, c.criterion_id)) AS criteria"
        )
    else:
        criteria = "".join(
            f", max(CASE WHEN c.criterion_id = {_string(cid)} THEN c.status END) AS {_quote('crit:' + cid)}"
            for cid in criterion_ids
        )
    where = "AND r.status = 'almost-eligible'" if almost_only else ""
    order = "r.eligible_on, r.pack_id, r.person_id" if almost_only else "r.pack_id, r.person_id"
    return f"""
        SELECT r.person_id, r.source_id, r.pack_id AS pack, r.status, r.eligible_on,
               r.unmet_count AS unmet, r.unknown_count AS unknown{criteria}
        FROM screening_result r
        JOIN screening_criterion c ON c.run_id = r.run_id AND c.pack_id = r.pack_id AND c.person_id = r.person_id
        WHERE r.run_id = {int(run_id)} {where}
        GROUP BY ALL ORDER BY {order}
    """


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def export(
    connection: duckdb.DuckDBPyConnection,
    run_id: int,
    fmt: ExportFormat,
    out: Path | None,
    *,
    almost_only: bool = False,
) -> None:
    """Write a run's results as CSV, JSON or Parquet to `out` (CSV and JSON go to standard output without one).

    CSV text cells that a spreadsheet would run as formulas are neutralised (`spreadsheet_safe_csv`).
    """
    import sys

    query = export_sql(run_id, run_criteria(connection, run_id), almost_only=almost_only, nested=fmt == "json")
    if fmt == "csv":
        copy_query_to_csv(connection, query, out)
        return
    if out is not None:
        options = {"json": "FORMAT json, ARRAY true", "parquet": "FORMAT parquet"}[fmt]
        try:
            connection.execute(f"COPY ({query}) TO {_string(str(out))} ({options})")
        except duckdb.IOException as error:
            raise UserError(
                f"{out}: cannot be written: {str(error).splitlines()[0].removeprefix('IO Error: ')}"
            ) from None
        return
    # DuckDB writes the JSON, so evidence stays nested JSON rather than a quoted string.
    row = connection.execute(
        f"SELECT '[' || coalesce(string_agg(to_json(rows)::VARCHAR, ',\n'), '') || ']' FROM ({query}) AS rows"
    ).fetchone()
    sys.stdout.write((str(row[0]) if row else "[]") + "\n")
