"""Missouri dates for a whole relation of sentences, in one DuckDB query.

Interface (used by `secondchance dates compute`):

    compute_missouri_bulk(connection, sentences) -> duckdb.DuckDBPyRelation

`sentences` is a relation, or the name of a table or view, with the columns

    sentence_id, person_id, commencement_date, offense_date, term_months, term_days,
    min_term_months, sentence_type, jail_credit_days, prior_commitments, dangerous_felony,
    no_parole_offense, birth_date

(`offense_date` and `min_term_months` are read by no Missouri rule and may be NULL). The result has
one row per input row and exactly the columns of `computed_dates` (`COMPUTED_DATES_COLUMNS`, same order
and types), so `INSERT INTO computed_dates SELECT * FROM result` stores it. Missouri fills
sentence_id, person_id, system ('us-mo'), commencement_date, full_term_date, jail_credit_days,
parole_eligibility_date, conditional_release_date, projected_release_date, review_reason,
review_detail, rule_profile, engine_version and computed_at (the `computed_at` argument, else now);
the federal columns (gct_days, ftc_days, ...) are NULL.

NULL inputs mean unknown: a NULL `no_parole_offense` counts as "no listed no-parole offence"; a NULL
`dangerous_felony` or `prior_commitments` that a rule needs sends the row to review (`MISSING_FACT`)
with the dates that do not depend on it still filled.

`compute_missouri_row` is the scalar reference for one such row (it calls `compute_missouri`); the
test suite checks that both give identical rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import duckdb

from secondchance import __version__
from secondchance.law.missouri import CODE_OF_2017, HB_192_EFFECTIVE
from secondchance.records.validate import quote_literal
from secondchance.sentencing.computed_dates import COMPUTED_DATES_COLUMNS, scalar_computed_dates_row
from secondchance.sentencing.missouri.board import FELONY_CLASSES, board_rows
from secondchance.sentencing.missouri.compute import RULE_PROFILE, SENTENCE_TYPES, MissouriDates, compute_missouri
from secondchance.sentencing.missouri.conditional import (
    FOURTH_REMAND_DETAIL,
    FOURTH_REMAND_PRIORS,
    PRIORS_UNKNOWN_DETAIL,
    Release,
)
from secondchance.sentencing.missouri.minimum import (
    MISSING,
    UNCERTAIN,
    MinimumDecision,
    MissouriOffence,
    Step,
    board_row_detail,
)
from secondchance.sentencing.terms import term_of_parts

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "FILLED_COLUMNS",
    "compute_missouri_bulk",
    "compute_missouri_of_row",
    "compute_missouri_row",
    "as_computed_dates_sql",
]

INPUT_COLUMNS = (
    "sentence_id",
    "person_id",
    "commencement_date",
    "offense_date",
    "term_months",
    "term_days",
    "min_term_months",
    "sentence_type",
    "jail_credit_days",
    "prior_commitments",
    "dangerous_felony",
    "no_parole_offense",
    "birth_date",
    "minimum_term_offense",
    "drug_offense",
    "felony_class",
)
OUTPUT_COLUMNS = tuple(name for name, _, _ in COMPUTED_DATES_COLUMNS)
# the columns Missouri fills; every other computed_dates column is NULL
FILLED_COLUMNS = (
    "sentence_id",
    "person_id",
    "system",
    "commencement_date",
    "full_term_date",
    "jail_credit_days",
    "parole_eligibility_date",
    "conditional_release_date",
    "projected_release_date",
    "review_reason",
    "review_detail",
    "rule_profile",
    "engine_version",
    "computed_at",
)

_TYPES_SQL = ", ".join(f"'{name}'" for name in SENTENCE_TYPES)
_TYPES_TEXT = ", ".join(SENTENCE_TYPES)


def minimum_step_sql() -> str:
    """SQL for `minimum.decide_minimum`'s `Step`: the same conditions in the same order (columns of `base`)."""
    s = {step: quote_literal(str(step)) for step in Step}
    before = f"DATE '{HB_192_EFFECTIVE}'"
    # listed with previous commitments, and not a drug offence sentenced while 558.019.2 excluded chapter 579
    statute = f"listed AND priors > 0 AND NOT coalesce(drug AND start < {before}, FALSE)"
    classes = ", ".join(quote_literal(row_class) for row_class in FELONY_CLASSES)
    return f"""CASE
            WHEN no_parole THEN {s[Step.NO_PAROLE]}
            WHEN dangerous IS NULL THEN {s[Step.MISSING_DANGEROUS]}
            WHEN dangerous AND (listed OR start < {before}) THEN {s[Step.STATUTE_DANGEROUS]}
            WHEN dangerous AND listed IS NULL THEN {s[Step.MISSING_LISTED]}
            WHEN dangerous THEN {s[Step.DANGEROUS_NOT_LISTED]}
            -- RSMo 558.019.2(1)-(3): a listed offence with previous prison commitments
            WHEN listed IS NULL AND (priors IS NULL OR priors > 0) THEN {s[Step.MISSING_LISTED]}
            WHEN listed AND priors IS NULL THEN {s[Step.MISSING_PRIORS]}
            WHEN listed AND priors > 0 AND drug IS NULL AND start < {before} THEN {s[Step.MISSING_DRUG]}
            WHEN {statute} AND drug IS NOT FALSE AND offense_date IS NULL THEN {s[Step.MISSING_OFFENSE_DATE]}
            WHEN {statute} AND drug IS NOT FALSE AND offense_date < {before} THEN {s[Step.DRUG_BEFORE_HB_192]}
            WHEN {statute} THEN {s[Step.STATUTE_PRIORS]}
            -- 14 CSR 80-2.010(1): no statutory minimum
            WHEN drug IS NULL THEN {s[Step.MISSING_DRUG]}
            WHEN NOT drug THEN {s[Step.NONE]}
            WHEN is_life THEN {s[Step.LIFE_UNDER_BOARD]}
            WHEN offense_date IS NULL THEN {s[Step.MISSING_OFFENSE_DATE]}
            WHEN offense_date < DATE '{CODE_OF_2017}' THEN {s[Step.DRUG_BEFORE_2017]}
            WHEN felony_class IS NULL THEN {s[Step.MISSING_CLASS]}
            WHEN felony_class NOT IN ({classes}) THEN {s[Step.MIXED_CLASSES]}
            WHEN {_board_sql("percent")} IS NULL THEN {s[Step.BOARD_ROW_UNCERTAIN]}
            ELSE {s[Step.BOARD]}
        END"""


