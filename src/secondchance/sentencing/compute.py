"""`secondchance dates compute`: dates for every sentence of the store, set-based, into `computed_dates`.

Steps, all in DuckDB SQL (no Python loop over rows):

1. `inputs.member_inputs_sql` builds one input row per sentence (the facts the engines read).
2. Sentences are grouped into *units*. A sentence with no `consecutive_to` and nothing consecutive to it
   is a unit of its own, computed on its own term. A root (a sentence not consecutive to another) and
   every sentence consecutive to it, directly or down a chain, form one unit: a recursive CTE walks each
   chain, each term starting the day after the one it follows ends, and the unit is the single aggregate
   term of 18 U.S.C. § 3584(c) (the same arithmetic as `federal.aggregate_terms`: the earliest
   commencement to the latest end, prior custody credit following its term). Concurrent sentences keep
   their own dates; a person's projected date is the latest of them (the facts view takes the latest).
3. The engines run once per system on the unit inputs: the federal SQL (`federal_dates_relation`), the
   Missouri SQL (`compute_missouri_bulk`) and, for each state with a profile, `compute_profile_bulk`.
4. Each sentence gets its unit's row. Nothing is dropped: a sentence of a system with no rules gets
   `UNSUPPORTED_SYSTEM`, a chain that loops `CONSECUTIVE_CYCLE`, a chain whose first term points at a
   sentence not in the store `CONSECUTIVE_TARGET_MISSING`, and so on (`ReasonCode`).

`scalar_computed_dates` is the reference: the same units built in Python (`aggregate_terms`) and the
scalar engines called row by row. tests/sentencing/test_compute.py and benchmarks/sentencing.py check
that both give identical rows.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
from dateutil.relativedelta import relativedelta

from secondchance.records.validate import quote_literal
from secondchance.sentencing.computed_dates import (
    COMPUTED_DATES_COLUMNS,
    CREATE_COMPUTED_DATES_SQL,
    RUN_STAMP_COLUMNS,
    run_stamps,
)
from secondchance.sentencing.conventions import LIFE_SENTENCE_TYPES, sentence_type_rank, sql_rank, sql_texts
from secondchance.sentencing.federal.aggregate import SentenceTerm, aggregate_terms
from secondchance.sentencing.federal.bulk import compute_federal_of_row, federal_dates_relation, scalar_federal_row
from secondchance.sentencing.inputs import MEMBER_COLUMNS, create_member_inputs, incident_inputs_sql
from secondchance.sentencing.missouri.bulk import compute_missouri_bulk, compute_missouri_of_row, compute_missouri_row
from secondchance.sentencing.profiles import builtin_profile, builtin_profile_ids, compute_profile_bulk
from secondchance.sentencing.profiles.bulk import compute_profile_of_row, compute_profile_row
from secondchance.sentencing.profiles.model import Profile
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import (
    EARLIEST_DATE,
    LATEST_DATE,
    LONGEST_TERM_MONTHS,
    Term,
    out_of_range_detail,
)
from secondchance.sentencing.timeline import Timeline

__all__ = [
    "ComputeSummary",
    "compute_dates",
    "compute_into",
    "scalar_computed_dates",
    "scalar_timelines",
    "scalar_mismatches",
    "read_scalar_inputs",
    "summarise",
    "supported_systems",
    "COMPARED_COLUMNS",
    "UNIT_SQL",
]

# Every computed_dates column but the stamps of the run.
COMPARED_COLUMNS: tuple[str, ...] = tuple(
    name for name, _, _ in COMPUTED_DATES_COLUMNS if name not in RUN_STAMP_COLUMNS
)
_CYCLE_DETAIL = "the sentence is in, or consecutive to, a cycle of consecutive sentences"
_TARGET_DETAIL = "runs consecutively to sentence {target}, which is not in the store"
_MIXED_SYSTEMS_DETAIL = "consecutive sentences of different systems; no aggregate rule covers them"
_LIFE_CHAIN_DETAIL = "a life sentence or a sentence without a term in a chain of consecutive sentences"
_MIXED_DANGEROUS_DETAIL = (
    "consecutive sentences mix dangerous and other felonies; RSMo 558.019 minimum terms of such an aggregate "
    "are not computed"
)
_MIXED_MINIMUM_DETAIL = (
    "consecutive sentences under different minimum-term rules (offences on RSMo 558.019.2's list and others, or "
    "drug offences of different felony classes or with others); the minimum term of such an aggregate is not computed"
)
_OWN_MINIMUM_DETAIL = (
    "a charge under a statute that sets its own minimum term (RSMo 558.019.1: 558.018, 571.015, 566.125)"
)


# UNIT_SQL's parameters for sentences outside the supported dates (terms.check_in_supported_range).
_RANGE_PARAMETERS = {
    "earliest": f"DATE '{EARLIEST_DATE}'",
    "latest": f"DATE '{LATEST_DATE}'",
    "after_latest": f"DATE '{LATEST_DATE + timedelta(days=1)}'",
    "starts_outside": quote_literal(out_of_range_detail("commences")),
    "ends_outside": quote_literal(out_of_range_detail("ends")),
}


# A term end past every supported date: where the walk stops adding terms, so no date overflows.
_BEYOND_LATEST = LATEST_DATE + timedelta(days=2)


def _end_sql(start: str, sentence: str) -> str:
    """SQL for the day after a term that starts on `start` ends (NULL without a term; `_BEYOND_LATEST` once
    the end is past the supported dates, so an absurd term is never added to a date)."""
    months, days = f"{sentence}.term_months", f"{sentence}.term_days"
    return f"""CASE WHEN {months} IS NULL AND {days} IS NULL THEN NULL
            WHEN {start} > DATE '{LATEST_DATE}'
                OR CAST(coalesce({months}, 0) AS BIGINT) + coalesce({days}, 0) // 31 > {LONGEST_TERM_MONTHS}
                THEN DATE '{_BEYOND_LATEST}'
            ELSE CAST({start} + to_months(CAST(coalesce({months}, 0) AS INTEGER)) AS DATE)
                + CAST(coalesce({days}, 0) AS INTEGER) END"""


def supported_systems() -> dict[str, str]:
    """System → engine: `federal`, `us-mo` and each shipped profile."""
    systems = {"federal": "federal", "us-mo": "missouri"}
    for profile_id in builtin_profile_ids():
        systems.setdefault(profile_id, "profile")
    return systems


def _unsupported_detail(system: str | None) -> str:
    known = ", ".join(supported_systems())
    return f"no release-date rules for system {system or 'unknown'} (rules exist for {known})"


# Units: a recursive walk down each chain from its root. `end_excl` is the day after the term ends without
# credit; `credit` is the prior custody credit accumulated along the chain (18 U.S.C. § 3585(b)).
UNIT_SQL = """
CREATE OR REPLACE TEMP TABLE {linked} AS
SELECT sentence_id FROM {members} WHERE consecutive_to_id IS NOT NULL OR consecutive_to_source_id IS NOT NULL
UNION
SELECT consecutive_to_id FROM {members} WHERE consecutive_to_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE {chain} AS
SELECT m.* FROM {members} m SEMI JOIN {linked} l ON l.sentence_id = m.sentence_id;

