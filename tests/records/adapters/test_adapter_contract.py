"""Every adapter keeps the contract: canonical columns, valid enumerations, unique keys, listed mappings."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from tests.records.adapters.conftest import DATASETS, dataset_folder, frames_of

from secondchance.errors import UserError
from secondchance.records.adapters import ADAPTERS, Adapter, mappings
from secondchance.records.completeness import RECORD_KINDS
from secondchance.records.schema import ENUMS, TABLE_NAMES, table
from secondchance.records.synthetic.store_writer import COMPLETENESS as SYNTHETIC

# Which enumeration each declarative table maps into.
MAPPING_ENUMS = {
    "CDCR_RACE": "race",
    "CDCR_OFFENSE_CATEGORY": "offense_category",
    "CDCR_RELATIONSHIP": "count_relationship",
    "CDCR_SENTENCE_TYPE": "sentence_type",
    "COMPAS_SEX": "sex",
    "COMPAS_RACE": "race",
    "COMPAS_RISK_LEVEL": "risk_level",
    "IOWA_SEX": "sex",
    "IOWA_RACE": "race",
    "IOWA_RELEASE_TYPE": "release_type",
    "IOWA_OFFENSE_TYPE": "offense_category",
    "IOWA_OFFENSE_SUBTYPE": "offense_category",
}


# Raw columns whose normalised value is parsed from the text (docs/adapters.md) rather than looked up in
# a mapping table: their NULLs are checked by each adapter's own tests.
PARSED = {("cdcr", "sentence_type"), ("commutations", "sentence_type"), ("iowa", "status")}


def test_registry_names_every_adapter() -> None:
    assert sorted(ADAPTERS) == sorted(DATASETS)
    for name, adapter in ADAPTERS.items():
        assert isinstance(adapter, Adapter)
        assert adapter.name == name
        assert adapter.description


@pytest.mark.parametrize("name", sorted(MAPPING_ENUMS))
def test_mapping_values_are_enumeration_values(name: str) -> None:
    values = {v for v in getattr(mappings, name).values() if v is not None}
    assert values <= set(ENUMS[MAPPING_ENUMS[name]]), name
    assert set(MAPPING_ENUMS) | {"FEDERAL_OFFENSE_CATEGORY"} == set(mappings.__all__)


def test_federal_rules_give_enumeration_values() -> None:
    assert {category for _, category in mappings.FEDERAL_OFFENSE_CATEGORY} <= set(ENUMS["offense_category"])


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_missing_folder_or_file_is_a_user_error(name: str, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=f"adapter {name}: .* is not a folder"):
        ADAPTERS[name].read(tmp_path / "absent")
    with pytest.raises(UserError, match=f"adapter {name}: .* is missing from {tmp_path}"):
        ADAPTERS[name].read(tmp_path)


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_frames_are_canonical(name: str) -> None:
    folder = dataset_folder(name)
    adapter = ADAPTERS[name]
    assert [p.parent for p in adapter.files(folder)] == [folder] * len(adapter.files(folder))
    frames = frames_of(name)
    assert frames and set(frames) <= set(TABLE_NAMES)
    for table_name, frame in frames.items():
        spec = table(table_name)
        allowed = set(spec.column_names) | {f"{c.name}_raw" for c in spec.columns if c.enum} | {"_line"}
        assert set(frame.columns) <= allowed, (table_name, set(frame.columns) - allowed)
        assert frame.height > 0
        assert frame.get_column("source").unique().to_list() == [name]
        assert frame.get_column("source_id").null_count() == 0
        assert frame.get_column("source_id").is_unique().all(), table_name
        for column in spec.columns:
            if column.enum and column.name in frame.columns:
                values = set(frame.get_column(column.name).drop_nulls().unique().to_list())
                assert values <= set(column.values), (table_name, column.name, values - set(column.values))
            if column.required and column.name in frame.columns:
                assert frame.get_column(column.name).null_count() == 0, (table_name, column.name)


@pytest.mark.realdata
@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_source_text_is_mapped_or_deliberately_null(name: str) -> None:
    """Raw text with a NULL normalised value must be listed (as None) in the mapping, never just unknown."""
    frames = frames_of(name)
    listed_as_none = {
        text for table_name in MAPPING_ENUMS for text, value in getattr(mappings, table_name).items() if value is None
    }
    for frame in frames.values():
        for raw in (c for c in frame.columns if c.endswith("_raw")):
            column = raw.removesuffix("_raw")
            unmapped = frame.filter(pl.col(raw).is_not_null() & pl.col(column).is_null()).get_column(raw).unique()
            if (name, column) in PARSED:
                continue
            assert set(unmapped.to_list()) <= listed_as_none, (name, raw, set(unmapped.to_list()) - listed_as_none)


def _completeness_table() -> dict[str, dict[str, bool]]:
    """docs/adapters.md's completeness table: for each source, whether it is complete for each kind."""
    lines = (Path(__file__).resolve().parents[3] / "docs" / "adapters.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| kind | `cdcr` | `compas` | `commutations` | `iowa` | synthetic |")
    sources = ["cdcr", "compas", "commutations", "iowa", "synthetic"]
    table: dict[str, dict[str, bool]] = {source: {} for source in sources}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        kind, *cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for source, cell in zip(sources, cells, strict=True):
            table[source][kind] = cell == "complete"
    return table


def test_every_adapter_declares_every_kind_as_docs_adapters_md_says() -> None:
    documented = _completeness_table()
    declared = {name: adapter.completeness for name, adapter in ADAPTERS.items()} | {"synthetic": SYNTHETIC}
    for name, completeness in declared.items():
        assert set(completeness) == set(RECORD_KINDS), name
        assert all(item.basis for item in completeness.values()), name
        assert {kind: item.complete for kind, item in completeness.items()} == documented[name], name
