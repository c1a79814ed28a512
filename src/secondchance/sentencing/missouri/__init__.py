"""Missouri: minimum parole eligibility (RSMo 558.019, 14 CSR 80-2.010) and conditional release (RSMo 558.011.4).

`compute_missouri` computes one sentence with its timeline; `compute_missouri_bulk` computes a whole
relation of sentences in DuckDB SQL with identical results (see `secondchance.sentencing.missouri.bulk`).
"""

from __future__ import annotations

from secondchance.law.missouri import NO_PAROLE_OFFENSES, OWN_MINIMUM_TERM_STATUTES
from secondchance.sentencing.missouri.bulk import compute_missouri_bulk, compute_missouri_row
from secondchance.sentencing.missouri.compute import RULE_PROFILE, MissouriDates, compute_missouri
from secondchance.sentencing.missouri.minimum import MissouriOffence
from secondchance.sentencing.missouri.rules import minimum_term_rule

__all__ = [
    "NO_PAROLE_OFFENSES",
    "OWN_MINIMUM_TERM_STATUTES",
    "RULE_PROFILE",
    "MissouriDates",
    "MissouriOffence",
    "compute_missouri",
    "compute_missouri_bulk",
    "compute_missouri_row",
    "minimum_term_rule",
]
