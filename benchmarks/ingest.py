"""Validated ingest against a plain DuckDB `read_csv`, side by side on the same files.

Builds a 1,000,000-row person CSV and a 5,000,000-row charge CSV (with the sentences the charges
refer to) in a temporary folder, then times, for each file:

- plain: `CREATE TABLE t AS SELECT * FROM read_csv(file)` into a new DuckDB file;
- ours: `records.ingest.load_files` (every check of docs/ingest.md, references, ingest log,
  checksum) into a new records store that holds only what the file refers to.

Each side runs `--repeat` times (default 3) alternately and the best time counts, so that a
burst of other work on the machine does not decide the ratio.

Target: ours at most 3x plain. Usage: python benchmarks/ingest.py [--people N] [--charges N] [--repeat N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from secondchance.records.ingest import load_files
from secondchance.records.store import open_store

TARGET_RATIO = 3.0


def write_files(folder: Path, people: int, charges: int) -> dict[str, Path]:
    """Write valid person, sentence (one per person) and charge CSV files; returns their paths.

    The person and charge files carry every column of their table, as a complete export does,
    so both sides write the same data and the ratio measures the checks.
    """
    paths = {name: folder / f"{name}.csv" for name in ("person", "sentence", "charge")}
    connection = duckdb.connect()
    connection.execute(
        f"""
        COPY (
            SELECT 'P' || i AS source_id,
                   CASE WHEN i % 2 = 0 THEN 'federal' ELSE 'us-mo' END AS jurisdiction,
                   'Person ' || i AS name,
                   DATE '1950-01-01' + CAST(i % 18000 AS INTEGER) AS birth_date,
                   1950 + CAST(i % 18000 AS INTEGER) // 365 AS birth_year,
                   (['female', 'male', 'Male', 'Female'])[1 + i % 4] AS sex,
                   (['white', 'black', 'hispanic', 'asian', 'other'])[1 + i % 5] AS race,
                   (['none', 'high_school', 'GED', 'some college'])[1 + i % 4] AS education_level,
                   CASE WHEN i % 3 = 0 THEN 'true' ELSE 'false' END AS has_diploma,
                   CASE WHEN i % 50 = 0 THEN 'true' ELSE 'false' END AS final_order_of_removal,
                   (['en', 'es'])[1 + i % 2] AS primary_language,
                   'County ' || (i % 115) AS release_area
            FROM range({people}) r(i)
        ) TO '{paths["person"]}' (HEADER)
        """
    )
    connection.execute(
        f"""
        COPY (
            SELECT 'S' || i AS source_id, 'P' || i AS person_source_id,
                   CASE WHEN i % 2 = 0 THEN 'federal' ELSE 'us-mo' END AS system,
                   'determinate' AS sentence_type,
                   DATE '2000-01-01' + CAST(i % 7000 AS INTEGER) AS imposed_date,
                   DATE '2000-02-01' + CAST(i % 7000 AS INTEGER) AS commencement_date,
                   12 + i % 400 AS term_months, i % 200 AS jail_credit_days
            FROM range({people}) r(i)
        ) TO '{paths["sentence"]}' (HEADER)
        """
    )
    connection.execute(
        f"""
        COPY (
            SELECT 'C' || i AS source_id, 'S' || (i % {people}) AS sentence_source_id,
                   '21 USC 841(a)(1)' AS statute, 'Distribution of a controlled substance' AS description,
                   (['violent', 'drug', 'property', 'Public Order', 'weapon'])[1 + i % 5] AS offense_category,
                   (['A felony', 'B felony', 'C felony'])[1 + i % 3] AS offense_class,
                   DATE '1999-01-01' + CAST(i % 7000 AS INTEGER) AS offense_date,
                   1 + i % 3 AS counts, 6 + i % 120 AS term_months,
                   (['principal', 'concurrent', 'consecutive'])[1 + i % 3] AS relationship,
                   (['none', 'minor', 'manager_supervisor', 'leader_organizer'])[1 + i % 4] AS role,
                   CASE WHEN i % 11 = 0 THEN 'true' ELSE 'false' END AS death_or_injury_resulted,
                   CASE WHEN i % 7 = 0 THEN 'true' ELSE 'false' END AS weapon_involved,
                   CASE WHEN i % 5 = 0 THEN 'true' ELSE 'false' END AS dangerous_felony,
                   CASE WHEN i % 9 = 0 THEN '2D1.1(b)(1)' END AS enhancements
            FROM range({charges}) r(i)
        ) TO '{paths["charge"]}' (HEADER)
        """
    )
    connection.close()
    return paths


def time_plain(path: Path, store: Path) -> float:
    """Seconds for a plain CREATE TABLE AS SELECT * FROM read_csv of the file."""
    connection = duckdb.connect(str(store))
    started = time.perf_counter()
    connection.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def time_ours(table_name: str, path: Path, store: Path, prerequisites: list[tuple[str, Path]]) -> float:
    """Seconds for the validated ingest of the file, after loading (untimed) what it refers to."""
    with open_store(store) as connection:
        for name, prerequisite in prerequisites:
            load_files(connection, name, [prerequisite], source="bench")
        started = time.perf_counter()
        report = load_files(connection, table_name, [path], source="bench")
        elapsed = time.perf_counter() - started
        assert report.rows_loaded == report.rows_read, "the benchmark files are valid"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--charges", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="secondchance-bench-") as temp:
        folder = Path(temp)
        started = time.perf_counter()
        paths = write_files(folder, args.people, args.charges)
        print(
            f"wrote {args.people:,} people, {args.people:,} sentences, {args.charges:,} charges "
            f"in {time.perf_counter() - started:.1f} s"
        )
        print(f"{'file':<12} {'rows':>11} {'plain read_csv':>15} {'validated ingest':>17} {'ratio':>7}")
        worst = 0.0
        cases = [
            ("person", args.people, []),
            ("charge", args.charges, [("person", paths["person"]), ("sentence", paths["sentence"])]),
        ]
        for name, rows, prerequisites in cases:
            plains, ourses = [], []
            for attempt in range(args.repeat):
                plains.append(time_plain(paths[name], folder / f"plain-{name}-{attempt}.duckdb"))
                ourses.append(time_ours(name, paths[name], folder / f"ours-{name}-{attempt}.duckdb", prerequisites))
                (folder / f"plain-{name}-{attempt}.duckdb").unlink()
                (folder / f"ours-{name}-{attempt}.duckdb").unlink()
            plain, ours = min(plains), min(ourses)
            ratio = ours / plain
            worst = max(worst, ratio)
            print(f"{name + '.csv':<12} {rows:>11,} {plain:>13.2f} s {ours:>15.2f} s {ratio:>6.2f}x")
        verdict = "met" if worst <= TARGET_RATIO else "NOT met"
        print(f"target: validated ingest at most {TARGET_RATIO:.0f}x plain read_csv: {verdict} (worst {worst:.2f}x)")


if __name__ == "__main__":
    main()