def _board_sql(what: str) -> str:
    """SQL for a board row's `percent`, or its review `detail`, by `felony_class`."""
    cases = []
    for row in board_rows():
        value = row.percent if what == "percent" else quote_literal(board_row_detail(row))
        letters = ", ".join(quote_literal(letter) for letter in row.classes)
        cases.append(f"WHEN felony_class IN ({letters}) THEN {'NULL' if value is None else value}")
    return f"(CASE {' '.join(cases)} END)"


def _detail_sql() -> str:
    """SQL for the review reason and detail of a minimum step (`MinimumDecision.reason` and `.detail`)."""
    steps = [*MISSING, *UNCERTAIN]
    details = " ".join(f"WHEN {quote_literal(str(step))} THEN {quote_literal(_detail(step))}" for step in steps)
    missing = ", ".join(quote_literal(str(step)) for step in MISSING)
    uncertain = ", ".join(quote_literal(str(step)) for step in (*UNCERTAIN, Step.BOARD_ROW_UNCERTAIN))
    row_step = quote_literal(str(Step.BOARD_ROW_UNCERTAIN))
    return f"""CASE WHEN step IN ({missing}) THEN 'MISSING_FACT'
             WHEN step IN ({uncertain}) THEN 'PAROLE_RULE_UNCERTAIN' END AS minimum_reason,
        CASE step {details} WHEN {row_step} THEN {_board_sql("detail")} END AS minimum_detail"""


def _detail(step: Step) -> str:
    detail = MinimumDecision(step).detail
    assert detail is not None
    return detail


def _release_sql() -> str:
    """SQL for `conditional.decide_release`."""
    r = {release: quote_literal(str(release)) for release in Release}
    return f"""CASE
            WHEN is_life OR no_parole THEN {r[Release.NONE]}
            WHEN dangerous IS NULL THEN {r[Release.UNKNOWN]}
            WHEN dangerous THEN {r[Release.NONE]}
            WHEN priors IS NULL THEN {r[Release.PRIORS_UNKNOWN]}
            WHEN priors >= {FOURTH_REMAND_PRIORS} THEN {r[Release.FOURTH_REMAND]}
            ELSE {r[Release.TERM]}
        END"""


