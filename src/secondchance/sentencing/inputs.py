"""SQL that builds the engines' inputs from the records store: one row per sentence, plus the incidents.

`create_member_inputs(connection, as_of, target)` makes one row per `sentence` with the sentence's own
columns and the facts the engines read, derived in SQL (`member_inputs_sql`; no per-row Python). Statute
lists are matched once per distinct statute text (`statute_flags`, a few hundred strings even for a million
charges) and joined back to the charges:

- the term: a commuted term replaces the term imposed (`commuted_term_months`, whole months);
- `excluded_offense` (federal): a charge matches the 18 U.S.C. § 3632(d)(4)(D) list, which the federal
  package keeps as data (`federal/excluded_offenses.yaml`); three-valued, see `exclusion_patterns`;
- `dangerous_felony` (RSMo 556.061(19)): any charge flagged, three-valued OR of `charge.dangerous_felony`;
- `no_parole_offense` (RSMo 565.020.2) and `own_minimum_term` (RSMo 558.019.1) from charge statutes;
- `offense_date`: the latest offence date of the sentence's charges (profiles choose their version by it);
- `prior_commitments` (RSMo 558.019.2): the person's completed Missouri sentences that started before this one;
- `violent` (California, Cal. Penal Code § 2933.1(a)): a charge of the sentence, statute or enhancement, is a
  violent felony of § 667.5(c), read with the facts module's `ca_violent_felony` list (offense_lists.yaml),
  matched once per distinct statute and enhancement text; three-valued, NULL outside California;
- `habitual_offender` (California, Cal. Penal Code §§ 667(c)(5), 1170.12(a)(5)): the person's current
  California commitment was sentenced under the Three Strikes law, read from CDCR's sentence type
  (`STRIKE_SENTENCE_TYPES`) on any of their active sentences; NULL when no active sentence names it;
- `has_diploma`, `final_order_of_removal`, `birth_date`: from `person`;
- `risk_level` (federal): the latest PATTERN risk level on or before the as-of date, read with the one
  before it (see `risk_level_sql`);
- `rdap`: an enrolment, completed or still enrolled on the as-of date, in a programme whose name says
  RDAP or residential drug treatment (18 U.S.C. § 3621(e) reduces the term only for the residential
  programme; a non-residential drug class is not enough).

`incident_inputs_sql(as_of)` gives the incidents (person, date, GCT days lost) up to the as-of date; the
orchestrator sums them over each aggregate term's window (28 CFR 523.20, 541.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

import duckdb
import pyarrow as pa

from secondchance.policy.facts.offense_lists import (
    group_columns_sql,
    list_flag_sql,
    normalised_statute_sql,
    offense_lists,
)
from secondchance.records.validate import quote_literal
from secondchance.sentencing.federal.excluded_offenses import excluded_offenses
from secondchance.sentencing.missouri.offenses import NO_PAROLE_OFFENSES, OWN_MINIMUM_TERM_STATUTES

__all__ = [
    "ExclusionPattern",
    "exclusion_patterns",
    "normalised_federal_statute",
    "statute_flags",
    "register_statute_flags",
    "create_member_inputs",
    "member_inputs_sql",
    "incident_inputs_sql",
    "risk_level_sql",
    "RDAP_PROGRAM_PATTERN",
    "MEMBER_COLUMNS",
    "STRIKE_SENTENCE_TYPES",
]

# 18 U.S.C. § 3621(e)(2)(B): the reduction follows the residential substance abuse treatment programme.
RDAP_PROGRAM_PATTERN = r"(?i)\brdap\b|residential\s+drug|residential\s+substance"

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
    "prior_commitments",
    "has_diploma",
    "final_order_of_removal",
    "risk_level",
    "rdap",
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

Condition = Literal["death_or_injury", "aggravating_role", "aggravating_role_fentanyl", "unknown"]

# Sections of the chapters § 3632(d)(4)(D) names whole, less the sections each clause excepts
# (uscode.house.gov chapter tables of title 18).
_CHAPTER_SECTIONS: dict[str, tuple[str, ...]] = {
    "10": ("175", "175a", "175b", "175c", "176", "177", "178"),  # (x) biological weapons
    "11B": ("229", "229a", "229b", "229c", "229d", "229e", "229f"),  # (xi) chemical weapons
    "39": ("831", "832", "833", "834", "835"),  # (xvii) explosives, except § 836
    # (xxv) homicide, except §§ 1112, 1115, 1122; § 1113 only as to attempted murder (UNKNOWN below)
    "51": ("1111", "1114", "1116", "1117", "1118", "1119", "1120", "1121"),
    "55": ("1201", "1202", "1203", "1204"),  # (xxvi) kidnapping
    "77": ("1581", "1582", "1583", "1584", "1585", "1586", "1587", "1588", "1589", "1590", "1591", "1592", "1597"),
    "105": ("2151", "2153", "2154", "2155", "2156", "2157"),  # (xxxvi) sabotage, except § 2152
    "109A": ("2241", "2242", "2243", "2244", "2245", "2246", "2247", "2248"),  # (xxxvii) sexual abuse
    "113B": tuple(f"233{n}{s}" for n in range(1, 10) for s in ("", "a", "b", "c", "d")),  # (xlvii) terrorism
}
# § 3632(d)(4)(D)(xxv) excepts § 1113 "except with respect to ... attempt to commit murder": a record of § 1113
# does not say which, so a match is unknown.
_EXTRA_UNKNOWN = (("xxv", "18 U.S.C. § 1113"),)

# How each conditional clause's `condition` (excluded_offenses.yaml) is read from charge records.
_CONDITIONS: dict[str, Condition] = {
    "vii": "unknown",  # § 115 except threats: the record does not say
    "xviii": "unknown",  # § 842(p) only with a weapon of mass destruction
    "xlvi": "unknown",  # § 2291 only with a substantial risk of death or injury
    "li": "unknown",  # § 3559(c)(2)(F) with a prior serious violent conviction
    "lvii": "unknown",  # 49 U.S.C. § 60123(b) only with a substantial risk
    "lviii": "death_or_injury",  # § 841(b)(1)(A)-(C) where death or serious bodily injury resulted
    "lxv": "aggravating_role",  # heroin quantities, organizer, leader, manager or supervisor
    "lxvii": "aggravating_role",  # methamphetamine quantities, the same role
    "lxviii": "aggravating_role_fentanyl",  # fentanyl-containing (A)/(B) quantities, the same role
}
# Clauses whose condition names the subsections that count (8 U.S.C. § 1326(b)(1) or (2)).
_CITE_OVERRIDES: dict[str, str] = {"lix": "8 U.S.C. § 1326(b)(1), (2)"}
# The exceptions of clauses (xvii), (xxv), (xxvii) and (xxxvi) are applied in the chapter tables above.
# (lviii): the death-results penalties are in § 841(b)(1)(A), (B) and (C), so the charge's own flag decides,
# whatever subsection the record names.
_SECTION_LEVEL = {"lviii"}


@dataclass(frozen=True)
class ExclusionPattern:
    """One provision of § 3632(d)(4)(D) as regular expressions over a normalised federal statute."""

    clause: str
    provision: str  # normalised, e.g. 18usc924(c)
    full: str  # the charge names this provision or one below it
    partial: str | None  # the charge names only a provision above it: which one is unknown
    condition: Condition | None


def _level_kind(token: str, after_upper: bool) -> str:
    if token.isdigit():
        return "paragraph"
    if token.isupper():
        return "subparagraph"
    if len(token) > 1 or after_upper:
        return "clause"  # (i), (vi), (viii): clauses sit below a subparagraph
    return "subsection"


def _path_kinds(path: list[str]) -> list[str]:
    kinds: list[str] = []
    after_upper = False
    for token in path:
        kinds.append(_level_kind(token, after_upper))
        after_upper = after_upper or token.isupper()
    return kinds


_TOKENS = re.compile(r"\(([0-9A-Za-z]+)\)")


def _provisions(cite: str) -> list[tuple[str, str, list[str]]]:
    """(title, section, path) of each provision a cite names: `18 U.S.C. § 113(a)(1), (7), (8)` gives three."""
    provisions: list[tuple[str, str, list[str]]] = []
    for part in cite.split(";"):
        match = re.match(r"\s*(\d+)\s+U\.S\.C\.\s+(§§?|ch\.)\s*(.+)$", part)
        if match is None:
            raise ValueError(f"cannot read the citation {part!r}")
        title, kind, rest = match.groups()
        if kind == "ch.":
            provisions += [(title, section, []) for section in _CHAPTER_SECTIONS[rest.strip()]]
            continue
        section = ""
        path: list[str] = []
        for item in (piece.strip() for piece in rest.split(",")):
            head = re.match(r"^(\d+[A-Za-z]?)(?:\s+et seq\.)?", item)
            tokens = _TOKENS.findall(item)
            if head:
                section, path = head.group(1), tokens
                if "et seq." in item:  # the Act's sections from this one on, within its hundred
                    first = int(section)
                    provisions += [(title, str(n), []) for n in range(first, first - first % 100 + 100)]
                    continue
            else:
                kinds = _path_kinds(path)
                wanted = _level_kind(tokens[0], any(t.isupper() for t in path))
                cut = max((i for i, kind in enumerate(kinds) if kind == wanted), default=len(path))
                path = path[:cut] + tokens
            provisions.append((title, section, list(path)))
    return provisions


def _normalised(title: str, section: str, path: list[str]) -> str:
    return f"{title}usc{section.lower()}" + "".join(f"({token.lower()})" for token in path)


@cache
def exclusion_patterns() -> tuple[ExclusionPattern, ...]:
    """The § 3632(d)(4)(D) list as patterns: every clause of excluded_offenses.yaml, with its condition."""
    patterns: list[ExclusionPattern] = []
    clauses = [(o.clause, _CITE_OVERRIDES.get(o.clause, o.cite)) for o in excluded_offenses()]
    for clause, cite in [*clauses, *_EXTRA_UNKNOWN]:
        condition: Condition | None = _CONDITIONS.get(clause)
        if (clause, cite) in _EXTRA_UNKNOWN:
            condition = "unknown"
        for title, section, path in _provisions(cite):
            if clause in _SECTION_LEVEL:
                path = []
            provision = _normalised(title, section, path)
            full = "^" + re.escape(provision) + r"(\(|$)"
            prefixes = [_normalised(title, section, path[:n]) for n in range(len(path))]
            partial = "^(" + "|".join(re.escape(p) for p in prefixes) + ")$" if prefixes else None
            patterns.append(ExclusionPattern(clause, provision, full, partial, condition))
    return tuple(patterns)


def normalised_federal_statute(statute: str) -> str:
    """A federal statute as the patterns read it: `18 U.S.C. § 924(c)(1)(A)` → `18usc924(c)(1)(a)`."""
    return re.sub(r"[\s§.]|sections?|sec\b", "", statute.lower())


def _missouri_section(statute: str) -> str:
    return re.sub(r"^\s*(rsmo)?\s*(§|sec\.|section)?\s*", "", statute.lower())


_KINDS = ("always", "death_or_injury", "aggravating_role", "aggravating_role_fentanyl", "unknown")
STATUTE_FLAG_COLUMNS: tuple[str, ...] = (
    *(f"full_{kind}" for kind in _KINDS),
    *(f"part_{kind}" for kind in _KINDS),
    "no_parole",
    "own_minimum",
)


@cache
def _compiled() -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]], re.Pattern[str], re.Pattern[str]]:
    groups: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    partials: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    for pattern in exclusion_patterns():
        kind = pattern.condition or "always"
        groups[kind].append(pattern.full)
        if pattern.partial:
            partials[kind].append(pattern.partial)

    def alternation(regexes: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{regex})" for regex in regexes) if regexes else "$^")

    no_parole_set = {rule.statute for rule in NO_PAROLE_OFFENSES}
    own = [rule.statute for rule in OWN_MINIMUM_TERM_STATUTES if rule.statute not in no_parole_set]

    def sections(statutes: list[str]) -> re.Pattern[str]:
        return re.compile("^(" + "|".join(re.escape(x) for x in statutes) + ")($|[^0-9])" if statutes else "$^")

    return (
        {kind: alternation(groups[kind]) for kind in _KINDS},
        {kind: alternation(partials[kind]) for kind in _KINDS},
        sections([rule.statute for rule in NO_PAROLE_OFFENSES]),
        sections(own),
    )


def statute_flags(statutes: list[str]) -> dict[str, list[object]]:
    """Per distinct statute text, which § 3632(d)(4)(D) entries and Missouri lists it matches (columns as lists).

    The matching runs once per distinct statute, not per charge; `member_inputs_sql` joins the result back.
    """
    full, partial, no_parole, own_minimum = _compiled()
    columns: dict[str, list[object]] = {"statute": list(statutes)}
    for name in STATUTE_FLAG_COLUMNS:
        columns[name] = []
    for statute in statutes:
        federal = normalised_federal_statute(statute)
        section = _missouri_section(statute)
        for kind in _KINDS:
            columns[f"full_{kind}"].append(full[kind].search(federal) is not None)
            columns[f"part_{kind}"].append(partial[kind].search(federal) is not None)
        columns["no_parole"].append(no_parole.search(section) is not None)
        columns["own_minimum"].append(own_minimum.search(section) is not None)
    return columns


def register_statute_flags(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create the temporary table `name` of `statute_flags` over the distinct statutes of `charge`."""
    query = "SELECT DISTINCT statute FROM charge WHERE statute IS NOT NULL"
    statutes = [row[0] for row in connection.execute(query).fetchall()]
    flags = statute_flags(statutes)
    table = pa.table(
        {"statute": pa.array(flags["statute"], pa.string())}
        | {column: pa.array(flags[column], pa.bool_()) for column in STATUTE_FLAG_COLUMNS}
    )
    view = f"{name}_arrow"
    connection.register(view, table)
    try:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        connection.unregister(view)


