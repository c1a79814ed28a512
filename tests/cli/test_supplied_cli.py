"""`supply`, `decide`, `supplied list` and `withdraw` on a hand-built store: all or nothing, re-screened at once.

P1's sentence has no commencement date; supplied as 1 Mar 2010, ten years are served by 15 Jun 2024
(5,221 days, worked in tests/policy/test_supplied_screening.py), so the rule criterion is met.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from tests.cli.conftest import run_cli
from tests.policy.facts.test_query import declare_complete, person, sentence
from tests.policy.test_supplied_screening import PACK

from secondchance.records.store import open_store


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    store, pack = tmp_path / "s.duckdb", tmp_path / "supplied.yaml"
    pack.write_text(PACK, encoding="utf-8")
    with open_store(store) as connection:
        declare_complete(connection)
        for person_id, source_id in ((1, "P1"), (2, "P2")):
            person(connection, person_id, source_id, jurisdiction="us-ca", birth_date=date(1970, 1, 1))
            sentence(connection, person_id * 10, person_id, system="us-ca", sentence_type="determinate",
                     imposed_date=date(2010, 1, 1), term_months=240)  # fmt: skip
    assert run_cli("screen", "--pack", pack, "--as-of", "2024-06-15", "--store", store).code == 0
    return store, pack


def _count(store: Path, table: str) -> int:
    with duckdb.connect(str(store), read_only=True) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def test_supply_records_rescreens_and_prints_the_change(setup: tuple[Path, Path]) -> None:
    store, pack = setup
    supplied = run_cli("supply", "P1", "commencement_date=2010-03-01", "--source", "legal status summary",
                       "--ref", "3", "--reason", "custody start", "--by", "Ana", "--store", store)  # fmt: skip
    assert supplied.code == 0, supplied.stderr
    assert "recorded 1 supplied value" in supplied.stdout
    assert "P1" in supplied.stdout and "needs-information" in supplied.stdout
    # The re-screen is a run of everyone, so the latest run is still the whole population's.
    latest = "screening_result WHERE run_id = (SELECT max(run_id) FROM screening_run)"
    assert _count(store, latest) == 2
    decided = run_cli("decide", "P1", "met", "--pack", pack, "--criterion", "reviewer-agrees",
                      "--reason", "counsel's reading", "--by", "Bo", "--store", store)  # fmt: skip
    assert decided.code == 0, decided.stderr
    assert "needs-information" in decided.stdout and "eligible" in decided.stdout
    listed = json.loads(run_cli("supplied", "list", "P1", "--json", "--store", store).stdout)
    assert [(row["kind"], row["subject"], row["value"], row["state"]) for row in listed] == [
        ("fact", "commencement_date", "2010-03-01", "active"),
        ("decision", "test/supplied reviewer-agrees", "met", "active"),
    ]


def test_a_bad_value_is_refused_with_its_place_and_nothing_is_recorded(setup: tuple[Path, Path]) -> None:
    store, _ = setup
    outcome = run_cli("supply", "P1", "commencement_date=2010-03-01", "jail_credit_days=ten", "--source", "LSS",
                      "--reason", "read", "--store", store)  # fmt: skip
    assert outcome.code == 1
    assert outcome.error_lines[-1] == (
        "error: command line, argument 2, column value: 'ten' is not an integer (jail_credit_days is of type "
        "integer); nothing was recorded"
    )
    assert _count(store, "supplied_fact") == 0


def test_a_file_loads_all_or_nothing_with_file_and_line(setup: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = setup
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "person,fact,value,from,source,ref,reason,by\n"
        "P1,commencement_date,2010-03-01,,legal status summary,3,custody start,Ana\n"
        "P2,commencement_date,2010-13-01,,legal status summary,4,custody start,Ana\n",
        encoding="utf-8",
    )
    refused = run_cli("supply", "--file", answers, "--store", store)
    assert refused.code == 1
    assert refused.error_lines[-1] == (
        "error: answers.csv, line 3, column value: '2010-13-01' is not a date (expected YYYY-MM-DD) "
        "(commencement_date is of type date); nothing was recorded"
    )
    assert _count(store, "supplied_fact") == 0
    answers.write_text(answers.read_text(encoding="utf-8").replace("2010-13-01", "2010-02-01"), encoding="utf-8")
    loaded = run_cli("supply", "--file", answers, "--store", store)
    assert loaded.code == 0, loaded.stderr
    assert _count(store, "supplied_fact") == 2


def test_withdraw_keeps_history_and_rescreens(setup: tuple[Path, Path]) -> None:
    store, _ = setup
    run_cli("supply", "P1", "commencement_date=2010-03-01", "--source", "LSS", "--reason", "read", "--store", store)
    outcome = run_cli("withdraw", "1", "--reason", "another commitment", "--store", store)
    assert outcome.code == 0, outcome.stderr
    assert "withdrew answer 1" in outcome.stdout
    listed = json.loads(run_cli("supplied", "list", "--json", "--store", store).stdout)
    assert [(row["id"], row["state"], row["withdraw_reason"]) for row in listed] == [
        (1, "withdrawn", "another commitment")
    ]


def test_deciding_a_rule_criterion_is_refused(setup: tuple[Path, Path]) -> None:
    store, pack = setup
    outcome = run_cli("decide", "P1", "met", "--pack", pack, "--criterion", "served-10-years", "--reason", "r",
                      "--store", store)  # fmt: skip
    assert outcome.code == 1
    assert "is a rule criterion" in outcome.error_lines[-1]
    assert _count(store, "criterion_decision") == 0


def test_facts_show_gives_the_supplied_value(setup: tuple[Path, Path]) -> None:
    store, _ = setup
    run_cli("supply", "P1", "commencement_date=2010-03-01", "--source", "LSS", "--reason", "read", "--store", store)
    shown = json.loads(run_cli("facts", "show", "P1", "--as-of", "2024-06-15", "--json", "--store", store).stdout)
    assert (shown["commencement_date"], shown["served_days"]) == ("2010-03-01", 5221)


def test_two_values_for_one_fact_in_one_file_are_refused(setup: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = setup
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "person,fact,value,source,reason\n"
        "P1,commencement_date,2010-03-01,summary,read\n"
        "P1,commencement_date,2010-04-01,summary,read\n",
        encoding="utf-8",
    )
    refused = run_cli("supply", "--file", answers, "--store", store)
    assert refused.error_lines[-1] == (
        "error: answers.csv, line 3, column fact: 'commencement_date' gives commencement_date for this person "
        "again (also on line 2); give one value; nothing was recorded"
    )
    assert _count(store, "supplied_fact") == 0


def test_a_failed_rescreen_says_the_answers_are_recorded(setup: tuple[Path, Path]) -> None:
    store, pack = setup
    pack.unlink()  # the latest run's pack file is gone
    outcome = run_cli("supply", "P1", "commencement_date=2010-03-01", "--source", "LSS", "--reason", "r",
                      "--store", store)  # fmt: skip
    assert outcome.code == 1
    assert outcome.error_lines[-1].startswith("error: the answers are recorded, but re-screening stopped: ")
    assert _count(store, "supplied_fact") == 1