# Each CTE mirrors a step of `compute_missouri`; comments name the rule.
_SQL = f"""
WITH base AS (
    SELECT
        sentence_id, person_id, commencement_date AS start, sentence_type, birth_date, offense_date,
        COALESCE(jail_credit_days, 0) AS credit,
        prior_commitments AS priors,
        dangerous_felony AS dangerous,
        minimum_term_offense AS listed,
        drug_offense AS drug,
        felony_class,
        sentence_type = 'life_without_parole' OR COALESCE(no_parole_offense, false) AS no_parole,
        sentence_type IN ('life', 'life_without_parole') AS is_life,
        CASE WHEN term_months IS NULL AND term_days IS NULL THEN NULL
             ELSE CAST(commencement_date + to_months(COALESCE(term_months, 0)) + to_days(COALESCE(term_days, 0))
                       AS DATE) END AS end_exclusive
    FROM sentences
), checked AS (
    SELECT *,
        end_exclusive - start AS total_days,
        -- the same checks, in the same order, as compute_missouri
        CASE
            WHEN start IS NULL THEN 'MISSING_COMMENCEMENT_DATE'
            WHEN sentence_type IS NULL OR sentence_type NOT IN ({_TYPES_SQL}) THEN 'UNSUPPORTED_SENTENCE_TYPE'
            WHEN NOT is_life AND end_exclusive IS NULL THEN 'MISSING_TERM'
            WHEN credit < 0 THEN 'CONFLICTING_CREDITS'
            WHEN priors < 0 THEN 'MISSING_FACT'
            WHEN birth_date > start THEN 'INCONSISTENT_DATES'
            WHEN NOT is_life AND end_exclusive - start <= credit THEN 'CONFLICTING_CREDITS'
        END AS stop_reason
    FROM base
), stopped AS (
    SELECT *,
        CASE stop_reason
            WHEN 'MISSING_COMMENCEMENT_DATE' THEN 'the sentence has no commencement date'
            WHEN 'UNSUPPORTED_SENTENCE_TYPE' THEN
                'sentence type ' || COALESCE(sentence_type, 'unknown') || ' is not supported ({_TYPES_TEXT})'
            WHEN 'MISSING_TERM' THEN 'a determinate sentence needs a term'
            WHEN 'MISSING_FACT' THEN 'prior prison commitments cannot be negative'
            WHEN 'INCONSISTENT_DATES' THEN 'the birth date is after the commencement date'
            WHEN 'CONFLICTING_CREDITS' THEN
                CASE WHEN credit < 0 THEN 'jail credit cannot be negative'
                     ELSE 'jail credit is as long as the term or longer' END
        END AS stop_detail
    FROM checked
), decided AS (
    -- which rule sets the minimum prison term (minimum.decide_minimum), and conditional release
    SELECT *, {minimum_step_sql()} AS step, {_release_sql()} AS release
    FROM stopped
    WHERE stop_reason IS NULL
), rule AS (
    SELECT *,
        -- RSMo 558.019.3 (dangerous felony), 558.019.2(1)-(3) (prior prison commitments), 14 CSR 80-2.010(1)
        CASE step
            WHEN '{Step.STATUTE_DANGEROUS}' THEN 85
            WHEN '{Step.STATUTE_PRIORS}' THEN CASE WHEN priors >= 3 THEN 80 WHEN priors = 2 THEN 50 ELSE 40 END
            WHEN '{Step.BOARD}' THEN {_board_sql("percent")}
        END AS percent,
        CASE step
            WHEN '{Step.STATUTE_DANGEROUS}' THEN 40
            WHEN '{Step.STATUTE_PRIORS}' THEN CASE WHEN priors >= 2 THEN 40 ELSE 30 END
        END AS age_70_percent,
        -- RSMo 558.019.4(1): life is calculated to be thirty years
        CASE WHEN is_life THEN CAST(start + to_months(360) AS DATE) - start ELSE total_days END AS base_days,
        {_detail_sql()}
    FROM decided
), parole AS (
    SELECT *,
        start + CAST(base_days * percent // 100 - 1 - credit AS INTEGER) AS main_date,
        -- the age-70 alternative: the later of the 70th birthday and the smaller percentage served
        CASE WHEN age_70_percent IS NOT NULL AND birth_date IS NOT NULL THEN greatest(
            CAST(birth_date + to_years(70) AS DATE),
            start + CAST(base_days * age_70_percent // 100 - 1 - credit AS INTEGER)
        ) END AS alternative_date
    FROM rule
), eligibility AS (
    SELECT *,
        least(main_date, alternative_date) AS parole_eligibility_date,
        CASE WHEN NOT is_life THEN end_exclusive - CAST(1 + credit AS INTEGER) END AS full_term_date,
        -- RSMo 558.011.4(1)(a)-(c): the prison term is the term less its conditional release term
        CASE
            WHEN release <> '{Release.TERM}' THEN NULL
            WHEN total_days <= CAST(start + to_months(108) AS DATE) - start
                THEN start + CAST(total_days * 2 // 3 - 1 - credit AS INTEGER)
            WHEN total_days <= CAST(start + to_months(180) AS DATE) - start
                THEN CAST(end_exclusive - to_months(36) AS DATE) - CAST(1 + credit AS INTEGER)
            ELSE CAST(end_exclusive - to_months(60) AS DATE) - CAST(1 + credit AS INTEGER)
        END AS conditional_release_date
    FROM parole
), computed AS (
    SELECT sentence_id, person_id, start, credit, full_term_date, parole_eligibility_date, conditional_release_date,
        CASE release WHEN '{Release.NONE}' THEN full_term_date WHEN '{Release.TERM}' THEN conditional_release_date
        END AS projected_release_date,
        COALESCE(minimum_reason, CASE release
            WHEN '{Release.PRIORS_UNKNOWN}' THEN 'MISSING_FACT'
            WHEN '{Release.FOURTH_REMAND}' THEN 'CONDITIONAL_RELEASE_UNCERTAIN' END) AS review_reason,
        CASE WHEN minimum_reason IS NOT NULL THEN minimum_detail ELSE CASE release
            WHEN '{Release.PRIORS_UNKNOWN}' THEN {quote_literal(PRIORS_UNKNOWN_DETAIL)}
            WHEN '{Release.FOURTH_REMAND}' THEN {quote_literal(FOURTH_REMAND_DETAIL)} END END AS review_detail
    FROM eligibility
)
SELECT sentence_id, person_id, 'us-mo' AS system, start AS commencement_date, full_term_date,
    CAST(credit AS INTEGER) AS jail_credit_days, parole_eligibility_date, conditional_release_date,
    projected_release_date, review_reason, review_detail, '{RULE_PROFILE}' AS rule_profile,
    '{__version__}' AS engine_version
FROM computed
UNION ALL
SELECT sentence_id, person_id, 'us-mo', start, NULL, CAST(credit AS INTEGER), NULL, NULL, NULL,
    stop_reason, stop_detail, '{RULE_PROFILE}', '{__version__}'
FROM stopped
WHERE stop_reason IS NOT NULL
"""


