"""Facts on the real California CDCR cohort, checked against the raw export read independently."""

from __future__ import annotations

import csv
from datetime import date

import duckdb
import pytest
from tests.conftest import shared_dataset
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.policy.facts import materialize_facts

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def cdcr_facts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    folder = shared_dataset("cdcr_redoio")
    store = tmp_path_factory.mktemp("cdcr") / "records.duckdb"
    result = CliRunner().invoke(app, ["ingest", "--adapter", "cdcr", str(folder), "--store", str(store)])
    assert result.exit_code == 0, result.output
    connection = duckdb.connect(str(store))
    materialize_facts(connection, date(2023, 12, 31))
    cursor = connection.execute("SELECT * FROM facts")
    names = [d[0] for d in cursor.description]
    facts = {row[1]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
    connection.close()
    return facts


def _raw(name: str) -> list[dict[str, str]]:
    with (shared_dataset("cdcr_redoio") / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_person_has_one_row(cdcr_facts: dict[str, dict[str, object]]) -> None:
    assert set(cdcr_facts) == {row["cdcno"] for row in _raw("demographics.csv")}


def test_pc12022_enhancement_matches_the_export(cdcr_facts: dict[str, dict[str, object]]) -> None:
    # Rule r_11 of eligibility_conditions.csv: "Does not have an enhancement that contains PC 12022".
    columns = [f"off_enh{n}" for n in range(1, 12)]
    with_enhancement = {
        row["cdcno"] for row in _raw("current_commitments.csv") if any("12022" in row[c] for c in columns)
    }
    found = {source_id for source_id, facts in cdcr_facts.items() if facts["has_pc12022_enhancement"]}
    assert found == with_enhancement
    assert all(facts["has_pc12022_enhancement"] is not None for facts in cdcr_facts.values())


def test_prior_commitments_are_known(cdcr_facts: dict[str, dict[str, object]]) -> None:
    # The export lists prior commitments, so a person without any has none rather than unknown.
    with_priors = {row["cdcno"] for row in _raw("prior_commitments.csv")}
    for source_id, facts in cdcr_facts.items():
        assert facts["prior_commitments"] is not None
        assert (facts["prior_commitments"] > 0) is (source_id in with_priors)  # type: ignore[operator]


def test_sources_without_incident_or_custody_data_give_unknown(cdcr_facts: dict[str, dict[str, object]]) -> None:
    for facts in cdcr_facts.values():
        assert facts["incidents_total"] is None
        assert facts["in_custody"] is None
        assert facts["system"] == "us-ca"