# A charge's match, three-valued: TRUE listed, FALSE not listed, NULL unknown. A condition the record cannot
# show (or a statute written less specifically than the list) gives NULL, never a guess.
_FENTANYL = "regexp_matches(lower(c.description), 'fentanyl|phenyl-n-\\[1-\\(2-phenylethyl')"
_AGGRAVATING = "c.role IN ('manager_supervisor', 'leader_organizer')"
_CHARGE_EXCLUDED_SQL = f"""
CASE
    WHEN c.statute IS NULL OR f.statute IS NULL THEN NULL
    WHEN f.full_always THEN TRUE
    WHEN f.full_death_or_injury AND c.death_or_injury_resulted THEN TRUE
    WHEN f.full_aggravating_role AND {_AGGRAVATING} THEN TRUE
    WHEN f.full_aggravating_role_fentanyl AND {_AGGRAVATING} AND {_FENTANYL} THEN TRUE
    WHEN f.full_unknown OR f.part_always OR f.part_unknown THEN NULL
    WHEN f.full_death_or_injury AND c.death_or_injury_resulted IS NULL THEN NULL
    WHEN (f.full_aggravating_role OR f.part_aggravating_role) AND c.role IS NULL THEN NULL
    WHEN f.full_aggravating_role_fentanyl AND c.role IS NULL AND coalesce({_FENTANYL}, TRUE) THEN NULL
    WHEN f.full_aggravating_role_fentanyl AND {_AGGRAVATING} AND c.description IS NULL THEN NULL
    WHEN f.part_death_or_injury AND coalesce(c.death_or_injury_resulted, TRUE) THEN NULL
    WHEN f.part_aggravating_role_fentanyl AND coalesce({_AGGRAVATING}, TRUE) THEN NULL
    ELSE FALSE
END
"""


