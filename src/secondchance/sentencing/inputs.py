"""SQL that builds the engines' inputs from the records store: one row per sentence, plus the incidents.

`member_inputs_sql(as_of)` gives one row per `sentence` with the sentence's own columns and the facts the
engines read, each derived in SQL (vectorised, no per-row Python):

- the term: a commuted term replaces the term imposed (`commuted_term_months`, whole months);
- `excluded_offense` (federal): a charge matches the 18 U.S.C. § 3632(d)(4)(D) list, which the federal
  package keeps as data (`federal/excluded_offenses.yaml`); three-valued, see `exclusion_patterns`;
- `dangerous_felony` (RSMo 556.061(19)): any charge flagged, three-valued OR of `charge.dangerous_felony`;
- `no_parole_offense` (RSMo 565.020.2) and `own_minimum_term` (RSMo 558.019.1) from charge statutes;
- `offense_date`: the latest offence date of the sentence's charges (profiles choose their version by it);
- `prior_commitments` (RSMo 558.019.2): the person's completed Missouri sentences that started before this one;
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

from secondchance.sentencing.federal.excluded_offenses import excluded_offenses
from secondchance.sentencing.missouri.offenses import NO_PAROLE_OFFENSES, OWN_MINIMUM_TERM_STATUTES

__all__ = [
    "ExclusionPattern",
    "exclusion_patterns",
    "federal_statute_sql",
    "member_inputs_sql",
    "incident_inputs_sql",
    "risk_level_sql",
    "RDAP_PROGRAM_PATTERN",
    "MEMBER_COLUMNS",
]

# 18 U.S.C. § 3621(e)(2)(B): the reduction follows the residential substance abuse treatment programme.
RDAP_PROGRAM_PATTERN = r"(?i)\brdap\b|residential\s+drug|residential\s+substance"

MEMBER_COLUMNS: tuple[str, ...] = (
    "sentence_id",
    "person_id",
    "sentence_source_id",
    "person_source_id",
    "system",
    "sentence_type",
    "status",
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
)

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


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def federal_statute_sql(column: str) -> str:
    """SQL normalising a federal statute: `18 U.S.C. § 924(c)(1)(A)` → `18usc924(c)(1)(a)`."""
    return f"regexp_replace(lower({column}), '[\\s§.]|sections?|sec\\b', '', 'g')"


def _alternation(regexes: list[str]) -> str:
    return _sql_text("|".join(f"(?:{regex})" for regex in regexes)) if regexes else "'$^'"


def _exclusion_by_statute_sql() -> str:
    """Per distinct normalised statute, whether it matches each kind of entry (one regex per kind)."""
    groups: dict[str, list[str]] = {}
    partials: dict[str, list[str]] = {}
    for pattern in exclusion_patterns():
        kind = pattern.condition or "always"
        groups.setdefault(kind, []).append(pattern.full)
        if pattern.partial:
            partials.setdefault(kind, []).append(pattern.partial)
    kinds = ("always", "death_or_injury", "aggravating_role", "aggravating_role_fentanyl", "unknown")
    columns = ", ".join(
        f"regexp_matches(norm, {_alternation(groups.get(kind, []))}) AS full_{kind}, "
        f"regexp_matches(norm, {_alternation(partials.get(kind, []))}) AS part_{kind}"
        for kind in kinds
    )
    return f"SELECT norm, {columns} FROM (SELECT DISTINCT norm FROM federal_charge)"


# A charge's match, three-valued: TRUE listed, FALSE not listed, NULL unknown. A condition the record cannot
# show (or a statute written less specifically than the list) gives NULL, never a guess.
_CHARGE_EXCLUDED_SQL = """
CASE
    WHEN c.norm IS NULL OR c.norm = '' THEN NULL
    WHEN m.full_always THEN TRUE
    WHEN m.full_death_or_injury AND c.death_or_injury_resulted THEN TRUE
    WHEN (m.full_aggravating_role OR (m.full_aggravating_role_fentanyl AND c.fentanyl))
        AND c.role IN ('manager_supervisor', 'leader_organizer') THEN TRUE
    WHEN m.full_unknown OR m.part_always OR m.part_unknown THEN NULL
    WHEN m.full_death_or_injury AND c.death_or_injury_resulted IS NULL THEN NULL
    WHEN (m.full_aggravating_role OR m.part_aggravating_role) AND c.role IS NULL THEN NULL
    WHEN m.full_aggravating_role_fentanyl AND (c.fentanyl IS NULL OR c.fentanyl) AND c.role IS NULL THEN NULL
    WHEN m.full_aggravating_role_fentanyl AND c.fentanyl IS NULL
        AND c.role IN ('manager_supervisor', 'leader_organizer') THEN NULL
    WHEN m.part_death_or_injury AND coalesce(c.death_or_injury_resulted, true) THEN NULL
    WHEN m.part_aggravating_role_fentanyl AND coalesce(c.role IN ('manager_supervisor', 'leader_organizer'), true)
        THEN NULL
    ELSE FALSE
