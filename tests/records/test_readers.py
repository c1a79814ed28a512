"""Reading input files: DuckDB's reasons kept with their line, and where text stops being UTF-8."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from secondchance.errors import UserError
from secondchance.records.adapters.base import read_text_csv
from secondchance.records.ingest import load_files
from secondchance.records.readers import error_reason, first_invalid_utf8_line
from secondchance.records.store import open_store


def _duckdb_error(path: Path) -> duckdb.Error:
    with duckdb.connect() as connection:
        try:
            connection.execute(f"SELECT * FROM read_csv('{path}', all_varchar = true, header = true)").fetchall()
        except duckdb.Error as error:
            return error
    raise AssertionError(f"{path} was read")


def test_duckdbs_reason_and_line_are_kept_without_its_hints(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"source_id,name\nP1,Ana\nP2,Jos\xe9\n")
    assert error_reason(_duckdb_error(path)) == (
        3,
        "Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.",
    )


def test_an_error_without_a_line_keeps_its_first_line_without_the_kind() -> None:
    assert error_reason(duckdb.IOException('IO Error: No files found that match the pattern "x"\nmore')) == (
        None,
        'No files found that match the pattern "x"',
    )


def test_the_first_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_bytes("a\nb é\nc\n".encode() + b"d \xe9\n")
    assert first_invalid_utf8_line(path) == 4
    path.write_bytes("a\nb é\n".encode())
    assert first_invalid_utf8_line(path) is None


@pytest.mark.parametrize("shift", [0, 1])
def test_a_character_across_a_chunk_boundary_is_not_a_problem(tmp_path: Path, shift: int) -> None:
    path = tmp_path / "text.csv"
    body = b"x" * ((1 << 20) - 1 - shift) + "é".encode() + b"\n" * 5 + b"\xff\n"
    path.write_bytes(body)
    assert first_invalid_utf8_line(path) == 6


def test_an_adapter_csv_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"id,name\n1,Ana\n2,Jos\xe9\n")
    with pytest.raises(UserError) as raised:
        read_text_csv(path, ("id",))
    assert str(raised.value) == (
        "export.csv: line 3: cannot be read as CSV: the file is not UTF-8 encoded (invalid utf-8 sequence)"
    )


def test_a_lone_single_quote_is_text_not_a_quote(tmp_path: Path) -> None:
    # Left to DuckDB's sniffer, ' became the quote and the rows after it were joined into one value.
    people = tmp_path / "people.csv"
    people.write_text("source,source_id,name\nsrc,P0,'\nsrc,P1,'\n", encoding="utf-8")
    with open_store(tmp_path / "s.duckdb") as connection:
        assert load_files(connection, "person", [people]).rows_loaded == 2
        assert connection.execute("SELECT source_id, name FROM person ORDER BY 1").fetchall() == [
            ("P0", "'"),
            ("P1", "'"),
        ]
