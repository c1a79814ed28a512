"""The `secondchance` command: one subcommand per job (DESIGN.md, "Interfaces").

Each domain has its own module here that registers its commands on `app`;
exit codes are 0 ok, 1 user error (a message, never a traceback), 2 usage.
"""

from __future__ import annotations

import sys

from secondchance.cli import (
    _dates,
    _dates_bulk,
    _dates_federal,
    _dates_state,
    _demo,
    _explain,
    _facts,
    _generate,
    _policy,
    _records,
)
from secondchance.cli._app import app, console_error
from secondchance.errors import UserError

__all__ = ["app", "main"]

_records.register(app)
_generate.register(app)
_demo.register(app)
_dates.register(app)
_facts.register(app)
_policy.register(app)
_explain.register(app)
_dates_state.register()
_dates_federal.register()
_dates_bulk.register()


def main() -> None:
    """Run the command line, turning user errors into exit code 1 with a message."""
    try:
        app()
    except UserError as error:
        console_error(str(error))
        sys.exit(1)
