"""Rich output prints data as it is: no emoji or markup taken from records, ids whole in 80 columns."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rich.console import Console
from tests.cli.conftest import run_cli

from secondchance.cli._app import console, data_table, id_column, text_column
from secondchance.records.synthetic import generate_population

PACK_FIXTURE = Path(__file__).parents[1] / "policy" / "fixtures" / "demo-clemency.yaml"
LONG_PACK_ID = "us-federal/a-rather-long-pack-id-for-80-columns"
PERSON_ID = "ab:x:cd"  # `:x:` is an emoji code to Rich
SENTENCE_ID = "se:x:nt"
AS_OF = "2026-11-25"


def test_the_shared_console_prints_emoji_codes_and_markup_free_data_as_text() -> None:
    with console.capture() as captured:
        console.print("ab:x:cd :thumbs_up: 12")
    assert captured.get() == "ab:x:cd :thumbs_up: 12\n"


def test_an_id_column_keeps_ids_whole_and_the_text_column_gives_way() -> None:
    table = data_table("t")
    id_column(table, "pack")
    id_column(table, "person")
    text_column(table, "detail")
    ids = ("us-federal/compassionate-release-with-a-long-name", "SYN-P-000000000041")
    table.add_row(*ids, "words " * 30)
    buffer = io.StringIO()
    Console(file=buffer, width=80).print(table)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert all(any(value in line for line in lines) for value in ids)
    assert "…" not in buffer.getvalue()


@pytest.fixture(scope="module")
def awkward_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A synthetic store where an almost-eligible person is `ab:x:cd` and a reviewed sentence `se:x:nt`,
    and a pack file whose id is long."""
    folder = tmp_path_factory.mktemp("awkward")
    store = folder / "store.duckdb"
    generate_population(store, 200, seed=1, jurisdiction="mixed")
    pack = folder / "long.yaml"
    text = PACK_FIXTURE.read_text(encoding="utf-8")
    pack.write_text(text.replace("id: test/demo-clemency", f"id: {LONG_PACK_ID}", 1), encoding="utf-8")
    assert run_cli("screen", "--pack", pack, "--as-of", AS_OF, "--store", store, "--format", "json").code == 0
    assert run_cli("dates", "compute", "--as-of", AS_OF, "--store", store).code == 0
    with duckdb.connect(str(store)) as connection:
        _rename_almost_eligible_person(connection)
        _rename_reviewed_sentence(connection)
    return store, pack


def _rename_almost_eligible_person(connection: duckdb.DuckDBPyConnection) -> None:
    row = connection.execute(
        "SELECT source_id FROM screening_result WHERE status = 'almost-eligible' ORDER BY source_id LIMIT 1"
    ).fetchone()
    assert row is not None, "the synthetic population has nobody almost eligible for the fixture pack"
    owned = connection.execute("SELECT table_name FROM duckdb_columns() WHERE column_name = 'person_source_id'")
    for (table,) in owned.fetchall():
        connection.execute(f"UPDATE {table} SET person_source_id = ? WHERE person_source_id = ?", [PERSON_ID, row[0]])
    connection.execute("UPDATE person SET source_id = ? WHERE source_id = ?", [PERSON_ID, row[0]])


def _rename_reviewed_sentence(connection: duckdb.DuckDBPyConnection) -> None:
    row = connection.execute(
        "SELECT s.source_id FROM sentence s JOIN computed_dates d ON d.sentence_id = s.id "
        "WHERE d.review_reason IS NOT NULL ORDER BY s.id LIMIT 1"
    ).fetchone()
    assert row is not None, "the synthetic population has no sentence in manual review"
    connection.execute("UPDATE sentence SET source_id = ? WHERE source_id = ?", [SENTENCE_ID, row[0]])


def _piped_at_80_columns(*args: str | Path) -> str:
    """Standard output of the installed command, piped (not a terminal) in an 80-column environment."""
    environment = {**os.environ, "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-m", "secondchance", *map(str, args)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    return done.stdout


def test_screen_prints_long_pack_ids_and_awkward_source_ids_whole(awkward_store: tuple[Path, Path]) -> None:
    store, pack = awkward_store
    output = _piped_at_80_columns("screen", "--pack", pack, "--as-of", AS_OF, "--store", store)
    assert LONG_PACK_ID in output and PERSON_ID in output
    assert "…" not in output and "❌" not in output


def test_explain_prints_the_source_id_as_it_is(awkward_store: tuple[Path, Path]) -> None:
    store, pack = awkward_store
    output = _piped_at_80_columns("explain", PERSON_ID, "--pack", pack, "--as-of", AS_OF, "--store", store)
    assert f"Person {PERSON_ID}," in output and LONG_PACK_ID in output
    assert "❌" not in output


def test_dates_review_prints_sentence_ids_whole(awkward_store: tuple[Path, Path]) -> None:
    store, _ = awkward_store
    output = _piped_at_80_columns("dates", "review", "--store", store)
    assert SENTENCE_ID in output
    assert "…" not in output and "❌" not in output


def test_markup_in_a_person_id_is_printed_not_obeyed(awkward_store: tuple[Path, Path]) -> None:
    store, _ = awkward_store
    outcome = run_cli("facts", "show", "[bold]nobody[/bold]", "--as-of", AS_OF, "--store", store)
    assert outcome.code == 1
    assert outcome.error_lines == [f"error: no person with source id '[bold]nobody[/bold]' in {store}"]
