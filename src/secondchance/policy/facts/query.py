"""The facts view: one DuckDB SELECT computing every fact of the catalogue for every person, as of a date.

The query is set-based: each records table is aggregated once by person, then left-joined to `person`.
Statute lists are matched once per distinct statute (`policy.facts.offense_lists`). Silence is unknown
(`policy.facts.catalogue.UNKNOWN_RULES`, decision 8): a fact reads "no rows" or an empty field as none
only where the person's source declares itself complete for that kind of record (`source_completeness`),
and a sentence whose source may not record all its counts carries one unrecorded, unknown count.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date

import duckdb

from secondchance.law.missouri import dangerous_felony_sql
from secondchance.law.offense_lists import list_flag_sql, offense_lists, text_flags_sql, text_key_sql
from secondchance.policy.facts import california
from secondchance.policy.facts.catalogue import FACTS
from secondchance.records.completeness import RECORD_KINDS, SOURCE_COMPLETENESS_SQL
from secondchance.records.schema import DUCKDB_TYPES, ENUMS, NEED_DOMAINS, TABLES, table
from secondchance.records.store import create_table_sql, store_columns
from secondchance.records.supplied import ACTIVE_FACTS_SQL, ensure_supplied_tables
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL, add_missing_columns
from secondchance.sentencing.conventions import DAYS_PER_YEAR

__all__ = ["SUPPLIED_EFFECTS", "facts_query", "ensure_fact_inputs", "materialize_facts", "person_facts"]


def _truth(x: str) -> str:
    """A three-valued boolean as a number that orders false (0) < unknown (1) < true (2)."""
    return f"(CASE WHEN {x} THEN 2 WHEN ({x}) IS NULL THEN 1 ELSE 0 END)"


def _any(x: str) -> str:
    """Three-valued 'some row is true': true if one is, NULL if one is unknown, else false (one aggregate)."""
    return f"(CASE max({_truth(x)}) WHEN 2 THEN true WHEN 0 THEN false END)"


def _all(x: str) -> str:
    """Three-valued 'every row is true'."""
    return f"(CASE min({_truth(x)}) WHEN 2 THEN true WHEN 0 THEN false END)"


def _day_number(x: str) -> str:
    """A date as a whole number of days (0 when unknown), to build one sortable number from several keys."""
    return f"coalesce(date_diff('day', DATE '1800-01-01', {x}), 0)"


_NEVER = "DATE '9999-12-31'"  # stands for an unknown date inside one aggregate; never returned


def _strict_max(x: str) -> str:
    """The latest date, or NULL when a row's date is unknown (one aggregate)."""
    return f"nullif(max(coalesce({x}, {_NEVER})), {_NEVER})"


def _strict(aggregate: str, x: str) -> str:
    """An aggregate (min, max) over every row, or NULL when a row's value is unknown."""
    return f"CASE WHEN count(*) = count({x}) THEN {aggregate}({x}) END"


def _age(birth: str, on: str) -> str:
    """Whole years from `birth` to `on`; a birthday counts from the day itself."""
    return (
        f"(year({on}) - year({birth}) - CASE WHEN month({on}) * 100 + day({on}) "
        f"< month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)"
    )


_SENTENCE_RANK = (
    "CASE sentence_type WHEN 'death' THEN 5 WHEN 'life_without_parole' THEN 4 WHEN 'life' THEN 3 "
    "WHEN 'indeterminate' THEN 2 WHEN 'determinate' THEN 1 END"
)
_AGGRAVATING_ROLES = "('manager_supervisor', 'leader_organizer')"
# The distinct categories in alphabetical order, built from one flag per category (no per-group sort).
_CATEGORY_LIST = (
    "nullif(concat_ws(';', "
    + ", ".join(
        f"CASE WHEN bool_or(offense_category = '{category}') THEN '{category}' END"
        for category in sorted(ENUMS["offense_category"])
    )
    + "), '')"
)


# Each summary below is a name → SQL mapping, so that a query for a few facts computes only the columns
# (and joins only the tables) those facts read: `facts_query` follows the names each column's SQL mentions.
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUALIFIED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b")


def _words(*sql: str) -> set[str]:
    """Every identifier-like word of some SQL (a superset of the names it reads, which is safe to follow)."""
    return {word for text in sql for word in _WORD.findall(text)}


def _qualified(*sql: str) -> set[tuple[str, str]]:
    """Every `alias.column` the SQL mentions."""
    return {pair for text in sql for pair in _QUALIFIED.findall(text)}


def _select_list(columns: dict[str, str]) -> str:
    return ",\n        ".join(f"{sql} AS {name}" for name, sql in columns.items())


def _kept(columns: dict[str, str], names: set[str] | None) -> dict[str, str]:
    """The columns among `names` (all of them when `names` is None), in their declared order."""
    return dict(columns) if names is None else {name: sql for name, sql in columns.items() if name in names}


# The earliest commencement, NULL when a current sentence that runs after no other has none.
_COMMENCEMENT = (
    "CASE WHEN bool_and(cs.commencement_date IS NOT NULL OR cs.consecutive_to_id IS NOT NULL) "
    "THEN min(cs.commencement_date) END"
)


