"""The CDCR adapter on the real Redo.io cohort, checked against the CSV files read independently."""

from __future__ import annotations

import datetime as dt
import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from tests.records.adapters.conftest import csv_rows, dataset_folder, frames_of, row_by_source_id

from secondchance.records.adapters import ADAPTERS
from secondchance.records.schema import TABLE_NAMES

pytestmark = pytest.mark.realdata


folder = functools.partial(dataset_folder, "cdcr")
frames = functools.partial(frames_of, "cdcr")
raw_rows = functools.partial(csv_rows, "cdcr")
by_id = functools.partial(row_by_source_id, "cdcr")


def test_counts() -> None:
    current, prior = raw_rows("current_commitments.csv"), raw_rows("prior_commitments.csv")
    assert frames()["person"].height == 551 == len(raw_rows("demographics.csv"))
    assert len(current) == 3698 and len(prior) == 2293
    assert frames()["charge"].height == 3698 + 2293
    key = ("cdcno", "case number", "sentencing county", "sentence from abstract of judgement")
    cases = {tuple(r[k] for k in key) for r in current} | {("prior",) + tuple(r[k] for k in key) for r in prior}
    assert frames()["sentence"].height == len(cases)
    releases = {(r["cdcno"], r["release date"]) for r in prior if r["release date"]}
    assert frames()["release"].height == len(releases)
    assert frames()["offense_table_entry"].height == len(raw_rows("offense_tables.csv")) == 333


def test_person_spot_values() -> None:
    person = by_id("person", "531c562471")
    assert (person["jurisdiction"], person["race"], person["race_raw"]) == ("us-ca", "white", "White")
    assert person["birth_year"] is None  # `age in years` is empty throughout the release
    races = {r["cdcno"]: r["ethnicity"] for r in raw_rows("demographics.csv")}
    frame = frames()["person"]
    assert dict(zip(frame["source_id"], frame["race_raw"], strict=True)) == races
    assert frame.filter(pl.col("race_raw") == "Mexican")["race"].unique().to_list() == ["hispanic"]


def controlling() -> pl.DataFrame:
    return frames()["sentence"].filter(
        pl.col("source_release_date").is_not_null() | pl.col("source_parole_eligibility_date").is_not_null(),
        pl.col("status") == "active",
    )


def test_every_person_has_one_controlling_sentence_with_its_eprd_or_mepd() -> None:
    sentences = controlling()
    assert sentences.height == 551 and sentences["person_source_id"].is_unique().all()
    demographics = {r["cdcno"]: r for r in raw_rows("demographics.csv")}
    for row in sentences.iter_rows(named=True):
        person = demographics[row["person_source_id"]]
        text = person["eprd/mepd month and year"]  # e.g. MAR25; every year is 20YY (docs/adapters.md)
        month_first_day = dt.date(2000 + int(text[3:]), dt.datetime.strptime(text[:3].title(), "%b").month, 1)
        assert row["sentence_type_raw"] == person["sentence type"]
        assert row["source_date_text"] == text
        if person["sentence type"] in ("Third Striker", "Life with Parole"):  # MEPD of a life term
            assert (row["sentence_type"], row["source_parole_eligibility_date"]) == ("life", month_first_day)
            assert row["source_release_date"] is None
        else:  # EPRD of a determinate term (DSL, Second Striker)
            assert (row["sentence_type"], row["source_release_date"]) == ("determinate", month_first_day)
            assert row["source_parole_eligibility_date"] is None
        if person["controlling case number"]:
            assert row["case_number"] == person["controlling case number"]
        assert row["court"] == person["controlling case sentencing county"]


def test_controlling_sentence_spot_values() -> None:
    third_striker = controlling().filter(pl.col("person_source_id") == "531c562471").row(0, named=True)
    # demographics: Third Striker, MAR25, aggregate 348 months: the case's 25 Years 0 Months-to-Life count
    # plus its consecutive 4 Years 0 Months count (served first, Cal. Penal Code § 669(a)): 300 + 48
    assert third_striker["sentence_type"] == "life" and third_striker["min_term_months"] == 300 + 48
    assert third_striker["term_months"] is None
    assert third_striker["source_parole_eligibility_date"] == dt.date(2025, 3, 1)
    second_striker = controlling().filter(pl.col("person_source_id") == "0bec561ce8").row(0, named=True)
    assert (second_striker["sentence_type"], second_striker["source_release_date"]) == (
        "determinate",
        dt.date(2024, 9, 1),
    )
    assert second_striker["system"] == "us-ca" and second_striker["status"] == "active"


