"""The safety net in `cli.run`: every error is one line and a documented exit code, a bug a crash log."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from tests.cli.conftest import run_cli

from secondchance.cli import _dates_federal
from secondchance.cli._errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    crash_log_dir,
    crash_report,
    first_line,
    is_java_error,
    is_spark_error,
    spark_first_line,
    user_message,
)
from secondchance.errors import UserError

FEDERAL = ("dates", "federal", "--start", "2025-01-01", "--term", "60m")
# A value that stands for a record's contents: it must reach neither the screen nor the crash log.
RECORD = "Jane Q. Public, born 1970-01-01"


def _raise(error: BaseException) -> None:
    raise error


def test_a_user_error_is_its_message() -> None:
    assert user_message(UserError("--limit -1 cannot be negative")) == "--limit -1 cannot be negative"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOENT, "No such file or directory"),
        (errno.EISDIR, "Is a directory"),
        (errno.EACCES, "Permission denied"),
        (errno.ENOSPC, "No space left on device"),
        (errno.EROFS, "Read-only file system"),
        (errno.ENOTDIR, "Not a directory"),
    ],
)
def test_a_file_system_error_names_the_path_and_the_reason(code: int, reason: str) -> None:
    error = OSError(code, "ignored", "/data/out.csv")
    assert user_message(error) == f"/data/out.csv: {reason}"


def test_a_file_system_error_without_a_path_is_the_reason() -> None:
    assert user_message(OSError(errno.ENOSPC, "ignored")) == "No space left on device"


def test_an_os_error_that_is_not_about_files_is_a_bug() -> None:
    assert user_message(OSError(errno.EBADF, "Bad file descriptor")) is None


def test_duckdb_errors_about_the_users_files_are_one_line_with_values_cut_short() -> None:
    connection = duckdb.connect()
    with pytest.raises(duckdb.ConversionException) as raised:
        connection.execute("SELECT CAST(? AS INTEGER)", ["y" * 500]).fetchall()
    message = user_message(raised.value)
    assert message is not None
    assert message.startswith("Conversion Error:")
    assert "\n" not in message
    assert "y" * 80 not in message and "y" * 79 + "…" in message


def test_duckdb_binder_errors_are_bugs_outside_the_places_that_read_a_users_relation() -> None:
    with pytest.raises(duckdb.BinderException) as raised:
        duckdb.connect().execute("SELECT no_such_column FROM range(1)")
    assert user_message(raised.value) is None


def test_first_line_keeps_a_short_message_whole() -> None:
    assert first_line('IO Error: Cannot open file "/tmp/a.csv": No such file\nLINE 1: COPY') == (
        'IO Error: Cannot open file "/tmp/a.csv": No such file'
    )


def test_a_spark_error_is_recognised_by_its_class_without_importing_pyspark() -> None:
    spark_exception = type("PySparkException", (Exception,), {"__module__": "pyspark.errors.exceptions.base"})
    analysis = type("AnalysisException", (spark_exception,), {"__module__": "pyspark.errors.exceptions.captured"})
    assert is_spark_error(analysis("[PATH_NOT_FOUND] Path does not exist: /nowhere"))
    assert user_message(analysis("[PATH_NOT_FOUND] Path does not exist: /nowhere\nJVM stack")) == (
        "Spark: [PATH_NOT_FOUND] Path does not exist: /nowhere"
    )
    assert not is_spark_error(type("PySparkException", (Exception,), {})())


def test_the_log_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SECONDCHANCE_LOG_DIR", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert crash_log_dir() == tmp_path / "state" / "secondchance"
    monkeypatch.setenv("SECONDCHANCE_LOG_DIR", str(tmp_path / "mine"))
    assert crash_log_dir() == tmp_path / "mine"


def test_a_crash_report_has_the_frames_but_no_message() -> None:
    try:
        try:
            _raise(KeyError(RECORD))
        except KeyError as inner:
            raise RuntimeError(f"while reading {RECORD}") from inner
    except RuntimeError as error:
        report = crash_report(error, ["explain", "--pack"])
    assert RECORD not in report
    assert "command: secondchance explain --pack" in report
    assert "builtins.KeyError" in report and "builtins.RuntimeError" in report
    assert report.index("builtins.KeyError") < report.index("builtins.RuntimeError")  # oldest first
    assert "in _raise" in report


def test_a_bug_is_one_line_exit_70_and_a_crash_log(crash_logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(ZeroDivisionError(RECORD)))
    outcome = run_cli(*FEDERAL, "--risk", "low")
    assert outcome.code == EXIT_INTERNAL_ERROR
    assert "Traceback" not in outcome.stderr and RECORD not in outcome.stderr
    (line,) = outcome.error_lines
    (log,) = crash_logs.iterdir()
    assert line == f"error: secondchance hit an internal error; the details are in {log}; please report it"
    text = log.read_text(encoding="utf-8")
    assert RECORD not in text
    assert "command: secondchance dates federal --start --term --risk" in text
    assert "builtins.ZeroDivisionError" in text and "_dates_federal.py" in text


def test_a_bug_with_no_writable_log_folder_still_ends_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    # Both the log folder and the temporary folder lie under a file, so neither can be created.
    monkeypatch.setenv("SECONDCHANCE_LOG_DIR", str(blocked / "logs"))
    monkeypatch.setattr("tempfile.tempdir", str(blocked))
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(ZeroDivisionError(RECORD)))
    outcome = run_cli(*FEDERAL)
    assert outcome.code == EXIT_INTERNAL_ERROR
    assert outcome.error_lines == ["error: secondchance hit an internal error (ZeroDivisionError); please report it"]


def test_an_interrupt_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(KeyboardInterrupt()))
    outcome = run_cli(*FEDERAL)
    assert (outcome.code, outcome.error_lines) == (EXIT_INTERRUPTED, ["error: interrupted"])


def test_an_os_error_from_a_command_names_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/full/disk.csv")
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(error))
    outcome = run_cli(*FEDERAL)
    assert (outcome.code, outcome.error_lines) == (1, ["error: /full/disk.csv: No space left on device"])


def test_usage_errors_keep_exit_2() -> None:
    outcome = run_cli("dates", "federal", "--start", "2025-01-01")
    assert outcome.code == 2
    assert "Missing option '--term'" in outcome.stderr and "Traceback" not in outcome.stderr


def test_help_and_version_exit_0() -> None:
    assert run_cli("--help").code == 0
    assert run_cli("--version").stdout.startswith("secondchance ")


@pytest.mark.parametrize("args", [("facts", "list"), ("facts", "list", "--json")])
def test_a_reader_that_goes_away_ends_the_command_quietly(args: tuple[str, ...]) -> None:
    """`secondchance facts list | head -1`: standard output is a pipe whose reader has already gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "secondchance", *args], stdout=write_end, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(write_end)
    assert done.returncode in (0, 1)
    assert done.stderr.decode() == ""