def _sentence_columns() -> dict[str, str]:
    """Per person, over the current sentences (`current_sentence AS cs`)."""
    return {
        "system": "coalesce(arg_min(cs.system, coalesce(cs.commencement_date, cs.imposed_date)), min(cs.system))",
        "sentence_type": "CASE WHEN bool_and(sentence_type IS NOT NULL) "
        f"THEN arg_max(sentence_type, {_SENTENCE_RANK}) END",
        "is_life_sentence": _any("sentence_type IN ('life', 'life_without_parole')"),
        "is_life_without_parole": _any("sentence_type = 'life_without_parole'"),
        "sentence_imposed_date": _strict("min", "imposed_date"),
        "commencement_date": _COMMENCEMENT,
        "jail_credit_days": _strict("max", "cs.jail_credit_days"),
        "served_from_date": f"CAST({_COMMENCEMENT} - CAST({_strict('max', 'cs.jail_credit_days')} AS INTEGER) AS DATE)",
        "source_release_date": _strict_max("cs.source_release_date"),
        "source_parole_eligibility_date": _strict_max("cs.source_parole_eligibility_date"),
    }


def _computed_columns() -> dict[str, str]:
    """Per person, over the latest computed dates of the current sentences (`latest_computed AS d`)."""
    ftc_key = f"{_day_number('d.projected_release_date')} * 100000 + {_day_number('d.full_term_date')}"
    return {
        "full_term_date": _strict_max("d.full_term_date"),
        "release_date": _strict_max("d.release_date"),
        "projected_release_date": _strict_max("d.projected_release_date"),
        "parole_eligibility_date": _strict_max("d.parole_eligibility_date"),
        "conditional_release_date": _strict_max("d.conditional_release_date"),
        "supervised_release_date": _strict_max("d.supervised_release_date"),
        "prerelease_custody_date": _strict_max("d.prerelease_custody_date"),
        "prerelease_custody_date_if_approved": _strict_max("d.prerelease_custody_date_if_approved"),
        "ftc_days": f"CASE WHEN bool_and(d.sentence_id IS NOT NULL) THEN arg_max(d.ftc_days, {ftc_key}) END",
    }


# A charge is violent by its category, or, for an 18 U.S.C. § 924(c) count, by its predicate (§ 924(c)(1)(A):
# a crime of violence or a drug trafficking crime), which only its description names; a federal weapon count
# without a statute may be a § 924(c) count.
_IS_VIOLENT = (
    "CASE WHEN offense_category = 'violent' OR l_usc_924c_crime_of_violence THEN true "
    "WHEN l_usc_924c THEN (CASE WHEN l_usc_924c_drug_trafficking_crime THEN false END) "
    "WHEN l_usc_924c IS NULL AND offense_category = 'weapon' THEN NULL "
    "ELSE offense_category = 'violent' END"
)
# Fair Sentencing Act of 2010, § 2: a count whose penalty turns on the substance is a crack count, or not,
# only when its statute or description names the substance.
_IS_CRACK = (
    "CASE WHEN l_crack_cocaine THEN true WHEN l_substance_named THEN false "
    "WHEN l_crack_cocaine_statutes THEN NULL ELSE l_crack_cocaine END"
)


def _enhancement_flag(list_name: str, *, statute_decides: bool = False) -> str:
    """A charge's match of a list read in its enhancements: none recorded is none only where the source is complete.

    With `statute_decides`, a listed statute is also an answer on its own, so an unknown statute stays unknown.
    """
    system = offense_lists()[list_name].system
    flag = f"l_{list_name}"
    otherwise = flag if statute_decides else "false"
    return (
        f"CASE WHEN {flag} THEN true WHEN system <> '{system}' THEN false "
        f"WHEN id IS NOT NULL AND complete_enhancement THEN {otherwise} END"
    )


def _charge_derived() -> dict[str, str]:
    """Per current or prior charge, from its list flags."""
    return {"is_violent": _IS_VIOLENT}


def _current_charge_derived() -> dict[str, str]:
    """Per current charge, from its list flags."""
    return {
        "is_crack": _IS_CRACK,
        "enh_851": _enhancement_flag("enhancement_851"),
        "enh_3559c": _enhancement_flag("sentence_3559c"),
        "enh_pc12022": _enhancement_flag("pc12022"),
        "enh_ca_violent": _enhancement_flag("ca_violent_felony", statute_decides=True),
        # Without a category, a statute in a drug list says drug; one in none says nothing.
        "is_drug": "CASE WHEN offense_category IS NOT NULL THEN offense_category = 'drug' "
        "WHEN l_federal_drug_trafficking OR l_mo_drug OR l_ca_drug THEN true END",
        "in_ca_tables": "l_ca_serious_felony OR l_ca_violent_felony OR l_ca_super_strike OR l_ca_registrable_sex",
        **california.current_charge_derived(),
    }


def _current_charge_columns() -> dict[str, str]:
    """Per person, over the current charges."""
    return {
        "current_offense_categories": f"CASE WHEN count(*) = count(offense_category) THEN {_CATEGORY_LIST} END",
        "has_violent_current_offense": _any("is_violent"),
        "has_drug_current_offense": _any("is_drug"),
        "has_sex_current_offense": _any("offense_category = 'sex'"),
        "has_weapon_current_offense": _any("offense_category = 'weapon'"),
        "is_drug_only_offense": _all("is_drug"),
        "has_federal_drug_trafficking_offense": _any("l_federal_drug_trafficking"),
        "has_fsa_excluded_offense": _any("l_fsa_excluded"),
        "has_crack_cocaine_offense": _any("is_crack"),
        "known_924c": "coalesce(sum(counts) FILTER (WHERE l_usc_924c), 0)",
        "unknown_924c": "count(*) > count(l_usc_924c)",
        "has_851_enhancement": _any("enh_851"),
        "has_3559c_sentence": _any("enh_3559c"),
        "mo_no_parole_charge": _any("l_mo_no_parole"),
        # RSMo 556.061(19): the list decides, the flag only adds (as the sentencing engine reads it)
        "has_mo_dangerous_felony": _any(dangerous_felony_sql("l_mo_dangerous_felony", "dangerous_felony")),
        "has_mo_drug_offense": _any("l_mo_drug"),
        "has_ca_violent_felony": _any("enh_ca_violent"),
        "has_pc12022_enhancement": _any("enh_pc12022"),
        "ca_current_offense_in_tables_abcd": "CASE WHEN bool_or(in_ca_tables) THEN true "
        "WHEN bool_and(system <> 'us-ca') THEN false END",
        "aggravating_role": _any(f"role IN {_AGGRAVATING_ROLES}"),
        "death_or_injury_resulted": _any("death_or_injury_resulted"),
        "weapon_involved": _any("weapon_involved"),
        "earliest_offense_date": "min(offense_date)",
        **california.current_charge_columns(),
    }


