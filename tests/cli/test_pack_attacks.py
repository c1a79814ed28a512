"""The attacks first reported against the rule language, run through the real `secondchance` command.

A pack that reads /etc/passwd through a function argument, leaks it bit by bit through a CASE, or
calls a JVM method on Spark: `pack check` refuses each with its file, line and criterion, `screen`
refuses it before anything runs, nothing of the file reaches the output, and the store is unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from tests.policy.helpers import criterion_yaml, pack_yaml

from secondchance.records.synthetic.generator import generate_population

FLOOR = "this form of FLOOR is not allowed in a pack expression; write floor(x)"
SUBQUERY = "subqueries are not allowed: a pack expression reads only facts and :parameters"
ATTACKS = {
    "function argument": (
        "floor(age_years, CAST((SELECT content FROM read_text('/etc/passwd')) AS INT)) > 0",
        FLOOR,
    ),
    "bit by bit": (
        "CASE WHEN (SELECT substr(content, 1, 1) FROM read_text('/etc/passwd')) = 'r' THEN TRUE END",
        SUBQUERY,
    ),
    "trim characters": (
        "trim(sex, (SELECT content FROM read_text('/etc/passwd'))) = 'x'",
        "this form of TRIM is not allowed in a pack expression; write trim(text)",
    ),
    "jvm on spark": ("floor(age_years, reflect('java.lang.Thread', 'sleep', 100000)) > 0", FLOOR),
}
PASSWD_WORDS = ("root:", "/bin/bash", "nologin")


def _secondchance(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "secondchance", *(str(arg) for arg in args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attacks") / "records.duckdb"
    generate_population(path, 50, seed=3)
    return path


def _store_state(path: Path) -> tuple[tuple[str, int], ...]:
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        counts = []
        for table in tables:
            row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            counts.append((table, int(row[0]) if row else 0))
    return tuple(counts)


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_an_attack_is_refused_by_pack_check_and_by_screen(store: Path, tmp_path: Path, attack: str) -> None:
    pack = tmp_path / "evil.yaml"
    test, reason = ATTACKS[attack]
    pack.write_text(pack_yaml(criterion_yaml("c1", test), pack_id="evil/pack"))
    checked = _secondchance("pack", "check", pack)
    assert checked.returncode == 1
    assert checked.stdout.splitlines() == [f"{pack}, line 14, criterion c1, test: {reason}"]
    before = _store_state(store)
    out = tmp_path / "results.csv"
    screened = _secondchance("screen", "--pack", pack, "--store", store, "--format", "csv", "--out", out)
    assert screened.returncode == 1
    assert "Traceback" not in screened.stderr
    assert not out.exists()
    for word in PASSWD_WORDS:
        assert word not in checked.stdout + checked.stderr + screened.stdout + screened.stderr
    assert _store_state(store) == before
