"""Checking a pack: every problem with its file, line, criterion, field and a plain reason.

`check_pack_file` reads a pack, validates its shape, checks its sources, parameters and ids, and
compiles every expression; it returns the compiled pack only when there is no problem at all.
`secondchance pack check` prints the problems; `load_pack` raises them as one `UserError`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secondchance.errors import UserError
from secondchance.policy.compiler import (
    CompiledCriterion,
    CompiledExpression,
    CompiledPack,
    ExprType,
    compile_expression,
    default_catalogue,
    render,
)
from secondchance.policy.pack import (
    Criterion,
    CriterionNode,
    Effective,
    Group,
    LineDict,
    LineList,
    Pack,
    PackFile,
    Parameter,
    Source,
    line_of,
    read_pack_file,
)
from secondchance.policy.parameters import AS_OF, ValueType, parameter_type, values_as_of
from secondchance.policy.templates import TemplateError, template_names

__all__ = ["Problem", "PackProblems", "check_pack_file", "load_pack", "format_problems"]

_PARAMETER_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_FIELD_HELP = {
    "text": " (plain-language text that a person can read)",
    "source": " (the id of one of the pack's sources)",
    "kind": " (rule, proxy or judgement)",
    "id": "",
}
_KNOWN_FIELDS = sorted(
    {
        name if info.alias is None else info.alias
        for model in (Pack, Criterion, Group, Parameter, Source, Effective)
        for name, info in model.model_fields.items()
    }
    | {"value"}
)


@dataclass(frozen=True)
class Problem:
    """One problem in a pack file."""

    file: str
    line: int
    reason: str
    criterion: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file, f"line {self.line}"]
        if self.criterion is not None:
            parts.append(f"criterion {self.criterion}")
        where = ", ".join(parts)
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class PackProblems(UserError):
    """A pack with problems; the message lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(format_problems(problems))


def format_problems(problems: list[Problem]) -> str:
    """One line per problem."""
    return "\n".join(str(problem) for problem in problems)


def _close(name: str, choices: list[str]) -> str:
    found = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


