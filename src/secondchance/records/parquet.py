"""Export of the store to a folder of Parquet files, one per table, and import of such a folder.

The folder is the scale-out form of the store (DESIGN.md, "Two stores"): Spark reads
`<table>.parquet` directly. An import restores the rows as they were exported, internal ids
included, in one transaction. It takes only the tables an export writes: the records tables,
checked row by row exactly as `ingest` checks a file, and the tables the other parts of
secondchance keep in the store (their DDL given by the caller), checked against that DDL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from secondchance.errors import UserError
from secondchance.records.completeness import SOURCE_COMPLETENESS_SQL
from secondchance.records.ingest import import_files
from secondchance.records.problems import IngestError, Problem
from secondchance.records.readers import error_reason
from secondchance.records.schema import TABLE_NAMES, TABLES
from secondchance.records.store import INGEST_LOG_SQL, ensure_schema
from secondchance.records.supplied import SUPPLIED_TABLES
from secondchance.records.validate import quote_identifier, quote_literal

__all__ = ["export_parquet", "import_parquet", "store_tables"]

_REFUSED = "nothing was imported"


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
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"{directory}: cannot be created: {error.strerror}") from None
    counts: dict[str, int] = {}
    for name in store_tables(connection):
        target = directory / f"{name}.parquet"
        try:
            connection.execute(
                f"COPY {quote_identifier(name)} TO {quote_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
            )
        except duckdb.IOException as error:
            raise UserError(f"{target}: cannot be written: {error_reason(error)[1]}") from None
        row = connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


@dataclass(frozen=True)
class _Derived:
    """A table other than a records table that an export may hold: its DDL and its columns."""

    name: str
    ddl: str
    columns: frozenset[str]


def _derived_tables(ddl: Sequence[str]) -> dict[str, _Derived]:
    """The tables the DDL statements create, the ingest log, the completeness declarations and the supplied layer.

    Each is created in a scratch database to read its columns.
    """
    tables: dict[str, _Derived] = {}
    with duckdb.connect() as scratch:
        for statement in (INGEST_LOG_SQL, SOURCE_COMPLETENESS_SQL, *SUPPLIED_TABLES.values(), *ddl):
            before = {row[0] for row in scratch.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            scratch.execute(statement)
            after = {row[0] for row in scratch.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            for name in after - before:
                columns = frozenset(str(row[0]) for row in scratch.execute(f"DESCRIBE {name}").fetchall())
                tables[str(name)] = _Derived(str(name), statement, columns)
    return tables


def _row_count(connection: duckdb.DuckDBPyConnection, name: str) -> int:
    exists = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND table_name = ?", [name]
    ).fetchone()
    if not exists or not exists[0]:
        return 0
    row = connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()
    return int(row[0]) if row else 0


def _file_columns(connection: duckdb.DuckDBPyConnection, file: Path) -> set[str]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM read_parquet({quote_literal(str(file))})").fetchall()
    return {str(row[0]) for row in rows}


def _file_problems(
    connection: duckdb.DuckDBPyConnection, files: list[Path], derived: Mapping[str, _Derived], replace: bool
) -> list[Problem]:
    """Problems with the folder as a whole: files of unknown tables, tables that hold rows, unknown columns."""
    known = [*TABLE_NAMES, *sorted(derived)]
    problems = []
    for file in files:
        name = file.stem
        if name not in known:
            reason = f"not a table an export holds; the tables are {', '.join(known)}"
            problems.append(Problem(file.name, None, None, None, reason))
            continue
        held = _row_count(connection, name)
        if held and not replace:
            reason = f"table {name} already holds {held:,} rows (use --replace to replace them)"
            problems.append(Problem(file.name, None, None, None, reason))
        if name in derived:
            problems += _derived_column_problems(connection, file, derived[name])
    return problems


def _orphan_problems(connection: duckdb.DuckDBPyConnection, directory: Path, files: list[Path]) -> list[Problem]:
    """With --replace: rows the import keeps (tables it does not hold) must not refer to rows it replaces."""
    imported = {file.stem for file in files}
    problems = []
    for spec in TABLES:
        if spec.name in imported or not _row_count(connection, spec.name):
            continue
        for target in sorted({ref.table for ref in spec.references if ref.table in imported}):
            reason = (
                f"the store's {spec.name} rows refer to {target} rows, which the import replaces; "
                f"the folder must hold {spec.name}.parquet too"
            )
            problems.append(Problem(str(directory), None, None, None, reason))
    return problems


def _derived_column_problems(connection: duckdb.DuckDBPyConnection, file: Path, table: _Derived) -> list[Problem]:
    try:
        unknown = sorted(_file_columns(connection, file) - table.columns)
    except duckdb.Error as error:
        return [Problem(file.name, None, None, None, f"file cannot be read as Parquet: {error_reason(error)[1]}")]
    if not unknown:
        return []
    return [Problem(file.name, None, None, None, f"columns not in table {table.name}: {', '.join(unknown)}")]


def _load_derived(
    connection: duckdb.DuckDBPyConnection, files: list[Path], derived: Mapping[str, _Derived], replace: bool
) -> dict[str, int]:
    """Write the export's other tables (inside the import's transaction); returns rows per table."""
    counts: dict[str, int] = {}
    for file in files:
        table = derived[file.stem]
        name = quote_identifier(table.name)
        connection.execute(table.ddl)
        if replace:
            connection.execute(f"DELETE FROM {name}")
        try:
            connection.execute(f"INSERT INTO {name} BY NAME SELECT * FROM read_parquet({quote_literal(str(file))})")
        except duckdb.Error as error:
            reason = f"cannot be imported into table {table.name}: {error_reason(error)[1]}"
            raise IngestError([Problem(file.name, None, None, None, reason)], _summary(1)) from None
        counts[table.name] = _row_count(connection, table.name)
    return counts


def _summary(count: int) -> str:
    return f"refused: {count} problem{'s' if count != 1 else ''} found, {_REFUSED}"


def import_parquet(
    connection: duckdb.DuckDBPyConnection,
    directory: Path,
    *,
    replace: bool = False,
    derived_ddl: Sequence[str] = (),
) -> dict[str, int]:
    """Load every `<table>.parquet` of `directory` into the store in one transaction; rows per table.

    Records tables are checked as `ingest` checks a file (types, required values, enumerations,
    ranges, keys, references) and keep their internal ids; `derived_ddl` creates the other
    tables an export may hold (computed dates, screening results; the ingest log and the
    completeness declarations are known here).
    Refuses (IngestError, store unchanged) a file of any other table, a table that already
    holds rows unless `replace`, which replaces them (then rows the folder does not replace
    may not refer to rows it does), and any row that ingest would refuse.
    """
    if not directory.is_dir():
        raise UserError(f"{directory}: not a folder of Parquet files")
    files = sorted(directory.glob("*.parquet"))
    if not files:
        raise UserError(f"{directory}: no .parquet files to import")
    ensure_schema(connection)
    connection.execute("SET enable_progress_bar = false")  # it would write into the command's output
    derived = _derived_tables(derived_ddl)
    problems = _file_problems(connection, files, derived, replace)
    if replace:
        problems += _orphan_problems(connection, directory, files)
    if problems:
        raise IngestError(problems, _summary(len(problems)))
    records = {file.stem: file for file in files if file.stem in TABLE_NAMES}
    others = [file for file in files if file.stem in derived]
    counts: dict[str, int] = {}
    try:
        counts |= import_files(
            connection,
            records,
            replace=replace,
            also=lambda writer: counts.update(_load_derived(writer, others, derived, replace)),
        )
    except IngestError as error:
        raise IngestError(error.problems, _summary(len(error.problems))) from None
    return {file.stem: counts.get(file.stem, 0) for file in files}
