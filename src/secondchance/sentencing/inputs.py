"""SQL that builds the engines' inputs from the records store: one row per sentence, plus the incidents.

`create_member_inputs(connection, as_of, target)` makes one row per `sentence` with the sentence's own
columns and the facts the engines read, derived in SQL (`member_inputs_sql`; no per-row Python). The law's
statute lists (`law.offense_lists`, the same the facts read) are matched once per distinct charge text (a
few hundred even for a million charges) and joined back to the charges:

- the term: a commuted term replaces the term imposed (`commuted_term_months`, whole months);
- `excluded_offense` (federal): a charge matches the 18 U.S.C. § 3632(d)(4)(D) list (`fsa_excluded`,
  generated from `law/fsa_exclusions.yaml`); three-valued (`law.fsa_exclusions` says how);
- `dangerous_felony` (RSMo 556.061(19)): any charge that is one, three-valued; per charge the statute list
  `mo_dangerous_felony` decides and the record's flag only adds (`law.missouri.dangerous_felony`);
- `minimum_term_offense` (RSMo 558.019.2 as amended 2019): any charge on the list `mo_minimum_term_offense`,
  some of whose sections count only in some felony classes (`charge.offense_class`); three-valued;
- `drug_offense` and `felony_class` (14 CSR 80-2.010(1)): every charge is a drug offence (list `mo_drug`),
  three-valued; the felony class letter all charges share, `mixed` when they differ, NULL when one is unknown;
- `no_parole_offense` (RSMo 565.020.2) and `own_minimum_term` (RSMo 558.019.1): charge statutes on the
  lists `mo_no_parole` and `mo_own_minimum_term` (from `law.missouri`);
- `offense_date`: the latest offence date of the sentence's charges (profiles choose their version by it);
- `prior_commitments` (RSMo 558.019.2): the person's completed Missouri sentences that started before this one;
- `violent` (California, Cal. Penal Code § 2933.1(a)): a charge of the sentence, statute or enhancement, is a
  violent felony of § 667.5(c), the list `ca_violent_felony`; three-valued, NULL outside California;
- `habitual_offender` (California, Cal. Penal Code §§ 667(c)(5), 1170.12(a)(5)): the person's current
  California commitment was sentenced under the Three Strikes law, read from CDCR's sentence type
  (`STRIKE_SENTENCE_TYPES`) on any of their active sentences; NULL when no active sentence names it;
- `has_diploma`, `final_order_of_removal`, `birth_date`: from `person`;
- `risk_level` (federal): the latest PATTERN risk level on or before the as-of date, read with the one
  before it (see `risk_level_sql`);
- `rdap`, `rdap_started_on`, `rdap_completed_on`, `rdap_barred` and `literacy_progress` (federal): from
  `sentencing.federal.store_inputs`, which says how (18 U.S.C. § 3621(e); 28 CFR 550.55(b), 544.73(b));
  `has_diploma` falls back on `education_level` when it is not recorded.

`incident_inputs_sql(as_of)` gives the incidents (person, date, GCT days lost) up to the as-of date; the
orchestrator sums them over each aggregate term's window (28 CFR 523.20, 541.3).
"""

from __future__ import annotations

from datetime import date

import duckdb

from secondchance.law.missouri import dangerous_felony_sql, felony_class_sql
from secondchance.law.offense_lists import list_flag_sql, offense_lists, text_flags_sql, text_key_sql
from secondchance.records.supplied import ACTIVE_FACTS_SQL, ensure_supplied_tables
from secondchance.records.validate import quote_literal
from secondchance.sentencing.conventions import sql_texts
from secondchance.sentencing.federal.literacy import DIPLOMA_EDUCATION_LEVELS, NO_DIPLOMA_EDUCATION_LEVELS
from secondchance.sentencing.federal.store_inputs import (
    RDAP_PROGRAM_PATTERN,
    literacy_progress_sql,
    rdap_bar_sql,
    rdap_enrolment_sql,
)

__all__ = [
    "create_member_inputs",
    "member_inputs_sql",
    "incident_inputs_sql",
    "risk_level_sql",
    "RDAP_PROGRAM_PATTERN",
    "MEMBER_COLUMNS",
    "STRIKE_SENTENCE_TYPES",
]