class _Checker:
    def __init__(self, pack_file: PackFile, facts: Mapping[str, str], label: str) -> None:
        self.pack_file = pack_file
        self.raw = pack_file.raw
        self.facts = facts
        self.label = label
        self.problems: list[Problem] = []

    def add(self, line: int, reason: str, criterion: str | None = None, field: str | None = None) -> None:
        self.problems.append(Problem(self.label, line, reason, criterion, field))

    # -- shape

    def shape_problems(self) -> None:
        seen: set[tuple[tuple[int | str, ...], str]] = set()
        for location, kind, message in self.pack_file.validation_errors:
            real = self._real_location(location)
            field = str(real[-1]) if real and isinstance(real[-1], str) else None
            if kind == "missing":
                field = str(location[-1])
            reason = self._reason(kind, message, location, real)
            if (real, reason) in seen:
                continue
            seen.add((real, reason))
            self.add(line_of(self.raw, real), reason, self._criterion_at(real), field)

    def _real_location(self, location: tuple[int | str, ...]) -> tuple[int | str, ...]:
        """The part of a validation location that exists in the YAML (union branch names dropped)."""
        node, real = self.raw, []
        for step in location:
            if isinstance(node, LineDict) and step in node:
                node = node[step]
            elif isinstance(node, LineDict) and isinstance(step, str):
                # Pydantic names a date key by its repr: datetime.date(2014, 4, 23)
                key = next((key for key in node if step in (str(key), repr(key))), None)
                if key is None:
                    break
                step, node = key, node[key]
            elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                break
            real.append(step)
        return tuple(real)

    def _reason(self, kind: str, message: str, location: tuple[int | str, ...], real: tuple[int | str, ...]) -> str:
        name = str(location[-1]) if location else ""
        if kind == "missing":
            return f"missing `{name}`{_FIELD_HELP.get(name, '')}"
        if kind == "extra_forbidden":
            return f"unknown field `{name}`{_close(name, _KNOWN_FIELDS)}"
        if "value" in real and real[-1] == "value" and kind != "value_error":
            return "a parameter value must be a number, a date, yes/no, text, or a list of these"
        if kind.startswith("date") or kind == "date_from_datetime_inexact":
            return "expected a date written like 2014-04-23"
        if kind.startswith("int"):
            return "expected a whole number"
        if kind.startswith("string"):
            return "expected text"
        if kind == "literal_error" and name == "kind":
            return "`kind` must be rule, proxy or judgement"
        if kind.startswith("list") or kind == "too_short":
            return message.replace("List", "the list").replace("Dictionary", "the mapping")
        if kind == "string_pattern_mismatch" and name == "id" and location[:1] == ("criteria",):
            return "a criterion id is letters, digits, '.', '_' and '-', like served-10-years"
        if kind == "string_pattern_mismatch" and name == "id":
            return "a pack id is lower-case words separated by '/', like us-federal/clemency-2014"
        if kind == "greater_than_equal":
            return "must be 1 or more"
        return message.removeprefix("Value error, ")

    def _criterion_at(self, location: tuple[int | str, ...]) -> str | None:
        """The id of the innermost criterion the location passes through."""
        if not location or location[0] != "criteria":
            return None
        node, found = self.raw, None
        for step in location:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(node, LineDict) and "id" in node and isinstance(node["id"], str):
                found = node["id"]
        return found

    def duplicate_keys(self, node: Any) -> None:
        if isinstance(node, LineDict):
            for key, line, first in node.duplicate_keys:
                self.add(line, f"`{key}` is given twice in the same place (also at line {first}); keep one")
            for value in node.values():
                self.duplicate_keys(value)
        elif isinstance(node, LineList):
            for value in node:
                self.duplicate_keys(value)

    # -- expressions

    def expression(
        self,
        holder: LineDict,
        key: str,
        expect: ExprType,
        criterion: str | None,
        parameters: Mapping[str, ValueType | None],
    ) -> CompiledExpression | None:
        text = holder.get(key)
        if not isinstance(text, str):
            return None
        role = {"test": "a test", "eligible_on": "eligible_on", "population": "the population"}[key]
        compiled, errors = compile_expression(text, facts=self.facts, parameters=parameters, expect=expect, role=role)
        line, column, style = holder.value_marks[key]
        for error in errors:
            at_line, reason = line, error.reason
            if error.line is not None:
                at_line = line + (error.line - 1) + (1 if style in ("|", ">") else 0)
            if error.column is not None:
                reason += f" (at column {error.column} of the {key.replace('_', ' ')}"
                reason += f", line {error.line})" if error.line and error.line > 1 else ")"
            self.add(at_line, reason, criterion, key)
        return compiled

    def criteria(
        self, raw_nodes: Any, parameters: Mapping[str, ValueType | None], parent: str | None, counter: list[int]
    ) -> list[CompiledCriterion | None]:
        """Compile the expressions of every criterion found in the YAML (valid or not)."""
        results: list[CompiledCriterion | None] = []
        if not isinstance(raw_nodes, LineList):
            return results
        for raw in raw_nodes:
            if not isinstance(raw, LineDict):
                results.append(None)
                continue
            criterion_id = raw.get("id") if isinstance(raw.get("id"), str) else None
            alias = f"n{counter[0]}"
            counter[0] += 1
            test = self.expression(raw, "test", "boolean", criterion_id, parameters)
            eligible_on = self.expression(raw, "eligible_on", "date", criterion_id, parameters)
            children_raw = raw.get("all_of") or raw.get("any_of") or raw.get("of")
            children = self.criteria(children_raw, parameters, criterion_id, counter)
            results.append(_Partial(alias, parent, test, eligible_on, children))  # type: ignore[arg-type]
        return results

    def text_references(self, node: CriterionNode, location: tuple[int | str, ...], names: set[str]) -> None:
        for field in ("text", "unknown_reason"):
            text = getattr(node, field)
            if text is None:
                continue
            line = line_of(self.raw, (*location, field))
            try:
                fields = template_names(text)
            except TemplateError as error:
                self.add(line, str(error), node.id, field)
                continue
            for name in fields:
                if name not in names:
                    reason = f"the text mentions {{{name}}}, which is not a parameter{_close(name, sorted(names))}"
                    self.add(line, reason, node.id, field)

    # -- meaning

    def meaning(self, pack: Pack) -> None:
        raw = self.raw
        from secondchance.policy.pack import packs_dir

        path = self.pack_file.path.resolve()
        if path.is_relative_to(packs_dir()):
            # A shipped pack is found by its id, so the id must be its path under packs/.
            expected = path.relative_to(packs_dir()).with_suffix("").as_posix()
            if pack.id != expected:
                self.add(
                    line_of(raw, ("id",)), f"a shipped pack's id is its path under packs/: '{expected}'", None, "id"
                )
        source_ids = [source.id for source in pack.sources]
        for index, source in enumerate(pack.sources):
            if source_ids.index(source.id) != index:
                self.add(line_of(raw, ("sources", index)), f"source id '{source.id}' is used twice", field="sources")
        if pack.effective.to is not None and pack.effective.to < pack.effective.from_:
            self.add(line_of(raw, ("effective", "to")), "the pack stops being in force before it starts", None, "to")
        for name, parameter in pack.parameters.items():
            where = ("parameters", name)
            if not _PARAMETER_NAME.match(name) or name == AS_OF:
                reason = (
                    "`as_of` is the screening date and cannot be redefined"
                    if name == AS_OF
                    else "a parameter name is lower-case letters, digits and _ (it is written :name)"
                )
                self.add(line_of(raw, where), reason, field=f"parameter {name}")
            if parameter_type(parameter) is None:
                self.add(
                    line_of(raw, (*where, "values")),
                    "its dated values are not all of one type (a number, a date, text, yes/no or a list)",
                    field=f"parameter {name}",
                )
            first = min(parameter.values)
            if first > pack.effective.from_:
                self.add(
                    line_of(raw, (*where, "values")),
                    f"no value for the pack's effective dates: the first value is dated {first.isoformat()}, "
                    f"but the pack is in force from {pack.effective.from_.isoformat()}",
                    field=f"parameter {name}",
                )
            for start, dated in parameter.values.items():
                if dated.source not in source_ids:
                    self.add(
                        line_of(raw, (*where, "values", start, "source")),
                        f"unknown source '{dated.source}'{_close(dated.source, source_ids)}",
                        field=f"parameter {name}",
                    )
        seen: dict[str, int] = {}
        names = set(pack.parameters)
        for node, location in _with_locations(pack.criteria, ("criteria",)):
            line = line_of(raw, location)
            if node.id in seen:
                self.add(line, f"criterion id '{node.id}' is used twice (first at line {seen[node.id]})", node.id, "id")
            seen.setdefault(node.id, line)
            if node.source is not None and node.source not in source_ids:
                self.add(
                    line_of(raw, (*location, "source")),
                    f"unknown source '{node.source}'{_close(node.source, source_ids)}",
                    node.id,
                    "source",
                )
            self.text_references(node, location, names)
            if isinstance(node, Criterion):
                if node.kind == "judgement" and (node.test is not None or node.eligible_on is not None):
                    self.add(
                        line_of(raw, (*location, "test" if node.test is not None else "eligible_on")),
                        "a judgement criterion is always unknown until a person records it, so it takes no "
                        "test; make it a proxy if the records can approximate it",
                        node.id,
                        "kind",
                    )
                if node.kind != "judgement" and node.test is None:
                    self.add(line, f"missing `test` (a {node.kind} criterion needs one)", node.id, "test")


