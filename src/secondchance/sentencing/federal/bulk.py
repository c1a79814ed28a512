"""The vectorised federal path: one DuckDB SQL statement over a whole table of sentences.

Interface (used by `secondchance dates compute`)::

    federal_dates_relation(connection, "federal_sentences", target="federal_dates")

reads the relation or table named `source`, which must have the columns of `BULK_INPUT_COLUMNS`

    sentence_id, person_id, commencement_date DATE, term_months, term_days, jail_credit_days,
    supervised_release_months, has_diploma BOOLEAN, risk_level VARCHAR ('minimum'|'low'|'medium'|'high'),
    final_order_of_removal BOOLEAN, excluded_offense BOOLEAN, rdap BOOLEAN, gct_days_lost, method VARCHAR
    ('fsa'|'pre-fsa')

and, optionally, `sentence_type` (life, life_without_parole and death go to manual review). It creates
(or replaces) the temporary table `target` with exactly the columns of `computed_dates`
(`secondchance.sentencing.computed_dates.COMPUTED_DATES_COLUMNS`, same order and types), one row per
input row, and returns it as a relation; `INSERT INTO computed_dates SELECT * FROM <target>` stores it.

NULL inputs are read as: jail credit and GCT days lost 0; has_diploma true (the 42-day rate needs a
record of no diploma and no progress, 28 CFR 523.20(c)(2)); method 'fsa'; rdap, excluded_offense and
final_order_of_removal false; supervised_release_months NULL = a term imposed, length unknown;
risk_level NULL = unknown, so time credits and the supervised-release and prerelease dates are NULL.
Rows the engine will not compute carry `review_reason`/`review_detail` and NULL dates.

Each expression mirrors a scalar rule (compute.py and the modules it calls); the property test
`tests/sentencing/federal/test_federal_bulk.py` checks that both give identical rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from secondchance import __version__
from secondchance.sentencing.computed_dates import COMPUTED_DATES_COLUMNS
from secondchance.sentencing.federal.compute import FederalResult, compute_federal
from secondchance.sentencing.federal.holidays import release_day_calendar
from secondchance.sentencing.federal.time_credits import FtcConvention
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import term_of_parts

__all__ = ["BULK_INPUT_COLUMNS", "compute_federal_of_row", "federal_dates_relation", "scalar_federal_row"]

BULK_INPUT_COLUMNS: tuple[str, ...] = (
    "sentence_id",
    "person_id",
    "commencement_date",
    "term_months",
    "term_days",
    "jail_credit_days",
    "supervised_release_months",
    "has_diploma",
    "risk_level",
    "final_order_of_removal",
    "excluded_offense",
    "rdap",
    "gct_days_lost",
    "method",
)


def _credits(periods: str) -> str:
    # § 3632(d)(4)(A): 10 a period; minimum/low risk 15 from period 8 (BOP handout): 70 + 15(p − 7) = 15p − 35
    return f"(CASE WHEN bonus AND ({periods}) > 7 THEN 15 * ({periods}) - 35 ELSE 10 * ({periods}) END)"


def _add_months(day: str, months: str) -> str:
    return f"CAST({day} + to_months(CAST({months} AS INTEGER)) AS DATE)"


_STAGE_SQL = """
WITH src AS (
    SELECT
        sentence_id, person_id, commencement_date, jail_credit_days AS jail_credit_in, gct_days_lost AS lost_in,
        CAST(coalesce(term_months, 0) AS INTEGER) AS tm, CAST(coalesce(term_days, 0) AS INTEGER) AS td,
        term_months IS NULL AND term_days IS NULL AS no_term,
        CAST(coalesce(jail_credit_days, 0) AS INTEGER) AS jc, CAST(coalesce(gct_days_lost, 0) AS INTEGER) AS lost,
        coalesce(has_diploma, true) AS dip, coalesce(method, 'fsa') AS meth,
        coalesce(rdap, false) AS rd, coalesce(excluded_offense, false) AS excl,
        coalesce(final_order_of_removal, false) AS removal,
        risk_level AS risk, supervised_release_months AS srm, {sentence_type} AS stype
    FROM {source}
),
checked AS (
    SELECT *,
        CASE
            WHEN stype IN ('life', 'life_without_parole', 'death') THEN 'UNSUPPORTED_SENTENCE_TYPE'
            WHEN commencement_date IS NULL THEN 'MISSING_COMMENCEMENT_DATE'
            WHEN no_term OR tm < 0 OR td < 0 OR (tm = 0 AND td = 0) THEN 'MISSING_TERM'
            WHEN meth NOT IN ('fsa', 'pre-fsa') THEN 'UNSUPPORTED_SENTENCE_TYPE'
            WHEN risk IS NOT NULL AND risk NOT IN ('minimum', 'low', 'medium', 'high') THEN 'UNSUPPORTED_SENTENCE_TYPE'
            WHEN jc < 0 OR lost < 0 OR coalesce(srm, 0) < 0 THEN 'CONFLICTING_CREDITS'
            WHEN jc >= {end_excl} - commencement_date THEN 'CONFLICTING_CREDITS'
        END AS review_reason,
        CASE
            WHEN stype IN ('life', 'life_without_parole', 'death')
                THEN stype || ' sentence: no good conduct time (18 U.S.C. § 3624(b)(1)) and no release date'
            WHEN commencement_date IS NULL THEN 'no commencement date (18 U.S.C. § 3585(a))'
            WHEN no_term OR tm < 0 OR td < 0 OR (tm = 0 AND td = 0) THEN 'no term of imprisonment'
            WHEN meth NOT IN ('fsa', 'pre-fsa') THEN 'computation method ' || meth || ' is not fsa or pre-fsa'
            WHEN risk IS NOT NULL AND risk NOT IN ('minimum', 'low', 'medium', 'high')
                THEN 'risk level ' || risk || ' is not minimum, low, medium or high'
            WHEN jc < 0 OR lost < 0 OR coalesce(srm, 0) < 0 THEN 'a credit or day count is negative'
            WHEN jc >= {end_excl} - commencement_date
                THEN 'jail credit of ' || jc || ' days is not less than the term of '
                    || ({end_excl} - commencement_date) || ' days'
        END AS review_detail
    FROM src
),
terms AS (  -- 18 U.S.C. § 3585(a): commencement is day 1; term length for GCT per 87 FR 7938 Table 1
    SELECT *,
        {end_excl} AS end_excl,
        CAST({end_excl} - commencement_date AS INTEGER) AS term_len,
        CAST({end_excl} - {anniversary} AS INTEGER) AS rest,
        CASE WHEN dip THEN 54 ELSE 42 END AS rate,  -- § 3624(b)(1); 28 CFR 523.20(c)(2)
        CASE WHEN dip THEN 148 ELSE 115 END AS daily  -- PS 5880.28: 54/365 → 0.148; 42/365 → 0.115
    FROM checked WHERE review_reason IS NULL
),
years AS (
    SELECT *, tm // 12 + rest // 365 AS whole, rest % 365 AS partial FROM terms
),
pre AS (  -- PS 5880.28 time-served method: whole served years consume 365 + rate days of the term
    SELECT *, term_len // (365 + rate) AS k, term_len - (term_len // (365 + rate)) * (365 + rate) AS r FROM years
),
pre2 AS (
    SELECT *, (r * 1000) // (1000 + daily) AS s0 FROM pre
),
gross AS (
    SELECT *,
        CASE
            WHEN NOT (whole > 1 OR (whole = 1 AND partial > 0)) THEN 0  -- § 3624(b)(1): more than 1 year
            WHEN meth = 'fsa' THEN rate * whole + (rate * partial) // 365  -- 87 FR 7938 Table 1
            ELSE k * rate + r - CASE
                WHEN s0 + (daily * s0) // 1000 >= r THEN s0
                WHEN (s0 + 1) + (daily * (s0 + 1)) // 1000 >= r THEN s0 + 1
                ELSE s0 + 2 END
        END AS gct_gross,
        end_excl - 1 - jc AS full_term  -- § 3585(b): jail credit day for day
    FROM pre2
),
released AS (
    SELECT *,
        greatest(gct_gross - lost, 0) AS gct,
        greatest(full_term - greatest(gct_gross - lost, 0), commencement_date) AS release
    FROM gross
),
rdapped AS (  -- § 3621(e)(2)(B); PS 5331.02 § 11 tiers
    SELECT *,
        CASE WHEN rd THEN greatest(CAST(release - to_months(CAST(
            CASE WHEN end_excl <= {plus30} THEN 6 WHEN end_excl <= {plus36} THEN 9 ELSE 12 END AS INTEGER)) AS DATE),
            commencement_date) ELSE release END AS custody_end,
        greatest(commencement_date, DATE '2018-12-21') AS earn_start,  -- § 3632(d)(4)(B)(i)
        risk IN ('minimum', 'low') AS bonus,  -- § 3632(d)(4)(A)(ii)
        coalesce(srm, 1) <> 0 AS has_sr
    FROM released
),
ftc AS (
    SELECT *,
        CAST(custody_end - earn_start AS INTEGER) AS g,
        bonus AND NOT removal AS apply_ok  -- § 3624(g)(1)(B); § 3632(d)(4)(E)
    FROM rdapped
),
fixed AS (  -- § 3624(g)(1)(A): the first p with 30p + c(p) >= g bounds the fixed point
    SELECT *,
        CASE WHEN g <= 0 THEN 0
             WHEN bonus AND g > 280 THEN (g + 35 + 44) // 45
             ELSE (g + 39) // 40 END AS p_star
    FROM ftc
),
fixed2 AS (
    SELECT *,
        {c_prev} AS c_prev,
        {c_star} AS c_star,
        earn_start + 30 * p_star AS b_star
    FROM fixed
),
applied AS (
    SELECT *,
        CASE WHEN excl THEN 0
             WHEN risk IS NULL THEN NULL
             WHEN NOT apply_ok THEN CASE WHEN g > 0 THEN {c_all} ELSE 0 END
             WHEN g <= 0 THEN 0
             WHEN custody_end - c_prev < b_star THEN c_prev
             ELSE c_star END AS ftc_days,
        CASE WHEN excl THEN 0
             WHEN risk IS NULL THEN NULL
             WHEN NOT apply_ok OR g <= 0 THEN 0
             WHEN {fixed_point} THEN CAST(custody_end - least(b_star, custody_end - c_prev) AS INTEGER)
             WHEN custody_end - c_prev < b_star THEN c_prev
             ELSE c_star END AS ftc_applied
    FROM fixed2
),
split AS (  -- § 3624(g)(3): up to 12 calendar months to supervised release, the rest to prerelease custody
    SELECT *,
        CASE WHEN has_sr AND ftc_applied IS NOT NULL
             THEN least(ftc_applied, CAST(custody_end - CAST(custody_end - to_months(12) AS DATE) AS INTEGER))
             ELSE 0 END AS sr_days
    FROM applied
)
SELECT
    sentence_id, person_id, commencement_date, jc AS jail_credit_days, lost AS gct_days_lost,
    full_term, gct, release, ftc_days,
    CASE WHEN ftc_applied IS NOT NULL AND has_sr THEN custody_end - sr_days END AS supervised_release_date,
    CASE WHEN ftc_applied - sr_days > 0 THEN custody_end - ftc_applied END AS prerelease_custody_date,
    custody_end - coalesce(sr_days, 0) AS leaves_prison,
    'federal-' || meth || '@' || CASE meth WHEN 'fsa' THEN '2022-03-14' ELSE '1987-11-01' END || {suffix}
        AS rule_profile,
    NULL::VARCHAR AS review_reason, NULL::VARCHAR AS review_detail
