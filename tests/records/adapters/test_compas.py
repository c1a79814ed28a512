"""The COMPAS adapter on the real Broward County files, checked against the CSVs read independently."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.adapters.conftest import csv_rows, dataset_folder, frames_of, row_by_source_id

from secondchance.records.ingest import load_frames
from secondchance.records.store import ensure_schema

pytestmark = pytest.mark.realdata


folder = functools.partial(dataset_folder, "compas")
frames = functools.partial(frames_of, "compas")
raw_rows = functools.partial(csv_rows, "compas")
by_id = functools.partial(row_by_source_id, "compas")


def day(timestamp: str) -> dt.date:
    return dt.date.fromisoformat(timestamp[:10])


def test_counts() -> None:
    jail, prison = raw_rows("jailhistory.csv"), raw_rows("prisonhistory.csv")
    assert frames()["person"].height == 11757 == len(raw_rows("people.csv"))
    assert len(jail) == 22111
    custody = frames()["custody_period"]
    # One jail row ends (2014-05-01) before it starts (2014-05-05); it is the only one not loaded.
    backwards = [r for r in jail if day(r["out_custody"]) < day(r["in_custody"])]
    assert [r["id"] for r in backwards] == ["19212"]
    assert custody.filter(pl.col("custody_type") == "jail").height == 22111 - 1
    assert custody.filter(pl.col("custody_type") == "prison").height == len(prison) == 4945
    assert frames()["assessment"].height == 2 * 11757


def test_person_spot_values() -> None:
    people = {r["id"]: r for r in raw_rows("people.csv")}
    first = by_id("person", "1")
    assert (first["sex"], first["race"], first["race_raw"], first["jurisdiction"]) == (
        "male",
        "other",
        "Other",
        "us-fl",
    )
    assert first["birth_year"] == 2013 - 69  # age 69 at the screening of 2013-08-14
    frame = frames()["person"]
    expected = {"African-American": "black", "Caucasian": "white", "Hispanic": "hispanic"}
    for raw, race in expected.items():
        ids = frame.filter(pl.col("race") == race)["source_id"].to_list()
        assert ids and all(people[i]["race"] == raw for i in ids)
        assert len(ids) == sum(r["race"] == raw for r in people.values())
    assert frame.filter(pl.col("sex") == "female").height == sum(r["sex"] == "Female" for r in people.values())


def test_still_in_custody_is_an_open_period_keeping_the_raw_value() -> None:
    jail = {r["id"]: r for r in raw_rows("jailhistory.csv")}
    prison = raw_rows("prisonhistory.csv")
    assert jail["2331"]["out_custody"].startswith("2020-01-01")
    open_jail = by_id("custody_period", "jail:2331")
    assert open_jail["start_date"] == dt.date(2015, 12, 22) and open_jail["end_date"] is None
    assert open_jail["person_source_id"] == jail["2331"]["person_id"]
    assert "2020-01-01 00:00:00.000000" in open_jail["reason"]
    custody = frames()["custody_period"]
    placeholders = sum(r["out_custody"].startswith("2020-01-01") for r in prison)
    assert placeholders == 679
    assert custody.filter(pl.col("custody_type") == "prison", pl.col("end_date").is_null()).height == 679
    assert custody.filter(pl.col("custody_type") == "jail", pl.col("end_date").is_null()).height == 8
    assert custody.filter(pl.col("end_date") == dt.date(2020, 1, 1)).height == 0


def test_closed_periods_are_the_dates_of_the_timestamps() -> None:
    jail = raw_rows("jailhistory.csv")[0]  # id 1: 2013-08-05 12:41:27 to 2013-08-13 02:27:19, person 880
    period = by_id("custody_period", f"jail:{jail['id']}")
    assert (period["start_date"], period["end_date"]) == (day(jail["in_custody"]), day(jail["out_custody"]))
    assert (period["start_date"], period["end_date"], period["person_source_id"]) == (
        dt.date(2013, 8, 5),
        dt.date(2013, 8, 13),
        "880",
    )
    prison = raw_rows("prisonhistory.csv")[0]
    period = by_id("custody_period", f"prison:{prison['id']}")
    assert (period["start_date"], period["end_date"]) == (dt.date(1986, 3, 13), dt.date(1987, 2, 19))


def test_assessments_per_scale() -> None:
    scores = {r["id"]: r for r in raw_rows("compas-scores.csv")}
    recidivism, violence = by_id("assessment", "2:recidivism"), by_id("assessment", "2:violence")
    assert scores["2"]["score_text"] == "Medium" and scores["2"]["v_score_text"] == "Low"
    assert (recidivism["scale"], recidivism["score"], recidivism["risk_level"]) == ("Risk of Recidivism", 5.0, "medium")
    assert (violence["scale"], violence["score"], violence["risk_level"]) == ("Risk of Violence", 2.0, "low")
    assert recidivism["assessed_on"] == dt.date(2014, 12, 31) and recidivism["tool"] == "compas"
    frame = frames()["assessment"]
    unscored = [i for i, r in scores.items() if r["score_text"] == "N/A"]
    assert len(unscored) == 15
    missing = frame.filter(pl.col("scale") == "Risk of Recidivism", pl.col("score").is_null())
    assert sorted(missing["person_source_id"]) == sorted(unscored)
    assert missing["risk_level"].null_count() == 15 and set(missing["risk_level_raw"]) == {"N/A"}
    high = frame.filter(pl.col("scale") == "Risk of Violence", pl.col("risk_level") == "high")
    assert high.height == sum(r["v_score_text"] == "High" for r in scores.values()) == 1116


@pytest.mark.slow
def test_loads_and_reloads_without_change(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "store.duckdb")) as connection:
        ensure_schema(connection)
        load_frames(connection, frames(), adapter="compas")
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM custody_period WHERE custody_type = 'jail'),"
            " (SELECT count(*) FROM custody_period WHERE end_date IS NULL)"
        ).fetchone()
        assert counts == (11757, 22110, 687)
        before = connection.execute("SELECT * EXCLUDE (ingest_id) FROM custody_period ORDER BY id").fetchall()
        load_frames(connection, frames(), adapter="compas")
        assert connection.execute("SELECT * EXCLUDE (ingest_id) FROM custody_period ORDER BY id").fetchall() == before
