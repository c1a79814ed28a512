"""Parsers of the sentence texts and partial dates found in real exports, as Polars expressions.

Each parser reads a whole text column at once and returns a struct (or a date) whose fields are
NULL where the text does not say; the adapters keep the text itself beside the parsed values.
"""

from __future__ import annotations

import polars as pl

from secondchance.records.adapters.base import blank_to_null

__all__ = [
    "MONTHS",
    "NUMBER_WORDS",
    "cdcr_term",
    "month_year_first_day",
    "federal_term",
    "federal_commuted_term",
    "supervised_release_months",
    "federal_statutes",
]

MONTHS: dict[str, int] = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_MONTH_ABBREVIATIONS: dict[str, int] = {name[:3]: number for name, number in MONTHS.items()}

# Number words as the Office of the Pardon Attorney writes them ("five years' supervised release").
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}

# CDCR terms: "25 Years 0 Months-to-Life", "1 Year 4 Months", "8 Months", "5 Years".
_CDCR_TERM = r"(?i)^(?:(?P<years>\d+)\s*years?)?\s*(?:(?P<months>\d+)\s*months?)?\s*(?P<to_life>-\s*to\s*-\s*life)?$"
_CDCR_WORDS: dict[str, str] = {
    "life with parole": "life",
    "life without parole": "life_without_parole",
    "death": "death",
    "stayed": "stayed",
}


def _int(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int64, strict=False)


def cdcr_term(column: str | pl.Expr) -> pl.Expr:
    """Parse a CDCR term text into a struct (kind, term_months, min_term_months).

    `kind` is `determinate`, `life`, `life_without_parole`, `death` or `stayed` (a count stayed under
    Cal. Penal Code § 654, which carries no term); NULL when the text is not a term. `term_months`
    is the whole determinate term; `min_term_months` is the minimum of an "N-to-Life" term, NULL when
    the text writes 0 (a life term whose minimum comes from statute, Cal. Penal Code § 3046).
    """
    text = blank_to_null(column)
    lowered = text.str.to_lowercase().str.replace_all(r"\s+", " ")
    parts = text.str.extract_groups(_CDCR_TERM)
    years = _int(parts.struct.field("years"))
    months = _int(parts.struct.field("months"))
    has_number = years.is_not_null() | months.is_not_null()
    total = years.fill_null(0) * 12 + months.fill_null(0)
    to_life = parts.struct.field("to_life").is_not_null()
    word = lowered.replace_strict(_CDCR_WORDS, default=None, return_dtype=pl.String)
    kind = (
        pl.when(word.is_not_null())
        .then(word)
        .when(has_number & to_life)
        .then(pl.lit("life"))
        .when(has_number)
        .then(pl.lit("determinate"))
        .otherwise(None)
    )
    term_months = pl.when(has_number & ~to_life).then(total).otherwise(None)
    min_term_months = pl.when(has_number & to_life & (total > 0)).then(total).otherwise(None)
    return pl.struct(kind.alias("kind"), term_months.alias("term_months"), min_term_months.alias("min_term_months"))


def month_year_first_day(column: str | pl.Expr) -> pl.Expr:
    """Parse a CDCR month and two-digit year (`MAR25`) into the first day of that month (2025-03-01).

    Two-digit years are read as 20YY: CDCR writes EPRD and MEPD this way for people in custody in
    2023, whose dates run from 2012 to 2087. Text of any other shape is NULL.
    """
    parts = blank_to_null(column).str.to_lowercase().str.extract_groups(r"^(?P<month>[a-z]{3})\s*(?P<year>\d{2})$")
    month = parts.struct.field("month").replace_strict(_MONTH_ABBREVIATIONS, default=None, return_dtype=pl.Int64)
    year = _int(parts.struct.field("year")) + 2000
    return pl.when(month.is_not_null() & year.is_not_null()).then(pl.date(year, month, 1)).otherwise(None)


def _normalised_federal_text(column: str | pl.Expr) -> pl.Expr:
    """Lower case, plain spaces and apostrophes, digits for number words, no thousands commas."""
    text = (
        blank_to_null(column)
        .str.to_lowercase()
        .str.replace_all("\u00a0", " ", literal=True)
        .str.replace_all("\u2019", "'", literal=True)
        .str.replace_all(r"(\d),(\d{3})", "${1}${2}")
        .str.replace_all(r"\s+", " ")
    )
    for word, number in NUMBER_WORDS.items():
        text = text.str.replace_all(rf"\b{word}\b", str(number))
    return text


_FEDERAL_TERM = (
    r"^(?:(?P<years>\d+) ?years?'? ?(?:and )?)?(?:(?P<months>\d+) ?month'?s?'? ?(?:and )?)?"
    r"(?:(?P<days>\d+) ?day'?s?'?)?"
)


