"""Each load declares, per source and kind of record, whether its source is complete (decision 8)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.ingest_helpers import run_cli, write

from secondchance.records.completeness import (
    RECORD_KINDS,
    complete,
    declared_completeness,
    kinds_of_table,
    not_complete,
    plain_load_completeness,
)
from secondchance.records.ingest import load_frames
from secondchance.records.store import open_store
from secondchance.records.synthetic.generator import generate_population
from secondchance.records.synthetic.store_writer import COMPLETENESS as SYNTHETIC

PEOPLE = "source,source_id\nbop,P1\n"
INCIDENTS = "source,source_id,person_source_id,incident_date,severity\nbop,I1,P1,2020-01-02,low\n"


def _declared(store: Path, source: str) -> dict[str, bool]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return {kind: item.complete for kind, item in declared_completeness(connection, source).items()}


def _load(store: Path, folder: Path, *complete_kinds: str) -> None:
    people = write(folder / "people.csv", PEOPLE)
    incidents = write(folder / "incidents.csv", INCIDENTS)
    assert run_cli("ingest", "--table", "person", people, "--store", store).returncode == 0
    options = [part for kind in complete_kinds for part in ("--complete", kind)]
    result = run_cli("ingest", "--table", "incident", incidents, *options, "--store", store)
    assert result.returncode == 0, result.stderr


def test_a_plain_load_is_not_complete_unless_it_says_so(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    _load(store, tmp_path)
    assert _declared(store, "bop") == {"incident": False}  # a person table carries no kind of record
    _load(store, tmp_path, "incident")
    assert _declared(store, "bop") == {"incident": True}
    _load(store, tmp_path)  # the latest load decides: a source is never complete by default
    assert _declared(store, "bop") == {"incident": False}


def test_complete_names_a_kind_the_table_carries(tmp_path: Path) -> None:
    incidents = write(tmp_path / "incidents.csv", INCIDENTS)
    store = tmp_path / "records.duckdb"
    result = run_cli("ingest", "--table", "incident", incidents, "--complete", "charge", "--store", store)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: --complete 'charge' is a kind of charge records, and this load holds none (tables loaded: incident)"
    )
    assert not store.exists()
    result = run_cli("ingest", "--adapter", "iowa", tmp_path, "--complete", "incident", "--store", store)
    assert result.returncode == 1
    assert "--complete is for --table loads; adapter iowa declares its own" in result.stderr


def test_kinds_by_table() -> None:
    assert kinds_of_table("charge") == ("charge", "enhancement")
    assert kinds_of_table("sentence") == ("jail_credit", "prior_sentence")
    assert kinds_of_table("person") == ()
    declared = plain_load_completeness(["sentence"], ["jail_credit"])
    assert {kind: item.complete for kind, item in declared.items()} == {"jail_credit": True, "prior_sentence": False}
    with pytest.raises(ValueError, match="'incidents' is not a kind of record"):
        plain_load_completeness(["incident"], ["incidents"])


def test_an_adapter_declares_every_kind_for_the_sources_it_loads(tmp_path: Path) -> None:
    frames = {"person": pl.DataFrame({"source_id": ["P1"]})}
    declared = {kind: not_complete("none in the export") for kind in RECORD_KINDS} | {
        "incident": complete("every incident")
    }
    with open_store(tmp_path / "records.duckdb") as connection:
        load_frames(connection, frames, adapter="demo", completeness=declared)
        rows = connection.execute(
            "SELECT record_kind, complete, basis, ingest_id FROM source_completeness WHERE source = 'demo'"
        ).fetchall()
        ingest_id = connection.execute("SELECT max(ingest_id) FROM ingest_log").fetchone()
    assert {kind: (flag, basis) for kind, flag, basis, _ in rows} == {
        kind: (item.complete, item.basis) for kind, item in declared.items()
    }
    assert {row[3] for row in rows} == {ingest_id[0] if ingest_id else None}  # the load that declared them


def test_a_refused_load_declares_nothing(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    assert (
        run_cli("ingest", "--table", "person", write(tmp_path / "people.csv", PEOPLE), "--store", store).returncode == 0
    )
    bad = write(tmp_path / "incidents.csv", INCIDENTS.replace("P1", "NOBODY"))  # refers to no person
    assert run_cli("ingest", "--table", "incident", bad, "--complete", "incident", "--store", store).returncode == 1
    assert _declared(store, "bop") == {}


def test_the_synthetic_population_declares_its_own(tmp_path: Path) -> None:
    store = tmp_path / "records.duckdb"
    generate_population(store, 20, seed=3)
    assert _declared(store, "synthetic") == {kind: item.complete for kind, item in SYNTHETIC.items()}
    assert set(SYNTHETIC) == set(RECORD_KINDS)
    assert [kind for kind, item in SYNTHETIC.items() if not item.complete] == ["jail_credit"]
