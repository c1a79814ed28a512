"""The sandbox pack SQL runs in: an empty, locked DuckDB that reaches nothing but the facts it is given.

These tests talk to the sandbox directly, as a compiler fault would: whatever SQL reaches it cannot
read a file, attach a database, load an extension, change its own settings or see Python's variables;
a run over a store is one transaction; and a pack that runs too long is stopped.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from tests.policy.helpers import compile_fixture, criterion_yaml, facts_table, pack_yaml, write_pack

from secondchance.policy.engine import screen
from secondchance.policy.sandbox import PackFailed, PackTimeout, Sandbox

SECRET = "not for a pack to read"


@pytest.fixture
def sandbox() -> Sandbox:
    box = Sandbox()
    box.load("screening_facts", pa.table({"person_id": [1, 2], "age_years": [30, 60]}))
    return box


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("SELECT * FROM read_text('{secret}')", "file system operations are disabled"),
        ("SELECT * FROM read_csv('{secret}')", "file system operations are disabled"),
        ("SELECT * FROM glob('{folder}/*')", "file system operations are disabled"),
        ("ATTACH '{folder}/other.duckdb' AS other", "file system operations are disabled"),
        ("COPY (SELECT 1) TO '{folder}/out.csv'", "file system operations are disabled"),
        ("INSTALL httpfs", "disabled"),
        ("LOAD httpfs", "Loading external extensions is disabled"),
        ("SET enable_external_access = true", "the configuration has been locked"),
        ("SET lock_configuration = false", "the configuration has been locked"),
        ("SET temp_directory = '{folder}'", "the configuration has been locked"),
        ("SELECT * FROM python_secret", "does not exist"),
    ],
)
def test_the_sandbox_refuses_what_reaches_beyond_the_facts(
    sandbox: Sandbox, tmp_path: Path, statement: str, refusal: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    python_secret = pa.table({"text": [SECRET]})  # noqa: F841 - a variable a replacement scan would find
    with pytest.raises(PackFailed) as raised:
        sandbox.run(statement.format(secret=secret, folder=tmp_path))
    assert refusal in str(raised.value)
    assert SECRET not in str(raised.value)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_the_sandbox_settings_are_locked_off(sandbox: Sandbox) -> None:
    rows = sandbox.run(
        "SELECT name, value FROM duckdb_settings() WHERE name IN "
        "('enable_external_access', 'autoinstall_known_extensions', 'autoload_known_extensions', "
        "'allow_community_extensions', 'python_enable_replacements', 'allowed_directories', 'lock_configuration')"
    ).to_pylist()
    settings = {row["name"]: row["value"] for row in rows}
    assert settings == {
        "enable_external_access": "false",
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "allow_community_extensions": "false",
        "python_enable_replacements": "false",
        "allowed_directories": "[]",
        "lock_configuration": "true",
    }


def test_the_sandbox_reads_the_facts_it_is_given(sandbox: Sandbox) -> None:
    assert sandbox.run("SELECT sum(age_years) AS total FROM screening_facts").to_pylist() == [{"total": 90}]


def test_a_statement_past_its_time_limit_is_stopped() -> None:
    with Sandbox(seconds=0.0) as sandbox, pytest.raises(PackTimeout, match="ran longer than its limit"):
        sandbox.run("SELECT count(*) FROM range(10000000000) AS a, range(1000) AS b", label="pack slow")


def _pack(tmp_path: Path, test: str, name: str = "pack.yaml") -> Path:
    return write_pack(tmp_path, pack_yaml(criterion_yaml("only", test), pack_id="test/sandbox"), name)


def _run_count(connection: duckdb.DuckDBPyConnection) -> int:
    tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "screening_run" not in tables:
        return 0
    row = connection.execute("SELECT count(*) FROM screening_run").fetchone()
    return int(row[0]) if row else 0


def test_a_pack_that_fails_on_the_data_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    good = compile_fixture(_pack(tmp_path, "age_years > 1", "good.yaml"))
    # Allowed for facts up to limits.MAX_FACT_NUMBER; a fact far beyond it overflows when DuckDB evaluates it.
    failing = compile_fixture(_pack(tmp_path, "age_years * age_years > 0", "failing.yaml"))
    connection = duckdb.connect(str(tmp_path / "store.duckdb"))
    facts_table(connection, [{"age_years": 30}, {"age_years": 60}])
    screen(connection, [good], as_of=date(2024, 7, 1), facts="facts")
    before = connection.execute("SELECT count(*) FROM screening_result").fetchone()
    connection.execute("UPDATE facts SET age_years = 5000000000 WHERE person_id = 2")
    with pytest.raises(PackFailed) as failed:
        screen(connection, [good, failing], as_of=date(2024, 7, 1), facts="facts")
    assert str(failed.value) == (
        "pack test/sandbox could not be evaluated on these facts: Out of Range Error: Overflow in "
        "multiplication of INT64; nothing was written"
    )
    assert _run_count(connection) == 1
    assert connection.execute("SELECT count(*) FROM screening_result").fetchone() == before


def test_a_pack_past_its_time_limit_is_stopped_and_nothing_is_written(tmp_path: Path) -> None:
    compiled = compile_fixture(_pack(tmp_path, "age_years % 7 = 3"))
    connection = duckdb.connect(str(tmp_path / "store.duckdb"))
    connection.execute(
        "CREATE TABLE facts AS SELECT range AS person_id, CAST(range AS VARCHAR) AS source_id, "
        "CAST(range % 90 AS BIGINT) AS age_years FROM range(3000000)"
    )
    with pytest.raises(PackTimeout, match="pack test/sandbox ran longer than its limit"):
        screen(connection, [compiled], as_of=date(2024, 7, 1), facts="facts", seconds=0.0, evidence=False)
    assert _run_count(connection) == 0
