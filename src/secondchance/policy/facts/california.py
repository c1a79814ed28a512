"""The SQL of the California facts (the "California" groups of the catalogue), joined into the facts query.

Three parts, each set-based:
- the screen's offence lists (`law.source_lists`): every code each list holds is built once from the
  offence tables in the store, each distinct statute is cleaned once, and charges are joined to the codes;
- the controlling commitment the source names (`sentence.controlling`): its case, offence, the source's
  own release or parole-eligibility date and the years served the source computed;
- prison priors (Cal. Penal Code § 1172.75): statute-list flags over current and prior charges.
`policy.facts.query` merges these steps, inputs and expressions into its one SELECT.
"""

from __future__ import annotations

from collections.abc import Callable

from secondchance.law.source_lists import (
    SourceList,
    list_codes_sql,
    lists_loaded_sql,
    screen_cleaned_sql,
    source_lists,
)

__all__ = [
    "JOINS",
    "ctes",
    "current_charge_columns",
    "current_charge_derived",
    "final_expressions",
    "inputs",
    "prior_columns",
]

# The summaries below, left-joined to `person AS p` in the facts step, by alias.
JOINS: dict[str, str] = {
    "ca_sc": "ca_screen_charges AS ca_sc ON ca_sc.person_id = p.id",
    "ca_ctl": "ca_controlling AS ca_ctl ON ca_ctl.person_id = p.id",
    "ca_cth": "ca_controlling_hits AS ca_cth ON ca_cth.person_id = p.id",
    "ca_ll": "ca_lists_loaded AS ca_ll ON true",
}


def _lists(scope: str) -> list[SourceList]:
    return [item for item in source_lists().values() if scope in item.facts]


def _any(flag: str) -> str:
    """Three-valued 'some row is true': true if one is, NULL if one is unknown, else false (one aggregate)."""
    truth = f"CASE WHEN {flag} THEN 2 WHEN ({flag}) IS NULL THEN 1 ELSE 0 END"
    return f"(CASE max({truth}) WHEN 2 THEN true WHEN 0 THEN false END)"


def _list_flags(rows: str, prefix: str, scope: str, column: str = "*") -> list[str]:
    """One flag per list of `scope`: some row of `rows` (a condition) is in that list."""
    return [
        f"count({column}) FILTER (WHERE {rows} list_name = '{item.name}') > 0 AS {prefix}_{item.name}"
        for item in _lists(scope)
    ]


def current_charge_columns() -> dict[str, str]:
    """Per person, over the current charges (with their statute-list flags)."""
    flag = "ca_prison_prior"
    return {
        "ca_has_prison_prior_enhancement": _any(flag),
        "ca_prison_prior_imposed_date": f"CASE WHEN bool_and(imposed_date IS NOT NULL) FILTER (WHERE {flag}) "
        f"THEN max(imposed_date) FILTER (WHERE {flag}) END",
        "ca_prison_prior_offense_date": "max(offense_date) FILTER (WHERE ca_case_has_prison_prior)",
    }


def current_charge_derived() -> dict[str, str]:
    """Per current charge: its § 667.5(b) match, and whether its sentence carries one (enhancement rows have no date).

    A statute under § 667.5(b) decides; otherwise an empty `enhancements` is none only where the source is
    complete for enhancements, and the count a source may not record is unknown.
    """
    listed = "l_ca_prison_prior"
    flag = (
        f"CASE WHEN {listed} THEN true WHEN system <> 'us-ca' THEN false "
        f"WHEN id IS NOT NULL AND complete_enhancement THEN {listed} END"
    )
    return {
        "ca_prison_prior": flag,
        "ca_case_has_prison_prior": f"bool_or({listed}) OVER (PARTITION BY sentence_id)",
    }


def prior_columns() -> dict[str, str]:
    """Per person, over the prior sentences (`s`) and their charges (`c`)."""
    return {"ca_sv_prior": _any("c.l_ca_sexually_violent")}


def _screen_charges() -> str:
    """Per person: which lists a current or prior charge is in, and whether any charge lacks a statute."""
    flags = _list_flags("is_current AND", "cur", "current") + _list_flags("is_prior AND", "pri", "prior")
    mentions = "strpos(lower(coalesce(c.statute, '') || ';' || coalesce(c.enhancements, '')), '12022') > 0"
    # An empty `enhancements` is none only where the source records every enhancement.
    open_12022 = "c.statute IS NULL OR NOT coalesce(c.complete_enhancement, false)"
    return f"""(
    SELECT person_id,
        {", ".join(flags)},
        count(*) FILTER (WHERE is_current) > 0 AS current_rows,
        count(*) FILTER (WHERE is_current AND no_statute) > 0 AS current_no_statute,
        count(*) FILTER (WHERE is_prior AND no_statute) > 0 AS prior_no_statute,
        count(*) FILTER (WHERE is_current AND mentions_12022) > 0 AS mentions_12022,
        count(*) FILTER (WHERE is_current AND open_12022) > 0 AS open_12022
    FROM (
        SELECT c.person_id, c.is_current, c.is_prior, c.statute IS NULL AS no_statute, m.list_name,
            {mentions} AS mentions_12022, {open_12022} AS open_12022
        FROM charge_scope AS c
        LEFT JOIN ca_statute_codes AS k ON k.statute = c.statute
        LEFT JOIN ca_list_codes AS m ON m.code = k.code AND m.system = c.system
    )
    GROUP BY person_id
)"""