def federal_term(column: str | pl.Expr) -> pl.Expr:
    """Parse the prison term of a federal sentence text into a struct (kind, term_months, term_days).

    Reads the first clause (before `;`) after any count number (`1. `): "235 months' imprisonment",
    "20 years' imprisonment", "262 months and six days' imprisonment", "life imprisonment",
    "life plus 60 months' imprisonment" (life: the added term stays in the text), "death sentence".
    A clause that only imposes supervised release has no prison term: all fields NULL.
    """
    text = _normalised_federal_text(column)
    clause = text.str.split(";").list.first().str.replace(r"^\s*\d+\s*\.\s*", "").str.strip_chars()
    parts = clause.str.extract_groups(_FEDERAL_TERM)
    years = _int(parts.struct.field("years"))
    months = _int(parts.struct.field("months"))
    days = _int(parts.struct.field("days"))
    has_number = years.is_not_null() | months.is_not_null() | days.is_not_null()
    supervision_only = clause.str.contains("supervised release") & ~clause.str.contains("imprisonment")
    determinate = has_number & ~supervision_only
    kind = (
        pl.when(clause.str.starts_with("death"))
        .then(pl.lit("death"))
        .when(clause.str.starts_with("life"))
        .then(pl.lit("life"))
        .when(determinate)
        .then(pl.lit("determinate"))
        .otherwise(None)
    )
    term_months = pl.when(determinate).then(years.fill_null(0) * 12 + months.fill_null(0)).otherwise(None)
    term_days = pl.when(determinate).then(days.fill_null(0)).otherwise(None)
    return pl.struct(kind.alias("kind"), term_months.alias("term_months"), term_days.alias("term_days"))


_MONTH_NAME_PATTERN = "|".join(MONTHS)
# "to expire on May 19, 2017", "commuted to expire no sooner than May 1, 2017", "commuted to a term of
# December 1, 2016": the first full date within the clause that follows "expire" or "commuted to".
_EXPIRY = (
    rf"(?:expire|commuted to)[^,;]{{0,40}}?\b(?P<month>{_MONTH_NAME_PATTERN}) (?P<day>\d{{1,2}})[,.]? (?P<year>\d{{4}})"
)
_COMMUTED_TERM = r"commuted (?:to )?(?:a term of )?(?P<number>\d+) (?P<unit>month|year)s?\b"


def federal_commuted_term(column: str | pl.Expr) -> pl.Expr:
    """Parse a federal terms-of-grant text into a struct (term_months, expires_on).

    "commuted to a term of 180 months' imprisonment" gives 180 months ("... of 30 years'" 360);
    "commuted to expire on May 19, 2017" (or "sentence of imprisonment to expire on ...") gives the
    date. Either is NULL when the text does not state it (e.g. "commuted to time served").
    """
    # The prison term comes before any change to supervised release ("... and the 10-year term of
    # supervised release commuted to five years"), which must not be read as the prison term.
    text = _normalised_federal_text(column).str.split("supervised").list.first()
    term = text.str.extract_groups(_COMMUTED_TERM)
    number = _int(term.struct.field("number"))
    months = pl.when(term.struct.field("unit") == "year").then(number * 12).otherwise(number)
    parts = text.str.extract_groups(_EXPIRY)
    month = parts.struct.field("month").replace_strict(MONTHS, default=None, return_dtype=pl.Int64)
    day = _int(parts.struct.field("day"))
    year = _int(parts.struct.field("year"))
    known = month.is_not_null() & day.is_not_null() & year.is_not_null()
    expires_on = pl.when(known).then(pl.date(year, month, day)).otherwise(None)
    return pl.struct(months.alias("term_months"), expires_on.alias("expires_on"))


def supervised_release_months(column: str | pl.Expr) -> pl.Expr:
    """The term of supervised release in a federal sentence text ("five years' supervised release": 60)."""
    text = _normalised_federal_text(column)
    parts = text.str.extract_groups(r"(?P<number>\d+)[ -](?P<unit>year|month)s?'? (?:term of )?supervised release")
    number = _int(parts.struct.field("number"))
    return pl.when(parts.struct.field("unit") == "year").then(number * 12).otherwise(number)


def federal_statutes(column: str | pl.Expr) -> pl.Expr:
    """The U.S. Code citations in an offence text, joined by `; ` ("21 U.S.C. § 846"); NULL when none."""
    found = blank_to_null(column).str.extract_all(r"\d+\s+U\.\s?S\.\s?C\.\s+§+\s*[0-9A-Za-z().]+[0-9A-Za-z)]")
    joined = found.list.join("; ")
    return pl.when(joined.str.len_chars() > 0).then(joined).otherwise(None)
