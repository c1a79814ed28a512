"""The offences that bar earning First Step Act time credits, 18 U.S.C. § 3632(d)(4)(D), read once.

`fsa_exclusions.yaml` holds the statute's clauses with their citations. `exclusion_entries` turns them
into the statute-list entries that `offense_lists` matches charges with, so the sentencing engine and
the facts read one list, matched one way:
- a charge naming a listed provision, or one below it (`§ 924(c)(1)(A)` under `§ 924(c)`), matches;
- a charge naming only a provision above a listed one (`§ 113(a)` when `§ 113(a)(1)` is listed) is
  unknown, unless the clause's condition is known not to hold;
- a chapter is its sections, less those the clause excepts;
- a clause's condition is read from the charge (`reading`), or makes the match unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

__all__ = [
    "CHAPTER_SECTIONS",
    "ExcludedOffense",
    "ROMAN_CLAUSES",
    "exclusion_entries",
    "excluded_offenses",
    "provisions",
]

ROMAN_CLAUSES = 68  # the statute lists clauses (i) through (lxviii)

# Sections of the chapters § 3632(d)(4)(D) names whole, less the sections each clause excepts
# (uscode.house.gov chapter tables of title 18).
CHAPTER_SECTIONS: dict[str, tuple[str, ...]] = {
    "10": ("175", "175a", "175b", "175c", "176", "177", "178"),  # (x) biological weapons
    "11B": ("229", "229a", "229b", "229c", "229d", "229e", "229f"),  # (xi) chemical weapons
    "39": ("831", "832", "833", "834", "835"),  # (xvii) explosives, except § 836
    # (xxv) homicide, except §§ 1112, 1115, 1122; § 1113 only as to attempted murder (`partly_excepted`)
    "51": ("1111", "1114", "1116", "1117", "1118", "1119", "1120", "1121"),
    "55": ("1201", "1202", "1203", "1204"),  # (xxvi) kidnapping
    "77": ("1581", "1582", "1583", "1584", "1585", "1586", "1587", "1588", "1589", "1590", "1591", "1592", "1597"),
    "105": ("2151", "2153", "2154", "2155", "2156", "2157"),  # (xxxvi) sabotage, except § 2152
    "109A": ("2241", "2242", "2243", "2244", "2245", "2246", "2247", "2248"),  # (xxxvii) sexual abuse
    "113B": tuple(f"233{n}{s}" for n in range(1, 10) for s in ("", "a", "b", "c", "d")),  # (xlvii) terrorism
}


@dataclass(frozen=True)
class ExcludedOffense:
    """One clause of § 3632(d)(4)(D): the provision, what it relates to, and how its condition is read."""

    clause: str
    cite: str
    relating_to: str
    condition: str | None = None
    reading: str | None = None  # None, death_or_injury_resulted, aggravating_role or unknown
    description: str | None = None
    match: str | None = None
    section_level: bool = False


def _clause(row: dict[str, Any]) -> ExcludedOffense:
    return ExcludedOffense(
        str(row["clause"]),
        row["cite"],
        row["relating_to"],
        row.get("condition"),
        row.get("reading"),
        row.get("description"),
        row.get("match"),
        bool(row.get("section_level", False)),
    )


@cache
def _data() -> dict[str, Any]:
    text = files("secondchance.law").joinpath("fsa_exclusions.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def excluded_offenses() -> tuple[ExcludedOffense, ...]:
    """Every clause of § 3632(d)(4)(D), in the statute's order."""
    return tuple(_clause(row) for row in _data()["clauses"])


def _partly_excepted() -> tuple[ExcludedOffense, ...]:
    return tuple(_clause(row) for row in _data().get("partly_excepted", []))


# ---------------------------------------------------------------------------- reading a citation


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
_CITE = re.compile(r"\s*(\d+)\s+U\.S\.C\.\s+(§§?|ch\.)\s*(.+)$")


def provisions(cite: str) -> list[tuple[str, str, list[str]]]:
    """(title, section, path) of each provision a U.S. Code citation names.

    `18 U.S.C. § 113(a)(1), (7), (8)` gives three; `ch. 51` its sections; `§ 4611 et seq.` the sections
    from 4611 to the end of its hundred; `;` separates citations.
    """
    found: list[tuple[str, str, list[str]]] = []
    for part in cite.split(";"):
        match = _CITE.match(part)
        if match is None:
            raise ValueError(f"cannot read the citation {part!r}")
        title, kind, rest = match.groups()
        if kind == "ch.":
            found += [(title, section, []) for section in CHAPTER_SECTIONS[rest.strip()]]
        else:
            found += _sections(title, rest)
    return found


def _sections(title: str, rest: str) -> list[tuple[str, str, list[str]]]:
    found: list[tuple[str, str, list[str]]] = []
    section = ""
    path: list[str] = []
    for item in (piece.strip() for piece in rest.split(",")):
        head = re.match(r"^(\d+[A-Za-z]?)(?:\s+et seq\.)?", item)
        tokens = _TOKENS.findall(item)
        if head:
            section, path = head.group(1), tokens
            if "et seq." in item:  # the Act's sections from this one on, within its hundred
                first = int(section)
                found += [(title, str(n), []) for n in range(first, first - first % 100 + 100)]
                continue
        else:  # `(7)` after `113(a)(1)`: a sibling at the level of its first token
            kinds = _path_kinds(path)
            wanted = _level_kind(tokens[0], any(t.isupper() for t in path))
            cut = max((i for i, kind in enumerate(kinds) if kind == wanted), default=len(path))
            path = path[:cut] + tokens
        found.append((title, section, list(path)))
    return found


def _provision_text(section: str, path: list[str]) -> str:
    """A provision as `offense_lists` normalises statutes: `113(a)(1)`, lower case."""
    return section.lower() + "".join(f"({token.lower()})" for token in path)


# ---------------------------------------------------------------------------- as list entries


@dataclass(frozen=True)
class ExclusionEntry:
    """One provision of a clause as a list entry: what it matches, and whether it names it whole."""

    clause: str
    prefix: str  # the title as normalised: 18usc
    provision: str  # 113(a)(1)
    partial: bool  # the charge names only this provision, above the listed one
    reading: str | None
    description: str | None


def exclusion_entries() -> tuple[ExclusionEntry, ...]:
    """The § 3632(d)(4)(D) list as entries: each provision whole, and each level above it as partial."""
    entries: list[ExclusionEntry] = []
    for offense in (*excluded_offenses(), *_partly_excepted()):
        for title, section, path in provisions(offense.match or offense.cite):
            path = [] if offense.section_level else path
            prefix = f"{title}usc"
            entries.append(
                ExclusionEntry(
                    offense.clause,
                    prefix,
                    _provision_text(section, path),
                    False,
                    offense.reading,
                    offense.description,
                )
            )
            entries += [
                ExclusionEntry(
                    offense.clause,
                    prefix,
                    _provision_text(section, path[:level]),
                    True,
                    offense.reading,
                    offense.description,
                )
                for level in range(len(path))
            ]
    return tuple(entries)
