"""The `computed_dates` table: one row per sentence of the records store, per computation run.

The bulk path (`secondchance dates compute`) fills it; the facts catalogue reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from secondchance import __version__
from secondchance.sentencing.reasons import ManualReview

__all__ = ["COMPUTED_DATES_COLUMNS", "CREATE_COMPUTED_DATES_SQL", "scalar_computed_dates_row"]

# (name, DuckDB type, description)
COMPUTED_DATES_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("sentence_id", "BIGINT", "Internal id of the sentence."),
    ("person_id", "BIGINT", "Internal id of the person."),
    ("system", "VARCHAR", "Sentencing system (`federal`, `us-mo`, ...)."),
    ("commencement_date", "DATE", "Date the term started (day 1)."),
    ("full_term_date", "DATE", "Last day of the full term, after jail credit."),
    ("gct_days", "INTEGER", "Good conduct (or good time) days earned on the term."),
    ("gct_days_lost", "INTEGER", "Good conduct days disallowed or forfeited by incidents."),
    ("jail_credit_days", "INTEGER", "Prior custody credit applied."),
    ("release_date", "DATE", "Projected release date from good conduct time, before earned time credits."),
    ("ftc_days", "INTEGER", "First Step Act time credits projected (federal)."),
    ("supervised_release_date", "DATE", "Earliest transfer to supervised release with credits (federal)."),
    ("prerelease_custody_date", "DATE", "Earliest transfer to prerelease custody (federal)."),
    ("parole_eligibility_date", "DATE", "First parole eligibility (where the system has parole)."),
    ("conditional_release_date", "DATE", "Conditional release date (where the system has one)."),
    ("projected_release_date", "DATE", "The earliest projected release from prison, all credits applied."),
    ("review_reason", "VARCHAR", "Reason code when the sentence went to manual review; NULL otherwise."),
    ("review_detail", "VARCHAR", "What the reviewer needs to know."),
    ("rule_profile", "VARCHAR", "Rule profile and version applied, e.g. `federal-fsa@2022-03-14`."),
    ("engine_version", "VARCHAR", "secondchance version that computed the row."),
    ("computed_at", "TIMESTAMP", "When the row was computed."),
)

CREATE_COMPUTED_DATES_SQL = (
    "CREATE TABLE IF NOT EXISTS computed_dates (\n    "
    + ",\n    ".join(f"{name} {sql_type}" for name, sql_type, _ in COMPUTED_DATES_COLUMNS)
    + "\n)"
)


def scalar_computed_dates_row(
    row: Mapping[str, Any],
    *,
    system: str,
    rule_profile: str | None,
    computed_at: datetime | None,
    dates: Callable[[], Mapping[str, Any]],
) -> dict[str, Any]:
    """One `computed_dates` row of a scalar reference: the row's identity and run stamps, then `dates()`.

    `dates` gives the date and review columns the engine fills; a `ManualReview` it raises fills the review
    columns instead and leaves every date NULL.
    """
    output: dict[str, Any] = dict.fromkeys(name for name, _, _ in COMPUTED_DATES_COLUMNS)
    output.update(
        sentence_id=row.get("sentence_id"),
        person_id=row.get("person_id"),
        system=system,
        commencement_date=row.get("commencement_date"),
        jail_credit_days=row.get("jail_credit_days") or 0,
        rule_profile=rule_profile,
        engine_version=__version__,
        computed_at=computed_at,
    )
    try:
        output.update(dates())
    except ManualReview as review:
        output.update(review_reason=str(review.code), review_detail=review.detail)
    return output