FROM split
UNION ALL BY NAME
SELECT sentence_id, person_id, commencement_date, jail_credit_in AS jail_credit_days, lost_in AS gct_days_lost,
    review_reason, review_detail
FROM checked WHERE review_reason IS NOT NULL
"""


def _stage_sql(source: str, has_sentence_type: bool, convention: FtcConvention) -> str:
    end_excl = "(CAST(commencement_date + to_months(CAST(tm AS INTEGER)) AS DATE) + CAST(td AS INTEGER))"
    return _STAGE_SQL.format(
        source=source,
        sentence_type="sentence_type" if has_sentence_type else "NULL::VARCHAR",
        end_excl=end_excl,
        anniversary=_add_months("commencement_date", "tm - tm % 12"),
        plus30=_add_months("commencement_date", "30"),
        plus36=_add_months("commencement_date", "36"),
        c_prev=_credits("p_star - 1"),
        c_star=_credits("p_star"),
        c_all=_credits("g // 30"),
        fixed_point="true" if convention == "fixed-point" else "false",
        suffix="'+handout'" if convention == "handout" else "''",
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def federal_dates_relation(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    *,
    target: str = "federal_dates",
    ftc_convention: FtcConvention = "fixed-point",
    computed_at: datetime | None = None,
) -> duckdb.DuckDBPyRelation:
    """Compute the `computed_dates` columns for every sentence of `source` into the temporary table `target`."""
    columns = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {_quote(source)}").fetchall()}
    missing = [name for name in BULK_INPUT_COLUMNS if name not in columns]
    if missing:
        raise ValueError(f"relation {source!r} lacks the columns {', '.join(missing)}")
    stage = f"_federal_stage_{uuid.uuid4().hex}"
    calendar = f"_federal_release_days_{uuid.uuid4().hex}"
    connection.execute(
        f"CREATE TEMP TABLE {stage} AS " + _stage_sql(_quote(source), "sentence_type" in columns, ftc_convention)
    )
    try:
        first, last = connection.execute(
            f"SELECT min(year(leaves_prison)), max(year(leaves_prison)) FROM {stage}"
        ).fetchall()[0]
        days, moved = release_day_calendar(first, last) if first is not None else ([], [])
        calendar_table = pa.table({"day": pa.array(days, pa.date32()), "moved": pa.array(moved, pa.date32())})
        connection.register(calendar, calendar_table)
        types = {name: sql_type for name, sql_type, _ in COMPUTED_DATES_COLUMNS}
        values = {
            "sentence_id": "s.sentence_id",
            "person_id": "s.person_id",
            "system": "'federal'",
            "commencement_date": "s.commencement_date",
            "full_term_date": "s.full_term",
            "gct_days": "s.gct",
            "gct_days_lost": "s.gct_days_lost",
            "jail_credit_days": "s.jail_credit_days",
            "release_date": "s.release",
            "ftc_days": "s.ftc_days",
            "supervised_release_date": "s.supervised_release_date",
            "prerelease_custody_date": "s.prerelease_custody_date",
            "parole_eligibility_date": "NULL",
            "conditional_release_date": "NULL",
            # § 3624(a): weekend or holiday → last preceding weekday, never before commencement
            "projected_release_date": "CASE WHEN c.moved < s.commencement_date THEN s.leaves_prison ELSE c.moved END",
            "review_reason": "s.review_reason",
            "review_detail": "s.review_detail",
            "rule_profile": "s.rule_profile",
            "engine_version": "$engine_version",
            "computed_at": "$computed_at",
        }
        select = ",\n    ".join(
            f"CAST({values[name]} AS {types[name]}) AS {name}" for name, _, _ in COMPUTED_DATES_COLUMNS
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {_quote(target)} AS SELECT\n    {select}\n"
            f"FROM {stage} s LEFT JOIN {calendar} c ON c.day = s.leaves_prison",
            {"engine_version": __version__, "computed_at": computed_at or datetime.now()},
        )
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {stage}")
        try:
            connection.unregister(calendar)
        except duckdb.Error:
            pass
    return connection.table(target)


def compute_federal_of_row(row: Mapping[str, Any], *, ftc_convention: FtcConvention = "fixed-point") -> FederalResult:
    """`compute_federal` on one input row, its NULLs read as the bulk query reads them."""
    return compute_federal(
        row.get("commencement_date"),
        term_of_parts(row.get("term_months"), row.get("term_days")),
        jail_credit_days=row.get("jail_credit_days") or 0,
        method=row.get("method") or "fsa",  # an unknown method goes to review in compute_federal
        has_diploma=row.get("has_diploma") is not False,
        gct_days_lost=row.get("gct_days_lost") or 0,
        risk_level=row.get("risk_level"),
        excluded_offense=bool(row.get("excluded_offense")),
        final_order_of_removal=bool(row.get("final_order_of_removal")),
        rdap=bool(row.get("rdap")),
        supervised_release_months=row.get("supervised_release_months"),
        sentence_type=row.get("sentence_type") or "determinate",
        ftc_convention=ftc_convention,
    )


def scalar_federal_row(row: Mapping[str, Any], *, ftc_convention: FtcConvention = "fixed-point") -> dict[str, Any]:
    """The `computed_dates` values of one input row by the scalar reference (`compute_federal`), NULLs read as in bulk.

    `engine_version` and `computed_at` are left out; every other column matches `federal_dates_relation`.
    """
    months, days = row.get("term_months"), row.get("term_days")
    base: dict[str, Any] = {
        "sentence_id": row.get("sentence_id"),
        "person_id": row.get("person_id"),
        "system": "federal",
        "commencement_date": row.get("commencement_date"),
        "parole_eligibility_date": None,
        "conditional_release_date": None,
    }
    try:
        if months is not None and months < 0 or days is not None and days < 0:
            raise ManualReview(ReasonCode.MISSING_TERM, "no term of imprisonment")
        result = compute_federal_of_row(row, ftc_convention=ftc_convention)
    except ManualReview as review:
        return base | {
            "full_term_date": None,
            "gct_days": None,
            "gct_days_lost": row.get("gct_days_lost"),
            "jail_credit_days": row.get("jail_credit_days"),
            "release_date": None,
            "ftc_days": None,
            "supervised_release_date": None,
            "prerelease_custody_date": None,
            "projected_release_date": None,
            "review_reason": str(review.code),
            "review_detail": review.detail,
            "rule_profile": None,
        }
    return base | {
        "full_term_date": result.full_term_date,
        "gct_days": result.gct_days,
        "gct_days_lost": result.gct_days_lost,
        "jail_credit_days": result.jail_credit_days,
        "release_date": result.release_date,
        "ftc_days": result.ftc_days,
        "supervised_release_date": result.supervised_release_date,
        "prerelease_custody_date": result.prerelease_custody_date,
        "projected_release_date": result.projected_release_date,
        "review_reason": None,
        "review_detail": None,
        "rule_profile": result.rule_profile,
    }
