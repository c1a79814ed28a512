"""`secondchance facts list` and `secondchance facts show`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.errors import UserError
from secondchance.policy.facts import FACTS
from secondchance.records.store import ensure_schema

runner = CliRunner()


def test_facts_list_json_lists_the_catalogue() -> None:
    result = runner.invoke(app, ["facts", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [item["name"] for item in listed] == [f.name for f in FACTS]
    by_name = {item["name"]: item for item in listed}
    assert by_name["served_days"]["type"] == "integer"
    assert by_name["in_custody"]["type"] == "boolean"
    assert set(by_name["age_years"]) == {"name", "type", "description", "reads", "absence"}
    assert "complete for `incident`" in by_name["incidents_total"]["absence"]


def test_facts_list_table() -> None:
    result = runner.invoke(app, ["facts", "list"])
    assert result.exit_code == 0
    assert "has_fsa_excluded_offense" in result.output


def _store(path: Path) -> None:
    connection = duckdb.connect(str(path))
    ensure_schema(connection)
    connection.execute(
        "INSERT INTO person (id, source, source_id, birth_date) VALUES (1, 'src', 'P1', DATE '1959-03-01')"
    )
    connection.execute(
        "INSERT INTO sentence (id, person_id, source, source_id, person_source_id, system, status, "
        "commencement_date, term_months, jail_credit_days) "
        "VALUES (1, 1, 'src', 'S1', 'P1', 'federal', 'active', DATE '2020-01-01', 24, 0)"
    )
    connection.close()


def test_facts_show_prints_one_person(tmp_path: Path) -> None:
    path = tmp_path / "records.duckdb"
    _store(path)
    result = runner.invoke(app, ["facts", "show", "P1", "--store", str(path), "--as-of", "2024-02-29", "--json"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.output)
    assert facts["source_id"] == "P1"
    assert facts["age_years"] == 64  # born 1 Mar 1959: 65 only from 1 Mar 2024
    assert facts["served_days"] == (date(2024, 2, 29) - date(2020, 1, 1)).days + 1
    assert facts["projected_release_date"] is None  # no computed_dates table yet: unknown
    table = runner.invoke(app, ["facts", "show", "P1", "--store", str(path), "--as-of", "2024-02-29"])
    assert table.exit_code == 0
    assert "unknown" in table.output


def test_facts_show_errors(tmp_path: Path) -> None:
    path = tmp_path / "records.duckdb"
    _store(path)
    missing = runner.invoke(app, ["facts", "show", "NOBODY", "--store", str(path)])
    assert isinstance(missing.exception, UserError)
    assert "no person with source id 'NOBODY'" in str(missing.exception)
    bad_date = runner.invoke(app, ["facts", "show", "P1", "--store", str(path), "--as-of", "29/02/2024"])
    assert isinstance(bad_date.exception, UserError)
    assert "--as-of '29/02/2024' is not a date" in str(bad_date.exception)
    no_store = runner.invoke(app, ["facts", "show", "P1", "--store", str(tmp_path / "absent.duckdb")])
    assert isinstance(no_store.exception, UserError)