CREATE OR REPLACE TEMP TABLE {walk} AS
WITH RECURSIVE walk AS (
    SELECT m.sentence_id, m.sentence_id AS unit_id, 0 AS depth,
        (m.consecutive_to_id IS NOT NULL OR m.consecutive_to_source_id IS NOT NULL) AS dangling,
        {root_end} AS end_excl,
        CAST(coalesce(m.jail_credit_days, 0) AS BIGINT) AS credit
    FROM {chain} m
    WHERE m.consecutive_to_id IS NULL
        OR m.consecutive_to_id NOT IN (SELECT sentence_id FROM {chain})
    UNION ALL
    SELECT c.sentence_id, w.unit_id, w.depth + 1, w.dangling,
        {step_end},
        w.credit + coalesce(c.jail_credit_days, 0)
    FROM walk w JOIN {chain} c ON c.consecutive_to_id = w.sentence_id
)
SELECT * FROM walk;

CREATE OR REPLACE TEMP TABLE {units} AS
WITH grouped AS (
    SELECT w.unit_id, count(*) AS members,
        bool_or(w.dangling) AS dangling,
        count(DISTINCT m.system) AS systems,
        bool_or(m.sentence_type IN ({life_types})
            OR (m.term_months IS NULL AND m.term_days IS NULL)) AS has_life_or_no_term,
        -- a dangerous member beside one that is not, or not known to be (as `_unit_reason`)
        bool_or(m.dangerous_felony) AND (count(*) > count(m.dangerous_felony) OR NOT bool_and(m.dangerous_felony))
            AS mixed_dangerous,
        bool_or(m.own_minimum_term) AS own_minimum_term,
        -- Missouri: members under different minimum-term rules (RSMo 558.019.2's list, 14 CSR 80-2.010(1))
        bool_or(m.minimum_term_offense) AND NOT coalesce(bool_and(m.minimum_term_offense), FALSE)
            OR bool_or(m.drug_offense) AND NOT coalesce(bool_and(m.drug_offense), FALSE)
            OR bool_or(m.drug_offense) AND count(DISTINCT m.felony_class) > 1 AS mixed_minimum,
        CASE WHEN count(*) = count(m.minimum_term_offense) THEN bool_and(m.minimum_term_offense) END
            AS minimum_term_offense,
        CASE WHEN count(*) = count(m.drug_offense) THEN bool_and(m.drug_offense) END AS drug_offense,
        CASE WHEN count(*) > count(m.felony_class) THEN NULL WHEN count(DISTINCT m.felony_class) = 1
             THEN any_value(m.felony_class) ELSE 'mixed' END AS felony_class,
        CASE WHEN count(*) > count(w.end_excl) THEN NULL ELSE max(w.end_excl) END AS end_max,
        max(w.end_excl - CAST(w.credit AS INTEGER)) AS credit_floor,
        CASE WHEN bool_or(m.excluded_offense) THEN TRUE
             WHEN count(*) > count(m.excluded_offense) THEN NULL ELSE FALSE END AS excluded_offense,
        CASE WHEN bool_or(m.rdap_barred) THEN TRUE
             WHEN count(*) > count(m.rdap_barred) THEN NULL ELSE FALSE END AS rdap_barred,
        CASE WHEN bool_or(m.dangerous_felony) THEN TRUE
             WHEN count(*) > count(m.dangerous_felony) THEN NULL ELSE FALSE END AS dangerous_felony,
        bool_or(m.no_parole_offense) AS no_parole_offense,
        CASE WHEN bool_or(m.violent) THEN TRUE WHEN count(*) > count(m.violent) THEN NULL ELSE FALSE END AS violent,
        CASE WHEN bool_or(m.habitual_offender) THEN TRUE
             WHEN count(*) > count(m.habitual_offender) THEN NULL ELSE FALSE END AS habitual_offender,
        max(m.supervised_release_months) AS supervised_release_months,
        max(m.offense_date) AS offense_date,
        arg_max(m.sentence_type, {type_rank}) AS worst_type
    FROM {walk} w JOIN {chain} m ON m.sentence_id = w.sentence_id
    GROUP BY w.unit_id
),
shaped AS (
    SELECT g.*, r.commencement_date AS start, r.system, r.person_id,
        -- calendar_term(start, end): whole months, then days (federal/aggregate.py)
        (year(g.end_max) - year(r.commencement_date)) * 12 + month(g.end_max) - month(r.commencement_date)
            AS months0
    FROM grouped g JOIN {chain} r ON r.sentence_id = g.unit_id
),
aggregate AS (
    SELECT *,
        months0 - CASE WHEN months0 > 0 AND CAST(start + to_months(CAST(months0 AS INTEGER)) AS DATE) > end_max
                       THEN 1 ELSE 0 END AS agg_months
    FROM shaped
)
SELECT a.unit_id, a.person_id, a.system, a.members,
    CASE
        WHEN a.dangling THEN 'CONSECUTIVE_TARGET_MISSING'
        WHEN a.system IS NULL OR a.system NOT IN ({supported}) THEN 'UNSUPPORTED_SYSTEM'
        WHEN a.systems > 1 THEN 'RULE_NEEDS_REVIEW'
        WHEN a.system <> 'federal' AND a.members > 1 AND a.has_life_or_no_term THEN 'RULE_NEEDS_REVIEW'
        WHEN a.system = 'us-mo' AND a.own_minimum_term THEN 'RULE_NEEDS_REVIEW'
        WHEN a.system = 'us-mo' AND a.members > 1 AND a.mixed_dangerous THEN 'RULE_NEEDS_REVIEW'
        WHEN a.system = 'us-mo' AND a.members > 1 AND a.mixed_minimum THEN 'RULE_NEEDS_REVIEW'
        WHEN a.start NOT BETWEEN {earliest} AND {latest} OR a.end_max > {after_latest} THEN 'DATE_OUT_OF_RANGE'
    END AS unit_reason,
    CASE
        WHEN a.dangling THEN replace({target_detail}, '{{target}}', coalesce(r.consecutive_to_source_id,
            CAST(r.consecutive_to_id AS VARCHAR)))
        WHEN a.system IS NULL OR a.system NOT IN ({supported})
            THEN 'no release-date rules for system ' || coalesce(a.system, 'unknown') || ' (rules exist for '
                || {known} || ')'
        WHEN a.systems > 1 THEN {mixed_systems}
        WHEN a.system <> 'federal' AND a.members > 1 AND a.has_life_or_no_term THEN {life_chain}
        WHEN a.system = 'us-mo' AND a.own_minimum_term THEN {own_minimum}
        WHEN a.system = 'us-mo' AND a.members > 1 AND a.mixed_dangerous THEN {mixed_dangerous}
        WHEN a.system = 'us-mo' AND a.members > 1 AND a.mixed_minimum THEN {mixed_minimum}
        WHEN a.start NOT BETWEEN {earliest} AND {latest} THEN {starts_outside}
        WHEN a.end_max > {after_latest} THEN {ends_outside}
    END AS unit_detail,
    -- engine inputs: a unit of one keeps its own term; an aggregate gets calendar_term(start, end)
    a.start AS commencement_date,
    CASE WHEN a.members = 1 THEN r.term_months WHEN a.end_max IS NOT NULL THEN a.agg_months END AS term_months,
    CASE WHEN a.members = 1 THEN r.term_days
         WHEN a.end_max IS NOT NULL THEN a.end_max - CAST(a.start + to_months(CAST(a.agg_months AS INTEGER)) AS DATE)
    END AS term_days,
    CASE WHEN a.members = 1 THEN r.jail_credit_days
         WHEN a.end_max IS NOT NULL THEN a.end_max - a.credit_floor END AS jail_credit_days,
    CASE WHEN a.members = 1 THEN r.sentence_type ELSE a.worst_type END AS sentence_type,
    CASE WHEN a.members = 1 THEN r.min_term_months END AS min_term_months,
    a.supervised_release_months, a.excluded_offense, a.dangerous_felony, a.no_parole_offense, a.offense_date,
    a.minimum_term_offense, a.drug_offense, a.felony_class,
    a.violent, a.habitual_offender,
    r.prior_commitments, r.has_diploma, r.final_order_of_removal, r.risk_level, r.rdap, r.birth_date,
    a.rdap_barred, r.rdap_started_on, r.rdap_completed_on, r.literacy_progress,
    a.end_max
FROM aggregate a JOIN {chain} r ON r.sentence_id = a.unit_id
UNION ALL BY NAME
-- a sentence in no consecutive relation is a unit of its own, on its own term
SELECT m.sentence_id AS unit_id, m.person_id, m.system, 1 AS members,
    CASE
        WHEN m.system IS NULL OR m.system NOT IN ({supported}) THEN 'UNSUPPORTED_SYSTEM'
        WHEN m.system = 'us-mo' AND m.own_minimum_term THEN 'RULE_NEEDS_REVIEW'
        WHEN m.commencement_date NOT BETWEEN {earliest} AND {latest} THEN 'DATE_OUT_OF_RANGE'
        WHEN {single_end} > {after_latest} THEN 'DATE_OUT_OF_RANGE'
    END AS unit_reason,
    CASE
        WHEN m.system IS NULL OR m.system NOT IN ({supported})
            THEN 'no release-date rules for system ' || coalesce(m.system, 'unknown') || ' (rules exist for '
                || {known} || ')'
        WHEN m.system = 'us-mo' AND m.own_minimum_term THEN {own_minimum}
        WHEN m.commencement_date NOT BETWEEN {earliest} AND {latest} THEN {starts_outside}
        WHEN {single_end} > {after_latest} THEN {ends_outside}
    END AS unit_detail,
    m.commencement_date, m.term_months, m.term_days, m.jail_credit_days, m.sentence_type, m.min_term_months,
    m.supervised_release_months, m.excluded_offense, m.dangerous_felony, m.no_parole_offense, m.offense_date,
    m.minimum_term_offense, m.drug_offense, m.felony_class,
    m.violent, m.habitual_offender,
    m.prior_commitments, m.has_diploma, m.final_order_of_removal, m.risk_level, m.rdap, m.birth_date,
    m.rdap_barred, m.rdap_started_on, m.rdap_completed_on, m.literacy_progress,
    {single_end} AS end_max
FROM {members} m ANTI JOIN {linked} l ON l.sentence_id = m.sentence_id
"""


# 28 CFR 523.20, 541.3: good conduct time disallowed or forfeited for incidents during the term (the unit's
# window, commencement to the end of the term without credit; an open end for a term the engine will refuse).
_LOST_SQL = """
CREATE OR REPLACE TEMP TABLE {lost} AS
SELECT u.unit_id, CAST(coalesce(sum(i.gct_days_lost), 0) AS BIGINT) AS gct_days_lost
FROM {units} u JOIN {incidents} i
    ON i.person_id = u.person_id AND i.incident_date >= u.commencement_date
    AND (u.end_max IS NULL OR i.incident_date < u.end_max)
WHERE u.unit_reason IS NULL AND u.system = 'federal'
GROUP BY u.unit_id
"""


@dataclass
class ComputeSummary:
    """What a run computed: rows, rows with dates, manual review by reason code, and the time it took."""

    sentences: int = 0
    computed: int = 0
    review: dict[str, int] = field(default_factory=dict)
    by_system: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    as_of: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "sentences": self.sentences,
            "computed": self.computed,
            "manual_review": sum(self.review.values()),
            "review_by_reason": dict(sorted(self.review.items())),
            "by_system": dict(sorted(self.by_system.items())),
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "seconds": round(self.seconds, 3),
        }


def _names(prefix: str) -> dict[str, str]:
    token = uuid.uuid4().hex[:12]
    return {
        key: f"_sc_{prefix}_{key}_{token}"
        for key in (
            "members",
            "linked",
            "chain",
            "walk",
            "units",
            "incidents",
            "lost",
            "federal_in",
            "federal_out",
            "result",
        )
    }


def _engine_input_select(units: str, lost: str, system_filter: str) -> str:
    return f"""
SELECT u.unit_id AS sentence_id, u.person_id, u.commencement_date, u.term_months, u.term_days,
    u.jail_credit_days, u.supervised_release_months, u.has_diploma,
    CASE WHEN u.excluded_offense IS NULL THEN NULL ELSE u.risk_level END AS risk_level,
    u.final_order_of_removal, coalesce(u.excluded_offense, FALSE) AS excluded_offense, u.rdap,
    u.rdap_barred, u.rdap_started_on, u.rdap_completed_on, u.literacy_progress,
    coalesce(l.gct_days_lost, 0) AS gct_days_lost, 'fsa' AS method, u.sentence_type,
    u.offense_date, u.min_term_months, u.prior_commitments, u.dangerous_felony, u.no_parole_offense, u.birth_date,
    u.minimum_term_offense, u.drug_offense, u.felony_class,
    u.violent, u.habitual_offender
FROM {units} u LEFT JOIN {lost} l ON l.unit_id = u.unit_id
WHERE u.unit_reason IS NULL AND {system_filter}
"""


def _insert_relation(connection: duckdb.DuckDBPyConnection, table: str, relation: duckdb.DuckDBPyRelation) -> None:
    view = f"_sc_view_{uuid.uuid4().hex[:12]}"
    relation.to_view(view)
    try:
        connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}")
    finally:
        connection.execute(f"DROP VIEW IF EXISTS {view}")


def compute_into(
    connection: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    target: str,
    computed_at: datetime | None = None,
    timings: dict[str, float] | None = None,
) -> None:
    """Create the temporary table `target` with every sentence's `computed_dates` row (no transaction).

    `timings`, when given, receives the seconds each step took (for benchmarks/sentencing.py).
    """
    stamp = computed_at or datetime.now()
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + now - clock[0]
        clock[0] = now

    names = _names("run")
    systems = supported_systems()
    supported = ", ".join(quote_literal(system) for system in systems)
    try:
        create_member_inputs(connection, as_of, names["members"])
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {names['incidents']} AS {incident_inputs_sql(as_of)}")
        lap("inputs")
        connection.execute(
            UNIT_SQL.format(
                walk=names["walk"],
                linked=names["linked"],
                chain=names["chain"],
                units=names["units"],
                members=names["members"],
                supported=supported,
                known=quote_literal(", ".join(systems)),
                target_detail=quote_literal(_TARGET_DETAIL),
                mixed_systems=quote_literal(_MIXED_SYSTEMS_DETAIL),
                life_chain=quote_literal(_LIFE_CHAIN_DETAIL),
                own_minimum=quote_literal(_OWN_MINIMUM_DETAIL),
                mixed_dangerous=quote_literal(_MIXED_DANGEROUS_DETAIL),
                mixed_minimum=quote_literal(_MIXED_MINIMUM_DETAIL),
                life_types=sql_texts(LIFE_SENTENCE_TYPES),
                type_rank=sql_rank("m.sentence_type"),
                root_end=_end_sql("m.commencement_date", "m"),
                step_end=_end_sql("w.end_excl", "c"),
                single_end=_end_sql("m.commencement_date", "m"),
                **_RANGE_PARAMETERS,
            )
        )
        lap("units")
        connection.execute(_LOST_SQL.format(lost=names["lost"], units=names["units"], incidents=names["incidents"]))
        lap("gct_lost")
        columns = ", ".join(f"CAST(NULL AS {sql_type}) AS {name}" for name, sql_type, _ in COMPUTED_DATES_COLUMNS)
        unit_dates = names["result"] + "_units"
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {unit_dates} AS SELECT {columns} WHERE FALSE")
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {names['federal_in']} AS "
            + _engine_input_select(names["units"], names["lost"], "u.system = 'federal'")
        )
        federal_dates_relation(connection, names["federal_in"], target=names["federal_out"], computed_at=stamp)
        connection.execute(f"INSERT INTO {unit_dates} SELECT * FROM {names['federal_out']}")
        lap("federal")
        present = {
            row[0]
            for row in connection.execute(
                f"SELECT DISTINCT system FROM {names['units']} WHERE unit_reason IS NULL"
            ).fetchall()
        }
        if "us-mo" in present:
            state_input = connection.sql(_engine_input_select(names["units"], names["lost"], "u.system = 'us-mo'"))
            _insert_relation(connection, unit_dates, compute_missouri_bulk(connection, state_input))
        lap("missouri")
        for system, engine in systems.items():
            if engine != "profile" or system not in present:
                continue
            profile_input = connection.sql(
                _engine_input_select(names["units"], names["lost"], f"u.system = {quote_literal(system)}")
            )
            _insert_relation(
                connection, unit_dates, compute_profile_bulk(connection, builtin_profile(system), profile_input)
            )
        lap("profiles")
        # Units the orchestrator itself sends to review.
        connection.execute(
            f"""INSERT INTO {unit_dates} BY NAME
            SELECT u.unit_id AS sentence_id, u.person_id, u.system, r.commencement_date,
                r.jail_credit_days AS jail_credit_days, u.unit_reason AS review_reason, u.unit_detail AS review_detail
            FROM {names["units"]} u JOIN {names["members"]} r ON r.sentence_id = u.unit_id
            WHERE u.unit_reason IS NOT NULL"""
        )
        stamp_types = {name: sql_type for name, sql_type, _ in COMPUTED_DATES_COLUMNS}
        stamps = ", ".join(f"CAST(${name} AS {stamp_types[name]}) AS {name}" for name in RUN_STAMP_COLUMNS)
        others = ", ".join(
            f"d.{name}" for name in COMPARED_COLUMNS if name not in ("sentence_id", "person_id", "system")
        )
        connection.execute(
            f"""CREATE OR REPLACE TEMP TABLE {target} AS
            SELECT d.* EXCLUDE ({", ".join(RUN_STAMP_COLUMNS)}), {stamps}
            FROM {unit_dates} d ANTI JOIN {names["linked"]} l ON l.sentence_id = d.sentence_id
            UNION ALL BY NAME
            SELECT m.sentence_id, m.person_id, m.system, {others}, {stamps}
            FROM {names["walk"]} w
            JOIN {unit_dates} d ON d.sentence_id = w.unit_id
            JOIN {names["chain"]} m ON m.sentence_id = w.sentence_id
            UNION ALL BY NAME
            SELECT m.sentence_id, m.person_id, m.system, m.commencement_date, m.jail_credit_days,
                'CONSECUTIVE_CYCLE' AS review_reason, {quote_literal(_CYCLE_DETAIL)} AS review_detail, {stamps}
            FROM {names["chain"]} m ANTI JOIN {names["walk"]} w ON w.sentence_id = m.sentence_id""",
            run_stamps(stamp),
        )
        connection.execute(f"DROP TABLE IF EXISTS {unit_dates}")
        lap("expand")
    finally:
        for key in ("members", "linked", "chain", "walk", "units", "incidents", "lost", "federal_in", "federal_out"):
            connection.execute(f"DROP TABLE IF EXISTS {names[key]}")


def compute_dates(
    connection: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    computed_at: datetime | None = None,
    timings: dict[str, float] | None = None,
) -> ComputeSummary:
    """Replace the `computed_dates` rows with a fresh run over every sentence, in one transaction."""
    started = time.perf_counter()
    staged = f"_sc_computed_{uuid.uuid4().hex[:12]}"
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    # The rows are staged in a temporary table first; only the replacement is the one transaction, so readers
    # see the previous run or the new one, never a mix.
    compute_into(connection, as_of, target=staged, computed_at=computed_at, timings=timings)
    replacing = time.perf_counter()
    connection.execute("BEGIN TRANSACTION")
    try:
        # Replacing the table is cheaper than deleting a million rows; the DDL is part of the transaction.
        connection.execute("DROP TABLE computed_dates")
        connection.execute(CREATE_COMPUTED_DATES_SQL)
        connection.execute(f"INSERT INTO computed_dates BY NAME SELECT * FROM {staged}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {staged}")
    if timings is not None:
        timings["store"] = time.perf_counter() - replacing
    summary = summarise(connection)
    summary.as_of = as_of
    summary.seconds = time.perf_counter() - started
    return summary


def summarise(connection: duckdb.DuckDBPyConnection, table: str = "computed_dates") -> ComputeSummary:
    """Counts of a computed_dates table: rows, rows without review, review by reason, rows by system."""
    summary = ComputeSummary()
    for reason, system, count in connection.execute(
        f"SELECT review_reason, system, count(*) FROM {table} GROUP BY ALL"
    ).fetchall():
        summary.sentences += count
        summary.by_system[system or "unknown"] = summary.by_system.get(system or "unknown", 0) + count
        if reason is None:
            summary.computed += count
        else:
            summary.review[reason] = summary.review.get(reason, 0) + count
    return summary


# --- the scalar reference ---------------------------------------------------------------------------------


def _any3(values: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: TRUE if any is TRUE, else NULL if any is NULL, else FALSE."""
    seen_null = False
    for value in values:
        if value is True:
            return True
        if value is None:
            seen_null = True
    return None if seen_null else False


def _bool_or(values: Iterable[bool | None]) -> bool | None:
    """SQL's bool_or: NULLs ignored, NULL when every value is NULL."""
    known = [value for value in values if value is not None]
    return any(known) if known else None


def _end_exclusive(start: date | None, months: int | None, days: int | None) -> date | None:
    """The day after a term counted from `start` (NULL parts of a term read 0, as the engines read them)."""
    if start is None or (months is None and days is None):
        return None
    return start + relativedelta(months=months or 0) + timedelta(days=days or 0)


def _review_row(member: Mapping[str, Any], reason: str, detail: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COMPARED_COLUMNS)
    row.update(
        sentence_id=member["sentence_id"],
        person_id=member["person_id"],
        system=member["system"],
        commencement_date=member["commencement_date"],
        jail_credit_days=member["jail_credit_days"],
        review_reason=reason,
        review_detail=detail,
    )
    return row


def _unit_reason(system: str | None, members: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The orchestrator's own review of a unit (in the order of UNIT_SQL), or None."""
    systems = supported_systems()
    if system is None or system not in systems:
        return str(ReasonCode.UNSUPPORTED_SYSTEM), _unsupported_detail(system)
    if len({m["system"] for m in members}) > 1:
        return str(ReasonCode.RULE_NEEDS_REVIEW), _MIXED_SYSTEMS_DETAIL
    many = len(members) > 1
    no_term = any(
        m["sentence_type"] in LIFE_SENTENCE_TYPES or (m["term_months"] is None and m["term_days"] is None)
        for m in members
    )
    if system != "federal" and many and no_term:
        return str(ReasonCode.RULE_NEEDS_REVIEW), _LIFE_CHAIN_DETAIL
    if system == "us-mo" and any(m["own_minimum_term"] for m in members):
        return str(ReasonCode.RULE_NEEDS_REVIEW), _OWN_MINIMUM_DETAIL
    dangerous = [m["dangerous_felony"] for m in members]
    if system == "us-mo" and many and any(d is True for d in dangerous) and not all(d is True for d in dangerous):
        return str(ReasonCode.RULE_NEEDS_REVIEW), _MIXED_DANGEROUS_DETAIL
    if system == "us-mo" and many and _mixed_minimum_rules(members):
        return str(ReasonCode.RULE_NEEDS_REVIEW), _MIXED_MINIMUM_DETAIL
    return _range_reason(members)


def _mixed_minimum_rules(members: Sequence[Mapping[str, Any]]) -> bool:
    """Missouri members under different minimum-term rules, as UNIT_SQL's `mixed_minimum`."""
    listed = {m["minimum_term_offense"] for m in members}
    drug = {m["drug_offense"] for m in members}
    classes = {m["felony_class"] for m in members if m["felony_class"] is not None}
    return {True, False} <= listed or {True, False} <= drug or (True in drug and len(classes) > 1)


def _all_known(values: Iterable[Any]) -> Any:
    """The value every member shares, as UNIT_SQL reads a Missouri fact: NULL if any is NULL, else `mixed`/AND."""
    seen = list(values)
    if any(value is None for value in seen):
        return None
    if all(isinstance(value, bool) for value in seen):
        return all(seen)
    return seen[0] if len(set(seen)) == 1 else "mixed"


def _range_reason(members: Sequence[Mapping[str, Any]]) -> tuple[str, str] | None:
    """DATE_OUT_OF_RANGE for a unit (root first) that starts or ends outside the supported dates, as UNIT_SQL."""
    start = members[0]["commencement_date"]
    if start is not None and not EARLIEST_DATE <= start <= LATEST_DATE:
        return str(ReasonCode.DATE_OUT_OF_RANGE), out_of_range_detail("commences")
    ends: dict[Any, date | None] = {}
    for member in members:  # parents before children, as `_walk_units` lists them
        begins = start if member is members[0] else ends[member["consecutive_to_id"]]
        ends[member["sentence_id"]] = _guarded_end(begins, member["term_months"], member["term_days"])
    if any(end is None for end in ends.values()):
        return None
    if max(end for end in ends.values() if end is not None) > LATEST_DATE + timedelta(days=1):
        return str(ReasonCode.DATE_OUT_OF_RANGE), out_of_range_detail("ends")
    return None


def _guarded_end(start: date | None, months: int | None, days: int | None) -> date | None:
    """`_end_sql` in Python: the day after the term, `_BEYOND_LATEST` once past the supported dates."""
    if start is None or (months is None and days is None):
        return None
    if start > LATEST_DATE or (months or 0) + (days or 0) // 31 > LONGEST_TERM_MONTHS:
        return _BEYOND_LATEST
    return start + relativedelta(months=months or 0) + timedelta(days=days or 0)


def _unit_input(
    members: Sequence[Mapping[str, Any]],
    root: Mapping[str, Any],
    incidents: Mapping[Any, list[tuple[date, int]]],
) -> dict[str, Any]:
    """The engine input row of a unit, built with `aggregate_terms` when it has several terms."""
    row: dict[str, Any] = {
        "sentence_id": root["sentence_id"],
        "person_id": root["person_id"],
        "commencement_date": root["commencement_date"],
        "supervised_release_months": max(
            (m["supervised_release_months"] for m in members if m["supervised_release_months"] is not None),
            default=None,
        ),
        "has_diploma": root["has_diploma"],
        "final_order_of_removal": root["final_order_of_removal"],
        "rdap": root["rdap"],
        "rdap_started_on": root["rdap_started_on"],
        "rdap_completed_on": root["rdap_completed_on"],
        "rdap_barred": _any3(m["rdap_barred"] for m in members),  # 28 CFR 550.55(b): any term's charges
        "literacy_progress": root["literacy_progress"],
        "method": "fsa",
        "offense_date": max((m["offense_date"] for m in members if m["offense_date"] is not None), default=None),
        "prior_commitments": root["prior_commitments"],
        "birth_date": root["birth_date"],
        "dangerous_felony": _any3(m["dangerous_felony"] for m in members),
        "no_parole_offense": _bool_or(m["no_parole_offense"] for m in members),
        # Missouri minimum-term facts: the value every member shares (a mix goes to review first)
        "minimum_term_offense": _all_known(m["minimum_term_offense"] for m in members),
        "drug_offense": _all_known(m["drug_offense"] for m in members),
        "felony_class": _all_known(m["felony_class"] for m in members),
        # profile facts (us-ca): any member's, three-valued as in UNIT_SQL
        "violent": _any3(m["violent"] for m in members),
        "habitual_offender": _any3(m["habitual_offender"] for m in members),
    }
    excluded = _any3(m["excluded_offense"] for m in members)
    row["excluded_offense"] = bool(excluded)
    row["risk_level"] = None if excluded is None else root["risk_level"]
    if len(members) == 1:
        row.update(
            term_months=root["term_months"],
            term_days=root["term_days"],
            jail_credit_days=root["jail_credit_days"],
            sentence_type=root["sentence_type"],
            min_term_months=root["min_term_months"],
        )
        end = _end_exclusive(root["commencement_date"], root["term_months"], root["term_days"])
    else:
        row["sentence_type"] = max(members, key=lambda m: sentence_type_rank(m["sentence_type"]))["sentence_type"]
        row["min_term_months"] = None
        has_terms = all(m["term_months"] is not None or m["term_days"] is not None for m in members)
        if root["commencement_date"] is None or not has_terms:
            row.update(term_months=None, term_days=None, jail_credit_days=None)
            end = None
        else:
            aggregate = aggregate_terms(
                [
                    SentenceTerm(
                        sentence_id=str(m["sentence_id"]),
                        term=Term(m["term_months"] or 0, m["term_days"] or 0),
                        commencement_date=m["commencement_date"] if m is root else None,
                        jail_credit_days=m["jail_credit_days"] or 0,
                        consecutive_to=None if m is root else str(m["consecutive_to_id"]),
                    )
                    for m in members
                ]
            )
            row.update(
                term_months=aggregate.term.months,
                term_days=aggregate.term.days,
                jail_credit_days=aggregate.jail_credit_days,
            )
            end = _end_exclusive(aggregate.commencement_date, aggregate.term.months, aggregate.term.days)
    start = root["commencement_date"]
    row["gct_days_lost"] = (
        sum(days for day, days in incidents.get(root["person_id"], []) if start <= day and (end is None or day < end))
        if start is not None
        else 0
    )
    return row


def _walk_units(
    members: Sequence[Mapping[str, Any]],
) -> Iterable[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]], tuple[str, str] | None]]:
    """Each unit as (root, members, the orchestrator's own review or None), as UNIT_SQL groups them."""
    by_id = {m["sentence_id"]: m for m in members}
    children: dict[Any, list[Mapping[str, Any]]] = defaultdict(list)
    for member in members:
        if member["consecutive_to_id"] is not None and member["consecutive_to_id"] in by_id:
            children[member["consecutive_to_id"]].append(member)
    for root in members:
        target = root["consecutive_to_id"]
        if target is not None and target in by_id:
            continue  # not a root
        unit: list[Mapping[str, Any]] = [root]
        queue = [root]
        while queue:
            for child in children.get(queue.pop()["sentence_id"], []):
                unit.append(child)
                queue.append(child)
        own = _unit_reason(root["system"], unit)
        if root["consecutive_to_id"] is not None or root["consecutive_to_source_id"] is not None:
            shown = root["consecutive_to_source_id"] or str(root["consecutive_to_id"])
            own = str(ReasonCode.CONSECUTIVE_TARGET_MISSING), _TARGET_DETAIL.format(target=shown)
        yield root, unit, own


