"""California CDCR cohort (Redo.io CPRA release, Dec 2023): people, current and prior commitments.

One sentence per case (a person's rows sharing case number, county and abstract-of-judgement
sentence), one charge per commitment row, one release per person and prior release date, and, when
the data set carries them, the offence tables its screen read (`offense_tables.csv`), one row each.
docs/adapters.md ("cdcr") lists every column and decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from secondchance.records.adapters.base import (
    LINE_COLUMN,
    blank_to_null,
    check_parsed,
    map_text,
    read_text_csv,
    require_files,
    us_date,
)
from secondchance.records.adapters.mappings import (
    CDCR_OFFENSE_CATEGORY,
    CDCR_RACE,
    CDCR_RELATIONSHIP,
    CDCR_SENTENCE_TYPE,
)
from secondchance.records.adapters.parsing import cdcr_term, month_year_first_day
from secondchance.records.completeness import Completeness, complete, not_complete

__all__ = ["CdcrAdapter", "CDCR", "DEMOGRAPHICS", "CURRENT", "PRIOR", "OFFENSE_TABLES", "AS_OF_YEAR", "SCREEN_RUN_DATE"]

SOURCE = "cdcr"
JURISDICTION = "us-ca"
DEMOGRAPHICS = "demographics.csv"
CURRENT = "current_commitments.csv"
PRIOR = "prior_commitments.csv"
# Redo.io's offence tables A-F (SOURCE.md, "Offence tables"); optional: older copies of the data set lack it.
OFFENSE_TABLES = "offense_tables.csv"
# The cohort is CDCR's population of December 2023 (SOURCE.md): ages are as of that year.
AS_OF_YEAR = 2023
ENHANCEMENT_COLUMNS = tuple(f"off_enh{n}" for n in range(1, 12))
# What the export holds in full (docs/adapters.md, "Completeness"); its other silences stay unknown.
COMPLETENESS: Completeness = {
    "charge": complete("the commitment files list every offence of each case, one row a count"),
    "enhancement": complete("off_enh1-11 hold the enhancements of each current count; an empty one is none"),
    "jail_credit": not_complete("the export has no presentence credit"),
    "prior_sentence": complete("prior_commitments.csv lists each person's earlier CDCR commitments"),
    "custody_period": not_complete("the export has no custody periods"),
    "incident": not_complete("the export has no disciplinary record"),
    "enrollment": not_complete("the export has no programme record"),
}
# The day Redo.io's screen computed `time served in years`: (this day - offense end date) / 365 days, to one
# decimal, reproduces the figure of all 551 people (docs/adapters.md, "Time served as the screen measured it").
SCREEN_RUN_DATE = dt.date(2024, 11, 8)

_DEMOGRAPHIC_COLUMNS = (
    "cdcno",
    "ethnicity",
    "controlling offense",
    "controlling case number",
    "controlling case sentencing county",
    "sentence type",
    "eprd/mepd month and year",
    "aggregate sentence in months",
    "age in years",
    "offense end date",
    "time served in years",
)
_COMMITMENT_COLUMNS = (
    "cdcno",
    "sentencing county",
    "case number",
    "sentence from abstract of judgement",
    "offense",
    "offense description",
    "offense category",
    "offense begin date",
    "offense time with enhancement",
    "relationship",
)
_CASE_KEY = ("cdcno", "case number", "sentencing county", "sentence from abstract of judgement")


def _case_id(kind: str) -> pl.Expr:
    """The sentence key of a commitment row: person, current/prior, case number, county, abstract text."""
    parts = [pl.col("cdcno"), pl.lit(kind), *(pl.col(c).fill_null("") for c in _CASE_KEY[1:])]
    return pl.concat_str(parts, separator=":")


def _charges(rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """One charge per commitment row (each row is one offence or count, or a case enhancement)."""
    enhancements = [c for c in ENHANCEMENT_COLUMNS if c in rows.columns]
    enhancement_text = (
        pl.concat_str([blank_to_null(c) for c in enhancements], separator=";", ignore_nulls=True)
        if enhancements
        else pl.lit(None, dtype=pl.String)
    )
    term = cdcr_term("offense time with enhancement")
    return rows.select(
        pl.lit(SOURCE).alias("source"),
        pl.concat_str([pl.col("cdcno"), pl.lit(kind), pl.col(LINE_COLUMN).cast(pl.String)], separator=":").alias(
            "source_id"
        ),
        pl.col("sentence_source_id"),
        blank_to_null("offense").alias("statute"),
        blank_to_null("offense description").alias("description"),
        map_text("offense category", CDCR_OFFENSE_CATEGORY).alias("offense_category"),
        blank_to_null("offense category").alias("offense_category_raw"),
        pl.col("offense_date"),
        term.struct.field("term_months").alias("term_months"),
        map_text("relationship", CDCR_RELATIONSHIP).alias("relationship"),
        blank_to_null("relationship").alias("relationship_raw"),
        pl.when(enhancement_text.str.len_chars() > 0).then(enhancement_text).otherwise(None).alias("enhancements"),
        pl.col(LINE_COLUMN),
    )


def _case_sentences(rows: pl.DataFrame, kind: str) -> pl.DataFrame:
    """One sentence per case: type and term from the abstract-of-judgement text."""
    abstract = cdcr_term("sentence from abstract of judgement")
    count_term = cdcr_term("offense time with enhancement")
    return (
        rows.with_columns(
            abstract.struct.field("kind").alias("_kind"),
            abstract.struct.field("term_months").alias("_term_months"),
            count_term.struct.field("min_term_months").alias("_count_min_months"),
            (us_date("release date") if "release date" in rows.columns else pl.lit(None, pl.Date)).alias(
                "_release_date"
            ),
        )
        .group_by("sentence_source_id", maintain_order=True)
        .agg(
            pl.col("cdcno").first(),
            pl.col("case number").first(),
            pl.col("sentencing county").first(),
            pl.col("sentence from abstract of judgement").first().alias("_abstract"),
            pl.col("_kind").first(),
            pl.col("_term_months").first(),
            # The minimum of a life case is its longest "N-to-Life" count that is not stayed.
            pl.col("_count_min_months").filter(pl.col("relationship") != "Stayed").max().alias("_min_months"),
            pl.col("_release_date").max(),
            pl.col("offense").alias("_offenses"),
        )
        .with_columns(pl.lit(kind).alias("_case_kind"))
    )


def _aggregate_months() -> pl.Expr:
    """Demographics `aggregate sentence in months` as a whole number of months (blank: NULL)."""
    return blank_to_null("aggregate sentence in months").str.strip_chars().cast(pl.Int64, strict=False)


def _years_served() -> pl.Expr:
    """Demographics `time served in years` as a number (blank: NULL)."""
    return blank_to_null("time served in years").cast(pl.Float64, strict=False)


def _served_on() -> pl.Expr:
    """The screen's run date where the person's figure is the years from the offence end date to it, else NULL.

    The figure is written to one decimal, so it is that day's figure when it is within 0.05 of
    (run date - offense end date) / 365; a figure computed on another day is not dated by a guess.
    """
    days = (pl.lit(SCREEN_RUN_DATE) - us_date("offense end date")).dt.total_days()
    consistent = (days / 365 - _years_served()).abs() <= 0.05 + 1e-9
    return pl.when(consistent).then(pl.lit(SCREEN_RUN_DATE)).otherwise(None)


def _controlling(sentences: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    """The controlling current sentence of each person, with the demographics columns that describe it.

    The controlling case is matched on person, case number (both may be blank) and county; when more
    than one case matches, the one holding the controlling offence wins, then a life term, then the longest.
    """
    candidates = sentences.join(
        people.select(
            "cdcno",
            pl.col("controlling case number").alias("case number"),
            pl.col("controlling case sentencing county").alias("sentencing county"),
            "controlling offense",
            "sentence type",
            "eprd/mepd month and year",
            "aggregate sentence in months",
            "offense end date",
            "time served in years",
        ),
        on=["cdcno", "case number", "sentencing county"],
        how="inner",
        nulls_equal=True,
    )
    ranked = candidates.with_columns(
        pl.col("_offenses").list.contains(pl.col("controlling offense")).alias("_has_offense"),
        pl.col("_kind").is_in(["life", "life_without_parole"]).alias("_is_life"),
    ).sort(
        ["cdcno", "_has_offense", "_is_life", "_term_months"],
        descending=[False, True, True, True],
        nulls_last=True,
    )
    return ranked.unique("cdcno", keep="first", maintain_order=True).select(
        "sentence_source_id",
        "sentence type",
        "eprd/mepd month and year",
        _aggregate_months().alias("_aggregate"),
        blank_to_null("controlling offense").alias("_controlling_offense"),
        _years_served().alias("_years_served"),
        _served_on().alias("_served_on"),
    )


def _screen_cleaned(column: str) -> pl.Expr:
    """An offence code cleaned as Redo.io's screen cleaned codes (SOURCE.md): `PC187(a)` becomes `187(a)`.

    Lower case, trailing periods dropped, then the substrings `pc`, `rape`, line breaks and spaces removed,
    in that order; `law.source_lists.screen_cleaned_sql` does the same to charges in SQL.
    """
    cleaned = pl.col(column).str.to_lowercase().str.strip_chars_end(".")
    for removed in ("pc", "rape", "\n", " "):
        cleaned = cleaned.str.replace_all(removed, "", literal=True)
    return cleaned


def _offense_table_entries(path: Path) -> pl.DataFrame:
    """One row per listed offence of `offense_tables.csv` (columns table, type, offense), values as given."""
    rows = read_text_csv(path, ("table", "type", "offense"))
    return rows.select(
        pl.lit(SOURCE).alias("source"),
        pl.concat_str([pl.lit("offense_tables"), pl.col(LINE_COLUMN).cast(pl.String)], separator=":").alias(
            "source_id"
        ),
        pl.col("table").alias("table_name"),
        pl.col("table").str.extract(r"^Table ([A-Z])$").alias("table_letter"),
        pl.col("type").alias("table_type"),
        pl.col("offense"),
        _screen_cleaned("offense").alias("offense_cleaned"),
        pl.col(LINE_COLUMN),
    )


@dataclass(frozen=True)
class CdcrAdapter:
    """Reads demographics.csv, current_commitments.csv and prior_commitments.csv."""

    name: str = SOURCE
    description: str = "California CDCR resentencing cohort (Redo.io, Dec 2023): people, current and prior commitments"

    @property
    def completeness(self) -> Completeness:
        """What the export holds in full (`COMPLETENESS`)."""
        return COMPLETENESS

    def files(self, path: Path) -> list[Path]:
        """The three Cohort-sheet CSV exports, and the offence tables when the data set has them."""
        files = require_files(self.name, Path(path), (DEMOGRAPHICS, CURRENT, PRIOR))
        tables = Path(path) / OFFENSE_TABLES
        return [*files, tables] if tables.is_file() else files

    def read(self, path: Path) -> dict[str, pl.DataFrame]:
        """People, sentences (one per case), charges (one per commitment row) and prior releases."""
        demographics_path, current_path, prior_path, *tables_path = self.files(path)
        people = read_text_csv(demographics_path, _DEMOGRAPHIC_COLUMNS)
        current = read_text_csv(current_path, _COMMITMENT_COLUMNS)
        prior = read_text_csv(prior_path, (*_COMMITMENT_COLUMNS, "release date"))
        self._check(people, current, prior)

        person = people.select(
            pl.lit(SOURCE).alias("source"),
            pl.col("cdcno").alias("source_id"),
            pl.lit(JURISDICTION).alias("jurisdiction"),
            # Age in years is as of the December 2023 extract: the birth year is this or the one before.
            (pl.lit(AS_OF_YEAR) - blank_to_null("age in years").cast(pl.Float64, strict=False).floor())
            .cast(pl.Int64)
            .alias("birth_year"),
            map_text("ethnicity", CDCR_RACE).alias("race"),
            blank_to_null("ethnicity").alias("race_raw"),
            pl.col(LINE_COLUMN),
        )

        current = current.with_columns(
            _case_id("current").alias("sentence_source_id"), us_date("offense begin date").alias("offense_date")
        )
        prior = prior.with_columns(
            _case_id("prior").alias("sentence_source_id"), us_date("offense begin date").alias("offense_date")
        )
        cases = pl.concat([_case_sentences(current, "current"), _case_sentences(prior, "prior")], how="vertical")
        controlling = _controlling(cases.filter(pl.col("_case_kind") == "current"), people)
        sentence = self._sentences(cases, controlling)

        charge = pl.concat([_charges(current, "current"), _charges(prior, "prior")], how="diagonal_relaxed")
        release = (
            prior.select("cdcno", us_date("release date").alias("release_date"))
            .drop_nulls("release_date")
            .unique(maintain_order=True)
            .select(
                pl.lit(SOURCE).alias("source"),
                pl.concat_str(
                    [pl.col("cdcno"), pl.lit("release"), pl.col("release_date").dt.to_string("%Y-%m-%d")],
                    separator=":",
                ).alias("source_id"),
                pl.col("cdcno").alias("person_source_id"),
                pl.col("release_date"),
            )
        )
        frames = {"person": person, "sentence": sentence, "charge": charge, "release": release}
        if tables_path:
            frames["offense_table_entry"] = _offense_table_entries(tables_path[0])
        return frames

    def _sentences(self, cases: pl.DataFrame, controlling: pl.DataFrame) -> pl.DataFrame:
        """Sentence rows; the controlling one takes its type, aggregate term and EPRD or MEPD from demographics.

        The aggregate covers every current case of the commitment, so the controlling sentence carries it
        (a determinate term, or the minimum of a life term) and the other current cases keep their own terms
        with no `consecutive_to`, i.e. concurrent: their time is inside the aggregate, not added to it.
        """
        joined = cases.join(controlling, on="sentence_source_id", how="left")
        is_controlling = pl.col("sentence type").is_not_null()
        # A case whose abstract reads "Stayed" would have no sentence type of ours: NULL, raw kept.
        case_kind = pl.when(pl.col("_kind") != "stayed").then(pl.col("_kind"))
        kind = pl.when(is_controlling).then(map_text("sentence type", CDCR_SENTENCE_TYPE)).otherwise(case_kind)
        kind_raw = pl.when(is_controlling).then(pl.col("sentence type")).otherwise(pl.col("_abstract"))
        # EPRD (earliest possible release date) for determinate terms, MEPD (minimum eligible parole
        # date) for life terms (SOURCE.md); written as a month and year, loaded as its first day.
        month_date = month_year_first_day("eprd/mepd month and year")
        is_life = kind.is_in(["life", "life_without_parole"])
        prior_release = pl.when(pl.col("_case_kind") == "prior").then(pl.col("_release_date"))
        return joined.select(
            pl.lit(SOURCE).alias("source"),
            pl.col("sentence_source_id").alias("source_id"),
            pl.col("cdcno").alias("person_source_id"),
            pl.lit(JURISDICTION).alias("system"),
            kind.alias("sentence_type"),
            kind_raw.alias("sentence_type_raw"),
            pl.when(pl.col("_case_kind") == "current")
            .then(pl.lit("active"))
            .otherwise(pl.lit("completed"))
            .alias("status"),
            pl.col("case number").alias("case_number"),
            pl.col("sentencing county").alias("court"),
            pl.when(is_controlling & ~is_life)
            .then(pl.col("_aggregate"))
            .otherwise(pl.col("_term_months"))
            .alias("term_months"),
            # Cal. Penal Code § 669(a): determinate terms consecutive to a life term are served first,
            # so the commitment's minimum is the life minimum plus them, which is CDCR's aggregate.
            pl.when(is_life & is_controlling)
            .then(pl.col("_aggregate"))
            .when(is_life)
            .then(pl.col("_min_months"))
            .alias("min_term_months"),
            pl.when(is_controlling & ~is_life).then(month_date).otherwise(prior_release).alias("source_release_date"),
            pl.when(is_controlling & is_life).then(month_date).alias("source_parole_eligibility_date"),
            pl.when(is_controlling).then(blank_to_null("eprd/mepd month and year")).alias("source_date_text"),
            # Demographics describes the controlling case (the "controlling case number"): its offence, and the
            # years Redo.io's screen counted from that offence's end date, dated the day the screen ran.
            is_controlling.alias("controlling"),
            pl.col("_controlling_offense").alias("controlling_offense"),
            pl.col("_years_served").alias("source_time_served_years"),
            pl.col("_served_on").alias("source_time_served_on"),
        )

    def _check(self, people: pl.DataFrame, current: pl.DataFrame, prior: pl.DataFrame) -> None:
        """Refuse text the adapter cannot read, naming the file, line and column."""
        check_parsed(
            people.with_columns(
                month_year_first_day("eprd/mepd month and year").alias("_eprd"),
                _aggregate_months().alias("_aggregate"),
                _years_served().alias("_served"),
                us_date("offense end date").alias("_end"),
            ),
            DEMOGRAPHICS,
            {
                "_eprd": ("eprd/mepd month and year", "a month and two-digit year like MAR25"),
                "_aggregate": ("aggregate sentence in months", "a whole number of months"),
                "_served": ("time served in years", "a number of years"),
                "_end": ("offense end date", "a date (expected MM/DD/YYYY)"),
            },
        )
        for rows, file in ((current, CURRENT), (prior, PRIOR)):
            parsed = rows.with_columns(
                us_date("offense begin date").alias("_offense_date"),
                cdcr_term("offense time with enhancement").struct.field("kind").alias("_count_term"),
                cdcr_term("sentence from abstract of judgement").struct.field("kind").alias("_abstract_term"),
                (us_date("release date") if "release date" in rows.columns else pl.lit(None, pl.Date)).alias("_rd"),
            )
            checks = {
                "_offense_date": ("offense begin date", "a date (expected MM/DD/YYYY)"),
                "_count_term": ("offense time with enhancement", "a term like '4 Years 0 Months' or 'Stayed'"),
                "_abstract_term": (
                    "sentence from abstract of judgement",
                    "a term like '35 Years' or 'Life with Parole'",
                ),
            }
            if "release date" in rows.columns:
                checks["_rd"] = ("release date", "a date (expected MM/DD/YYYY)")
            check_parsed(parsed, file, checks)


CDCR = CdcrAdapter()
