"""Profile dates for a whole relation of sentences: the profile's rules compiled to one DuckDB query.

Interface (used by `secondchance dates compute`):

    compute_profile_bulk(connection, profile, sentences) -> duckdb.DuckDBPyRelation

`sentences` is a relation, or a table or view name, with the columns of
`secondchance.sentencing.missouri.bulk.INPUT_COLUMNS` (the profile reads sentence_id, person_id,
commencement_date, offense_date, term_months, term_days, min_term_months, sentence_type and
jail_credit_days) plus,
optionally, one column per profile fact: violent, sex_offense, habitual_offender (BOOLEAN),
prior_felonies, prior_violent_felonies, prior_sex_offenses (INTEGER). An absent fact column is NULL,
unknown, and a rule that turns on it sends the row to review (`MISSING_FACT`).

The result has exactly the columns of `computed_dates` (same order and types), so `INSERT INTO
computed_dates SELECT * FROM result` stores it. A profile fills sentence_id, person_id, system (the
profile id), commencement_date, full_term_date, gct_days (the good-time days of the projection),
jail_credit_days, release_date, parole_eligibility_date, projected_release_date, review_reason,
review_detail, rule_profile (`us-la@2017-11`), engine_version and computed_at; the others are NULL.

The rules are compiled from the same `Rule` objects `compute_profile` walks, with SQL's three-valued
logic standing in for the evaluator's, so the two agree row for row (tests/sentencing/profiles).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from secondchance import __version__
from secondchance.records.validate import quote_literal
from secondchance.sentencing.computed_dates import scalar_computed_dates_row
from secondchance.sentencing.missouri.bulk import INPUT_COLUMNS, OUTPUT_COLUMNS, as_computed_dates_sql
from secondchance.sentencing.profiles.evaluate import (
    ProfileDates,
    compute_profile,
    life_share_detail,
    missing_detail,
    review_detail,
)
from secondchance.sentencing.profiles.model import (
    BOOLEAN_FACTS,
    INTEGER_FACTS,
    Profile,
    Range,
    Rule,
    Version,
    parse_length,
)
from secondchance.sentencing.state_checks import SENTENCE_TYPES
from secondchance.sentencing.terms import term_of_parts

__all__ = ["OUTPUT_COLUMNS", "compute_profile_bulk", "compute_profile_of_row", "compute_profile_row", "profile_sql"]

FILLED_COLUMNS = (
    "sentence_id",
    "person_id",
    "system",
    "commencement_date",
    "full_term_date",
    "gct_days",
    "jail_credit_days",
    "release_date",
    "parole_eligibility_date",
    "projected_release_date",
    "review_reason",
    "review_detail",
    "rule_profile",
    "engine_version",
    "computed_at",
)
_FACT_COLUMNS = tuple(name for name in (*BOOLEAN_FACTS, *INTEGER_FACTS) if name != "life")


def _condition_sql(fact: str, condition: bool | int | Range) -> str:
    if isinstance(condition, Range):
        parts = []
        if condition.min is not None:
            parts.append(f"{fact} >= {condition.min}")
        if condition.max is not None:
            parts.append(f"{fact} <= {condition.max}")
        return "(" + " AND ".join(parts) + ")"
    if isinstance(condition, bool):
        return f"({fact} = {'TRUE' if condition else 'FALSE'})"
    return f"({fact} = {condition})"


def _match_sql(rule: Rule) -> str:
    if not rule.when:
        return "TRUE"
    return "(" + " AND ".join(_condition_sql(fact, condition) for fact, condition in rule.when.items()) + ")"


def _struct(
    kind: str,
    share: tuple[int, int] | None = None,
    detail: str | None = None,
    cap: tuple[int, int] | None = None,
    life: tuple[int, int] | None = None,
    mandatory_minimum: bool = False,
) -> str:
    def number(value: int | None) -> str:
        return f"{'NULL' if value is None else value}::BIGINT"

    num, den = share or (None, None)
    cap_months, cap_days = cap or (None, None)
    life_months, life_days = life or (None, None)
    return (
        f"{{'kind': {quote_literal(kind)}, 'num': {number(num)}, 'den': {number(den)}, "
        f"'detail': {'NULL' if detail is None else quote_literal(detail)}::VARCHAR, "
        f"'cap_months': {number(cap_months)}, 'cap_days': {number(cap_days)}, "
        f"'life_months': {number(life_months)}, 'life_days': {number(life_days)}, "
        f"'mandatory_minimum': {'TRUE' if mandatory_minimum else 'FALSE'}}}"
    )


def _choice_sql(rules: list[Rule]) -> str:
    """A STRUCT naming the rule `choose_rule` would pick for the row, with what `_apply` needs of it."""
    branches = []
    for rule in rules:
        match = _match_sql(rule)
        if rule.when:
            missing_fact = " ".join(
                f"WHEN {fact} IS NULL THEN {_struct('missing', detail=missing_detail(fact, rule))}"
                for fact in rule.when
            )
            branches.append(f"WHEN {match} IS NULL THEN CASE {missing_fact} END")
        if rule.outcome in ("none", "unknown"):
            branches.append(f"WHEN {match} THEN {_struct(rule.outcome)}")
        elif rule.outcome == "review":
            branches.append(f"WHEN {match} THEN {_struct('review', detail=review_detail(rule))}")
        else:
            share = rule.share
            assert share is not None
            chosen = _struct(
                "share",
                (share.numerator, share.denominator),
                life_share_detail(rule),
                parse_length(rule.at_most) if rule.at_most else None,
                parse_length(rule.life_term) if rule.life_term else None,
                rule.mandatory_minimum_controls,
            )
            branches.append(f"WHEN {match} THEN {chosen}")
    unmatched = _struct("unmatched", detail="no rule of the profile matches these facts")
    return "CASE " + " ".join(branches) + f" ELSE {unmatched} END"


def _served_sql(choice: str) -> str:
    """Days served before the date the chosen rule gives, as `_apply` computes them (NULL when none)."""
    base = (
        f"CASE WHEN NOT life THEN total_days WHEN {choice}.life_months IS NOT NULL THEN "
        f"CAST(start + to_months({choice}.life_months) + to_days({choice}.life_days) AS DATE) - start END"
    )
    share = f"({base}) * {choice}.num // {choice}.den"
    capped = (
        f"CASE WHEN {choice}.cap_months IS NULL THEN {share} ELSE least({share}, "
        f"CAST(start + to_months({choice}.cap_months) + to_days({choice}.cap_days) AS DATE) - start) END"
    )
    return (
        f"CASE WHEN {choice}.kind = 'share' THEN CASE WHEN {choice}.mandatory_minimum AND min_term_months IS NOT NULL "
        f"THEN greatest({capped}, CAST(start + to_months(min_term_months) AS DATE) - start) ELSE {capped} END END"
    )


def _by_version(versions: list[Version], pick: str) -> str:
    whens = " ".join(
        f"WHEN version_id = {quote_literal(version.id)} THEN {_choice_sql(getattr(version, pick))}"
        for version in versions
    )
    return f"CASE {whens} END"


def profile_sql(profile: Profile, columns: list[str]) -> str:
    """The query computing `profile` over a relation named `sentences` that has `columns`."""
    facts = ", ".join(
        f"{name}" if name in columns else f"NULL::{'BOOLEAN' if name in BOOLEAN_FACTS else 'BIGINT'} AS {name}"
        for name in _FACT_COLUMNS
    )
    versions = " ".join(
        f"WHEN offense_date >= DATE '{version.effective.from_}'"
        + (f" AND offense_date <= DATE '{version.effective.to}'" if version.effective.to else "")
        + f" THEN {quote_literal(version.id)}"
        for version in profile.versions
    )
    types = ", ".join(quote_literal(name) for name in SENTENCE_TYPES)
    types_text = ", ".join(SENTENCE_TYPES)
    profile_text = quote_literal(profile.id)
    return f"""
