"""A facts query for some of the facts gives exactly the values of the query for all of them.

`facts_query(..., facts=names)` builds only the steps those facts read; these tests compare it with the
whole catalogue, row by row, for the facts each shipped pack reads and for every fact on its own, over a
synthetic population with computed dates and over the hand-built store of `test_query`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import duckdb
import pytest
from tests.policy.facts.test_query import build_store

from secondchance.policy.checks import load_pack
from secondchance.policy.facts import FACTS, facts_query
from secondchance.policy.pack import list_packs
from secondchance.records.synthetic.generator import generate_population
from secondchance.sentencing.compute import compute_dates
from secondchance.sentencing.computed_dates import CREATE_COMPUTED_DATES_SQL

AS_OF = date(2024, 7, 1)
PACKS = dict(list_packs())


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A few hundred generated people (every source and system) with their dates computed."""
    store = tmp_path_factory.mktemp("facts-subsets") / "records.duckdb"
    generate_population(store, 400, seed=11)
    connection = duckdb.connect(str(store))
    compute_dates(connection, AS_OF)
    connection.execute(f"CREATE TEMP TABLE whole_catalogue AS {facts_query(AS_OF)}")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def hand_built() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = build_store()
    connection.execute(CREATE_COMPUTED_DATES_SQL)
    connection.execute(f"CREATE TEMP TABLE whole_catalogue AS {facts_query(AS_OF)}")
    yield connection
    connection.close()


def _assert_same_as_whole_catalogue(connection: duckdb.DuckDBPyConnection, names: Sequence[str]) -> None:
    connection.execute(f"CREATE OR REPLACE TEMP TABLE some_facts AS {facts_query(AS_OF, facts=names)}")
    described = [column[0] for column in connection.execute("SELECT * FROM some_facts LIMIT 0").description]
    assert described == ["person_id", "source_id", "source", *names]
    whole = "SELECT " + ", ".join(described) + " FROM whole_catalogue"
    for left, right in ((whole, "FROM some_facts"), ("FROM some_facts", whole)):
        differing = connection.execute(f"({left}) EXCEPT ALL ({right}) LIMIT 3").fetchall()
        assert differing == [], names
    counts = connection.execute("SELECT (SELECT count(*) FROM some_facts), (SELECT count(*) FROM person)").fetchone()
    assert counts is not None and counts[0] == counts[1]


def _pack_facts(pack_id: str) -> list[str]:
    """The facts a pack reads, in catalogue order (the order `facts_query` returns them in)."""
    read = set(load_pack(PACKS[pack_id]).facts_read())
    return [item.name for item in FACTS if item.name in read]


@pytest.mark.parametrize("pack_id", sorted(PACKS))
def test_facts_of_each_pack_equal_the_whole_catalogue(
    pack_id: str, population: duckdb.DuckDBPyConnection, hand_built: duckdb.DuckDBPyConnection
) -> None:
    names = _pack_facts(pack_id)
    assert names
    _assert_same_as_whole_catalogue(population, names)
    _assert_same_as_whole_catalogue(hand_built, names)


def test_every_fact_alone_equals_the_whole_catalogue(population: duckdb.DuckDBPyConnection) -> None:
    for item in FACTS:
        _assert_same_as_whole_catalogue(population, [item.name])


def test_facts_without_computed_dates_do_not_read_them() -> None:
    # Clemency (2014 criteria) reads no computed date: the costly join to `computed_dates` is left out.
    names = _pack_facts("us-federal/clemency-2014")
    assert "computed_dates" not in facts_query(AS_OF, facts=names)
    assert "computed_dates" in facts_query(AS_OF, facts=["projected_release_date"])
    # A person fact reads no charge and no statute list.
    assert "charge" not in facts_query(AS_OF, facts=["age_years"])
    assert "l_ca_super_strike" in facts_query(AS_OF, facts=["ca_prior_offense_in_tables_cd"])
    assert "l_ca_super_strike" not in facts_query(AS_OF, facts=["has_crack_cocaine_offense"])


def test_unknown_fact_names_are_refused() -> None:
    with pytest.raises(ValueError, match="no_such_fact"):
        facts_query(AS_OF, facts=["age_years", "no_such_fact"])
