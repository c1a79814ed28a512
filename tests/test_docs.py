"""The documentation keeps up with the code: docs/records.md is generated, and the records commands are documented."""

from __future__ import annotations

import re
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


def _commands() -> dict[str, Callable[..., Any]]:
    """Every command a user can type, top-level and in groups (`dates compute`), with its function."""
    commands = {
        command.name or command.callback.__name__: command.callback
        for command in app.registered_commands
        if command.callback
    }
    for group in app.registered_groups:
        instance = group.typer_instance
        prefix = group.name or instance.info.name
        for command in instance.registered_commands:
            if command.callback:
                commands[f"{prefix} {command.name or command.callback.__name__}"] = command.callback
    return commands


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_is_shown_in_the_readme_and_has_help(name: str) -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert f"secondchance {name}" in readme, f"`secondchance {name}` is not in README.md"
    help_text = _commands()[name].__doc__ or ""
    assert "Example: secondchance" in help_text, f"`secondchance {name}` has no help with an example"


def _security_tests() -> list[str]:
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"`(tests/[\w/]+\.py::\w+)`", text)))


def test_security_md_names_tests() -> None:
    assert len(_security_tests()) >= 40


@pytest.mark.parametrize("reference", _security_tests())
def test_every_test_security_md_names_exists(reference: str) -> None:
    path, name = reference.split("::")
    source = (DOCS.parent / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"docs/security.md names {reference}, which is gone"


def test_every_module_security_md_names_exists() -> None:
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    modules = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", text))
    source = DOCS.parent / "src" / "secondchance"
    missing = [module for module in modules if not (source / module).is_file() and not (DOCS.parent / module).is_file()]
    assert missing == []