@dataclass
class _Partial:
    alias: str
    parent: str | None
    test: CompiledExpression | None
    eligible_on: CompiledExpression | None
    children: list[_Partial | None]


def _with_locations(
    nodes: list[CriterionNode] | tuple[CriterionNode, ...], location: tuple[int | str, ...]
) -> list[tuple[CriterionNode, tuple[int | str, ...]]]:
    found: list[tuple[CriterionNode, tuple[int | str, ...]]] = []
    for index, node in enumerate(nodes):
        here = (*location, index)
        found.append((node, here))
        if isinstance(node, Group):
            found += _with_locations(node.children, (*here, node.combination if node.of is None else "of"))
    return found


def _assemble(nodes: tuple[CriterionNode, ...], partials: list[_Partial | None]) -> tuple[CompiledCriterion, ...]:
    compiled: list[CompiledCriterion] = []
    for node, partial in zip(nodes, partials, strict=True):
        assert partial is not None
        compiled.append(
            CompiledCriterion(
                node=node,
                alias=partial.alias,
                parent_id=partial.parent,
                test=partial.test if isinstance(node, Criterion) and node.kind != "judgement" else None,
                eligible_on=partial.eligible_on if isinstance(node, Criterion) else None,
                children=_assemble(node.children, partial.children),
            )
        )
    return tuple(compiled)


