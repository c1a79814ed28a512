"""The fixture packs' test cases use the test catalogue of helpers.py; test_plugin.py runs them in their own pytest."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

collect_ignore_glob = ["fixtures/*"]


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """One local SparkSession for the whole test run (starting one takes seconds)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java 17 is absent; scripts/install-system-packages installs it (make test runs it)")
    from secondchance.policy.spark_session import spark_session

    session = spark_session("local[2]", driver_memory="2g")
    yield session
    session.stop()
