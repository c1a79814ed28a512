"""US federal commutations (Office of the Pardon Attorney lists, 2011-2017): one person per grant.

newcomms.csv gives each grant (up to three convictions); the raw scrape commutations.csv gives the
grant date of the few grants listed under a dated warrant heading. docs/adapters.md ("commutations")
lists every column and decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from secondchance.errors import UserError
from secondchance.records.adapters.base import (
    LINE_COLUMN,
    blank_to_null,
    check_parsed,
    read_text_csv,
    require_files,
)
from secondchance.records.adapters.mappings import FEDERAL_OFFENSE_CATEGORY
from secondchance.records.adapters.parsing import (
    MONTHS,
    federal_commuted_term,
    federal_statutes,
    federal_term,
    supervised_release_months,
)
from secondchance.records.completeness import Completeness, not_complete

__all__ = ["CommutationsAdapter", "COMMUTATIONS", "GRANTS", "SCRAPE", "grant_dates"]

SOURCE = "commutations"
SYSTEM = "federal"
GRANTS = "newcomms.csv"
SCRAPE = "commutations.csv"
# What the lists hold in full (docs/adapters.md, "Completeness"): nothing, so their silences stay unknown.
COMPLETENESS: Completeness = {
    "charge": not_complete("one charge per conviction holds all its offences in one text, not a row per count"),
    "enhancement": not_complete("no enhancement field: a § 851 information shows only where the offence text cites it"),
    "jail_credit": not_complete("the lists have no presentence credit"),
    "prior_sentence": not_complete("the lists name only the commuted convictions"),
    "custody_period": not_complete("the lists have no custody periods"),
    "incident": not_complete("the lists have no disciplinary record"),
    "enrollment": not_complete("the lists have no programme record"),
}
CONVICTIONS = ("", "_2", "_3")  # column suffixes of the first, second and third conviction
_WARRANT_HEADING = r"(?i)^\s*(?P<month>[a-z]+)\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4})\s+download pdf clemency warrant"


def grant_dates(scrape: pl.DataFrame) -> pl.DataFrame:
    """(grant ordinal, commutation_date, offence text) from the raw scrape's dated warrant headings.

    The scrape lists grants in order, each with one `Offense:` row, so a grant's ordinal is the count
    of `Offense:` rows up to it (this equals newcomms.csv `id`). A heading such as "DECEMBER 17, 2014
    Download PDF Clemency Warrant" dates the grants after it, up to the next heading; grants before
    the first heading have no date in the data.
    """
    heading = pl.col("item").str.extract_groups(_WARRANT_HEADING)
    month = heading.struct.field("month").str.to_lowercase().replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    heading_date = pl.date(
        heading.struct.field("year").cast(pl.Int64), month, heading.struct.field("day").cast(pl.Int64)
    )
    dated = scrape.with_columns(
        (pl.col("item").str.strip_chars() == "Offense:").cum_sum().alias("ordinal"),
        pl.when(month.is_not_null()).then(heading_date).forward_fill().alias("commutation_date"),
    )
    return dated.filter(pl.col("item").str.strip_chars() == "Offense:").select(
        pl.col("ordinal").cast(pl.Int64), "commutation_date", pl.col("description").alias("_scrape_offense")
    )


def _letters(column: str) -> pl.Expr:
    """The first 25 letters of a text, lower case: enough to tell two offence texts apart."""
    return pl.col(column).str.to_lowercase().str.replace_all(r"[^a-z]", "").str.slice(0, 25)


def _check_aligned(grants: pl.DataFrame) -> None:
    """Refuse to date grants if a grant's offence differs from the scrape's at the same ordinal."""
    differ = grants.filter(
        pl.col("commutation_date").is_not_null() & (_letters("offense") != _letters("_scrape_offense")).fill_null(True)
    )
    if differ.height:
        raise UserError(
            f"{GRANTS}: line {differ[LINE_COLUMN][0]}: column 'id': grant {differ['id'][0]} is not the grant at that "
            f"place in {SCRAPE} (the offences differ), so its commutation date cannot be read"
        )


def _without_count_number(expr: pl.Expr) -> pl.Expr:
    """The text without the count number a grant with several convictions puts first ("2. Eastern District")."""
    spaced = expr.str.replace_all("\u00a0", " ", literal=True).str.replace_all(r"\s+", " ")
    return blank_to_null(spaced.str.replace(r"^\s*\d+\s*\.\s*", ""))


def _offense_category(column: str) -> pl.Expr:
    """The first category whose pattern the lower-cased offence text contains (mappings table)."""
    text = blank_to_null(column).str.to_lowercase()
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for pattern, category in reversed(FEDERAL_OFFENSE_CATEGORY):
        expr = pl.when(text.str.contains(pattern)).then(pl.lit(category)).otherwise(expr)
    return pl.when(text.is_not_null()).then(expr)


@dataclass(frozen=True)
class CommutationsAdapter:
    """Reads newcomms.csv (one row per grant) and commutations.csv (for grant dates)."""

    name: str = SOURCE
    description: str = "US federal sentence commutations (Office of the Pardon Attorney lists, 2011-2017)"

    @property
    def completeness(self) -> Completeness:
        """What the export holds in full (`COMPLETENESS`)."""
        return COMPLETENESS

    def files(self, path: Path) -> list[Path]:
        """The parsed grant list and the raw scrape it was parsed from."""
        return require_files(self.name, Path(path), (GRANTS, SCRAPE))

    def read(self, path: Path) -> dict[str, pl.DataFrame]:
        """One person per grant; one sentence and one charge per conviction, all commuted."""
        grants_path, scrape_path = self.files(path)
        conviction_columns = tuple(
            f"{c}{s}" for s in CONVICTIONS for c in ("district_date", "date", "offense", "sentence")
        )
        grants = read_text_csv(grants_path, ("id", "terms_of_grant", *conviction_columns), null_values=["NA"])
        scrape = read_text_csv(scrape_path, ("item", "description"))
        check_parsed(
            grants.with_columns(pl.col("id").cast(pl.Int64, strict=False).alias("_id")),
            GRANTS,
            {"_id": ("id", "a whole number")},
        )

        commuted = federal_commuted_term("terms_of_grant")
        grants = grants.with_columns(
            pl.col("id").cast(pl.Int64).alias("_ordinal"),
            commuted.struct.field("term_months").alias("commuted_term_months"),
            commuted.struct.field("expires_on").alias("source_release_date"),
            blank_to_null("terms_of_grant").alias("commutation_terms"),
        ).join(grant_dates(scrape), left_on="_ordinal", right_on="ordinal", how="left")
        _check_aligned(grants)

        person = grants.select(
            pl.lit(SOURCE).alias("source"),
            pl.col("id").alias("source_id"),
            pl.lit(SYSTEM).alias("jurisdiction"),
            pl.col(LINE_COLUMN),
        )
        convictions = pl.concat(
            [self._conviction(grants, number, suffix) for number, suffix in enumerate(CONVICTIONS, 1)]
        )
        check_parsed(
            convictions.with_columns(pl.col("imposed_date").alias("_imposed")),
            GRANTS,
            {"_imposed": ("_date_text", "a date (expected YYYY-MM-DD)")},
        )
        sentence = convictions.select(
            "source",
            "source_id",
            "person_source_id",
            "system",
            "sentence_type",
            "sentence_type_raw",
            "status",
            "court",
            "imposed_date",
            "term_months",
            "term_days",
            "supervised_release_months",
            "commuted_term_months",
            "commutation_date",
            "source_release_date",
            "commutation_terms",
            LINE_COLUMN,
        )
        charge = convictions.select(
            "source",
            "source_id",
            pl.col("source_id").alias("sentence_source_id"),
            "statute",
            "description",
            "offense_category",
            pl.lit(None, dtype=pl.String).alias("offense_category_raw"),
            LINE_COLUMN,
        )
        return {"person": person, "sentence": sentence, "charge": charge}

    @staticmethod
    def _conviction(grants: pl.DataFrame, number: int, suffix: str) -> pl.DataFrame:
        """The sentence and charge columns of one conviction of each grant that has it."""
        sentence_text = f"sentence{suffix}"
        offense = f"offense{suffix}"
        term = federal_term(sentence_text)
        return grants.filter(blank_to_null(sentence_text).is_not_null() | blank_to_null(offense).is_not_null()).select(
            pl.lit(SOURCE).alias("source"),
            pl.concat_str([pl.col("id"), pl.lit(str(number))], separator=":").alias("source_id"),
            pl.col("id").alias("person_source_id"),
            pl.lit(SYSTEM).alias("system"),
            term.struct.field("kind").alias("sentence_type"),
            blank_to_null(sentence_text).alias("sentence_type_raw"),
            # A grant commutes the prison sentence as a whole, so each of its convictions carries its terms.
            pl.lit("commuted").alias("status"),
            _without_count_number(pl.col(f"district_date{suffix}").str.split(";").list.first()).alias("court"),
            blank_to_null(f"date{suffix}").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("imposed_date"),
            blank_to_null(f"date{suffix}").alias("_date_text"),
            term.struct.field("term_months").alias("term_months"),
            term.struct.field("term_days").alias("term_days"),
            supervised_release_months(sentence_text).alias("supervised_release_months"),
            "commuted_term_months",
            "commutation_date",
            "source_release_date",
            "commutation_terms",
            federal_statutes(offense).alias("statute"),
            _without_count_number(pl.col(offense)).alias("description"),
            _offense_category(offense).alias("offense_category"),
            pl.col(LINE_COLUMN),
        )


COMMUTATIONS = CommutationsAdapter()
