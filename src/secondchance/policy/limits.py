"""The limits a pack must keep, so that a file from someone else cannot exhaust memory, stack or time.

Each limit is far above what the shipped packs use (the largest expression is under 300 characters,
12 levels deep, 37 nodes) and low enough that checking and running a pack stays quick. `pack check`
names the limit in its message; `docs/security.md` lists them.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "CALENDAR_FIRST",
    "CONTROL_CHARACTERS",
    "CALENDAR_LAST",
    "MAX_CRITERIA",
    "MAX_DATE_SHIFT",
    "MAX_EXPRESSION_CHARS",
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_NODES",
    "MAX_EXPRESSION_TOKENS",
    "MAX_FACT_NUMBER",
    "MAX_GROUP_DEPTH",
    "MAX_LIST_ITEMS",
    "MAX_NUMBER",
    "MAX_PACK_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_WINDOW",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "PACK_SECONDS",
]

# Characters no text of a pack may hold: C0 controls but tab, line feed and carriage return, DEL, C1
# controls, and the bidirectional marks and overrides that make a terminal or a letter show other text
# than is there.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Pack files: read whole, parsed by PyYAML (recursive), validated by Pydantic.
MAX_PACK_BYTES = 1024 * 1024
MAX_YAML_DEPTH = 40
MAX_YAML_NODES = 50_000
MAX_CRITERIA = 500
MAX_GROUP_DEPTH = 10
MAX_TEXT_CHARS = 10_000  # any one text value: a criterion's words, a citation, a parameter's text

# Expressions: parsed by SQLGlot and checked by a recursive walk.
MAX_EXPRESSION_CHARS = 4_000
MAX_EXPRESSION_TOKENS = 2_000
MAX_EXPRESSION_DEPTH = 48
MAX_EXPRESSION_NODES = 1_000
MAX_LIST_ITEMS = 500  # values in an IN (...) list, and items of a list parameter

# Numbers a pack writes (literals and parameter values); with them and facts at their limits, the
# compiler refuses arithmetic that could overflow a 64-bit whole number (policy.arithmetic).
MAX_NUMBER = 10**9
# What the compiler takes a whole-number fact to be at most when it bounds arithmetic (policy.arithmetic):
# facts are counts of days, years and events.
MAX_FACT_NUMBER = 10**9

# Every date a pack computes lies in the calendar Python, DuckDB and Spark share; a date moved
# outside it is unknown (NULL), never an error. Moves are bounded before they are made, because
# DuckDB's INTERVAL counts are 32-bit.
CALENDAR_FIRST = date(1, 1, 1)
CALENDAR_LAST = date(9999, 12, 31)
MAX_DATE_SHIFT = {"DAY": 3_660_000, "MONTH": 120_000, "YEAR": 10_000}

# `almost_within`: ten years, in each unit, is longer than any published almost-eligible window.
MAX_WINDOW = {"day": 3_660, "week": 523, "month": 120, "year": 10}

# Wall-clock time for one pack over a population, in either engine; a pack that takes longer is
# stopped and reported. Every allowed expression is linear in the people screened, so this only
# stops the pathological.
PACK_SECONDS = 1_800.0