def check_pack_file(
    path: Path, *, facts: Mapping[str, str] | None = None, label: str | None = None
) -> tuple[CompiledPack | None, list[Problem]]:
    """Check a pack file; returns the compiled pack (None if there is any problem) and the problems."""
    pack_file = read_pack_file(path)
    checker = _Checker(pack_file, facts if facts is not None else default_catalogue(), label or str(path))
    if pack_file.yaml_error is not None:
        line, reason = pack_file.yaml_error
        checker.add(line, reason)
        return None, checker.problems
    raw = pack_file.raw
    checker.duplicate_keys(raw)
    checker.shape_problems()
    pack = pack_file.pack
    parameters: dict[str, ValueType | None]
    if pack is not None:
        parameters = {name: parameter_type(parameter) for name, parameter in pack.parameters.items()}
        checker.meaning(pack)
    else:
        raw_parameters = raw.get("parameters")
        parameters = {str(name): None for name in raw_parameters} if isinstance(raw_parameters, dict) else {}
    population = checker.expression(raw, "population", "boolean", None, parameters)
    partials = checker.criteria(raw.get("criteria"), parameters, None, [0])
    if pack is None:
        _duplicate_ids_in_raw(checker, raw.get("criteria"), {})
    problems = sorted(checker.problems, key=lambda problem: problem.line)
    if problems or pack is None:
        return None, problems
    criteria = _assemble(tuple(pack.criteria), partials)  # type: ignore[arg-type]
    compiled = CompiledPack(pack, str(path), pack_file.sha256, population, criteria, dict(checker.facts))
    _render_every_version(checker, compiled)
    if checker.problems:
        return None, sorted(checker.problems, key=lambda problem: problem.line)
    return compiled, []


_Rendered = tuple[str | None, str, CompiledExpression, tuple[int | str, ...]]


def _expressions(compiled: CompiledPack) -> list[_Rendered]:
    """Every compiled expression with its criterion, field and place in the YAML."""
    found: list[_Rendered] = []
    if compiled.population is not None:
        found.append((None, "population", compiled.population, ("population",)))
    by_node = {id(item.node): item for item in compiled.all_criteria()}
    for node, location in _with_locations(compiled.pack.criteria, ("criteria",)):
        item = by_node[id(node)]
        for field, expression in (("test", item.test), ("eligible_on", item.eligible_on)):
            if expression is not None:
                found.append((node.id, field, expression, (*location, field)))
    return found


def _render_every_version(checker: _Checker, compiled: CompiledPack) -> None:
    """Render every expression for each engine with each set of parameter values the pack can be in force with.

    `render` reads the SQL back and checks it against the allow-list, and bounds the parameters
    that move dates; a problem there is reported here, before any screening.
    """
    pack = compiled.pack
    starts = {pack.effective.from_}
    starts |= {day for parameter in pack.parameters.values() for day in parameter.values if day > pack.effective.from_}
    for start in sorted(starts):
        values = values_as_of(pack, start)
        for criterion, field, expression, location in _expressions(compiled):
            try:
                render(expression, values, "duckdb")
                render(expression, values, "spark")
            except UserError as error:
                reason = f"with the values in force from {start.isoformat()}: {error}"
                checker.add(line_of(checker.raw, location), reason, criterion, field)
                return


def _duplicate_ids_in_raw(checker: _Checker, nodes: Any, seen: dict[str, int]) -> None:
    if not isinstance(nodes, LineList):
        return
    for index, node in enumerate(nodes):
        if not isinstance(node, LineDict):
            continue
        node_id = node.get("id")
        if isinstance(node_id, str):
            line = nodes.item_lines[index]
            if node_id in seen:
                checker.add(
                    line, f"criterion id '{node_id}' is used twice (first at line {seen[node_id]})", node_id, "id"
                )
            seen.setdefault(node_id, line)
        _duplicate_ids_in_raw(checker, node.get("all_of") or node.get("any_of") or node.get("of"), seen)


def load_pack(path: Path, *, facts: Mapping[str, str] | None = None) -> CompiledPack:
    """Read, check and compile a pack; raises `PackProblems` (a UserError) listing every problem."""
    if not path.is_file():
        raise UserError(f"no pack file at {path}")
    compiled, problems = check_pack_file(path, facts=facts)
    if compiled is None:
        raise PackProblems(problems)
    return compiled