def _three_valued_any(expression: str) -> str:
    """TRUE if any row is TRUE, else NULL if any is NULL, else FALSE."""
    return f"CASE WHEN bool_or({expression}) THEN TRUE WHEN count(*) > count({expression}) THEN NULL ELSE FALSE END"


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
    """CTEs `ca_violent` (per California sentence) and `ca_strike` (per person) for `member_inputs_sql`."""
    violent_list = offense_lists()["ca_violent_felony"]
    groups = ",\n        ".join(
        f"{sql} AS {name}"
        for name, sql in group_columns_sql(violent_list, "norm_statute", "norm_enhancements", "lower_description")
    )
    return f"""
ca_charges AS (
    SELECT c.sentence_id, c.statute, c.enhancements
    FROM charge c JOIN sentence s ON s.id = c.sentence_id
    WHERE s.system = 'us-ca'
),
ca_texts AS (  -- the distinct texts of California charges, matched once each
    SELECT statute, enhancements,
        {groups}
    FROM (
        SELECT statute, enhancements,
            {normalised_statute_sql("statute")} AS norm_statute,
            {normalised_statute_sql("enhancements")} AS norm_enhancements,
            NULL::VARCHAR AS lower_description
        FROM (SELECT DISTINCT statute, enhancements FROM ca_charges)
    )
),
ca_flags AS (
    SELECT statute, enhancements, {list_flag_sql(violent_list, "'us-ca'")} AS violent_flag FROM ca_texts
),
ca_violent AS (
    SELECT c.sentence_id, {_three_valued_any("f.violent_flag")} AS violent
    FROM ca_charges c JOIN ca_flags f
        ON f.statute IS NOT DISTINCT FROM c.statute AND f.enhancements IS NOT DISTINCT FROM c.enhancements
    GROUP BY c.sentence_id
),
ca_strike AS (  -- Cal. Penal Code §§ 667(c)(5), 1170.12(a)(5): the whole current commitment
    SELECT person_id,
        CASE WHEN bool_or(sentence_type_raw IN ({_strike_texts(True)})) THEN TRUE
             WHEN bool_or(sentence_type_raw IN ({_strike_texts(False)})) THEN FALSE END AS habitual_offender
    FROM sentence WHERE system = 'us-ca' AND status = 'active'
    GROUP BY person_id
)"""


