"""Missouri offences the minimum-term rules treat specially, as data with their citations.

Charges are matched against them through the lists `mo_no_parole` and `mo_own_minimum_term` of
`offense_lists.yaml`, which are generated from these: offences in `NO_PAROLE_OFFENSES` carry no parole;
those in `OWN_MINIMUM_TERM_STATUTES` set their own minimum terms, which RSMo 558.019.1 leaves in
force, so the sentencing engine sends a sentence for one of them to manual review rather than give it
a 558.019 date. `verified` says whether the quoted text was read in a retrieved copy of the statute.

Also here, for both engines: how a charge's `offense_class` text gives a felony class
(`felony_class_sql`), how the statute list and the record's flag decide a dangerous felony
(`dangerous_felony_sql`), and the dates of the Missouri laws the engine tells apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "StatuteRule",
    "NO_PAROLE_OFFENSES",
    "OWN_MINIMUM_TERM_STATUTES",
    "CODE_OF_2017",
    "HB_192_EFFECTIVE",
    "is_no_parole_statute",
    "felony_class",
    "felony_class_sql",
    "dangerous_felony",
    "dangerous_felony_sql",
]

# The criminal code's recodification (2014 SB 491): felony classes A-E and chapter 579 from this day.
CODE_OF_2017 = date(2017, 1, 1)
# 2019 HB 192: RSMo 558.019.2-5 apply only to the offences listed in 558.019.2 (list `mo_minimum_term_offense`).
HB_192_EFFECTIVE = date(2019, 8, 28)

# `offense_class` as written ("B felony", "Class B felony", "b") -> the class letter; anything else is unknown.
_FELONY_CLASS_PATTERN = r"^\s*(?:CLASS\s+)?([A-E])(?:\s+FELONY)?\s*$"


@dataclass(frozen=True)
class StatuteRule:
    """A statute and what it says about parole, with its source."""

    statute: str  # RSMo section, as written in charge records, e.g. "565.020"
    offense: str
    rule: str
    citation: str
    verified: bool


NO_PAROLE_OFFENSES: tuple[StatuteRule, ...] = (
    StatuteRule(
        "565.020",
        "Murder in the first degree",
        "Death, or imprisonment for life without eligibility for probation or parole, or release except by act "
        "of the governor.",
        "RSMo 565.020.2",
        verified=True,
    ),
)

# RSMo 558.019.1: "This statute shall not affect those provisions of section 565.020, section 558.018 or
# section 571.015, which set minimum terms of sentences" (text of the version read; later versions also
# name 566.125).
OWN_MINIMUM_TERM_STATUTES: tuple[StatuteRule, ...] = (
    StatuteRule("565.020", "Murder in the first degree", "Life without parole.", "RSMo 558.019.1", verified=True),
    StatuteRule(
        "558.018",
        "Persistent or predatory sexual offender",
        "Sets its own minimum term before parole.",
        "RSMo 558.019.1",
        verified=True,
    ),
    StatuteRule(
        "571.015",
        "Armed criminal action",
        "Sets its own minimum term before parole (three years on a first offence is the reading used here; "
        "the text of 571.015 was not retrieved).",
        "RSMo 558.019.1",
        verified=False,
    ),
    StatuteRule(
        "566.125",
        "Sexual offender (sentencing)",
        "Named beside 565.020 and 571.015 in 558.019.1 as in force in 2024 (read in the current-law text of "
        "2024 HB 1545 and SB 1088); the text of 566.125 itself was not retrieved.",
        "RSMo 558.019.1",
        verified=False,
    ),
)


def is_no_parole_statute(statute: str) -> bool:
    """Whether a charge statute (e.g. `565.020` or `RSMo 565.020`) is an offence without parole."""
    normalised = statute.upper().removeprefix("RSMO").strip().lstrip("§ ").strip()
    return any(normalised == rule.statute for rule in NO_PAROLE_OFFENSES)


def felony_class(offense_class: str | None) -> str | None:
    """The felony class letter an `offense_class` text names ("B felony" -> "B"), or None when it names none."""
    match = re.match(_FELONY_CLASS_PATTERN, (offense_class or "").upper())
    return match.group(1) if match else None


def felony_class_sql(column: str) -> str:
    """SQL for `felony_class` on a text column: the class letter, or NULL."""
    return f"nullif(regexp_extract(upper({column}), '{_FELONY_CLASS_PATTERN}', 1), '')"


def dangerous_felony(listed: bool | None, flagged: bool | None) -> bool | None:
    """Whether a charge is a dangerous felony (RSMo 556.061(19)): the statute list decides, a record only adds.

    Listed: true whatever the record's flag says. Not listed: the record's flag may still say true (it may
    know of a condition the list cannot see); otherwise false. The list cannot tell (a conditional entry, or
    no statute): the flag if it says true, else unknown. `dangerous_felony_sql` is the same rule in SQL.
    """
    if listed is True or flagged is True:
        return True
    return False if listed is False else None


def dangerous_felony_sql(listed: str, flagged: str) -> str:
    """SQL for `dangerous_felony` over two three-valued boolean expressions."""
    return f"(CASE WHEN {listed} OR {flagged} THEN TRUE WHEN {listed} IS NOT NULL AND NOT {listed} THEN FALSE END)"
