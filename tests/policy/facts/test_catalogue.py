"""The catalogue, its generated page and its statute lists agree with each other."""

from __future__ import annotations

import re
from typing import get_args

import duckdb
import pytest

from secondchance.law.offense_lists import normalised_statute_sql, offense_lists
from secondchance.policy.facts import FACTS, FactType, fact, fact_names
from secondchance.policy.facts.docs import DOC_PATH, facts_doc, write_facts_doc
from secondchance.policy.facts.query import _final_columns


def test_docs_facts_md_matches_the_catalogue() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == facts_doc(), (
        "docs/facts.md differs from the catalogue; run `python -m secondchance.policy.facts.docs`"
    )


def test_every_fact_is_documented_on_the_page() -> None:
    page = DOC_PATH.read_text(encoding="utf-8")
    for item in FACTS:
        assert f"| `{item.name}` | {item.type} |" in page


def test_write_facts_doc(tmp_path: pytest.TempPathFactory) -> None:
    path = write_facts_doc(tmp_path / "facts.md")  # type: ignore[operator]
    assert path.read_text(encoding="utf-8") == facts_doc()


def test_names_are_unique_identifiers_with_known_types() -> None:
    names = fact_names()
    assert len(names) == len(set(names))
    for item in FACTS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item.name), item.name
        assert item.type in get_args(FactType)
        assert item.description.endswith("."), item.name
        assert item.reads
    assert fact("age_years").type == "integer"
    with pytest.raises(KeyError):
        fact("age")


def test_facts_the_packs_rely_on_exist() -> None:
    required = {
        "system": "text", "jurisdiction": "text", "in_custody": "boolean", "age_years": "integer",
        "birth_date": "date", "commencement_date": "date", "served_days": "integer", "served_years": "number",
        "sentence_term_days": "integer", "sentence_term_years": "number", "fraction_served": "number",
        "is_life_sentence": "boolean", "has_fsa_excluded_offense": "boolean", "has_924c_stacking": "boolean",
        "has_violent_prior_offense": "boolean", "serious_incidents_last_10y": "integer",
        "latest_risk_level": "text", "risk_level_previous": "text", "needs_cognitive_behavioral": "integer",
        "projected_release_date": "date", "ftc_days": "integer", "days_to_release": "integer",
    }  # fmt: skip
    for name, kind in required.items():
        assert fact(name).type == kind, name


def test_query_casts_every_fact_to_its_type() -> None:
    select_list = _final_columns("DATE '2024-01-01'")
    for item in FACTS:
        assert f" AS {item.name}" in select_list


def test_statute_lists_used_by_the_query_exist() -> None:
    lists = offense_lists()
    for name in (
        "federal_drug_trafficking", "crack_cocaine", "usc_924c", "enhancement_851", "sentence_3559c", "fsa_excluded",
        "mo_no_parole", "mo_dangerous_felony", "mo_drug", "ca_drug", "ca_violent_felony", "ca_super_strike",
        "ca_registrable_sex", "pc12022", "ca_serious_felony",
    ):  # fmt: skip
        assert lists[name].citation
        assert all(entry.cite for entry in lists[name].entries)


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("21 U.S.C. § 841(b)(1)(A)(iii)", "21usc841(b)(1)(a)(iii)"),
        ("21 USC 846", "21usc846"),
        ("18:924(c)", "18usc924(c)"),
        ("18 U.S.C. 924 (c)(1)(A)", "18usc924(c)(1)(a)"),
        ("RSMo 565.020", "rsmo565.020"),
        ("PC 664/187(a)", "pc664/187(a)"),
        ("Penal Code 211", "pc211"),
        ("PC459 2nd", "pc459 2nd"),
    ],
)
def test_statute_normalisation(written: str, normalised: str) -> None:
    result = duckdb.execute(f"SELECT {normalised_statute_sql('s')} FROM (SELECT ? AS s)", [written]).fetchone()
    assert result == (normalised,)


def _matches(list_name: str, statute: str) -> bool:
    from secondchance.law.offense_lists import group_columns_sql

    offense_list = offense_lists()[list_name]
    columns = group_columns_sql(offense_list, "n", "''", "NULL")
    expression = " OR ".join(f"coalesce({sql}, false)" for _, sql in columns)
    result = duckdb.execute(
        f"SELECT {expression} FROM (SELECT {normalised_statute_sql('?')} AS n)", [statute]
    ).fetchone()
    assert result is not None
    return bool(result[0])


@pytest.mark.parametrize(
    ("list_name", "statute", "expected"),
    [
        ("usc_924c", "18 U.S.C. § 924(c)(1)(A)(i)", True),
        ("usc_924c", "18 U.S.C. § 924(a)(2)", False),
        ("usc_924c", "21 U.S.C. § 924(c)", False),  # another title
        ("fsa_excluded", "18 USC 2119", True),  # § 3632(d)(4)(D)(xxxv), carjacking
        ("fsa_excluded", "18 USC 2113(a)", False),  # only § 2113(e) is listed (xxxiii)
        ("fsa_excluded", "18 USC 1112", False),  # manslaughter is excepted from (xxv)
        ("fsa_excluded", "18 USC 2252A(a)(2)", True),  # (xlii)
        ("fsa_excluded", "18 USC 836", False),  # fireworks, excepted from (xvii)
        ("fsa_excluded", "8 USC 1326(b)(2)", True),  # (lix)
        ("fsa_excluded", "8 USC 1326(a)", False),
        ("mo_no_parole", "RSMo 565.020", True),
        ("mo_no_parole", "565.021", False),
        ("ca_violent_felony", "PC211", True),  # Cal. Penal Code § 667.5(c)(9)
        ("ca_violent_felony", "PC459 2nd", False),
        ("ca_registrable_sex", "PC288(a)", True),  # § 290(c)
        ("ca_registrable_sex", "PC288.5", True),
        ("ca_registrable_sex", "PC2880", False),
        ("ca_serious_felony", "PC245(a)(1)", True),  # § 1192.7(c)(31)
        ("ca_serious_felony", "PC245(a)(4)", False),  # force likely to injure: no weapon
        ("ca_super_strike", "PC664/187(a)", True),  # § 667(e)(2)(C)(iv)(IV): attempted homicide
        ("ca_super_strike", "PC653f(b)", True),  # (iv)(V): solicitation to commit murder
        ("ca_super_strike", "PC192(a)", False),  # manslaughter lies outside §§ 187 to 191.5
    ],
)
def test_statute_lists(list_name: str, statute: str, expected: bool) -> None:
    assert _matches(list_name, statute) is expected