MEMBER_COLUMNS: tuple[str, ...] = (
    "sentence_id",
    "person_id",
    "system",
    "sentence_type",
    "commencement_date",
    "term_months",
    "term_days",
    "min_term_months",
    "jail_credit_days",
    "supervised_release_months",
    "consecutive_to_id",
    "consecutive_to_source_id",
    "offense_date",
    "excluded_offense",
    "dangerous_felony",
    "no_parole_offense",
    "own_minimum_term",
    "minimum_term_offense",
    "drug_offense",
    "felony_class",
    "prior_commitments",
    "has_diploma",
    "final_order_of_removal",
    "risk_level",
    "rdap",
    "rdap_started_on",
    "rdap_completed_on",
    "rdap_barred",
    "literacy_progress",
    "birth_date",
    "violent",
    "habitual_offender",
)

# CDCR's sentence type of a commitment (records `sentence_type_raw`) → sentenced under the Three Strikes law
# (Cal. Penal Code §§ 667(b)-(i), 1170.12). DSL is the Determinate Sentencing Law (§ 1170) without strikes;
# other texts say nothing about strikes.
STRIKE_SENTENCE_TYPES: dict[str, bool] = {
    "Second Striker": True,
    "Third Striker": True,
    "DSL": False,
    "Life with Parole": False,
}


def _three_valued_any(expression: str) -> str:
    """TRUE if any row is TRUE, else NULL if any is NULL, else FALSE."""
    return f"CASE WHEN bool_or({expression}) THEN TRUE WHEN count(*) > count({expression}) THEN NULL ELSE FALSE END"


def _three_valued_all(expression: str) -> str:
    """TRUE if every row is TRUE, else FALSE if any is FALSE, else NULL."""
    return (
        f"CASE WHEN NOT bool_and({expression}) THEN FALSE WHEN count(*) > count({expression}) THEN NULL ELSE TRUE END"
    )


def risk_level_sql(as_of: date) -> str:
    """Per person, the risk level the federal engine reads (PATTERN, 28 CFR 523.40-.42).

    The latest assessment on or before `as_of`, unless it is minimum or low and the one before it was medium
    or high: then `medium`, because the extra 5 days need minimum or low risk over two consecutive
    assessments (18 U.S.C. § 3632(d)(4)(A)(ii)) and prerelease custody needs it on the last two
    (§ 3624(g)(1)(D)(i)); the single risk input of the engine cannot say "earns 10, may apply some".
    """
    at = f"DATE '{as_of.isoformat()}'"
    return f"""
WITH pattern AS (  -- newest first: by date, then by id
    SELECT person_id, risk_level, (CAST(assessed_on - DATE '1900-01-01' AS BIGINT) << 32) + id AS k
    FROM assessment
    WHERE tool = 'pattern' AND assessed_on <= {at}
),
newest AS (SELECT person_id, max(k) AS k1 FROM pattern GROUP BY person_id),
latest_two AS (
    SELECT p.person_id,
        arg_max(p.risk_level, p.k) FILTER (p.k = n.k1) AS latest,
        arg_max(p.risk_level, p.k) FILTER (p.k < n.k1) AS previous
    FROM pattern p JOIN newest n USING (person_id)
    GROUP BY p.person_id
)
SELECT person_id,
    CASE WHEN latest IN ('minimum', 'low') AND previous IN ('medium', 'high') THEN 'medium' ELSE latest END
        AS risk_level
FROM latest_two
"""


def _strike_texts(value: bool) -> str:
    return ", ".join(quote_literal(text) for text, strike in STRIKE_SENTENCE_TYPES.items() if strike is value)


def _california_sql() -> str:
    """The CTE `ca_strike` (per person) for `member_inputs_sql`."""
    return f"""
ca_strike AS (  -- Cal. Penal Code §§ 667(c)(5), 1170.12(a)(5): the whole current commitment
    SELECT person_id,
        CASE WHEN bool_or(sentence_type_raw IN ({_strike_texts(True)})) THEN TRUE
             WHEN bool_or(sentence_type_raw IN ({_strike_texts(False)})) THEN FALSE END AS habitual_offender
    FROM sentence WHERE system = 'us-ca' AND status = 'active'
    GROUP BY person_id
)"""


