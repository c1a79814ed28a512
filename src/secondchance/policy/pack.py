"""The policy pack format: Pydantic models and a YAML loader that remembers the line of every node.

A pack is a YAML file (DESIGN.md, "Policy packs"): metadata, cited sources, dated parameters, a
`population` filter, an `almost_within` window and a list of criteria. A criterion is either a
leaf (`test`, optional `eligible_on`, `kind`) or a group that combines other criteria with
`all_of`, `any_of` or `at_least: N, of: [...]`. `docs/packs.md` is the reference.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from secondchance.policy import limits
from secondchance.policy.templates import TemplateError, template_names

__all__ = [
    "Criterion",
    "CriterionNode",
    "CriterionTranslation",
    "DatedValue",
    "Effective",
    "Group",
    "LineDict",
    "LineList",
    "Pack",
    "PackFile",
    "PackTranslation",
    "Parameter",
    "ParameterValue",
    "Source",
    "Window",
    "find_pack",
    "is_pack_text",
    "iter_criteria",
    "list_packs",
    "load_yaml_with_lines",
    "packs_dir",
    "line_of",
    "parse_window",
    "read_pack_file",
]

CriterionKind = Literal["rule", "proxy", "judgement"]


def _printable(value: str) -> str:
    if limits.CONTROL_CHARACTERS.search(value):
        raise ValueError("text in a pack cannot hold control characters (terminal escapes, bidirectional overrides)")
    return value


# Every text of a pack: people read it in terminals and letters, and ids reach SQL.
Text = Annotated[StrictStr, AfterValidator(_printable)]
CriterionId = Annotated[Text, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
ScalarValue = StrictBool | StrictInt | StrictFloat | date | StrictStr
ParameterValue = ScalarValue | list[ScalarValue]

_WINDOW = re.compile(r"^\s*([0-9]+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------- YAML with line numbers


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line (and column) of each key's value."""

    line: int = 0
    key_lines: dict[Any, int]
    value_marks: dict[Any, tuple[int, int, str]]  # key -> (line, column, scalar style) of the value
    duplicate_keys: list[tuple[Any, int, int]]  # key, its line again, its first line


class LineList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and sequences are `LineDict` and `LineList` (1-based lines).

    A pack may come from anyone, so the loader refuses aliases (`*name`, and so merge keys), which
    can expand a small file into a huge tree, and stops at `limits.MAX_YAML_DEPTH` levels, at
    `limits.MAX_YAML_NODES` nodes and at text values longer than `limits.MAX_TEXT_CHARS`, before
    the (recursive) composer can run out of stack or memory.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise _composer_error("aliases (*name) are not allowed in a pack; write the value out", event)
        self.depth, self.nodes = self.depth + 1, self.nodes + 1
        if self.depth > limits.MAX_YAML_DEPTH or self.nodes > limits.MAX_YAML_NODES:
            limit = f"{limits.MAX_YAML_DEPTH} levels" if self.depth > limits.MAX_YAML_DEPTH else "its size limit"
            raise _composer_error(f"the YAML goes beyond {limit}", event)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > limits.MAX_TEXT_CHARS:
            raise _composer_error(f"a value is at most {limits.MAX_TEXT_CHARS:,} characters", event)
        try:
            node: yaml.Node | None = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        return node


