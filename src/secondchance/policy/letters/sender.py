"""The sender of the letters: the organisation, who signs, its address and how to reach it.

Given as a YAML file (`--sender FILE`, or the file named by the environment variable
`SECONDCHANCE_LETTER_SENDER`):

```yaml
organisation: Second Chance Legal Aid
name: Maria Lopez, paralegal
address: [100 Main Street, Springfield, IL 62701]
phone: (217) 555-0100
email: letters@example.org
```

The file is read with the packs' YAML loader (`policy.pack.load_yaml_with_lines`: no aliases, depth,
size and text limits) and checked field by field; every problem names the file, line and field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr, ValidationError

from secondchance.errors import UserError
from secondchance.policy.limits import CONTROL_CHARACTERS
from secondchance.policy.pack import LineDict, line_of, load_yaml_with_lines

__all__ = ["MAX_SENDER_BYTES", "SENDER_ENV", "Sender", "find_sender", "read_sender"]

SENDER_ENV = "SECONDCHANCE_LETTER_SENDER"
MAX_SENDER_BYTES = 64 * 1024
_MAX_CHARS = 200


def _one_line(value: str) -> str:
    if CONTROL_CHARACTERS.search(value) or "\n" in value or "\r" in value:
        raise ValueError("a value cannot hold line breaks or control characters")
    if not value.strip():
        raise ValueError("empty")
    return value.strip()


Line = Annotated[StrictStr, Field(max_length=_MAX_CHARS), AfterValidator(_one_line)]


class _SenderModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation: Line
    name: Line
    address: list[Line] = Field(min_length=1, max_length=5)
    phone: Line | None = None
    email: Annotated[Line, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None


@dataclass(frozen=True)
class Sender:
    """Who the letters come from and how the person can reach them."""

    organisation: str
    name: str
    address: tuple[str, ...]
    phone: str | None = None
    email: str | None = None


def _refuse(path: Path, line: int, field: str | None, reason: str) -> UserError:
    return UserError(f"{path}, line {line}" + (f", field {field}" if field else "") + f": {reason}")


def _parse(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SENDER_BYTES + 1)
    except OSError as error:
        raise UserError(f"--sender {path}: {error.strerror}") from None
    if len(data) > MAX_SENDER_BYTES:
        raise _refuse(path, 1, None, f"a sender file is at most {MAX_SENDER_BYTES // 1024} KiB; this one is larger")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse(path, 1, None, "the file is not UTF-8 text") from None
    try:
        raw = load_yaml_with_lines(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        reason = f"this is not valid YAML: the character #x{error.character:x} is not allowed"
        raise _refuse(path, line, None, reason) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = " ".join(str(getattr(error, "problem", None) or error).split())
        raise _refuse(path, mark.line + 1 if mark else 1, None, f"this is not valid YAML: {reason}") from None
    if not isinstance(raw, LineDict):
        raise _refuse(path, 1, None, "a sender file is a YAML mapping (organisation: ..., name: ..., address: [...])")
    if raw.duplicate_keys:
        key, line, first = raw.duplicate_keys[0]
        raise _refuse(path, line, str(key), f"given twice (first on line {first})")
    return raw


def read_sender(path: Path) -> Sender:
    """The sender in a YAML file, checked; a UserError naming file, line and field on any problem."""
    raw = _parse(path)
    try:
        model = _SenderModel.model_validate(raw)
    except ValidationError as error:
        problem = error.errors()[0]
        location = tuple(problem["loc"])
        field = ".".join(str(step) for step in location) or None
        reason = "required" if problem["type"] == "missing" else problem["msg"].removeprefix("Value error, ")
        raise _refuse(path, line_of(raw, location), field, reason) from None
    if model.phone is None and model.email is None:
        raise _refuse(path, raw.line or 1, "phone", "give a phone number or an email address (or both)")
    return Sender(model.organisation, model.name, tuple(model.address), model.phone, model.email)


def find_sender(path: Path | None) -> Sender | None:
    """The sender given on the command line, else the file named by SECONDCHANCE_LETTER_SENDER, else None."""
    if path is not None:
        return read_sender(path)
    configured = os.environ.get(SENDER_ENV)
    return read_sender(Path(configured)) if configured else None