def _charge_sql() -> str:
    """CTEs matching each distinct charge text once against the law's lists, then each charge (`charge_flags`)."""
    lists = offense_lists()
    names = ("fsa_excluded", "mo_no_parole", "mo_own_minimum_term", "ca_violent_felony")
    excluded, no_parole, own_minimum, violent = (lists[name] for name in names)
    dangerous, minimum_term, drug = (
        lists[name] for name in ("mo_dangerous_felony", "mo_minimum_term_offense", "mo_drug")
    )
    matched = [excluded, no_parole, own_minimum, violent, dangerous, minimum_term, drug]
    dangerous_sql = dangerous_felony_sql(list_flag_sql(dangerous, "c.system"), "c.dangerous_felony")
    return f"""
charge_texts AS (
    SELECT c.*, s.system, {text_key_sql("c", "s.system")} AS text_key
    FROM charge c JOIN sentence s ON s.id = c.sentence_id
),
text_flags AS ({text_flags_sql("charge_texts", matched)}
),
charge_flags AS (
    SELECT c.sentence_id, c.offense_date,
        {list_flag_sql(excluded, "c.system")} AS excluded,
        coalesce({list_flag_sql(no_parole, "c.system")}, FALSE) AS no_parole,
        coalesce({list_flag_sql(own_minimum, "c.system")}, FALSE) AS own_minimum,
        {list_flag_sql(violent, "c.system")} AS violent,
        -- RSMo 556.061(19): the statute list decides; the record's flag can only add
        CASE WHEN c.system = 'us-mo' THEN {dangerous_sql} ELSE c.dangerous_felony END AS dangerous_felony,
        {list_flag_sql(minimum_term, "c.system")} AS minimum_term,
        {list_flag_sql(drug, "c.system")} AS drug,
        {felony_class_sql("c.offense_class")} AS felony_class
    FROM charge_texts c JOIN text_flags f USING (text_key)
)"""


def member_inputs_sql(as_of: date) -> str:
    """One row per sentence with the columns of `MEMBER_COLUMNS` (see the module docstring)."""
    return f"""
WITH {_charge_sql()},
charge_facts AS (
    SELECT sentence_id,
        {_three_valued_any("excluded")} AS excluded_offense,
        {_three_valued_any("dangerous_felony")} AS dangerous_felony,
        {_three_valued_any("minimum_term")} AS minimum_term_offense,
        {_three_valued_all("drug")} AS drug_offense,
        CASE WHEN count(felony_class) < count(*) THEN NULL WHEN count(DISTINCT felony_class) = 1
             THEN any_value(felony_class) ELSE 'mixed' END AS felony_class,
        bool_or(no_parole) AS no_parole_offense,
        bool_or(own_minimum) AS own_minimum_term,
        {_three_valued_any("violent")} AS violent,
        max(offense_date) AS offense_date
    FROM charge_flags
    GROUP BY sentence_id
),
risk AS ({risk_level_sql(as_of)}),
rdap AS ({rdap_enrolment_sql(as_of)}),
literacy AS ({literacy_progress_sql(as_of)}),
rdap_bar AS ({rdap_bar_sql(as_of)}),
started AS (
    SELECT id, person_id, coalesce(commencement_date, imposed_date) AS began FROM sentence
),
completed_missouri AS (
    SELECT id, person_id, coalesce(commencement_date, imposed_date) AS began
    FROM sentence WHERE system = 'us-mo' AND status = 'completed'
),
priors AS (  -- RSMo 558.019.2: previous prison commitments to the department of corrections
    SELECT s.id AS sentence_id, count(*) AS prior_commitments
    FROM started s JOIN completed_missouri p ON p.person_id = s.person_id AND p.id <> s.id AND p.began < s.began
    GROUP BY s.id
),
{_california_sql()},
{_supplied_sql(as_of)}
SELECT
    s.id AS sentence_id, s.person_id, s.system, s.sentence_type,
    CASE WHEN {_SUPPLIED_APPLIES} AND sp.has_start
        AND (s.commencement_date IS NULL OR s.commencement_date = sp.earliest_start)
        THEN sp.commencement_date ELSE s.commencement_date END AS commencement_date,
    coalesce(s.commuted_term_months, s.term_months) AS term_months,
    CASE WHEN s.commuted_term_months IS NOT NULL THEN 0 ELSE s.term_days END AS term_days,
    s.min_term_months,
    CASE WHEN {_SUPPLIED_APPLIES} AND sp.has_credit THEN sp.jail_credit_days ELSE s.jail_credit_days END
        AS jail_credit_days,
    s.supervised_release_months,
    s.consecutive_to_id, s.consecutive_to_source_id,
    f.offense_date,
    CASE WHEN s.system = 'federal' THEN f.excluded_offense END AS excluded_offense,
    f.dangerous_felony, f.no_parole_offense, coalesce(f.own_minimum_term, FALSE) AS own_minimum_term,
    CASE WHEN s.system = 'us-mo' THEN f.minimum_term_offense END AS minimum_term_offense,
    CASE WHEN s.system = 'us-mo' THEN f.drug_offense END AS drug_offense,
    CASE WHEN s.system = 'us-mo' THEN f.felony_class END AS felony_class,
    CASE WHEN coalesce(s.commencement_date, s.imposed_date) IS NOT NULL THEN coalesce(pr.prior_commitments, 0) END
        AS prior_commitments,
    coalesce(p.has_diploma, CASE WHEN p.education_level IN ({sql_texts(DIPLOMA_EDUCATION_LEVELS)}) THEN TRUE
        WHEN p.education_level IN ({sql_texts(NO_DIPLOMA_EDUCATION_LEVELS)}) THEN FALSE END) AS has_diploma,
    p.final_order_of_removal,
    r.risk_level,
    rd.person_id IS NOT NULL AS rdap, rd.rdap_started_on, rd.rdap_completed_on,
    CASE WHEN s.system = 'federal' THEN rb.rdap_barred END AS rdap_barred, lp.literacy_progress,
    p.birth_date,
    CASE WHEN s.system = 'us-ca' THEN f.violent END AS violent,
    CASE WHEN s.system = 'us-ca' AND s.status = 'active' THEN cs.habitual_offender END AS habitual_offender
FROM sentence s
LEFT JOIN person p ON p.id = s.person_id
LEFT JOIN charge_facts f ON f.sentence_id = s.id
LEFT JOIN priors pr ON pr.sentence_id = s.id
LEFT JOIN risk r ON r.person_id = s.person_id
LEFT JOIN rdap rd ON rd.person_id = s.person_id
LEFT JOIN literacy lp ON lp.person_id = s.person_id
LEFT JOIN rdap_bar rb ON rb.sentence_id = s.id
LEFT JOIN ca_strike cs ON cs.person_id = s.person_id
LEFT JOIN supplied_start sp ON sp.person_id = s.person_id
"""