def _composer_error(problem: str, event: yaml.Event) -> yaml.composer.ComposerError:
    mark: Any = event.start_mark
    return yaml.composer.ComposerError(None, None, problem, mark)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines, mapping.value_marks, mapping.duplicate_keys = {}, {}, []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):
            raise yaml.constructor.ConstructorError(
                None, None, "a key is a name or a date, not a list or a mapping", key_node.start_mark
            )
        if key in mapping:
            mapping.duplicate_keys.append((key, key_node.start_mark.line + 1, mapping.key_lines[key]))
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
        style = getattr(value_node, "style", None) or ""
        mapping.value_marks[key] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1, style)
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    sequence = LineList(loader.construct_object(child, deep=True) for child in node.value)
    sequence.line = node.start_mark.line + 1
    sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
    return sequence


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2014-04-31 stays text, so validation can say which field is wrong.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    # Python refuses to read integers of more than 4,300 digits, with a ValueError, not a YAML error.
    if len(str(node.value)) > 30:
        raise yaml.constructor.ConstructorError(None, None, "a number has at most 30 digits", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml_with_lines(text: str) -> Any:
    """Parse YAML text into `LineDict`/`LineList`/scalars; raises yaml.YAMLError on bad YAML."""
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


def line_of(root: Any, location: tuple[Any, ...]) -> int:
    """The line of the deepest node of `root` reached by `location` (keys and list indexes)."""
    node, line = root, getattr(root, "line", 1)
    for step in location:
        if isinstance(node, LineDict) and step in node:
            line, node = node.key_lines[step], node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line, node = node.item_lines[step], node[step]
        else:
            break
    return line


# ---------------------------------------------------------------------------- the pack models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Model):
    """A cited source: a statute, regulation, guideline, memo or press release."""

    id: Text
    cite: Text
    url: Text | None = None


class DatedValue(_Model):
    """One value of a parameter, in force from its date, with the source that set it."""

    value: ParameterValue
    source: Text

    @field_validator("value")
    @classmethod
    def _within_limits(cls, value: ParameterValue) -> ParameterValue:
        items = value if isinstance(value, list) else [value]
        if len(items) > limits.MAX_LIST_ITEMS:
            raise ValueError(f"a list parameter holds at most {limits.MAX_LIST_ITEMS} values")
        for item in items:
            _check_scalar(item)
        return value


def _check_scalar(value: ScalarValue) -> None:
    """Refuse parameter values that no engine reads alike: infinities, NaN, huge numbers, control characters."""
    if isinstance(value, bool | date):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("a parameter value must be a finite number (not .inf or .nan)")
    if isinstance(value, int | float) and abs(value) > limits.MAX_NUMBER:
        raise ValueError(f"a parameter value is at most {limits.MAX_NUMBER:,}")
    if isinstance(value, str) and limits.CONTROL_CHARACTERS.search(value):
        raise ValueError("a parameter value cannot hold control characters")
    if isinstance(value, str) and "${" in value:
        raise ValueError("a parameter value cannot hold '${' (Spark reads it as a variable)")


class Parameter(_Model):
    """A named threshold whose value can change over time; each value is dated and cited."""

    description: Text
    unit: Text | None = None
    values: dict[date, DatedValue] = Field(min_length=1)


class Effective(_Model):
    """The dates a pack version is in force: `from` (inclusive) and `to` (inclusive, or open)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_: date = Field(alias="from")
    to: date | None = None


class Criterion(_Model):
    """A leaf criterion: a boolean test over facts and parameters, and optionally the date it becomes true."""

    id: CriterionId
    text: Text
    kind: CriterionKind
    source: Text
    test: Text | None = None
    eligible_on: Text | None = None
    unknown_reason: Text | None = None

    @property
    def children(self) -> tuple[CriterionNode, ...]:
        """A leaf has no children."""
        return ()


class Group(_Model):
    """Criteria combined with three-valued logic: all of them, any of them, or at least N of them."""

    id: CriterionId
    text: Text
    source: Text | None = None
    all_of: list[CriterionNode] | None = None
    any_of: list[CriterionNode] | None = None
    at_least: StrictInt | None = None
    of: list[CriterionNode] | None = None
    unknown_reason: Text | None = None

    @model_validator(mode="after")
    def _one_combination(self) -> Group:
        given = [name for name in ("all_of", "any_of", "of") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("a group needs exactly one of `all_of`, `any_of` or `at_least` with `of`")
        if (self.at_least is None) != (self.of is None):
            raise ValueError("`at_least: N` and `of: [...]` go together")
        if self.at_least is not None and self.of is not None and not 1 <= self.at_least <= len(self.of):
            raise ValueError(f"`at_least` must be between 1 and the number of criteria in `of` ({len(self.of)})")
        return self

    @property
    def combination(self) -> Literal["all_of", "any_of", "at_least"]:
        """How the children combine."""
        if self.all_of is not None:
            return "all_of"
        if self.any_of is not None:
            return "any_of"
        return "at_least"

    @property
    def children(self) -> tuple[CriterionNode, ...]:
        """The criteria this group combines."""
        return tuple(self.all_of or self.any_of or self.of or ())


def _node_tag(value: Any) -> str:
    if isinstance(value, dict) and any(key in value for key in ("all_of", "any_of", "at_least", "of")):
        return "group"
    if isinstance(value, Criterion | Group):
        return "group" if isinstance(value, Group) else "criterion"
    return "criterion"


CriterionNode = Annotated[
    Annotated[Criterion, Tag("criterion")] | Annotated[Group, Tag("group")],
    Discriminator(_node_tag),
]
Group.model_rebuild()


class CriterionTranslation(_Model):
    """A criterion's (or group's) `text` and `unknown_reason` in another language."""

    text: Text
    unknown_reason: Text | None = None


class PackTranslation(_Model):
    """A pack's words in one other language: title, description and criteria by id (letters read them)."""

    title: Text | None = None
    description: Text | None = None
    criteria: dict[Text, CriterionTranslation] = Field(default_factory=dict)