END
"""


def _missouri_statute_sql(column: str, statutes: list[str]) -> str:
    if not statutes:
        return "FALSE"
    alternation = "|".join(re.escape(statute) for statute in statutes)
    normalised = f"regexp_replace(lower({column}), '^\\s*(rsmo)?\\s*(§|sec\\.|section)?\\s*', '')"
    return f"coalesce(regexp_matches({normalised}, {_sql_text('^(' + alternation + ')($|[^0-9])')}), FALSE)"


def _three_valued_any(expression: str) -> str:
    """TRUE if any row is TRUE, else NULL if any is NULL, else FALSE (FALSE for no rows is not used)."""
    return f"CASE WHEN bool_or({expression}) THEN TRUE WHEN count(*) > count({expression}) THEN NULL ELSE FALSE END"


_RISK_RANK = "CASE {0} WHEN 'minimum' THEN 1 WHEN 'low' THEN 2 WHEN 'medium' THEN 3 WHEN 'high' THEN 4 END"


def risk_level_sql(as_of: date) -> str:
    """Per person, the risk level the federal engine reads (PATTERN, 28 CFR 523.40-.42).

    The latest assessment on or before `as_of`, unless it is minimum or low and the one before it was medium
    or high: then `medium`, because the extra 5 days need minimum or low risk over two consecutive
    assessments (18 U.S.C. § 3632(d)(4)(A)(ii)) and prerelease custody needs it on the last two
    (§ 3624(g)(1)(D)(i)); the single risk input of the engine cannot say "earns 10, may apply some".
    """
    at = f"DATE '{as_of.isoformat()}'"
    return f"""
SELECT person_id,
    CASE WHEN latest IN ('minimum', 'low') AND previous IN ('medium', 'high') THEN 'medium' ELSE latest END
        AS risk_level
FROM (
    SELECT person_id,
        max_by(risk_level, (assessed_on, id)) AS latest,
        max_by(risk_level, (assessed_on, id), 2)[2] AS previous
    FROM assessment
    WHERE tool = 'pattern' AND assessed_on <= {at}
    GROUP BY person_id
)
"""


def member_inputs_sql(as_of: date) -> str:
    """One row per sentence with the columns of `MEMBER_COLUMNS` (see the module docstring)."""
    at = f"DATE '{as_of.isoformat()}'"
    no_parole = _missouri_statute_sql("statute", [rule.statute for rule in NO_PAROLE_OFFENSES])
    no_parole_set = {rule.statute for rule in NO_PAROLE_OFFENSES}
    own_minimum = _missouri_statute_sql(
        "statute", [rule.statute for rule in OWN_MINIMUM_TERM_STATUTES if rule.statute not in no_parole_set]
    )
    return f"""
