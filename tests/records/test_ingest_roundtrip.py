"""Property: any valid set of people, sentences and charges comes out of the store as it went in,
whether it arrives as CSV or as Parquet."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secondchance.records.ingest import load_files
from secondchance.records.schema import ENUMS
from secondchance.records.store import open_store

TODAY = dt.date.today()
# More examples on demand, e.g. SECONDCHANCE_HYPOTHESIS_EXAMPLES=500 before a release.
EXAMPLES = int(os.environ.get("SECONDCHANCE_HYPOTHESIS_EXAMPLES", "25"))
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
# Text as a source writes it: no surrounding spaces (ingest trims them) and never empty (empty is NULL).
words = st.text(st.sampled_from("abcXYZ019 ,'\"-;é"), min_size=1, max_size=12).map(str.strip).filter(bool)


def spelled(enum: str) -> st.SearchStrategy[tuple[str, str]]:
    """(normalised value, the way a source might spell it)."""
    styles = [str, str.upper, lambda v: v.replace("_", " ").title(), lambda v: v.replace("_", "-")]
    return st.tuples(st.sampled_from(ENUMS[enum]), st.sampled_from(styles)).map(
        lambda pair: (pair[0], pair[1](pair[0]))
    )


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def records(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """People, their sentences and the charges under them, every value valid."""
    people = []
    for n in range(draw(st.integers(1, 6))):
        sex = draw(maybe(spelled("sex")))
        people.append(
            {
                "source": "src",
                "source_id": f"P{n}",
                "jurisdiction": draw(maybe(st.sampled_from(["federal", "us-mo", "us-ca"]))),
                "name": draw(maybe(words)),
                "birth_date": draw(maybe(dates)),
                "birth_year": draw(maybe(st.integers(1880, 2025))),
                "sex": sex[0] if sex else None,
                "sex_raw": sex[1] if sex else None,
                "has_diploma": draw(maybe(st.booleans())),
            }
        )
    sentences = []
    for n in range(draw(st.integers(0, 6))):
        kind = draw(maybe(spelled("sentence_type")))
        imposed = draw(maybe(dates))
        commuted = None
        if imposed is not None and draw(st.booleans()):
            commuted = imposed + dt.timedelta(days=draw(st.integers(0, (TODAY - imposed).days)))
        sentences.append(
            {
                "source": "src",
                "source_id": f"S{n}",
                "person_source_id": draw(st.sampled_from([p["source_id"] for p in people])),
                "system": draw(st.sampled_from(["federal", "us-mo"])),
                "sentence_type": kind[0] if kind else None,
                "sentence_type_raw": kind[1] if kind else None,
                "imposed_date": imposed,
                "commutation_date": commuted,
                "term_months": draw(maybe(st.integers(0, 1200))),
                "jail_credit_days": draw(maybe(st.integers(0, 5000))),
            }
        )
    charges = []
    if sentences:
        for n in range(draw(st.integers(0, 8))):
            category = draw(maybe(spelled("offense_category")))
            charges.append(
                {
                    "source": "src",
                    "source_id": f"C{n}",
                    "sentence_source_id": draw(st.sampled_from([s["source_id"] for s in sentences])),
                    "statute": draw(maybe(words)),
                    "offense_category": category[0] if category else None,
                    "offense_category_raw": category[1] if category else None,
                    "offense_date": draw(maybe(dates)),
                    "counts": draw(maybe(st.integers(1, 20))),
                    "weapon_involved": draw(maybe(st.booleans())),
                }
            )
    return {"person": people, "sentence": sentences, "charge": charges}


def input_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The rows as a source file holds them: enumerations as spelled, no `_raw` columns."""
    spelled_rows = []
    for row in rows:
        out = {k: v for k, v in row.items() if not k.endswith("_raw")}
        for key in row:
            if key.endswith("_raw"):
                out[key.removesuffix("_raw")] = row[key]
        spelled_rows.append(out)
    return pl.DataFrame(spelled_rows, infer_schema_length=None)


def stored(connection: Any, table_name: str, columns: list[str]) -> list[dict[str, Any]]:
    cursor = connection.execute(f"SELECT {', '.join(columns)} FROM {table_name} ORDER BY source_id")
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=records(), file_format=st.sampled_from(["csv", "parquet"]))
def test_valid_records_round_trip_through_csv_and_parquet(
    data: dict[str, list[dict[str, Any]]], file_format: str
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        with open_store(folder / "store.duckdb") as connection:
            for table_name, rows in data.items():
                if not rows:
                    continue
                path = folder / f"{table_name}.{file_format}"
                frame = input_frame(rows)
                if file_format == "csv":
                    frame.write_csv(path)
                else:
                    frame.write_parquet(path)
                report = load_files(connection, table_name, [path])
                assert report.rows_loaded == len(rows)
            for table_name, rows in data.items():
                expected = sorted(rows, key=lambda row: row["source_id"])
                assert stored(connection, table_name, list(rows[0]) if rows else ["source_id"]) == expected
            links = connection.execute(
                "SELECT s.source_id, p.source_id FROM sentence s JOIN person p ON p.id = s.person_id ORDER BY 1"
            ).fetchall()
            charge_links = connection.execute(
                "SELECT c.source_id, s.source_id, c.person_id = s.person_id FROM charge c "
                "JOIN sentence s ON s.id = c.sentence_id ORDER BY 1"
            ).fetchall()
    assert links == sorted((s["source_id"], s["person_source_id"]) for s in data["sentence"])
    assert charge_links == sorted((c["source_id"], c["sentence_source_id"], True) for c in data["charge"])