def _placeholders(text: str) -> set[str]:
    try:
        return set(template_names(text))
    except TemplateError:
        return set()


class Pack(_Model):
    """A policy pack: one version of a set of published criteria."""

    id: Text = Field(pattern=r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")
    title: Text
    jurisdiction: Text
    version: StrictInt = Field(ge=1)
    effective: Effective
    sources: list[Source] = Field(min_length=1)
    description: Text | None = None
    parameters: dict[Text, Parameter] = Field(default_factory=dict)
    population: Text | None = None
    almost_within: Text | None = None
    criteria: list[CriterionNode] = Field(min_length=1)
    # Optional, by language code (`es`): the texts a person reads, translated; see docs/letters.md.
    translations: dict[Text, PackTranslation] = Field(default_factory=dict)

    @field_validator("translations")
    @classmethod
    def _translated_criteria_exist(
        cls, value: dict[str, PackTranslation], info: ValidationInfo
    ) -> dict[str, PackTranslation]:
        nodes = {node.id: node for node in iter_criteria(info.data.get("criteria") or [])}
        for language, translation in value.items():
            if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", language):
                raise ValueError(f"translations: {language!r} is not a language code such as 'es' or 'pt_BR'")
            for criterion_id, words in translation.criteria.items():
                node = nodes.get(criterion_id)
                if node is None:
                    raise ValueError(f"translations.{language}: no criterion has the id {criterion_id!r}")
                for text in (words.text, words.unknown_reason or ""):
                    try:
                        template_names(text)
                    except TemplateError as error:
                        raise ValueError(f"translations.{language}.criteria.{criterion_id}: {error}") from None
                # The translation must name the same parameters, so both languages state the same numbers.
                if _placeholders(words.text) != _placeholders(node.text):
                    expected = ", ".join(f"{{{name}}}" for name in sorted(_placeholders(node.text))) or "none"
                    raise ValueError(
                        f"translations.{language}.criteria.{criterion_id}: the text must mention the same "
                        f"parameters as the original ({expected})"
                    )
        return value

    @field_validator("criteria")
    @classmethod
    def _criteria_within_limits(cls, value: list[CriterionNode]) -> list[CriterionNode]:
        if sum(1 for _ in iter_criteria(value)) > limits.MAX_CRITERIA:
            raise ValueError(f"a pack has at most {limits.MAX_CRITERIA} criteria and groups")
        if _group_depth(value) > limits.MAX_GROUP_DEPTH:
            raise ValueError(f"groups nest at most {limits.MAX_GROUP_DEPTH} deep")
        return value

    @field_validator("almost_within")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value

    def window(self) -> Window | None:
        """The almost-eligible window, or None when the pack has none."""
        return parse_window(self.almost_within) if self.almost_within is not None else None


@dataclass(frozen=True)
class Window:
    """A length of time such as `180 days` or `6 months`."""

    count: int
    unit: Literal["day", "week", "month", "year"]

    def after(self, start: date) -> date:
        """The last day of the window that begins on `start`."""
        from dateutil.relativedelta import relativedelta

        steps = {
            "day": relativedelta(days=self.count),
            "week": relativedelta(weeks=self.count),
            "month": relativedelta(months=self.count),
            "year": relativedelta(years=self.count),
        }
        try:
            result: date = start + steps[self.unit]
        except (OverflowError, ValueError):
            return limits.CALENDAR_LAST  # a window reaching past the calendar reaches its end
        return result


def parse_window(text: str) -> Window:
    """Parse `180 days`, `6 months`, `1 year`; raises ValueError with a plain message otherwise."""
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a length of time; write it like '180 days', '26 weeks' or '6 months'")
    unit = match.group(2).lower()
    longest = limits.MAX_WINDOW[unit]
    count = int(match.group(1)) if len(match.group(1)) <= 6 else longest + 1
    if count > longest:
        raise ValueError(f"{text!r} is longer than the longest window allowed, {longest:,} {unit}s (ten years)")
    return Window(count, unit)  # type: ignore[arg-type]


def _group_depth(nodes: tuple[CriterionNode, ...] | list[CriterionNode]) -> int:
    return max((1 + _group_depth(node.children) for node in nodes if isinstance(node, Group)), default=0)


def iter_criteria(nodes: tuple[CriterionNode, ...] | list[CriterionNode]) -> Iterator[CriterionNode]:
    """Every criterion and group, depth first, parents before their children."""
    for node in nodes:
        yield node
        yield from iter_criteria(node.children)


# ---------------------------------------------------------------------------- reading a pack file


@dataclass
class PackFile:
    """A pack file as read: its raw YAML (with lines), the validated pack if valid, and its content hash."""

    path: Path
    text: str
    sha256: str
    raw: Any
    pack: Pack | None
    yaml_error: tuple[int, str] | None = None
    validation_errors: list[tuple[tuple[int | str, ...], str, str]] = field(default_factory=list)


def read_pack_file(path: Path) -> PackFile:
    """Read and validate a pack file; problems are kept on the result, not raised."""
    with path.open("rb") as handle:
        data = handle.read(limits.MAX_PACK_BYTES + 1)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > limits.MAX_PACK_BYTES:
        reason = f"a pack file is at most {limits.MAX_PACK_BYTES // 1024:,} KiB; this one is larger"
        return PackFile(path, "", digest, None, None, yaml_error=(1, reason))
    text = data.decode("utf-8", errors="replace")
    try:
        raw = load_yaml_with_lines(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = str(getattr(error, "problem", None) or error)
        return PackFile(path, text, digest, None, None, yaml_error=(line, f"this is not valid YAML: {reason}"))
    if not isinstance(raw, LineDict):
        return PackFile(path, text, digest, raw, None, yaml_error=(1, "a pack must be a YAML mapping (id: ..., ...)"))
    try:
        pack = Pack.model_validate(raw)
    except ValidationError as error:
        errors = [
            (tuple(step for step in item["loc"] if step not in ("criterion", "group")), item["type"], item["msg"])
            for item in error.errors()
        ]
        return PackFile(path, text, digest, raw, None, validation_errors=errors)
    return PackFile(path, text, digest, raw, pack)


# ---------------------------------------------------------------------------- finding packs


def packs_dir() -> Path:
    """The folder of the packs that ship with secondchance (`policy/packs/`)."""
    return Path(__file__).resolve().parent / "packs"


def is_pack_text(text: str) -> bool:
    """Whether a YAML file under `packs/` is a pack (has criteria) rather than a data table beside one."""
    return re.search(r"^criteria\s*:", text, re.MULTILINE) is not None


def list_packs() -> list[tuple[str, Path]]:
    """(id, path) of every shipped pack, by id; the id is the path under `packs/` without `.yaml`."""
    root = packs_dir()
    found = []
    for path in sorted(root.rglob("*.yaml")):
        if path.name.endswith(".test.yaml") or not is_pack_text(path.read_text(encoding="utf-8")):
            continue
        found.append((path.relative_to(root).with_suffix("").as_posix(), path))
    return found


def find_pack(reference: str) -> Path:
    """The file of a pack given by id (`us-federal/clemency-2014`) or by path; UserError when none."""
    from secondchance.errors import UserError

    as_path = Path(reference)
    if reference.endswith((".yaml", ".yml")):
        if as_path.is_file():
            return as_path
        raise UserError(f"no pack file at {reference}")
    known = dict(list_packs())
    if reference in known:
        return known[reference]
    import difflib

    close = difflib.get_close_matches(reference, list(known), n=3, cutoff=0.8)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `secondchance pack list` shows the packs"
    raise UserError(f"no pack with id {reference!r}{hint}")
