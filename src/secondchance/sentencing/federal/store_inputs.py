"""The federal facts read from the records store, in SQL: literacy progress, RDAP participation and its bars.

`sentencing.inputs` joins these to its one row per sentence:

- `literacy_progress` (per person, 28 CFR 544.73(b), 544.71(a)(4)): the latest enrolment on or before the
  as-of date in a literacy or GED programme (recognised by its name, `LITERACY_PROGRAM_PATTERN`): dropped
  → FALSE (a withdrawal); referred, waitlisted, enrolled or completed → TRUE; none → NULL (unknown: the
  records cannot show a refusal);
- `rdap`, `rdap_started_on`, `rdap_completed_on` (per person, 18 U.S.C. § 3621(e)(2)(B)): an enrolment,
  completed or under way on the as-of date, in the residential programme (`RDAP_PROGRAM_PATTERN`), the day
  the latest one began and the day the latest completed one ended;
- `rdap_barred` (per sentence, 28 CFR 550.55(b)), three-valued: TRUE when a current charge or a prior
  conviction bars early release, FALSE when the records rule every bar out, NULL otherwise (below).

The bars the records can show:
- (b)(5), (6), a current felony: a charge on the list `rdap_current_offense` (law/offense_lists.yaml), with
  a weapon involved, or of category `violent` or `weapon` → TRUE; a charge whose statute the list leaves
  unknown, whose weapon flag or category is missing, or of category `sex` or `other` → unknown; a sentence
  with no charge recorded → unknown;
- (b)(4), (6), a prior conviction within ten years before the current sentencing (the prior's imposition,
  else commencement, within ten calendar years before the current one's): a charge of a completed sentence
  on the list `rdap_prior_offense` → TRUE; one that list leaves unknown, of a category that can hold a listed
  offence (violent, sex, property, other, missing), or without a date to place it → unknown. No prior
  sentence counts as none only when the person's source records completed sentences at all (the facts'
  source rule, docs/facts.md); otherwise the priors are unknown;
- (b)(7), an earlier § 3621(e) release: not in the records; a completed RDAP enrolment ending before the
  sentence began makes it unknown;
- (b)(1)-(3) (immigration detainees, pretrial inmates, contractual boarders) do not describe a person
  serving a federal sentence.
"""

from __future__ import annotations

from datetime import date

from secondchance.law.offense_lists import list_flag_sql, offense_lists, text_flags_sql, text_key_sql
from secondchance.records.validate import quote_literal
from secondchance.sentencing.conventions import sql_date, sql_texts

__all__ = [
    "LITERACY_PROGRAM_PATTERN",
    "RDAP_PROGRAM_PATTERN",
    "RDAP_PRIOR_YEARS",
    "literacy_progress_sql",
    "rdap_bar_sql",
    "rdap_enrolment_sql",
]

# 18 U.S.C. § 3621(e)(2)(B): the reduction follows the residential substance abuse treatment programme.
RDAP_PROGRAM_PATTERN = r"(?i)\brdap\b|residential\s+drug|residential\s+substance"
# 28 CFR 544.70: the literacy programme leads to a GED credential (high-school equivalency).
LITERACY_PROGRAM_PATTERN = r"(?i)\bliteracy\b|\bged\b|high[-\s]school\s+equivalen|adult\s+basic\s+education"
RDAP_PRIOR_YEARS = 10  # 28 CFR 550.55(b)(4): "within the ten years prior to the date of sentencing"
# Categories that cannot hold a conviction of 550.55(b)(4) (homicide, rape, robbery, aggravated assault,
# arson, kidnapping, sexual abuse of minors); the others can, unless the statute says otherwise.
_NOT_PRIOR_BAR_CATEGORIES = ("drug", "public_order", "weapon")
_CURRENT_BAR_CATEGORIES = ("violent", "weapon")  # 550.55(b)(5)(i)-(iii) by the offence's nature
_UNKNOWN_CURRENT_CATEGORIES = ("sex", "other")  # sexual abuse of a minor, or force, may or may not be in them


def rdap_enrolment_sql(as_of: date) -> str:
    """Per person: `rdap`, `rdap_started_on`, `rdap_completed_on` on the as-of date."""
    at = sql_date(as_of)
    return f"""
    SELECT e.person_id, TRUE AS rdap,
        max(e.start_date) FILTER (e.start_date <= {at}) AS rdap_started_on,
        max(e.end_date) FILTER (e.status = 'completed' AND e.end_date <= {at}) AS rdap_completed_on
    FROM enrollment e JOIN program p ON p.id = e.program_id
    WHERE regexp_matches(p.name, {quote_literal(RDAP_PROGRAM_PATTERN)})
        AND (e.status = 'completed' AND coalesce(e.end_date, e.start_date, e.referred_on) <= {at}
             OR e.status = 'enrolled' AND coalesce(e.start_date, e.referred_on) <= {at})
    GROUP BY e.person_id"""


def literacy_progress_sql(as_of: date) -> str:
    """Per person: `literacy_progress` from the latest literacy enrolment on or before the as-of date."""
    at = sql_date(as_of)
    return f"""
    SELECT e.person_id,
        -- the latest by date, then by id (as `inputs.risk_level_sql` orders assessments)
        arg_max(e.status <> 'dropped',
            (CAST(coalesce(e.end_date, e.start_date, e.referred_on) - DATE '1900-01-01' AS BIGINT) << 32) + e.id)
            AS literacy_progress
    FROM enrollment e JOIN program p ON p.id = e.program_id
    WHERE regexp_matches(p.name, {quote_literal(LITERACY_PROGRAM_PATTERN)})
        AND coalesce(e.end_date, e.start_date, e.referred_on) <= {at}
    GROUP BY e.person_id"""


