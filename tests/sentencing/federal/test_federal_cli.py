"""`secondchance dates federal`: in process for the dates, as a subprocess for exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.errors import UserError


def _json(*args: str) -> dict[str, object]:
    """Run in process (fast) and parse the JSON printed."""
    result = CliRunner().invoke(app, ["dates", "federal", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secondchance", "dates", "federal", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_json_carries_the_dates_and_timeline() -> None:
    done = _run("--start", "2025-01-01", "--term", "60m", "--risk", "low", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    # BOP FSA Time Credit Application Guide, example 2 (reference Table B)
    assert data["full_term_date"] == "2029-12-31"
    assert data["gct_days"] == 270
    assert data["release_date"] == "2029-04-05"
    assert data["ftc_days"] == 490
    assert data["supervised_release_date"] == "2028-04-05"
    assert data["prerelease_custody_date"] == "2027-12-02"
    assert [step["label"] for step in data["timeline"]][:2] == ["commencement", "full_term"]
    assert all(step["rule"] for step in data["timeline"])


def test_options_reach_the_rules() -> None:
    no_diploma = ("--start", "2026-01-01", "--term", "5y", "--no-diploma", "--jail-credit", "30", "--method", "fsa")
    data = _json(*no_diploma, "--literacy", "withdrawn", "--offense-date", "2025-06-01")
    assert data["gct_days"] == 210  # 28 CFR 523.20(c)(2): 42 × 5
    assert data["full_term_date"] == "2030-12-01"
    # Progress not given: 54 × 5 = 270, 2030-12-01 − 270 = 2030-03-06; at 42, 2030-12-01 − 210 = 2030-05-05.
    unsettled = _json(*no_diploma, "--offense-date", "2025-06-01")
    assert (unsettled["release_date"], unsettled["release_date_if_42_days"]) == ("2030-03-06", "2030-05-05")
    assert _json("--start", "2020-01-01", "--term", "10y", "--method", "pre-fsa")["gct_days"] == 470  # Barber
    removal = _json("--start", "2025-01-01", "--term", "60m", "--risk", "low", "--removal-order")
    assert removal["supervised_release_date"] == "2029-04-05"
    rdap = _json("--start", "2025-01-01", "--term", "60m", "--risk", "low", "--rdap", "--rdap-completed", "2027-02-01")
    assert rdap["prerelease_custody_date"] == "2027-04-01"
    assert _json("--start", "2025-01-01", "--term", "60m", "--rdap", "--rdap-barred")["rdap_status"] == "barred"
    # § 3624(g)(1)(D)(i)(II): 60 months at medium risk, transfer on 2028-03-16 if approved (federal_time_credits.yaml)
    medium = ("--start", "2025-01-01", "--term", "60m", "--risk", "medium")
    assert _json(*medium)["prerelease_custody_date_if_approved"] == "2028-03-16"
    assert _json(*medium, "--warden", "approved")["prerelease_custody_date"] == "2028-03-16"
    handout = _json("--start", "2025-01-01", "--term", "10y", "--risk", "minimum", "--ftc-convention", "handout")
    assert handout["prerelease_custody_date"] == "2030-09-28"
    excluded = _json("--start", "2025-01-01", "--term", "60m", "--risk", "low", "--excluded-offense")
    assert excluded["ftc_days"] == 0
    no_sr = _json("--start", "2025-01-01", "--term", "60m", "--risk", "low", "--supervised-release-months", "0")
    assert no_sr["supervised_release_date"] is None
    assert _json("--start", "2020-01-01", "--term", "life")["review_reason"] == "UNSUPPORTED_SENTENCE_TYPE"


def test_life_is_a_review_outcome() -> None:
    data = _json("--start", "2020-01-01", "--term", "life")
    assert data["release_date"] is None and data["gct_days"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--start", "2020-01-01", "--term", "5x"), "5x"),
        (("--start", "2020-13-01", "--term", "24m"), "2020-13-01"),
        (("--start", "2020-01-01", "--term", "24m", "--jail-credit", "-3"), "negative"),
        (("--start", "2020-01-01", "--term", "24m", "--jail-credit", "800"), "CONFLICTING_CREDITS"),
        (("--start", "2020-01-01", "--term", "24m", "--risk", "lowish"), "lowish"),
        (("--start", "2020-01-01", "--term", "24m", "--literacy", "some"), "--literacy 'some'"),
        (("--start", "2020-01-01", "--term", "24m", "--warden", "maybe"), "--warden 'maybe'"),
        (("--start", "2020-01-01", "--term", "24m", "--offense-date", "2019-02-30"), "2019-02-30"),
    ],
)
def test_bad_input_is_a_user_error(args: tuple[str, ...], message: str) -> None:
    result = CliRunner().invoke(app, ["dates", "federal", *args])
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)


def test_bad_input_exits_1_with_one_line_and_no_traceback() -> None:
    done = _run("--start", "2020-01-01", "--term", "24m", "--jail-credit", "800")
    assert done.returncode == 1
    assert "CONFLICTING_CREDITS" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_table_output_shows_the_timeline() -> None:
    result = CliRunner().invoke(app, ["dates", "federal", "--start", "2026-01-01", "--term", "12m1d"])
    assert result.exit_code == 0
    assert "2026-11-06" in result.stdout and "Timeline" in result.stdout
