"""The vectorised federal path: one DuckDB SQL statement over a whole table of sentences.

Interface (used by `secondchance dates compute`)::

    federal_dates_relation(connection, "federal_sentences", target="federal_dates")

reads the relation or table named `source`, which must have the columns of `BULK_INPUT_COLUMNS`

    sentence_id, person_id, commencement_date DATE, term_months, term_days, jail_credit_days,
    supervised_release_months, has_diploma BOOLEAN, risk_level VARCHAR ('minimum'|'low'|'medium'|'high'),
    final_order_of_removal BOOLEAN, excluded_offense BOOLEAN, rdap BOOLEAN, gct_days_lost, method VARCHAR
    ('fsa'|'pre-fsa')

and may have those of `OPTIONAL_INPUT_COLUMNS` (NULL, i.e. unknown, when absent): `sentence_type` (life,
life_without_parole and death go to manual review), `offense_date` and `literacy_progress` (with
`has_diploma` and `final_order_of_removal`, they decide the 42-day rate), `rdap_barred`,
`rdap_started_on` and `rdap_completed_on` (whether the RDAP reduction is projected), and
`warden_approved` (a medium- or high-risk person's prerelease custody). It creates (or replaces) the
temporary table `target` with exactly the columns of `computed_dates`
(`secondchance.sentencing.computed_dates.COMPUTED_DATES_COLUMNS`, same order and types), one row per
input row, and returns it as a relation; `INSERT INTO computed_dates SELECT * FROM <target>` stores it.

NULL inputs are read as: jail credit and GCT days lost 0; method 'fsa'; rdap and excluded_offense
false; final_order_of_removal false for time credits and unknown for the GCT rate; has_diploma,
literacy_progress and offense_date unknown (the 42-day rate then needs every condition recorded,
docs/decisions/0009-federal-unknown-conditions.md); supervised_release_months NULL = a term imposed,
length unknown; risk_level NULL = unknown, so time credits and the supervised-release and prerelease
dates are NULL. Rows the engine will not compute carry `review_reason`/`review_detail` and NULL dates.

Every number, date and list the SQL uses is formatted from the Python definition the scalar rules use
(gct, literacy, rdap, time_credits, conventions); each expression mirrors a scalar rule, and the property
test `tests/sentencing/federal/test_federal_bulk.py` checks that both give identical rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from secondchance.records.validate import quote_literal
from secondchance.sentencing.computed_dates import COMPUTED_DATES_COLUMNS, RUN_STAMP_COLUMNS, run_stamps
from secondchance.sentencing.conventions import DAYS_PER_YEAR, sql_date, sql_texts
from secondchance.sentencing.federal.compute import (
    METHODS,
    PROFILE_DATES,
    PROFILE_SUFFIX,
    UNSUPPORTED_TYPES,
    FederalResult,
    compute_federal,
)
from secondchance.sentencing.federal.gct import FULL_RATE, NO_DIPLOMA_RATE, PER_MILLE, per_mille_rate
from secondchance.sentencing.federal.holidays import release_day_calendar
from secondchance.sentencing.federal.literacy import PLRA_OFFENSES_FROM
from secondchance.sentencing.federal.rdap import RDAP_MAX_MONTHS, RDAP_TIERS, RDAP_UNIT_MONTHS
from secondchance.sentencing.federal.time_credits import (
    BASE_DAYS_PER_PERIOD,
    BONUS_DAYS_PER_PERIOD,
    BONUS_FROM_PERIOD,
    FSA_ENACTED,
    LOW_RISK_LEVELS,
    PERIOD_DAYS,
    RISK_LEVELS,
    SUPERVISED_RELEASE_CAP_MONTHS,
    FtcConvention,
)
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import term_of_parts

__all__ = [
    "BULK_INPUT_COLUMNS",
    "OPTIONAL_INPUT_COLUMNS",
    "compute_federal_of_row",
    "federal_dates_relation",
    "scalar_federal_row",
]

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
# Read when present, NULL (unknown) otherwise.
OPTIONAL_INPUT_COLUMNS: dict[str, str] = {
    "sentence_type": "VARCHAR",
    "offense_date": "DATE",
    "literacy_progress": "BOOLEAN",
    "rdap_barred": "BOOLEAN",
    "rdap_started_on": "DATE",
    "rdap_completed_on": "DATE",
    "warden_approved": "BOOLEAN",
}


def _credits(periods: str) -> str:
    """c(p): 10 a period; 15 from period 8 with the bonus (§ 3632(d)(4)(A); BOP handout), in closed form."""
    before_bonus = BONUS_FROM_PERIOD - 1
    per_period = BASE_DAYS_PER_PERIOD + BONUS_DAYS_PER_PERIOD
    offset = BONUS_DAYS_PER_PERIOD * before_bonus  # 10p for p ≤ 7; 70 + 15(p − 7) = 15p − 35 after
    return (
        f"(CASE WHEN bonus AND ({periods}) > {before_bonus} THEN {per_period} * ({periods}) - {offset} "
        f"ELSE {BASE_DAYS_PER_PERIOD} * ({periods}) END)"
    )


def _first_covering_period() -> str:
    """The first period p with 30p + c(p) ≥ g (days to release), which bounds the § 3624(g)(1)(A) fixed point."""
    plain = PERIOD_DAYS + BASE_DAYS_PER_PERIOD  # 40: each period covers 30 days and earns 10
    with_bonus = plain + BONUS_DAYS_PER_PERIOD  # 45 from period 8
    offset = BONUS_DAYS_PER_PERIOD * (BONUS_FROM_PERIOD - 1)  # 35
    threshold = plain * (BONUS_FROM_PERIOD - 1)  # 280: covered by period 7 without the bonus
    return (
        f"CASE WHEN g <= 0 THEN 0 WHEN bonus AND g > {threshold} THEN (g + {offset} + {with_bonus - 1}) // {with_bonus}"
        f" ELSE (g + {plain - 1}) // {plain} END"
    )


def _add_months(day: str, months: str) -> str:
    return f"CAST({day} + to_months(CAST({months} AS INTEGER)) AS DATE)"


def _gross_gct(rate: int) -> str:
    """GCT before days lost at `rate` days a year, by the row's method (gct.gct_fsa, gct.gct_pre_fsa)."""
    year, daily = DAYS_PER_YEAR, per_mille_rate(rate)
    served_year = year + rate  # PS 5880.28: a whole year served consumes 365 + rate days of the term
    rest = f"(term_len % {served_year})"
    first = f"(({rest} * {PER_MILLE}) // {PER_MILLE + daily})"

    def covers(served: str) -> str:
        return f"({served}) + ({daily} * ({served})) // {PER_MILLE} >= {rest}"

    served = (
        f"CASE WHEN {covers(first)} THEN {first} WHEN {covers(first + ' + 1')} THEN {first} + 1 ELSE {first} + 2 END"
    )
    return f"""CASE
            WHEN NOT (whole > 1 OR (whole = 1 AND partial > 0)) THEN 0  -- § 3624(b)(1): more than 1 year
            WHEN meth = 'fsa' THEN {rate} * whole + ({rate} * partial) // {year}  -- 87 FR 7938 Table 1
            ELSE (term_len // {served_year}) * {rate} + {rest} - ({served})
        END"""


