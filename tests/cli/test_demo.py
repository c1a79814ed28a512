"""The demo runs every step: population, dates, screening and one explanation."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
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
    today = date.today().isoformat()
    for heading in ("Rows per table", "Computed dates for", f"Screening run 1 as of {today}", "Almost eligible"):
        assert heading in result.stdout, heading
    # It says which date it screens as, and why.
    assert f"Screening as of {today}: today, the date every command uses unless told --as-of" in result.stdout
    # The almost-eligible list shows no date already past, and one person id: the one explain takes.
    listed = result.stdout.split("Almost eligible, soonest first")[1].split("run 1 recorded")[0]
    dates = re.findall(r"^(\d{4}-\d{2}-\d{2}) ", listed, flags=re.MULTILINE)
    assert dates and all(day >= today for day in dates), dates
    assert "source id" not in result.stdout
    assert "person: the id to give `secondchance explain PERSON --pack PACK`" in " ".join(listed.split())
    with duckdb.connect(str(store), read_only=True) as connection:
        sentences = connection.execute("SELECT count(*) FROM sentence").fetchone()
        computed = connection.execute("SELECT count(*) FROM computed_dates").fetchone()
        packs = connection.execute("SELECT count(DISTINCT pack_id) FROM screening_result").fetchone()
    assert sentences == computed  # every sentence has its row, computed or sent to review
    assert packs is not None and packs[0] >= 3
    # The explanation names the person and lists criteria with their status.
    assert "Why person" in result.stdout or "Nobody is almost eligible" in result.stdout
