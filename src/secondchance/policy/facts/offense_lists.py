"""Statute lists for the offence facts, loaded from `offense_lists.yaml`, and the SQL that matches them.

Matching is vectorised: each list becomes a few regular expressions over a normalised statute (one per
kind of condition), evaluated once per distinct (system, statute, enhancements, description) and joined
back to the charges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from secondchance.errors import UserError
from secondchance.records.validate import quote_literal

__all__ = [
    "OffenseEntry",
    "OffenseList",
    "LISTS_FILE",
    "offense_lists",
    "normalised_statute_sql",
    "group_columns_sql",
    "list_flag_sql",
    "CONDITIONS",
]

LISTS_FILE = Path(__file__).with_name("offense_lists.yaml")

Condition = Literal["death_or_injury_resulted", "aggravating_role", "unknown"]
CONDITIONS: tuple[str, ...] = ("death_or_injury_resulted", "aggravating_role", "unknown")
MatchOn = Literal["statute", "enhancements", "statute_and_enhancements"]

# After the section: the end, or anything but a letter, a digit or a decimal point followed by a digit.
_END = r"(?:[^0-9a-z.].*|\.(?:[^0-9].*)?)?$"
_END_IN_LIST = r"(?:[^0-9a-z.;][^;]*|\.(?:[^0-9;][^;]*)?)?(?:;|$)"


@dataclass(frozen=True)
class OffenseEntry:
    """One statute pattern of a list, with the condition under which it counts."""

    prefix: str
    section: str
    cite: str
    when: Condition | None = None
    description: str | None = None


@dataclass(frozen=True)
class OffenseList:
    """A named statute list with its citation, system and entries."""

    name: str
    title: str
    citation: str
    system: str
    match: MatchOn
    entries: tuple[OffenseEntry, ...]

    def groups(self) -> dict[tuple[str | None, str | None], tuple[OffenseEntry, ...]]:
        """Entries grouped by (condition, description pattern): each group is one regular expression."""
        grouped: dict[tuple[str | None, str | None], list[OffenseEntry]] = {}
        for entry in self.entries:
            grouped.setdefault((entry.when, entry.description), []).append(entry)
        return {key: tuple(value) for key, value in grouped.items()}


def _parse(path: Path) -> dict[str, OffenseList]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise UserError(f"{path}: expected a mapping with a `lists` mapping")
    result: dict[str, OffenseList] = {}
    for name, spec in data["lists"].items():
        where = f"{path}: list {name!r}"
        for key in ("title", "citation", "system", "match", "entries"):
            if key not in spec:
                raise UserError(f"{where}: field {key!r} is missing")
        if spec["match"] not in ("statute", "enhancements", "statute_and_enhancements"):
            raise UserError(
                f"{where}: match {spec['match']!r} is not statute, enhancements or statute_and_enhancements"
            )
        entries = []
        for number, entry in enumerate(spec["entries"], start=1):
            when = entry.get("when")
            if when is not None and when not in CONDITIONS:
                raise UserError(f"{where}, entry {number}: when {when!r} is not one of {', '.join(CONDITIONS)}")
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
    for number, ((_, description_pattern), entries) in enumerate(offense_list.groups().items()):
        alternation = _alternation(entries)
        parts = []
        if offense_list.match in ("statute", "statute_and_enhancements"):
            parts.append(f"regexp_matches({statute}, {quote_literal('^(?:' + alternation + ')' + _END)})")
        if offense_list.match in ("enhancements", "statute_and_enhancements"):
            pattern = "(?:^|;)(?:" + alternation + ")" + _END_IN_LIST
            # Sources record enhancements only when present, so none recorded counts as none.
            parts.append(f"regexp_matches(coalesce({enhancements}, ''), {quote_literal(pattern)})")
        matched = " OR ".join(parts) if len(parts) > 1 else parts[0]
        matched = f"({matched})"
        if description_pattern is not None:
            matched = f"({matched} AND regexp_matches({description}, {quote_literal(description_pattern)}))"
        columns.append((f"{offense_list.name}__{number}", matched))
    return columns


def list_flag_sql(offense_list: OffenseList, system: str) -> str:
    """SQL for a charge's three-valued match of a list, from its group columns and its own flags."""
    terms = []
    for number, (when, _) in enumerate(offense_list.groups()):
        column = f"{offense_list.name}__{number}"
        match when:
            case None:
                terms.append(column)
            case "death_or_injury_resulted":
                terms.append(f"({column} AND death_or_injury_resulted)")
            case "aggravating_role":
                terms.append(f"({column} AND role IN ('manager_supervisor', 'leader_organizer'))")
            case _:
                # The list covers only some conduct under this section: a match is unknown.
                terms.append(f"(CASE WHEN {column} THEN NULL ELSE {column} END)")
    return f"(CASE WHEN {system} = {quote_literal(offense_list.system)} THEN ({' OR '.join(terms)}) ELSE false END)"