def _rdap_months() -> str:
    """PS 5331.02 § 11 tiers by the term's end (rdap.rdap_reduction_months)."""
    tiers = " ".join(
        f"WHEN end_excl <= {_add_months('commencement_date', str(longest))} THEN {months}"
        for longest, months in RDAP_TIERS
    )
    return f"CASE {tiers} ELSE {RDAP_MAX_MONTHS} END"


def _check_sql() -> tuple[str, str]:
    """The review reason and detail of a row the engine will not compute (compute._check_inputs)."""
    life = sql_texts(UNSUPPORTED_TYPES)
    methods, risks = sql_texts(METHODS), sql_texts(RISK_LEVELS)
    checks = (
        (f"stype IN ({life})", ReasonCode.UNSUPPORTED_SENTENCE_TYPE,
         "stype || ' sentence: no good conduct time (18 U.S.C. § 3624(b)(1)) and no release date'"),
        ("commencement_date IS NULL", ReasonCode.MISSING_COMMENCEMENT_DATE,
         "'no commencement date (18 U.S.C. § 3585(a))'"),
        ("no_term OR tm < 0 OR td < 0 OR (tm = 0 AND td = 0)", ReasonCode.MISSING_TERM, "'no term of imprisonment'"),
        (f"meth NOT IN ({methods})", ReasonCode.UNSUPPORTED_SENTENCE_TYPE,
         "'computation method ' || meth || ' is not fsa or pre-fsa'"),
        (f"risk IS NOT NULL AND risk NOT IN ({risks})", ReasonCode.UNSUPPORTED_SENTENCE_TYPE,
         "'risk level ' || risk || ' is not minimum, low, medium or high'"),
        ("jc < 0 OR lost < 0 OR coalesce(srm, 0) < 0", ReasonCode.CONFLICTING_CREDITS,
         "'a credit or day count is negative'"),
        ("jc >= {end_excl} - commencement_date", ReasonCode.CONFLICTING_CREDITS,
         "'jail credit of ' || jc || ' days is not less than the term of ' "
         "|| ({end_excl} - commencement_date) || ' days'"),
    )  # fmt: skip
    reasons = "\n            ".join(f"WHEN {test} THEN {quote_literal(str(code))}" for test, code, _ in checks)
    details = "\n            ".join(f"WHEN {test} THEN {detail}" for test, _, detail in checks)
    return reasons, details