def test_a_java_error_through_py4j_is_told_by_its_cause_not_the_java_call() -> None:
    java_error = type("Py4JJavaError", (Exception,), {"__module__": "py4j.protocol"})
    error = java_error(
        "An error occurred while calling o60.parquet.\n"
        ": org.apache.spark.SparkException: [FAILED_READ_FILE] Encountered error while reading file x.parquet.\n"
        "\tat org.apache.spark.Stage.run"
    )
    assert is_java_error(error)
    assert spark_first_line(error) == (
        "org.apache.spark.SparkException: [FAILED_READ_FILE] Encountered error while reading file x.parquet."
    )
    assert user_message(error) is None  # outside the Spark screening path it may be a bug of ours


def test_a_crash_log_is_readable_by_its_owner_only(crash_logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(ZeroDivisionError()))
    run_cli(*FEDERAL)
    run_cli(*FEDERAL)  # a second crash in the same second gets a file of its own
    logs = list(crash_logs.iterdir())
    assert len(logs) == 2
    assert {log.stat().st_mode & 0o777 for log in logs} == {0o600}


class _Panic(BaseException):
    """What a Rust extension raises when it panics: not an Exception."""


def test_a_panic_from_an_extension_is_a_bug_too(crash_logs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_dates_federal, "compute_federal", lambda *a, **k: _raise(_Panic(RECORD)))
    outcome = run_cli(*FEDERAL, "--risk", "low")
    assert outcome.code == EXIT_INTERNAL_ERROR
    assert "Traceback" not in outcome.stderr and RECORD not in outcome.stderr
    (log,) = crash_logs.iterdir()
    assert outcome.error_lines == [
        f"error: secondchance hit an internal error; the details are in {log}; please report it"
    ]


def test_an_error_message_shows_terminal_controls_instead_of_sending_them(capsys: pytest.CaptureFixture[str]) -> None:
    from secondchance.cli._app import console_error

    console_error("bad value '\x1b]0;owned\x07' on line 3\nsecond line")
    assert capsys.readouterr().err == "error: bad value '\\x1b]0;owned\\x07' on line 3\nsecond line\n"
