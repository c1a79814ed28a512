"""Populations shared by the synthetic-population tests, generated once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from secondchance.records.synthetic import Generated, generate_frames, generate_population

CONSISTENCY_PEOPLE = 20_000
CALIBRATION_PEOPLE = 50_000


@pytest.fixture(scope="session")
def population_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A records store holding a 20,000-person mixed population (seed 11)."""
    path = tmp_path_factory.mktemp("synthetic") / "population.duckdb"
    generate_population(path, CONSISTENCY_PEOPLE, seed=11, jurisdiction="mixed")
    return path


@pytest.fixture
def population(population_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the 20,000-person store."""
    connection = duckdb.connect(str(population_store), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="session")
def calibration_population() -> Generated:
    """A 50,000-person mixed population in memory (seed 5), for the calibration checks."""
    return generate_frames(CALIBRATION_PEOPLE, seed=5, jurisdiction="mixed")
