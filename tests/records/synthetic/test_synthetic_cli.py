"""`secondchance generate` and `secondchance demo` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import STORE_WAIT_ENV


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # A wide terminal, so that Rich does not wrap table titles; a busy store is not waited for.
    environment = {**os.environ, "COLUMNS": "200", STORE_WAIT_ENV: "0"}
    return subprocess.run(
        [sys.executable, "-m", "secondchance", *args], capture_output=True, text=True, env=environment
    )


@pytest.mark.slow
def test_generate_json_counts_match_stats(tmp_path: Path) -> None:
    store = str(tmp_path / "cli.duckdb")
    generated = _run(
        "generate", "--people", "2000", "--seed", "2", "--jurisdiction", "federal", "--store", store, "--json"
    )
    assert generated.returncode == 0, generated.stderr
    report = json.loads(generated.stdout)
    assert report["people"] == 2000
    assert report["seed"] == 2
    assert report["jurisdiction"] == "federal"
    assert report["as_of"] == "2026-11-25"
    assert set(report["tables"]) == set(TABLE_NAMES)
    assert report["tables"]["person"] == 2000
    stats = _run("stats", "--json", "--store", store)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["tables"] == report["tables"]


@pytest.mark.slow
def test_demo_prints_a_population_summary(tmp_path: Path) -> None:
    result = _run("demo", "--store", str(tmp_path / "demo.duckdb"), "--people", "3000")
    assert result.returncode == 0, result.stderr
    for heading in (
        "Rows per table",
        "People by jurisdiction",
        "Current sentence by offence category",
        "Current sentence by type",
        f"Age on {date.today().isoformat()}",  # the demo screens as of today
        "Needs (latest assessment",
        "Programme seats against need",
    ):
        assert heading in result.stdout, heading
    assert "3,000" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--people", "0"), "--people must be between 1"),
        (("--people", "10", "--jurisdiction", "us-xx"), "--jurisdiction must be one of"),
        (("--people", "10", "--seed", "-3"), "--seed must be zero or positive"),
    ],
)
def test_bad_generate_arguments_exit_1_with_a_message(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = _run("generate", *args, "--store", str(tmp_path / "x.duckdb"))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_store_held_open_elsewhere_is_a_user_error(tmp_path: Path) -> None:
    store = tmp_path / "held.duckdb"
    with duckdb.connect(str(store)):
        result = _run("generate", "--people", "10", "--store", str(store))
    assert result.returncode == 1
    assert f"error: the store {store} is busy: process {os.getpid()} (" in result.stderr
    assert "Traceback" not in result.stderr