WITH federal_charge AS MATERIALIZED (
    SELECT c.sentence_id, c.role, c.death_or_injury_resulted,
        regexp_matches(lower(c.description), 'fentanyl|phenyl-n-\\[1-\\(2-phenylethyl') AS fentanyl,
        {federal_statute_sql("c.statute")} AS norm
    FROM charge c JOIN sentence s ON s.id = c.sentence_id
    WHERE s.system = 'federal'
),
statute_match AS ({_exclusion_by_statute_sql()}),
excluded AS (
    SELECT c.sentence_id, {_three_valued_any("(" + _CHARGE_EXCLUDED_SQL + ")")} AS excluded_offense
    FROM federal_charge c JOIN statute_match m ON m.norm IS NOT DISTINCT FROM c.norm
    GROUP BY c.sentence_id
),
charge_facts AS (
    SELECT sentence_id,
        {_three_valued_any("dangerous_felony")} AS dangerous_felony,
        bool_or({no_parole}) AS no_parole_offense,
        bool_or({own_minimum}) AS own_minimum_term,
        max(offense_date) AS offense_date
    FROM charge GROUP BY sentence_id
),
risk AS ({risk_level_sql(as_of)}),
rdap AS (
    SELECT DISTINCT e.person_id
    FROM enrollment e JOIN program p ON p.id = e.program_id
    WHERE regexp_matches(p.name, {_sql_text(RDAP_PROGRAM_PATTERN)})
        AND (e.status = 'completed' AND coalesce(e.end_date, e.start_date, e.referred_on) <= {at}
             OR e.status = 'enrolled' AND coalesce(e.start_date, e.referred_on) <= {at})
),
started AS (
    SELECT id, person_id, system, status, coalesce(commencement_date, imposed_date) AS began FROM sentence
),
priors AS (  -- RSMo 558.019.2: previous prison commitments to the department of corrections
    SELECT s.id AS sentence_id,
        CASE WHEN s.began IS NULL THEN NULL ELSE count(p.id) END AS prior_commitments
    FROM started s LEFT JOIN started p
        ON p.person_id = s.person_id AND p.id <> s.id AND p.system = 'us-mo' AND p.status = 'completed'
        AND p.began < s.began
    GROUP BY s.id, s.began
)
SELECT
    s.id AS sentence_id, s.person_id, s.source_id AS sentence_source_id, s.person_source_id, s.system,
    s.sentence_type, s.status, s.commencement_date,
    coalesce(s.commuted_term_months, s.term_months) AS term_months,
    CASE WHEN s.commuted_term_months IS NOT NULL THEN 0 ELSE s.term_days END AS term_days,
    s.min_term_months, s.jail_credit_days, s.supervised_release_months,
    s.consecutive_to_id, s.consecutive_to_source_id,
    f.offense_date,
    CASE WHEN s.system = 'federal' THEN e.excluded_offense END AS excluded_offense,
    f.dangerous_felony, f.no_parole_offense, coalesce(f.own_minimum_term, FALSE) AS own_minimum_term,
    pr.prior_commitments,
    p.has_diploma, p.final_order_of_removal,
    r.risk_level,
    rd.person_id IS NOT NULL AS rdap,
    p.birth_date
FROM sentence s
LEFT JOIN person p ON p.id = s.person_id
LEFT JOIN charge_facts f ON f.sentence_id = s.id
LEFT JOIN excluded e ON e.sentence_id = s.id
LEFT JOIN priors pr ON pr.sentence_id = s.id
LEFT JOIN risk r ON r.person_id = s.person_id
LEFT JOIN rdap rd ON rd.person_id = s.person_id
"""


def incident_inputs_sql(as_of: date) -> str:
    """Incidents up to `as_of` with the good conduct days they cost (NULL days: none recorded, counted 0)."""
    return (
        "SELECT person_id, incident_date, CAST(coalesce(gct_days_lost, 0) AS BIGINT) AS gct_days_lost "
        f"FROM incident WHERE incident_date <= DATE '{as_of.isoformat()}' AND person_id IS NOT NULL"
    )