def member_inputs_sql(as_of: date, statute_flags_table: str) -> str:
    """One row per sentence with the columns of `MEMBER_COLUMNS` (see the module docstring).

    `statute_flags_table` is a table made by `register_statute_flags` on the same connection.
    """
    at = f"DATE '{as_of.isoformat()}'"
    return f"""
WITH charge_flags AS (
    SELECT c.sentence_id, c.dangerous_felony, c.offense_date,
        {_CHARGE_EXCLUDED_SQL} AS excluded,
        coalesce(f.no_parole, FALSE) AS no_parole, coalesce(f.own_minimum, FALSE) AS own_minimum
    FROM charge c LEFT JOIN {statute_flags_table} f ON f.statute = c.statute
),
charge_facts AS (
    SELECT sentence_id,
        {_three_valued_any("excluded")} AS excluded_offense,
        {_three_valued_any("dangerous_felony")} AS dangerous_felony,
        bool_or(no_parole) AS no_parole_offense,
        bool_or(own_minimum) AS own_minimum_term,
        max(offense_date) AS offense_date
    FROM charge_flags
    GROUP BY sentence_id
),
risk AS ({risk_level_sql(as_of)}),
rdap AS (
    SELECT DISTINCT e.person_id
    FROM enrollment e JOIN program p ON p.id = e.program_id
    WHERE regexp_matches(p.name, {quote_literal(RDAP_PROGRAM_PATTERN)})
        AND (e.status = 'completed' AND coalesce(e.end_date, e.start_date, e.referred_on) <= {at}
             OR e.status = 'enrolled' AND coalesce(e.start_date, e.referred_on) <= {at})
),
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
{_california_sql()}
SELECT
    s.id AS sentence_id, s.person_id, s.system, s.sentence_type, s.commencement_date,
    coalesce(s.commuted_term_months, s.term_months) AS term_months,
    CASE WHEN s.commuted_term_months IS NOT NULL THEN 0 ELSE s.term_days END AS term_days,
    s.min_term_months, s.jail_credit_days, s.supervised_release_months,
    s.consecutive_to_id, s.consecutive_to_source_id,
    f.offense_date,
    CASE WHEN s.system = 'federal' THEN f.excluded_offense END AS excluded_offense,
    f.dangerous_felony, f.no_parole_offense, coalesce(f.own_minimum_term, FALSE) AS own_minimum_term,
    CASE WHEN coalesce(s.commencement_date, s.imposed_date) IS NOT NULL THEN coalesce(pr.prior_commitments, 0) END
        AS prior_commitments,
    p.has_diploma, p.final_order_of_removal,
    r.risk_level,
    rd.person_id IS NOT NULL AS rdap,
    p.birth_date,
    cv.violent,
    CASE WHEN s.system = 'us-ca' AND s.status = 'active' THEN cs.habitual_offender END AS habitual_offender
FROM sentence s
LEFT JOIN person p ON p.id = s.person_id
LEFT JOIN charge_facts f ON f.sentence_id = s.id
LEFT JOIN priors pr ON pr.sentence_id = s.id
LEFT JOIN risk r ON r.person_id = s.person_id
LEFT JOIN rdap rd ON rd.person_id = s.person_id
LEFT JOIN ca_violent cv ON cv.sentence_id = s.id
LEFT JOIN ca_strike cs ON cs.person_id = s.person_id
"""


def create_member_inputs(connection: duckdb.DuckDBPyConnection, as_of: date, target: str) -> None:
    """Create the temporary table `target` of `member_inputs_sql` (statute flags registered on the way)."""
    flags = f"{target}_statutes"
    register_statute_flags(connection, flags)
    try:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS {member_inputs_sql(as_of, flags)}")
    finally:
        connection.execute(f"DROP TABLE IF EXISTS {flags}")


def incident_inputs_sql(as_of: date) -> str:
    """Incidents up to `as_of` with the good conduct days they cost (NULL days: none recorded, counted 0)."""
    return (
        "SELECT person_id, incident_date, CAST(coalesce(gct_days_lost, 0) AS BIGINT) AS gct_days_lost "
        f"FROM incident WHERE incident_date <= DATE '{as_of.isoformat()}' AND person_id IS NOT NULL"
    )