def _prior_columns() -> dict[str, str]:
    """Per person, over the prior sentences (`s`) and their charges (`c`)."""
    return {
        "prior_commitments": "count(DISTINCT coalesce(CAST(s.commencement_date AS VARCHAR), "
        "CAST(s.imposed_date AS VARCHAR), 'sentence ' || CAST(s.id AS VARCHAR)))",
        "violent_counts": "coalesce(sum(c.counts) FILTER (WHERE c.is_violent), 0)",
        "unknown_rows": "count(*) FILTER (WHERE c.id IS NULL OR c.is_violent IS NULL)",
        "in_ca_tables_cd": "bool_or(c.l_ca_super_strike OR c.l_ca_registrable_sex)",
        **california.prior_columns(),
    }


def _incident_columns(at: str) -> dict[str, str]:
    """Per person, over the incidents (`i`, with `in_10y` and `in_term`)."""
    return {
        "incidents_total": f"count(*) FILTER (WHERE i.incident_date <= {at})",
        "serious_10y": "count(*) FILTER (WHERE in_10y AND i.severity IN ('greatest', 'high'))",
        "unknown_10y": "count(*) FILTER (WHERE in_10y AND i.severity IS NULL)",
        "serious_term": "count(*) FILTER (WHERE in_term AND i.severity IN ('greatest', 'high'))",
        "unknown_severity_term": "count(*) FILTER (WHERE in_term AND i.severity IS NULL)",
        "violent_term": "count(*) FILTER (WHERE in_term AND i.violent)",
        "unknown_violent_term": "count(*) FILTER (WHERE in_term AND i.violent IS NULL)",
        "incidents_last_12m": f"count(*) FILTER (WHERE i.incident_date > {at} - INTERVAL 12 MONTH "
        f"AND i.incident_date <= {at})",
        "gct_days_lost": "coalesce(sum(i.gct_days_lost) FILTER (WHERE in_term), 0)",
        "unknown_gct_term": "count(*) FILTER (WHERE in_term AND i.gct_days_lost IS NULL)",
    }


def _assessment_columns() -> dict[str, str]:
    """Per person, over the assessments up to the as-of date (`key` orders them)."""
    return {
        "risk_levels": "arg_max(risk_level, key, 2) FILTER (WHERE risk_level IS NOT NULL)",
        "latest_risk_tool": "arg_max_null(tool, key) FILTER (WHERE risk_level IS NOT NULL)",
        "latest_risk_key": "max(key) FILTER (WHERE risk_level IS NOT NULL)",
        **{f"needs_{domain}": f"arg_max(need_{domain}, key)" for domain in NEED_DOMAINS},
    }


def _inputs(at: str) -> dict[str, str]:
    """The columns of the `facts` step, by name: from `person AS p` and the summaries left-joined to it."""
    inputs = {
        "person_id": "p.id",
        "source_id": "p.source_id",
        "source": "p.source",
        "as_of_date": at,
        "system": "ss.system",
        "jurisdiction": "p.jurisdiction",
        "in_custody": "CASE WHEN cu.in_custody THEN true WHEN k.complete_custody_period THEN false END",
        "birth_date": "p.birth_date",
        "age_years": _age("p.birth_date", at),
        "sex": "p.sex",
        "race": "p.race",
        "has_diploma": "coalesce(p.has_diploma, CASE WHEN p.education_level IN ('high_school', 'ged', "
        "'some_college', 'degree') THEN true WHEN p.education_level IN ('none', 'some_high_school') THEN false END)",
        "final_order_of_removal": "p.final_order_of_removal",
        **{name: f"ss.{name}" for name in _sentence_columns() if name != "system"},
        "served_days": f"CASE WHEN ss.commencement_date IS NOT NULL THEN greatest(date_diff('day', "
        f"ss.commencement_date, {at}) + 1, 0) + ss.jail_credit_days END",
        "term_months": "ts.term_months",
        "sentence_term_days": "date_diff('day', ss.commencement_date, ts.term_end_exclusive)",
        "sentence_term_years": f"ts.term_months / 12.0 + ts.term_days / {DAYS_PER_YEAR}.0",
        "min_term_months": "ts.min_term_months",
        **{name: f"cc.{name}" for name in _current_charge_columns()},
        "prior_commitments_known": "ps.prior_commitments",
        "violent_counts": "ps.violent_counts",
        "unknown_rows": "ps.unknown_rows",
        "in_ca_tables_cd": "ps.in_ca_tables_cd",
        **{f"complete_{kind}": f"coalesce(k.complete_{kind}, false)" for kind in RECORD_KINDS},
        # The name the California facts read for `complete_prior_sentence`.
        "source_has_priors": "coalesce(k.complete_prior_sentence, false)",
        **{name: f"inc.{name}" for name in _incident_columns(at)},
        **{name: f"a.{name}" for name in _assessment_columns()},
        "programs_completed_known": "pr.programs_completed",
        "evidence_based": "pr.evidence_based",
        "evidence_unknown": "pr.evidence_unknown",
        **{name: f"cd.{name}" for name in _computed_columns()},
        "all_review_reasons": "rv.all_review_reasons",
        **california.inputs(),
    }
    return inputs