_STAGE_SQL = """
WITH src AS (
    SELECT
        sentence_id, person_id, commencement_date, jail_credit_days AS jail_credit_in, gct_days_lost AS lost_in,
        CAST(coalesce(term_months, 0) AS INTEGER) AS tm, CAST(coalesce(term_days, 0) AS INTEGER) AS td,
        term_months IS NULL AND term_days IS NULL AS no_term,
        CAST(coalesce(jail_credit_days, 0) AS INTEGER) AS jc, CAST(coalesce(gct_days_lost, 0) AS INTEGER) AS lost,
        has_diploma AS dip, literacy_progress AS lit, final_order_of_removal AS removal_in, offense_date AS offense_on,
        coalesce(method, 'fsa') AS meth,
        coalesce(rdap, false) AS rd, rdap_barred AS rd_barred, rdap_started_on AS rd_started,
        rdap_completed_on AS rd_completed, warden_approved AS warden, coalesce(excluded_offense, false) AS excl,
        coalesce(final_order_of_removal, false) AS removal,
        risk_level AS risk, supervised_release_months AS srm, sentence_type AS stype
    FROM {source}
),
checked AS (
    SELECT *,
        CASE
            {check_reasons}
        END AS review_reason,
        CASE
            {check_details}
        END AS review_detail
    FROM src
),
terms AS (  -- 18 U.S.C. § 3585(a): commencement is day 1; term length for GCT per 87 FR 7938 Table 1
    SELECT *,
        {end_excl} AS end_excl,
        CAST({end_excl} - commencement_date AS INTEGER) AS term_len,
        CAST({end_excl} - {anniversary} AS INTEGER) AS rest,
        -- PLRA (28 CFR 523.20(c)(2)): an offence on or after 26 April 1996; a term begun before then punishes
        -- an earlier one
        CASE WHEN offense_on IS NOT NULL THEN offense_on >= {plra} WHEN commencement_date < {plra} THEN false END
            AS plra
    FROM checked WHERE review_reason IS NULL
),
years AS (
    SELECT *, tm // 12 + rest // {year} AS whole, rest % {year} AS partial,
        -- literacy.reduced_rate_applies: 42 needs every condition; one ruled out gives 54; else unknown (NULL)
        CASE WHEN dip OR removal_in OR plra = false OR lit THEN false
             WHEN dip = false AND removal_in = false AND plra AND lit = false THEN true END AS reduced
    FROM terms
),
gross AS (
    SELECT *,
        CASE WHEN reduced THEN {reduced_rate} ELSE {full_rate} END AS rate,
        CASE WHEN reduced THEN {gct_reduced} ELSE {gct_full} END AS gct_gross,
        {gct_reduced} AS gct_if_reduced,
        end_excl - 1 - jc AS full_term  -- § 3585(b): jail credit day for day
    FROM years
),
released AS (
    SELECT *,
        greatest(gct_gross - lost, 0) AS gct,
        greatest(full_term - greatest(gct_gross - lost, 0), commencement_date) AS release,
        CASE WHEN reduced IS NULL AND gct_gross > 0
             THEN greatest(full_term - greatest(gct_if_reduced - lost, 0), commencement_date) END AS release_if_42
    FROM gross
),
rdap_in AS (  -- § 3621(e)(2)(B); rdap.rdap_outcome
    SELECT *,
        greatest(CAST(release - to_months(CAST({rdap_months} AS INTEGER)) AS DATE), commencement_date) AS rd_would_be,
        coalesce(rd_completed, {rdap_unit_end}) AS rd_completion
    FROM released
),
rdapped AS (
    SELECT *,
        CASE WHEN NOT rd THEN NULL
             WHEN rd_barred THEN 'barred'
             WHEN rd_completion >= release THEN 'not-completable'
             WHEN rd_barred IS NULL OR rd_completion IS NULL THEN 'unknown'
             ELSE 'projected' END AS rdap_status
    FROM rdap_in
),
custody AS (
    SELECT *,
        CASE WHEN rdap_status = 'projected' THEN greatest(rd_would_be, rd_completion) ELSE release END AS custody_end,
        greatest(commencement_date, {fsa_enacted}) AS earn_start,  -- § 3632(d)(4)(B)(i)
        risk IN ({low_risks}) AS bonus,  -- § 3632(d)(4)(A)(ii)
        coalesce(srm, 1) <> 0 AS has_sr
    FROM rdapped
),
ftc AS (
    SELECT *,
        CAST(custody_end - earn_start AS INTEGER) AS g,
        bonus AND NOT removal AS apply_ok,  -- § 3624(g)(1)(B), (D); § 3632(d)(4)(E)
        NOT bonus AND NOT removal AS warden_path  -- medium or high: § 3624(g)(1)(D)(i)(II)
    FROM custody
),
fixed AS (
    SELECT *, {first_period} AS p_star FROM ftc
),
fixed2 AS (
    SELECT *,
        {c_prev} AS c_prev,
        {c_star} AS c_star,
        earn_start + {period} * p_star AS b_star,
        coalesce(apply_ok, false) OR coalesce(warden_path AND warden, false) AS applies
    FROM fixed
),
applied AS (
    SELECT *,
        CASE WHEN {fixed_point} THEN CAST(custody_end - least(b_star, custody_end - c_prev) AS INTEGER)
             WHEN custody_end - c_prev < b_star THEN c_prev
             ELSE c_star END AS fixed_applied,
        CASE WHEN excl THEN 0
             WHEN risk IS NULL THEN NULL
             WHEN g <= 0 THEN 0
             WHEN NOT applies THEN {c_all}
             WHEN custody_end - c_prev < b_star THEN c_prev
             ELSE c_star END AS ftc_days
    FROM fixed2
),
split AS (  -- § 3624(g)(3): up to 12 calendar months to supervised release, the rest to prerelease custody
    SELECT *,
        CASE WHEN excl THEN 0 WHEN risk IS NULL THEN NULL WHEN g <= 0 OR NOT applies THEN 0
             ELSE fixed_applied END AS ftc_applied,
        CASE WHEN NOT excl AND g > 0 AND warden_path AND warden IS NULL THEN fixed_applied END AS if_approved_days
    FROM applied
),
split2 AS (
    SELECT *,
        CASE WHEN has_sr AND apply_ok AND ftc_applied IS NOT NULL
             THEN least(ftc_applied, CAST(custody_end - {sr_cap_start} AS INTEGER))
             ELSE 0 END AS sr_days
    FROM split
)
SELECT
    sentence_id, person_id, commencement_date, jc AS jail_credit_days, lost AS gct_days_lost,
    full_term, gct, release, release_if_42, rdap_status,
    CASE WHEN rdap_status = 'projected' THEN custody_end END AS rdap_release_date,
    ftc_days,
    CASE WHEN ftc_applied IS NOT NULL AND has_sr THEN custody_end - sr_days END AS supervised_release_date,
    CASE WHEN ftc_applied - sr_days > 0 THEN custody_end - ftc_applied END AS prerelease_custody_date,
    custody_end - if_approved_days AS prerelease_if_approved,
    custody_end - coalesce(sr_days, 0) AS leaves_prison,
    'federal-' || meth || '@' || CASE meth {profile_dates} END || {suffix} AS rule_profile,
    NULL::VARCHAR AS review_reason, NULL::VARCHAR AS review_detail
FROM split2
UNION ALL BY NAME
SELECT sentence_id, person_id, commencement_date, jail_credit_in AS jail_credit_days, lost_in AS gct_days_lost,
    review_reason, review_detail
FROM checked WHERE review_reason IS NOT NULL
"""


