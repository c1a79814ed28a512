"""Golden cases for Missouri, worked by hand from RSMo 558.019, 558.011 and 14 CSR 80-2.010 (fixtures/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.sentencing.conftest import as_text, golden_term

from secondchance.sentencing.missouri import MissouriOffence, compute_missouri

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _cases() -> list[Any]:
    cases = []
    for path in sorted(FIXTURES.glob("missouri_*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document["rule_family"] == "missouri-charges":
            continue  # charges through the store: test_missouri_charges.py
        for case in document["cases"]:
            cases.append(pytest.param(case, id=f"{path.stem}:{case['id']}"))
    return cases


def test_there_are_enough_cases_and_each_cites_its_source() -> None:
    cases = [param.values[0] for param in _cases()]
    assert len(cases) >= 25
    assert all(case.get("source") for case in cases)
    assert len({case["id"] for case in cases}) == len(cases)


def _offence(given: dict[str, Any]) -> MissouriOffence:
    """The offence facts of a case; keys it leaves out keep MissouriOffence's defaults (a listed, non-drug felony)."""
    default = MissouriOffence()
    return MissouriOffence(
        dangerous_felony=given.get("dangerous", default.dangerous_felony),
        no_parole_offense=given.get("no_parole_offense", default.no_parole_offense),
        minimum_term_offense=given.get("listed", default.minimum_term_offense),
        drug_offense=given.get("drug", default.drug_offense),
        felony_class=given.get("felony_class", default.felony_class),
        offense_date=given.get("offense_date", default.offense_date),
    )


@pytest.mark.parametrize("case", _cases())
def test_missouri_golden_case(case: dict[str, Any]) -> None:
    given = case["input"]
    term, sentence_type = golden_term(str(given["term"]))
    result = compute_missouri(
        given["start"],
        term,
        sentence_type=sentence_type,
        prior_commitments=given.get("prior_commitments", 0),
        birth_date=given.get("birth_date"),
        jail_credit_days=given.get("jail_credit", 0),
        offence=_offence(given),
    ).to_dict()
    for key, expected in case["expected"].items():
        assert result[key] == as_text(expected), f"{key}: timeline {result['timeline']}"