WITH base AS (
    SELECT sentence_id, person_id, commencement_date AS start, offense_date, sentence_type, min_term_months,
        COALESCE(jail_credit_days, 0) AS credit,
        sentence_type IN ('life', 'life_without_parole') AS life,
        CASE WHEN term_months IS NULL AND term_days IS NULL THEN NULL
             ELSE CAST(commencement_date + to_months(COALESCE(term_months, 0)) + to_days(COALESCE(term_days, 0))
                       AS DATE) END AS end_exclusive,
        CASE {versions} END AS version_id,
        {facts}
    FROM sentences
), checked AS (
    SELECT *, CASE WHEN NOT life THEN end_exclusive - start END AS total_days,
        CASE
            WHEN start IS NULL THEN 'MISSING_COMMENCEMENT_DATE'
            WHEN sentence_type IS NULL OR sentence_type NOT IN ({types}) THEN 'UNSUPPORTED_SENTENCE_TYPE'
            WHEN NOT life AND end_exclusive IS NULL THEN 'MISSING_TERM'
            WHEN credit < 0 THEN 'CONFLICTING_CREDITS'
            WHEN offense_date IS NULL THEN 'MISSING_OFFENSE_DATE'
            WHEN version_id IS NULL THEN 'NO_PROFILE_FOR_DATE'
            WHEN NOT life AND end_exclusive - start <= credit THEN 'CONFLICTING_CREDITS'
        END AS stop_reason
    FROM base
), stopped AS (
    SELECT *,
        CASE stop_reason
            WHEN 'MISSING_COMMENCEMENT_DATE' THEN 'the sentence has no commencement date'
            WHEN 'UNSUPPORTED_SENTENCE_TYPE' THEN
                'sentence type ' || COALESCE(sentence_type, 'unknown') || ' is not supported ({types_text})'
            WHEN 'MISSING_TERM' THEN 'a determinate sentence needs a term'
            WHEN 'MISSING_OFFENSE_DATE' THEN 'the profile''s rules depend on the offence date'
            WHEN 'NO_PROFILE_FOR_DATE' THEN {profile_text} || ' has no rules for offences on ' || offense_date
            WHEN 'CONFLICTING_CREDITS' THEN
                CASE WHEN credit < 0 THEN 'jail credit cannot be negative'
                     ELSE 'jail credit is as long as the term or longer' END
        END AS stop_detail
    FROM checked
), chosen AS (
    SELECT *,
        CASE WHEN sentence_type = 'life_without_parole' THEN {_struct("lwop")}
             ELSE {_by_version(profile.versions, "parole")} END AS parole,
        {_by_version(profile.versions, "good_time")} AS good_time
    FROM stopped
    WHERE stop_reason IS NULL
), served AS (
    SELECT *, {_served_sql("parole")} AS parole_days, {_served_sql("good_time")} AS good_time_days
    FROM chosen
), dated AS (
    SELECT *,
        CASE WHEN NOT life THEN end_exclusive - CAST(1 + credit AS INTEGER) END AS full_term_date,
        start + CAST(parole_days - 1 - credit AS INTEGER) AS parole_date,
        CASE WHEN good_time.kind = 'share' THEN start + CAST(good_time_days - 1 - credit AS INTEGER)
             WHEN good_time.kind = 'none' AND NOT life THEN end_exclusive - CAST(1 + credit AS INTEGER)
        END AS good_time_date,
        -- the first review of the parole rule, then of the good-time rule, as in compute_profile
        CASE
            WHEN parole.kind = 'missing' THEN 'MISSING_FACT'
            WHEN parole.kind IN ('unmatched', 'review') THEN 'RULE_NEEDS_REVIEW'
            WHEN parole.kind = 'share' AND parole_days IS NULL THEN 'RULE_NEEDS_REVIEW'
            WHEN good_time.kind = 'missing' THEN 'MISSING_FACT'
            WHEN good_time.kind IN ('unmatched', 'review') THEN 'RULE_NEEDS_REVIEW'
            WHEN good_time.kind = 'share' AND good_time_days IS NULL THEN 'RULE_NEEDS_REVIEW'
        END AS review_reason,
        CASE
            WHEN parole.kind IN ('missing', 'unmatched', 'review') OR (parole.kind = 'share' AND parole_days IS NULL)
                THEN parole.detail
            WHEN good_time.kind IN ('missing', 'unmatched', 'review')
                OR (good_time.kind = 'share' AND good_time_days IS NULL)
                THEN good_time.detail
        END AS review_detail
    FROM served
)
SELECT sentence_id, person_id, {profile_text} AS system, start AS commencement_date, full_term_date,
    CAST(CASE WHEN good_time_date IS NOT NULL AND NOT life THEN total_days - (good_time_date - start) - 1 - credit END
         AS INTEGER) AS gct_days,
    CAST(credit AS INTEGER) AS jail_credit_days, good_time_date AS release_date,
    parole_date AS parole_eligibility_date, good_time_date AS projected_release_date,
    review_reason, review_detail, {profile_text} || '@' || version_id AS rule_profile,
    '{__version__}' AS engine_version
