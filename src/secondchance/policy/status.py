"""The status rules, as one set-based SQL query per pack (DESIGN.md, "Policy packs").

Three-valued semantics: a test that is TRUE is met, FALSE unmet, NULL unknown; a `judgement`
criterion is unknown until a person's decision settles it (`decisions`), as a decision settles a
proxy. Groups combine with SQL's own three-valued logic: `all_of` is AND, `any_of` is OR, and
`at_least: N` is met when N are met and unmet when fewer than N can be.

A person's status, from the top-level criteria:
- `eligible`: every criterion met;
- `needs-information`: none unmet, some unknown;
- `almost-eligible`: every unmet criterion is time-based (has an `eligible_on`) and that date falls
  on or before the as-of date plus the pack's `almost_within` (unknown criteria may remain);
- `ineligible`: anything else with an unmet criterion;
- `not-in-population`: the `population` test is not TRUE (such people are not written to results).
The person's `eligible_on` is the latest `eligible_on` of the unmet criteria, or NULL if any unmet
criterion has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlglot import exp

from secondchance.policy import limits
from secondchance.policy.compiler import CompiledCriterion, CompiledPack, Dialect, render
from secondchance.policy.pack import Group, ParameterValue

__all__ = [
    "ALMOST_ELIGIBLE",
    "CRITERION_STATUSES",
    "DECIDABLE_KINDS",
    "ELIGIBLE",
    "INELIGIBLE",
    "NEEDS_INFORMATION",
    "NOT_IN_POPULATION",
    "STATUSES",
    "evaluation_sql",
    "is_query",
]

ELIGIBLE = "eligible"
ALMOST_ELIGIBLE = "almost-eligible"
NEEDS_INFORMATION = "needs-information"
INELIGIBLE = "ineligible"
NOT_IN_POPULATION = "not-in-population"
STATUSES = (ELIGIBLE, ALMOST_ELIGIBLE, NEEDS_INFORMATION, INELIGIBLE)
CRITERION_STATUSES = ("met", "unmet", "unknown")


def _unmet(boolean: str) -> str:
    # FALSE -> TRUE; TRUE and NULL -> FALSE, written without IS FALSE so every dialect reads it.
    return f"NOT COALESCE({boolean}, TRUE)"


def _count(conditions: list[str]) -> str:
    return "(" + " + ".join(f"CASE WHEN {condition} THEN 1 ELSE 0 END" for condition in conditions) + ")"


def _extreme(function: str, values: list[str]) -> str:
    # Spark's GREATEST and LEAST need two arguments; both engines skip NULLs.
    return values[0] if len(values) == 1 else f"{function}({', '.join(values)})"


def _date_literal(day: date) -> str:
    return f"CAST('{day.isoformat()}' AS DATE)"


def _in_calendar(day: str) -> str:
    # A date beyond the calendar every engine and Python share is unknown, not an error (policy.limits).
    first, last = _date_literal(limits.CALENDAR_FIRST), _date_literal(limits.CALENDAR_LAST)
    return f"CASE WHEN ({day}) BETWEEN {first} AND {last} THEN ({day}) END"


class _Nodes:
    """The boolean and eligible_on SQL of every criterion, over the leaf columns."""

    def __init__(self) -> None:
        self.boolean: dict[str, str] = {}
        self.eligible_on: dict[str, str] = {}

    def build(self, node: CompiledCriterion) -> None:
        for child in node.children:
            self.build(child)
        if not isinstance(node.node, Group):
            self.boolean[node.alias] = f"{node.alias}_t"
            self.eligible_on[node.alias] = f"{node.alias}_d"
            return
        children = [child.alias for child in node.children]
        booleans = [self.boolean[alias] for alias in children]
        dates = [self.eligible_on[alias] for alias in children]
        combination = node.node.combination
        if combination == "all_of":
            boolean = "(" + " AND ".join(booleans) + ")"
            undated = " OR ".join(f"({_unmet(b)} AND {d} IS NULL)" for b, d in zip(booleans, dates, strict=True))
            latest = _extreme(
                "GREATEST", [f"CASE WHEN {_unmet(b)} THEN {d} END" for b, d in zip(booleans, dates, strict=True)]
            )
            eligible_on = f"CASE WHEN {_unmet(boolean)} AND NOT ({undated}) THEN {latest} END"
        elif combination == "any_of":
            boolean = "(" + " OR ".join(booleans) + ")"
            eligible_on = f"CASE WHEN {_unmet(boolean)} THEN {_extreme('LEAST', dates)} END"
        else:
            needed = node.node.at_least
            assert needed is not None
            met = _count([f"COALESCE({b}, FALSE)" for b in booleans])
            unknown = _count([f"{b} IS NULL" for b in booleans])
            boolean = f"(CASE WHEN {met} >= {needed} THEN TRUE WHEN {met} + {unknown} < {needed} THEN FALSE END)"
            # The date the (N - met)-th of the dated unmet children is met: the smallest of their dates
            # that has at least N - met of them on or before it.
            dated = [(f"({_unmet(b)} AND {d} IS NOT NULL)", d) for b, d in zip(booleans, dates, strict=True)]
            candidates = [
                f"CASE WHEN {condition} AND {_count([f'{other} AND {od} <= {d}' for other, od in dated])} "
                f">= {needed} - {met} THEN {d} END"
                for condition, d in dated
            ]
            eligible_on = f"CASE WHEN {_unmet(boolean)} THEN {_extreme('LEAST', candidates)} END"
        self.boolean[node.alias] = boolean
        self.eligible_on[node.alias] = eligible_on


def _evidence(names: tuple[str, ...], dialect: Dialect) -> str:
    if not names:
        return "CAST(NULL AS VARCHAR)" if dialect == "duckdb" else "CAST(NULL AS STRING)"
    if dialect == "spark":
        # to_json drops NULL fields unless told not to; evidence must show what was unknown.
        pairs = ", ".join(f"'{name}', {name}" for name in names)
        return f"to_json(named_struct({pairs}), map('ignoreNullFields', 'false'))"
    pairs = ", ".join(f"'{name}', {name}" for name in names)
    return f"CAST(json_object({pairs}) AS VARCHAR)"


# A decision settles only a criterion that needs a person's reading (DESIGN.md, "Supplied facts and criterion
# decisions"); a rule is settled by its facts, which can be supplied instead.
DECIDABLE_KINDS = ("judgement", "proxy")
_DECIDED = "decided__"


def _decidable(leaves: list[CompiledCriterion]) -> list[CompiledCriterion]:
    return [leaf for leaf in leaves if leaf.kind in DECIDABLE_KINDS]


def _decisions_pivot(compiled: CompiledPack, leaves: list[CompiledCriterion], decisions: str, dialect: Dialect) -> str:
    """One row per person with a decision of this pack: its decision per decidable criterion (NULL for none)."""
    pack = exp.Literal.string(compiled.pack.id).sql(dialect)
    columns = ", ".join(
        f"max(CASE WHEN criterion_id = {exp.Literal.string(leaf.id).sql(dialect)} THEN decision END) "
        f"AS {_DECIDED}{leaf.alias}"
        for leaf in leaves
    )
    source = f"({decisions}) AS d" if is_query(decisions) else f"{decisions} AS d"
    return f"SELECT person_id, {columns} FROM {source} WHERE pack_id = {pack} GROUP BY person_id"


def is_query(facts: str) -> bool:
    """Whether a facts relation is a query (SELECT, WITH, FROM, VALUES) rather than a table name."""
    return facts.strip().split(None, 1)[0].upper() in ("SELECT", "WITH", "FROM", "VALUES")


def _relation(facts: str) -> str:
    text = facts.strip()
    return f"({text}) AS facts" if is_query(text) else f"{text} AS facts"


def evaluation_sql(
    compiled: CompiledPack,
    facts: str,
    values: Mapping[str, ParameterValue],
    as_of: date,
    dialect: Dialect = "duckdb",
    *,
    population_only: bool = True,
    evidence: bool = True,
    carry_facts: bool = False,
    decisions: str | None = None,
) -> str:
    """One SELECT giving, per person, the status, eligible_on, counts and every criterion's result.

    `facts` is a table or view name, or a SELECT, with `person_id`, `source_id` and the facts.
    Columns per criterion use its alias: `<alias>_status`, `<alias>_eligible_on`, `<alias>_evidence`
    (NULL for every criterion when `evidence` is false, which saves building JSON). With `carry_facts`,
    every fact the pack reads is passed through as `fact__<name>`, so evidence can be built later.
    With `decisions` (a relation with `person_id`, `pack_id`, `criterion_id`, `decision`), a decision
    settles its judgement or proxy criterion for the person: met or unmet, whatever the test says.
    """
    nodes = compiled.all_criteria()
    leaves = [node for node in nodes if not isinstance(node.node, Group)]
    boolean_null = "CAST(NULL AS BOOLEAN)"
    date_null = "CAST(NULL AS DATE)"
    population = f"COALESCE({render(compiled.population, values, dialect)}, FALSE)" if compiled.population else "TRUE"
    leaf_columns = [f"{population} AS in_population"]
    decided = _decidable(leaves) if decisions is not None else []
    for leaf in leaves:
        test = render(leaf.test, values, dialect) if leaf.test is not None else boolean_null
        if leaf in decided:
            test = f"CASE {_DECIDED}{leaf.alias} WHEN 'met' THEN TRUE WHEN 'unmet' THEN FALSE ELSE {test} END"
        eligible_on = _in_calendar(render(leaf.eligible_on, values, dialect)) if leaf.eligible_on else date_null
        leaf_columns += [
            f"{test} AS {leaf.alias}_t",
            f"{eligible_on} AS {leaf.alias}_d",
            f"{_evidence(leaf.evidence_facts() if evidence else (), dialect)} AS {leaf.alias}_evidence",
        ]
    where = f" WHERE {population}" if population_only and compiled.population else ""
    carried = [f"{name} AS fact__{name}" for name in compiled.facts_read()] if carry_facts else []
    leaf_columns += carried
    relation = _relation(facts)
    if decided:
        relation += (
            f" LEFT JOIN ({_decisions_pivot(compiled, decided, decisions or '', dialect)}) AS decided USING (person_id)"
        )
    leaf_sql = f"SELECT person_id, source_id, {', '.join(leaf_columns)} FROM {relation}{where}"

    built = _Nodes()
    for top in compiled.criteria:
        built.build(top)
    node_columns = []
    for node in nodes:
        node_columns += [
            f"{built.boolean[node.alias]} AS {node.alias}_b",
            f"{built.eligible_on[node.alias]} AS {node.alias}_e",
        ]
    evidence_columns = [f"{leaf.alias}_evidence" for leaf in leaves]
    evidence_columns += [f"fact__{name}" for name in compiled.facts_read()] if carry_facts else []
    node_sql = (
        f"SELECT person_id, source_id, in_population, {', '.join(evidence_columns + node_columns)} "
        f"FROM ({leaf_sql}) AS leaves"
    )

    tops = [(f"{node.alias}_b", f"{node.alias}_e") for node in compiled.criteria]
    window = compiled.pack.window()
    window_end = _date_literal(window.after(as_of)) if window is not None else None
    unmet_count = _count([_unmet(b) for b, _ in tops])
    unknown_count = _count([f"{b} IS NULL" for b, _ in tops])
    dated_unmet = _count([f"{_unmet(b)} AND {e} IS NOT NULL" for b, e in tops])
    within = _count([f"{_unmet(b)} AND {e} <= {window_end}" for b, e in tops]) if window_end else "0"
    latest = _extreme("GREATEST", [f"CASE WHEN {_unmet(b)} THEN {e} END" for b, e in tops])
    totals_sql = (
        f"SELECT *, {unmet_count} AS unmet_count, {unknown_count} AS unknown_count, "
        f"{dated_unmet} AS dated_unmet_count, {within} AS within_window_count FROM ({node_sql}) AS nodes"
    )
    status = (
        f"CASE WHEN NOT in_population THEN '{NOT_IN_POPULATION}' "
        f"WHEN unmet_count = 0 AND unknown_count = 0 THEN '{ELIGIBLE}' "
        f"WHEN unmet_count = 0 THEN '{NEEDS_INFORMATION}' "
        f"WHEN within_window_count = unmet_count THEN '{ALMOST_ELIGIBLE}' "
        f"ELSE '{INELIGIBLE}' END"
    )
    person_eligible_on = f"CASE WHEN unmet_count > 0 AND dated_unmet_count = unmet_count THEN {latest} END"
    criterion_columns = []
    for node in nodes:
        b = f"{node.alias}_b"
        criterion_columns += [
            f"CASE WHEN {b} THEN 'met' WHEN NOT {b} THEN 'unmet' ELSE 'unknown' END AS {node.alias}_status",
            f"{node.alias}_e AS {node.alias}_eligible_on",
        ]
        if not isinstance(node.node, Group):
            criterion_columns.append(f"{node.alias}_evidence")
    return (
        f"SELECT person_id, source_id, in_population, {status} AS status, {person_eligible_on} AS eligible_on, "
        f"unmet_count, unknown_count, {', '.join(criterion_columns + evidence_columns[len(leaves) :])} "
        f"FROM ({totals_sql}) AS totals"
    )