def as_computed_dates_sql(inner_sql: str, filled: tuple[str, ...], computed_at: datetime) -> str:
    """Wrap a query giving the `filled` columns into one giving every `computed_dates` column, typed and in order."""
    values = {name: name for name in filled}
    values["computed_at"] = f"TIMESTAMP '{computed_at.isoformat(sep=' ')}'"
    select = ",\n    ".join(
        f"CAST({values.get(name, 'NULL')} AS {sql_type}) AS {name}" for name, sql_type, _ in COMPUTED_DATES_COLUMNS
    )
    return f"SELECT\n    {select}\nFROM (\n{inner_sql}\n) AS computed"


def compute_missouri_bulk(
    connection: duckdb.DuckDBPyConnection,
    sentences: duckdb.DuckDBPyRelation | str,
    *,
    computed_at: datetime | None = None,
) -> duckdb.DuckDBPyRelation:
    """Missouri dates for every row of `sentences` (a relation, or a table or view name), as a relation.

    Rows come back in no particular order; join on `sentence_id`.
    """
    relation = connection.table(sentences) if isinstance(sentences, str) else sentences
    missing = [name for name in INPUT_COLUMNS if name not in relation.columns]
    if missing:
        raise ValueError(f"the sentences relation lacks the columns {', '.join(missing)}")
    filled = tuple(name for name in FILLED_COLUMNS if name != "computed_at")
    sql = as_computed_dates_sql(_SQL, filled, computed_at or datetime.now())
    result = relation.query("sentences", sql)
    assert result is not None  # a SELECT always gives a relation
    return result


def compute_missouri_of_row(row: Mapping[str, Any]) -> MissouriDates:
    """`compute_missouri` on one input row."""
    offence = MissouriOffence(
        dangerous_felony=row.get("dangerous_felony"),
        no_parole_offense=row.get("no_parole_offense"),
        minimum_term_offense=row.get("minimum_term_offense"),
        drug_offense=row.get("drug_offense"),
        felony_class=row.get("felony_class"),
        offense_date=row.get("offense_date"),
    )
    return compute_missouri(
        row.get("commencement_date"),
        term_of_parts(row.get("term_months"), row.get("term_days")),
        sentence_type=row.get("sentence_type"),
        prior_commitments=row.get("prior_commitments"),
        birth_date=row.get("birth_date"),
        jail_credit_days=row.get("jail_credit_days") or 0,
        offence=offence,
    )


def compute_missouri_row(row: Mapping[str, Any], *, computed_at: datetime | None = None) -> dict[str, Any]:
    """The scalar reference for one input row: the same columns as `compute_missouri_bulk`."""

    def dates() -> dict[str, Any]:
        result = compute_missouri_of_row(row)
        return {
            "full_term_date": result.full_term_date,
            "parole_eligibility_date": result.parole_eligibility_date,
            "conditional_release_date": result.conditional_release_date,
            "projected_release_date": result.projected_release_date,
            "review_reason": str(result.review_reason) if result.review_reason else None,
            "review_detail": result.review_detail,
        }

    return scalar_computed_dates_row(
        row, system="us-mo", rule_profile=RULE_PROFILE, computed_at=computed_at, dates=dates
    )
