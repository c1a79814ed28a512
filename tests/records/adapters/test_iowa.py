"""The Iowa adapter on the real release file, checked against the CSV read independently."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.adapters.conftest import csv_rows, dataset_folder, frames_of, row_by_source_id

from secondchance.errors import UserError
from secondchance.records.adapters import ADAPTERS
from secondchance.records.adapters.iowa import RELEASES
from secondchance.records.ingest import load_frames
from secondchance.records.store import ensure_schema

pytestmark = pytest.mark.realdata


folder = functools.partial(dataset_folder, "iowa")
frames = functools.partial(frames_of, "iowa")
by_id = functools.partial(row_by_source_id, "iowa")


@functools.cache
def raw_rows() -> list[dict[str, str]]:
    return csv_rows("iowa", RELEASES)


def test_one_record_per_release() -> None:
    assert len(raw_rows()) == 26020
    for name in ("person", "sentence", "charge", "release"):
        assert frames()[name].height == 26020, name
    assert frames()["release"]["source_id"].to_list()[:2] == ["row-1", "row-2"]


def test_first_release() -> None:
    raw = raw_rows()[0]
    assert (raw["Release Type"], raw["Offense Subtype"], raw["Days to Return"]) == ("Parole", "Robbery", "433")
    release = by_id("release", "row-1")
    assert release["person_source_id"] == "row-1"
    assert (release["release_year"], release["release_type"], release["release_type_raw"]) == (2010, "parole", "Parole")
    assert (release["age_at_release"], release["supervising_district"]) == ("25-34", "7JD")
    assert (release["returned_to_prison"], release["days_to_return"], release["return_type"]) == (True, 433, "New")
    person = by_id("person", "row-1")
    assert (person["sex"], person["race"], person["race_raw"], person["jurisdiction"]) == (
        "male",
        "black",
        "Black - Non-Hispanic",
        "us-ia",
    )
    charge = by_id("charge", "row-1")
    assert (charge["description"], charge["offense_category"], charge["offense_class"]) == (
        "Robbery",
        "violent",
        "C Felony",
    )
    sentence = by_id("sentence", "row-1")
    assert (sentence["system"], sentence["sentence_type"], sentence["status"]) == ("us-ia", None, None)


def test_discharged_at_the_end_of_sentence_is_a_completed_sentence() -> None:
    raw = raw_rows()[1]
    assert raw["Release Type"] == "Discharged \u2013 End of Sentence"  # an en dash, as written
    sentence = by_id("sentence", "row-2")
    assert (sentence["status"], sentence["status_raw"]) == ("completed", raw["Release Type"])
    assert by_id("release", "row-2")["release_type"] == "expiration"


def test_distributions_match_the_file() -> None:
    rows = raw_rows()
    releases = frames()["release"]
    assert releases["returned_to_prison"].sum() == sum(r["Return to Prison"] == "Yes" for r in rows) == 8681
    assert releases["days_to_return"].null_count() == sum(r["Days to Return"] == "" for r in rows) == 17339
    types = Counter(r["Release Type"] for r in rows)
    parole = releases.filter(pl.col("release_type") == "parole").height
    assert parole == sum(n for t, n in types.items() if t.startswith("Parole") or t == "Interstate Compact Parole")
    assert releases["release_type"].null_count() == types[""] == 1762
    charges = frames()["charge"]
    assert charges.filter(pl.col("offense_category") == "sex").height == sum(
        r["Offense Subtype"] == "Sex" for r in rows
    )
    weapons = sum(r["Offense Subtype"] == "Weapons" for r in rows)
    assert charges.filter(pl.col("offense_category") == "weapon").height == weapons == 372
    people = frames()["person"]
    hispanic = sum(r["Race - Ethnicity"].endswith("- Hispanic") for r in rows)
    assert people.filter(pl.col("race") == "hispanic").height == hispanic
    asian_or_pacific = sum(r["Race - Ethnicity"] == "Asian or Pacific Islander - Non-Hispanic" for r in rows)
    unknown = people.filter(pl.col("race").is_null())
    assert unknown.height == asian_or_pacific + sum(r["Race - Ethnicity"] in ("", "N/A -") for r in rows)


def test_a_malformed_year_names_file_line_and_column(tmp_path: Path) -> None:
    text = (folder() / RELEASES).read_text(encoding="utf-8").split("\n")
    text[3] = "20l0" + text[3][4:]  # line 4 of the file
    (tmp_path / RELEASES).write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(UserError, match=rf"{RELEASES}: line 4: column 'Fiscal Year Released': '20l0' is not a year"):
        ADAPTERS["iowa"].read(tmp_path)


@pytest.mark.slow
def test_loads_and_reloads_without_change(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "store.duckdb")) as connection:
        ensure_schema(connection)
        load_frames(connection, frames(), adapter="iowa")
        tables = ("person", "sentence", "charge", "release")
        assert [connection.execute(f"SELECT count(*) FROM {t}").fetchone() for t in tables] == [(26020,)] * 4
        before = connection.execute("SELECT * EXCLUDE (ingest_id) FROM release ORDER BY id").fetchall()
        load_frames(connection, frames(), adapter="iowa")
        assert connection.execute("SELECT * EXCLUDE (ingest_id) FROM release ORDER BY id").fetchall() == before
