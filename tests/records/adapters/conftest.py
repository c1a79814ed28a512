"""Shared by the adapter tests: each adapter's shared data set, its frames read once, its raw CSV rows."""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

import polars as pl
from tests.conftest import shared_dataset

from secondchance.records.adapters import ADAPTERS

# The data set of ../shared/data each adapter is tested on.
DATASETS = {
    "cdcr": "cdcr_redoio",
    "compas": "compas",
    "commutations": "federal_commutations",
    "iowa": "iowa_recidivism",
}


def dataset_folder(adapter: str) -> Path:
    """The folder of an adapter's shared data set (the test skips when it is absent)."""
    return shared_dataset(DATASETS[adapter])


@functools.cache
def frames_of(adapter: str) -> dict[str, pl.DataFrame]:
    """The frames of one adapter over its shared data set, read once per test process."""
    return ADAPTERS[adapter].read(dataset_folder(adapter))


def csv_rows(adapter: str, name: str) -> list[dict[str, str]]:
    """The rows of one CSV file of an adapter's data set, read with the csv module, apart from the adapter."""
    with (dataset_folder(adapter) / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def row_by_source_id(adapter: str, table: str, source_id: str) -> dict[str, Any]:
    """The one row of an adapter's `table` with that source id."""
    rows = frames_of(adapter)[table].filter(pl.col("source_id") == source_id)
    assert rows.height == 1, (table, source_id, rows.height)
    return rows.row(0, named=True)
