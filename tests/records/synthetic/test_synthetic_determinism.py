"""Same seed, same tables; another seed, other tables; regenerating replaces only synthetic rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from secondchance.errors import UserError
from secondchance.records.schema import TABLES
from secondchance.records.store import open_store
from secondchance.records.synthetic import NOT_DRAWN, generate_frames, generate_population

PEOPLE = 3_000


def _tables(path: Path) -> dict[str, pa.Table]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return {spec.name: connection.sql(f"SELECT * FROM {spec.name} ORDER BY id").to_arrow_table() for spec in TABLES}


def test_same_seed_gives_identical_tables(tmp_path: Path) -> None:
    generate_population(tmp_path / "a.duckdb", PEOPLE, seed=3)
    generate_population(tmp_path / "b.duckdb", PEOPLE, seed=3)
    first, second = _tables(tmp_path / "a.duckdb"), _tables(tmp_path / "b.duckdb")
    for name in first:
        assert (first[name].num_rows > 0) is (name not in NOT_DRAWN), name
        assert first[name].equals(second[name]), name


def test_different_seeds_give_different_tables(tmp_path: Path) -> None:
    one = generate_frames(PEOPLE, seed=3)
    other = generate_frames(PEOPLE, seed=4)
    for name in ("person", "sentence", "charge", "assessment", "incident", "enrollment"):
        assert not one.frames[name].equals(other.frames[name]), name


def test_every_jurisdiction_option_generates(tmp_path: Path) -> None:
    federal = generate_frames(500, seed=1, jurisdiction="federal").frames["person"]
    missouri = generate_frames(500, seed=1, jurisdiction="us-mo").frames["person"]
    assert set(federal["jurisdiction"]) == {"federal"}
    assert set(missouri["jurisdiction"]) == {"us-mo"}


def test_regenerating_replaces_synthetic_rows_and_keeps_others(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with open_store(path) as connection:
        connection.execute("INSERT INTO person (id, source, source_id) VALUES (1, 'county-export', 'A-1')")
    generate_population(path, PEOPLE, seed=3)
    first = _tables(path)
    generate_population(path, PEOPLE, seed=3)
    second = _tables(path)
    with duckdb.connect(str(path), read_only=True) as connection:
        rows = connection.execute("SELECT source, count(*), min(id) FROM person GROUP BY 1 ORDER BY 1").fetchall()
        logged = connection.execute("SELECT count(*) FROM ingest_log WHERE adapter = 'synthetic'").fetchall()
    assert rows == [("county-export", 1, 1), ("synthetic", PEOPLE, 2)]
    assert logged == [(2 * len(TABLES),)]
    for name in first:
        # Only the ingest_id (a new ingest_log row per load) differs between the two loads.
        keep = [c for c in first[name].column_names if c != "ingest_id"]
        assert first[name].select(keep).equals(second[name].select(keep)), name


@pytest.mark.parametrize(
    ("people", "seed", "jurisdiction", "message"),
    [
        (0, 1, "mixed", "--people must be between 1"),
        (10, -1, "mixed", "--seed must be zero or positive"),
        (10, 1, "us-ca", "--jurisdiction must be one of federal, us-mo, mixed"),
    ],
)
def test_bad_arguments_are_user_errors(people: int, seed: int, jurisdiction: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        generate_frames(people, seed, jurisdiction)


@pytest.mark.parametrize("jurisdiction", ["federal", "us-mo", "mixed"])
@pytest.mark.parametrize("people", [1, 2, 7])
def test_tiny_populations_generate(jurisdiction: str, people: int) -> None:
    for seed in range(3):
        frames = generate_frames(people, seed, jurisdiction).frames
        assert frames["person"].height == people
        assert frames["sentence"].height >= people
