"""The records store: a DuckDB file holding the tables of `records.schema`.

`open_store` is how every command reaches the store. It refuses, with one line naming the path
and the reason, a path that is not a DuckDB database (a folder, a device, a Parquet or text file,
an empty file, a missing folder), waits a few seconds for a store another process is writing to
and then names that process, and turns a read-only or full disk into one line too.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from secondchance.errors import UserError
from secondchance.records.completeness import SOURCE_COMPLETENESS_SQL
from secondchance.records.schema import DUCKDB_TYPES, TABLES, Table
from secondchance.records.supplied import SUPPLIED_TABLES

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "STORE_WAIT_ENV",
    "STORE_WAIT_SECONDS",
    "check_store_path",
    "default_store_path",
    "store_columns",
    "create_table_sql",
    "ensure_schema",
    "open_store",
    "rollback",
    "storage_problem",
    "table_counts",
]

DEFAULT_STORE = "secondchance.duckdb"
STORE_ENV = "SECONDCHANCE_STORE"
# How long to wait for a store that another process holds before saying it is busy.
STORE_WAIT_SECONDS = 5.0
STORE_WAIT_ENV = "SECONDCHANCE_STORE_WAIT"
_RETRY_SECONDS = 0.2

# A DuckDB database file has "DUCK" at bytes 8 to 12 (after the checksum of its main header).
_DUCKDB_MAGIC = b"DUCK"
_DUCKDB_MAGIC_AT = 8
# What some other files begin with, to say what the path holds instead.
_OTHER_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"PK\x03\x04", "a ZIP archive, such as an XLSX workbook"),
)
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
# Reasons from the operating system that DuckDB passes on, and what to tell the person.
_STORAGE_REASONS: tuple[tuple[str, str], ...] = (
    ("No space left on device", "the disk holding it is full; nothing was written (free some space and try again)"),
    ("Disk quota exceeded", "the disk quota is used up; nothing was written"),
    ("Read-only file system", "it is on a read-only file system"),
    ("Permission denied", "permission denied (check the permissions of the file and its folder)"),
    ("Operation not permitted", "the system does not permit it (is the file or its folder read-only or immutable?)"),
)

INGEST_LOG_SQL = """
CREATE TABLE IF NOT EXISTS ingest_log (
    ingest_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    file_path VARCHAR,
    file_sha256 VARCHAR,
    adapter VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL
)
"""


def default_store_path() -> Path:
    """The store path from `SECONDCHANCE_STORE`, else `./secondchance.duckdb`."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def store_columns(spec: Table) -> list[tuple[str, str]]:
    """(name, DuckDB type) of every stored column of a table, in store order."""
    columns: list[tuple[str, str]] = [("id", "BIGINT")]
    columns += [(ref.internal, "BIGINT") for ref in spec.references]
    columns += [(name, sql_type) for name, sql_type, _ in spec.extra_store_columns]
    for column in spec.columns:
        columns.append((column.name, DUCKDB_TYPES[column.type]))
        if column.enum:
            columns.append((f"{column.name}_raw", "VARCHAR"))
    columns.append(("ingest_id", "BIGINT"))
    return columns