def _incidents_by_person(incidents: Sequence[Mapping[str, Any]]) -> dict[Any, list[tuple[date, int]]]:
    per_person: dict[Any, list[tuple[date, int]]] = defaultdict(list)
    for incident in incidents:
        per_person[incident["person_id"]].append((incident["incident_date"], incident["gct_days_lost"]))
    return per_person


def scalar_computed_dates(
    members: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    *,
    profile_for: Callable[[str], Profile] = builtin_profile,
) -> dict[Any, dict[str, Any]]:
    """The reference: every sentence's computed_dates values (but the run stamps), by sentence id, row by row.

    `members` are rows of `inputs.member_inputs_sql`, `incidents` rows of `inputs.incident_inputs_sql`.
    """
    per_person = _incidents_by_person(incidents)
    systems = supported_systems()
    results: dict[Any, dict[str, Any]] = {}
    for root, unit, own in _walk_units(members):
        if own is not None:
            unit_row = _review_row(root, *own)
        else:
            engine_input = _unit_input(unit, root, per_person)
            engine = systems[root["system"]]
            if engine == "federal":
                unit_row = scalar_federal_row(engine_input)
            elif engine == "missouri":
                unit_row = compute_missouri_row(engine_input)
            else:
                unit_row = compute_profile_row(profile_for(root["system"]), engine_input)
        for member in unit:
            row: dict[str, Any] = dict.fromkeys(COMPARED_COLUMNS)
            row.update({name: unit_row.get(name) for name in COMPARED_COLUMNS})
            row.update(sentence_id=member["sentence_id"], person_id=member["person_id"], system=member["system"])
            results[member["sentence_id"]] = row
    for member in members:  # never reached from a root: in or below a cycle
        if member["sentence_id"] not in results:
            results[member["sentence_id"]] = _review_row(member, str(ReasonCode.CONSECUTIVE_CYCLE), _CYCLE_DETAIL)
    return results


