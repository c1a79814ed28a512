"""Missouri offences the minimum-term rules treat specially, as data with their citations.

Charges are matched against them through the lists `mo_no_parole` and `mo_own_minimum_term` of
`offense_lists.yaml`, which are generated from these: offences in `NO_PAROLE_OFFENSES` carry no parole;
those in `OWN_MINIMUM_TERM_STATUTES` set their own minimum terms, which RSMo 558.019.1 leaves in
force, so the sentencing engine sends a sentence for one of them to manual review rather than give it
a 558.019 date. `verified` says whether the quoted text was read in a retrieved copy of the statute.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StatuteRule", "NO_PAROLE_OFFENSES", "OWN_MINIMUM_TERM_STATUTES", "is_no_parole_statute"]


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
        "Named beside 565.020 in later versions of 558.019.1 (bill texts of 2025-26 quoting current law).",
        "RSMo 558.019.1",
        verified=False,
    ),
)


def is_no_parole_statute(statute: str) -> bool:
    """Whether a charge statute (e.g. `565.020` or `RSMo 565.020`) is an offence without parole."""
    normalised = statute.upper().removeprefix("RSMO").strip().lstrip("§ ").strip()
    return any(normalised == rule.statute for rule in NO_PAROLE_OFFENSES)
