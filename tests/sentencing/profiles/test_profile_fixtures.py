"""Golden cases for the shipped profiles (Louisiana, New Jersey), worked by hand from the statute text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.sentencing.conftest import as_text, golden_term

from secondchance.sentencing.profiles import builtin_profile, compute_profile
from secondchance.sentencing.reasons import ManualReview

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FACT_DEFAULTS: dict[str, bool | int] = {
    "violent": False,
    "sex_offense": False,
    "habitual_offender": False,
    "prior_felonies": 0,
    "prior_violent_felonies": 0,
    "prior_sex_offenses": 0,
}


def _cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "profile" not in document:
            continue  # Missouri's fixtures, run by tests/sentencing/missouri
        for case in document["cases"]:
            cases.append(pytest.param(document["profile"], case, id=f"{path.stem}:{case['id']}"))
    return cases


def test_there_are_enough_cases_and_each_cites_its_source() -> None:
    cases = [param.values[1] for param in _cases()]
    assert len(cases) >= 25
    assert {param.values[0] for param in _cases()} == {"us-la", "us-nj"}
    assert all(case.get("source") for case in cases)


@pytest.mark.parametrize(("profile_id", "case"), _cases())
def test_profile_golden_case(profile_id: str, case: dict[str, Any]) -> None:
    given = dict(case["input"])
    term, sentence_type = golden_term(str(given.pop("term")))
    facts = {name: given.get(name, default) for name, default in FACT_DEFAULTS.items()}
    try:
        result = compute_profile(
            builtin_profile(profile_id),
            given["offense_date"],
            term,
            start=given["start"],
            sentence_type=sentence_type,
            jail_credit_days=given.get("jail_credit", 0),
            facts=facts,
            min_term_months=given.get("min_term_months"),
        ).to_dict()
    except ManualReview as review:
        result = {"review_reason": str(review.code), "timeline": []}
    for key, expected in case["expected"].items():
        assert result[key] == as_text(expected), f"{key}: timeline {result['timeline']}"
