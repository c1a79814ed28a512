"""Why a person is outside a pack's population: the failed condition, named, with the facts it read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from secondchance.policy.checks import load_pack
from secondchance.policy.compiler import compile_expression, default_catalogue
from secondchance.policy.explain import explain_person
from secondchance.policy.letters import format_value
from secondchance.policy.letters.console import explanation_tree
from secondchance.policy.pack import find_pack
from secondchance.policy.population import conditions, describe, failed_condition
from secondchance.records.synthetic import generate_population

AS_OF = date(2026, 11, 25)
CALIFORNIA = "us-ca/pir-cohort"  # population: system = 'us-ca' AND in_custody IS NOT FALSE
CLEMENCY = "us-federal/clemency-2014"  # population: system = 'federal' AND in_custody


def _facts(system: str | None, in_custody: bool | None) -> str:
    """A one-person facts relation, as the engine reads facts."""
    system_sql = "NULL" if system is None else f"'{system}'"
    custody_sql = "NULL" if in_custody is None else str(in_custody).upper()
    columns = [f"CAST({system_sql} AS VARCHAR) AS system", f"CAST({custody_sql} AS BOOLEAN) AS in_custody"]
    return f"SELECT 7 AS person_id, {', '.join(columns)}"


def test_population_splits_at_top_level_and_as_written() -> None:
    compiled = load_pack(find_pack(CALIFORNIA))
    assert compiled.population is not None
    assert [part.source for part in conditions(compiled.population)] == ["system = 'us-ca'", "in_custody IS NOT FALSE"]
    # BETWEEN's AND and an AND inside parentheses do not split.
    text = "age_years BETWEEN 18 AND 25 AND (in_custody AND system = 'federal')"
    expression, problems = compile_expression(text, facts=default_catalogue(), parameters={})
    assert expression is not None, problems
    parts = conditions(expression)
    assert [part.source for part in parts] == ["age_years BETWEEN 18 AND 25", "(in_custody AND system = 'federal')"]
    assert [part.facts for part in parts] == [("age_years",), ("in_custody", "system")]


def test_the_false_condition_is_named_with_the_facts_it_read() -> None:
    compiled = load_pack(find_pack(CALIFORNIA))
    with duckdb.connect() as connection:
        failed = failed_condition(connection, compiled, _facts("federal", True), 7, AS_OF)
        # Out of custody: `in_custody IS NOT FALSE` is false, while the system condition holds.
        released = failed_condition(connection, compiled, _facts("us-ca", False), 7, AS_OF)
        inside = failed_condition(connection, compiled, _facts("us-ca", None), 7, AS_OF)
    assert failed is not None and (failed.text, failed.value, dict(failed.facts)) == (
        "system = 'us-ca'",
        False,
        {"system": "federal"},
    )
    assert released is not None and (released.text, released.value) == ("in_custody IS NOT FALSE", False)
    assert inside is None  # an unknown custody is inside this pack's population (IS NOT FALSE)


def test_a_false_condition_is_named_before_an_unknown_one() -> None:
    compiled = load_pack(find_pack(CLEMENCY))
    with duckdb.connect() as connection:
        unknown_only = failed_condition(connection, compiled, _facts("federal", None), 7, AS_OF)
        both = failed_condition(connection, compiled, _facts(None, False), 7, AS_OF)
    assert unknown_only is not None and (unknown_only.text, unknown_only.value) == ("in_custody", None)
    assert both is not None and (both.text, both.value) == ("in_custody", False)
    words = describe(unknown_only, "en", format_value)
    assert "applies only where in_custody; for this person that is unknown" in words
    assert "No criterion of the pack is assessed" in words


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("population") / "records.duckdb"
    generate_population(store, 300, 1)
    return store


def test_explain_names_the_failed_condition_and_lists_no_criterion(synthetic_store: Path) -> None:
    with duckdb.connect(str(synthetic_store), read_only=True) as connection:
        row = connection.execute(
            "SELECT p.source_id FROM person p JOIN sentence s ON s.person_id = p.id "
            "WHERE s.system = 'federal' AND s.status = 'active' ORDER BY p.id LIMIT 1"
        ).fetchone()
    assert row is not None
    explanation = explain_person(synthetic_store, str(row[0]), CALIFORNIA, AS_OF)
    assert explanation.status == "not-in-population"
    assert explanation.population_failure is not None
    assert explanation.population_failure.text == "system = 'us-ca'"
    from rich.console import Console

    console = Console(width=300, record=True)
    console.print(explanation_tree(explanation, "en"))
    printed = console.export_text()
    assert "applies only where system = 'us-ca'; for this person that is false (records read: system = federal)" in (
        printed
    )
    assert "Not met" not in printed and "r_2" not in printed  # no criterion listed, none as unmet
