"""A pytest plugin that runs the test cases written beside each pack (`<pack>.test.yaml`).

A test file names its pack (`pack: <id or file>`; by default the `.yaml` beside it) and lists
`cases`, each with `name`, `as_of`, the person's `facts` (facts left out are unknown, NULL) and
what is `expected`: `status`, optionally `eligible_on`, and `criteria` mapping criterion ids to
`met`/`unmet`/`unknown` or to `{status, eligible_on}`. Each case runs through the real compiled
SQL on DuckDB. Registered through the `pytest11` entry point; the ini option `secondchance_facts`
(`module:attribute`) swaps in another facts catalogue.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CaseFailure", "PackCase", "PackTestFile", "run_case"]

_DUCKDB_TYPES = {"boolean": "BOOLEAN", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "text": "VARCHAR"}
_STATUSES = ("eligible", "almost-eligible", "needs-information", "ineligible", "not-in-population")


class CaseFailure(Exception):
    """A pack test case whose results differ from what it expects (or that cannot run)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ini option naming the facts catalogue pack cases are checked against."""
    parser.addini(
        "secondchance_facts",
        "module:attribute of the facts catalogue that pack test cases use (default: the secondchance catalogue)",
        default="",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    """Collect `*.test.yaml` files as pack test files."""
    if file_path.name.endswith(".test.yaml"):
        return PackTestFile.from_parent(parent, path=file_path)
    return None


def _catalogue(config: pytest.Config) -> dict[str, str]:
    spec = str(config.getini("secondchance_facts") or "")
    if not spec:
        from secondchance.policy.compiler import default_catalogue

        return default_catalogue()
    module_name, _, attribute = spec.partition(":")
    facts: Any = getattr(importlib.import_module(module_name), attribute or "FACTS")
    if isinstance(facts, Mapping):
        return {str(name): str(kind) for name, kind in facts.items()}
    return {fact.name: fact.type for fact in facts}


class PackTestFile(pytest.File):
    """A `<pack>.test.yaml` file: one test item per case."""

    def _pack_path(self, raw: Any) -> Path:
        from secondchance.policy.pack import find_pack

        sibling = self.path.with_name(self.path.name.removesuffix(".test.yaml") + ".yaml")
        reference = raw.get("pack") if isinstance(raw, dict) else None
        if reference is None or (not str(reference).endswith(".yaml") and sibling.is_file()):
            return sibling
        if str(reference).endswith(".yaml"):
            return self.path.parent / str(reference)
        return find_pack(str(reference))

    def collect(self) -> Iterator[pytest.Item]:
        """Check the pack, then yield its cases."""
        from secondchance.policy.checks import check_pack_file
        from secondchance.policy.pack import LineDict, LineList, load_yaml_with_lines

        raw = load_yaml_with_lines(self.path.read_text(encoding="utf-8"))
        catalogue = _catalogue(self.config)
        pack_path = self._pack_path(raw)
        compiled, problems = check_pack_file(pack_path, facts=catalogue)
        if compiled is None:
            lines = [f"the pack {pack_path} has problems:", *(str(problem) for problem in problems)]
            yield PackCase.from_parent(self, name="pack check", case=None, compiled=None, failure=lines, line=1)
            return
        cases = raw.get("cases") if isinstance(raw, LineDict) else None
        if not isinstance(cases, LineList) or not cases:
            failure = [f"{self.path.name}: expected a `cases:` list of test cases"]
            yield PackCase.from_parent(self, name="cases", case=None, compiled=None, failure=failure, line=1)
            return
        names: set[str] = set()
        for index, case in enumerate(cases):
            name = str(case.get("name") or f"case {index + 1}") if isinstance(case, dict) else f"case {index + 1}"
            if name in names:
                name = f"{name} [{index + 1}]"
            names.add(name)
            yield PackCase.from_parent(
                self, name=name, case=case, compiled=compiled, failure=None, line=cases.item_lines[index]
            )


class PackCase(pytest.Item):
    """One case of a pack test file."""

    def __init__(
        self,
        *,
        case: Any,
        compiled: Any,
        failure: list[str] | None,
        line: int,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.compiled = compiled
        self.failure = failure
        self.line = line

    def runtest(self) -> None:
        """Run the case through the engine and compare every expected value."""
        if self.failure is not None:
            raise CaseFailure(self.failure)
        mismatches = run_case(self.compiled, self.case, _catalogue(self.config))
        if mismatches:
            raise CaseFailure([f"{self.path.name}, line {self.line}, case {self.name!r}:", *mismatches])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The mismatches in plain words, without a traceback."""
        if isinstance(excinfo.value, CaseFailure):
            return "\n".join(excinfo.value.lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the case is written."""
        return self.path, self.line - 1, f"pack case: {self.name}"


def _as_date(value: Any, what: str, problems: list[str]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{what}: {value!r} is not a date like 2014-04-23")
        return None


def run_case(compiled: Any, case: Any, catalogue: Mapping[str, str]) -> list[str]:
    """Screen one case's person and list every way the results differ from `expected` (empty: passed)."""
    import duckdb

    from secondchance.errors import UserError
    from secondchance.policy.engine import evaluate

    problems: list[str] = []
    if not isinstance(case, dict):
        return ["a case is a mapping with name, as_of, facts and expected"]
    unknown_keys = sorted(set(case) - {"name", "description", "as_of", "facts", "expected"})
    if unknown_keys:
        problems.append(f"unknown field(s) {', '.join(unknown_keys)}; a case has name, as_of, facts and expected")
    as_of = _as_date(case.get("as_of"), "as_of", problems)
    facts = case.get("facts") or {}
    expected = case.get("expected")
    if as_of is None:
        problems.append("missing `as_of` (the date of the screening)")
    if not isinstance(expected, dict) or "status" not in expected:
        problems.append("missing `expected` with at least a `status`")
    if not isinstance(facts, dict):
        problems.append("`facts` must map fact names to values")
    for name in facts if isinstance(facts, dict) else []:
        if name not in catalogue:
            problems.append(f"unknown fact '{name}' in the case's facts")
    if problems or as_of is None or not isinstance(expected, dict):
        return problems

    columns = ", ".join(f'"{name}" {_DUCKDB_TYPES.get(kind, "VARCHAR")}' for name, kind in catalogue.items())
    connection = duckdb.connect()
    try:
        connection.execute(f"CREATE TABLE case_facts (person_id BIGINT, source_id VARCHAR, {columns})")
        names = list(facts)
        placeholders = ", ".join("?" for _ in range(len(names) + 2))
        column_list = ", ".join(["person_id", "source_id", *(f'"{name}"' for name in names)])
        try:
            connection.execute(
                f"INSERT INTO case_facts ({column_list}) VALUES ({placeholders})", [1, "case", *facts.values()]
            )
        except duckdb.Error as error:
            return [f"the facts cannot be read with their catalogue types: {error}"]
        try:
            result = evaluate(connection, compiled, "case_facts", as_of, population_only=False).to_pylist()[0]
        except UserError as error:
            return [str(error)]
    finally:
        connection.close()
    return _compare(compiled, result, expected)


def _compare(compiled: Any, result: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    status = expected.get("status")
    if status not in _STATUSES:
        return [f"expected status {status!r} is not one of {', '.join(_STATUSES)}"]
    if result["status"] != status:
        problems.append(f"status: expected {status}, got {result['status']}")
    if "eligible_on" in expected:
        wanted = _as_date(expected["eligible_on"], "expected eligible_on", problems)
        if result["eligible_on"] != wanted:
            problems.append(f"eligible_on: expected {wanted}, got {result['eligible_on']}")
    by_id = {node.id: node for node in compiled.all_criteria()}
    criteria = expected.get("criteria") or {}
    for criterion_id, want in criteria.items():
        node = by_id.get(criterion_id)
        if node is None:
            problems.append(f"criterion {criterion_id}: the pack has no such criterion")
            continue
        got_status = result[f"{node.alias}_status"]
        want_status = want.get("status") if isinstance(want, dict) else want
        if got_status != want_status:
            evidence = result.get(f"{node.alias}_evidence")
            detail = f" (read {evidence})" if evidence else ""
            problems.append(f"criterion {criterion_id}: expected {want_status}, got {got_status}{detail}")
        if isinstance(want, dict) and "eligible_on" in want:
            wanted = _as_date(want["eligible_on"], f"criterion {criterion_id} eligible_on", problems)
            got = result[f"{node.alias}_eligible_on"]
            if got != wanted:
                problems.append(f"criterion {criterion_id}: eligible_on expected {wanted}, got {got}")
    return problems
