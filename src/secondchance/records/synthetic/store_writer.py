"""Write generated tables into the records store: every store column, internal ids, one ingest_log row per table.

Previous synthetic rows are replaced in one transaction; rows from other sources are kept and
the new internal ids start after theirs. The same transaction writes what the population holds in
full (`COMPLETENESS`, the `source_completeness` rows of source `synthetic`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import duckdb
import polars as pl

from secondchance.records.completeness import Completeness, complete, not_complete, write_declarations
from secondchance.records.schema import TABLE_NAMES, TABLES
from secondchance.records.store import ensure_schema, store_columns
from secondchance.records.synthetic.vocabulary import RAW_LABELS

__all__ = ["SOURCE", "COMPLETENESS", "write_tables"]

SOURCE = "synthetic"
# The generator writes every record it draws, so a missing row is none; but it writes a jail credit of 0
# where there was none, and an empty credit is a drawn unknown (calibration.MISSING_RATES).
COMPLETENESS: Completeness = {
    "charge": complete("every count drawn is written, one to three per sentence"),
    "enhancement": complete("every enhancement drawn is written; an empty field is none"),
    "jail_credit": not_complete("a credit of none is written as 0; an empty credit is a drawn unknown (MISSING_RATES)"),
    "prior_sentence": complete("every earlier commitment drawn is written as a completed sentence"),
    "custody_period": complete("every custody period drawn is written"),
    "incident": complete("every incident drawn is written"),
    "enrollment": complete("every referral, enrolment and completion drawn is written"),
}

_POLARS_TYPES: dict[str, pl.DataType] = {
    "BIGINT": pl.Int64(),
    "VARCHAR": pl.String(),
    "DATE": pl.Date(),
    "DOUBLE": pl.Float64(),
    "BOOLEAN": pl.Boolean(),
}


def write_tables(
    connection: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pl.DataFrame] | Iterable[tuple[str, pl.DataFrame]],
    *,
    on_table: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Replace the synthetic rows of every records table with `frames` (local ids from 1); return row counts.

    `frames` is a mapping, or (table, frame) pairs, which may be produced lazily so that each frame
    can be freed once stored; a table given no frame gets no rows.
    """
    pairs = (
        ((name, frames.get(name, pl.DataFrame())) for name in TABLE_NAMES) if isinstance(frames, Mapping) else frames
    )
    ensure_schema(connection)
    _run(connection, "BEGIN TRANSACTION")
    try:
        for spec in TABLES:
            _run(connection, f"DELETE FROM {spec.name} WHERE source = ?", [SOURCE])
        bases = {spec.name: _scalar(connection, f"SELECT coalesce(max(id), 0) FROM {spec.name}") for spec in TABLES}
        next_ingest = _scalar(connection, "SELECT coalesce(max(ingest_id), 0) FROM ingest_log") + 1
        write_declarations(connection, [SOURCE], COMPLETENESS, next_ingest)
        counts: dict[str, int] = {}
        for name, frame in pairs:
            if on_table is not None:
                on_table(name)
            counts[name] = _insert(connection, name, frame, bases, next_ingest)
            next_ingest += 1
        for name in TABLE_NAMES:
            if name not in counts:
                counts[name] = _insert(connection, name, pl.DataFrame(), bases, next_ingest)
                next_ingest += 1
        _run(connection, "COMMIT")
    except BaseException:
        _run(connection, "ROLLBACK")
        raise
    return {name: counts[name] for name in TABLE_NAMES}


def _insert(
    connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, bases: Mapping[str, int], ingest_id: int
) -> int:
    """Insert one table's rows and its ingest_log row; return the number of rows."""
    started = datetime.now()
    stored = _store_frame(name, frame, bases, ingest_id)
    connection.register("synthetic_rows", stored.to_arrow())
    try:
        _run(connection, f"INSERT INTO {name} SELECT * FROM synthetic_rows")
    finally:
        connection.unregister("synthetic_rows")
    _run(
        connection,
        "INSERT INTO ingest_log VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, 0, ?, ?)",
        [ingest_id, SOURCE, name, SOURCE, stored.height, stored.height, started, datetime.now()],
    )
    return stored.height


def _store_frame(name: str, frame: pl.DataFrame, bases: Mapping[str, int], ingest_id: int) -> pl.DataFrame:
    """The frame with every store column, in store order and type, ids offset past existing rows."""
    spec = next(t for t in TABLES if t.name == name)
    height = frame.height
    offsets: dict[str, str] = {"id": name}
    offsets.update({ref.internal: ref.table for ref in spec.references})
    if name == "charge":
        offsets["person_id"] = "person"
    enums = {c.name: c.enum for c in spec.columns if c.enum}
    expressions: list[pl.Expr] = []
    for column, sql_type in store_columns(spec):
        dtype = _POLARS_TYPES[sql_type]
        if column == "source":
            expression = pl.lit(SOURCE, dtype=pl.String())
        elif column == "ingest_id":
            expression = pl.lit(ingest_id, dtype=pl.Int64())
        elif column.endswith("_raw") and column[: -len("_raw")] in enums and column not in frame.columns:
            enum = enums[column[: -len("_raw")]]
            assert enum is not None
            expression = pl.col(column[: -len("_raw")]).replace_strict(
                RAW_LABELS[enum], default=None, return_dtype=pl.String()
            )
        elif column in frame.columns:
            expression = pl.col(column).cast(dtype)
            if column in offsets:
                expression = expression + bases[offsets[column]]
        else:
            expression = pl.lit(None, dtype=dtype)
        expressions.append(expression.alias(column))
    if height == 0:
        return pl.DataFrame(schema={c: _POLARS_TYPES[t] for c, t in store_columns(spec)})
    return frame.select(expressions)


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    rows = connection.execute(sql).fetchall()
    return int(rows[0][0]) if rows else 0


def _run(connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[object] | None = None) -> None:
    """Execute a statement and consume its result, so the connection is free for the next call."""
    connection.execute(sql, parameters).fetchall()
