"""The DuckDB screening engine: every pack as one set-based query over the facts relation.

The facts relation is a table or view name, or a SELECT, with one row per person (`person_id`,
`source_id` and one column per fact). The facts are computed in the records store, by our own SQL;
the packs' SQL (`status.evaluation_sql`) runs in a `policy.sandbox.Sandbox`, which holds nothing but
those facts, and its results come back to the store's results tables. A run is one transaction:
when any pack fails, nothing of the run is written. `status.evaluation_sql` takes a dialect, so a
Spark engine runs the same compiled packs over the same facts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from secondchance.errors import UserError
from secondchance.policy import limits
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.parameters import values_as_of
from secondchance.policy.provenance import STORE_LAYER, SuppliedLayer, add_provenance, decisions_arrow, supplied_names
from secondchance.policy.results import ensure_results_schema, next_run_id, record_run
from secondchance.policy.sandbox import Sandbox
from secondchance.policy.status import evaluation_sql, is_query

__all__ = [
    "PackRun",
    "ScreeningRun",
    "ENGINES",
    "evaluate",
    "facts_read",
    "facts_relation_for",
    "insert_evaluated",
    "results_transaction",
    "screen",
    "screen_packs",
    "start_run",
    "write_evaluated",
]

ENGINES: tuple[str, ...] = ("duckdb",)
_FACTS_TABLE = "screening_facts"
_EVALUATED_TABLE = "screening_evaluated"
_DECISIONS_TABLE = "screening_decisions"


@dataclass
class PackRun:
    """What one pack did in a run."""

    compiled: CompiledPack
    screened: int = 0
    outside_population: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The entry of this pack in `screening_run.packs`."""
        pack = self.compiled.pack
        return {
            "id": pack.id,
            "version": pack.version,
            "sha256": self.compiled.sha256,
            "path": self.compiled.path,
            "screened": self.screened,
            "outside_population": self.outside_population,
            "criteria": [node.id for node in self.compiled.all_criteria()],
        }


@dataclass
class ScreeningRun:
    """A finished run: its id and as-of date, and the time spent on facts and on each pack."""

    run_id: int
    as_of: date
    engine: str
    packs: list[PackRun]
    facts_seconds: float
    people: int


def _string(value: str) -> str:
    return exp.Literal.string(value).sql("duckdb")


def facts_relation_for(
    connection: duckdb.DuckDBPyConnection,
    as_of: date,
    names: Sequence[str] | None = None,
    *,
    layer: SuppliedLayer | None = None,
    person_ids: Sequence[int] | None = None,
) -> str:
    """The SELECT computing every fact (or only `names`) from the records store as of a date (policy.facts.query).

    With `layer`, a supplied value holding on that date wins over the derived one.
    """
    try:
        from secondchance.policy.facts import query

        query.ensure_fact_inputs(connection)
    except (ImportError, AttributeError):
        raise UserError(
            "the facts query (secondchance.policy.facts.query) is not available; "
            "pass --facts with a facts table or file"
        ) from None
    facts_query: Any = query.facts_query
    if layer is None:
        return str(facts_query(as_of, facts=names, person_ids=person_ids))
    held = supplied_names(connection, layer)
    return str(facts_query(as_of, facts=names, person_ids=person_ids, supplied=layer.facts, supplied_names=held))


def facts_read(packs: Sequence[CompiledPack]) -> list[str]:
    """The facts any of the packs reads (population, tests and eligible_on), each once, in first-use order."""
    return list(dict.fromkeys(name for compiled in packs for name in compiled.facts_read()))


def _facts_arrow(connection: duckdb.DuckDBPyConnection, facts: str, packs: Sequence[CompiledPack]) -> pa.Table:
    """The facts the packs read, one row per person, taken out of the store as an Arrow table."""
    relation = f"({facts}) AS facts" if is_query(facts) else facts
    columns = ", ".join(["person_id", "source_id", *facts_read(packs)])
    return connection.sql(f"SELECT {columns} FROM {relation}").to_arrow_table()


def evaluate(
    connection: duckdb.DuckDBPyConnection,
    compiled: CompiledPack,
    facts: str,
    as_of: date,
    *,
    population_only: bool = True,
    layer: SuppliedLayer | None = None,
) -> pa.Table:
    """The evaluation of one pack over a facts relation of `connection`, run in a sandbox.

    With `layer`, its decisions settle their criteria (the facts relation carries its supplied values).
    """
    sql = evaluation_sql(
        compiled,
        _FACTS_TABLE,
        values_as_of(compiled.pack, as_of),
        as_of,
        "duckdb",
        population_only=population_only,
        decisions=_DECISIONS_TABLE if layer is not None else None,
    )
    with Sandbox() as sandbox:
        sandbox.load(_FACTS_TABLE, _facts_arrow(connection, facts, [compiled]))
        if layer is not None:
            sandbox.load(_DECISIONS_TABLE, decisions_arrow(connection, layer))
        return sandbox.run(sql, label=f"pack {compiled.pack.id}")


