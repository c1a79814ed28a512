"""`secondchance pack check`, `pack list` and `screen`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.errors import UserError
from secondchance.records.store import open_store

FIXTURES = Path(__file__).parents[1] / "policy" / "fixtures"
PACK = FIXTURES / "demo-clemency.yaml"


def invoke(*args: str | Path) -> tuple[int, str]:
    """Run the command in-process as `main` does: a UserError is exit code 1 and its message."""
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    if isinstance(result.exception, UserError):
        return 1, str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def store_with_facts(tmp_path: Path) -> tuple[Path, Path]:
    """An empty records store and a Parquet file of facts for four people."""
    store = tmp_path / "records.duckdb"
    with open_store(store):
        pass
    facts = tmp_path / "facts.parquet"
    connection = duckdb.connect()
    connection.execute(
        """
        CREATE TABLE facts AS SELECT * FROM (VALUES
            (1, 'A1', 'federal', true, 3530, DATE '2005-10-01', false, 0),
            (2, 'A2', 'federal', true, 3700, DATE '2005-10-01', false, NULL),
            (3, 'A3', 'federal', true, 2000, DATE '2010-01-01', false, 0),
            (4, 'A4', 'mo', true, 5000, DATE '2001-01-01', false, 0)
        ) AS t(person_id, source_id, system, in_custody, served_days, commencement_date,
               has_violent_prior_offense, violent_incidents_this_term)
        """
    )
    connection.execute(f"COPY facts TO '{facts}' (FORMAT parquet)")
    return store, facts


def test_pack_check_ok() -> None:
    code, output = invoke("pack", "check", PACK)
    assert (code, output.strip()) == (0, f"{PACK}: ok")


def test_pack_check_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "clemency.yaml"
    text = PACK.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("test: served_days", "test: serverd_days").replace("source: doj-2014\n", "source: doj-2041\n", 1)
    )
    code, output = invoke("pack", "check", bad)
    assert code == 1
    assert output.splitlines() == [
        f"{bad}, line 22, criterion served-10-years, test: unknown fact 'serverd_days'; "
        "did you mean 'served_days', 'served_years' or 'served_from_date'?",
        f"{bad}, line 25, criterion served-10-years, source: unknown source 'doj-2041'; did you mean 'doj-2014'?",
        "error: 1 of 1 pack(s) have problems",
    ]


def test_pack_check_of_a_missing_file() -> None:
    assert invoke("pack", "check", "no/such/pack.yaml") == (1, "no pack file at no/such/pack.yaml")


def test_pack_check_of_an_unknown_id_suggests_close_ids() -> None:
    code, message = invoke("pack", "check", "us-federal/clemency-2041")
    assert code == 1
    assert message == "no pack with id 'us-federal/clemency-2041'; did you mean us-federal/clemency-2014?"


def test_pack_list_shows_the_shipped_packs() -> None:
    code, output = invoke("pack", "list", "--json")
    assert code == 0
    assert '"id": "us-federal/clemency-2014"' in output
    assert "later-statutory-changes" not in output  # a data table beside a pack, not a pack


def test_screen_csv(store_with_facts: tuple[Path, Path], tmp_path: Path) -> None:
    store, facts = store_with_facts
    out = tmp_path / "out.csv"
    code, _ = invoke(
        "screen",
        "--pack",
        PACK,
        "--as-of",
        "2015-06-01",
        "--facts",
        facts,
        "--store",
        store,
        "--format",
        "csv",
        "--out",
        out,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["source_id"], row["status"], row["eligible_on"]) for row in rows] == [
        ("A1", "almost-eligible", "2015-10-01"),
        ("A2", "needs-information", ""),
        ("A3", "ineligible", "2020-01-01"),
    ]
    assert rows[0]["crit:served-10-years"] == "unmet"


def test_screen_table_prints_counts_and_the_almost_eligible(store_with_facts: tuple[Path, Path]) -> None:
    store, facts = store_with_facts
    code, output = invoke("screen", "--pack", PACK, "--as-of", "2015-06-01", "--facts", facts, "--store", store)
    assert code == 0
    assert "Screening run 1 as of 2015-06-01 (4 people)" in output
    assert "2015-10-01" in output and "A1" in output


def test_screen_refuses_bad_requests(store_with_facts: tuple[Path, Path]) -> None:
    store, facts = store_with_facts
    assert invoke("screen", "--store", store) == (1, "say which packs: --pack ID (repeatable) or --all")
    assert invoke("screen", "--pack", PACK, "--as-of", "June", "--store", store) == (
        1,
        "--as-of 'June' is not a date like YYYY-MM-DD",
    )
    assert invoke("screen", "--pack", PACK, "--format", "parquet", "--store", store) == (
        1,
        "--format parquet needs --out PATH",
    )
    assert invoke("screen", "--pack", PACK, "--engine", "oracle", "--store", store) == (
        1,
        "--engine 'oracle': available engines are duckdb, spark",
    )


@pytest.mark.slow
def test_a_bad_pack_exits_1_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.read_text(encoding="utf-8").replace("kind: proxy", "kind: maybe"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "pack", "check", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"{bad}, line 29, criterion no-violence-history, kind: `kind` must be rule, proxy or judgement" in result.stdout
    )


def test_screen_with_unreadable_facts(store_with_facts: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = store_with_facts
    broken = tmp_path / "broken.parquet"
    broken.write_text("not parquet", encoding="utf-8")
    code, message = invoke("screen", "--pack", PACK, "--facts", broken, "--store", store)
    assert code == 1
    assert message.startswith("screening stopped: ")
