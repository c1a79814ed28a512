"""The documentation keeps up with the code: docs/records.md is generated, and the records commands are documented."""

from __future__ import annotations

import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from secondchance.cli import app
from secondchance.docs import RECORDS_DOC, records_doc
from secondchance.records.schema import TABLES

DOCS = Path(__file__).resolve().parents[1] / "docs"
RECORDS_COMMANDS = ("ingest", "export", "import")


def test_records_md_is_what_the_generator_writes() -> None:
    assert RECORDS_DOC.read_text(encoding="utf-8") == records_doc(), "docs/records.md is stale: run `make docs`"


def test_records_md_lists_every_table_and_column() -> None:
    text = RECORDS_DOC.read_text(encoding="utf-8")
    for spec in TABLES:
        assert f"## `{spec.name}`" in text
        for column in spec.columns:
            assert f"| `{column.name}` |" in text, f"{spec.name}.{column.name}"


def _callback(name: str) -> Callable[..., Any]:
    for command in app.registered_commands:
        callback = command.callback
        if callback is not None and (command.name or callback.__name__) == name:
            return callback
    raise AssertionError(f"no command {name}")


def _options(callback: Callable[..., Any]) -> list[str]:
    """The long options a command declares (`--table`, ...), from its annotations."""
    options = []
    for hint in typing.get_type_hints(callback, include_extras=True).values():
        for meta in getattr(hint, "__metadata__", ()):
            default = getattr(meta, "default", None)
            if isinstance(default, str) and default.startswith("--"):
                options.append(default)
    return options


@pytest.mark.parametrize("name", RECORDS_COMMANDS)
def test_records_commands_and_their_options_are_in_ingest_md(name: str) -> None:
    text = (DOCS / "ingest.md").read_text(encoding="utf-8")
    assert f"secondchance {name}" in text
    options = _options(_callback(name))
    assert "--store" in options
    for option in options:
        assert option in text, f"{name} {option} is not in docs/ingest.md"