def _effective_warning(compiled: CompiledPack, as_of: date) -> str | None:
    effective = compiled.pack.effective
    if as_of < effective.from_ or (effective.to is not None and as_of > effective.to):
        until = effective.to.isoformat() if effective.to else "today"
        return (
            f"pack {compiled.pack.id} is in force from {effective.from_.isoformat()} to {until}, "
            f"not on {as_of.isoformat()}: its results say what its criteria would decide"
        )
    return None


def _write_pack(
    connection: duckdb.DuckDBPyConnection,
    sandbox: Sandbox,
    run_id: int,
    compiled: CompiledPack,
    as_of: date,
    evidence: bool,
    layer: SuppliedLayer | None,
) -> int:
    values = values_as_of(compiled.pack, as_of)
    # The evidence JSON is built once, straight into screening_criterion, from the facts carried through.
    decisions = _DECISIONS_TABLE if layer is not None else None
    sql = evaluation_sql(
        compiled, _FACTS_TABLE, values, as_of, "duckdb", evidence=False, carry_facts=evidence, decisions=decisions
    )
    people = write_evaluated(connection, run_id, compiled, sandbox.run(sql, label=f"pack {compiled.pack.id}"), evidence)
    if evidence and layer is not None:
        add_provenance(connection, run_id, compiled, as_of, layer)
    return people


def write_evaluated(
    connection: duckdb.DuckDBPyConnection, run_id: int, compiled: CompiledPack, evaluated: pa.Table, evidence: bool
) -> int:
    """Write one pack's evaluation, as Arrow from either engine, to the results tables; returns the people."""
    connection.complete()  # a result left open by an earlier fetchone() would block register()
    connection.register(_EVALUATED_TABLE, evaluated)
    try:
        return insert_evaluated(connection, run_id, compiled, _EVALUATED_TABLE, evidence)
    finally:
        connection.complete()
        connection.unregister(_EVALUATED_TABLE)


def insert_evaluated(
    connection: duckdb.DuckDBPyConnection, run_id: int, compiled: CompiledPack, evaluated: str, evidence: bool
) -> int:
    """Write one pack's evaluation (`evaluation_sql` with `carry_facts=evidence`) to the results tables.

    `evaluated` names a table, view or registered Arrow table; both engines write through here, so their
    results and evidence JSON have one format. Returns the number of people written.
    """
    pack_id = _string(compiled.pack.id)
    connection.execute(
        f"INSERT INTO screening_result SELECT {run_id}, {pack_id}, person_id, source_id, status, eligible_on, "
        f"unmet_count, unknown_count FROM {evaluated}"
    )
    selects = []
    for node in compiled.all_criteria():
        names = node.evidence_facts() if evidence else ()
        read = "json_object(" + ", ".join(f"{_string(name)}, fact__{name}" for name in names) + ")" if names else "NULL"
        parent = _string(node.parent_id) if node.parent_id is not None else "NULL"
        selects.append(
            f"SELECT {run_id}, {pack_id}, person_id, {_string(node.id)}, {parent}, {node.alias}_status, "
            f"{node.alias}_eligible_on, {read} FROM {evaluated}"
        )
    connection.execute("INSERT INTO screening_criterion " + " UNION ALL ".join(selects))
    row = connection.execute(f"SELECT count(*) FROM {evaluated}").fetchone()
    return int(row[0]) if row else 0


