from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from tests.records.ingest_helpers import run_cli, snapshot, write

from secondchance.errors import UserError
from secondchance.records import store as store_module
from secondchance.records.ingest import load_files
from secondchance.records.schema import ENUMS, TABLES, table
from secondchance.records.store import (
    STORE_WAIT_ENV,
    check_store_path,
    open_store,
    storage_problem,
    store_columns,
    table_counts,
)


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


# -- paths that are not a store --------------------------------------------------------------------


def _parquet_file(folder: Path) -> Path:
    path = folder / "person.parquet"
    with duckdb.connect() as connection:
        connection.execute(f"COPY (SELECT 1 AS id, 'P1' AS source_id) TO '{path}' (FORMAT parquet)")
    return path


def _text_file(folder: Path) -> Path:
    path = folder / "notes.txt"
    path.write_text("not a database\n", encoding="utf-8")
    return path


def _empty_file(folder: Path) -> Path:
    path = folder / "empty.duckdb"
    path.touch()
    return path


def _dangling_link(folder: Path) -> Path:
    path = folder / "link.duckdb"
    path.symlink_to(folder / "gone.duckdb")
    return path


NOT_A_STORE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "parquet": (_parquet_file, "is not a DuckDB database (it is a Parquet file)"),
    "text": (_text_file, "is not a DuckDB database"),
    "empty": (_empty_file, "is an empty file, not a DuckDB database (remove it or give another path)"),
    "folder": (lambda folder: folder, "is a folder, not a DuckDB database file"),
    "device": (
        lambda folder: Path("/dev/null"),
        "is not a regular file (a device, pipe or socket), so not a DuckDB database",
    ),
    "missing folder": (
        lambda folder: folder / "missing" / "s.duckdb",
        "cannot be created: the folder {folder}/missing does not exist",
    ),
    "dangling link": (_dangling_link, "is a link to something that does not exist"),
}


def _file_state(path: Path) -> bytes | str:
    if path.is_file():
        return path.read_bytes()
    return "folder" if path.is_dir() else "absent"


@pytest.mark.parametrize("kind", sorted(NOT_A_STORE))
def test_a_store_that_is_not_a_duckdb_database_is_refused_before_anything_runs(tmp_path: Path, kind: str) -> None:
    make, reason = NOT_A_STORE[kind]
    store = make(tmp_path)
    people = write(tmp_path / "people.csv", "source_id,sex\nP1,female\n")
    before = _file_state(store)
    result = run_cli("ingest", "--table", "person", people, "--store", store)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: the store {store} {reason.format(folder=tmp_path)}"]
    assert _file_state(store) == before
    assert not store.with_name(store.name + ".wal").exists()


