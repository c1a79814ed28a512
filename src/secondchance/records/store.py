"""The records store: a DuckDB file holding the tables of `records.schema`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from secondchance.records.schema import DUCKDB_TYPES, TABLES, Table

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "default_store_path",
    "store_columns",
    "create_table_sql",
    "ensure_schema",
    "open_store",
    "table_counts",
]

DEFAULT_STORE = "secondchance.duckdb"
STORE_ENV = "SECONDCHANCE_STORE"

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
    """Create every records table and the ingest log if they are missing."""
    for spec in TABLES:
        connection.execute(create_table_sql(spec))
    connection.execute(INGEST_LOG_SQL)


@contextmanager
def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the records store (creating its tables unless read-only) and close it afterwards."""
    store_path = Path(path) if path is not None else default_store_path()
    if read_only and not store_path.exists():
        raise FileNotFoundError(f"no records store at {store_path}")
    connection = duckdb.connect(str(store_path), read_only=read_only)
    try:
        if not read_only:
            ensure_schema(connection)
        yield connection
    finally:
        connection.close()


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
