"""The law's statute lists (`offense_lists.yaml`), and the SQL that matches charges against them.

This is the one home of the lists both engines read: the sentencing engine (which charges bar First
Step Act credits, which Missouri offences carry no parole or their own minimum term, which California
offences are violent) and the facts the packs read. A list is written in the YAML, or generated from
the statute's own clauses (`generated_from`: `fsa_exclusions.yaml`, the Missouri rules of
`law/missouri.py`), never twice.

Matching is vectorised: each list becomes a few regular expressions over a normalised statute (one per
kind of condition), evaluated once per distinct charge text (`text_flags_sql`) and joined back to the
charges, where `list_flag_sql` reads the charge's own flags. A charge's match is three-valued: TRUE
listed, FALSE not, NULL when the record cannot say (a condition it does not show, or a statute written
less specifically than the list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from secondchance.errors import UserError
from secondchance.law.fsa_exclusions import exclusion_entries
from secondchance.law.missouri import NO_PAROLE_OFFENSES, OWN_MINIMUM_TERM_STATUTES, StatuteRule, felony_class_sql
from secondchance.records.validate import quote_literal

__all__ = [
    "CONDITIONS",
    "LISTS_FILE",
    "OffenseEntry",
    "OffenseList",
    "group_columns_sql",
    "list_flag_sql",
    "normalised_statute_sql",
    "offense_lists",
    "text_flags_sql",
    "text_key_sql",
]

LISTS_FILE = Path(__file__).with_name("offense_lists.yaml")

CONDITIONS: tuple[str, ...] = ("death_or_injury_resulted", "aggravating_role", "unknown")
# `when: felony class A, B or C`: the charge's `offense_class` names one of these felony classes.
_FELONY_CLASS_CONDITION = re.compile(r"^felony class ([A-E](?:, [A-E])*(?: or [A-E])?)$")
MatchOn = Literal["statute", "enhancements", "statute_and_enhancements"]

# After the section: the end, or anything but a letter, a digit or a decimal point followed by a digit.
_END = r"(?:[^0-9a-z.].*|\.(?:[^0-9].*)?)?$"
_END_IN_LIST = r"(?:[^0-9a-z.;][^;]*|\.(?:[^0-9;][^;]*)?)?(?:;|$)"
# A partial entry matches a charge that names this provision and nothing below it.
_END_EXACT = r"(?:[^0-9a-z.(].*|\.(?:[^0-9].*)?)?$"
_END_EXACT_IN_LIST = r"(?:[^0-9a-z.(;][^;]*|\.(?:[^0-9;][^;]*)?)?(?:;|$)"
_AGGRAVATING_ROLES = "('manager_supervisor', 'leader_organizer')"


@dataclass(frozen=True)
class OffenseEntry:
    """One statute pattern of a list, with the condition under which it counts."""

    prefix: str
    section: str
    cite: str
    when: str | None = None  # one of CONDITIONS, or `felony class A, B or C`
    description: str | None = None
    # The charge names only a provision above a listed one (`§ 113(a)` when `§ 113(a)(1)` is listed):
    # unknown, unless the entry's condition is known not to hold.
    partial: bool = False


@dataclass(frozen=True)
class OffenseList:
    """A named statute list with its citation, system and entries."""

    name: str
    title: str
    citation: str
    system: str
    match: MatchOn
    entries: tuple[OffenseEntry, ...]

    def groups(self) -> dict[tuple[str | None, str | None, bool], tuple[OffenseEntry, ...]]:
        """Entries grouped by (condition, description pattern, partial): each group is one regular expression."""
        grouped: dict[tuple[str | None, str | None, bool], list[OffenseEntry]] = {}
        for entry in self.entries:
            grouped.setdefault((entry.when, entry.description, entry.partial), []).append(entry)
        return {key: tuple(value) for key, value in grouped.items()}


def _written_entries(spec: dict[str, Any], where: str) -> list[OffenseEntry]:
    entries = []
    for number, entry in enumerate(spec["entries"], start=1):
        when = entry.get("when")
        if when is not None and when not in CONDITIONS and not _FELONY_CLASS_CONDITION.match(str(when)):
            known = ", ".join((*CONDITIONS, "felony class A, B or C"))
            raise UserError(f"{where}, entry {number}: when {when!r} is not one of {known}")
        if "section" not in entry or "cite" not in entry:
            raise UserError(f"{where}, entry {number}: `section` and `cite` are required")
        entries.append(
            OffenseEntry(
                prefix=str(entry.get("prefix", spec.get("prefix", ""))),
                section=str(entry["section"]),
                cite=str(entry["cite"]),
                when=when,
                description=entry.get("description"),
            )
        )
    return entries


def _fsa_exclusion_entries() -> list[OffenseEntry]:
    return [
        OffenseEntry(
            prefix=entry.prefix,
            section=re.escape(entry.provision),
            cite=f"18 U.S.C. § 3632(d)(4)(D)({entry.clause})",
            when=entry.reading,
            description=entry.description,
            partial=entry.partial,
        )
        for entry in exclusion_entries()
    ]


def _missouri_entries(rules: tuple[StatuteRule, ...]) -> list[OffenseEntry]:
    return [OffenseEntry("(?:rsmo)?", re.escape(rule.statute), rule.citation) for rule in rules]


# Lists whose entries come from the statute's own clauses, written once elsewhere in this package.
_GENERATED: dict[str, Callable[[], list[OffenseEntry]]] = {
    "fsa_exclusions": _fsa_exclusion_entries,
    "missouri_no_parole": lambda: _missouri_entries(NO_PAROLE_OFFENSES),
    # An offence without parole is decided by that rule first, so it is not also "its own minimum term".
    "missouri_own_minimum_term": lambda: _missouri_entries(
        tuple(rule for rule in OWN_MINIMUM_TERM_STATUTES if rule.statute not in {r.statute for r in NO_PAROLE_OFFENSES})
    ),
}


def _parse(path: Path) -> dict[str, OffenseList]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise UserError(f"{path}: expected a mapping with a `lists` mapping")
    result: dict[str, OffenseList] = {}
    for name, spec in data["lists"].items():
        where = f"{path}: list {name!r}"
        for key in ("title", "citation", "system", "match"):
            if key not in spec:
                raise UserError(f"{where}: field {key!r} is missing")
        if spec["match"] not in ("statute", "enhancements", "statute_and_enhancements"):
            raise UserError(
                f"{where}: match {spec['match']!r} is not statute, enhancements or statute_and_enhancements"
            )
        generated = spec.get("generated_from")
        if generated is not None and generated not in _GENERATED:
            raise UserError(f"{where}: generated_from {generated!r} is not one of {', '.join(_GENERATED)}")
        entries = _GENERATED[generated]() if generated else _written_entries(spec, where)
        result[name] = OffenseList(
            name, str(spec["title"]), str(spec["citation"]), str(spec["system"]), spec["match"], tuple(entries)
        )
    return result


@cache
def offense_lists() -> dict[str, OffenseList]:
    """Every statute list of `offense_lists.yaml`, by name."""
    return _parse(LISTS_FILE)


def normalised_statute_sql(column: str) -> str:
    """SQL normalising a statute text for matching (see the header of offense_lists.yaml)."""
    expression = f"lower({column})"
    steps = (
        (r"§+|\bsections?\b|\bsec\.", " "),
        (r"\bpenal\s+code\b|\bcal\.?\s*pen\.?\s*code\b", "pc"),
        (r"u\.?\s*s\.?\s*c\.?\s*a?\.?(\s|$)", r"usc\1"),
        (r"^\s*(\d+)\s*:\s*", r"\1usc"),
        (r"\s*\b(usc|rsmo|pc|hs|h&s|vc)\s*", r"\1"),
        (r"\s*([()/;])\s*", r"\1"),
        (r"\s+", " "),
    )
    for pattern, replacement in steps:
        expression = f"regexp_replace({expression}, {quote_literal(pattern)}, {quote_literal(replacement)}, 'g')"
    return f"trim({expression})"


def _alternation(entries: tuple[OffenseEntry, ...]) -> str:
    return "|".join(f"(?:{entry.prefix})(?:{entry.section})" for entry in entries)


def group_columns_sql(
    offense_list: OffenseList, statute: str, enhancements: str, description: str
) -> list[tuple[str, str]]:
    """(column name, SQL) of the per-group matches of a list over normalised statute columns."""
    columns = []
    for number, ((_, description_pattern, partial), entries) in enumerate(offense_list.groups().items()):
        alternation = _alternation(entries)
        end, end_in_list = (_END_EXACT, _END_EXACT_IN_LIST) if partial else (_END, _END_IN_LIST)
        parts = []
        if offense_list.match in ("statute", "statute_and_enhancements"):
            parts.append(f"regexp_matches({statute}, {quote_literal('^(?:' + alternation + ')' + end)})")
        if offense_list.match in ("enhancements", "statute_and_enhancements"):
            pattern = "(?:^|;)(?:" + alternation + ")" + end_in_list
            # Sources record enhancements only when present, so none recorded counts as none.
            parts.append(f"regexp_matches(coalesce({enhancements}, ''), {quote_literal(pattern)})")
        matched = " OR ".join(parts) if len(parts) > 1 else parts[0]
        matched = f"({matched})"
        if description_pattern is not None:
            matched = f"({matched} AND regexp_matches({description}, {quote_literal(description_pattern)}))"
        columns.append((f"{offense_list.name}__{number}", matched))
    return columns


def _condition_sql(when: str | None) -> str:
    """Whether an entry's condition holds for a charge, three-valued, from the charge's own columns."""
    match when:
        case None:
            return "TRUE"
        case "death_or_injury_resulted":
            return "death_or_injury_resulted"
        case "aggravating_role":
            return f"role IN {_AGGRAVATING_ROLES}"
        case str() if classes := _FELONY_CLASS_CONDITION.match(when):
            letters = ", ".join(f"'{letter}'" for letter in re.findall(r"[A-E]", classes.group(1)))
            return f"({felony_class_sql('offense_class')} IN ({letters}))"
        case _:
            return "CAST(NULL AS BOOLEAN)"  # the list covers only some conduct, which records do not show


def list_flag_sql(offense_list: OffenseList, system: str) -> str:
    """SQL for a charge's three-valued match of a list, from its group columns and its own flags."""
    terms = []
    for number, (when, _, partial) in enumerate(offense_list.groups()):
        column = f"{offense_list.name}__{number}"
        condition = _condition_sql(when)
        if partial:
            # Names only a provision above a listed one: unknown, unless the condition is known not to hold.
            terms.append(f"(CASE WHEN {column} AND ({condition}) IS NOT FALSE THEN NULL ELSE FALSE END)")
        elif when is None:
            terms.append(column)
        else:
            terms.append(f"({column} AND {condition})")
    return f"(CASE WHEN {system} = {quote_literal(offense_list.system)} THEN ({' OR '.join(terms)}) ELSE false END)"