def create_table_sql(spec: Table) -> str:
    """The CREATE TABLE statement of a records table."""
    body = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in store_columns(spec))
    return f"CREATE TABLE IF NOT EXISTS {spec.name} (\n    {body}\n)"


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create every records table, the ingest log, the completeness declarations and the supplied layer if missing."""
    for spec in TABLES:
        connection.execute(create_table_sql(spec))
    connection.execute(INGEST_LOG_SQL)
    connection.execute(SOURCE_COMPLETENESS_SQL)
    for statement in SUPPLIED_TABLES.values():
        connection.execute(statement)


def _what_file_holds(head: bytes) -> str:
    for magic, what in _OTHER_MAGICS:
        if head.startswith(magic):
            return f" (it is {what})"
    return ""


def check_store_path(path: Path, *, read_only: bool = False) -> None:
    """Refuse, with a UserError naming the path and the reason, a path that cannot be a records store."""
    if not path.exists():
        if path.is_symlink():
            raise UserError(f"the store {path} is a link to something that does not exist")
        if read_only:
            raise UserError(f"no records store at {path}")
        parent = path.parent
        if not parent.exists():
            raise UserError(f"the store {path} cannot be created: the folder {parent} does not exist")
        if not parent.is_dir():
            raise UserError(f"the store {path} cannot be created: {parent} is not a folder")
        return
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise UserError(f"the store {path} is a folder, not a DuckDB database file")
    if not stat.S_ISREG(mode):
        raise UserError(f"the store {path} is not a regular file (a device, pipe or socket), so not a DuckDB database")
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as error:
        raise UserError(f"the store {path} cannot be read: {error.strerror}") from None
    if not head:
        raise UserError(f"the store {path} is an empty file, not a DuckDB database (remove it or give another path)")
    if head[_DUCKDB_MAGIC_AT : _DUCKDB_MAGIC_AT + len(_DUCKDB_MAGIC)] != _DUCKDB_MAGIC:
        raise UserError(f"the store {path} is not a DuckDB database{_what_file_holds(head)}")


def _wait_seconds() -> float:
    text = os.environ.get(STORE_WAIT_ENV)
    try:
        return max(0.0, float(text)) if text else STORE_WAIT_SECONDS
    except ValueError:
        raise UserError(f"{STORE_WAIT_ENV}={text!r} is not a number of seconds") from None


def _process_command(pid: str) -> str:
    """The program of a process (and its subcommand), when /proc lets us read it; empty otherwise.

    Not the whole command line: its arguments may be a person's name or id.
    """
    try:
        words = [word.decode("utf-8", "replace") for word in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
    except OSError:
        return ""
    if not words or not words[0]:
        return ""
    program = Path(words[0]).name[:40]
    subcommand = words[1] if len(words) > 1 and words[1].isalpha() and len(words[1]) <= 20 else ""
    return f"{program} {subcommand}".strip()


def _busy_message(path: Path, reason: str, read_only: bool) -> str:
    holder = _LOCK_HOLDER.search(reason)
    if holder is None:
        return f"the store {path} is busy: another process is using it; try again when it finishes"
    command = _process_command(holder["pid"]) or holder["program"]
    # A reader's lock never blocks another reader, so a reader was blocked by a writer.
    doing = "writing to it" if read_only else "using it"
    return f"the store {path} is busy: process {holder['pid']} ({command}) is {doing}; try again when it finishes"


def storage_problem(path: Path, error: duckdb.Error, *, naming_it: bool = False) -> UserError | None:
    """A one-line UserError for a full, read-only or forbidden store, or None for any other error.

    With `naming_it`, only an error that names the store's file (or its write-ahead log) counts:
    a command's other files (an export folder, say) can be full or read-only too.
    """
    text = str(error)
    if naming_it and path.name not in text:
        return None
    for needle, reason in _STORAGE_REASONS:
        if needle in text:
            return UserError(f"the store {path} cannot be written: {reason}")
    return None


def _is_empty(connection: duckdb.DuckDBPyConnection) -> bool:
    row = connection.execute("SELECT count(*) FROM duckdb_tables() WHERE NOT temporary").fetchone()
    return not row or not row[0]


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    line = lines[0] if lines else type(error).__name__
    return line.removeprefix("IO Error: ")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect to the store; a store that another process holds is retried for a few seconds."""
    deadline: float | None = None
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as error:
            if "Could not set lock" not in str(error):
                raise storage_problem(path, error) or UserError(
                    f"the store {path} cannot be opened: {_first_line(error)}"
                ) from None
            if deadline is None:
                deadline = time.monotonic() + _wait_seconds()
                print(f"waiting for the store {path}: another process holds it", file=sys.stderr, flush=True)
            if time.monotonic() >= deadline:
                raise UserError(_busy_message(path, str(error), read_only)) from None
            time.sleep(_RETRY_SECONDS)


@contextmanager
def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the records store (creating its tables unless read-only) and close it afterwards.

    Raises a UserError (one line) when the path cannot be a store, when another process keeps
    it busy, or when the disk is full or read-only. A store this call created is removed again
    when the work inside fails, so a failed first load leaves no store behind.
    """
    store_path = Path(path) if path is not None else default_store_path()
    check_store_path(store_path, read_only=read_only)
    existed = store_path.exists()
    connection = _connect(store_path, read_only)
    # Created by this call only if it is still empty once ours: a process we waited for may have
    # created and filled it meanwhile, and that store must never be removed.
    created = not existed and _is_empty(connection)
    failed = True
    try:
        if not read_only:
            ensure_schema(connection)
        yield connection
        failed = False
    except duckdb.Error as error:
        problem = storage_problem(store_path, error, naming_it=True)
        if problem is None:
            raise
        raise problem from None
    finally:
        connection.close()
        if failed and created:
            _remove_store(store_path)


def rollback(connection: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction; a commit that failed has already ended it, which is fine."""
    try:
        connection.rollback()
    except duckdb.TransactionException:
        pass


def _remove_store(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def table_counts(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per records table (0 for a table the store does not have yet)."""
    existing = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    counts: dict[str, int] = {}
    for spec in TABLES:
        if spec.name in existing:
            row = connection.execute(f"SELECT count(*) FROM {spec.name}").fetchone()
            counts[spec.name] = int(row[0]) if row else 0
        else:
            counts[spec.name] = 0
    return counts
