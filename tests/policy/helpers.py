"""A small facts catalogue and helpers shared by the policy machinery tests (independent of the real catalogue)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from secondchance.policy.checks import check_pack_file
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import evaluate

FIXTURES = Path(__file__).parent / "fixtures"

CATALOGUE: dict[str, str] = {
    "system": "text",
    "in_custody": "boolean",
    "served_days": "integer",
    "commencement_date": "date",
    "release_date": "date",
    "has_violent_prior_offense": "boolean",
    "violent_incidents_this_term": "integer",
    "age_years": "integer",
    "offense_code": "text",
    "risk_score": "number",
}
_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "text": "VARCHAR"}


def compile_fixture(path: Path) -> CompiledPack:
    """Check a pack against the test catalogue; fail with its problems when it has any."""
    compiled, problems = check_pack_file(path, facts=CATALOGUE)
    assert compiled is not None, "\n".join(str(problem) for problem in problems)
    return compiled


def write_pack(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    """Write pack text to a file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def pack_yaml(criteria: str, *, parameters: str = "", pack_id: str = "test/pack") -> str:
    """The YAML of a pack in force from 2014-04-23 with one source `s`, around `criteria` (list items)."""
    return (
        f"id: {pack_id}\ntitle: Test pack\njurisdiction: us-federal\nversion: 1\n"
        "effective: {from: 2014-04-23}\nsources:\n  - {id: s, cite: test}\n"
        f"parameters:{chr(10) + parameters if parameters else ' {}'}\ncriteria:\n{criteria}"
    )


def criterion_yaml(criterion_id: str, test: str, *, text: str = "t", eligible_on: str | None = None) -> str:
    """One rule criterion as a YAML list item; expressions are block scalars, so any text is taken as written."""
    item = f"  - id: {criterion_id}\n    text: {text}\n    kind: rule\n    source: s\n    test: |-\n      {test}\n"
    if eligible_on is not None:
        item += f"    eligible_on: |-\n      {eligible_on}\n"
    return item


def facts_table(connection: duckdb.DuckDBPyConnection, people: list[dict[str, Any]], name: str = "facts") -> str:
    """Create a facts table with every catalogue fact typed, one row per person (missing facts NULL)."""
    columns = ", ".join(f"{fact} {_TYPES[kind]}" for fact, kind in CATALOGUE.items())
    connection.execute(f"CREATE OR REPLACE TABLE {name} (person_id BIGINT, source_id VARCHAR, {columns})")
    for number, person in enumerate(people, start=1):
        names = ["person_id", "source_id", *person]
        marks = ", ".join("?" for _ in names)
        connection.execute(
            f"INSERT INTO {name} ({', '.join(names)}) VALUES ({marks})", [number, f"P{number}", *person.values()]
        )
    return name


def screen_one(compiled: CompiledPack, person: dict[str, Any], as_of: date) -> dict[str, Any]:
    """The result of one person, keyed by criterion id for per-criterion columns: status, eligible_on, criteria."""
    connection = duckdb.connect()
    try:
        facts_table(connection, [person])
        row = evaluate(connection, compiled, "facts", as_of, population_only=False).to_pylist()[0]
    finally:
        connection.close()
    criteria = {
        node.id: {
            "status": row[f"{node.alias}_status"],
            "eligible_on": row[f"{node.alias}_eligible_on"],
            "evidence": row.get(f"{node.alias}_evidence"),
        }
        for node in compiled.all_criteria()
    }
    return {
        "status": row["status"],
        "eligible_on": row["eligible_on"],
        "unmet": row["unmet_count"],
        "unknown": row["unknown_count"],
        "criteria": criteria,
    }
