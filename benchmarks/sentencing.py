"""Release dates for a million sentences: the bulk path against the scalar loop, side by side in one run.

1. Generates a synthetic population with about 1,000,000 sentences (761,000 people, seed 1) into a
   temporary store, or uses `--store`.
2. Bulk: `secondchance.sentencing.compute.compute_dates` (inputs, consecutive units, the federal, Missouri
   and profile SQL, and the replacement of `computed_dates`), best of `--repeats` runs, with the time of
   each step of the last run.
3. Scalar: the reference (`scalar_computed_dates`: Python aggregation and the scalar engines, one unit
   at a time) on a sample of people (`person_id % k = 0`, about `--sample` sentences), extrapolated to
   every sentence. Reading the sample's inputs from the store is timed apart and not counted.
4. Identity: on the 50,000-person demo population (`secondchance demo`, seed 1), every computed_dates
   column of every sentence against the scalar reference; prints the number of mismatches (must be 0).

Prints wall and CPU seconds, the ratio and the machine's load average (other work on the machine slows
both paths). Usage: python benchmarks/sentencing.py [--people N] [--store PATH] [--sample N] [--repeats N]
[--demo-people N]
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

from secondchance.records.synthetic.calibration import AS_OF
from secondchance.records.synthetic.generator import generate_population
from secondchance.sentencing.compute import (
    compute_dates,
    read_scalar_inputs,
    scalar_computed_dates,
    scalar_mismatches,
)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bulk(connection: duckdb.DuckDBPyConnection, as_of: date, repeats: int) -> tuple[float, float, dict[str, float]]:
    """Best of `repeats` (wall, CPU) seconds of a full `dates compute`, and the step times of the last run."""
    best_wall, best_cpu = float("inf"), float("inf")
    steps: dict[str, float] = {}
    for _ in range(repeats):
        steps = {}
        wall, cpu = time.perf_counter(), _cpu_seconds()
        compute_dates(connection, as_of, timings=steps)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, _cpu_seconds() - cpu)
    return best_wall, best_cpu, steps


def scalar(connection: duckdb.DuckDBPyConnection, as_of: date, sample: int, total: int) -> tuple[int, float, float]:
    """(sentences in the sample, seconds to read their inputs, seconds of the scalar loop over them)."""
    people = connection.execute("SELECT count(*) FROM person").fetchone()
    step = max(1, round(total / sample)) if people else 1
    started = time.perf_counter()
    members, incidents = read_scalar_inputs(connection, as_of, where=f"person_id % {step} = 0")
    reading = time.perf_counter() - started
    started = time.perf_counter()
    scalar_computed_dates(members, incidents)
    return len(members), reading, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=761_000, help="people to generate (about 1.32 sentences each)")
    parser.add_argument("--store", type=Path, help="use this store instead of generating one")
    parser.add_argument("--sample", type=int, default=20_000, help="sentences in the scalar sample")
    parser.add_argument("--repeats", type=int, default=2, help="bulk runs; the best is reported")
    parser.add_argument("--demo-people", type=int, default=50_000, help="people in the identity check (0: skip)")
    args = parser.parse_args()
    as_of = AS_OF

    with tempfile.TemporaryDirectory() as folder:
        store = args.store or Path(folder) / "sentencing.duckdb"
        if args.store is None:
            started = time.perf_counter()
            generate_population(store, args.people, seed=1, jurisdiction="mixed")
            print(f"generated {args.people:,} people in {time.perf_counter() - started:.1f} s")
        connection = duckdb.connect(str(store))
        try:
            row = connection.execute("SELECT count(*) FROM sentence").fetchone()
            total = int(row[0]) if row else 0
            print(f"sentences: {total:,} (as of {as_of.isoformat()})")
            wall, cpu, steps = bulk(connection, as_of, args.repeats)
            print(f"bulk path:   {wall:8.2f} s wall, {cpu:8.2f} s CPU (best of {args.repeats})")
            print("  steps of the last run: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in steps.items()))
            sampled, reading, loop = scalar(connection, as_of, args.sample, total)
            extrapolated = loop / max(sampled, 1) * total
            print(
                f"scalar loop: {loop:8.2f} s for a sample of {sampled:,} sentences "
                f"(reading their inputs {reading:.2f} s, not counted)"
            )
            print(f"scalar loop, extrapolated to {total:,} sentences: {extrapolated:8.1f} s")
            print(f"ratio scalar / bulk: {extrapolated / wall:.0f}x")
            print(f"bulk target: 1,000,000 sentences in at most 10 s; measured {wall / total * 1e6:.2f} s per million")
        finally:
            connection.close()

        if args.demo_people:
            demo_store = Path(folder) / "demo.duckdb"
            generate_population(demo_store, args.demo_people, seed=1, jurisdiction="mixed")
            connection = duckdb.connect(str(demo_store))
            try:
                summary = compute_dates(connection, as_of)
                compared, found = scalar_mismatches(connection, as_of)
                print(
                    f"identity on the {args.demo_people:,}-person demo population: {compared:,} sentences, "
                    f"{summary.computed:,} computed, {len(found)} mismatching cells"
                )
                for sentence, column, bulk_value, scalar_value in found[:10]:
                    print(f"  sentence {sentence}: {column} bulk {bulk_value!r} scalar {scalar_value!r}")
            finally:
                connection.close()
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
