"""Iowa DOC: 3-year recidivism of people released from prison in fiscal years 2010-2015.

The file has no person key, so each row (one release) becomes its own person, sentence, charge and
release, all with `source_id` `row-N` (N the data row, from 1). That key names a row of this file,
not a person: the same person may appear in several rows. docs/adapters.md ("iowa") lists every
column and decision.
"""

from __future__ import annotations

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
)
from secondchance.records.adapters.mappings import (
    IOWA_OFFENSE_SUBTYPE,
    IOWA_OFFENSE_TYPE,
    IOWA_RACE,
    IOWA_RELEASE_TYPE,
    IOWA_SEX,
)
from secondchance.records.completeness import Completeness, not_complete

__all__ = ["IowaAdapter", "IOWA", "RELEASES"]

SOURCE = "iowa"
JURISDICTION = "us-ia"
RELEASES = "3-Year_Recidivism_for_Offenders_Released_from_Prison_in_Iowa.csv"
# What the file holds in full (docs/adapters.md, "Completeness"): nothing, so its silences stay unknown.
COMPLETENESS: Completeness = {
    "charge": not_complete("one offence per release row (classification, type, subtype); other counts are not in it"),
    "enhancement": not_complete("the file has no enhancements"),
    "jail_credit": not_complete("the file has no terms or credit"),
    "prior_sentence": not_complete("each row is its own record: nothing links one person's releases"),
    "custody_period": not_complete("the file has release years, not custody periods"),
    "incident": not_complete("the file has no disciplinary record"),
    "enrollment": not_complete("the file has no programme record"),
}
_COLUMNS = (
    "Fiscal Year Released",
    "Main Supervising District",
    "Release Type",
    "Race - Ethnicity",
    "Age At Release ",  # the trailing space is in the source header
    "Sex",
    "Offense Classification",
    "Offense Type",
    "Offense Subtype",
    "Return to Prison",
    "Days to Return",
    "Recidivism Type",
)
_YES_NO = {"Yes": "true", "No": "false"}


@dataclass(frozen=True)
class IowaAdapter:
    """Reads the Iowa DOC release file (data.iowa.gov mw8r-vqy4)."""

    name: str = SOURCE
    description: str = "Iowa DOC releases FY2010-2015 with 3-year return to prison (one record per release)"

    @property
    def completeness(self) -> Completeness:
        """What the export holds in full (`COMPLETENESS`)."""
        return COMPLETENESS

    def files(self, path: Path) -> list[Path]:
        """The one release file."""
        return require_files(self.name, Path(path), (RELEASES,))

    def read(self, path: Path) -> dict[str, pl.DataFrame]:
        """A person, sentence, charge and release per row of the release file."""
        (releases_path,) = self.files(path)
        rows = read_text_csv(releases_path, _COLUMNS).with_row_index("_row", offset=1)
        rows = rows.with_columns(
            pl.concat_str([pl.lit("row-"), pl.col("_row").cast(pl.String)]).alias("_key"),
            blank_to_null("Fiscal Year Released").cast(pl.Int64, strict=False).alias("_year"),
            blank_to_null("Days to Return").cast(pl.Float64, strict=False).alias("_days"),
            map_text("Return to Prison", _YES_NO).alias("_returned"),
            map_text("Release Type", IOWA_RELEASE_TYPE).alias("_release_type"),
        )
        check_parsed(
            rows,
            RELEASES,
            {
                "_year": ("Fiscal Year Released", "a year"),
                "_days": ("Days to Return", "a number of days"),
                "_returned": ("Return to Prison", "Yes or No"),
            },
        )
        key = pl.col("_key")
        common = (pl.lit(SOURCE).alias("source"), key.alias("source_id"))
        person = rows.select(
            *common,
            pl.lit(JURISDICTION).alias("jurisdiction"),
            map_text("Sex", IOWA_SEX).alias("sex"),
            blank_to_null("Sex").alias("sex_raw"),
            map_text("Race - Ethnicity", IOWA_RACE).alias("race"),
            blank_to_null("Race - Ethnicity").alias("race_raw"),
            pl.col(LINE_COLUMN),
        )
        release = rows.select(
            *common,
            key.alias("person_source_id"),
            pl.col("_year").alias("release_year"),
            pl.col("_release_type").alias("release_type"),
            blank_to_null("Release Type").alias("release_type_raw"),
            blank_to_null("Age At Release ").alias("age_at_release"),
            blank_to_null("Main Supervising District").alias("supervising_district"),
            (pl.col("_returned") == "true").alias("returned_to_prison"),
            pl.col("_days").round(0).cast(pl.Int64).alias("days_to_return"),
            blank_to_null("Recidivism Type").alias("return_type"),
            pl.col(LINE_COLUMN),
        )
        # Discharged at the end of the sentence: it is completed. Any other release leaves the
        # sentence being served under supervision (or unknown), which the file does not tell.
        sentence = rows.select(
            *common,
            key.alias("person_source_id"),
            pl.lit(JURISDICTION).alias("system"),
            pl.lit(None, dtype=pl.String).alias("sentence_type"),
            pl.when(pl.col("_release_type") == "expiration").then(pl.lit("completed")).alias("status"),
            pl.when(pl.col("_release_type") == "expiration").then(blank_to_null("Release Type")).alias("status_raw"),
            pl.col(LINE_COLUMN),
        )
        by_subtype = map_text("Offense Subtype", IOWA_OFFENSE_SUBTYPE)
        charge = rows.select(
            *common,
            key.alias("sentence_source_id"),
            blank_to_null("Offense Subtype").alias("description"),
            pl.coalesce(by_subtype, map_text("Offense Type", IOWA_OFFENSE_TYPE)).alias("offense_category"),
            blank_to_null("Offense Type").alias("offense_category_raw"),
            blank_to_null("Offense Classification").alias("offense_class"),
            pl.col(LINE_COLUMN),
        )
        return {"person": person, "sentence": sentence, "charge": charge, "release": release}


IOWA = IowaAdapter()