def test_the_controlling_sentence_carries_the_aggregate_and_other_cases_run_inside_it() -> None:
    demographics = {r["cdcno"]: r for r in raw_rows("demographics.csv")}
    for row in controlling().iter_rows(named=True):
        person = demographics[row["person_source_id"]]
        aggregate = int(person["aggregate sentence in months"])
        if person["sentence type"] in ("Third Striker", "Life with Parole"):
            assert (row["term_months"], row["min_term_months"]) == (None, aggregate)
        else:
            assert (row["term_months"], row["min_term_months"]) == (aggregate, None)
    current = frames()["sentence"].filter(pl.col("status") == "active")
    assert current.height > 551  # people with more than one current case
    assert "consecutive_to_source_id" not in current.columns  # no case is linked: NULL, concurrent
    # A second current case keeps its own abstract term, e.g. "23 Years" beside a 268-month DSL aggregate.
    other = current.filter(pl.col("person_source_id") == "77cdefe593", pl.col("source_date_text").is_null())
    assert other.height == 1 and other.row(0, named=True)["term_months"] == 23 * 12
    assert int(demographics["77cdefe593"]["aggregate sentence in months"]) == 268


def test_charges_match_the_commitment_rows() -> None:
    current = raw_rows("current_commitments.csv")
    first = by_id("charge", "531c562471:current:2")  # line 2: the first data row
    assert current[0]["cdcno"] == "531c562471" and current[0]["offense"] == first["statute"]
    assert first["description"] == current[0]["offense description"]
    assert (first["offense_category"], first["offense_category_raw"]) == ("other", "Other Crimes")
    assert first["offense_date"] == dt.date(2003, 1, 29)
    assert (first["relationship"], first["relationship_raw"]) == ("concurrent", "Concurrent")
    assert first["term_months"] is None  # 25 Years 0 Months-to-Life
    second = by_id("charge", "531c562471:current:3")
    assert current[1]["offense time with enhancement"] == "4 Years 0 Months"
    assert (second["term_months"], second["relationship"]) == (48, "consecutive")
    stayed = frames()["charge"].filter(pl.col("relationship_raw") == "Stayed")
    assert stayed.height == sum(r["relationship"] == "Stayed" for r in current) + sum(
        r["relationship"] == "Stayed" for r in raw_rows("prior_commitments.csv")
    )
    assert stayed["relationship"].null_count() == stayed.height and stayed["term_months"].null_count() == stayed.height


def test_enhancements_are_joined_as_written() -> None:
    charges = frames()["charge"]
    found = dict(zip(charges["source_id"], charges["enhancements"], strict=True))
    with_enhancements = 0
    for line, row in enumerate(raw_rows("current_commitments.csv"), start=2):
        codes = [row[f"off_enh{n}"] for n in range(1, 12) if row[f"off_enh{n}"].strip()]
        assert found[f"{row['cdcno']}:current:{line}"] == (";".join(codes) if codes else None)
        with_enhancements += bool(codes)
    assert with_enhancements == 703


def test_prior_commitments_are_completed_with_their_release() -> None:
    prior = frames()["sentence"].filter(pl.col("status") == "completed")
    assert prior["source_id"].str.contains(":prior:").all()
    rows = [r for r in raw_rows("prior_commitments.csv") if r["cdcno"] == "531c562471"]
    releases = {dt.datetime.strptime(r["release date"], "%m/%d/%Y").date() for r in rows if r["release date"]}
    person_releases = frames()["release"].filter(pl.col("person_source_id") == "531c562471")
    assert set(person_releases["release_date"]) == releases
    assert dt.date(1992, 2, 6) in releases
    sentence = prior.filter(pl.col("person_source_id") == "531c562471", pl.col("case_number") == "case-6d9e3b1579")
    assert sentence.height == 1
    assert sentence.row(0, named=True)["term_months"] == 136  # 11 Years 4 Months
    assert sentence.row(0, named=True)["source_release_date"] == dt.date(1992, 2, 6)


def test_offence_tables_are_loaded_as_given_and_cleaned_as_the_screen_cleaned_them() -> None:
    # SOURCE.md: "Table A serious felonies 52, Table B violent felonies 83, Table C super strike offences 33,
    # Table D registrable sex offences 142, Table E homicide offences 8, Table F robbery offences 15".
    entries = frames()["offense_table_entry"]
    counts = dict(entries.group_by("table_letter").len().iter_rows())
    assert counts == {"A": 52, "B": 83, "C": 33, "D": 142, "E": 8, "F": 15}
    raw = raw_rows("offense_tables.csv")
    assert entries["offense"].to_list() == [row["offense"] for row in raw]  # values as given, in file order
    assert entries["table_name"].to_list() == [row["table"] for row in raw]
    cleaned = dict(zip(entries["offense"], entries["offense_cleaned"], strict=True))
    # SOURCE.md's cleaning: lower case, trailing periods dropped, `pc`, `rape`, line breaks and spaces removed.
    assert (cleaned["136.1(b)/ATT"], cleaned["261 Rape"], cleaned["211A"]) == ("136.1(b)/att", "261", "211a")
    assert entries["source_id"].to_list()[0] == "offense_tables:2"


