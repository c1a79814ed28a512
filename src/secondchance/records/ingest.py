"""Validated, atomic, idempotent loading of records into the store.

Two entry points share one path:

- `load_frames(connection, {"person": frame, ...}, source_files=[...])` for adapters and Python
  callers: Polars frames in the canonical column names of `records.schema`;
- `load_files(connection, "person", [Path("people.csv")])` for CSV, Parquet and XLSX files.

Rows are staged in DuckDB, checked with SQL (`records.validate`), and written in one transaction:
any problem refuses the whole load (an `IngestError` listing every problem) unless
`skip_invalid`, which loads the valid rows and writes the rejected ones, with their reasons, to
a rejects CSV. Rows are keyed by (`source`, `source_id`): loading them again replaces them in
place and keeps their internal `id`. Every file (or frame) loaded gets an `ingest_log` row, and
every source loaded gets its completeness declarations (`records.completeness`) for the kinds of
record the load declares: an adapter's own, or for plain files only those named complete.
docs/ingest.md describes the rules and the messages.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from secondchance.records.completeness import Completeness, plain_load_completeness, write_declarations
from secondchance.records.problems import IngestError, Problem
from secondchance.records.readers import (
    FILE_COLUMN,
    LINE_COLUMN,
    ReadFailure,
    Staged,
    drop_staged,
    materialise,
    read_problem,
    sha256_file,
    stage_file,
    stage_frame,
)
from secondchance.records.schema import TABLE_NAMES, TABLES, Column, Reference, Table, table
from secondchance.records.store import ensure_schema, rollback, store_columns
from secondchance.records.validate import (
    column_sql,
    control_character_checks,
    control_character_screen,
    flag_columns,
    lookup_columns,
    quote_identifier,
    quote_literal,
    row_checks,
    typed_select,
)
from secondchance.spreadsheet_safe_csv import copy_query_to_csv

__all__ = [
    "load_frames",
    "load_files",
    "import_files",
    "IngestReport",
    "TableLoad",
    "IngestError",
    "Problem",
    "Progress",
]

Progress = Callable[[str], None]
_Stager = Callable[[duckdb.DuckDBPyConnection, list[tuple["Staged", str | None]]], None]
_Result = TypeVar("_Result")

_PROBLEMS = "__sc_problems"
# Beyond this many distinct values, an enumerated column is normalised by string functions instead.
MAX_LOOKUP_VALUES = 1000
LOOKUP_SAMPLE_ROWS = 100_000
_KEYS = "__sc_keys"


@dataclass
class TableLoad:
    """What one file (or frame) did to one table: its `ingest_log` row."""

    ingest_id: int
    table: str
    file: str
    source: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_inserted: int
    rows_updated: int
    files: list[str] = field(default_factory=list)  # the files read, each whole (`file` joins an adapter's)


@dataclass
class IngestReport:
    """The outcome of a load: one entry per file and table, and the rejected rows (with --skip-invalid)."""

    loads: list[TableLoad] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    rejects_files: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(load.rows_read for load in self.loads)

    @property
    def rows_loaded(self) -> int:
        return sum(load.rows_loaded for load in self.loads)

    @property
    def rows_rejected(self) -> int:
        return sum(load.rows_rejected for load in self.loads)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (for --json)."""
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "loads": [asdict(load) for load in self.loads],
            "rejects_files": self.rejects_files,
            "problems": [problem.as_row() for problem in self.rejected],
        }