def _controlling(at: str, where: str) -> str:
    """The controlling current sentence of each person, when the source names exactly one."""

    def one(value: str) -> str:
        return f"CASE WHEN count(*) = 1 THEN max({value}) END"

    return f"""(
    SELECT person_id,
        {one("system")} AS system,
        {one("concat_ws(', ', court, case_number)")} AS case_label,
        {one("controlling_offense")} AS offense,
        {one(screen_cleaned_sql("controlling_offense"))} AS code,
        {one("source_release_date")} AS release_date,
        {one("source_parole_eligibility_date")} AS parole_eligibility_date,
        {one("source_time_served_years")} AS years_served,
        {one("source_time_served_on")} AS years_served_on
    FROM sentence
    WHERE controlling AND coalesce(status, 'active') = 'active' AND (imposed_date IS NULL OR imposed_date <= {at})
        AND {where}
    GROUP BY person_id
)"""


def _controlling_hits() -> str:
    """Per person with a controlling offence: which lists it is in."""
    flags = _list_flags("", "ctl", "controlling", column="m.list_name")
    return f"""(
    SELECT t.person_id, {", ".join(flags)}
    FROM ca_controlling AS t LEFT JOIN ca_list_codes AS m ON m.code = t.code AND m.system = t.system
    GROUP BY t.person_id
)"""


def _lists_loaded() -> str:
    columns = ", ".join(
        f"coalesce(bool_or(loaded) FILTER (WHERE list_name = '{item.name}'), false) AS loaded_{item.name}"
        for item in source_lists().values()
    )
    return f"(SELECT {columns} FROM ({lists_loaded_sql(list(source_lists().values()))}))"


def ctes(at: str, only: Callable[[str], str]) -> dict[str, str]:
    """The steps the California facts read, by name (the facts query keeps those its facts reach)."""
    return {
        "ca_list_codes": f"MATERIALIZED ({list_codes_sql(list(source_lists().values()))})",
        "ca_lists_loaded": _lists_loaded(),
        "ca_statute_codes": f"""(
    SELECT statute, {screen_cleaned_sql("statute")} AS code
    FROM (SELECT DISTINCT statute FROM charge_scope WHERE statute IS NOT NULL)
)""",
        "ca_screen_charges": _screen_charges(),
        "ca_controlling": _controlling(at, only("")),
        "ca_controlling_hits": _controlling_hits(),
    }


def inputs() -> dict[str, str]:
    """The columns of the facts step the California facts read, by name."""
    columns = {
        "ca_controlling_case": "ca_ctl.case_label",
        "ca_controlling_offense": "ca_ctl.offense",
        "ca_controlling_release_date": "ca_ctl.release_date",
        "ca_controlling_parole_eligibility_date": "ca_ctl.parole_eligibility_date",
        "ca_source_years_served": "ca_ctl.years_served",
        "ca_source_years_served_on": "ca_ctl.years_served_on",
        "ca_current_rows": "ca_sc.current_rows",
        "ca_current_no_statute": "ca_sc.current_no_statute",
        "ca_prior_no_statute": "ca_sc.prior_no_statute",
        "ca_mentions_12022": "ca_sc.mentions_12022",
        "ca_open_12022": "ca_sc.open_12022",
        "ca_sv_prior": "ps.ca_sv_prior",
    }
    for item in source_lists().values():
        columns[f"ca_loaded_{item.name}"] = f"ca_ll.loaded_{item.name}"
        if "current" in item.facts:
            columns[f"ca_cur_{item.name}"] = f"ca_sc.cur_{item.name}"
        if "prior" in item.facts:
            columns[f"ca_pri_{item.name}"] = f"ca_sc.pri_{item.name}"
        if "controlling" in item.facts:
            columns[f"ca_ctl_{item.name}"] = f"ca_cth.ctl_{item.name}"
    return columns


def _list_fact(item: SourceList, scope: str) -> str:
    """A list fact: NULL until the list's tables are loaded; true when listed; false only when nothing is unknown."""
    unloaded = f"WHEN ca_loaded_{item.name} IS NOT TRUE THEN NULL"
    if scope == "current":
        return (
            f"CASE {unloaded} WHEN ca_cur_{item.name} THEN true "
            "WHEN ca_current_rows AND NOT ca_current_no_statute THEN false END"
        )
    if scope == "prior":
        return (
            f"CASE {unloaded} WHEN ca_pri_{item.name} THEN true "
            "WHEN source_has_priors AND NOT coalesce(ca_prior_no_statute, false) THEN false END"
        )
    return f"CASE {unloaded} WHEN ca_controlling_offense IS NULL THEN NULL ELSE coalesce(ca_ctl_{item.name}, false) END"


def final_expressions() -> dict[str, str]:
    """The SQL of each California fact in the last step, where it is not a facts-step column of the same name."""
    expressions = {
        "ca_current_mentions_12022": "CASE WHEN ca_mentions_12022 THEN true "
        "WHEN ca_current_rows AND NOT ca_open_12022 THEN false END",
        # No prior sentence recorded: none under the source rule, though the prison term an enhancement
        # counts may have been served elsewhere (the pack says so).
        "ca_sexually_violent_prior": "CASE WHEN prior_commitments_known IS NOT NULL THEN ca_sv_prior "
        "WHEN source_has_priors THEN false END",
    }
    for item in source_lists().values():
        for scope, name in item.facts.items():
            expressions[name] = _list_fact(item, scope)
    return expressions
