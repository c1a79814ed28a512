"""Generator throughput: 1,000,000 synthetic people generated and stored, beside a plain DuckDB baseline.

Prints people per second and the total time of `generate_population`, and, for context, the time
DuckDB takes to write the same number of bare person rows (`CREATE TABLE ... AS SELECT ... FROM
range(n)`) into a file store, with the ratio of the two. CPU time and the load average are
printed too, because wall time on a shared machine depends on what else runs.

Usage: python benchmarks/generate.py [--people N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import duckdb

from secondchance.records.synthetic import generate_population

TARGET_SECONDS = 90.0


def baseline_seconds(path: Path, people: int) -> float:
    """Seconds to write `people` person-like rows (ids, source ids, a birth date, a sex) with plain SQL."""
    started = time.perf_counter()
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"""
            CREATE TABLE person AS
            SELECT range + 1 AS id, 'synthetic' AS source,
                   'SYN-P-' || lpad((range + 1)::VARCHAR, 8, '0') AS source_id,
                   DATE '1980-01-01' + (range % 20000)::INTEGER AS birth_date,
                   CASE WHEN range % 14 = 0 THEN 'female' ELSE 'male' END AS sex
            FROM range({people})
            """
        ).fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000, help="people to generate")
    people = parser.parse_args().people
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "generated.duckdb"
        load_before = os.getloadavg()[0]
        cpu_started = time.process_time()
        result = generate_population(store, people, seed=1)
        cpu = time.process_time() - cpu_started
        baseline = baseline_seconds(Path(folder) / "baseline.duckdb", people)
        size_mb = store.stat().st_size / 1e6
    rows = sum(result.counts.values())
    print(f"people:                  {people:,}")
    print(f"rows written, all tables: {rows:,} ({size_mb:,.0f} MB store)")
    print(f"generate + store:        {result.seconds:8.1f} s wall, {cpu:8.1f} s CPU (this process)")
    print(f"people per second:       {people / result.seconds:,.0f}")
    print(f"baseline CTAS of {people:,} bare person rows: {baseline:6.2f} s")
    print(f"ratio generate / baseline: {result.seconds / baseline:6.1f}x")
    if people == 1_000_000:
        print(
            f"target: at most {TARGET_SECONDS:.0f} s for 1,000,000 people on 2 cores -> "
            f"{'met' if result.seconds <= TARGET_SECONDS else 'NOT met'} ({result.seconds:.1f} s)"
        )
    print(f"load average at start: {load_before:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
