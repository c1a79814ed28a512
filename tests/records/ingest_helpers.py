"""Helpers shared by the ingest tests: running the CLI and reading the whole store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m secondchance ARGS` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "secondchance", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(store: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, sorted, to compare a store before and after."""
    if not store.exists():
        return {}
    connection = duckdb.connect(str(store), read_only=True)
    try:
        names = [
            str(row[0])
            for row in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_name"
            ).fetchall()
        ]
        return {name: sorted(connection.execute(f"SELECT * FROM {name}").fetchall(), key=repr) for name in names}
    finally:
        connection.close()


def write(path: Path, text: str) -> Path:
    """Write a small text file (CSV) and return its path."""
    path.write_text(text, encoding="utf-8")
    return path
