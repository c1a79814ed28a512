"""The screening engine on precomputed facts: the evaluation alone, then the run with and without evidence.

Builds a table of random facts for every fact of the catalogue (1,000,000 people by default, 2% of each
fact unknown) in a temporary store, then times, side by side for one pack (the clemency pack by default):

- evaluate: the pack's one SELECT (statuses, dates, every criterion) into a temporary table;
- screen, no evidence: the whole run written to `screening_result` and `screening_criterion`;
- screen, evidence: the same with the evidence JSON of every criterion.

The facts themselves are measured by benchmarks/facts.py. Prints the times, the ratios and the
machine's load average (other work on the machine slows every figure).
Usage: python benchmarks/screening_engine.py [--people N] [--pack ID]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.policy.facts import FACTS
from secondchance.policy.pack import find_pack
from secondchance.policy.parameters import values_as_of
from secondchance.policy.status import evaluation_sql

AS_OF = date(2024, 7, 1)
_RANDOM = {
    "boolean": "random() < 0.3",
    "integer": "CAST(floor(random() * 5) AS BIGINT)",
    "number": "random()",
    "date": "DATE '2004-01-01' + CAST(floor(random() * 7300) AS INTEGER)",
    "text": "'unknown'",
}
_CHOSEN = {
    "system": "CASE WHEN random() < 0.8 THEN 'federal' ELSE 'mo' END",
    "jurisdiction": "CASE WHEN random() < 0.8 THEN 'us-federal' ELSE 'us-mo' END",
    "in_custody": "random() < 0.95",
    "latest_risk_level": "['minimum', 'low', 'medium', 'high'][CAST(floor(random() * 4) AS INTEGER) + 1]",
}


def facts_table(connection: duckdb.DuckDBPyConnection, people: int) -> None:
    """One row of random facts per person, with 2% of every fact unknown."""
    columns = ", ".join(
        f"CASE WHEN random() < 0.02 THEN NULL ELSE {_CHOSEN.get(fact.name, _RANDOM[fact.type])} END AS {fact.name}"
        for fact in FACTS
    )
    connection.execute(
        f"CREATE TABLE facts AS SELECT i AS person_id, 'P' || i AS source_id, {columns} FROM range({people}) r(i)"
    )


def timed(action: object) -> float:
    assert callable(action)
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--pack", default="us-federal/clemency-2014")
    arguments = parser.parse_args()
    compiled = load_pack(find_pack(arguments.pack))
    sql = evaluation_sql(compiled, "facts", values_as_of(compiled.pack, AS_OF), AS_OF, evidence=False)
    with tempfile.TemporaryDirectory() as folder:
        connection = duckdb.connect(str(Path(folder) / "bench.duckdb"))
        facts_table(connection, arguments.people)
        connection.execute("SET preserve_insertion_order = false")
        evaluate = timed(lambda: connection.execute(f"CREATE TEMP TABLE evaluated AS {sql}"))
        screened_row = connection.execute("SELECT count(*) FROM evaluated").fetchone()
        bare = timed(lambda: screen(connection, [compiled], as_of=AS_OF, facts="facts", evidence=False))
        full = timed(lambda: screen(connection, [compiled], as_of=AS_OF, facts="facts", evidence=True))
        rows = connection.execute("SELECT count(*) FROM screening_criterion WHERE run_id = 2").fetchone()
        connection.close()
    screened = screened_row[0] if screened_row else 0
    print(
        f"{arguments.pack}: {len(compiled.all_criteria())} criteria, {arguments.people:,} people, {screened:,} screened"
    )
    print(f"  evaluate (one SELECT into a temporary table)  {evaluate:6.2f} s")
    print(f"  screen, results written, no evidence           {bare:6.2f} s  ({bare / evaluate:.1f}x evaluate)")
    print(f"  screen, results written, evidence JSON         {full:6.2f} s  ({full / bare:.2f}x without evidence)")
    print(f"  criterion rows written per run: {rows[0] if rows else 0:,}")
    print(f"  load average: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
