"""A generated population's person, sentence and charge tables pass the validated loader as CSV."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from secondchance.records.ingest import load_files
from secondchance.records.schema import table
from secondchance.records.store import open_store
from secondchance.records.synthetic import generate_population

pytestmark = pytest.mark.slow


def test_exported_tables_ingest_without_problems(tmp_path: Path) -> None:
    generated = tmp_path / "generated.duckdb"
    generate_population(generated, 3_000, seed=8)
    files: dict[str, Path] = {}
    with duckdb.connect(str(generated), read_only=True) as connection:
        for name in ("person", "sentence", "charge"):
            columns = ", ".join(table(name).column_names)
            files[name] = tmp_path / f"{name}.csv"
            connection.execute(
                f"COPY (SELECT {columns} FROM {name} ORDER BY id) TO '{files[name]}' (HEADER)"
            ).fetchall()
    with open_store(tmp_path / "ingested.duckdb") as connection:
        for name, path in files.items():
            report = load_files(connection, name, [path])
            assert report.rows_rejected == 0, name
            assert report.rejected == [], name
        counts = {name: connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in files}
        unresolved = connection.execute(
            "SELECT count(*) FROM charge c LEFT JOIN sentence s ON s.id = c.sentence_id WHERE s.id IS NULL"
        ).fetchall()[0][0]
    with duckdb.connect(str(generated), read_only=True) as connection:
        expected = {name: connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in files}
    assert counts == expected
    assert unresolved == 0
