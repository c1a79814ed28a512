"""Adapters that turn real exports into canonical records frames (docs/adapters.md).

`ADAPTERS[name].read(path)` gives frames keyed by records table name, with the columns of
`records.schema`; `secondchance ingest --adapter NAME PATH` loads them with `records.ingest`.
"""

from __future__ import annotations

from secondchance.records.adapters.base import Adapter
from secondchance.records.adapters.cdcr import CDCR
from secondchance.records.adapters.commutations import COMMUTATIONS
from secondchance.records.adapters.compas import COMPAS
from secondchance.records.adapters.iowa import IOWA

__all__ = ["Adapter", "ADAPTERS"]

ADAPTERS: dict[str, Adapter] = {adapter.name: adapter for adapter in (CDCR, COMPAS, COMMUTATIONS, IOWA)}