def test_the_offence_tables_are_optional(tmp_path: Path) -> None:
    for name in ("demographics.csv", "current_commitments.csv", "prior_commitments.csv"):
        (tmp_path / name).write_bytes((folder() / name).read_bytes())
    read = ADAPTERS["cdcr"].read(tmp_path)
    assert "offense_table_entry" not in read and read["person"].height == 551
    assert [path.name for path in ADAPTERS["cdcr"].files(tmp_path)] == [
        "demographics.csv", "current_commitments.csv", "prior_commitments.csv"
    ]  # fmt: skip


def test_the_controlling_sentence_names_its_offence_and_the_screens_time_served() -> None:
    demographics = {r["cdcno"]: r for r in raw_rows("demographics.csv")}
    sentences = frames()["sentence"]
    assert sentences.filter(pl.col("controlling"))["source_id"].to_list() == controlling()["source_id"].to_list()
    assert sentences.filter(~pl.col("controlling")).height == sentences.height - 551
    for row in controlling().iter_rows(named=True):
        person = demographics[row["person_source_id"]]
        assert row["controlling_offense"] == person["controlling offense"]
        assert row["source_time_served_years"] == float(person["time served in years"])
        # SOURCE.md: the screen counted from the controlling offence's end date to the day it ran, in years of
        # 365 days (redoio helpers.gen_time_vars); 2024-11-08 gives every figure to its one decimal.
        end = dt.datetime.strptime(person["offense end date"], "%m/%d/%Y").date()
        assert abs((dt.date(2024, 11, 8) - end).days / 365 - float(person["time served in years"])) <= 0.05
        assert row["source_time_served_on"] == dt.date(2024, 11, 8)


def test_a_figure_computed_on_another_day_is_not_dated(tmp_path: Path) -> None:
    for name in ("demographics.csv", "current_commitments.csv", "prior_commitments.csv"):
        (tmp_path / name).write_bytes((folder() / name).read_bytes())
    # The first person's offence ended 01/29/2003 and the figure is 21.8; 25.0 cannot be that day's figure.
    text = (tmp_path / "demographics.csv").read_text(encoding="utf-8").replace(",21.8,", ",25.0,", 1)
    (tmp_path / "demographics.csv").write_text(text, encoding="utf-8")
    sentences = ADAPTERS["cdcr"].read(tmp_path)["sentence"].filter(pl.col("person_source_id") == "531c562471")
    row = sentences.filter(pl.col("controlling")).row(0, named=True)
    assert (row["source_time_served_years"], row["source_time_served_on"]) == (25.0, None)


def test_a_malformed_month_year_names_file_line_and_column(tmp_path: Path) -> None:
    from secondchance.errors import UserError

    for name in ("demographics.csv", "current_commitments.csv", "prior_commitments.csv"):
        (tmp_path / name).write_bytes((folder() / name).read_bytes())
    text = (tmp_path / "demographics.csv").read_text(encoding="utf-8").replace(",MAR25,", ",March 2025,", 1)
    (tmp_path / "demographics.csv").write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=r"demographics.csv: line 2: column 'eprd/mepd month and year': 'March 2025'"):
        ADAPTERS["cdcr"].read(tmp_path)


def ingest(store: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "secondchance",
        "ingest",
        "--store",
        str(store),
        "--adapter",
        "cdcr",
        str(folder()),
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def contents(store: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every records table, all columns but the ingest id, in id order."""
    with duckdb.connect(str(store), read_only=True) as connection:
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for name in TABLE_NAMES:
            columns = [r[0] for r in connection.execute(f"DESCRIBE {name}").fetchall() if r[0] != "ingest_id"]
            tables[name] = connection.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY id").fetchall()
        return tables


@pytest.mark.slow
def test_cli_loads_551_people_and_a_second_load_changes_nothing(store_path: Path) -> None:
    first = ingest(store_path)
    assert first.returncode == 0, first.stderr
    loaded = contents(store_path)
    assert len(loaded["person"]) == 551
    assert len(loaded["charge"]) == 5991
    assert len(loaded["offense_table_entry"]) == 333
    second = ingest(store_path)
    assert second.returncode == 0, second.stderr
    assert contents(store_path) == loaded