# The summaries left-joined to `person AS p`, by alias.
_JOINS: dict[str, str] = {
    "ss": "sentence_summary AS ss ON ss.person_id = p.id",
    "cd": "computed_summary AS cd ON cd.person_id = p.id",
    "ts": "term_summary AS ts ON ts.person_id = p.id",
    "cc": "current_charge_summary AS cc ON cc.person_id = p.id",
    "ps": "prior_summary AS ps ON ps.person_id = p.id",
    "inc": "incident_summary AS inc ON inc.person_id = p.id",
    "a": "assessment_summary AS a ON a.person_id = p.id",
    "pr": "program_summary AS pr ON pr.person_id = p.id",
    "cu": "custody_summary AS cu ON cu.person_id = p.id",
    "rv": "review_summary AS rv ON rv.person_id = p.id",
    "k": "source_complete AS k ON k.source = p.source",
    **california.JOINS,
}


# The charge columns the charge steps read (`charge_scope`).
_CHARGE_COLUMNS = (
    "id", "sentence_id", "statute", "enhancements", "description", "offense_category", "offense_date", "counts",
    "relationship", "role", "death_or_injury_resulted", "weapon_involved", "dangerous_felony",
)  # fmt: skip


def _unrecorded_count_sql() -> str:
    """The charges, and a row per sentence whose source may not record every count (or that has no charge):
    the count the records may be silent about, every column unknown."""
    types = dict(store_columns(table("charge")))
    values = ", ".join(
        "s.id AS sentence_id" if name == "sentence_id" else f"CAST(NULL AS {types[name]}) AS {name}"
        for name in _CHARGE_COLUMNS
    )
    names = ", ".join(_CHARGE_COLUMNS)
    return f"""(
    SELECT {names} FROM charge
    UNION ALL
    SELECT {values}
    FROM sentence_scope AS s LEFT JOIN (SELECT DISTINCT sentence_id FROM charge) AS h ON h.sentence_id = s.id
    WHERE (s.is_current OR s.is_prior) AND (h.sentence_id IS NULL OR NOT s.complete_charge)
)"""


def _charge_ctes(
    current: dict[str, str], derived: dict[str, str], prior: dict[str, str], shared: dict[str, str]
) -> dict[str, str]:
    """The charge steps, matching only the statute lists the kept current and prior columns read."""
    read = _words(*current.values(), *derived.values(), *prior.values(), *shared.values())
    lists = [offense_list for name, offense_list in offense_lists().items() if f"l_{name}" in read]
    flags = ",\n        ".join(
        f"{list_flag_sql(offense_list, 'c.system')} AS l_{offense_list.name}" for offense_list in lists
    )
    ctes = {
        "charge_rows": _unrecorded_count_sql(),
        "charge_scope": f"""MATERIALIZED (
    SELECT c.id, s.id AS sentence_id, s.person_id, s.system, s.is_current, s.is_prior, s.imposed_date,
        s.complete_enhancement,
        c.statute, c.enhancements, c.description, c.offense_category, c.offense_date,
        coalesce(c.counts, 1) AS counts, c.relationship, c.role, c.death_or_injury_resulted,
        c.weapon_involved, c.dangerous_felony,
        -- Statute texts repeat across millions of charges: the lists are matched once per distinct text.
        {text_key_sql("c", "s.system")} AS text_key
    FROM charge_rows AS c JOIN sentence_scope AS s ON c.sentence_id = s.id
    WHERE s.is_current OR s.is_prior
)""",
    }
    if lists:
        ctes["statute_flags"] = f"({text_flags_sql('charge_scope', lists)}\n)"
        ctes["charge_flags"] = f"""MATERIALIZED (
    SELECT c.*,
        {flags}
    FROM charge_scope AS c JOIN statute_flags AS f USING (text_key)
)"""
    else:
        ctes["charge_flags"] = "(SELECT * FROM charge_scope)"
    shared_sql = "".join(f", {sql} AS {name}" for name, sql in shared.items())
    ctes["charge_facts"] = f"(SELECT *{shared_sql} FROM charge_flags)"
    derived_sql = "".join(f", {sql} AS {name}" for name, sql in derived.items())
    ctes["current_charges"] = f"(SELECT *{derived_sql} FROM charge_facts WHERE is_current)"
    if current:
        ctes["current_charge_summary"] = f"""(
    SELECT person_id,
        {_select_list(current)}
    FROM current_charges GROUP BY person_id
)"""
    if prior:
        ctes["prior_summary"] = f"""(
    SELECT s.person_id,
        {_select_list(prior)}
    FROM sentence_scope AS s LEFT JOIN charge_facts AS c ON c.sentence_id = s.id
    WHERE s.is_prior
    GROUP BY s.person_id
)"""
    return ctes


