"""The parole board's minimum parole eligibility for drug offences (14 CSR 80-2.010(1)), read from `board_minimum.yaml`.

The table is data: one row per group of felony classes, each with its paragraph of the rule and either the
share of the maximum sentence served before eligibility or the reason the share could not be established.
The scalar engine and the bulk SQL both read these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["BOARD_FILE", "FELONY_CLASSES", "BoardRow", "board_row", "board_rows", "board_source"]

BOARD_FILE = Path(__file__).with_name("board_minimum.yaml")
FELONY_CLASSES = ("A", "B", "C", "D", "E")  # RSMo 557.016.1, from 1 Jan 2017


@dataclass(frozen=True)
class BoardRow:
    """One row of the board's table: felony classes, the share served before eligibility (None: not established)."""

    classes: tuple[str, ...]
    percent: int | None
    cite: str
    text: str
    uncertain: str | None = None


def _row(spec: dict[str, Any], number: int) -> BoardRow:
    where = f"{BOARD_FILE.name}: row {number}"
    classes = tuple(str(item) for item in spec.get("classes", ()))
    percent = spec.get("percent")
    if not classes or any(item not in FELONY_CLASSES for item in classes):
        raise ValueError(f"{where}: classes must be some of {', '.join(FELONY_CLASSES)}")
    if percent is None and not spec.get("uncertain"):
        raise ValueError(f"{where}: a row without a percent must say why (`uncertain`)")
    if percent is not None and not (isinstance(percent, int) and 0 < percent <= 100):
        raise ValueError(f"{where}: percent must be a whole number from 1 to 100")
    if not spec.get("cite") or not spec.get("text"):
        raise ValueError(f"{where}: `cite` and `text` are required")
    return BoardRow(classes, percent, str(spec["cite"]), str(spec["text"]), spec.get("uncertain"))


@cache
def _document() -> dict[str, Any]:
    data: Any = yaml.safe_load(BOARD_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list) or "source" not in data:
        raise ValueError(f"{BOARD_FILE.name}: expected `source` and a list of `rows`")
    return data


@cache
def board_rows() -> tuple[BoardRow, ...]:
    """Every row of the board's table; each felony class appears in exactly one row."""
    rows = tuple(_row(spec, number) for number, spec in enumerate(_document()["rows"], start=1))
    covered = sorted(item for row in rows for item in row.classes)
    if covered != list(FELONY_CLASSES):
        raise ValueError(f"{BOARD_FILE.name}: each of the classes {', '.join(FELONY_CLASSES)} needs exactly one row")
    return rows


def board_row(felony_class: str) -> BoardRow:
    """The row of the board's table for a felony class letter."""
    return next(row for row in board_rows() if felony_class in row.classes)


def board_source() -> str:
    """The rule's citation, as the table gives it."""
    return str(_document()["source"]["cite"])
