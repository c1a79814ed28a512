"""Load and validate jurisdiction profiles, reporting each problem with its file, line and field."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from secondchance.errors import UserError
from secondchance.sentencing.profiles.model import Profile

__all__ = ["load_profile", "builtin_profile", "builtin_profile_ids", "ProfileError"]


class ProfileError(UserError):
    """A profile file that cannot be used; the message lists every problem with its line and field."""


def builtin_profile_ids() -> list[str]:
    """The ids of the profiles shipped with secondchance (file names without `.yaml`)."""
    folder = resources.files("secondchance.sentencing.profiles")
    return sorted(item.name.removesuffix(".yaml") for item in folder.iterdir() if item.name.endswith(".yaml"))


@cache
def builtin_profile(profile_id: str) -> Profile:
    """A shipped profile by id, e.g. `us-la`."""
    if profile_id not in builtin_profile_ids():
        raise UserError(f"no profile {profile_id!r}; shipped profiles: {', '.join(builtin_profile_ids())}")
    path = Path(str(resources.files("secondchance.sentencing.profiles").joinpath(f"{profile_id}.yaml")))
    return load_profile(path)


def load_profile(path: Path) -> Profile:
    """Read and validate a profile file; raise ProfileError naming the file, line and field of each problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(f"{path}: cannot read the profile ({error.strerror})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ProfileError(f"{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}:1: a profile is a mapping with id, title, format, sources and versions")
    try:
        return Profile.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            location = [part for part in problem["loc"] if not _is_union_tag(part)]
            line = _line_of(root, location)
            field = ".".join(str(part) for part in location) or "(profile)"
            problems.append(f"{path}:{line}: {field}: {problem['msg']}")
        raise ProfileError("\n".join(problems)) from None


def _is_union_tag(part: Any) -> bool:
    # pydantic adds the member type of a union to the location ("bool", "int", "Range"); drop it
    return isinstance(part, str) and (part in {"bool", "int", "Range"} or part.startswith("function-"))


def _line_of(node: yaml.Node | None, location: list[Any]) -> int:
    """The 1-based line of the deepest node along `location` that exists in the YAML tree."""
    line = 1 if node is None else node.start_mark.line + 1
    for part in location:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
