from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from secondchance.records.schema import ENUMS, TABLES, table
from secondchance.records.store import open_store, store_columns, table_counts


def test_every_enumerated_column_names_a_known_enumeration() -> None:
    for spec in TABLES:
        for column in spec.columns:
            if column.enum:
                assert column.enum in ENUMS, f"{spec.name}.{column.name}"


def test_enumerated_columns_keep_their_raw_text_beside_them() -> None:
    names = [name for name, _ in store_columns(table("charge"))]
    assert names.index("offense_category_raw") == names.index("offense_category") + 1


def test_a_new_store_has_every_table_empty(store_path: Path) -> None:
    with open_store(store_path) as connection:
        counts = table_counts(connection)
    assert counts == {spec.name: 0 for spec in TABLES}


def test_stats_json_counts_rows(store_path: Path) -> None:
    with open_store(store_path) as connection:
        connection.execute("INSERT INTO person (id, source, source_id) VALUES (1, 'test', 'a'), (2, 'test', 'b')")
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "stats", "--json", "--store", str(store_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["tables"]["person"] == 2


def test_stats_on_a_missing_store_is_a_user_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "stats", "--store", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "no records store" in result.stderr
    assert "Traceback" not in result.stderr