def facts_query(
    as_of: date,
    *,
    person_ids: Sequence[int] | None = None,
    facts: Sequence[str] | None = None,
    supplied: str | None = None,
    supplied_names: Collection[str] | None = None,
) -> str:
    """One DuckDB SELECT: a row per person with `person_id`, `source_id`, `source` and every fact, in order.

    With `person_ids`, only those people's rows are read.
    With `facts`, only those facts are computed (in catalogue order), from only the records they read.
    With `supplied` (a table name or SELECT with `records.supplied.SUPPLIED_FACT_SQL`'s columns, active rows
    only), a supplied value holding on the as-of date wins over the derived one; `supplied_names`, when
    given, are the only facts the relation holds, which keeps the SQL small.
    """
    at = f"DATE '{as_of.isoformat()}'"
    listed = ", ".join(str(int(i)) for i in person_ids or ()) or "NULL"

    def only(alias: str = "") -> str:
        return "true" if person_ids is None else f"{alias}person_id IN ({listed})"

    overridden = _overridden(facts, supplied_names) if supplied is not None else []
    final = _with_supplied(_final_expressions(at, facts), overridden)
    # What the requested facts read, step by step back to the records: the `facts` step's columns, then
    # the summary columns those name (`alias.column`), then the statute lists (in `_charge_ctes`).
    inputs = _supplied_inputs(_inputs(at), overridden, at)
    read = _words(*final.values())
    inputs = {name: sql for name, sql in inputs.items() if name in read or name in ("person_id", "source_id", "source")}
    summary_columns: dict[str, set[str]] = {}
    for alias, column in _qualified(*inputs.values()):
        summary_columns.setdefault(alias, set()).add(column)
    joins = [sql for alias, sql in {**_JOINS, "sv": _SUPPLIED_JOIN}.items() if alias in summary_columns]
    current = _kept(_current_charge_columns(), summary_columns.get("cc", set()))
    prior = _kept(_prior_columns(), summary_columns.get("ps", set()))
    derived = _used(_current_charge_derived(), current.values())
    shared = _used(_charge_derived(), [*current.values(), *derived.values(), *prior.values()])

    ctes: dict[str, str] = {
        "source_complete": _SOURCE_COMPLETE,
        "sentence_scope": f"""MATERIALIZED (
    SELECT id, person_id, source, system, sentence_type, imposed_date, commencement_date,
        -- A credit the source does not record is none only where the source records every credit.
        CASE WHEN jail_credit_days IS NULL AND k.complete_jail_credit THEN 0 ELSE jail_credit_days END
            AS jail_credit_days,
        coalesce(k.complete_charge, false) AS complete_charge,
        coalesce(k.complete_enhancement, false) AS complete_enhancement,
        consecutive_to_id, source_release_date, source_parole_eligibility_date,
        coalesce(commuted_term_months, term_months) AS term_months,
        CASE WHEN commuted_term_months IS NOT NULL THEN 0 ELSE coalesce(term_days, 0) END AS term_days,
        coalesce(min_term_months, commuted_term_months, term_months) AS min_months,
        coalesce(status, 'active') = 'active' AND (imposed_date IS NULL OR imposed_date <= {at}) AS is_current,
        coalesce(status = 'completed' AND (imposed_date IS NULL OR imposed_date <= {at}), false) AS is_prior
    FROM sentence LEFT JOIN source_complete AS k USING (source)
    WHERE {only()}
)""",
        "current_sentence": "MATERIALIZED (SELECT * FROM sentence_scope WHERE is_current)",
        "latest_computed": f"""(
    SELECT sentence_id, full_term_date, release_date, projected_release_date, parole_eligibility_date,
        conditional_release_date, supervised_release_date, prerelease_custody_date,
        prerelease_custody_date_if_approved, ftc_days, review_reason
    FROM computed_dates WHERE {only()}
    QUALIFY row_number() OVER (PARTITION BY sentence_id ORDER BY computed_at DESC NULLS LAST) = 1
)""",
        # Every column: the term chain and the incidents read its dates, and none of them is costly.
        "sentence_records": f"""MATERIALIZED (
    SELECT cs.person_id,
        {_select_list(_sentence_columns())}
    FROM current_sentence AS cs
    GROUP BY cs.person_id
)""",
        **({"supplied_value": _supplied_value(supplied or "", overridden, at, only())} if overridden else {}),
        "sentence_summary": _sentence_summary(overridden),
        # Apart from `sentence_summary`: joining the computed dates is the costly part, for the date facts only.
        "computed_summary": f"""(
    SELECT cs.person_id,
        {_select_list(_kept(_computed_columns(), summary_columns.get("cd", set())))}
    FROM current_sentence AS cs LEFT JOIN latest_computed AS d ON d.sentence_id = cs.id
    GROUP BY cs.person_id
)""",
        "chain_root": """(
    SELECT s.* FROM current_sentence AS s
    LEFT JOIN current_sentence AS target ON s.consecutive_to_id = target.id
    WHERE target.id IS NULL
)""",
        "chain": """(
    SELECT id AS sentence_id, person_id, commencement_date AS root_start, term_months AS months,
        term_days AS days, min_months, 0 AS depth
    FROM chain_root
    UNION ALL
    SELECT next.id, chain.person_id, chain.root_start, chain.months + next.term_months,
        chain.days + next.term_days, chain.min_months + next.min_months, chain.depth + 1
    FROM chain JOIN current_sentence AS next ON next.consecutive_to_id = chain.sentence_id
    WHERE chain.depth < 100
)""",
        "chain_end": f"""(
    SELECT c.person_id, c.months, c.days, c.min_months,
        CAST({_chain_start(overridden)}
            + to_months(CAST(c.months AS INTEGER)) + to_days(CAST(c.days AS INTEGER)) AS DATE)
            AS end_exclusive
    FROM chain AS c JOIN sentence_summary AS ss USING (person_id)
)""",
        "chain_keyed": f"""(
    -- The controlling chain ends last; without dates, the longest term controls.
    SELECT *, {_day_number("end_exclusive")} * 100000 + months * 31 + days AS chain_key FROM chain_end
)""",
        "term_summary": f"""(
    SELECT person_id,
        CASE WHEN count(*) > count(months) THEN NULL
            ELSE arg_max(months, chain_key) END AS term_months,
        CASE WHEN count(*) > count(months) THEN NULL
            ELSE arg_max(days, chain_key) END AS term_days,
        {_strict_max("end_exclusive")} AS term_end_exclusive,
        CASE WHEN bool_and(min_months IS NOT NULL) THEN max(min_months) END AS min_term_months
    FROM chain_keyed GROUP BY person_id
)""",
        **_charge_ctes(current, derived, prior, shared),
        **california.ctes(at, only),
        "incident_summary": f"""(
    SELECT i.person_id,
        {_select_list(_kept(_incident_columns(at), summary_columns.get("inc", set())))}
    FROM (
        SELECT i.*,
            i.incident_date > {at} - INTERVAL 10 YEAR AND i.incident_date <= {at} AS in_10y,
            coalesce(i.incident_date >= ss.served_from_date AND i.incident_date <= {at}, false) AS in_term
        FROM incident AS i LEFT JOIN sentence_summary AS ss USING (person_id)
        WHERE {only("i.")}
    ) AS i
    GROUP BY i.person_id
)""",
        "assessment_summary": f"""(
    SELECT person_id,
        {_select_list(_kept(_assessment_columns(), summary_columns.get("a", set())))}
    FROM (
        -- One sortable number per assessment: the date, then the id breaking ties.
        SELECT *, date_diff('day', DATE '1800-01-01', assessed_on) * 10000000000 + id AS key
        FROM assessment WHERE assessed_on <= {at} AND {only()}
    )
    GROUP BY person_id
)""",
        "program_summary": f"""(
    SELECT e.person_id, count(*) AS programs_completed,
        count(*) FILTER (WHERE p.evidence_based) AS evidence_based,
        count(*) FILTER (WHERE p.evidence_based IS NULL) AS evidence_unknown
    FROM enrollment AS e LEFT JOIN program AS p ON e.program_id = p.id
    WHERE e.status = 'completed' AND {only("e.")}
        AND (coalesce(e.end_date, e.start_date, e.referred_on) IS NULL
            OR coalesce(e.end_date, e.start_date, e.referred_on) <= {at})
    GROUP BY e.person_id
)""",
        "custody_summary": f"""(
    SELECT person_id, bool_or(start_date <= {at} AND (end_date IS NULL OR end_date > {at})) AS in_custody
    FROM custody_period WHERE {only()} GROUP BY person_id
)""",
        "review_summary": """(
    -- Few sentences go to review, so the sorted list is built only for their people.
    SELECT s.person_id, string_agg(DISTINCT d.review_reason, ';' ORDER BY d.review_reason) AS all_review_reasons
    FROM current_sentence AS s JOIN latest_computed AS d ON d.sentence_id = s.id
    WHERE d.review_reason IS NOT NULL
    GROUP BY s.person_id
)""",
    }
    join_sql = "".join(f"\n    LEFT JOIN {sql}" for sql in joins)
    ctes["facts"] = f"""(
    SELECT {_select_list(inputs)}
    FROM person AS p{join_sql}
)"""
    with_sql = ",\n".join(f"{name} AS {body}" for name, body in ctes.items() if name in _reached(ctes, "facts"))
    return f"""
WITH RECURSIVE
{with_sql}
SELECT {_final_columns(at, facts)}
FROM facts
WHERE {only()}
"""


