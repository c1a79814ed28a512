"""The facts view against a floor query, side by side on the same synthetic population.

Generates a population (1,000,000 people by default) into a temporary store, or uses `--store`, then
times, into a temporary table each:

- floor: one GROUP BY person_id over each table the facts read (a count per table), left-joined to
  `person`: the least any per-person view over these tables must do;
- facts: `policy.facts.facts_query` (every fact of the catalogue).

When `computed_dates` is empty (no `dates compute` run yet), it is filled with one stand-in row per
sentence (full term from the commencement date), so that the cost of reading it is measured too.
Prints the times, the ratio and the machine's load average (other work on the machine slows both).
Usage: python benchmarks/facts.py [--people N] [--store PATH] [--as-of YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from secondchance.policy.facts import ensure_fact_inputs, facts_query
from secondchance.records.synthetic.generator import generate_population

_TABLES = ("sentence", "charge", "custody_period", "assessment", "incident", "enrollment", "computed_dates")


def floor_query() -> str:
    """One aggregate per table, joined to person: a lower bound for the facts view."""
    ctes = ",\n".join(f"{t} AS (SELECT person_id, count(*) AS n FROM {t} GROUP BY person_id)" for t in _TABLES)
    joins = "\n".join(f"LEFT JOIN {t} ON {t}.person_id = p.id" for t in _TABLES)
    columns = ", ".join(f"{t}.n AS {t}_rows" for t in _TABLES)
    return f"WITH {ctes}\nSELECT p.id, p.source_id, {columns} FROM person AS p\n{joins}"


STAND_IN_DATES = """
INSERT INTO computed_dates (sentence_id, person_id, system, commencement_date, full_term_date, release_date,
    projected_release_date, ftc_days, computed_at)
SELECT id, person_id, system, commencement_date, end_date, end_date - 30, end_date - 60, 100, now()
FROM (
    SELECT *, CAST(commencement_date + to_months(CAST(term_months AS INTEGER)) AS DATE) AS end_date FROM sentence
)
"""


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(connection: duckdb.DuckDBPyConnection, sql: str, repeats: int = 3) -> tuple[float, float]:
    """Best of `repeats` (wall seconds, CPU seconds) to materialise a query into a temporary table.

    CPU seconds are what the query costs whatever else runs on the machine; the first run also reads
    the store from disk.
    """
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        started, cpu = time.perf_counter(), _cpu_seconds()
        connection.execute(f"CREATE OR REPLACE TEMP TABLE bench AS {sql}")
        best_wall = min(best_wall, time.perf_counter() - started)
        best_cpu = min(best_cpu, _cpu_seconds() - cpu)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today())
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = arguments.store
        if store is None or not store.exists():
            store = store or Path(folder) / "population.duckdb"
            started = time.perf_counter()
            generate_population(store, arguments.people, seed=7)
            print(f"generated {arguments.people:,} people in {time.perf_counter() - started:.1f} s")
        connection = duckdb.connect(str(store))
        connection.execute("SET threads = 2")
        ensure_fact_inputs(connection)
        dates = connection.execute("SELECT count(*) FROM computed_dates").fetchone()
        if dates is not None and dates[0] == 0:
            connection.execute(STAND_IN_DATES)
            print("computed_dates was empty: filled with one stand-in row per sentence")
        people = connection.execute("SELECT count(*) FROM person").fetchone()
        floor = timed(connection, floor_query())
        facts = timed(connection, facts_query(arguments.as_of))
        columns = len(connection.execute("DESCRIBE bench").fetchall())
        connection.close()
    load = os.getloadavg()[0]
    print(f"people: {people[0] if people else 0:,}; fact columns: {columns - 3}; load average: {load:.1f}")
    print("best of 3          wall s    CPU s (2 threads)")
    print(f"floor (one count per table): {floor[0]:6.2f}   {floor[1]:6.2f}")
    print(f"facts (full catalogue):      {facts[0]:6.2f}   {facts[1]:6.2f}")
    print(f"ratio facts/floor:           {facts[0] / floor[0]:6.1f}x  {facts[1] / floor[1]:6.1f}x")


if __name__ == "__main__":
    main()
