"""`dates review` and `dates reconcile` CSV and XLSX output never lets a spreadsheet run a cell as a formula."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook
from rich.console import Console
from tests.csv_injection import HOSTILE_CELLS, ORDINARY_CELL, assert_neutralised, read_csv_rows

from secondchance.cli._dates import REASON_WORDS, review_reason_table
from secondchance.records.ingest import load_frames
from secondchance.records.store import open_store
from secondchance.sentencing.reasons import ReasonCode

SOURCE_IDS = [*HOSTILE_CELLS, ORDINARY_CELL]


def _sentences(source: str, commencement: dt.date | None) -> pl.DataFrame:
    count = len(SOURCE_IDS)
    return pl.DataFrame(
        {
            "source": [source] * count,
            "source_id": SOURCE_IDS,
            "person_source_id": ["P1"] * count,
            "system": ["federal"] * count,
            "sentence_type": ["determinate"] * count,
            "commencement_date": [commencement] * count,
            "term_months": [24] * count,
            "source_release_date": [dt.date(2021, 9, 30)] * count,
        },
        schema_overrides={"commencement_date": pl.Date},
    )


@pytest.fixture
def computed_store(tmp_path: Path) -> Path:
    """Sentences whose ids are formulas: of source `a` computed, of source `b` sent to review."""
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        for source, commencement in (("a", dt.date(2020, 1, 1)), ("b", None)):
            people = pl.DataFrame({"source": [source], "source_id": ["P1"]})
            load_frames(connection, {"person": people, "sentence": _sentences(source, commencement)})
    assert dates("compute", "--as-of", "2026-01-01", "--store", store).returncode == 0
    return store


def dates(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `secondchance dates ARGS`; output is decoded as is (a carriage return stays one)."""
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "dates", *map(str, args)], capture_output=True, timeout=120
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    )


def test_review_csv_neutralises_formulas(computed_store: Path) -> None:
    result = dates("review", "--format", "csv", "--store", computed_store)
    assert result.returncode == 0, result.stderr
    rows = read_csv_rows(result.stdout)
    assert {row["source"] for row in rows} == {"b"}
    assert_neutralised([row["sentence_source_id"] for row in rows])


def test_reconcile_csv_file_neutralises_formulas(computed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "reconcile.csv"
    result = dates("reconcile", "--source", "a", "--format", "csv", "--out", out, "--store", computed_store)
    assert result.returncode == 0, result.stderr
    rows = read_csv_rows(out)
    assert {row["status"] for row in rows} == {"difference"}
    assert_neutralised([row["sentence_source_id"] for row in rows])


def test_review_xlsx_keeps_formulas_as_text(computed_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.xlsx"
    result = dates("review", "--format", "xlsx", "--out", out, "--store", computed_store)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out)["manual review"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:F{len(SOURCE_IDS) + 1}"
    header = [cell.value for cell in sheet[1]]
    column = header.index("sentence_source_id") + 1
    cells = [sheet.cell(row=row, column=column) for row in range(2, len(SOURCE_IDS) + 2)]
    # The ids as the records hold them (XML reads a carriage return back as a line feed), never formulas.
    assert sorted(cell.value for cell in cells) == sorted(value.replace("\r", "\n") for value in SOURCE_IDS)
    assert {cell.data_type for cell in cells} == {"s"}


def test_compute_as_of_defaults_to_today(computed_store: Path) -> None:
    result = dates("compute", "--json", "--store", computed_store)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == dt.date.today().isoformat()


def test_every_review_code_is_explained_where_it_is_counted() -> None:
    assert set(REASON_WORDS) == set(ReasonCode)
    console = Console(width=200, record=True)
    console.print(review_reason_table({"CONSECUTIVE_CYCLE": 2}, "Manual review by reason"))
    assert "sentences consecutive to each other in a loop" in console.export_text()