# ---------------------------------------------------------------------------- supplied facts
# DESIGN.md ("Supplied facts and criterion decisions"): a supplied value wins over the derived one. It
# replaces the fact itself; a supplied commencement date or jail credit also replaces the sentence
# summary's, so the facts computed from them (time served, the term's end) follow it.

_SUPPLIED = "sup__"
_HAS_SUPPLIED = "sup_has__"
_SUPPLIED_JOIN = "supplied_value AS sv ON sv.person_id = p.id"
_SENTENCE_INPUTS = ("commencement_date", "jail_credit_days")
# The facts computed from a supplied sentence input, so evidence can say a value rests on a supplied one.
SUPPLIED_EFFECTS: dict[str, tuple[str, ...]] = {
    "commencement_date": (
        "served_from_date", "served_days", "served_years", "sentence_term_days", "fraction_served",
        "serious_incidents_this_term", "violent_incidents_this_term", "gct_days_lost",
    ),
    "jail_credit_days": ("served_from_date", "served_days", "served_years", "fraction_served"),
    "birth_date": ("age_years", "age_at_offense_years"),
}  # fmt: skip


def _overridden(facts: Sequence[str] | None, supplied_names: Collection[str] | None) -> list[str]:
    """The facts a supplied value may replace: those requested (and those others are computed from) that it holds."""
    requested = {item.name for item in FACTS} if facts is None else {*facts, *SUPPLIED_EFFECTS}
    held = requested if supplied_names is None else requested & set(supplied_names)
    return [item.name for item in FACTS if item.name in held]


