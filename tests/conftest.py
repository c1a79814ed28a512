"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run, so a red build is reproducible;
# locally they explore new examples each run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED_DATA = Path(os.environ.get("SECONDCHANCE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A path for a fresh records store."""
    return tmp_path / "records.duckdb"


def shared_dataset(name: str) -> Path:
    """The folder of a real data set in ../shared/data, or skip the test with the reason."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        pytest.skip(f"real data set {name!r} is absent: expected it at {folder}")
    return folder