def _unit_timeline(system: str, engine_input: Mapping[str, Any], profile_for: Callable[[str], Profile]) -> Timeline:
    """The timeline the scalar engine gives for a unit's input row."""
    engine = supported_systems()[system]
    if engine == "federal":
        return compute_federal_of_row(engine_input).timeline
    if engine == "missouri":
        return compute_missouri_of_row(engine_input).timeline
    return compute_profile_of_row(profile_for(system), engine_input).timeline


def scalar_timelines(
    members: Sequence[Mapping[str, Any]],
    incidents: Sequence[Mapping[str, Any]],
    sentence_ids: Iterable[Any],
    *,
    profile_for: Callable[[str], Profile] = builtin_profile,
) -> dict[Any, list[str]]:
    """Our timeline, as readable lines, for each of `sentence_ids` (the steps of its unit's computation)."""
    wanted = set(sentence_ids)
    per_person = _incidents_by_person(incidents)
    timelines: dict[Any, list[str]] = {}
    for root, unit, own in _walk_units(members):
        ids = [m["sentence_id"] for m in unit if m["sentence_id"] in wanted]
        if not ids:
            continue
        lines: list[str] = []
        if len(unit) > 1:
            lines.append(
                f"{len(unit)} consecutive sentences aggregated into one term from the commencement of the first "
                "(18 U.S.C. § 3584(c))"
            )
        if own is not None:
            lines.append(f"manual review {own[0]}: {own[1]}")
        else:
            try:
                engine_input = _unit_input(unit, root, per_person)
                for step in _unit_timeline(root["system"], engine_input, profile_for):
                    on = f"{step.on.isoformat()} " if step.on else ""
                    days = f" [{step.days:+d} days]" if step.days else ""
                    lines.append(f"{on}{step.label}: {step.description}{days} ({step.rule})")
            except ManualReview as review:
                lines.append(f"manual review {review.code}: {review.detail}")
        for sentence_id in ids:
            timelines[sentence_id] = lines
    return timelines


