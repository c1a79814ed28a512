"""The Spark screening engine: the same compiled packs over the Parquet export of the store.

Each `<table>.parquet` of the export (`secondchance export --format parquet DIR`, `records.parquet`) is
a temporary view; the facts are `policy.facts.query`'s DuckDB SQL translated by `policy.spark_sql`
(one source of truth for the facts), cached once; each pack is `status.evaluation_sql` compiled for
Spark. Results go either to the store's results tables, through Arrow and `engine.insert_evaluated`
(so evidence JSON has the DuckDB engine's format), or, for a cluster, to Parquet folders written by the
executors (`screening_result/`, `screening_criterion/`, and `screening_run.jsonl`).
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from secondchance.errors import UserError
from secondchance.policy import limits
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import (
    PackRun,
    ScreeningRun,
    facts_read,
    results_transaction,
    screen_packs,
    start_run,
    write_evaluated,
)
from secondchance.policy.parameters import values_as_of
from secondchance.policy.provenance import STORE_LAYER, SuppliedLayer, add_provenance, supplied_names
from secondchance.policy.results import record_run
from secondchance.policy.sandbox import PackTimeout
from secondchance.policy.spark_sql import to_spark
from secondchance.policy.status import evaluation_sql
from secondchance.records.completeness import SOURCE_COMPLETENESS_SQL
from secondchance.records.schema import TABLES
from secondchance.records.store import create_table_sql
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "DECISIONS_VIEW",
    "ENGINE",
    "FACTS_VIEW",
    "SUPPLIED_VIEW",
    "register_layer",
    "register_parquet",
    "screen_store",
    "spark_facts",
    "spark_screen",
]

ENGINE = "spark"
FACTS_VIEW = "screening_facts"
_EVALUATED = "spark_evaluated"
_Result = TypeVar("_Result")
_EMPTY_FOLDERS: list[tempfile.TemporaryDirectory[str]] = []


def within_time_limit(spark: SparkSession, label: str, work: Callable[[], _Result], seconds: float) -> _Result:
    """Run `work` with its Spark jobs tagged, cancelling them (and raising `PackTimeout`) after `seconds`."""
    context = spark.sparkContext
    tag = f"secondchance-{uuid.uuid4().hex}"
    finished, stopped = threading.Event(), threading.Event()

    def stop_after_limit() -> None:
        if finished.wait(seconds):
            return
        stopped.set()
        while not finished.is_set():  # jobs submitted after a cancel are cancelled too
            context.cancelJobsWithTag(tag)
            finished.wait(0.05)

    context.setInterruptOnCancel(True)
    context.addJobTag(tag)
    stopper = threading.Thread(target=stop_after_limit, daemon=True)
    stopper.start()
    try:
        return work()
    except Exception:
        if stopped.is_set():
            raise PackTimeout(f"{label} ran longer than its limit of {seconds:g} s on Spark and was stopped") from None
        raise
    finally:
        finished.set()
        stopper.join()
        context.removeJobTag(tag)


def _spark_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _empty_tables(missing: Sequence[str], directory: Path) -> dict[str, Path]:
    """Empty Parquet files with the store's columns for tables the export lacks (their facts are NULL)."""
    statements = {spec.name: create_table_sql(spec) for spec in TABLES}
    statements["computed_dates"] = CREATE_COMPUTED_DATES_SQL
    statements["source_completeness"] = SOURCE_COMPLETENESS_SQL
    files = {}
    with duckdb.connect() as connection:
        for name in missing:
            connection.execute(statements[name])
            files[name] = directory / f"{name}.parquet"
            connection.execute(f"COPY {name} TO '{files[name]}' (FORMAT parquet)")
    return files