def _check_columns(
    connection: duckdb.DuckDBPyConnection, relation: str, packs: Sequence[CompiledPack], label: str
) -> None:
    """Refuse, with the names, facts a pack reads that the facts relation does not have."""
    columns = {str(row[0]) for row in connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    for needed in ("person_id", "source_id"):
        if needed not in columns:
            raise UserError(f"the facts ({label}) have no {needed} column")
    for compiled in packs:
        missing = [name for name in compiled.facts_read() if name not in columns]
        if missing:
            raise UserError(f"the facts ({label}) lack what pack {compiled.pack.id} reads: {', '.join(missing)}")


@contextmanager
def results_transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Write a screening run whole or not at all: a failed pack leaves the store as it was."""
    connection.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        connection.complete()
        connection.execute("ROLLBACK")
        raise
    connection.complete()
    connection.execute("COMMIT")


def start_run(connection: duckdb.DuckDBPyConnection) -> int:
    """Make sure the results tables exist and return the id of a new run."""
    ensure_results_schema(connection)
    # Row order of the results does not matter; letting DuckDB write in any order uses every core.
    connection.execute("SET preserve_insertion_order = false")
    return next_run_id(connection)


def _load_facts(
    connection: duckdb.DuckDBPyConnection,
    packs: Sequence[CompiledPack],
    as_of: date,
    facts: str | None,
    facts_label: str | None,
    layer: SuppliedLayer | None = None,
    person_ids: Sequence[int] | None = None,
) -> tuple[pa.Table, str]:
    """The facts the packs read, as Arrow, and how the run record names where they came from."""
    if facts is None:
        # Only the facts the packs read are computed, from only the records those facts read.
        query = facts_relation_for(connection, as_of, facts_read(packs), layer=layer, person_ids=person_ids)
        return _facts_arrow(connection, query, packs), facts_label or "records store (policy.facts.query)"
    relation = f"({facts}) AS counted" if is_query(facts) else facts
    _check_columns(connection, relation, packs, facts_label or facts)
    return _facts_arrow(connection, facts, packs), facts_label or facts


def _run_packs(
    connection: duckdb.DuckDBPyConnection,
    packs: Sequence[CompiledPack],
    facts: pa.Table,
    run_id: int,
    as_of: date,
    evidence: bool,
    seconds: float,
    layer: SuppliedLayer | None,
) -> list[PackRun]:
    with Sandbox(seconds=seconds) as sandbox:
        sandbox.load(_FACTS_TABLE, facts)
        if layer is not None:
            sandbox.load(_DECISIONS_TABLE, decisions_arrow(connection, layer))
        return screen_packs(
            packs,
            as_of,
            facts.num_rows,
            lambda compiled: _write_pack(connection, sandbox, run_id, compiled, as_of, evidence, layer),
        )


def screen_packs(
    packs: Sequence[CompiledPack], as_of: date, people: int, write: Callable[[CompiledPack], int]
) -> list[PackRun]:
    """Screen each pack with `write` (which returns the people it wrote), timing it and noting its warnings."""
    runs: list[PackRun] = []
    for compiled in packs:
        pack_run = PackRun(compiled)
        warning = _effective_warning(compiled, as_of)
        if warning:
            pack_run.warnings.append(warning)
        clock = time.perf_counter()
        pack_run.screened = write(compiled)
        pack_run.outside_population = people - pack_run.screened
        pack_run.seconds = time.perf_counter() - clock
        runs.append(pack_run)
    return runs


def screen(
    connection: duckdb.DuckDBPyConnection,
    packs: Sequence[CompiledPack],
    *,
    as_of: date,
    facts: str | None = None,
    facts_label: str | None = None,
    evidence: bool = True,
    seconds: float = limits.PACK_SECONDS,
    layer: SuppliedLayer | None = STORE_LAYER,
    person_ids: Sequence[int] | None = None,
) -> ScreeningRun:
    """Screen everyone in the facts relation against each pack and record the run; returns its summary.

    Without `facts`, the facts are computed from the records store as of `as_of` (only for `person_ids`,
    when given). The supplied `layer` (by default the store's) gives supplied values to computed facts
    and settles criteria by its decisions; None screens the records alone. Without `evidence`,
    criteria are written without the fact values they read (faster on big populations). A pack is
    stopped after `seconds`; the run is written whole or not at all.
    """
    started_at = datetime.now(UTC).replace(tzinfo=None)
    clock = time.perf_counter()
    facts_table, label = _load_facts(connection, packs, as_of, facts, facts_label, layer, person_ids)
    facts_seconds = time.perf_counter() - clock
    with results_transaction(connection):
        run_id = start_run(connection)
        runs = _run_packs(connection, packs, facts_table, run_id, as_of, evidence, seconds, layer)
        record_run(
            connection,
            run_id=run_id,
            started_at=started_at,
            finished_at=datetime.now(UTC).replace(tzinfo=None),
            as_of=as_of,
            engine="duckdb",
            packs=[pack_run.record() for pack_run in runs],
            facts=label,
        )
    return ScreeningRun(run_id, as_of, "duckdb", runs, facts_seconds, facts_table.num_rows)
