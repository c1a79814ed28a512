"""The sentence-text and partial-date parsers, on the formats found in the real exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from secondchance.records.adapters.parsing import (
    cdcr_term,
    federal_commuted_term,
    federal_statutes,
    federal_term,
    month_year_first_day,
    supervised_release_months,
)


def parse(expr: Any, text: str | None) -> Any:
    """Apply a parser expression to one text value and give the result (a dict for structs)."""
    return pl.DataFrame({"t": [text]}, schema={"t": pl.String}).select(expr("t").alias("r")).item()


@pytest.mark.parametrize(
    ("text", "kind", "term_months", "min_term_months"),
    [
        # Every shape in current_commitments.csv and prior_commitments.csv (offense time with enhancement
        # and sentence from abstract of judgement).
        ("25 Years 0 Months-to-Life", "life", None, 300),
        ("7 Years 8 Months-to-Life", "life", None, 92),
        ("0 Months-to-Life", "life", None, None),  # minimum from statute (Cal. Penal Code § 3046), not written
        ("4 Years 0 Months", "determinate", 48, None),
        ("1 Year 4 Months", "determinate", 16, None),
        ("1 Years 4 Months", "determinate", 16, None),
        ("1 Year", "determinate", 12, None),
        ("35 Years", "determinate", 420, None),
        ("127 Years 4 Months", "determinate", 1528, None),
        ("8 Months", "determinate", 8, None),
        ("0 Years 8 Months", "determinate", 8, None),
        ("0 Months", "determinate", 0, None),
        ("Stayed", "stayed", None, None),
        ("Life with Parole", "life", None, None),
        ("Life without Parole", "life_without_parole", None, None),
        ("  ", None, None, None),
        (None, None, None, None),
        ("about ten years", None, None, None),
    ],
)
def test_cdcr_term(text: str | None, kind: str | None, term_months: int | None, min_term_months: int | None) -> None:
    assert parse(cdcr_term, text) == {"kind": kind, "term_months": term_months, "min_term_months": min_term_months}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MAR25", dt.date(2025, 3, 1)),
        ("SEP24", dt.date(2024, 9, 1)),
        ("DEC78", dt.date(2078, 12, 1)),
        ("JAN12", dt.date(2012, 1, 1)),
        ("feb29", dt.date(2029, 2, 1)),
        ("MARCH25", None),
        ("XYZ25", None),
        ("03/2025", None),
        (None, None),
    ],
)
def test_month_year_first_day(text: str | None, expected: dt.date | None) -> None:
    assert parse(month_year_first_day, text) == expected


@pytest.mark.parametrize(
    ("text", "kind", "term_months", "term_days"),
    [
        ("235 months' imprisonment; five years' supervised release", "determinate", 235, 0),
        ("384 months' imprisonment; five years' supervised release; $1,000 fine", "determinate", 384, 0),
        ("240 months", "determinate", 240, 0),
        ("1. 240 months' imprisonment (consecutive)", "determinate", 240, 0),
        ("2.\u00a0 120 months' imprisonment", "determinate", 120, 0),
        ("1,000 months' imprisonment", "determinate", 1000, 0),
        ("20 years' imprisonment", "determinate", 240, 0),
        ("10 years' and 6 months' imprisonment", "determinate", 126, 0),
        ("262 months and six days' imprisonment", "determinate", 262, 6),
        ("3. 14 months and 1 day's imprisonment", "determinate", 14, 1),
        ("2. six months' imprisonment (consecutive)", "determinate", 6, 0),
        ("360 months\u2019 imprisonment (as amended on December 8, 2009)", "determinate", 360, 0),
        ("Life imprisonment; 10 years' supervised release", "life", None, None),
        ("life plus 60 months' imprisonment", "life", None, None),
        ("1. life imprisonment", "life", None, None),
        ("Death sentence, dishonorable discharge, and forfeiture of all pay and allowances ()", "death", None, None),
        ("2. 10 years' supervised release", None, None, None),
        (None, None, None, None),
    ],
)
def test_federal_term(text: str | None, kind: str | None, term_months: int | None, term_days: int | None) -> None:
    assert parse(federal_term, text) == {"kind": kind, "term_months": term_months, "term_days": term_days}


@pytest.mark.parametrize(
    ("text", "term_months", "expires_on"),
    [
        (
            "Prison sentence commuted to a term of 180 months' imprisonment, conditioned upon enrollment in "
            "residential drug treatment",
            180,
            None,
        ),
        ("Prison sentence commuted to 138 months' imprisonment, leaving intact ...", 138, None),
        ("Prison sentence commuted a term of 240 months' imprisonment.", 240, None),
        ("Prison sentence commuted to a term of 30 years' imprisonment, leaving intact ...", 360, None),
        ("Prison sentence commuted to expire on May 19, 2017.", None, dt.date(2017, 5, 19)),
        ("Sentence of imprisonment to expire on June 12, 2015, leaving intact ...", None, dt.date(2015, 6, 12)),
        ("Prison sentence commuted to expire January 19, 2019, conditioned upon ...", None, dt.date(2019, 1, 19)),
        ("Prison sentence commuted to expire no sooner than May 1, 2017, leaving ...", None, dt.date(2017, 5, 1)),
        (
            "Prison sentence in above conviction commuted to expire on November 10. 2015, ...",
            None,
            dt.date(2015, 11, 10),
        ),
        (
            "Prison sentence commuted to expire on April 16, 2016, and the eight-year supervised release term "
            "commuted to four years of supervised release",
            None,
            dt.date(2016, 4, 16),
        ),
        ("Sentence of imprisonment commuted to time served; term of supervised release commuted ...", None, None),
        ("Death sentence commuted to life imprisonment without the possibility of parole.", None, None),
        (None, None, None),
    ],
)
def test_federal_commuted_term(text: str | None, term_months: int | None, expires_on: dt.date | None) -> None:
    assert parse(federal_commuted_term, text) == {"term_months": term_months, "expires_on": expires_on}


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("235 months' imprisonment; five years' supervised release", 60),
        ("240 months' imprisonment, 10 years\u2019 supervised release", 120),
        ("life imprisonment", None),
    ],
)
def test_supervised_release_months(text: str, months: int | None) -> None:
    assert parse(supervised_release_months, text) == months


def test_federal_statutes() -> None:
    text = "Conspiracy, 21 U.S.C. § 846; money laundering, 18 U.S.C. § 1956(h); distribution, 21 U.S.C. §§ 841(a)(1)."
    assert parse(federal_statutes, text) == "21 U.S.C. § 846; 18 U.S.C. § 1956(h); 21 U.S.C. §§ 841(a)(1)"
    assert parse(federal_statutes, "Possession with intent to distribute cocaine base") is None