def _charge_flags_sql() -> str:
    """Every charge with its sentence's facts and its two RDAP list matches (each distinct text matched once)."""
    lists = offense_lists()
    current, prior = lists["rdap_current_offense"], lists["rdap_prior_offense"]
    return f"""
    rdap_charge_texts AS (
        SELECT c.sentence_id, c.offense_category, c.weapon_involved, c.statute, c.enhancements, c.description,
            c.death_or_injury_resulted, c.role, s.system, s.person_id, s.status,
            coalesce(s.imposed_date, s.commencement_date) AS sentenced_on, {text_key_sql("c", "s.system")} AS text_key
        FROM charge c JOIN sentence s ON s.id = c.sentence_id
    ),
    rdap_text_flags AS ({text_flags_sql("rdap_charge_texts", [current, prior])}
    ),
    rdap_charge_flags AS (
        SELECT c.*, {list_flag_sql(current, "c.system")} AS current_listed,
            {list_flag_sql(prior, "c.system")} AS prior_listed
        FROM rdap_charge_texts c JOIN rdap_text_flags USING (text_key)
    )"""


def _three_valued(true_when: str, unknown_when: str) -> str:
    return f"CASE WHEN {true_when} THEN TRUE WHEN {unknown_when} THEN NULL ELSE FALSE END"


def rdap_bar_sql(as_of: date) -> str:
    """Per federal sentence: `rdap_barred` on the as-of date, three-valued (see the module docstring)."""
    current = _three_valued(
        f"current_listed OR weapon_involved OR offense_category IN ({sql_texts(_CURRENT_BAR_CATEGORIES)})",
        "current_listed IS NULL OR weapon_involved IS NULL OR offense_category IS NULL "
        f"OR offense_category IN ({sql_texts(_UNKNOWN_CURRENT_CATEGORIES)})",
    )
    window = f"p.sentenced_on <= s.sentenced_on AND p.sentenced_on >= s.sentenced_on - INTERVAL {RDAP_PRIOR_YEARS} YEAR"
    prior = _three_valued(
        f"({window}) AND p.prior_listed",
        f"({window}) IS NOT FALSE AND (p.prior_listed IS NOT FALSE "
        f"OR coalesce(p.offense_category NOT IN ({sql_texts(_NOT_PRIOR_BAR_CATEGORIES)}), TRUE))",
    )
    return f"""
    WITH {_charge_flags_sql()},
    current_sentence AS (
        SELECT id, person_id, source, commencement_date, coalesce(imposed_date, commencement_date) AS sentenced_on
        FROM sentence WHERE system = 'federal'
    ),
    current_bar AS (  -- 28 CFR 550.55(b)(5), (6)
        SELECT sentence_id, {_any3("current_charge")} AS barred
        FROM (SELECT sentence_id, {current} AS current_charge FROM rdap_charge_flags WHERE system = 'federal')
        GROUP BY sentence_id
    ),
    prior_bar AS (  -- 28 CFR 550.55(b)(4), (6)
        SELECT s.id AS sentence_id, {_any3("prior_charge")} AS barred
        FROM (SELECT s.id, {prior} AS prior_charge
              FROM current_sentence s JOIN rdap_charge_flags p
                ON p.person_id = s.person_id AND p.sentence_id <> s.id AND p.status = 'completed') s
        GROUP BY s.id
    ),
    earlier_rdap AS (  -- 28 CFR 550.55(b)(7): an earlier § 3621(e) release cannot be ruled out
        SELECT DISTINCT s.id AS sentence_id
        FROM current_sentence s JOIN enrollment e ON e.person_id = s.person_id JOIN program p ON p.id = e.program_id
        WHERE regexp_matches(p.name, {quote_literal(RDAP_PROGRAM_PATTERN)}) AND e.status = 'completed'
            AND e.end_date < s.commencement_date AND e.end_date <= {sql_date(as_of)}
    ),
    sources_with_priors AS (SELECT DISTINCT source FROM sentence WHERE status = 'completed')
    SELECT s.id AS sentence_id,
        CASE WHEN c.barred OR p.barred THEN TRUE
             WHEN c.barred IS NULL OR r.sentence_id IS NOT NULL THEN NULL
             WHEN p.barred IS NULL AND (p.sentence_id IS NOT NULL OR w.source IS NULL) THEN NULL
             ELSE FALSE END AS rdap_barred
    FROM current_sentence s
    LEFT JOIN current_bar c ON c.sentence_id = s.id
    LEFT JOIN prior_bar p ON p.sentence_id = s.id
    LEFT JOIN earlier_rdap r ON r.sentence_id = s.id
    LEFT JOIN sources_with_priors w ON w.source IS NOT DISTINCT FROM s.source"""


def _any3(expression: str) -> str:
    """TRUE if any row is TRUE, else NULL if any is NULL, else FALSE."""
    return f"CASE WHEN bool_or({expression}) THEN TRUE WHEN count(*) > count({expression}) THEN NULL ELSE FALSE END"
