"""The `secondchance` command: one subcommand per job (DESIGN.md, "Interfaces").

Each domain has its own module here that registers its commands on `app`. `main` is the one safety net
between the commands and the person running them: exit codes are 0 ok, 1 user error (one line, never a
traceback), 2 usage, 70 internal error (one line; the traceback goes to a log file), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import duckdb
import typer

from secondchance.cli import (
    _dates,
    _dates_bulk,
    _dates_federal,
    _dates_state,
    _demo,
    _explain,
    _facts,
    _generate,
    _path,
    _policy,
    _records,
    _supplied,
)
from secondchance.cli._app import app, console_error
from secondchance.cli._errors import (
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    user_message,
    write_crash_log,
)

__all__ = ["app", "main", "run"]

_records.register(app)
_generate.register(app)
_demo.register(app)
_dates.register(app)
_facts.register(app)
_policy.register(app)
_explain.register(app)
_supplied.register(app)
_path.register(app)
_dates_state.register()
_dates_federal.register()
_dates_bulk.register()


def main() -> None:
    """Run the command line on `sys.argv` and exit with its code."""
    sys.exit(run(sys.argv[1:]))


def run(args: Sequence[str]) -> int:
    """Run the command line on `args` and return its exit code; every error ends in one line."""
    command = typer.main.get_command(app)
    try:
        # Standalone mode keeps Click's own handling: usage errors print their help and exit 2.
        command.main(args=list(args), prog_name="secondchance", standalone_mode=True)
    except SystemExit as exit_:
        return _exit_code(exit_)
    except (KeyboardInterrupt, duckdb.InterruptException):
        return _interrupted()
    except BrokenPipeError:
        return _broken_pipe()
    except Exception as error:
        return _report(error, args)
    except BaseException as error:  # a Rust panic from an extension is a BaseException: still a bug
        if isinstance(error, GeneratorExit):
            raise
        return _report(error, args)
    return 0


def _exit_code(exit_: SystemExit) -> int:
    code = exit_.code
    if code is None:
        return 0
    if isinstance(code, int):
        if code == EXIT_INTERRUPTED:  # Click turns Ctrl-C into a silent exit 130
            return _interrupted()
        return code
    console_error(str(code))
    return EXIT_USER_ERROR


def _interrupted() -> int:
    console_error("interrupted")
    return EXIT_INTERRUPTED


def _broken_pipe() -> int:
    """The reader of standard output went away (e.g. `| head`): stop quietly."""
    # Point standard output at /dev/null so flushing it at exit does not raise a second time.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_USER_ERROR


def _report(error: BaseException, args: Sequence[str]) -> int:
    """One line for the error: the reason for a user error, a request for a report for a bug."""
    message = user_message(error)
    if message is not None:
        console_error(message)
        return EXIT_USER_ERROR
    try:
        log = write_crash_log(error, _command_words(args))
    except OSError:
        console_error(f"secondchance hit an internal error ({type(error).__name__}); please report it")
    else:
        console_error(f"secondchance hit an internal error; the details are in {log}; please report it")
    return EXIT_INTERNAL_ERROR


def _command_words(args: Sequence[str]) -> list[str]:
    """The subcommands and option names of `args`, without the values (which may be records)."""
    words: list[str] = []
    group: object = typer.main.get_command(app)
    for arg in args:
        commands = getattr(group, "commands", {})
        if arg.startswith("--") or (arg.startswith("-") and arg[1:].isalpha()):
            words.append(arg.split("=", 1)[0])
        elif arg in commands:
            words.append(arg)
            group = commands[arg]
    return words