def _with_supplied(columns: dict[str, str], overridden: Sequence[str]) -> dict[str, str]:
    """The columns, each fact among `overridden` taking its supplied value where one holds."""
    return {
        name: f"CASE WHEN coalesce({_HAS_SUPPLIED}{name}, false) THEN {_SUPPLIED}{name} ELSE {sql} END"
        if name in overridden
        else sql
        for name, sql in columns.items()
    }


def _supplied_inputs(inputs: dict[str, str], overridden: Sequence[str], at: str) -> dict[str, str]:
    """The `facts` step's columns with supplied values in place, and each supplied value and flag beside them."""
    columns = _with_supplied(inputs, overridden)
    if "birth_date" in overridden and "age_years" not in overridden:
        # Age is computed in the same step as the birth date it reads, so it reads the supplied one itself.
        has, supplied_age = f"coalesce(sv.{_HAS_SUPPLIED}birth_date, false)", _age(f"sv.{_SUPPLIED}birth_date", at)
        columns["age_years"] = f"CASE WHEN {has} THEN {supplied_age} ELSE {columns['age_years']} END"
    columns |= {f"{_SUPPLIED}{name}": f"sv.{_SUPPLIED}{name}" for name in overridden}
    columns |= {f"{_HAS_SUPPLIED}{name}": f"sv.{_HAS_SUPPLIED}{name}" for name in overridden}
    return columns


def _supplied_value(relation: str, overridden: Sequence[str], at: str, only: str) -> str:
    """Per person, each supplied fact that holds on the as-of date (`sup__F`) and whether there is one."""
    types = {item.name: item.type for item in FACTS}
    columns: dict[str, str] = {}
    for name in overridden:
        columns[f"{_HAS_SUPPLIED}{name}"] = f"bool_or(fact = '{name}')"
        columns[f"{_SUPPLIED}{name}"] = f"max(value_{types[name]}) FILTER (WHERE fact = '{name}')"
    source = f"({relation})" if relation.strip().split(None, 1)[0].upper() in ("SELECT", "WITH", "FROM") else relation
    return f"""(
    SELECT person_id,
        {_select_list(columns)}
    FROM {source} AS sf
    WHERE (holds_from IS NULL OR holds_from <= {at}) AND {only}
    GROUP BY person_id
)"""


def _sentence_summary(overridden: Sequence[str]) -> str:
    """The sentence summary, with a supplied commencement date or jail credit in place of the records'."""
    names = list(_sentence_columns())
    if not any(name in overridden for name in _SENTENCE_INPUTS):
        return "(SELECT * FROM sentence_records)"
    replaced = {name: f"r.{name}" for name in names}
    for name in _SENTENCE_INPUTS:
        if name in overridden:
            replaced[name] = (
                f"CASE WHEN coalesce(sv.{_HAS_SUPPLIED}{name}, false) THEN sv.{_SUPPLIED}{name} ELSE r.{name} END"
            )
    start, credit = replaced["commencement_date"], replaced["jail_credit_days"]
    replaced["served_from_date"] = f"CAST({start} - CAST({credit} AS INTEGER) AS DATE)"
    supplied_start = (
        f"coalesce(sv.{_HAS_SUPPLIED}commencement_date, false)" if "commencement_date" in overridden else "false"
    )
    return f"""(
    SELECT r.person_id,
        {_select_list(replaced)},
        r.commencement_date AS records_commencement_date,
        {supplied_start} AS commencement_supplied
    FROM sentence_records AS r LEFT JOIN supplied_value AS sv ON sv.person_id = r.person_id
)"""


def _chain_start(overridden: Sequence[str]) -> str:
    """A chain's first day: a supplied commencement date replaces the controlling chain's (or a missing) start."""
    if "commencement_date" not in overridden:
        return "coalesce(c.root_start, ss.commencement_date)"
    return (
        "CASE WHEN ss.commencement_supplied AND (c.root_start IS NULL OR c.root_start = ss.records_commencement_date) "
        "THEN ss.commencement_date ELSE coalesce(c.root_start, ss.commencement_date) END"
    )


# Per source, whether it declares itself complete for each kind of record (no declaration: not complete).
_SOURCE_COMPLETE = (
    "(SELECT source, "
    + ", ".join(
        f"coalesce(bool_or(record_kind = '{kind}' AND complete), false) AS complete_{kind}" for kind in RECORD_KINDS
    )
    + " FROM source_completeness GROUP BY source)"
)


def _used(columns: dict[str, str], sql: Iterable[str]) -> dict[str, str]:
    """The columns whose names the SQL mentions."""
    mentioned = _words(*sql)
    return {name: expression for name, expression in columns.items() if name in mentioned}


def _reached(ctes: dict[str, str], start: str) -> set[str]:
    """The steps `start` reads, directly or through other steps (itself included)."""
    reached = {start}
    waiting = [start]
    while waiting:
        for name in _words(ctes[waiting.pop()]) & ctes.keys():
            if name not in reached:
                reached.add(name)
                waiting.append(name)
    return reached


def _final_columns(at: str, names: Sequence[str] | None = None) -> str:
    """The SELECT list of the last step: identity columns, then each fact (or each of `names`) in catalogue order."""
    return ",\n    ".join(f"{sql} AS {name}" for name, sql in _final_expressions(at, names).items())


