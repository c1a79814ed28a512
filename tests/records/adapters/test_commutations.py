"""The federal commutations adapter on the real grant lists, checked against the CSVs read independently."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from pathlib import Path

import polars as pl
import pytest
from tests.records.adapters.conftest import dataset_folder, frames_of, row_by_source_id

from secondchance.records.adapters import ADAPTERS

pytestmark = pytest.mark.realdata


folder = functools.partial(dataset_folder, "commutations")
frames = functools.partial(frames_of, "commutations")
by_id = functools.partial(row_by_source_id, "commutations")


def grants() -> dict[str, dict[str, str]]:
    with (folder() / "newcomms.csv").open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def test_counts() -> None:
    rows = grants()
    # newcomms.csv holds 1,687 grants (ids 1..1716, 29 dropped by its author's parser); its 1,716
    # lines include line breaks inside quoted values.
    assert len(rows) == 1687
    assert frames()["person"].height == 1687
    convictions = sum(1 for r in rows.values() for s in ("", "_2", "_3") if r[f"sentence{s}"] != "NA")
    assert frames()["sentence"].height == frames()["charge"].height == convictions == 1687 + 33 + 1
    assert set(frames()["sentence"]["status"]) == {"commuted"}
    assert set(frames()["sentence"]["system"]) == {"federal"}


def test_first_grant() -> None:
    raw = grants()["1"]
    assert raw["district_date"] == "District of Maryland; October 8, 2008"
    sentence = by_id("sentence", "1:1")
    assert sentence["person_source_id"] == "1"
    assert (sentence["court"], sentence["imposed_date"]) == ("District of Maryland", dt.date(2008, 10, 8))
    assert (sentence["sentence_type"], sentence["term_months"], sentence["term_days"]) == ("determinate", 235, 0)
    assert sentence["supervised_release_months"] == 60  # "five years' supervised release"
    assert sentence["commuted_term_months"] == 180  # "commuted to a term of 180 months' imprisonment"
    assert sentence["source_release_date"] is None and sentence["commutation_date"] is None
    assert sentence["commutation_terms"] == raw["terms_of_grant"]
    assert "residential drug treatment" in sentence["commutation_terms"]
    charge = by_id("charge", "1:1")
    assert charge["description"] == raw["offense"] == "Possession with intent to distribute cocaine base"
    assert charge["offense_category"] == "drug" and charge["sentence_source_id"] == "1:1"


def test_commuted_to_expire_gives_the_release_date() -> None:
    raw = grants()["3"]
    found = re.search(r"expire on ([A-Z][a-z]+ \d{1,2}, \d{4})", raw["terms_of_grant"])
    assert found is not None
    sentence = by_id("sentence", "3:1")
    assert sentence["source_release_date"] == dt.datetime.strptime(found.group(1), "%B %d, %Y").date()
    assert sentence["source_release_date"] == dt.date(2017, 7, 18)
    assert sentence["commuted_term_months"] is None


def test_life_sentences() -> None:
    rows = grants()
    life = {i for i, r in rows.items() if r["sentence"].lower().lstrip("1. ").startswith("life")}
    sentences = frames()["sentence"].filter(pl.col("source_id").str.ends_with(":1"))
    found = set(sentences.filter(pl.col("sentence_type") == "life")["person_source_id"])
    assert found == life and len(life) > 500
    assert sentences.filter(pl.col("sentence_type") == "life")["term_months"].null_count() == len(life)


def test_second_conviction_of_a_grant() -> None:
    raw = grants()["370"]
    assert raw["district_date_2"].startswith("2. Eastern District of Kentucky")
    second = by_id("sentence", "370:2")
    assert (second["court"], second["imposed_date"]) == ("Eastern District of Kentucky", dt.date(2004, 12, 13))
    assert (second["sentence_type"], second["term_months"]) == ("determinate", 6)  # "2. Six months' imprisonment"
    assert second["commuted_term_months"] == by_id("sentence", "370:1")["commuted_term_months"] == 360
    assert by_id("charge", "370:2")["description"].startswith("Possession of a prohibited object")


def test_grant_dates_come_from_the_warrant_headings_of_the_scrape() -> None:
    """Grants after "DECEMBER 19, 2013 ... Download PDF Clemency Warrant" up to the next heading share its date."""
    with (folder() / "commutations.csv").open(newline="", encoding="utf-8") as handle:
        scrape = list(csv.DictReader(handle))
    ordinal, heading, dated = 0, None, {}
    for row in scrape:
        if "Download PDF Clemency Warrant" in row["item"]:
            heading = dt.datetime.strptime(row["item"].split("\n")[0].strip().title(), "%B %d, %Y").date()
        if row["item"] == "Offense:":
            ordinal += 1
            if heading is not None:
                dated[str(ordinal)] = heading
    assert set(dated.values()) == {
        dt.date(2014, 12, 17),
        dt.date(2014, 12, 15),
        dt.date(2014, 4, 15),
        dt.date(2013, 12, 19),
        dt.date(2011, 11, 21),
    }
    sentences = frames()["sentence"].filter(pl.col("commutation_date").is_not_null())
    expected = {i: d for i, d in dated.items() if i in grants()}
    assert dict(zip(sentences["person_source_id"], sentences["commutation_date"], strict=True)) == expected
    assert by_id("sentence", "1716:1")["commutation_date"] == dt.date(2011, 11, 21)


def test_a_scrape_out_of_step_with_the_grants_is_refused(tmp_path: Path) -> None:
    from secondchance.errors import UserError

    (tmp_path / "newcomms.csv").write_bytes((folder() / "newcomms.csv").read_bytes())
    scrape = (folder() / "commutations.csv").read_text(encoding="utf-8")
    # Grant 1716 (dated by the NOVEMBER 21, 2011 heading) is a cocaine distribution; make the scrape disagree.
    changed = scrape.replace(
        '"Offense:","Distribution of cocaine base, 21 U.S.C. § 841(a)(1)"', '"Offense:","Bank fraud"'
    )
    assert changed != scrape
    (tmp_path / "commutations.csv").write_text(changed, encoding="utf-8")
    with pytest.raises(UserError, match=r"newcomms.csv: line \d+: column 'id': grant 1716 is not the grant"):
        ADAPTERS["commutations"].read(tmp_path)
