"""Problems found in input files, and the error that carries them to the person loading them.

A problem names the file, the line (or row), the column, the value and the reason, and always
reads the same way (docs/ingest.md, "Error messages"):

    people.csv, line 3, column birth_date: '1985-13-01' is not a date (expected YYYY-MM-DD)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secondchance.errors import UserError
from secondchance.spreadsheet_safe_csv import write_csv

__all__ = ["Problem", "IngestError", "MAX_SHOWN", "format_problems", "visible", "write_problems_csv"]

# How many problems a message lists before it only counts the rest.
MAX_SHOWN = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what value, and why it is refused."""

    file: str
    line: int | None  # CSV: line of the file, header = 1; XLSX: sheet row; Parquet and frames: row, first = 1
    column: str | None
    value: str | None
    reason: str
    line_word: str = "line"  # "line" for CSV and "row" for XLSX, Parquet and frames

    def message(self) -> str:
        """The problem as one line of text, in the documented format (control characters escaped)."""
        place = [self.file]
        if self.line is not None:
            place.append(f"{self.line_word} {self.line}")
        if self.column is not None:
            place.append(f"column {self.column}")
        prefix = ", ".join(place)
        if self.value is None:
            return visible(f"{prefix}: {self.reason}")
        return visible(f"{prefix}: '{self.value}' {self.reason}")

    def as_row(self) -> dict[str, str]:
        """The problem as a row of the errors CSV."""
        return {
            "file": self.file,
            "line_kind": self.line_word,
            "line": "" if self.line is None else str(self.line),
            "column": self.column or "",
            "value": "" if self.value is None else self.value,
            "reason": self.reason,
            "message": self.message(),
        }


# Control characters in a value are shown escaped, so a message stays one line and shows them.
_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]} | {
    ord("\t"): "\\t",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
}


def visible(text: str) -> str:
    """Text with its control characters escaped (`\\n`, `\\t`, `\\x00`), for a one-line message."""
    return text.translate(_ESCAPES)


def format_problems(problems: Sequence[Problem], total: int | None = None, *, limit: int = MAX_SHOWN) -> str:
    """The first `limit` problems, one per line, then "and N more problems" when there are more."""
    count = len(problems) if total is None else total
    lines = [problem.message() for problem in problems[:limit]]
    rest = count - len(lines)
    if rest > 0:
        lines.append(f"and {rest} more problem{'s' if rest != 1 else ''}")
    return "\n".join(lines)


def write_problems_csv(problems: Sequence[Problem], path: Path) -> None:
    """Write every problem as a CSV file (file, line_kind, line, column, value, reason, message).

    Values that a spreadsheet would run as formulas are written with a leading `'`.
    """
    fields = ["file", "line_kind", "line", "column", "value", "reason", "message"]
    write_csv(path, fields, (problem.as_row() for problem in problems))


class IngestError(UserError):
    """The input was refused: nothing was written. Carries every problem found."""

    def __init__(self, problems: Sequence[Problem], summary: str | None = None) -> None:
        self.problems = list(problems)
        self.summary = summary or (
            f"refused: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} found, nothing was loaded"
        )
        super().__init__(f"{self.summary}\n{format_problems(self.problems)}")