def text_key_sql(alias: str, system: str) -> str:
    """A hash of what a charge's list matches depend on, so each distinct text is matched once.

    The NULL flags keep a missing text apart from an empty one; a collision among the few distinct
    texts of a store is practically impossible.
    """
    return (
        f"hash({system}, {alias}.statute IS NULL, coalesce({alias}.statute, ''), "
        f"{alias}.enhancements IS NULL, coalesce({alias}.enhancements, ''), "
        f"{alias}.description IS NULL, coalesce({alias}.description, ''))"
    )


def text_flags_sql(charges: str, lists: list[OffenseList]) -> str:
    """One row per distinct `text_key` of `charges` (with `system`, `statute`, `enhancements`, `description`),
    with the group columns of each list; join it back by `text_key` and read `list_flag_sql` there.
    """
    group_columns = []
    for offense_list in lists:
        group_columns += group_columns_sql(offense_list, "norm_statute", "norm_enhancements", "lower_description")
    groups = ",\n        ".join(f"{sql} AS {name}" for name, sql in group_columns)
    return f"""
    SELECT text_key,
        {groups}
    FROM (
        SELECT text_key, system,
            {normalised_statute_sql("statute")} AS norm_statute,
            {normalised_statute_sql("enhancements")} AS norm_enhancements,
            lower(description) AS lower_description
        FROM (
            SELECT text_key, any_value(system) AS system, any_value(statute) AS statute,
                any_value(enhancements) AS enhancements, any_value(description) AS description
            FROM {charges} GROUP BY text_key
        )
    )"""
