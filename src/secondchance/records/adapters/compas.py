"""COMPAS, Broward County, Florida (ProPublica "Machine Bias"): people, jail and prison periods, scores.

docs/adapters.md ("compas") lists every column and decision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from secondchance.records.adapters.base import (
    LINE_COLUMN,
    blank_to_null,
    check_parsed,
    iso_date_prefix,
    map_text,
    read_text_csv,
    require_files,
)
from secondchance.records.adapters.mappings import COMPAS_RACE, COMPAS_RISK_LEVEL, COMPAS_SEX
from secondchance.records.completeness import Completeness, not_complete

__all__ = ["CompasAdapter", "COMPAS", "STILL_IN_CUSTODY", "PEOPLE", "JAIL", "PRISON", "SCORES"]

LOG = logging.getLogger(__name__)

SOURCE = "compas"
JURISDICTION = "us-fl"
PEOPLE = "people.csv"
JAIL = "jailhistory.csv"
PRISON = "prisonhistory.csv"
SCORES = "compas-scores.csv"
# The compas.db export writes this out_custody for a person still in custody (SOURCE.md).
STILL_IN_CUSTODY = "2020-01-01"
# What the export holds in full (docs/adapters.md, "Completeness"): nothing, so its silences stay unknown.
COMPLETENESS: Completeness = {
    "charge": not_complete("no convictions are loaded: the screened charge is pretrial"),
    "enhancement": not_complete("no convictions are loaded"),
    "jail_credit": not_complete("no sentences are loaded"),
    "prior_sentence": not_complete("no sentences are loaded (priors_count is a count, not records)"),
    "custody_period": not_complete("Broward County jail and Florida prison periods; custody elsewhere is not in it"),
    "incident": not_complete("the export has no disciplinary record"),
    "enrollment": not_complete("the export has no programme record"),
}

_SCALES = (
    # (source_id suffix, scale column, decile column, level column, date column)
    ("recidivism", "type_of_assessment", "decile_score", "score_text", "screening_date"),
    ("violence", "v_type_of_assessment", "v_decile_score", "v_score_text", "v_screening_date"),
)


def _custody(rows: pl.DataFrame, custody_type: str) -> pl.DataFrame:
    """Custody periods from a history file: dates of the timestamps, the placeholder end left open."""
    out_text = blank_to_null("out_custody")
    still_in = out_text.str.starts_with(STILL_IN_CUSTODY)
    return rows.select(
        pl.lit(SOURCE).alias("source"),
        pl.concat_str([pl.lit(custody_type), pl.col("id")], separator=":").alias("source_id"),
        pl.col("person_id").alias("person_source_id"),
        pl.lit(custody_type).alias("custody_type"),
        iso_date_prefix("in_custody").alias("start_date"),
        pl.when(still_in).then(None).otherwise(iso_date_prefix("out_custody")).alias("end_date"),
        pl.when(still_in)
        .then(pl.concat_str([pl.lit("still in custody (source out_custody "), out_text, pl.lit(")")]))
        .alias("reason"),
    )


@dataclass(frozen=True)
class CompasAdapter:
    """Reads people.csv, jailhistory.csv, prisonhistory.csv and compas-scores.csv."""

    name: str = SOURCE
    description: str = "COMPAS, Broward County FL (2013-2014): people, jail and prison periods, risk scores"

    @property
    def completeness(self) -> Completeness:
        """What the export holds in full (`COMPLETENESS`)."""
        return COMPLETENESS

    def files(self, path: Path) -> list[Path]:
        """The four compas.db and ProPublica exports read."""
        return require_files(self.name, Path(path), (PEOPLE, JAIL, PRISON, SCORES))

    def read(self, path: Path) -> dict[str, pl.DataFrame]:
        """People, custody periods (jail and prison) and two assessments (recidivism, violence) per person."""
        people_path, jail_path, prison_path, scores_path = self.files(path)
        people = read_text_csv(people_path, ("id", "sex", "race", "age", "compas_screening_date"))
        history = ("id", "in_custody", "out_custody", "person_id")
        jail = read_text_csv(jail_path, history)
        prison = read_text_csv(prison_path, history)
        scores = read_text_csv(scores_path, ("id", *(c for scale in _SCALES for c in scale[1:])))

        check_parsed(
            people.with_columns(pl.col("age").cast(pl.Int64, strict=False).alias("_age")),
            PEOPLE,
            {"_age": ("age", "a whole number of years")},
        )
        for rows, file in ((jail, JAIL), (prison, PRISON)):
            check_parsed(
                rows.with_columns(
                    iso_date_prefix("in_custody").alias("_in"),
                    iso_date_prefix("out_custody").alias("_out"),
                ),
                file,
                {
                    "_in": ("in_custody", "a timestamp (YYYY-MM-DD HH:MM:SS)"),
                    "_out": ("out_custody", "a timestamp (YYYY-MM-DD HH:MM:SS)"),
                },
            )

        screening = iso_date_prefix("compas_screening_date")
        person = people.select(
            pl.lit(SOURCE).alias("source"),
            pl.col("id").alias("source_id"),
            pl.lit(JURISDICTION).alias("jurisdiction"),
            # Age at the COMPAS screening: the birth year is this or the one before.
            (screening.dt.year().cast(pl.Int64) - pl.col("age").cast(pl.Int64)).alias("birth_year"),
            map_text("sex", COMPAS_SEX).alias("sex"),
            blank_to_null("sex").alias("sex_raw"),
            map_text("race", COMPAS_RACE).alias("race"),
            blank_to_null("race").alias("race_raw"),
            pl.col(LINE_COLUMN),
        )

        custody = pl.concat([_custody(jail, "jail"), _custody(prison, "prison")])
        # A period that ends before it starts cannot be loaded as a half-open period; the source has
        # one such jail row. It is left out (counted in the log), since any end we chose would be a guess.
        backwards = custody.filter(pl.col("end_date") < pl.col("start_date"))
        if backwards.height:
            LOG.warning("compas: custody periods not loaded because they end before they start: %d", backwards.height)
            custody = custody.filter(~(pl.col("end_date") < pl.col("start_date")).fill_null(False))

        assessment = pl.concat([self._assessments(scores, *scale) for scale in _SCALES])
        return {"person": person, "custody_period": custody, "assessment": assessment}

    @staticmethod
    def _assessments(
        scores: pl.DataFrame, suffix: str, scale: str, decile: str, level: str, assessed: str
    ) -> pl.DataFrame:
        """One assessment per person for one COMPAS scale; decile -1 (level N/A) means no score."""
        score = blank_to_null(decile).cast(pl.Float64, strict=False)
        return scores.select(
            pl.lit(SOURCE).alias("source"),
            pl.concat_str([pl.col("id"), pl.lit(suffix)], separator=":").alias("source_id"),
            pl.col("id").alias("person_source_id"),
            pl.lit("compas").alias("tool"),
            blank_to_null(scale).alias("scale"),
            iso_date_prefix(assessed).alias("assessed_on"),
            pl.when(score >= 1).then(score).alias("score"),
            map_text(level, COMPAS_RISK_LEVEL).alias("risk_level"),
            blank_to_null(level).alias("risk_level_raw"),
            pl.col(LINE_COLUMN),
        )


COMPAS = CompasAdapter()
