"""Checks of option values the commands share: dates, counts and output paths, each refused by name.

They run before any work starts, so a bad value costs nothing and the message names the option
(README: exit code 1, one line, never a traceback).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from secondchance.errors import UserError
from secondchance.sentencing.terms import EARLIEST_DATE, LATEST_DATE, LONGEST_TERM_MONTHS

__all__ = [
    "MAX_DAYS",
    "MAX_MONTHS",
    "check_count",
    "check_days",
    "check_months",
    "check_output_format",
    "check_output_path",
    "optional_date_option",
    "parse_date_option",
]

# Day and month counts (credits, terms of supervision) cannot be longer than the supported dates.
MAX_DAYS = (LATEST_DATE - EARLIEST_DATE).days + 1
MAX_MONTHS = LONGEST_TERM_MONTHS
_SPAN = f"the span of {EARLIEST_DATE} to {LATEST_DATE}"


def parse_date_option(option: str, text: str) -> date:
    """The date an option's YYYY-MM-DD text stands for, within the supported dates; a UserError otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date like YYYY-MM-DD") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise UserError(f"{option} {day} is outside {EARLIEST_DATE} to {LATEST_DATE}, the dates secondchance computes")
    return day


def optional_date_option(option: str, text: str | None) -> date | None:
    """`parse_date_option` for an option that may be left out (None)."""
    return None if text is None else parse_date_option(option, text)


def check_count(option: str, value: int | None, *, minimum: int = 0, maximum: int, why: str = "") -> None:
    """Refuse a count (None: not given) below `minimum` or above `maximum`, naming the option and the limit."""
    if value is None:
        return
    if value < minimum:
        floor = "negative" if minimum == 0 else f"less than {minimum:,}"
        raise UserError(f"{option} {value} cannot be {floor}")
    if value > maximum:
        raise UserError(f"{option} {value} is more than {maximum:,}{f' ({why})' if why else ''}")


def check_days(option: str, value: int | None) -> None:
    """Refuse a negative day count or one longer than the supported dates."""
    check_count(option, value, maximum=MAX_DAYS, why=f"the days in {_SPAN}")


def check_months(option: str, value: int | None) -> None:
    """Refuse a negative month count or one longer than the supported dates."""
    check_count(option, value, maximum=MAX_MONTHS, why=f"the months in {_SPAN}")


def check_output_path(option: str, path: Path | None) -> None:
    """Refuse, before any work, an output file that could not be written: a folder, or in a missing folder."""
    if path is None:
        return
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give the path of a file")
    folder = path.parent
    if not folder.exists():
        raise UserError(f"{option} {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise UserError(f"{option} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"{option} {path}: not writable")


def _either(words: Sequence[str]) -> str:
    return f"{', '.join(words[:-1])} or {words[-1]}" if len(words) > 1 else words[0]


def check_output_format(output: str, out: Path | None, formats: Sequence[str], *, file_only: Sequence[str]) -> None:
    """Refuse a format not in `formats`, one of `file_only` without --out, --out with table, and an unwritable --out.

    The messages are screen's: `--format xlsx needs --out PATH`, `--out is for --format ...`.
    """
    if output not in formats:
        raise UserError(f"--format {output!r}: use {_either(formats)}")
    if output in file_only and out is None:
        raise UserError(f"--format {output} needs --out PATH")
    if output == "table" and out is not None:
        raise UserError(f"--out is for --format {_either([name for name in formats if name != 'table'])}")
    check_output_path("--out", out)
