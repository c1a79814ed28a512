"""`secondchance dates missouri` and `dates profile`, run as a person would run them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.sentencing.conftest import run_dates


def test_the_installed_command_exits_1_with_one_line_and_no_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "secondchance", "dates", "missouri", "--start", "2020-01-01", "--term", "5x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "error: --term '5x' is not a term like 24m, 10y, 366d or 12m1d"


def test_missouri_json_has_the_dates_and_a_timeline() -> None:
    done = run_dates(
        "missouri", "--start", "2020-01-01", "--term", "10y", "--prior-commitments", "1",
        "--birth-date", "1953-03-01", "--jail-credit", "0", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["full_term_date"] == "2029-12-31"
    assert data["parole_eligibility_date"] == "2023-03-01"  # age-70 alternative, RSMo 558.019.2(1)
    assert data["conditional_release_date"] == "2026-12-31"
    assert [step["label"] for step in data["timeline"]][0] == "start"


def test_missouri_dangerous_life_has_null_conditional_release() -> None:
    done = run_dates("missouri", "--start", "2020-01-01", "--term", "life", "--dangerous", "--json")
    data = json.loads(done.stdout)
    assert data["conditional_release_date"] is None
    assert data["full_term_date"] is None
    assert data["parole_eligibility_date"] == "2045-07-01"


def test_missouri_table_output_shows_dates_and_timeline() -> None:
    done = run_dates("missouri", "--start", "2020-01-01", "--term", "6y")
    assert done.returncode == 0, done.stderr
    assert "2023-12-31" in done.stdout and "Timeline" in done.stdout and "558.011.4(1)(a)" in done.stdout


def test_missouri_drug_offence_outside_the_list_gets_the_boards_share() -> None:
    # 14 CSR 80-2.010(1)(A): 15% of 1,461 days (4 years from 2020-01-01) = 219 days -> 2020-08-06
    done = run_dates(
        "missouri", "--start", "2020-01-01", "--term", "4y", "--prior-commitments", "1", "--not-listed",
        "--drug", "--felony-class", "d", "--offense-date", "2019-10-01", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["parole_eligibility_date"], data["parole_basis"]) == ("2020-08-06", "14 CSR 80-2.010(1)(A) 15%")


def test_missouri_table_shows_a_review_reason() -> None:
    # a fourth commitment: conditional release not established (RSMo 558.011.4(1))
    done = run_dates("missouri", "--start", "2020-01-01", "--term", "6y", "--prior-commitments", "3")
    assert done.returncode == 0, done.stderr
    assert "CONDITIONAL_RELEASE_UNCERTAIN" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2020-01-01", "--term", "5y", "--felony-class", "F"), "--felony-class 'F' is not one of"),
        (("--start", "2020-01-01", "--term", "5y", "--offense-date", "2021-01-01"), "after --start"),
        (("--start", "2020-01-01", "--term", "5x"), "term '5x'"),
        (("--start", "2020-02-30", "--term", "5y"), "--start '2020-02-30' is not a date"),
        (("--start", "2020-01-01", "--term", "5y", "--birth-date", "2021-01-01"), "after --start"),
        (("--start", "2020-01-01", "--term", "5y", "--jail-credit", "-3"), "cannot be negative"),
        (("--start", "2020-01-01", "--term", "30d", "--jail-credit", "40"), "CONFLICTING_CREDITS"),
    ],
)
def test_missouri_bad_input_is_one_line_and_exit_code_1(args: tuple[str, ...], message: str) -> None:
    done = run_dates("missouri", *args)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_profile_louisiana_json() -> None:
    done = run_dates(
        "profile", "--jurisdiction", "us-la", "--offense-date", "2018-03-01", "--start", "2019-01-01",
        "--term", "10y", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["parole_eligibility_date"] == "2021-07-01"  # R.S. 15:574.4(A)(1)(a), 25%
    assert data["release_date"] == "2022-07-01"  # R.S. 15:571.3(B)(1)(a), 13 days per 7
    assert data["rule_profile"] == "us-la@2017-11"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--jurisdiction", "us-xx", "--offense-date", "2018-03-01"), "no profile 'us-xx'"),
        (("--jurisdiction", "us-la", "--offense-date", "2020-03-01"), "after --start"),
        (("--jurisdiction", "us-la", "--offense-date", "2010-03-01"), "NO_PROFILE_FOR_DATE"),
    ],
)
def test_profile_bad_input_is_exit_code_1(args: tuple[str, ...], message: str) -> None:
    done = run_dates("profile", *args, "--start", "2019-01-01", "--term", "10y")
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["missouri", "profile"])
def test_every_option_of_the_state_commands_is_in_the_docs(command: str) -> None:
    import typing
    from pathlib import Path

    from secondchance.cli import _dates_state

    text = (Path(__file__).resolve().parents[3] / "docs" / "sentencing-states.md").read_text(encoding="utf-8")
    options = []
    for hint in typing.get_type_hints(getattr(_dates_state, command), include_extras=True).values():
        for meta in getattr(hint, "__metadata__", ()):
            default = getattr(meta, "default", None)
            if isinstance(default, str) and default.startswith("--"):
                options.append(default)
    assert "--start" in options and "--json" in options
    assert f"secondchance dates {command}" in text
    for option in options:
        assert option in text, f"dates {command} {option} is not in docs/sentencing-states.md"
