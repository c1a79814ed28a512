"""The loading API: references across tables, --skip-invalid cascades, idempotent reloads, XLSX and Parquet."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest
from tests.records.ingest_helpers import snapshot, write

from secondchance.records.ingest import IngestError, load_files, load_frames
from secondchance.records.store import open_store


def export_frames() -> dict[str, pl.DataFrame]:
    """People, sentences and charges of one export, as an adapter would give them."""
    return {
        "person": pl.DataFrame(
            {
                "source_id": ["A", "B"],
                "birth_date": [dt.date(1970, 5, 5), dt.date(1982, 1, 31)],
                "sex": ["Female", "male"],
            }
        ),
        "sentence": pl.DataFrame(
            {
                "source_id": ["S1", "S2", "S3"],
                "person_source_id": ["A", "A", "B"],
                "system": ["federal", "federal", "us-mo"],
                "sentence_type": ["determinate", "Life Without Parole", "indeterminate"],
                "sentence_type_raw": ["DET", "LWOP", "IND"],
                "term_months": [120, None, 300],
                "consecutive_to_source_id": [None, "S1", None],
            }
        ),
        "charge": pl.DataFrame(
            {
                "source_id": ["C1", "C2"],
                "sentence_source_id": ["S2", "S3"],
                "offense_category": ["drug", "Public Order"],
                "weapon_involved": [True, None],
            }
        ),
    }


def test_frames_load_with_references_resolved_to_internal_ids(store_path: Path) -> None:
    with open_store(store_path) as connection:
        report = load_frames(connection, export_frames(), adapter="test", source_files=[])
        sentences = connection.execute(
            "SELECT s.source_id, p.source_id, c.source_id, s.sentence_type, s.sentence_type_raw FROM sentence s "
            "JOIN person p ON p.id = s.person_id LEFT JOIN sentence c ON c.id = s.consecutive_to_id ORDER BY 1"
        ).fetchall()
        charges = connection.execute(
            "SELECT c.source_id, s.source_id, p.source_id, c.offense_category, c.offense_category_raw, "
            "c.weapon_involved FROM charge c JOIN sentence s ON s.id = c.sentence_id "
            "JOIN person p ON p.id = c.person_id ORDER BY 1"
        ).fetchall()
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (7, 7, 0)
    assert sentences == [
        ("S1", "A", None, "determinate", "DET"),
        ("S2", "A", "S1", "life_without_parole", "LWOP"),
        ("S3", "B", None, "indeterminate", "IND"),
    ]
    assert charges == [("C1", "S2", "A", "drug", "drug", True), ("C2", "S3", "B", "public_order", "Public Order", None)]


def test_one_bad_row_in_one_table_refuses_every_table(store_path: Path) -> None:
    frames = export_frames()
    frames["charge"] = frames["charge"].with_columns(pl.Series("source_id", ["C1", None]))
    with open_store(store_path):
        pass
    before = snapshot(store_path)
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, frames, adapter="test")
    assert [p.message() for p in caught.value.problems] == [
        "test (charge), row 2, column source_id: a value is required"
    ]
    assert snapshot(store_path) == before


def test_skip_invalid_rejects_rows_that_refer_to_rejected_rows(store_path: Path, tmp_path: Path) -> None:
    frames = export_frames()
    frames["person"] = frames["person"].with_columns(pl.Series("sex", ["Female", "unknown"]))
    rejects = tmp_path / "rejects.csv"
    with open_store(store_path) as connection:
        report = load_frames(connection, frames, adapter="test", skip_invalid=True, rejects_path=rejects)
        kept = {
            name: [row[0] for row in connection.execute(f"SELECT source_id FROM {name} ORDER BY 1").fetchall()]
            for name in ("person", "sentence", "charge")
        }
    assert kept == {"person": ["A"], "sentence": ["S1", "S2"], "charge": ["C1"]}
    assert [p.message() for p in report.rejected] == [
        "test (person), row 2, column sex: 'unknown' is not one of: female, male, other",
        "test (sentence), row 3, column person_source_id: 'B' refers to a person row that was rejected",
        "test (charge), row 2, column sentence_source_id: 'S3' refers to a sentence row that was rejected",
    ]
    assert [(load.table, load.rows_read, load.rows_loaded, load.rows_rejected) for load in report.loads] == [
        ("person", 2, 1, 1),
        ("sentence", 3, 2, 1),
        ("charge", 2, 1, 1),
    ]
    # One rejects file per table when a load spans several tables.
    with (tmp_path / "rejects.sentence.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["source_id"], row["_reasons"]) for row in rows] == [
        ("S3", "person_source_id: 'B' refers to a person row that was rejected")
    ]


def test_a_consecutive_sentence_to_a_rejected_sentence_is_rejected_in_turn(store_path: Path) -> None:
    sentences = pl.DataFrame(
        {
            "source_id": ["S1", "S2", "S3"],
            "person_source_id": ["A", "A", "A"],
            "system": ["federal", "federal", "federal"],
            "term_months": ["-1", "12", "24"],
            "consecutive_to_source_id": [None, "S1", "S2"],
        }
    )
    people = pl.DataFrame({"source_id": ["A"]})
    with open_store(store_path) as connection:
        report = load_frames(
            connection,
            {"person": people, "sentence": sentences},
            adapter="test",
            skip_invalid=True,
            rejects_path=store_path.with_name("r.csv"),
        )
    assert [p.message() for p in report.rejected] == [
        "test (sentence), row 1, column term_months: '-1' is less than the minimum, 0",
        "test (sentence), row 2, column consecutive_to_source_id: 'S1' refers to a sentence row that was rejected",
        "test (sentence), row 3, column consecutive_to_source_id: 'S2' refers to a sentence row that was rejected",
    ]


def test_loading_the_same_file_again_updates_in_place_and_keeps_ids(store_path: Path, tmp_path: Path) -> None:
    first = write(tmp_path / "people.csv", "source_id,birth_date,sex\nP1,1980-01-02,female\nP2,1975-06-30,male\n")
    with open_store(store_path) as connection:
        load_files(connection, "person", [first])
        before = connection.execute("SELECT id, source_id, birth_date FROM person ORDER BY id").fetchall()
        again = load_files(connection, "person", [first])
        same = connection.execute("SELECT id, source_id, birth_date FROM person ORDER BY id").fetchall()
        changed = write(tmp_path / "people.csv", "source_id,birth_date,sex\nP2,1975-07-01,male\nP3,1990-01-01,male\n")
        third = load_files(connection, "person", [changed])
        after = connection.execute("SELECT id, source_id, birth_date, ingest_id FROM person ORDER BY id").fetchall()
        log = connection.execute("SELECT ingest_id, rows_read, rows_loaded FROM ingest_log ORDER BY 1").fetchall()
    assert same == before
    assert (again.loads[0].rows_inserted, again.loads[0].rows_updated) == (0, 2)
    assert (third.loads[0].rows_inserted, third.loads[0].rows_updated) == (1, 1)
    id_of = {source_id: row_id for row_id, source_id, _ in before}
    assert after[:2] == [(id_of["P1"], "P1", dt.date(1980, 1, 2), 2), (id_of["P2"], "P2", dt.date(1975, 7, 1), 3)]
    new_id, *rest = after[2]
    assert rest == ["P3", dt.date(1990, 1, 1), 3]
    assert new_id > max(id_of.values())
    assert log == [(1, 2, 2), (2, 2, 2), (3, 2, 2)]


def test_the_ingest_log_names_the_file_and_its_checksum(store_path: Path, tmp_path: Path) -> None:
    people = write(tmp_path / "people.csv", "source_id,sex\nP1,female\n")
    with open_store(store_path) as connection:
        load_files(connection, "person", [people], source="county-export")
        row = connection.execute(
            "SELECT source, table_name, file_path, file_sha256, rows_read, rows_loaded, rows_rejected, "
            "started_at <= finished_at FROM ingest_log"
        ).fetchone()
        source = connection.execute("SELECT source, ingest_id FROM person").fetchone()
    digest = hashlib.sha256(people.read_bytes()).hexdigest()
    assert row == ("county-export", "person", str(people), digest, 1, 1, 0, True)
    assert source == ("county-export", 1)


def test_xlsx_files_are_read_from_the_first_sheet(store_path: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["source_id", "person_source_id", "system", "imposed_date", "term_months", "sentence_type"])
    sheet.append(["S1", "P1", "federal", dt.datetime(2001, 3, 4), 120, "Determinate"])
    sheet.append(["S2", "P1", "us-mo", "2003-04-05", 36.0, "life"])
    path = tmp_path / "sentences.xlsx"
    workbook.save(path)
    people = write(tmp_path / "people.csv", "source_id\nP1\n")
    with open_store(store_path) as connection:
        load_files(connection, "person", [people], source="x")
        load_files(connection, "sentence", [path], source="x")
        rows = connection.execute(
            "SELECT source_id, imposed_date, term_months, sentence_type, sentence_type_raw FROM sentence ORDER BY 1"
        ).fetchall()
    assert rows == [
        ("S1", dt.date(2001, 3, 4), 120, "determinate", "Determinate"),
        ("S2", dt.date(2003, 4, 5), 36, "life", "life"),
    ]


def test_xlsx_problems_name_the_sheet_row(store_path: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["source_id", "birth_year"])
    sheet.append(["P1", 1950])
    sheet.append(["P2", 1850])
    path = tmp_path / "people.xlsx"
    workbook.save(path)
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_files(connection, "person", [path])
    assert (
        str(caught.value).splitlines()[1]
        == "people.xlsx, row 3, column birth_year: '1850' is less than the minimum, 1880"
    )


def test_parquet_files_load_typed_columns(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    pl.DataFrame(
        {
            "source": ["bop", "bop"],
            "source_id": ["1", "2"],
            "birth_date": [dt.date(1960, 2, 29), None],
            "birth_year": [1960, 1971],
            "has_diploma": [True, False],
            "sex": ["female", "Male"],
        }
    ).write_parquet(path)
    with open_store(store_path) as connection:
        load_files(connection, "person", [path])
        rows = connection.execute(
            "SELECT source, source_id, birth_date, birth_year, has_diploma, sex, sex_raw FROM person ORDER BY 2"
        ).fetchall()
    assert rows == [
        ("bop", "1", dt.date(1960, 2, 29), 1960, True, "female", "female"),
        ("bop", "2", None, 1971, False, "male", "Male"),
    ]


def test_parquet_problems_name_the_row(store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    pl.DataFrame({"source_id": ["1", "2"], "birth_year": [1960.0, 1960.5]}).write_parquet(path)
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_files(connection, "person", [path])
    assert [p.message() for p in caught.value.problems] == [
        "people.parquet, row 2, column birth_year: '1960.5' is not an integer"
    ]


def test_frames_may_name_the_source_line_of_each_row(store_path: Path) -> None:
    frame = pl.DataFrame({"source_id": ["A", "B"], "birth_date": ["1980-01-01", "01/02/1980"], "_line": [7, 9]})
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, {"person": frame}, source_files=[Path("export/people.txt")], adapter="demo")
    assert [p.message() for p in caught.value.problems] == [
        "people.txt, line 9, column birth_date: '01/02/1980' is not a date (expected YYYY-MM-DD)"
    ]


def test_a_failed_load_leaves_no_temporary_tables(store_path: Path, tmp_path: Path) -> None:
    bad = write(tmp_path / "people.csv", "source_id,birth_date\nP1,yesterday\n")
    with open_store(store_path) as connection:
        with pytest.raises(IngestError):
            load_files(connection, "person", [bad])
        temporary = connection.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchone()
        views = connection.execute("SELECT count(*) FROM duckdb_views() WHERE temporary AND NOT internal").fetchone()
    assert temporary == (0,)
    assert views == (0,)


def test_the_store_is_a_real_duckdb_file(store_path: Path, tmp_path: Path) -> None:
    with open_store(store_path) as connection:
        load_files(connection, "person", [write(tmp_path / "p.csv", "source_id\nP1\n")])
    assert duckdb.connect(str(store_path), read_only=True).execute("SELECT count(*) FROM person").fetchone() == (1,)


@pytest.mark.parametrize(
    ("column", "text", "stored"),
    [
        ("birth_year", "1950", 1950),
        ("birth_year", "+1950", 1950),
        ("has_diploma", "Yes", True),
        ("has_diploma", " n ", False),
        ("has_diploma", "0", False),
        ("sex", " Female ", "female"),
        ("race", "Native American", "native_american"),
        ("education_level", "some-high-school", "some_high_school"),
        ("jurisdiction", "us-mo", "us-mo"),
        ("birth_date", "1960-02-29", dt.date(1960, 2, 29)),
    ],
)
def test_text_values_are_parsed(store_path: Path, column: str, text: str, stored: object) -> None:
    frame = pl.DataFrame({"source_id": ["A"], column: [text]})
    with open_store(store_path) as connection:
        load_frames(connection, {"person": frame}, adapter="test")
        assert connection.execute(f"SELECT {column} FROM person").fetchone() == (stored,)


@pytest.mark.parametrize(
    ("column", "text", "reason"),
    [
        ("birth_year", "1950.5", "is not an integer"),
        ("birth_year", "1e3", "is not an integer"),
        ("birth_year", " 1950", "is not an integer"),
        ("has_diploma", "maybe", "is not a boolean (expected true or false)"),
        ("birth_date", "1961-02-29", "is not a date (expected YYYY-MM-DD)"),
        ("birth_date", "1960-2-9", "is not a date (expected YYYY-MM-DD)"),
        ("birth_date", "29/02/1960", "is not a date (expected YYYY-MM-DD)"),
        ("jurisdiction", "Missouri", "does not match the pattern federal|us-[a-z]{2}"),
    ],
)
def test_text_values_that_do_not_parse_are_refused(store_path: Path, column: str, text: str, reason: str) -> None:
    frame = pl.DataFrame({"source_id": ["A"], column: [text]})
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, {"person": frame}, adapter="test")
    assert [p.message() for p in caught.value.problems] == [f"test, row 1, column {column}: '{text}' {reason}"]


def test_a_column_with_many_distinct_values_is_checked_without_a_lookup(store_path: Path) -> None:
    # Beyond MAX_LOOKUP_VALUES distinct values the normalisation runs as string functions on every row.
    values = ["Male", "female"] + [f"x{i}" for i in range(1200)]
    frame = pl.DataFrame({"source_id": [f"P{i}" for i in range(len(values))], "sex": values})
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, {"person": frame}, adapter="test")
    problems = caught.value.problems
    assert len(problems) == 1200
    assert problems[0].message() == "test, row 3, column sex: 'x0' is not one of: female, male, other"
    frame = pl.DataFrame(
        {"source_id": [f"P{i}" for i in range(1500)], "sex": [f"Male{' ' * (i % 1200)}" for i in range(1500)]}
    )
    with open_store(store_path) as connection:
        load_frames(connection, {"person": frame}, adapter="test")
        assert connection.execute("SELECT DISTINCT sex FROM person").fetchall() == [("male",)]


def test_a_header_only_file_loads_nothing_and_logs_it(store_path: Path, tmp_path: Path) -> None:
    with open_store(store_path) as connection:
        report = load_files(connection, "person", [write(tmp_path / "people.csv", "source_id,sex\n")])
        assert connection.execute("SELECT rows_read, rows_loaded FROM ingest_log").fetchall() == [(0, 0)]
    assert report.rows_read == 0


def test_a_dangling_reference_is_reported_beside_other_problems(store_path: Path) -> None:
    frames = {
        "person": pl.DataFrame({"source_id": ["A"]}),
        "sentence": pl.DataFrame(
            {"source_id": ["S1", "S2"], "person_source_id": ["A", "Z"], "system": ["federal", "us-mo"]}
        ),
        "charge": pl.DataFrame({"source_id": ["C1", "C2"], "sentence_source_id": ["S1", "S9"], "counts": ["0", "1"]}),
    }
    with open_store(store_path) as connection:
        load_frames(connection, {"person": pl.DataFrame({"source_id": ["B"]})}, adapter="test")
    before = snapshot(store_path)
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, frames, adapter="test")
    assert [p.message() for p in caught.value.problems] == [
        "test (sentence), row 2, column person_source_id: 'Z' does not match any person of source 'test' "
        "in this load or in the store",
        "test (charge), row 1, column counts: '0' is less than the minimum, 1",
        "test (charge), row 2, column sentence_source_id: 'S9' does not match any sentence of source 'test' "
        "in this load or in the store",
    ]
    assert snapshot(store_path) == before


def test_frames_may_name_the_source_file_of_each_row(store_path: Path, tmp_path: Path) -> None:
    people = pl.DataFrame(
        {
            "source_id": ["A", "B", "A"],
            "birth_date": ["1980-01-01", "1980-13-01", "1981-01-01"],
            "_file": ["current.csv", "current.csv", "prior.csv"],
            "_line": [2, 3, 7],
        }
    )
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_frames(connection, {"person": people}, source_files=[Path("current.csv"), Path("prior.csv")], adapter="x")
    assert [p.message() for p in caught.value.problems] == [
        "current.csv, line 3, column birth_date: '1980-13-01' is not a date (expected YYYY-MM-DD)",
        "prior.csv, line 7, column source_id: 'A' repeats the key of line 2 of current.csv (source 'x')",
    ]
    rejects = tmp_path / "rejects.csv"
    with open_store(store_path) as connection:
        load_frames(connection, {"person": people}, adapter="x", skip_invalid=True, rejects_path=rejects)
    with rejects.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["_file"], row["_line"], row["source_id"]) for row in rows] == [
        ("current.csv", "3", "B"),
        ("prior.csv", "7", "A"),
    ]
    assert "_file" not in rows[0]["_reasons"] and list(rows[0]) == [
        "_file",
        "_line_kind",
        "_line",
        "_reasons",
        "source_id",
        "birth_date",
    ]


def test_values_beyond_the_sampled_rows_of_a_csv_are_still_normalised_and_checked(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secondchance.records import ingest

    monkeypatch.setattr(ingest, "LOOKUP_SAMPLE_ROWS", 2)
    rows = "P1,Male,yes\nP2,male,no\nP3,FEMALE,True\nP4,Other,N\n"
    people = write(tmp_path / "people.csv", "source_id,sex,has_diploma\n" + rows)
    with open_store(store_path) as connection:
        load_files(connection, "person", [people])
        stored = connection.execute("SELECT source_id, sex, sex_raw, has_diploma FROM person ORDER BY 1").fetchall()
    assert stored == [
        ("P1", "male", "Male", True),
        ("P2", "male", "male", False),
        ("P3", "female", "FEMALE", True),
        ("P4", "other", "Other", False),
    ]
    bad = write(tmp_path / "more.csv", "source_id,sex,has_diploma\nP5,male,yes\nP6,male,no\nP7,X,maybe\n")
    with open_store(store_path) as connection, pytest.raises(IngestError) as caught:
        load_files(connection, "person", [bad])
    assert [p.message() for p in caught.value.problems] == [
        "more.csv, line 4, column sex: 'X' is not one of: female, male, other",
        "more.csv, line 4, column has_diploma: 'maybe' is not a boolean (expected true or false)",
    ]
