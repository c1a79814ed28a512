"""The five shipped packs: each passes `pack check`, carries enough test cases, and has a docs page.

The cases themselves run through the pack test plugin (`<pack>.test.yaml`); these tests check what
the plugin does not: coverage of statuses and criteria, the sources behind the parameters, and the
California rule ids against the Redo.io conditions file.
"""

from __future__ import annotations

import csv
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


def test_the_five_packs_ship() -> None:
    assert EXPECTED_PACKS <= set(PACKS)


@pytest.mark.parametrize("pack_id", sorted(EXPECTED_PACKS))
def test_pack_passes_check_against_the_facts_catalogue(pack_id: str) -> None:
    compiled, problems = check_pack_file(PACKS[pack_id], facts=default_catalogue())
    assert problems == []
    assert compiled is not None and compiled.pack.id == pack_id


def test_pack_check_command_accepts_every_pack() -> None:
    # One process for the five packs: the command checks several files and prints `<file>: ok` for each.
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
    unused = {row["rule_id"] for row in rows if row["use"] == "False"}
    ids = {node.id for node in iter_criteria(_pack("us-ca/pir-resentencing").criteria)}
    assert ids == used
    assert not ids & unused
    page = _docs_page("us-ca/pir-resentencing").read_text(encoding="utf-8")
    for rule_id in unused:
        assert f"`{rule_id}`" in page, f"the docs page does not explain why {rule_id} is left out"
