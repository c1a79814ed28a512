"""The status rules against a plain-Python statement of them, on random three-valued members (Hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secondchance.policy.checks import check_pack_file
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.parameters import values_as_of
from secondchance.policy.status import evaluation_sql

AS_OF = date(2024, 1, 1)
WINDOW_END = date(2024, 7, 1)  # almost_within: 6 months
FACTS = {"b1": "boolean", "b2": "boolean", "b3": "boolean", "d1": "date", "d2": "date", "d3": "date"}


def _members(prefix: str) -> str:
    return "".join(
        f"      - {{id: {prefix}{i}, text: T, test: b{i}, eligible_on: d{i}, kind: rule, source: s}}\n"
        for i in (1, 2, 3)
    )


PACK = (
    "id: test/properties\ntitle: T\njurisdiction: test\nversion: 1\neffective: {from: 2020-01-01}\n"
    "sources: [{id: s, cite: test}]\nalmost_within: 6 months\ncriteria:\n"
    "  - id: all\n    text: T\n    all_of:\n"
    + _members("a")
    + "  - id: any\n    text: T\n    any_of:\n"
    + _members("o")
    + "  - id: two\n    text: T\n    at_least: 2\n    of:\n"
    + _members("l")
)

Member = tuple[bool | None, date | None]


def reference_group(kind: str, members: list[Member]) -> tuple[str, date | None]:
    """DESIGN.md's three-valued groups, stated directly: (status, eligible_on when unmet)."""
    met = sum(1 for value, _ in members if value is True)
    unknown = sum(1 for value, _ in members if value is None)
    unmet = [day for value, day in members if value is False]
    if kind == "all":
        status = "unmet" if unmet else ("unknown" if unknown else "met")
        day = None if status != "unmet" or None in unmet else max(d for d in unmet if d is not None)
        return status, day
    if kind == "any":
        status = "met" if met else ("unknown" if unknown else "unmet")
        dated = [d for d in unmet if d is not None]
        return status, (min(dated) if status == "unmet" and dated else None)
    status = "met" if met >= 2 else ("unmet" if met + unknown < 2 else "unknown")
    needed = 2 - met
    dated = sorted(d for d in unmet if d is not None)
    return status, (dated[needed - 1] if status == "unmet" and len(dated) >= needed else None)


def reference_person(groups: list[tuple[str, date | None]]) -> tuple[str, date | None]:
    unmet = [day for status, day in groups if status == "unmet"]
    if not unmet:
        return ("needs-information" if any(status == "unknown" for status, _ in groups) else "eligible"), None
    dates = [day for day in unmet if day is not None]
    if len(dates) == len(unmet) and all(day <= WINDOW_END for day in dates):
        return "almost-eligible", max(dates)
    return "ineligible", (max(dates) if len(dates) == len(unmet) else None)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> CompiledPack:
    path: Path = tmp_path_factory.mktemp("pack") / "properties.yaml"
    path.write_text(PACK, encoding="utf-8")
    pack, problems = check_pack_file(path, facts=FACTS)
    assert pack is not None, problems
    return pack


members = st.tuples(
    st.sampled_from([True, False, None]),
    st.one_of(st.none(), st.integers(-200, 500).map(lambda days: AS_OF + timedelta(days=days))),
)
people = st.lists(st.lists(members, min_size=3, max_size=3), min_size=1, max_size=40)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(people=people)
def test_groups_and_status_match_their_statement(compiled: CompiledPack, people: list[list[Member]]) -> None:
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE facts (person_id BIGINT, source_id VARCHAR, b1 BOOLEAN, b2 BOOLEAN, b3 BOOLEAN, "
        "d1 DATE, d2 DATE, d3 DATE)"
    )
    connection.executemany(
        "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[n, str(n), *(v for v, _ in person), *(d for _, d in person)] for n, person in enumerate(people)],
    )
    sql = evaluation_sql(compiled, "facts", values_as_of(compiled.pack, AS_OF), AS_OF, population_only=False)
    relation = connection.sql(sql + " ORDER BY person_id")
    aliases = {node.id: node.alias for node in compiled.criteria}
    for person, row in zip(people, relation.fetchall(), strict=True):
        result = dict(zip(relation.columns, row, strict=True))
        groups = [reference_group(kind, person) for kind in ("all", "any", "two")]
        for (status, day), group_id in zip(groups, ("all", "any", "two"), strict=True):
            assert result[f"{aliases[group_id]}_status"] == status, (group_id, person)
            assert result[f"{aliases[group_id]}_eligible_on"] == day, (group_id, person)
        assert (result["status"], result["eligible_on"]) == reference_person(groups), person
