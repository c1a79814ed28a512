"""Batch letters: N PDF letters and their combined PDF from a stored screening run, timed.

Uses the demo population (50,000 people, seed 1, screened as of the population's reference date) in
a temporary store, or `--store` (which must hold a run of the pack). Takes the first N people of the
run in status order (eligible, almost eligible, needs information, not eligible; then source id),
writes one PDF letter each and the combined PDF exactly as `explain --status ... --format pdf` does
(`policy.letters.batch.write_letters`), and prints the seconds, letters per second, pages and the
CPU seconds this process and its workers used (what the letters cost, whatever else runs) and the
machine's load average (other work on the machine slows the wall-clock time).
Usage: python benchmarks/letters.py [--letters N] [--jobs J] [--pack ID] [--lang en|es] [--paper letter|a4]
       [--store PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.policy.explain import PersonRef
from secondchance.policy.letters.batch import BatchRequest, write_letters
from secondchance.policy.letters.sender import Sender
from secondchance.policy.pack import find_pack
from secondchance.records.store import open_store
from secondchance.records.synthetic.calibration import AS_OF
from secondchance.records.synthetic.generator import generate_population

DEMO_PEOPLE, DEMO_SEED = 50_000, 1
SENDER = Sender("Second Chance Legal Aid", "Case worker", ("100 Main Street", "Springfield, IL 62701"), "555-0100")


def demo_store(folder: Path, pack: str) -> Path:
    """The demo population, screened against the pack as of its reference date."""
    store = folder / "demo.duckdb"
    generate_population(store, DEMO_PEOPLE, DEMO_SEED, "mixed")
    with open_store(store) as connection:
        screen(connection, [load_pack(find_pack(pack))], as_of=AS_OF)
    return store


def first_people(store: Path, pack_id: str, count: int) -> tuple[int, date, list[PersonRef]]:
    """The latest run of the pack and its first `count` people by status, then source id."""
    with open_store(store, read_only=True) as connection:
        run = connection.execute("SELECT max(run_id) FROM screening_result WHERE pack_id = ?", [pack_id]).fetchone()
        if run is None or run[0] is None:
            raise SystemExit(f"{store} holds no run of {pack_id}")
        as_of = connection.execute("SELECT as_of FROM screening_run WHERE run_id = ?", [run[0]]).fetchone()
        rows = connection.execute(
            "SELECT p.id, p.source, p.source_id FROM screening_result r JOIN person p ON p.id = r.person_id "
            "WHERE r.run_id = ? AND r.pack_id = ? ORDER BY array_position(?, r.status), p.source_id LIMIT ?",
            [run[0], pack_id, ["eligible", "almost-eligible", "needs-information", "ineligible"], count],
        ).fetchall()
    assert as_of is not None
    return int(run[0]), as_of[0], [PersonRef(int(pid), str(src), str(sid)) for pid, src, sid in rows]


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pack", default="us-federal/clemency-2014")
    parser.add_argument("--lang", default="en", choices=("en", "es"))
    parser.add_argument("--paper", default="letter", choices=("letter", "a4"))
    parser.add_argument("--store", type=Path)
    parser.add_argument("--out", type=Path, help="keep the letters here (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        clock = time.perf_counter()
        store = args.store or demo_store(folder, args.pack)
        if args.store is None:
            print(f"demo population ({DEMO_PEOPLE:,} people, seed {DEMO_SEED}) in {time.perf_counter() - clock:.1f} s")
        pack_path = find_pack(args.pack)
        run_id, as_of, people = first_people(store, load_pack(pack_path).pack.id, args.letters)
        request = BatchRequest(
            store=store,
            pack_path=pack_path,
            status="any",
            out=args.out or folder / "letters",
            fmt="pdf",
            as_of=as_of,
            language=args.lang,
            sender=SENDER,
            paper=args.paper,
            dated=as_of,
            jobs=args.jobs,
        )
        clock, cpu = time.perf_counter(), _cpu_seconds()
        result = write_letters(request, run_id, as_of, people, lambda done: None)
        seconds, cpu = time.perf_counter() - clock, _cpu_seconds() - cpu
        size = result.combined.stat().st_size if result.combined else 0
    print(
        f"{result.letters:,} letters ({args.lang}, {args.paper}) and the combined PDF "
        f"({result.combined_pages:,} pages, {size / 2**20:.1f} MiB) with {args.jobs} jobs: "
        f"{seconds:.1f} s, {result.letters / seconds:.1f} letters per second"
    )
    load = os.getloadavg()[0]
    print(f"CPU {cpu:.1f} s (this process and its workers); load average {load:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
