"""The screen's lists: cleaning, implied offences and tables left out, as the CDCR data set's SOURCE.md describes them.

The offence tables are never written here: each test loads a few codes of its own into `offense_table_entry`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from secondchance.errors import UserError
from secondchance.law import source_lists as module
from secondchance.law.source_lists import (
    SourceList,
    implied_suffixes,
    list_codes_sql,
    lists_loaded_sql,
    screen_cleaned_sql,
    source_lists,
)
from secondchance.records.store import ensure_schema

THREE = {"all": ("/att", "(664)", "2nd")}


def _list(**changes: object) -> SourceList:
    base = SourceList(
        name="test_list",
        title="t",
        citation="c",
        source="src",
        system="us-ca",
        tables=("A",),
        except_tables=(),
        implied={},
        perm=0,
        facts={"current": "x"},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _store(entries: list[tuple[str, str]]) -> duckdb.DuckDBPyConnection:
    """A store whose offence tables hold `entries`, (letter, code as cleaned), all of source `src`."""
    connection = duckdb.connect()
    ensure_schema(connection)
    for number, (letter, code) in enumerate(entries, start=1):
        connection.execute(
            "INSERT INTO offense_table_entry (id, source, source_id, table_name, table_letter, offense, "
            "offense_cleaned) VALUES (?, 'src', ?, ?, ?, ?, ?)",
            [number, f"e{number}", f"Table {letter}", letter, code, code],
        )
    return connection


def _codes(connection: duckdb.DuckDBPyConnection, item: SourceList) -> set[str]:
    return {row[0] for row in connection.execute(f"SELECT code FROM ({list_codes_sql([item])})").fetchall()}


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("PC187(a)", "187(a)"),  # SOURCE.md's own example
        ("PC459 2nd", "4592nd"),
        ("261 Rape", "261"),
        ("136.1(b)/ATT", "136.1(b)/att"),
        ("PC245(a)(1).", "245(a)(1)"),  # trailing periods first
        ("VC23152(a)", "vc23152(a)"),  # only `pc` goes: other codes keep their letters
        ("PC 211\n", "211"),
        ("HS11378", "hs11378"),
    ],
)
def test_codes_are_cleaned_as_the_screen_cleaned_them(written: str, cleaned: str) -> None:
    row = duckdb.connect().execute(f"SELECT {screen_cleaned_sql('x')} FROM (SELECT ? AS x)", [written]).fetchone()
    assert row == (cleaned,)


def test_implied_offences_are_every_ordered_selection_up_to_perm() -> None:
    # SOURCE.md: for perm 2 and suffixes /att, (664), 2nd: /att, (664), 2nd, /att(664), (664)/att, /att2nd, ...
    # 3 single suffixes and 3 x 2 ordered pairs.
    suffixes = {suffix for _, suffix in implied_suffixes(_list(implied=THREE, perm=2))}
    assert suffixes == {
        "/att", "(664)", "2nd", "/att(664)", "/att2nd", "(664)/att", "(664)2nd", "2nd/att", "2nd(664)",
    }  # fmt: skip
    # perm 4 with three suffixes: 3 + 6 + 6 ordered selections, since a suffix is used once.
    assert len(implied_suffixes(_list(implied=THREE, perm=4))) == 15
    assert implied_suffixes(_list(implied=THREE, perm=0)) == []


def test_a_code_with_its_own_suffixes_does_not_take_the_all_list() -> None:
    # eligibility_conditions.csv r_4: {'all': [...], '459': ['/att', '(664)']}: `4592nd` (second-degree burglary)
    # is not implied, `459/att` is; `211` takes the `all` list.
    item = _list(implied={**THREE, "459": ("/att", "(664)")}, perm=2)
    codes = _codes(_store([("A", "459"), ("A", "211")]), item)
    assert {"459", "459/att", "459(664)/att", "211", "2112nd", "211(664)2nd"} <= codes
    assert "4592nd" not in codes and "459/att2nd" not in codes
    assert len(codes) == 2 + 4 + 9  # each code, 459's 2 + 2 selections, 211's 3 + 6


def test_a_list_reads_only_its_tables_and_leaves_out_the_excepted_ones_with_their_implied_offences() -> None:
    # r_12: tables A-D less table F. `211` is in B and F, so it goes; so does `212.5(b)/att`, listed in B, which
    # table F's `212.5(b)` implies. `459` stays, `187` in table E is not read.
    entries = [("B", "211"), ("F", "211"), ("F", "212.5(b)"), ("B", "212.5(b)/att"), ("A", "459"), ("E", "187")]
    connection = _store(entries)
    item = _list(tables=("A", "B", "C", "D"), except_tables=("F",), implied=THREE, perm=1)
    codes = _codes(connection, item)
    assert codes == {"459", "459/att", "459(664)", "4592nd"}


def test_a_list_is_loaded_only_when_every_table_it_reads_has_rows() -> None:
    connection = _store([("A", "459"), ("B", "211")])
    items = [_list(name="ab", tables=("A", "B")), _list(name="af", tables=("A",), except_tables=("F",))]
    loaded = dict(connection.execute(lists_loaded_sql(items)).fetchall())
    assert loaded == {"ab": True, "af": False}


def test_the_shipped_lists_read_the_tables_the_rules_name() -> None:
    # eligibility_conditions.csv: r_4 tables A-D, r_5 C-D, r_7 D-E, r_8 D, r_9 and r_10 F, r_12 A-D less F.
    lists = source_lists()
    tables = {name: (item.tables, item.except_tables) for name, item in lists.items()}
    assert tables["ca_pir_abcd"] == (("A", "B", "C", "D"), ())
    assert tables["ca_pir_cd"] == (("C", "D"), ())
    assert tables["ca_pir_de"] == (("D", "E"), ())
    assert tables["ca_pir_d"] == (("D",), ())
    assert tables["ca_pir_f"] == (("F",), ())
    assert tables["ca_pir_abcd_not_f"] == (("A", "B", "C", "D"), ("F",))
    # SOURCE.md: juvenile, 187 implies 2nd and (664), perm 2; robbery r_5 perm 3, r_10 perm 4, r_12 perm 3.
    assert (lists["ca_pir_de_juvenile"].implied, lists["ca_pir_de_juvenile"].perm) == ({"187": ("2nd", "(664)")}, 2)
    perms = {name: lists[name].perm for name in ("ca_pir_cd_robbery", "ca_pir_f_robbery", "ca_pir_abcd_not_f_robbery")}
    assert perms == {"ca_pir_cd_robbery": 3, "ca_pir_f_robbery": 4, "ca_pir_abcd_not_f_robbery": 3}
    facts = [name for item in lists.values() for name in item.facts.values()]
    assert len(facts) == len(set(facts))


def test_a_malformed_list_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "lists.yaml"
    spec = "{title: t, citation: c, source: s, system: us-ca, tables: [AB], facts: {current: x}}"
    path.write_text(f"source_lists:\n  bad: {spec}\n", encoding="utf-8")
    monkeypatch.setattr(module, "LISTS_FILE", path)
    source_lists.cache_clear()
    try:
        with pytest.raises(UserError, match="source list 'bad': tables must be a list of table letters"):
            source_lists()
    finally:
        source_lists.cache_clear()
