"""The shipped packs: each passes `pack check`, carries enough test cases, and has a docs page.

The cases themselves run through the pack test plugin (`<pack>.test.yaml`); these tests check what
the plugin does not: coverage of statuses and criteria, the sources behind the parameters, and the
California rule ids against the Redo.io conditions file.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import shared_dataset

from secondchance.policy.checks import check_pack_file
from secondchance.policy.compiler import default_catalogue
from secondchance.policy.pack import Criterion, Group, Pack, iter_criteria, list_packs, packs_dir

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "packs"
EXPECTED_PACKS = {
    "us-federal/clemency-2014",
    "us-federal/compassionate-release",
    "us-federal/fsa-time-credits",
    "us-mo/parole-eligibility",
    "us-ca/pir-resentencing",
    "us-ca/pir-cohort",
    "us-ca/pir-la-juvenile",
    "us-ca/pir-la-robbery",
    "us-ca/prison-prior-resentencing",
}
# Redo.io's scenarios over the thirteen rules of us-ca/pir-resentencing (the data set's SOURCE.md), and the fact
# each reads in place of the full pack's where the scenario implies other offences (law/offense_lists.yaml).
PIR_SCENARIOS: dict[str, tuple[set[str], dict[str, tuple[str, str]]]] = {
    "us-ca/pir-cohort": ({"r_2", "r_3", "r_4", "r_5"}, {}),
    "us-ca/pir-la-juvenile": (
        {"r_3", "r_6", "r_7", "r_8"},
        {"r_7": ("ca_current_in_pir_de", "ca_current_in_pir_de_juvenile")},
    ),
    "us-ca/pir-la-robbery": (
        {"r_5", "r_10", "r_11", "r_12", "r_13"},
        {
            "r_5": ("ca_prior_in_pir_cd", "ca_prior_in_pir_cd_robbery"),
            "r_10": ("ca_controlling_in_pir_f", "ca_controlling_in_pir_f_robbery"),
            "r_12": ("ca_current_in_pir_abcd_not_f", "ca_current_in_pir_abcd_not_f_robbery"),
        },
    ),
}
MIN_CASES = 8

PACKS = dict(list_packs())


def _pack(pack_id: str) -> Pack:
    compiled, problems = check_pack_file(PACKS[pack_id])
    assert compiled is not None, "\n".join(str(problem) for problem in problems)
    return compiled.pack


def _cases(pack_id: str) -> list[dict[str, Any]]:
    path = PACKS[pack_id].with_name(PACKS[pack_id].name.removesuffix(".yaml") + ".test.yaml")
    assert path.is_file(), f"{pack_id} has no test file at {path}"
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    return cases


def _docs_page(pack_id: str) -> Path:
    return DOCS / (pack_id.replace("/", "-") + ".md")


def test_the_packs_ship() -> None:
    assert EXPECTED_PACKS <= set(PACKS)


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_pack_passes_check_against_the_facts_catalogue(pack_id: str) -> None:
    compiled, problems = check_pack_file(PACKS[pack_id], facts=default_catalogue())
    assert problems == []
    assert compiled is not None and compiled.pack.id == pack_id


def test_pack_check_command_accepts_every_pack() -> None:
    # One process for every pack: the command checks several files and prints `<file>: ok` for each.
    files = [str(PACKS[pack_id]) for pack_id in sorted(EXPECTED_PACKS)]
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "pack", "check", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for file in files:
        assert f"{file}: ok" in result.stdout


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_every_leaf_criterion_is_explained(pack_id: str) -> None:
    # A letter says, per criterion, what it means, where it comes from and who can supply what is missing.
    for node in iter_criteria(_pack(pack_id).criteria):
        assert node.text.strip(), node.id
        if isinstance(node, Criterion):
            assert node.source, node.id
            assert node.unknown_reason, f"{pack_id}: criterion {node.id} has no unknown_reason"


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_pack_has_enough_cases_and_covers_every_criterion(pack_id: str) -> None:
    cases = _cases(pack_id)
    assert len(cases) >= MIN_CASES
    expected_ids = {criterion for case in cases for criterion in (case["expected"].get("criteria") or {})}
    ids = {node.id for node in iter_criteria(_pack(pack_id).criteria)}
    assert ids <= expected_ids, f"criteria no case checks: {sorted(ids - expected_ids)}"


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_cases_cover_unknown_and_time_based_results(pack_id: str) -> None:
    cases = _cases(pack_id)
    statuses = {case["expected"]["status"] for case in cases}
    assert "needs-information" in statuses  # a NULL fact is unknown, never ineligible
    criteria = iter_criteria(_pack(pack_id).criteria)
    # § 1172.75 has no waiting time: nobody is ever almost-eligible.
    if not any(isinstance(node, Criterion) and node.eligible_on for node in criteria):
        assert "almost-eligible" not in statuses
        return
    assert "almost-eligible" in statuses  # a time-based criterion within the window
    dated = [case for case in cases if case["expected"].get("eligible_on")]
    assert dated, "no case checks a person's eligible_on date"


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_every_parameter_value_cites_a_source_of_the_pack(pack_id: str) -> None:
    pack = _pack(pack_id)
    source_ids = {source.id for source in pack.sources}
    for name, parameter in pack.parameters.items():
        for start, dated in parameter.values.items():
            assert dated.source in source_ids, f"{name} from {start}"


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_docs_page_names_every_criterion_and_its_kind(pack_id: str) -> None:
    page = _docs_page(pack_id)
    assert page.is_file(), f"missing docs page {page}"
    text = page.read_text(encoding="utf-8")
    for node in iter_criteria(_pack(pack_id).criteria):
        assert f"`{node.id}`" in text, f"{page.name} does not mention criterion {node.id}"
        if isinstance(node, Criterion):
            assert node.kind in text
    for case in _cases(pack_id):
        assert case["name"] in text, f"{page.name} does not describe the case {case['name']!r}"


def test_clemency_pack_judgement_criteria_are_flagged() -> None:
    # Only criterion 3 is mechanical; the five others need a reviewer (DOJ criteria 1, 2, 4, 5, 6).
    kinds = {node.id: node.kind for node in iter_criteria(_pack("us-federal/clemency-2014").criteria)}
    assert kinds.pop("served-10-years") == "rule"
    assert set(kinds.values()) == {"proxy"}


def test_compassionate_release_grounds_are_any_of_with_judgements_unknown() -> None:
    pack = _pack("us-federal/compassionate-release")
    grounds = next(node for node in pack.criteria if node.id == "grounds")
    assert isinstance(grounds, Group) and grounds.combination == "any_of"
    judgements = {
        node.id for node in iter_criteria(pack.criteria) if isinstance(node, Criterion) and node.kind == "judgement"
    }
    assert {"not-a-danger", "aging-deterioration", "other-reasons", "gross-disparity"} <= judgements


def test_later_statutory_changes_table_matches_the_clemency_parameters() -> None:
    table = yaml.safe_load((packs_dir() / "us-federal" / "later-statutory-changes.yaml").read_text(encoding="utf-8"))
    pack = _pack("us-federal/clemency-2014")
    catalogue = default_catalogue()
    fair_sentencing = pack.parameters["fair_sentencing_act_date"].values[date(2014, 4, 23)].value
    first_step = pack.parameters["first_step_act_date"].values[date(2014, 4, 23)].value
    in_force = pack.parameters["first_step_act_in_force"].values
    for change in table["changes"]:
        assert catalogue.get(change["fact"]) == "boolean", change["id"]
        governs = change["governs_sentences_imposed_on_or_after"]
        assert governs in (fair_sentencing, first_step), change["id"]
        if governs == first_step:
            assert in_force[first_step].value is True  # in force from the day it governs
    assert fair_sentencing == date(2010, 8, 3)  # Pub. L. 111-220, signed 3 Aug 2010
    assert first_step == date(2018, 12, 21)  # Pub. L. 115-391, signed 21 Dec 2018


@pytest.mark.realdata
def test_california_rule_ids_are_the_conditions_the_cohort_was_screened_with() -> None:
    folder = shared_dataset("cdcr_redoio")
    with (folder / "eligibility_conditions.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    used = {row["rule_id"] for row in rows if row["use"] == "True"}
    ids = [node.id for node in iter_criteria(_pack("us-ca/pir-resentencing").criteria)]
    assert ids == [row["rule_id"] for row in rows]  # all thirteen, in the file's order
    assert {node.id for node in iter_criteria(_pack("us-ca/pir-cohort").criteria)} == used
    # The numbers of the rules ("Age 50 and older", "20 years or more", "age 14 or 15", ...) are the parameters'.
    descriptions = {row["rule_id"]: row["desc"] for row in rows}
    for rule, numbers in {"r_1": [50], "r_2": [20], "r_3": [10], "r_6": [14, 15], "r_13": [15]}.items():
        assert [int(n) for n in re.findall(r"\d+", descriptions[rule])] == numbers, rule
        assert _rule_values(rule) == numbers, rule


def _rule_values(rule_id: str) -> list[object]:
    """The parameter values a rule's criterion reads, as of the pack's effective date."""
    pack = _pack("us-ca/pir-resentencing")
    node = next(n for n in iter_criteria(pack.criteria) if n.id == rule_id)
    text = " ".join(str(part) for part in (node.test, node.eligible_on) if isinstance(node, Criterion))
    return [
        dated.value
        for name, parameter in pack.parameters.items()
        if f":{name}" in text
        for dated in parameter.values.values()
    ]


@pytest.mark.parametrize("pack_id", sorted(PIR_SCENARIOS))
def test_pir_scenarios_repeat_the_full_packs_criteria_word_for_word(pack_id: str) -> None:
    rules, facts = PIR_SCENARIOS[pack_id]
    full, scenario = _pack("us-ca/pir-resentencing"), _pack(pack_id)
    ours = {node.id: node for node in iter_criteria(scenario.criteria)}
    theirs = {node.id: node for node in iter_criteria(full.criteria)}
    assert set(ours) == rules
    for rule in rules:
        mine, base = ours[rule], theirs[rule]
        assert isinstance(mine, Criterion) and isinstance(base, Criterion)
        expected_test = base.test or ""
        if rule in facts:
            old, new = facts[rule]
            assert old in expected_test and mine.source == "redoio-scenarios", rule
            expected_test = expected_test.replace(old, new)
        else:
            assert mine.source == base.source, rule
        assert (mine.test, mine.text, mine.kind, mine.eligible_on, mine.unknown_reason) == (
            expected_test,
            base.text,
            base.kind,
            base.eligible_on,
            base.unknown_reason,
        ), rule
        spanish, base_spanish = scenario.translations["es"].criteria[rule], full.translations["es"].criteria[rule]
        assert (spanish.text, spanish.unknown_reason) == (base_spanish.text, base_spanish.unknown_reason), rule
    for name, parameter in scenario.parameters.items():
        assert parameter == full.parameters[name], name