# A supplied sentence input applies to the person's active sentences that run after no other sentence.
_SUPPLIED_APPLIES = (
    "coalesce(s.status, 'active') = 'active' AND s.consecutive_to_id IS NULL AND s.consecutive_to_source_id IS NULL"
)


def _supplied_sql(as_of: date) -> str:
    """Per person, a supplied commencement date and jail credit holding on `as_of` (`records.supplied`).

    DESIGN.md ("Supplied facts and criterion decisions"): a supplied value wins over the source's. A
    commencement date replaces the records' on the sentence that starts the term (the earliest, or one
    without a date), as the facts read it; the records' other sentences keep theirs.
    """
    return f"""active_start AS (
    SELECT person_id, min(commencement_date) AS earliest_start FROM sentence
    WHERE coalesce(status, 'active') = 'active' GROUP BY person_id
),
supplied_start AS (
    SELECT f.person_id, any_value(a.earliest_start) AS earliest_start,
        bool_or(f.fact = 'commencement_date') AS has_start,
        max(f.value_date) FILTER (WHERE f.fact = 'commencement_date') AS commencement_date,
        bool_or(f.fact = 'jail_credit_days') AS has_credit,
        max(f.value_integer) FILTER (WHERE f.fact = 'jail_credit_days') AS jail_credit_days
    FROM ({ACTIVE_FACTS_SQL}) AS f LEFT JOIN active_start a ON a.person_id = f.person_id
    WHERE f.fact IN ('commencement_date', 'jail_credit_days')
        AND (f.holds_from IS NULL OR f.holds_from <= DATE '{as_of.isoformat()}')
    GROUP BY f.person_id
)"""


def create_member_inputs(connection: duckdb.DuckDBPyConnection, as_of: date, target: str) -> None:
    """Create the temporary table `target` of `member_inputs_sql` (supplied sentence inputs included)."""
    ensure_supplied_tables(connection)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS {member_inputs_sql(as_of)}")


def incident_inputs_sql(as_of: date) -> str:
    """Incidents up to `as_of` with the good conduct days they cost (NULL days: none recorded, counted 0)."""
    return (
        "SELECT person_id, incident_date, CAST(coalesce(gct_days_lost, 0) AS BIGINT) AS gct_days_lost "
        f"FROM incident WHERE incident_date <= DATE '{as_of.isoformat()}' AND person_id IS NOT NULL"
    )