def _source_select(source: str, columns: set[str]) -> str:
    """`source` with every optional input column, NULL where it lacks one."""
    missing = [f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type in OPTIONAL_INPUT_COLUMNS.items()]
    missing = [text for text, name in zip(missing, OPTIONAL_INPUT_COLUMNS, strict=True) if name not in columns]
    return f"(SELECT *{''.join(', ' + text for text in missing)} FROM {source})"


def _stage_sql(source: str, columns: set[str], convention: FtcConvention) -> str:
    end_excl = "(CAST(commencement_date + to_months(CAST(tm AS INTEGER)) AS DATE) + CAST(td AS INTEGER))"
    check_reasons, check_details = _check_sql()
    profile_dates = " ".join(f"WHEN {quote_literal(m)} THEN {quote_literal(day)}" for m, day in PROFILE_DATES.items())
    return _STAGE_SQL.format(
        source=_source_select(source, columns),
        check_reasons=check_reasons.replace("{end_excl}", end_excl),
        check_details=check_details.replace("{end_excl}", end_excl),
        end_excl=end_excl,
        anniversary=_add_months("commencement_date", "tm - tm % 12"),
        year=DAYS_PER_YEAR,
        plra=sql_date(PLRA_OFFENSES_FROM),
        full_rate=FULL_RATE,
        reduced_rate=NO_DIPLOMA_RATE,
        gct_full=_gross_gct(FULL_RATE),
        gct_reduced=_gross_gct(NO_DIPLOMA_RATE),
        rdap_months=_rdap_months(),
        rdap_unit_end=_add_months("rd_started", str(RDAP_UNIT_MONTHS)),
        fsa_enacted=sql_date(FSA_ENACTED),
        low_risks=sql_texts(LOW_RISK_LEVELS),
        first_period=_first_covering_period(),
        period=PERIOD_DAYS,
        c_prev=_credits("p_star - 1"),
        c_star=_credits("p_star"),
        c_all=_credits(f"g // {PERIOD_DAYS}"),
        fixed_point="true" if convention == "fixed-point" else "false",
        sr_cap_start=f"CAST(custody_end - to_months({SUPERVISED_RELEASE_CAP_MONTHS}) AS DATE)",
        profile_dates=profile_dates,
        suffix=quote_literal(PROFILE_SUFFIX[convention]),
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# computed_dates column → the staged expression (s: the stage, c: the release-day calendar).
_OUTPUT_VALUES: dict[str, str] = {
    "sentence_id": "s.sentence_id",
    "person_id": "s.person_id",
    "system": "'federal'",
    "commencement_date": "s.commencement_date",
    "full_term_date": "s.full_term",
    "gct_days": "s.gct",
    "gct_days_lost": "s.gct_days_lost",
    "jail_credit_days": "s.jail_credit_days",
    "release_date": "s.release",
    "release_date_if_42_days": "s.release_if_42",
    "rdap_status": "s.rdap_status",
    "rdap_release_date": "s.rdap_release_date",
    "ftc_days": "s.ftc_days",
    "supervised_release_date": "s.supervised_release_date",
    "prerelease_custody_date": "s.prerelease_custody_date",
    "prerelease_custody_date_if_approved": "s.prerelease_if_approved",
    "parole_eligibility_date": "NULL",
    "conditional_release_date": "NULL",
    # § 3624(a): weekend or holiday → last preceding weekday, never before commencement
    "projected_release_date": "CASE WHEN c.moved < s.commencement_date THEN s.leaves_prison ELSE c.moved END",
    "review_reason": "s.review_reason",
    "review_detail": "s.review_detail",
    "rule_profile": "s.rule_profile",
    **{name: f"${name}" for name in RUN_STAMP_COLUMNS},
}


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
    connection.execute(f"CREATE TEMP TABLE {stage} AS " + _stage_sql(_quote(source), columns, ftc_convention))
    try:
        first, last = connection.execute(
            f"SELECT min(year(leaves_prison)), max(year(leaves_prison)) FROM {stage}"
        ).fetchall()[0]
        days, moved = release_day_calendar(first, last) if first is not None else ([], [])
        calendar_table = pa.table({"day": pa.array(days, pa.date32()), "moved": pa.array(moved, pa.date32())})
        connection.register(calendar, calendar_table)
        select = ",\n    ".join(
            f"CAST({_OUTPUT_VALUES[name]} AS {sql_type}) AS {name}" for name, sql_type, _ in COMPUTED_DATES_COLUMNS
        )
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {_quote(target)} AS SELECT\n    {select}\n"
            f"FROM {stage} s LEFT JOIN {calendar} c ON c.day = s.leaves_prison",
            run_stamps(computed_at or datetime.now()),
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
        has_diploma=row.get("has_diploma"),
        literacy_progress=row.get("literacy_progress"),
        offense_date=row.get("offense_date"),
        gct_days_lost=row.get("gct_days_lost") or 0,
        risk_level=row.get("risk_level"),
        excluded_offense=bool(row.get("excluded_offense")),
        final_order_of_removal=row.get("final_order_of_removal"),
        rdap=bool(row.get("rdap")),
        rdap_barred=row.get("rdap_barred"),
        rdap_started_on=row.get("rdap_started_on"),
        rdap_completed_on=row.get("rdap_completed_on"),
        warden_approved=row.get("warden_approved"),
        supervised_release_months=row.get("supervised_release_months"),
        sentence_type=row.get("sentence_type") or "determinate",
        ftc_convention=ftc_convention,
    )