def register_parquet(spark: SparkSession, directory: str | Path) -> list[str]:
    """Make each `<table>.parquet` of an export a temporary view; returns the tables registered.

    Tables the facts read but the export lacks (e.g. `computed_dates` before `dates compute`) become
    empty views, as `facts.query.ensure_fact_inputs` does for a store.
    """
    text = str(directory)
    local = "://" not in text
    if local and not Path(text).is_dir():
        raise UserError(f"{text}: no such folder; write one with `secondchance export --format parquet {text}`")
    wanted = [spec.name for spec in TABLES] + ["computed_dates", "source_completeness"]
    files: dict[str, str] = {}
    if local:
        files = {path.stem: str(path) for path in sorted(Path(text).glob("*.parquet"))}
        if "person" not in files:
            raise UserError(f"{text}: no person.parquet; is this a `secondchance export --format parquet` folder?")
        missing = [name for name in wanted if name not in files]
        if missing:
            # Spark reads the files lazily, so the folder lives as long as the process (removed at exit).
            holder = tempfile.TemporaryDirectory(prefix="secondchance-empty-")
            _EMPTY_FOLDERS.append(holder)
            files.update({name: str(path) for name, path in _empty_tables(missing, Path(holder.name)).items()})
    else:
        files = {name: f"{text.rstrip('/')}/{name}.parquet" for name in wanted}
    for name, path in files.items():
        spark.read.parquet(path).createOrReplaceTempView(name)
    return sorted(files)


# The supplied layer of the store, as Spark views (`register_layer`), with `records.supplied`'s columns.
SUPPLIED_VIEW = "supplied_facts"
DECISIONS_VIEW = "supplied_decisions"
_SUPPLIED_SCHEMA = (
    "id BIGINT, person_id BIGINT, fact STRING, value STRING, value_boolean BOOLEAN, value_integer BIGINT, "
    "value_number DOUBLE, value_date DATE, value_text STRING, holds_from DATE"
)
_DECISIONS_SCHEMA = "person_id BIGINT, pack_id STRING, criterion_id STRING, decision STRING"


def register_layer(
    spark: SparkSession, connection: duckdb.DuckDBPyConnection, layer: SuppliedLayer = STORE_LAYER
) -> list[str]:
    """Register the supplied facts and decisions of `connection` as Spark views; returns the facts supplied."""
    names = supplied_names(connection, layer)
    columns = ", ".join(item.split()[0] for item in _SUPPLIED_SCHEMA.split(", "))
    rows = connection.execute(f"SELECT {columns} FROM ({layer.facts}) AS f").fetchall()
    spark.createDataFrame(rows, _SUPPLIED_SCHEMA).createOrReplaceTempView(SUPPLIED_VIEW)
    decisions = connection.execute(
        f"SELECT person_id, pack_id, criterion_id, decision FROM ({layer.decisions}) AS d"
    ).fetchall()
    spark.createDataFrame(decisions, _DECISIONS_SCHEMA).createOrReplaceTempView(DECISIONS_VIEW)
    return names


def spark_facts(
    spark: SparkSession, as_of: date, names: Sequence[str] | None = None, supplied: Sequence[str] | None = None
) -> DataFrame:
    """The facts of everyone as of a date (all, or `names`), cached as the view `screening_facts`.

    The tables' views must be registered (`register_parquet`); with `supplied` (the facts the layer
    holds, `register_layer`), a supplied value wins over the derived one.
    """
    from secondchance.policy.facts.query import facts_query

    view = SUPPLIED_VIEW if supplied is not None else None
    facts = spark.sql(to_spark(facts_query(as_of, facts=names, supplied=view, supplied_names=supplied)))
    if names is not None:
        facts = facts.select("person_id", "source_id", *names)
    facts = facts.cache()
    facts.createOrReplaceTempView(FACTS_VIEW)
    return facts


