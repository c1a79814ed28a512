"""Jurisdiction profiles: percentage-of-term parole and good-time rules as dated, cited YAML.

A new state is a `<id>.yaml` file in this package plus its fixtures; `compute_profile` evaluates one
sentence with a timeline and `compute_profile_bulk` a whole relation in DuckDB, with identical results.
"""

from __future__ import annotations

from secondchance.sentencing.profiles.bulk import compute_profile_bulk, compute_profile_row
from secondchance.sentencing.profiles.evaluate import ProfileDates, compute_profile
from secondchance.sentencing.profiles.loader import ProfileError, builtin_profile, builtin_profile_ids, load_profile
from secondchance.sentencing.profiles.model import FACTS, Profile

__all__ = [
    "FACTS",
    "Profile",
    "ProfileDates",
    "ProfileError",
    "builtin_profile",
    "builtin_profile_ids",
    "compute_profile",
    "compute_profile_bulk",
    "compute_profile_row",
    "load_profile",
]
