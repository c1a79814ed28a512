"""The `computed_dates` table: one row per sentence of the records store, per computation run.

The bulk path (`secondchance dates compute`) fills it; the facts catalogue reads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

from secondchance import __version__
from secondchance.sentencing.reasons import ManualReview

__all__ = [
    "COMPUTED_DATES_COLUMNS",
    "CREATE_COMPUTED_DATES_SQL",
    "RUN_STAMP_COLUMNS",
    "add_missing_columns",
    "holidays_version",
    "rule_data_files",
    "rule_data_version",
    "run_stamps",
    "scalar_computed_dates_row",
]

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
    (
        "release_date_if_42_days",
        "DATE",
        "Federal: the release date at 42 days of good conduct time a year (28 CFR 523.20(c)(2)) when the records "
        "cannot settle the rate; `release_date` uses 54. NULL when the rate is settled.",
    ),
    (
        "rdap_status",
        "VARCHAR",
        "Federal RDAP reduction (18 U.S.C. § 3621(e)): `projected`, `barred` (28 CFR 550.55(b)), `unknown` (a bar "
        "or the programme dates not in the records) or `not-completable` (not before release); NULL without RDAP.",
    ),
    ("rdap_release_date", "DATE", "Release date after the RDAP reduction, when it is projected (federal)."),
    ("ftc_days", "INTEGER", "First Step Act time credits projected (federal)."),
    ("supervised_release_date", "DATE", "Earliest transfer to supervised release with credits (federal)."),
    ("prerelease_custody_date", "DATE", "Earliest transfer to prerelease custody (federal)."),
    (
        "prerelease_custody_date_if_approved",
        "DATE",
        "Federal, medium or high risk: the transfer to prerelease custody with credits if the warden approves a "
        "petition (18 U.S.C. § 3624(g)(1)(D)(i)(II)); unknown until an approval is recorded. NULL otherwise.",
    ),
    ("parole_eligibility_date", "DATE", "First parole eligibility (where the system has parole)."),
    ("conditional_release_date", "DATE", "Conditional release date (where the system has one)."),
    ("projected_release_date", "DATE", "The earliest projected release from prison, all credits applied."),
    ("review_reason", "VARCHAR", "Reason code when the sentence went to manual review; NULL otherwise."),
    ("review_detail", "VARCHAR", "What the reviewer needs to know."),
    ("rule_profile", "VARCHAR", "Rule profile and version applied, e.g. `federal-fsa@2022-03-14`."),
    ("engine_version", "VARCHAR", "secondchance version that computed the row."),
    (
        "rule_data_version",
        "VARCHAR",
        "Digest of the rule data the row was computed with (`law/` and the state profiles), `sha256:` and 16 hex.",
    ),
    ("holidays_version", "VARCHAR", "Version of the `holidays` package whose federal calendar moved the dates."),
    ("computed_at", "TIMESTAMP", "When the row was computed."),
)

# The stamps of a run, not of a rule: equal for every row of one run, left out when two paths are compared.
RUN_STAMP_COLUMNS: tuple[str, ...] = ("engine_version", "rule_data_version", "holidays_version", "computed_at")

_PACKAGE = Path(__file__).resolve().parents[1]


def rule_data_files() -> tuple[Path, ...]:
    """The files holding the rules' data: the law's lists (`law/`) and the state profiles."""
    law = _PACKAGE / "law"
    profiles = _PACKAGE / "sentencing" / "profiles"
    return tuple(sorted([*law.glob("*.yaml"), *law.glob("*.py"), *profiles.glob("*.yaml")]))


@cache
def rule_data_version() -> str:
    """A digest of `rule_data_files` (names and contents): equal digests, equal rule data."""
    digest = hashlib.sha256()
    for path in rule_data_files():
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


@cache
def holidays_version() -> str:
    """The installed `holidays` package's version (its US calendar decides the weekend and holiday moves)."""
    return version("holidays")


def run_stamps(computed_at: datetime) -> dict[str, Any]:
    """The values of `RUN_STAMP_COLUMNS` for a run computed at `computed_at`."""
    return {
        "engine_version": __version__,
        "rule_data_version": rule_data_version(),
        "holidays_version": holidays_version(),
        "computed_at": computed_at,
    }


CREATE_COMPUTED_DATES_SQL = (
    "CREATE TABLE IF NOT EXISTS computed_dates (\n    "
    + ",\n    ".join(f"{name} {sql_type}" for name, sql_type, _ in COMPUTED_DATES_COLUMNS)
    + "\n)"
)


def add_missing_columns(connection: duckdb.DuckDBPyConnection) -> None:
    """Give a `computed_dates` table from an earlier version the columns it lacks, NULL (not computed by it).

    A read-only store keeps its table; a temporary copy with the columns stands in for this connection.
    """
    rows = connection.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'computed_dates' AND database_name <> 'temp'"
    ).fetchall()
    present = {row[0] for row in rows}
    missing = [(name, sql_type) for name, sql_type, _ in COMPUTED_DATES_COLUMNS if present and name not in present]
    if not missing:
        return
    try:
        for name, sql_type in missing:
            connection.execute(f"ALTER TABLE computed_dates ADD COLUMN {name} {sql_type}")
    except duckdb.Error:
        added = ", ".join(f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in missing)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE computed_dates AS SELECT *, {added} FROM main.computed_dates")


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