def _criterion_frame(
    spark: SparkSession, evaluated: str, compiled: CompiledPack, run_id: int, evidence: bool
) -> DataFrame:
    pack_id = _spark_string(compiled.pack.id)
    selects = []
    for node in compiled.all_criteria():
        parent = _spark_string(node.parent_id) if node.parent_id is not None else "CAST(NULL AS STRING)"
        read = f"{node.alias}_evidence" if evidence and node.evidence_facts() else "CAST(NULL AS STRING)"
        selects.append(
            f"SELECT CAST({run_id} AS BIGINT) AS run_id, {pack_id} AS pack_id, person_id, "
            f"{_spark_string(node.id)} AS criterion_id, {parent} AS parent_id, {node.alias}_status AS status, "
            f"{node.alias}_eligible_on AS eligible_on, {read} AS evidence FROM {evaluated}"
        )
    return spark.sql(" UNION ALL ".join(selects))


def _write_parquet(
    spark: SparkSession, compiled: CompiledPack, as_of: date, out: str, run_id: int, evidence: bool, seconds: float
) -> int:
    sql = evaluation_sql(compiled, FACTS_VIEW, values_as_of(compiled.pack, as_of), as_of, "spark", evidence=evidence)
    frame = spark.sql(sql).cache()
    frame.createOrReplaceTempView(_EVALUATED)

    def write() -> int:
        spark.sql(
            f"SELECT CAST({run_id} AS BIGINT) AS run_id, {_spark_string(compiled.pack.id)} AS pack_id, person_id, "
            f"source_id, status, eligible_on, unmet_count, unknown_count FROM {_EVALUATED}"
        ).write.mode("append").parquet(f"{out}/screening_result")
        _criterion_frame(spark, _EVALUATED, compiled, run_id, evidence).write.mode("append").parquet(
            f"{out}/screening_criterion"
        )
        return frame.count()

    try:
        return within_time_limit(spark, f"pack {compiled.pack.id}", write, seconds)
    finally:
        frame.unpersist()


def _write_store(
    spark: SparkSession,
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledPack,
    as_of: date,
    run_id: int,
    evidence: bool,
    seconds: float,
) -> int:
    # Spark carries the facts each criterion read; DuckDB builds the evidence JSON, as its own engine does.
    values = values_as_of(compiled.pack, as_of)
    sql = evaluation_sql(
        compiled, FACTS_VIEW, values, as_of, "spark", evidence=False, carry_facts=evidence, decisions=DECISIONS_VIEW
    )
    label = f"pack {compiled.pack.id}"
    evaluated = within_time_limit(spark, label, lambda: spark.sql(sql).toArrow(), seconds)
    people = write_evaluated(connection, run_id, compiled, evaluated, evidence)
    if evidence:
        add_provenance(connection, run_id, compiled, as_of, STORE_LAYER)
    return people


def _next_parquet_run_id(out: str) -> int:
    log = Path(out) / "screening_run.jsonl"
    if "://" in out or not log.is_file():
        return 1
    return 1 + max(
        (int(json.loads(line)["run_id"]) for line in log.read_text().splitlines() if line.strip()), default=0
    )


def spark_screen(
    spark: SparkSession,
    packs: Sequence[CompiledPack],
    *,
    as_of: date,
    parquet: str | Path,
    connection: duckdb.DuckDBPyConnection | None = None,
    out: str | Path | None = None,
    evidence: bool = True,
    seconds: float = limits.PACK_SECONDS,
) -> ScreeningRun:
    """Screen everyone in a Parquet export against each pack on Spark and record the run as engine 'spark'.

    Results go to the store behind `connection` (results tables, as the DuckDB engine writes them, in one
    transaction) or, with `out`, to Parquet folders under `out` (for a cluster; the run is appended to
    `screening_run.jsonl`). Each pack's jobs are cancelled after `seconds`.
    """
    if (connection is None) == (out is None):
        raise UserError("say where the Spark results go: a records store, or an output folder (not both)")
    started_at = datetime.now(UTC).replace(tzinfo=None)
    register_parquet(spark, parquet)
    # The store's supplied layer travels with results written to the store; a cluster's Parquet run has none.
    supplied = register_layer(spark, connection) if connection is not None else None
    clock = time.perf_counter()
    facts = spark_facts(spark, as_of, facts_read(packs), supplied)
    people = facts.count()
    facts_seconds = time.perf_counter() - clock
    label = f"parquet {parquet} (policy.facts.query on Spark)"
    run = _Run(packs, as_of, people, evidence, seconds, started_at, label)
    try:
        if connection is not None:
            run_id, runs = _screen_to_store(spark, connection, run)
        else:
            run_id, runs = _screen_to_parquet(spark, str(out), run)
    finally:
        facts.unpersist()
    return ScreeningRun(run_id, as_of, ENGINE, runs, facts_seconds, people)


