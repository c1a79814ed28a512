"""`secondchance dates reconcile`: every source date accounted for, differences with both dates and our timeline."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import pytest
from tests.conftest import shared_dataset
from tests.sentencing.conftest import AS_OF, Store, run_dates

from secondchance.records.adapters.cdcr import CDCR
from secondchance.records.ingest import load_frames
from secondchance.sentencing.compute import compute_dates
from secondchance.sentencing.reconcile import _band, reconcile


def _hand_store(store: Store) -> dict[str, int]:
    """24 months from 2020-01-01 is released 2021-09-14 (87 FR 7938 Table 1; Table A of the reference)."""
    person = store.person(source_id="P-1")
    ids = {
        "differs": store.sentence(
            person,
            source_id="S-differs",
            commencement_date=date(2020, 1, 1),
            term_months=24,
            term_days=0,
            source_release_date=date(2021, 9, 30),
        ),
        "month": store.sentence(
            person,
            source_id="S-month",
            commencement_date=date(2020, 1, 1),
            term_months=24,
            term_days=0,
            source_release_date=date(2021, 9, 1),
            source_date_text="SEP21",
        ),
        "month_off": store.sentence(
            person,
            source_id="S-month-off",
            commencement_date=date(2020, 1, 1),
            term_months=24,
            term_days=0,
            source_release_date=date(2021, 11, 1),
            source_date_text="NOV21",
        ),
        "no_parole": store.sentence(
            person,
            source_id="S-parole",
            commencement_date=date(2020, 1, 1),
            term_months=24,
            term_days=0,
            source_parole_eligibility_date=date(2021, 1, 1),
        ),
        "life": store.sentence(
            person,
            source_id="S-life",
            sentence_type="life_without_parole",
            commencement_date=date(2020, 1, 1),
            source_release_date=date(2040, 1, 1),
        ),
    }
    return ids


def test_a_known_difference_with_both_dates_and_our_timeline(store: Store) -> None:
    _hand_store(store)
    store.compute()
    report = reconcile(store.connection)
    rows = {(row.sentence_source_id, row.kind): row for row in report.rows}
    assert len(report.rows) == 5  # every source date is reported

    differs = rows[("S-differs", "release")]
    assert differs.status == "difference"
    assert (differs.computed_date, differs.source_date) == (date(2021, 9, 14), date(2021, 9, 30))
    assert differs.difference_days == -16
    assert differs.band == "1-30 days"
    assert any("gct" in line and "18 U.S.C. § 3624(b)(1)" in line for line in differs.timeline)

    month = rows[("S-month", "release")]  # SEP21 covers 2021-09-14
    assert (month.status, month.precision, month.difference_days) == ("match", "month", 0)
    month_off = rows[("S-month-off", "release")]  # NOV21 starts 48 days after 2021-09-14
    assert (month_off.status, month_off.difference_days, month_off.band) == ("difference", -48, "31-365 days")

    parole = rows[("S-parole", "parole_eligibility")]
    assert parole.status == "not_comparable"
    assert parole.reason is not None and "no computed parole eligibility date" in parole.reason
    life = rows[("S-life", "release")]
    assert (life.status, life.reason) == ("not_comparable", "manual review: UNSUPPORTED_SENTENCE_TYPE")

    summary = report.summary()
    assert summary["matches"] == 1 and summary["differences"] == 2 and summary["not_comparable"] == 2
    assert summary["differences_by_band"]["1-30 days"] == 1
    assert summary["ours_earlier"] == 2


def test_tolerance_turns_small_differences_into_matches(store: Store) -> None:
    _hand_store(store)
    store.compute()
    summary = reconcile(store.connection, tolerance_days=30).summary()
    assert (summary["matches"], summary["differences"]) == (2, 1)


def test_without_a_compute_run_every_pair_is_not_comparable(store: Store) -> None:
    _hand_store(store)
    store.compute()
    store.connection.execute("DELETE FROM computed_dates")
    report = reconcile(store.connection)
    assert {row.reason for row in report.rows} == {"no computed row (run `secondchance dates compute`)"}


def test_cli_writes_every_pair_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    built = Store()
    built.connection.close()
    built.connection = duckdb.connect(str(path))
    from secondchance.records.store import ensure_schema

    ensure_schema(built.connection)
    _hand_store(built)
    compute_dates(built.connection, AS_OF)
    built.connection.close()
    out = tmp_path / "reconcile.csv"
    done = run_dates("reconcile", "--store", str(path), "--format", "csv", "--out", str(out))
    code, err = done.returncode, done.stderr
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 5
    differs = next(row for row in rows if row["sentence_source_id"] == "S-differs")
    assert (differs["source_date"], differs["computed_date"], differs["difference_days"]) == (
        "2021-09-30",
        "2021-09-14",
        "-16",
    )
    assert "3624(b)(1)" in differs["timeline"]
    done = run_dates("reconcile", "--store", str(path), "--format", "xml")
    code, err = done.returncode, done.stderr
    assert code == 1 and "--format" in err


def test_reconcile_on_the_cdcr_cohort(tmp_path: Path) -> None:
    """Every EPRD/MEPD and prior release date of the real cohort is reported, each with a reason when not compared."""
    folder = shared_dataset("cdcr_redoio")
    connection = duckdb.connect(str(tmp_path / "cdcr.duckdb"))
    try:
        from secondchance.records.store import ensure_schema

        ensure_schema(connection)
        load_frames(connection, CDCR.read(folder), source_files=CDCR.files(folder), adapter=CDCR.name)
        compute_dates(connection, AS_OF)
        report = reconcile(connection, source="cdcr")
        dated = connection.execute(
            "SELECT count(source_release_date) + count(source_parole_eligibility_date) FROM sentence "
            "WHERE source = 'cdcr'"
        ).fetchone()
        assert dated is not None and len(report.rows) == dated[0] > 0
        summary = report.summary()
        assert summary["matches"] + summary["differences"] + summary["not_comparable"] == summary["pairs"]
        assert all(row.reason for row in report.rows if row.status == "not_comparable")
        month_rows = [row for row in report.rows if row.precision == "month"]
        assert month_rows and all(row.source_date_text for row in month_rows)
        assert summary["by_kind"]["parole_eligibility"] > 0  # MEPDs of the life terms
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("days", "band"),
    [(30, "1-30 days"), (-365, "31-365 days"), (366, "1-5 years"), (1825, "1-5 years"), (1826, "over 5 years")],
)
def test_bands_count_years_of_365_days(days: int, band: str) -> None:
    """docs/sentencing-conventions.md: one length of a year, so 5 years are 5 × 365 = 1,825 days (not 1,826)."""
    assert _band(days) == band