def read_scalar_inputs(
    connection: duckdb.DuckDBPyConnection, as_of: date, *, where: str = "TRUE"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The member and incident rows the scalar reference reads (optionally only some people's)."""
    members_table = f"_sc_scalar_members_{uuid.uuid4().hex[:12]}"
    create_member_inputs(connection, as_of, members_table)
    try:
        member_cursor = connection.execute(f"SELECT * FROM {members_table} WHERE {where}")
        names = [d[0] for d in member_cursor.description or []]
        members = [dict(zip(names, values, strict=True)) for values in member_cursor.fetchall()]
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {members_table}")
    incident_cursor = connection.execute(f"SELECT * FROM ({incident_inputs_sql(as_of)}) WHERE {where}")
    incident_names = [d[0] for d in incident_cursor.description or []]
    incidents = [dict(zip(incident_names, values, strict=True)) for values in incident_cursor.fetchall()]
    assert set(MEMBER_COLUMNS) <= set(names)
    return members, incidents


def scalar_mismatches(
    connection: duckdb.DuckDBPyConnection, as_of: date, *, where: str = "TRUE"
) -> tuple[int, list[tuple[Any, str, Any, Any]]]:
    """Compare `computed_dates` with the scalar reference on the same inputs, row by row and column by column.

    Returns the number of sentences compared and every (sentence id, column, bulk value, scalar value) that
    differs (a missing row on either side is column `*`). `where` filters the people compared, e.g.
    `person_id % 20 = 0`.
    """
    members, incidents = read_scalar_inputs(connection, as_of, where=where)
    reference = scalar_computed_dates(members, incidents)
    cursor = connection.execute(f"SELECT {', '.join(COMPARED_COLUMNS)} FROM computed_dates WHERE {where}")
    found: list[tuple[Any, str, Any, Any]] = []
    seen = set()
    for values in cursor.fetchall():
        row = dict(zip(COMPARED_COLUMNS, values, strict=True))
        seen.add(row["sentence_id"])
        expected = reference.get(row["sentence_id"])
        if expected is None:
            found.append((row["sentence_id"], "*", "row", None))
            continue
        found += [(row["sentence_id"], k, row[k], expected[k]) for k in COMPARED_COLUMNS if row[k] != expected[k]]
    found += [(sentence, "*", None, "row") for sentence in reference if sentence not in seen]
    return len(reference), found
