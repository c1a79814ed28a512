"""Running the command line in this process, exactly as the installed `secondchance` runs it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from secondchance.cli import run
from secondchance.cli._errors import LOG_DIR_ENV


@dataclass(frozen=True)
class Outcome:
    """What one run printed and the code it exited with."""

    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """The lines of standard error, without blank lines and the notes a run prints as it goes."""
        return [line for line in self.stderr.splitlines() if line.strip() and not line.startswith("note:")]


def run_cli(*args: str | Path) -> Outcome:
    """Run `secondchance ARGS` through `cli.run` (the safety net included) and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run([str(arg) for arg in args])
    return Outcome(code, out.getvalue(), err.getvalue())


@pytest.fixture
def crash_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A log folder of the test's own, so a crash log never lands in the home folder."""
    folder = tmp_path / "logs"
    monkeypatch.setenv(LOG_DIR_ENV, str(folder))
    yield folder
