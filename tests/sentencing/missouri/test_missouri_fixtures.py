"""Golden cases for Missouri, worked by hand from RSMo 558.019 and 558.011 (tests/sentencing/fixtures)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.sentencing.conftest import as_text, golden_term

from secondchance.sentencing.missouri import compute_missouri

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("missouri_*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            cases.append(pytest.param(case, id=f"{path.stem}:{case['id']}"))
    return cases


def test_there_are_enough_cases_and_each_cites_its_source() -> None:
    cases = [param.values[0] for param in _cases()]
    assert len(cases) >= 25
    assert all(case.get("source") for case in cases)
    assert len({case["id"] for case in cases}) == len(cases)


@pytest.mark.parametrize("case", _cases())
def test_missouri_golden_case(case: dict[str, Any]) -> None:
    given = case["input"]
    term, sentence_type = golden_term(str(given["term"]))
    result = compute_missouri(
        given["start"],
        term,
        sentence_type=sentence_type,
        prior_commitments=given.get("prior_commitments", 0),
        dangerous_felony=given.get("dangerous", False),
        no_parole_offense=given.get("no_parole_offense", False),
        birth_date=given.get("birth_date"),
        jail_credit_days=given.get("jail_credit", 0),
    ).to_dict()
    for key, expected in case["expected"].items():
        assert result[key] == as_text(expected), f"{key}: timeline {result['timeline']}"