FROM dated
UNION ALL
SELECT sentence_id, person_id, {profile_text}, start, NULL, NULL, CAST(credit AS INTEGER), NULL, NULL, NULL,
    stop_reason, stop_detail, CASE WHEN version_id IS NOT NULL THEN {profile_text} || '@' || version_id END,
    '{__version__}'
FROM stopped
WHERE stop_reason IS NOT NULL
"""


def compute_profile_bulk(
    connection: duckdb.DuckDBPyConnection,
    profile: Profile,
    sentences: duckdb.DuckDBPyRelation | str,
    *,
    computed_at: datetime | None = None,
) -> duckdb.DuckDBPyRelation:
    """Profile dates for every row of `sentences` (a relation, or a table or view name), as a relation."""
    relation = connection.table(sentences) if isinstance(sentences, str) else sentences
    needed: tuple[str, ...] = (
        "sentence_id",
        "person_id",
        "commencement_date",
        "offense_date",
        "term_months",
        "term_days",
    )
    needed += ("sentence_type", "jail_credit_days", "min_term_months")
    missing = [name for name in needed if name not in relation.columns]
    if missing:
        raise ValueError(f"the sentences relation lacks the columns {', '.join(missing)}")
    filled = tuple(name for name in FILLED_COLUMNS if name != "computed_at")
    sql = as_computed_dates_sql(profile_sql(profile, list(relation.columns)), filled, computed_at or datetime.now())
    result = relation.query("sentences", sql)
    assert result is not None  # a SELECT always gives a relation
    return result


def compute_profile_of_row(profile: Profile, row: Mapping[str, Any]) -> ProfileDates:
    """`compute_profile` on one input row; an absent fact column is unknown."""
    return compute_profile(
        profile,
        row.get("offense_date"),
        term_of_parts(row.get("term_months"), row.get("term_days")),
        start=row.get("commencement_date"),
        sentence_type=row.get("sentence_type"),
        jail_credit_days=row.get("jail_credit_days") or 0,
        facts={name: row.get(name) for name in _FACT_COLUMNS},
        min_term_months=row.get("min_term_months"),
    )


def compute_profile_row(
    profile: Profile, row: Mapping[str, Any], *, computed_at: datetime | None = None
) -> dict[str, Any]:
    """The scalar reference for one input row: the same columns as `compute_profile_bulk`."""
    offense_date = row.get("offense_date")
    version = profile.version_for(offense_date) if offense_date is not None else None

    def dates() -> dict[str, Any]:
        result = compute_profile_of_row(profile, row)
        return {
            "full_term_date": result.full_term_date,
            "gct_days": result.good_time_days,
            "release_date": result.release_date,
            "parole_eligibility_date": result.parole_eligibility_date,
            "projected_release_date": result.projected_release_date,
            "review_reason": str(result.review_reason) if result.review_reason else None,
            "review_detail": result.review_detail,
        }

    return scalar_computed_dates_row(
        row,
        system=profile.id,
        rule_profile=f"{profile.id}@{version.id}" if version else None,
        computed_at=computed_at,
        dates=dates,
    )


# INPUT_COLUMNS is re-exported for callers that build the relation for both Missouri and profiles.
__all__ += ["INPUT_COLUMNS"]