def load_frames(
    connection: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pl.DataFrame],
    *,
    source_files: Sequence[Path] = (),
    adapter: str | None = None,
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    default_source: str | None = None,
    completeness: Completeness | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and load canonical frames (table name -> frame) in one transaction.

    Frames use the column names of `records.schema` (any subset); values may be text or typed.
    `source` defaults to `default_source`, else `adapter`. `source_files` are the files the frames
    were read from (named and checksummed in `ingest_log`). A frame may carry `_line` and `_file`
    (where each row came from) so problems cite them. `completeness` is what the source declares
    (an adapter's declaration); without it, the kinds of record the frames carry are declared not
    complete. Raises IngestError on bad input (unless `skip_invalid`); the store is then unchanged.
    """
    label_base = ", ".join(p.name for p in source_files) or adapter or "frame"
    file_names = [str(p) for p in source_files]
    path_text = "; ".join(file_names) or None  # the ingest log's one text column; reports use file_names
    fallback = default_source or adapter
    for name in frames:
        if name not in TABLE_NAMES:
            raise IngestError([Problem(label_base, None, None, None, f"unknown table {name!r}")])

    def stage(connection: duckdb.DuckDBPyConnection, staged: list[tuple[Staged, str | None]]) -> None:
        for name, frame in frames.items():
            label = f"{label_base} ({name})" if len(frames) > 1 else label_base
            staged.append((stage_frame(connection, name, frame, label, path_text, file_names), fallback))

    def checksums() -> dict[str, str]:
        if not source_files:
            return {}
        return {path_text or "": _combined_sha256(source_files)}

    declared = plain_load_completeness(frames) if completeness is None else completeness
    return _ingest(connection, stage, checksums, adapter, declared, skip_invalid, rejects_path, progress)


def load_files(
    connection: duckdb.DuckDBPyConnection,
    table_name: str,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    complete: Sequence[str] = (),
    skip_invalid: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Validate and load CSV, Parquet or XLSX files of one table in one transaction.

    `source` applies to files without a `source` column; it defaults to each file's name
    without its extension. The sources loaded are declared complete for the kinds of record in
    `complete` (each a kind the table carries) and not complete for the table's other kinds.
    Raises IngestError on bad input (unless `skip_invalid`).
    """
    label = ", ".join(p.name for p in paths)
    try:
        table(table_name)
        declared = plain_load_completeness([table_name], complete)
    except KeyError as error:
        raise IngestError([Problem(label, None, None, None, str(error.args[0]))]) from None
    except ValueError as error:
        raise IngestError([Problem(label, None, None, None, f"--complete {error}")]) from None

    def stage(connection: duckdb.DuckDBPyConnection, staged: list[tuple[Staged, str | None]]) -> None:
        failures: list[Problem] = []
        for path in paths:
            if progress:
                progress(f"reading {path.name}")
            try:
                staged.append((stage_file(connection, table_name, path), source or path.stem))
            except ReadFailure as failure:
                failures.append(failure.problem)
        if failures:
            raise IngestError(failures)

    def checksums() -> dict[str, str]:
        return {str(path): sha256_file(path) for path in paths if path.is_file()}

    return _ingest(connection, stage, checksums, None, declared, skip_invalid, rejects_path, progress)


def _combined_sha256(paths: Sequence[Path]) -> str:
    """The file's SHA-256, or for several files the SHA-256 of their SHA-256s in order."""
    if len(paths) == 1:
        return sha256_file(paths[0])
    digest = hashlib.sha256()
    for path in paths:
        digest.update(sha256_file(path).encode())
    return digest.hexdigest()


def _ingest(
    connection: duckdb.DuckDBPyConnection,
    stage: _Stager,
    checksums: Callable[[], dict[str, str]],
    adapter: str | None,
    completeness: Completeness,
    skip_invalid: bool,
    rejects_path: Path | None,
    progress: Progress | None,
) -> IngestReport:
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # The checksum is read beside the load: hashing releases the GIL while DuckDB works.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digests = pool.submit(checksums)
        return _checked_and_written(
            connection,
            stage,
            lambda run: run.execute(adapter, completeness, digests.result, started, rejects_path),
            skip_invalid=skip_invalid,
            progress=progress,
        )


def _checked_and_written(
    connection: duckdb.DuckDBPyConnection,
    stage: _Stager,
    work: Callable[[_Run], _Result],
    *,
    skip_invalid: bool,
    progress: Progress | None,
    importing: _Import | None = None,
) -> _Result:
    """Stage and type the input, then run `work` (checks and writes) in one transaction."""
    ensure_schema(connection)
    # DuckDB's own progress bar would write into the command's output (and its --json); the CLI shows its own.
    connection.execute("SET enable_progress_bar = false")
    # Staging and typing happen before the transaction: temporary tables then number their
    # rows from 0 (`rowid`), which gives each row its line, and the store is not touched until BEGIN.
    batches: list[tuple[Staged, str | None]] = []
    run: _Run | None = None
    try:
        stage(connection, batches)  # appends as it goes, so that a failure still drops what was staged
        run = _Run(connection, batches, skip_invalid, dt.date.today(), progress, importing)
        run.prepare()
        connection.begin()
        try:
            result = work(run)
            connection.commit()
        except BaseException:
            rollback(connection)
            raise
    finally:
        if run is not None:
            run.drop()
        for staged, _ in batches:
            drop_staged(connection, staged)
    return result


@dataclass(frozen=True)
class _Import:
    """How an export is imported: whether the tables it holds replace those of the store."""

    replace: bool


def _exported(spec: Table) -> Table:
    """A records table as `export` writes it: its internal `id` and `ingest_id` are checked and kept."""
    kept = (
        Column("id", "integer", "The row's internal id.", required=True),
        Column("ingest_id", "integer", "The load that wrote the row."),
    )
    return replace(spec, columns=(kept[0], *spec.columns, kept[1]))


def _derived_columns(spec: Table) -> set[str]:
    """Store columns an import works out again from the natural keys (internal ids of referenced rows)."""
    return {ref.internal for ref in spec.references} | {name for name, _, _ in spec.extra_store_columns}


def import_files(
    connection: duckdb.DuckDBPyConnection,
    files: Mapping[str, Path],
    *,
    replace: bool = False,
    also: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Check exported Parquet files (records table -> file) as ingest checks files, and load them
    with their internal ids, in one transaction; returns rows per table.

    The tables must be empty unless `replace`, which empties them first. References are resolved
    again from the natural keys. `also` runs in the same transaction once the rows are written
    (the export's other tables). Raises IngestError with every problem; the store is then unchanged.
    """
    unknown = sorted(set(files) - set(TABLE_NAMES))
    if unknown:
        raise IngestError([Problem(files[name].name, None, None, None, f"unknown table {name!r}") for name in unknown])

    def stage(connection: duckdb.DuckDBPyConnection, staged: list[tuple[Staged, str | None]]) -> None:
        failures: list[Problem] = []
        for name, path in files.items():
            try:
                staged.append((stage_file(connection, name, path), None))
            except ReadFailure as failure:
                failures.append(failure.problem)
        if failures:
            raise IngestError(failures)

    def work(run: _Run) -> dict[str, int]:
        counts = run.execute_import()
        if also is not None:
            also(run.connection)
        return counts

    return _checked_and_written(
        connection, stage, work, skip_invalid=False, progress=progress, importing=_Import(replace)
    )


class _Run:
    """One load: staged batches, their problems, and the writes into the store."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        batches: list[tuple[Staged, str | None]],
        skip_invalid: bool,
        today: dt.date,
        progress: Progress | None,
        importing: _Import | None = None,
    ) -> None:
        self.connection = connection
        self.batches = [staged for staged, _ in batches]
        self.defaults = [default for _, default in batches]
        self.skip_invalid = skip_invalid
        self.today = today
        self.progress = progress
        self.importing = importing is not None
        self.replace = importing is not None and importing.replace
        self.specs = {s.table: _exported(table(s.table)) if self.importing else table(s.table) for s in self.batches}
        self.temp: list[str] = []
        self.views: list[str] = []

    def spec(self, name: str) -> Table:
        """The table a batch is checked against (for an import, with its `id` and `ingest_id`)."""
        return self.specs[name]

    def say(self, step: str) -> None:
        if self.progress:
            self.progress(step)

    def sql(self, statement: str) -> duckdb.DuckDBPyConnection:
        return self.connection.execute(statement)

    def drop(self) -> None:
        for name in self.views:
            self.sql(f"DROP VIEW IF EXISTS {name}")
        for name in self.temp:
            self.sql(f"DROP TABLE IF EXISTS {name}")

    # -- expressions -------------------------------------------------------------------------

    def source_sql(self, index: int) -> str:
        staged = self.batches[index]
        if "source" in staged.columns:
            return column_sql(self.spec(staged.table).column("source"), staged.columns["source"]).text
        default = self.defaults[index]
        return quote_literal(default) if default is not None else "NULL::VARCHAR"

    def typed_name(self, index: int) -> str:
        """The view of the typed rows of a batch: `__row`, `__line`, `__file`, `__bad` and its columns."""
        return f"__sc_typed_{index}"

    # -- steps -------------------------------------------------------------------------------

    def execute(
        self,
        adapter: str | None,
        completeness: Completeness,
        digests: Callable[[], dict[str, str]],
        started: dt.datetime,
        rejects_path: Path | None,
    ) -> IngestReport:
        problems, deferred = self.find_problems()
        if problems and not self.skip_invalid:
            raise IngestError(problems)
        rejects_files = self.write_rejects(rejects_path) if problems else []
        loads = self.write(adapter, digests(), started)
        if deferred and self.unresolved_references(loads):
            for spec in TABLES:
                self.check_references(spec)
            raise IngestError(self.fetch_problems())
        first_ingest = min((load.ingest_id for load in loads), default=None)
        write_declarations(self.connection, self.loaded_sources(), completeness, first_ingest)
        return IngestReport(loads, problems, rejects_files)

    def loaded_sources(self) -> list[str]:
        """The sources of the rows this load wrote."""
        rows = self.sql(
            f"SELECT DISTINCT source FROM {_KEYS} k WHERE source IS NOT NULL {self.accepted_keys_sql()} ORDER BY 1"
        ).fetchall()
        return [str(row[0]) for row in rows]

    def find_problems(self) -> tuple[list[Problem], bool]:
        """Every problem of the load, and whether the references are left to be checked after writing."""
        self.sql(
            f"CREATE TEMP TABLE {_PROBLEMS} (batch INTEGER, row BIGINT, line BIGINT, column_name VARCHAR, "
            "position INTEGER, value VARCHAR, reason VARCHAR, file VARCHAR)"
        )
        self.temp.append(_PROBLEMS)
        for index in range(len(self.batches)):
            self.check_rows(index)
            self.check_control_characters(index)
        self.collect_keys()
        self.check_duplicates()
        if self.importing:
            self.check_repeated_ids()
        # References are checked before writing when rows may be skipped (a row that refers to a
        # rejected row is rejected in turn) or when the load is refused anyway. Otherwise the
        # writes resolve them, and a reference left unresolved refuses the load afterwards: on
        # valid input that saves a join of every referring row. Imported rows carry their own
        # `ingest_id`, so they cannot be found again that way: they are always checked first.
        deferred = not self.skip_invalid and not self.importing and self.problem_count() == 0
        if not deferred:
            for spec in TABLES:
                self.check_references(spec)
        return self.fetch_problems(), deferred

    def unresolved_references(self, loads: list[TableLoad]) -> bool:
        """Whether a row just written names a row (by `source_id`) that the store does not hold."""
        for spec in TABLES:
            ids = ", ".join(str(load.ingest_id) for load in loads if load.table == spec.name)
            if not ids:
                continue
            for ref in spec.references:
                if not any(ref.column in s.columns for s in self.batches if s.table == spec.name):
                    continue
                row = self.sql(
                    f"SELECT EXISTS (SELECT 1 FROM {spec.name} WHERE ingest_id IN ({ids}) "
                    f"AND {quote_identifier(ref.column)} IS NOT NULL AND {ref.internal} IS NULL)"
                ).fetchone()
                if row and row[0]:
                    return True
        return False

    def prepare(self) -> None:
        """Check the headers and read every batch into its typed table (before the transaction)."""
        file_problems = [p for index in range(len(self.batches)) for p in self.header_problems(index)]
        if file_problems:
            raise IngestError(file_problems)
        self.say("validating")
        for index, staged in enumerate(self.batches):
            try:
                self.make_typed(index)
            except duckdb.Error as error:
                if not staged.lazy:
                    raise
                # A lazily staged CSV is read here for the first time; a file DuckDB cannot read is a problem.
                raise IngestError([read_problem(staged.label, "CSV", error)]) from None
            row = self.sql(f"SELECT count(*), count(*) FILTER (WHERE __bad) FROM {self.typed_name(index)}").fetchone()
            rows, bad = (int(row[0]), int(row[1])) if row else (0, 0)
            staged.rows = rows
            if bad or self.skip_invalid:
                materialise(self.connection, staged)  # messages and rejects quote the text as written

    def header_problems(self, index: int) -> list[Problem]:
        staged = self.batches[index]
        spec = self.spec(staged.table)
        known = set(spec.column_names) | {f"{c.name}_raw" for c in spec.columns if c.enum}
        if self.importing:
            known |= _derived_columns(table(staged.table))
        # The header is line (or row) 1 of a CSV or XLSX file; Parquet files and frames have none.
        header_line = 1 if staged.line_offset == 2 and not staged.has_line_column else None
        problems = []
        for name in staged.columns:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"did you mean {close[0]}?" if close else f"the columns of {spec.name} are in docs/records.md"
                reason = f"unknown column of {spec.name}; {hint}"
                problems.append(Problem(staged.label, header_line, name, None, reason, staged.line_word))
        for name in spec.required:
            if name not in staged.columns and not (name == "source" and self.defaults[index] is not None):
                problems.append(
                    Problem(staged.label, header_line, name, None, "required column is missing", staged.line_word)
                )
        return problems

    def make_typed(self, index: int) -> None:
        staged = self.batches[index]
        typed = self.typed_name(index)
        spec = self.spec(staged.table)
        # Enumerations and booleans hold few distinct values: each is mapped once, not once per row.
        distinct: dict[str, list[str]] = {}
        lookups = lookup_columns(spec, staged.columns)
        if lookups:
            lists = ", ".join(
                f"list(DISTINCT {quote_identifier(n)}) FILTER (WHERE {quote_identifier(n)} IS NOT NULL)"
                for n in lookups
            )
            # A CSV not yet read is sampled from its start (the rest falls back to string functions).
            rows = f"(SELECT * FROM {staged.name} LIMIT {LOOKUP_SAMPLE_ROWS})" if staged.lazy else staged.name
            row = self.sql(f"SELECT {lists} FROM {rows}").fetchone()
            for name, values in zip(lookups, row or (), strict=True):
                if values is not None and len(values) <= MAX_LOOKUP_VALUES:
                    distinct[name] = [str(v) for v in values]
        select = typed_select(spec, staged.columns, self.source_sql(index), distinct)
        # Typed values and the flags of the checks in one pass; `__bad` marks a row with a problem.
        flags = flag_columns(spec, staged.columns)
        flag_select = "".join(f", {expr} AS {name}" for name, expr in flags)
        exclude = f" EXCLUDE ({', '.join(name for name, _ in flags)})" if flags else ""
        fast = " OR ".join(f"({check.fast})" for check in row_checks(spec, staged.columns, self.today)) or "FALSE"
        given = ""
        if staged.has_line_column:
            given += f", CAST(s.{quote_identifier(LINE_COLUMN)} AS BIGINT) AS __line_given"
        if staged.has_file_column:
            given += f", CAST(s.{quote_identifier(FILE_COLUMN)} AS VARCHAR) AS __file_given"
        data = f"{typed}_data"
        self.temp.append(data)
        self.sql(
            f"CREATE TEMP TABLE {data} AS SELECT t.*{exclude}, coalesce({fast}, FALSE) AS __bad FROM ("
            f"SELECT {select}{given}{flag_select} FROM {staged.name} s) t"
        )
        # The typed table holds the rows in file order, so its `rowid` numbers them from 0.
        line = f"rowid + {staged.line_offset}"
        line = f"coalesce(__line_given, {line})" if staged.has_line_column else line
        label = quote_literal(staged.label)
        file = f"coalesce(__file_given, {label})" if staged.has_file_column else label
        carried = [
            n for n, on in (("__line_given", staged.has_line_column), ("__file_given", staged.has_file_column)) if on
        ]
        rest = f"* EXCLUDE ({', '.join(carried)})" if carried else "*"
        self.sql(
            f"CREATE TEMP VIEW {typed} AS SELECT rowid AS __row, {line} AS __line, {file} AS __file, {rest} FROM {data}"
        )
        self.views.append(typed)

    def check_rows(self, index: int) -> None:
        staged = self.batches[index]
        spec = self.spec(staged.table)
        positions = {name: i for i, name in enumerate(spec.column_names)}
        checks = row_checks(spec, staged.columns, self.today)
        if not checks:
            return
        rows = f"{staged.name} s JOIN {self.typed_name(index)} t ON t.__row = s.rowid"
        # The typed table marks bad rows; only when there are some is each check run apart to say why.
        any_bad = self.sql(f"SELECT EXISTS (SELECT 1 FROM {self.typed_name(index)} WHERE __bad)").fetchone()
        if not any_bad or not any_bad[0]:
            return
        parts = [
            f"SELECT {index}, t.__row, t.__line, {quote_literal(check.column)}, {positions[check.column]}, "
            f"{check.value}, {check.reason}, t.__file FROM {rows} WHERE {check.condition}"
            for check in checks
        ]
        self.sql(f"INSERT INTO {_PROBLEMS} " + " UNION ALL ".join(parts))

    def check_control_characters(self, index: int) -> None:
        staged = self.batches[index]
        spec = self.spec(staged.table)
        screen = control_character_screen(spec, staged.columns)
        if screen is None or not staged.may_hold_control_characters:
            return
        typed = self.typed_name(index)
        found = self.sql(f"SELECT EXISTS (SELECT 1 FROM {typed} t WHERE {screen})").fetchone()
        if not found or not found[0]:
            return
        positions = {name: i for i, name in enumerate(spec.column_names)}
        parts = [
            f"SELECT {index}, t.__row, t.__line, {quote_literal(check.column)}, "
            f"{positions[check.column.removesuffix('_raw')]}, {check.value}, {check.reason}, t.__file "
            f"FROM {typed} t WHERE {check.condition}"
            for check in control_character_checks(spec, staged.columns)
        ]
        self.sql(f"INSERT INTO {_PROBLEMS} " + " UNION ALL ".join(parts))

    def collect_keys(self) -> None:
        # A view over the typed tables: the keys of every batch without copying them.
        parts = [
            f"SELECT {index}::INTEGER AS batch, __row AS row, __line AS line, __file AS file, "
            f"{quote_literal(staged.table)} AS table_name, source, source_id FROM {self.typed_name(index)}"
            for index, staged in enumerate(self.batches)
        ]
        self.sql(f"CREATE TEMP VIEW {_KEYS} AS " + " UNION ALL ".join(parts))
        self.views.append(_KEYS)

    def batch_labels_sql(self) -> str:
        rows = ", ".join(
            f"({i}, {quote_literal(s.label)}, {quote_literal(s.line_word)})" for i, s in enumerate(self.batches)
        )
        return f"(VALUES {rows}) AS labels(batch, label, line_word)"

    def check_duplicates(self) -> None:
        # Distinct 64-bit hashes are cheaper to count than distinct strings; when every key hashes
        # apart there is no repeated key. Otherwise (a repeat, or a rare collision) look at the keys.
        row = self.sql(
            f"SELECT count(*) = count(DISTINCT hash(table_name, source, source_id)) FROM {_KEYS} "
            "WHERE source_id IS NOT NULL AND source IS NOT NULL"
        ).fetchone()
        if row and row[0]:
            return
        # A hash aggregate finds the repeated keys; only their rows are then looked at again.
        self.sql(
            f"""
            INSERT INTO {_PROBLEMS}
            WITH repeated AS (
                SELECT table_name, source, source_id, arg_min(batch, batch * 1e12 + row) AS first_batch,
                       min(batch * 1e12 + row) AS first_key
                FROM {_KEYS} WHERE source_id IS NOT NULL AND source IS NOT NULL
                GROUP BY ALL HAVING count(*) > 1
            ),
            firsts AS (
                SELECT r.*, k.line AS first_line, k.file AS first_file FROM repeated r JOIN {_KEYS} k
                  ON k.batch = r.first_batch AND k.batch * 1e12 + k.row = r.first_key
            )
            SELECT k.batch, k.row, k.line, 'source_id', 1, k.source_id,
                   'repeats the key of ' || labels.line_word || ' ' || f.first_line
                   || CASE WHEN f.first_file <> k.file THEN ' of ' || f.first_file ELSE '' END
                   || ' (source ''' || k.source || ''')', k.file
            FROM {_KEYS} k
            JOIN firsts f USING (table_name, source, source_id)
            JOIN {self.batch_labels_sql()} ON labels.batch = f.first_batch
            WHERE k.batch * 1e12 + k.row <> f.first_key
            """
        )

    def valid_keys_sql(self, table_name: str) -> str:
        """Keys of `table_name` in this load that a reference may point to."""
        keys = f"SELECT source, source_id FROM {_KEYS} WHERE table_name = {quote_literal(table_name)}"
        if not self.skip_invalid:
            return keys
        return (
            f"SELECT k.source, k.source_id FROM {_KEYS} k WHERE k.table_name = {quote_literal(table_name)} "
            f"AND NOT EXISTS (SELECT 1 FROM {_PROBLEMS} p WHERE p.batch = k.batch AND p.row = k.row)"
        )

    def check_references(self, spec: Table) -> None:
        indexes = [i for i, s in enumerate(self.batches) if s.table == spec.name]
        if not indexes:
            return
        self_references = [ref for ref in spec.references if ref.table == spec.name]
        for ref in spec.references:
            if ref.table != spec.name:
                for index in indexes:
                    self.check_reference(index, ref)
        for ref in self_references:
            # A row that refers to a rejected row of its own table is rejected in turn, until none is.
            while True:
                before = self.problem_count()
                for index in indexes:
                    self.check_reference(index, ref)
                if self.problem_count() == before or not self.skip_invalid:
                    break

    def problem_count(self) -> int:
        row = self.sql(f"SELECT count(*) FROM {_PROBLEMS}").fetchone()
        return int(row[0]) if row else 0

    def check_reference(self, index: int, ref: Reference) -> None:
        staged = self.batches[index]
        if ref.column not in staged.columns:
            return
        spec = self.spec(staged.table)
        position = spec.column_names.index(ref.column)
        target = ref.table
        self.sql(
            f"""
            INSERT INTO {_PROBLEMS}
            WITH refs AS (
                SELECT __row AS row, __line AS line, __file AS file, source, {quote_identifier(ref.column)} AS value
                FROM {self.typed_name(index)}
            ),
            good AS ({self.valid_keys_sql(target)} UNION ALL SELECT source, source_id FROM {target}),
            loaded AS (SELECT source, source_id FROM {_KEYS} WHERE table_name = {quote_literal(target)})
            SELECT {index}, r.row, r.line, {quote_literal(ref.column)}, {position}, r.value,
                   CASE WHEN EXISTS (SELECT 1 FROM loaded l WHERE l.source = r.source AND l.source_id = r.value)
                        THEN 'refers to a {target} row that was rejected'
                        ELSE 'does not match any {target} of source ''' || r.source
                             || ''' in this load or in the store' END,
                   r.file
            FROM refs r
            WHERE r.value IS NOT NULL AND r.source IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM good g WHERE g.source = r.source AND g.source_id = r.value)
              AND NOT EXISTS (SELECT 1 FROM {_PROBLEMS} p WHERE p.batch = {index} AND p.row = r.row
                              AND p.column_name = {quote_literal(ref.column)})
            """
        )

    def fetch_problems(self) -> list[Problem]:
        rows = self.sql(
            f"""
            SELECT coalesce(p.file, labels.label), p.line, p.column_name, p.value, p.reason, labels.line_word
            FROM {_PROBLEMS} p JOIN {self.batch_labels_sql()} ON labels.batch = p.batch
            ORDER BY p.batch, p.row, p.position, p.reason
            """
        ).fetchall()
        return [
            Problem(str(label), None if line is None else int(line), column, value, str(reason), str(word))
            for label, line, column, value, reason, word in rows
        ]

    def write_rejects(self, rejects_path: Path | None) -> list[str]:
        written: list[str] = []
        tables = sorted({s.table for s in self.batches}, key=TABLE_NAMES.index)
        for table_name in tables:
            indexes = [i for i, s in enumerate(self.batches) if s.table == table_name]
            if rejects_path is None:
                first = self.batches[indexes[0]]
                base = Path(first.paths[0]) if first.paths else Path(f"{table_name}.csv")
                path = base.with_name(f"{base.stem}.rejects.csv")
            elif len(tables) == 1:
                path = rejects_path
            else:
                path = rejects_path.with_name(f"{rejects_path.stem}.{table_name}{rejects_path.suffix or '.csv'}")
            parts = []
            for index in indexes:
                staged = self.batches[index]
                parts.append(
                    f"""
                    SELECT reasons.file AS _file, {quote_literal(staged.line_word)} AS _line_kind,
                           reasons.line AS _line, reasons.reasons AS _reasons, {_star(staged)}
                    FROM {staged.name} s JOIN (
                        SELECT row, any_value(line) AS line,
                               coalesce(any_value(file), {quote_literal(staged.label)}) AS file,
                               string_agg(column_name || ': ' || coalesce('''' || value || ''' ', '') || reason, '; '
                                          ORDER BY position, reason) AS reasons
                        FROM {_PROBLEMS} WHERE batch = {index} GROUP BY row
                    ) reasons ON reasons.row = s.rowid
                    """
                )
            query = " UNION ALL BY NAME ".join(parts)
            exists = self.sql(f"SELECT count(*) FROM ({query})").fetchone()
            if not exists or not exists[0]:
                continue
            copy_query_to_csv(self.connection, f"{query} ORDER BY _file, _line", path)
            written.append(str(path))
        return written

    # -- writing -----------------------------------------------------------------------------

    def write(self, adapter: str | None, digests: dict[str, str], started: dt.datetime) -> list[TableLoad]:
        row = self.sql("SELECT coalesce(max(ingest_id), 0) FROM ingest_log").fetchone()
        next_ingest = int(row[0]) + 1 if row else 1
        ingest_ids = {index: next_ingest + index for index in range(len(self.batches))}
        loads: list[TableLoad] = []
        counts: dict[int, tuple[int, int, str]] = {}
        for spec in TABLES:
            indexes = [i for i, s in enumerate(self.batches) if s.table == spec.name]
            if indexes:
                self.say(f"loading {spec.name}")
                counts.update(self.write_table(spec, indexes, ingest_ids))
        finished = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rejected = dict(self.sql(f"SELECT batch, count(DISTINCT row) FROM {_PROBLEMS} GROUP BY batch").fetchall())
        for index, staged in enumerate(self.batches):
            inserted, updated, sources = counts.get(index, (0, 0, ""))
            loaded = inserted + updated
            load = TableLoad(
                ingest_ids[index],
                staged.table,
                staged.path or staged.label,
                sources or (self.defaults[index] or ""),
                staged.rows,
                loaded,
                int(rejected.get(index, 0)),
                inserted,
                updated,
                list(staged.paths),
            )
            loads.append(load)
            self.connection.execute(
                "INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load.ingest_id,
                    load.source,
                    load.table,
                    staged.path,
                    digests.get(staged.path or ""),
                    adapter,
                    load.rows_read,
                    load.rows_loaded,
                    load.rows_rejected,
                    started,
                    finished,
                ],
            )
        return loads

    def typed_rows(self, index: int, ingest_id: int | None) -> str:
        """The accepted typed rows of a batch, with `__batch`, and `ingest_id` unless they carry their own."""
        rejected = ""
        if self.skip_invalid:
            rejected = f" WHERE __row NOT IN (SELECT row FROM {_PROBLEMS} WHERE batch = {index})"
        stamp = "" if ingest_id is None else f"{ingest_id}::BIGINT AS ingest_id, "
        return f"SELECT {stamp}{index} AS __batch, * FROM {self.typed_name(index)}{rejected}"

    def accepted_keys_sql(self) -> str:
        """A condition on keys `k` of this load: the row was not rejected."""
        if not self.skip_invalid:
            return ""
        return f"AND NOT EXISTS (SELECT 1 FROM {_PROBLEMS} p WHERE p.batch = k.batch AND p.row = k.row)"

    def replaced_rows(self, spec: Table) -> tuple[str, dict[int, int]]:
        """A temporary table of the rows this load replaces (same key) and their ids; rows replaced per batch."""
        # Rows already in the store (same source and source_id) keep their internal id: they are
        # deleted and written again. Only those keys are collected, so a first load stays cheap.
        old = f"__sc_old_{spec.name}"
        self.temp.append(old)
        self.sql(
            f"CREATE TEMP TABLE {old} AS SELECT k.batch AS __batch, k.row AS __row, s.id AS __old_id "
            f"FROM {_KEYS} k JOIN {spec.name} s ON s.source = k.source AND s.source_id = k.source_id "
            f"WHERE k.table_name = {quote_literal(spec.name)} {self.accepted_keys_sql()}"
        )
        updated = dict(self.sql(f"SELECT __batch, count(*) FROM {old} GROUP BY __batch").fetchall())
        if updated:
            self.sql(f"DELETE FROM {spec.name} WHERE id IN (SELECT __old_id FROM {old})")
        return old, {int(batch): int(count) for batch, count in updated.items()}

    def new_id_sql(self, spec: Table, indexes: list[int]) -> str:
        """New rows get ids above the table's largest: max + rows of the earlier batches + their row + 1."""
        row = self.sql(f"SELECT coalesce(max(id), 0) FROM {spec.name}").fetchone()
        max_id = int(row[0]) if row else 0
        offsets = (
            "CASE t.__batch "
            + " ".join(f"WHEN {i} THEN {sum(self.batches[j].rows for j in indexes if j < i)}" for i in indexes)
            + " END"
        )
        return f"{max_id} + {offsets} + t.__row + 1"

    def insert_rows(
        self, spec: Table, indexes: list[int], union: str, values: dict[str, str], joins: list[str]
    ) -> set[str]:
        """Insert the rows of `union` (aliased `t`), resolving references by key; returns the columns given."""
        # Columns of the table the files gave (an export's internal ids of other rows are worked out again).
        present = {"source"} | {name for i in indexes for name in self.batches[i].columns if name in spec.column_names}
        present |= {f"{c.name}_raw" for c in spec.columns if c.enum and c.name in present}
        for n, ref in enumerate(spec.references):
            if ref.table == spec.name or ref.column not in present:
                values[ref.internal] = "NULL"  # a self-reference is resolved afterwards, once every row is in
                continue
            alias = f"r{n}"
            joins.append(
                f"LEFT JOIN {ref.table} {alias} ON {alias}.source = t.source "
                f"AND {alias}.source_id = t.{quote_identifier(ref.column)}"
            )
            values[ref.internal] = f"{alias}.id"
            for extra, _, _ in spec.extra_store_columns:
                # e.g. a charge's person_id comes through its sentence
                if extra in {name for name, _ in store_columns(table(ref.table))}:
                    values[extra] = f"{alias}.{extra}"
        names = [name for name, _ in store_columns(spec)]
        select = ", ".join(
            values.get(name, f"t.{quote_identifier(name)}" if name in present else "NULL") for name in names
        )
        self.sql(
            f"INSERT INTO {spec.name} ({', '.join(quote_identifier(n) for n in names)}) "
            f"SELECT {select} FROM ({union}) t {' '.join(joins)}"
        )
        return present

    def resolve_self_references(self, spec: Table, present: set[str], scope: str) -> None:
        """Fill the internal id of references within a table (e.g. consecutive_to) for the rows in `scope`."""
        for ref in spec.references:
            if ref.table == spec.name and ref.column in present:
                self.sql(
                    f"UPDATE {spec.name} SET {ref.internal} = target.id FROM {spec.name} target "
                    f"WHERE {scope} AND {spec.name}.{ref.column} IS NOT NULL "
                    f"AND target.source = {spec.name}.source AND target.source_id = {spec.name}.{ref.column}"
                )

    def write_table(
        self, spec: Table, indexes: list[int], ingest_ids: dict[int, int]
    ) -> dict[int, tuple[int, int, str]]:
        old, updated = self.replaced_rows(spec)
        new_id = self.new_id_sql(spec, indexes)
        joins = [f"LEFT JOIN {old} o ON o.__batch = t.__batch AND o.__row = t.__row"] if updated else []
        values = {"id": f"coalesce(o.__old_id, {new_id})" if updated else new_id, "ingest_id": "t.ingest_id"}
        union = " UNION ALL BY NAME ".join(self.typed_rows(i, ingest_ids[i]) for i in indexes)
        present = self.insert_rows(spec, indexes, union, values, joins)
        ids = ", ".join(str(ingest_ids[i]) for i in indexes)
        self.resolve_self_references(spec, present, f"{spec.name}.ingest_id IN ({ids})")
        rejected = dict(self.sql(f"SELECT batch, count(DISTINCT row) FROM {_PROBLEMS} GROUP BY batch").fetchall())
        sources = dict(
            self.sql(
                f"SELECT batch, string_agg(DISTINCT source, ', ' ORDER BY source) FROM {_KEYS} k "
                f"WHERE table_name = {quote_literal(spec.name)} {self.accepted_keys_sql()} GROUP BY batch"
            ).fetchall()
        )
        result: dict[int, tuple[int, int, str]] = {}
        for index in indexes:
            loaded = self.batches[index].rows - int(rejected.get(index, 0))
            changed = int(updated.get(index, 0))
            result[index] = (loaded - changed, changed, str(sources.get(index) or ""))
        return result

    # -- importing an export -----------------------------------------------------------------

    def execute_import(self) -> dict[str, int]:
        """Check exported rows as ingest checks them, then write them with their own ids; rows per table.

        The tables were empty, or (`replace`) are emptied first, inside the transaction, so that
        references are checked against what the store will hold.
        """
        tables = [spec for spec in TABLES if any(s.table == spec.name for s in self.batches)]
        if self.replace:
            for spec in reversed(tables):
                self.sql(f"DELETE FROM {spec.name}")
        problems, _ = self.find_problems()
        if problems:
            raise IngestError(problems)
        counts: dict[str, int] = {}
        for spec in tables:
            indexes = [i for i, s in enumerate(self.batches) if s.table == spec.name]
            self.say(f"importing {spec.name}")
            union = " UNION ALL BY NAME ".join(self.typed_rows(i, None) for i in indexes)
            present = self.insert_rows(spec, indexes, union, {"id": "t.id", "ingest_id": "t.ingest_id"}, [])
            self.resolve_self_references(spec, present, "TRUE")  # the table holds only imported rows
            counts[spec.name] = sum(self.batches[i].rows for i in indexes)
        return counts

    def check_repeated_ids(self) -> None:
        """An exported row keeps its internal id, so an id may appear once per table."""
        for spec in TABLES:
            indexes = [i for i, s in enumerate(self.batches) if s.table == spec.name]
            if not indexes:
                continue
            rows = " UNION ALL ".join(
                f"SELECT {i} AS batch, __row AS row, __line AS line, __file AS file, id FROM {self.typed_name(i)}"
                for i in indexes
            )
            position = self.spec(spec.name).column_names.index("id")
            self.sql(
                f"""
                INSERT INTO {_PROBLEMS}
                WITH ids AS ({rows}),
                firsts AS (SELECT id, arg_min(line, batch * 1e12 + row) AS first_line,
                                  min(batch * 1e12 + row) AS first_key
                           FROM ids WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1)
                SELECT i.batch, i.row, i.line, 'id', {position}, CAST(i.id AS VARCHAR),
                       'repeats the id of row ' || f.first_line, i.file
                FROM ids i JOIN firsts f USING (id) WHERE i.batch * 1e12 + i.row <> f.first_key
                """
            )


def _star(staged: Staged) -> str:
    """Every staged column, without the `_line` and `_file` columns that frames may carry."""
    carried = [
        name
        for name, present in ((LINE_COLUMN, staged.has_line_column), (FILE_COLUMN, staged.has_file_column))
        if present
    ]
    if carried:
        return f"s.* EXCLUDE ({', '.join(quote_identifier(name) for name in carried)})"
    return "s.*"