@dataclass(frozen=True)
class _Run:
    """What every pack of one Spark run shares."""

    packs: Sequence[CompiledPack]
    as_of: date
    people: int
    evidence: bool
    seconds: float
    started_at: datetime
    label: str


def _screen_to_parquet(spark: SparkSession, out: str, run: _Run) -> tuple[int, list[PackRun]]:
    run_id = _next_parquet_run_id(out)
    runs = screen_packs(
        run.packs,
        run.as_of,
        run.people,
        lambda pack: _write_parquet(spark, pack, run.as_of, out, run_id, run.evidence, run.seconds),
    )
    finished_at = datetime.now(UTC).replace(tzinfo=None)
    records = [pack_run.record() for pack_run in runs]
    _append_run_record(spark, out, run_id, run.started_at, finished_at, run.as_of, records, run.label)
    return run_id, runs


def _screen_to_store(
    spark: SparkSession, connection: duckdb.DuckDBPyConnection, run: _Run
) -> tuple[int, list[PackRun]]:
    with results_transaction(connection):
        run_id = start_run(connection)
        runs = screen_packs(
            run.packs,
            run.as_of,
            run.people,
            lambda pack: _write_store(spark, connection, pack, run.as_of, run_id, run.evidence, run.seconds),
        )
        record_run(
            connection,
            run_id=run_id,
            started_at=run.started_at,
            finished_at=datetime.now(UTC).replace(tzinfo=None),
            as_of=run.as_of,
            engine=ENGINE,
            packs=[pack_run.record() for pack_run in runs],
            facts=run.label,
        )
    return run_id, runs


def _append_run_record(
    spark: SparkSession,
    out: str,
    run_id: int,
    started_at: datetime,
    finished_at: datetime,
    as_of: date,
    packs: list[dict[str, Any]],
    facts: str,
) -> None:
    from secondchance import __version__

    record = {
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "as_of": as_of.isoformat(),
        "engine": ENGINE,
        "packs": packs,
        "facts": facts,
        "secondchance_version": __version__,
    }
    if "://" in out:
        # A cluster file system: the executors append the record as a line of text.
        spark.createDataFrame([(json.dumps(record, default=str),)], "value STRING").write.mode("append").text(
            f"{out}/screening_run"
        )
        return
    Path(out).mkdir(parents=True, exist_ok=True)
    with (Path(out) / "screening_run.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(record, default=str) + "\n")


def screen_store(
    connection: duckdb.DuckDBPyConnection,
    packs: Sequence[CompiledPack],
    *,
    as_of: date,
    parquet: str | Path | None = None,
    master: str | None = None,
    evidence: bool = True,
) -> ScreeningRun:
    """`secondchance screen --engine spark`: screen on Spark, results into the store behind `connection`.

    Without `parquet`, the store is first exported to a temporary folder of Parquet files, which a
    local Spark reads; a cluster needs a `parquet` folder its executors can reach.
    """
    from secondchance.policy.spark_session import spark_session
    from secondchance.records.parquet import export_parquet

    spark = spark_session(master)
    if parquet is not None:
        return spark_screen(spark, packs, as_of=as_of, parquet=parquet, connection=connection, evidence=evidence)
    if master is not None and not master.startswith("local"):
        raise UserError("--spark-master needs --parquet DIR: a Parquet export the cluster's executors can read")
    with tempfile.TemporaryDirectory(prefix="secondchance-parquet-") as directory:
        export_parquet(connection, Path(directory))
        return spark_screen(spark, packs, as_of=as_of, parquet=directory, connection=connection, evidence=evidence)
