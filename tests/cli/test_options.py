"""Option checks the commands share: dates in the supported range, counts, output paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.cli.conftest import run_cli

from secondchance.cli._options import (
    MAX_DAYS,
    check_count,
    check_days,
    check_output_path,
    optional_date_option,
    parse_date_option,
)
from secondchance.errors import UserError


def test_a_date_in_the_supported_range_parses() -> None:
    assert parse_date_option("--as-of", "1900-01-01") == date(1900, 1, 1)
    assert parse_date_option("--as-of", " 2199-12-31 ") == date(2199, 12, 31)
    assert optional_date_option("--as-of", None) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-12-31", "--as-of 9999-12-31 is outside 1900-01-01 to 2199-12-31, the dates secondchance computes"),
        ("0001-01-01", "--as-of 0001-01-01 is outside 1900-01-01 to 2199-12-31, the dates secondchance computes"),
        ("2024-02-30", "--as-of '2024-02-30' is not a date like YYYY-MM-DD"),
        ("not-a-date", "--as-of 'not-a-date' is not a date like YYYY-MM-DD"),
    ],
)
def test_a_date_outside_the_range_or_not_a_date_is_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_date_option("--as-of", text)
    assert str(raised.value) == message


def test_counts() -> None:
    check_count("--limit", 0, maximum=10)
    check_count("--limit", None, maximum=10)
    with pytest.raises(UserError, match=r"^--limit -1 cannot be negative$"):
        check_count("--limit", -1, maximum=10)
    with pytest.raises(UserError, match=r"^--people 0 cannot be less than 1$"):
        check_count("--people", 0, minimum=1, maximum=10)
    with pytest.raises(UserError, match=r"^--limit 11 is more than 10 \(use csv\)$"):
        check_count("--limit", 11, maximum=10, why="use csv")


def test_a_day_count_is_at_most_the_supported_span() -> None:
    check_days("--jail-credit", MAX_DAYS)
    with pytest.raises(UserError, match="the days in the span of 1900-01-01 to 2199-12-31"):
        check_days("--jail-credit", MAX_DAYS + 1)


def test_an_output_path_that_can_be_written(tmp_path: Path) -> None:
    check_output_path("--out", tmp_path / "new.csv")
    existing = tmp_path / "old.csv"
    existing.write_text("a\n", encoding="utf-8")
    check_output_path("--out", existing)
    check_output_path("--out", None)


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("", "is a folder; give the path of a file"),
        ("no/such/folder/out.csv", "the folder {tmp}/no/such/folder does not exist"),
        ("a-file/out.csv", "{tmp}/a-file is not a folder"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_refused_before_the_work(
    tmp_path: Path, relative: str, reason: str
) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    path = tmp_path / relative
    with pytest.raises(UserError) as raised:
        check_output_path("--out", path)
    assert str(raised.value) == f"--out {path}: {reason.format(tmp=tmp_path)}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dates", "federal", "--start", "2020-01-01", "--term", "10000y"), "--term '10000y' is longer than 300 years"),
        (("dates", "federal", "--start", "9999-12-31", "--term", "10y"), "--start 9999-12-31 is outside"),
        (("dates", "missouri", "--start", "2020-01-01", "--term", "10y", "--birth-date", "0001-01-01"), "outside"),
        (("dates", "missouri", "--start", "2020-01-01", "--term", "10y", "--prior-commitments", "-5"), "negative"),
        (("dates", "federal", "--start", "2020-01-01", "--term", "10y", "--jail-credit", str(10**18)), "more than"),
        (
            ("dates", "profile", "--jurisdiction", "us-la", "--offense-date", "2018-03-01", "--start", "2019-01-01")
            + ("--term", "10y", "--min-term-months", str(10**12)),
            "--min-term-months 1000000000000 is more than 3,600",
        ),
        (("dates", "compute", "--as-of", "9999-12-31"), "--as-of 9999-12-31 is outside"),
        (("screen", "--all", "--as-of", "9999-12-31"), "--as-of 9999-12-31 is outside"),
        (("screen", "--all", "--limit", "-1"), "--limit -1 cannot be negative"),
        (("screen", "--all", "--out", "x.csv"), "--out is for --format csv, json, parquet or xlsx"),
        (("facts", "show", "P1", "--as-of", "0001-01-01"), "--as-of 0001-01-01 is outside"),
        (("explain", "P1", "--pack", "x", "--as-of", "9999-12-31"), "--as-of 9999-12-31 is outside"),
    ],
)
def test_commands_refuse_extreme_values_in_one_line_before_any_work(args: tuple[str, ...], message: str) -> None:
    outcome = run_cli(*args)
    assert outcome.code == 1
    (line,) = outcome.error_lines
    assert line.startswith("error: ") and message in line


def test_an_out_into_a_missing_folder_is_refused_for_every_command_with_out(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "out.csv"
    for args in (
        ("screen", "--all", "--format", "csv", "--out", missing),
        ("dates", "review", "--format", "csv", "--out", missing),
        ("dates", "reconcile", "--format", "json", "--out", missing),
        ("explain", "P1", "--pack", "x", "--letter", "--out", missing),
        ("generate", "--people", "5", "--store", missing),
    ):
        outcome = run_cli(*args)
        assert outcome.code == 1, args
        assert outcome.error_lines == [
            f"error: {'--store' if 'generate' in args else '--out'} {missing}: "
            f"the folder {missing.parent} does not exist"
        ], args
