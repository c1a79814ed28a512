"""The law's lists, written once: statute and offence lists with their citations, and how charges match them.

`sentencing` and `policy` both read this package; it imports neither (DESIGN.md, "The parts").
- `offense_lists`: the lists (`offense_lists.yaml`) and the SQL that matches charges against them;
- `fsa_exclusions`: 18 U.S.C. § 3632(d)(4)(D), clause by clause, and the reading of its citations;
- `missouri`: the Missouri offences without parole or with their own minimum terms.
"""

from __future__ import annotations

from secondchance.law.fsa_exclusions import ExcludedOffense, excluded_offenses
from secondchance.law.missouri import NO_PAROLE_OFFENSES, OWN_MINIMUM_TERM_STATUTES, StatuteRule
from secondchance.law.offense_lists import OffenseEntry, OffenseList, list_flag_sql, offense_lists, text_flags_sql

__all__ = [
    "NO_PAROLE_OFFENSES",
    "OWN_MINIMUM_TERM_STATUTES",
    "ExcludedOffense",
    "OffenseEntry",
    "OffenseList",
    "StatuteRule",
    "excluded_offenses",
    "list_flag_sql",
    "offense_lists",
    "text_flags_sql",
]