# computed_dates column → the FederalResult field it shows (the others are NULL or the row's own).
_RESULT_FIELDS: dict[str, str] = {
    "full_term_date": "full_term_date",
    "gct_days": "gct_days",
    "gct_days_lost": "gct_days_lost",
    "jail_credit_days": "jail_credit_days",
    "release_date": "release_date",
    "release_date_if_42_days": "release_date_if_42_days",
    "rdap_status": "rdap_status",
    "rdap_release_date": "rdap_release_date",
    "ftc_days": "ftc_days",
    "supervised_release_date": "supervised_release_date",
    "prerelease_custody_date": "prerelease_custody_date",
    "prerelease_custody_date_if_approved": "prerelease_custody_date_if_approved",
    "projected_release_date": "projected_release_date",
    "rule_profile": "rule_profile",
}


def scalar_federal_row(row: Mapping[str, Any], *, ftc_convention: FtcConvention = "fixed-point") -> dict[str, Any]:
    """The `computed_dates` values of one input row by the scalar reference (`compute_federal`), NULLs read as in bulk.

    The run stamps (`RUN_STAMP_COLUMNS`) are left out; every other column matches `federal_dates_relation`.
    """
    months, days = row.get("term_months"), row.get("term_days")
    output: dict[str, Any] = {name: None for name, _, _ in COMPUTED_DATES_COLUMNS if name not in RUN_STAMP_COLUMNS}
    output.update(
        sentence_id=row.get("sentence_id"),
        person_id=row.get("person_id"),
        system="federal",
        commencement_date=row.get("commencement_date"),
    )
    try:
        if months is not None and months < 0 or days is not None and days < 0:
            raise ManualReview(ReasonCode.MISSING_TERM, "no term of imprisonment")
        result = compute_federal_of_row(row, ftc_convention=ftc_convention)
    except ManualReview as review:
        return output | {
            "gct_days_lost": row.get("gct_days_lost"),
            "jail_credit_days": row.get("jail_credit_days"),
            "review_reason": str(review.code),
            "review_detail": review.detail,
        }
    return output | {column: getattr(result, field) for column, field in _RESULT_FIELDS.items()}
