"""Export of the store to a folder of Parquet files, one per table, and import of such a folder.

The folder is the scale-out form of the store (DESIGN.md, "Two stores"): Spark reads
`<table>.parquet` directly. An import restores the rows as they were exported, internal ids
included, in one transaction.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from secondchance.errors import UserError
from secondchance.records.schema import TABLE_NAMES
from secondchance.records.store import ensure_schema
from secondchance.records.validate import quote_identifier, quote_literal

__all__ = ["export_parquet", "import_parquet", "store_tables"]


def store_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables of the store's main schema: records tables first (in schema order), then the others by name."""
    names = {
        str(row[0])
        for row in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary"
        ).fetchall()
    }
    records = [name for name in TABLE_NAMES if name in names]
    return records + sorted(names - set(records))


def export_parquet(connection: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, int]:
    """Write every table of the store to `directory/<table>.parquet`; returns rows written per table."""
    connection.execute("SET enable_progress_bar = false")  # it would write into the command's output
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name in store_tables(connection):
        target = directory / f"{name}.parquet"
        connection.execute(
            f"COPY {quote_identifier(name)} TO {quote_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
        )
        row = connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def import_parquet(connection: duckdb.DuckDBPyConnection, directory: Path, *, replace: bool = False) -> dict[str, int]:
    """Load every `<table>.parquet` of `directory` into the store in one transaction.

    Refuses (UserError, store unchanged) when a target table already holds rows, unless
    `replace`, which empties it first; when a file has columns the table lacks; or when the
    rows repeat an internal id or a (source, source_id) key.
    """
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder of Parquet files")
    files = sorted(directory.glob("*.parquet"))
    if not files:
        raise UserError(f"{directory}: no .parquet files to import")
    ensure_schema(connection)
    connection.execute("SET enable_progress_bar = false")  # it would write into the command's output
    existing = set(store_tables(connection))
    problems: list[str] = []
    for file in files:
        name = file.stem
        try:
            columns = {
                str(row[0]): str(row[1])
                for row in connection.execute(
                    f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(file))})"
                ).fetchall()
            }
        except duckdb.Error as error:
            problems.append(f"{file.name}: cannot be read as Parquet: {str(error).splitlines()[0]}")
            continue
        if name in existing:
            table_columns = {str(row[0]) for row in connection.execute(f"DESCRIBE {quote_identifier(name)}").fetchall()}
            unknown = sorted(set(columns) - table_columns)
            if unknown:
                problems.append(f"{file.name}: columns not in table {name}: {', '.join(unknown)}")
            row = connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()
            if row and row[0] and not replace:
                problems.append(
                    f"{file.name}: table {name} already holds {row[0]:,} rows (use --replace to replace them)"
                )
        if name in TABLE_NAMES:
            problems += _key_problems(connection, file)
    if problems:
        raise UserError("refused, nothing was imported:\n" + "\n".join(problems))
    counts: dict[str, int] = {}
    connection.begin()
    try:
        for file in files:
            name, source = quote_identifier(file.stem), f"read_parquet({quote_literal(str(file))})"
            if file.stem in existing:
                connection.execute(f"DELETE FROM {name}")
                connection.execute(f"INSERT INTO {name} BY NAME SELECT * FROM {source}")
            else:
                connection.execute(f"CREATE TABLE {name} AS SELECT * FROM {source}")
            row = connection.execute(f"SELECT count(*) FROM {name}").fetchone()
            counts[file.stem] = int(row[0]) if row else 0
        connection.commit()
    except duckdb.Error as error:
        connection.rollback()
        raise UserError(f"refused, nothing was imported: {str(error).splitlines()[0]}") from None
    except BaseException:
        connection.rollback()
        raise
    return counts


def _key_problems(connection: duckdb.DuckDBPyConnection, file: Path) -> list[str]:
    source = f"read_parquet({quote_literal(str(file))})"
    problems = []
    for key in ("id", "source, source_id"):
        row = connection.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM {source} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()
        if row and row[0]:
            problems.append(f"{file.name}: {row[0]:,} values of ({key}) appear more than once")
    return problems