def _final_expressions(at: str, names: Sequence[str] | None = None) -> dict[str, str]:
    """Each column of the last step by name (identity columns, then the facts in catalogue order), as SQL."""
    if names is not None:
        unknown = sorted(set(names) - {item.name for item in FACTS})
        if unknown:
            raise ValueError(f"not facts of the catalogue: {', '.join(unknown)}")
    incidents = "complete_incident"
    expressions: dict[str, str] = {
        "served_years": f"served_days / {DAYS_PER_YEAR}.0",
        "fraction_served": "CASE WHEN sentence_term_days > 0 THEN served_days / sentence_term_days END",
        "count_924c": "CASE WHEN unknown_924c THEN NULL ELSE known_924c END",
        "has_924c_stacking": "CASE WHEN known_924c >= 2 THEN true WHEN unknown_924c THEN NULL "
        "WHEN known_924c IS NOT NULL THEN false END",
        "has_mo_no_parole_offense": "(mo_no_parole_charge OR is_life_without_parole)",
        "age_at_offense_years": _age("birth_date", "earliest_offense_date"),
        "prior_commitments": "CASE WHEN complete_prior_sentence THEN coalesce(prior_commitments_known, 0) END",
        "prior_violent_offenses": "CASE WHEN complete_prior_sentence AND coalesce(unknown_rows, 0) = 0 "
        "THEN coalesce(violent_counts, 0) END",
        "has_violent_prior_offense": "CASE WHEN violent_counts > 0 THEN true "
        "WHEN complete_prior_sentence AND coalesce(unknown_rows, 0) = 0 THEN false END",
        "ca_prior_offense_in_tables_cd": "CASE WHEN in_ca_tables_cd THEN true "
        "WHEN complete_prior_sentence AND system IS NOT NULL AND system <> 'us-ca' THEN false END",
        "incidents_total": f"CASE WHEN {incidents} THEN coalesce(incidents_total, 0) END",
        "serious_incidents_last_10y": f"CASE WHEN {incidents} AND coalesce(unknown_10y, 0) = 0 "
        "THEN coalesce(serious_10y, 0) END",
        "serious_incidents_this_term": f"CASE WHEN {incidents} AND served_from_date IS NOT NULL "
        "AND coalesce(unknown_severity_term, 0) = 0 THEN coalesce(serious_term, 0) END",
        "violent_incidents_this_term": f"CASE WHEN {incidents} AND served_from_date IS NOT NULL "
        "AND coalesce(unknown_violent_term, 0) = 0 THEN coalesce(violent_term, 0) END",
        "incidents_last_12m": f"CASE WHEN {incidents} THEN coalesce(incidents_last_12m, 0) END",
        "gct_days_lost": f"CASE WHEN {incidents} AND served_from_date IS NOT NULL "
        "AND coalesce(unknown_gct_term, 0) = 0 THEN coalesce(gct_days_lost, 0) END",
        "latest_risk_level": "risk_levels[1]",
        "latest_risk_assessed_on": "DATE '1800-01-01' + CAST(latest_risk_key // 10000000000 AS INTEGER)",
        "risk_level_previous": "risk_levels[2]",
        "programs_completed": "CASE WHEN complete_enrollment THEN coalesce(programs_completed_known, 0) END",
        "evidence_based_programs_completed": "CASE WHEN complete_enrollment AND coalesce(evidence_unknown, 0) = 0 "
        "THEN coalesce(evidence_based, 0) END",
        "days_to_release": f"date_diff('day', {at}, projected_release_date)",
        "dates_review_reason": "all_review_reasons",
        "warden_request_date": "CAST(NULL AS DATE)",
        "medical_circumstance": "CAST(NULL AS BOOLEAN)",
        "family_circumstance": "CAST(NULL AS BOOLEAN)",
        "abuse_in_custody_finding": "CAST(NULL AS BOOLEAN)",
        **california.final_expressions(),
    }
    columns = {"person_id": "person_id", "source_id": "source_id", "source": "source"}
    for item in FACTS:
        if names is None or item.name in names:
            expression = expressions.get(item.name, item.name)
            columns[item.name] = f"CAST({expression} AS {DUCKDB_TYPES[item.type]})"
    return columns


def ensure_fact_inputs(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the tables the facts read when missing: in the store, or as empty temporary tables if read-only."""
    existing = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    statements = [create_table_sql(spec) for spec in TABLES if spec.name not in existing]
    if "computed_dates" not in existing:
        statements.append(CREATE_COMPUTED_DATES_SQL)
    if "source_completeness" not in existing:
        statements.append(SOURCE_COMPLETENESS_SQL.strip())
    for statement in statements:
        try:
            connection.execute(statement)
        except duckdb.Error:
            # A read-only store: an empty temporary table stands in, so its facts are NULL.
            connection.execute(statement.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
    add_missing_columns(connection)  # a store computed by an earlier version


def materialize_facts(connection: duckdb.DuckDBPyConnection, as_of: date, table: str = "facts") -> None:
    """Compute the facts as of a date into a table (replacing it)."""
    ensure_fact_inputs(connection)
    connection.execute(f"CREATE OR REPLACE TABLE {table} AS {facts_query(as_of)}")


def person_facts(
    connection: duckdb.DuckDBPyConnection, source_id: str, as_of: date, *, supplied: bool = True
) -> dict[str, object] | None:
    """The facts of the person with this source id (the first source, by name, when several have it), or None.

    With `supplied`, the store's supplied values (`records.supplied`) win over the derived ones.
    """
    ensure_fact_inputs(connection)
    if supplied:
        ensure_supplied_tables(connection)
    found = connection.execute(
        "SELECT id FROM person WHERE source_id = ? ORDER BY source, id LIMIT 1", [source_id]
    ).fetchone()
    if found is None:
        return None
    layer = ACTIVE_FACTS_SQL if supplied else None
    cursor = connection.execute(facts_query(as_of, person_ids=[int(found[0])], supplied=layer))
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    return dict(zip(names, row, strict=True))
