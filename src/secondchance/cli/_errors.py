"""How an exception that reaches the command line becomes one line for the person running it.

A user error (bad input, a file that cannot be read or written, a file DuckDB or Spark cannot use) is
`error: ...` and exit code 1. Anything else is a bug: one line asking for a report, exit code 70
(EX_SOFTWARE in sysexits.h), and the traceback in a log file. The log holds the traceback's frames and
exception types but no exception messages and no option values, which may quote records.
"""

from __future__ import annotations

import errno
import os
import platform
import re
import tempfile
import traceback
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from secondchance.errors import UserError

__all__ = [
    "EXIT_INTERNAL_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "EXIT_USER_ERROR",
    "LOG_DIR_ENV",
    "crash_log_dir",
    "crash_report",
    "first_line",
    "is_java_error",
    "is_spark_error",
    "os_error_message",
    "spark_first_line",
    "user_message",
    "write_crash_log",
]

EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL_ERROR = 70
EXIT_INTERRUPTED = 130
LOG_DIR_ENV = "SECONDCHANCE_LOG_DIR"

# Errors of the file system that name something the person can fix: a path, a permission, a full disk.
USER_OS_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EDQUOT,
        errno.EEXIST,
        errno.EFBIG,
        errno.EIO,
        errno.EISDIR,
        errno.ELOOP,
        errno.ENAMETOOLONG,
        errno.ENOENT,
        errno.ENOSPC,
        errno.ENOTDIR,
        errno.EPERM,
        errno.EROFS,
        errno.ETXTBSY,
    }
)

# DuckDB errors caused by the files and values it was given, or by the machine, not by our SQL. Binder,
# catalog, parser and internal errors are not here: outside the places that read a user's own SQL
# relations (and turn those errors into messages there), they are bugs.
USER_DUCKDB_ERRORS: tuple[type[duckdb.Error], ...] = (
    duckdb.IOException,
    duckdb.PermissionException,
    duckdb.OutOfMemoryException,
    duckdb.SerializationException,
    duckdb.TransactionException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.InvalidInputException,
)

# A value quoted in a message is cut to this many characters: enough for a path or an id, not a record.
QUOTED_VALUE_LIMIT = 80
MESSAGE_LIMIT = 400
_QUOTED = re.compile(r"""(["'])(.*?)\1""")


def user_message(error: BaseException) -> str | None:
    """The one-line message for an error the person can act on, or None for a bug."""
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, OSError) and error.errno in USER_OS_ERRNOS:
        return os_error_message(error)
    if isinstance(error, USER_DUCKDB_ERRORS):
        return first_line(str(error))
    if is_spark_error(error):
        return f"Spark: {spark_first_line(error)}"
    return None


def os_error_message(error: OSError) -> str:
    """`PATH: reason` from an OSError, with the reason in the operating system's words."""
    reason = os.strerror(error.errno) if error.errno is not None else (error.strerror or type(error).__name__)
    paths = [str(name) for name in (error.filename, error.filename2) if name is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def first_line(text: str) -> str:
    """The first non-empty line of a message, quoted values and the whole cut short."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    line = lines[0] if lines else "no message"
    line = _QUOTED.sub(_shorten_quoted, line)
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 1] + "…"


def _shorten_quoted(match: re.Match[str]) -> str:
    quote, value = match.group(1), match.group(2)
    if len(value) > QUOTED_VALUE_LIMIT:
        value = value[: QUOTED_VALUE_LIMIT - 1] + "…"
    return f"{quote}{value}{quote}"


def is_spark_error(error: BaseException) -> bool:
    """Whether the error is one PySpark raises for its input or its start (checked without importing pyspark)."""
    return any(
        cls.__module__.startswith("pyspark.") and cls.__name__ == "PySparkException" for cls in type(error).__mro__
    )


def is_java_error(error: BaseException) -> bool:
    """Whether the error is a Java exception Spark's JVM raised through py4j (e.g. a file it cannot read)."""
    return type(error).__module__ == "py4j.protocol" and type(error).__name__ == "Py4JJavaError"


def spark_first_line(error: BaseException) -> str:
    """The line of a Spark or py4j error that says what went wrong, not which Java method was called."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("An error occurred while calling"):
        return first_line(lines[1].removeprefix(":").strip())
    return first_line(str(error))


def crash_log_dir() -> Path:
    """Where bug reports' tracebacks go: $SECONDCHANCE_LOG_DIR, else the XDG state folder."""
    configured = os.environ.get(LOG_DIR_ENV)
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "secondchance"


def write_crash_log(error: BaseException, command_words: Sequence[str]) -> Path:
    """Write the traceback of a bug to a new file in the log folder (else the temporary folder); its path."""
    name = f"crash-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{uuid.uuid4().hex[:6]}.log"
    text = crash_report(error, command_words)
    # The fallback is per user, so nobody else's folder in a shared /tmp receives it.
    fallback = Path(tempfile.gettempdir()) / f"secondchance-{os.getuid()}"
    for folder in (crash_log_dir(), fallback):
        try:
            return _write_private(folder / name, text)
        except OSError:
            continue  # an unwritable log folder must not hide the bug: try the next one
    raise OSError(errno.EACCES, "no writable folder for the crash log")


def _write_private(path: Path, text: str) -> Path:
    """Create `path` readable by its owner only, refusing an existing file or a symbolic link in its place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, 0o600), "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def crash_report(error: BaseException, command_words: Sequence[str]) -> str:
    """The crash log's text: versions, the command and its option names, and each chained traceback."""
    from secondchance import __version__

    lines = [
        f"secondchance {__version__}, Python {platform.python_version()}, {platform.platform()}",
        f"command: secondchance {' '.join(command_words)}",
        "Exception messages are left out: they may quote records.",
        "",
    ]
    for link in reversed(_chain(error)):
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in traceback.format_list(traceback.extract_tb(link.__traceback__)))
        lines.append(f"{type(link).__module__}.{type(link).__qualname__}")
        lines.append("")
    return "\n".join(lines)


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the errors it was raised from or during, newest first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain
