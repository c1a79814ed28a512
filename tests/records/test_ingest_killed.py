"""An ingest killed in the middle of its transaction leaves the store as it was, however often it happens."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tests.records.ingest_helpers import snapshot, write

from secondchance.records.ingest import load_files
from secondchance.records.store import open_store, table_counts

# Loads enough people that DuckDB writes their row groups into the file before the commit, then
# stops inside the transaction, once the people are written and before the sentences are.
CHILD = """
import sys, time
import polars as pl
from secondchance.records.ingest import load_frames
from secondchance.records.store import open_store

rows = int(sys.argv[2])
people = pl.DataFrame({"source_id": [f"K{i}" for i in range(rows)], "name": [f"Name {i}" for i in range(rows)]})
sentences = pl.DataFrame({"source_id": ["S1"], "person_source_id": ["K1"], "system": ["federal"]})

def progress(step):
    if step == "loading sentence":
        print("inside the transaction", flush=True)
        time.sleep(3600)

with open_store(sys.argv[1]) as connection:
    load_frames(connection, {"person": people, "sentence": sentences}, adapter="killed", progress=progress)
"""
ROWS = 300_000  # more than two of DuckDB's row groups (122,880 rows)


def kill_mid_load(store: Path) -> None:
    """Start the load in a child process and kill it (SIGKILL) once it says it is inside the transaction."""
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store), str(ROWS)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        watchdog = threading.Timer(300, child.kill)  # a child that never gets there must not hang the suite
        watchdog.start()
        try:
            assert child.stdout.readline().strip() == "inside the transaction"
        finally:
            watchdog.cancel()
        child.kill()
    assert child.returncode == -9


@pytest.mark.slow
def test_a_killed_ingest_leaves_the_store_as_it_was_and_the_file_bounded(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        load_files(connection, "person", [write(tmp_path / "people.csv", "source_id,sex\nP1,female\nP2,male\n")])
    before, empty_size = snapshot(store), store.stat().st_size
    sizes = []
    for _ in range(4):
        kill_mid_load(store)
        assert snapshot(store) == before
        sizes.append(store.stat().st_size)
    # The first kill leaves the blocks it wrote in the file; later loads reuse them rather than add
    # theirs, so four kills leave about what one left (four loads' worth would be the unbounded case).
    one_load = sizes[0] - empty_size
    assert one_load > 0
    assert sizes[-1] <= empty_size + 1.5 * one_load
    with open_store(store) as connection:
        load_files(connection, "person", [write(tmp_path / "more.csv", "source_id,sex\nP3,female\n")])
        assert table_counts(connection)["person"] == 3