def test_the_duckdb_header_is_what_the_check_reads(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    with open_store(store):
        pass
    assert store.read_bytes()[8:12] == b"DUCK"
    check_store_path(store)  # a real store passes
    with pytest.raises(UserError, match="no records store at"):
        check_store_path(tmp_path / "none.duckdb", read_only=True)


def test_a_failed_first_load_leaves_no_store_behind(tmp_path: Path) -> None:
    store = tmp_path / "new.duckdb"
    people = write(tmp_path / "people.csv", "source_id,sex\nP1,M\n")
    result = run_cli("ingest", "--table", "person", people, "--store", store)
    assert result.returncode == 1
    assert not store.exists()
    assert not store.with_name("new.duckdb.wal").exists()


# -- a store another process holds ----------------------------------------------------------------

HOLDER = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.readline()"


@contextmanager
def held(store: Path) -> Iterator[subprocess.Popen[str]]:
    """A process that holds the store open for writing until the block ends."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        yield holder
        holder.stdin.close()  # the holder reads the end of its input and exits (closing twice is fine)


def filled(tmp_path: Path) -> Path:
    store = tmp_path / "records.duckdb"
    with open_store(store) as connection:
        load_files(connection, "person", [write(tmp_path / "first.csv", "source_id,sex\nP1,female\n")])
    return store


def test_a_busy_store_names_the_process_that_holds_it(tmp_path: Path) -> None:
    store = filled(tmp_path)
    people = write(tmp_path / "people.csv", "source_id,sex\nP2,male\n")
    before = snapshot(store)
    with held(store) as holder:
        result = subprocess.run(
            [sys.executable, "-m", "secondchance", "ingest", "--table", "person", str(people), "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, STORE_WAIT_ENV: "0"},
        )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"waiting for the store {store}: another process holds it"
    # The program, not its arguments, which may be a person's name.
    program = Path(sys.executable).name
    assert (
        lines[1]
        == f"error: the store {store} is busy: process {holder.pid} ({program}) is using it; try again when it finishes"
    )
    assert len(lines) == 2
    assert snapshot(store) == before


def test_a_busy_store_is_waited_for(tmp_path: Path) -> None:
    store = filled(tmp_path)
    people = write(tmp_path / "people.csv", "source_id,sex\nP2,male\n")
    command = [sys.executable, "-m", "secondchance", "ingest", "--table", "person", str(people), "--store", str(store)]
    environment = {**os.environ, STORE_WAIT_ENV: "600"}
    with held(store) as holder:
        with subprocess.Popen(
            command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=environment
        ) as waiting:
            assert waiting.stderr is not None and holder.stdin is not None
            # The holder lets go only once the second process says it is waiting.
            assert waiting.stderr.readline().startswith(f"waiting for the store {store}")
            holder.stdin.close()
            assert waiting.wait(timeout=600) == 0
    with open_store(store, read_only=True) as connection:
        assert table_counts(connection)["person"] == 2


# -- a read-only or full store --------------------------------------------------------------------


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make a file or folder unwritable: immutable for root (who ignores permissions), read-only otherwise."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
            pytest.skip("running as root without chattr +i on this file system")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        return
    mode = path.stat().st_mode
    path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        yield
    finally:
        path.chmod(mode)


def test_a_read_only_store_is_one_line_and_unchanged(tmp_path: Path) -> None:
    store = filled(tmp_path)
    people = write(tmp_path / "people.csv", "source_id,sex\nP2,male\n")
    before = snapshot(store)
    with unwritable(store):
        result = run_cli("ingest", "--table", "person", people, "--store", store)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: the store {store} cannot be written: {_unwritable_reason()}"]
    assert snapshot(store) == before


def test_a_store_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    people = write(tmp_path / "people.csv", "source_id,sex\nP2,male\n")
    with unwritable(folder):
        result = run_cli("ingest", "--table", "person", people, "--store", folder / "s.duckdb")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: the store {folder / 's.duckdb'} cannot be written: {_unwritable_reason()}"
    ]
    assert list(folder.iterdir()) == []


def _unwritable_reason() -> str:
    if os.geteuid() == 0:
        return "the system does not permit it (is the file or its folder read-only or immutable?)"
    return "permission denied (check the permissions of the file and its folder)"


def test_a_full_disk_is_one_line_and_leaves_the_store_unchanged(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    store = filled(tmp_path)
    before = snapshot(store)
    people = write(tmp_path / "people.csv", "source_id,sex\nP2,male\n")
    wal = store.with_name(store.name + ".wal")
    wal.symlink_to("/dev/full")  # every write to the log fails as on a full disk
    try:
        result = run_cli("ingest", "--table", "person", people, "--store", store)
    finally:
        wal.unlink()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: the store {store} cannot be written: the disk holding it is full; nothing was written "
        "(free some space and try again)"
    ]
    assert snapshot(store) == before


def test_a_store_someone_else_created_meanwhile_is_never_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "s.duckdb"
    real_connect = store_module._connect

    def filled_by_another_process_first(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
        # The path was free when checked; another process creates and fills it while we wait for it.
        with duckdb.connect(str(path)) as other:
            other.execute("CREATE TABLE theirs AS SELECT 1 AS x")
        return real_connect(path, read_only)

    monkeypatch.setattr(store_module, "_connect", filled_by_another_process_first)
    with pytest.raises(UserError, match="our work failed"), open_store(store):
        raise UserError("our work failed")
    assert snapshot(store)["theirs"] == [(1,)]


def test_a_failure_on_another_file_is_not_blamed_on_the_store(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    other = duckdb.IOException('IO Error: Cannot open file "/out/person.parquet": Permission denied')
    assert storage_problem(store, other, naming_it=True) is None
    own = duckdb.IOException(f'IO Error: Could not write file "{store}.wal": No space left on device')
    problem = storage_problem(store, own, naming_it=True)
    assert problem is not None and str(problem).startswith(f"the store {store} cannot be written: the disk")


def test_an_export_folder_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    store = filled(tmp_path)
    blocker = write(tmp_path / "plain.txt", "a file, not a folder")
    result = run_cli("export", "--format", "parquet", blocker / "out", "--store", store)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {blocker / 'out'}: cannot be created: Not a directory"]
