"""The demo runs every step: population, dates, screening and one explanation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb


def test_demo_computes_dates_screens_and_explains(tmp_path: Path) -> None:
    store = tmp_path / "demo.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "demo", "--store", str(store), "--people", "3000"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    for heading in ("Rows per table", "Computed dates for", "Screening run 1 as of 2026-11-25", "Almost eligible"):
        assert heading in result.stdout, heading
    with duckdb.connect(str(store), read_only=True) as connection:
        sentences = connection.execute("SELECT count(*) FROM sentence").fetchone()
        computed = connection.execute("SELECT count(*) FROM computed_dates").fetchone()
        packs = connection.execute("SELECT count(DISTINCT pack_id) FROM screening_result").fetchone()
    assert sentences == computed  # every sentence has its row, computed or sent to review
    assert packs is not None and packs[0] >= 3
    # The explanation names the person and lists criteria with their status.
    assert "Why person" in result.stdout or "Nobody is almost eligible" in result.stdout
