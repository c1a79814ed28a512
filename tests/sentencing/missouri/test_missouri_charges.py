"""Missouri facts from a sentence's charges, through the store: golden cases of fixtures/missouri_charges.yaml.

A dangerous felony is decided by the statute list, which a record's flag of "false" cannot override (RSMo
556.061(19)); RSMo 558.019.2's list counts some sections only in some felony classes; drug offences take the
board's table (14 CSR 80-2.010(1)). Each case goes through `create_member_inputs` and `compute_dates`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.sentencing.conftest import Store

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "missouri_charges.yaml"


def _cases() -> list[Any]:
    document = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["id"]) for case in document["cases"]]


def test_each_case_cites_its_source() -> None:
    cases = [param.values[0] for param in _cases()]
    assert len(cases) >= 12
    assert all(case.get("source") for case in cases)


def _sentence(store: Store, case: dict[str, Any]) -> int:
    """The case's person, earlier completed commitments and current sentence with its charges."""
    person = store.person(jurisdiction="us-mo", birth_date=date(1975, 1, 1))
    for number in range(case["prior_commitments"]):
        store.sentence(
            person,
            system="us-mo",
            status="completed",
            commencement_date=date(2000 + 3 * number, 1, 1),
            term_months=24,
            term_days=0,
        )
    current = store.sentence(
        person, system="us-mo", commencement_date=case["start"], term_months=case["term_months"], term_days=0
    )
    for charge in case["charges"]:
        values = dict(charge)
        store.charge(current, person, values.pop("statute", None), **values)
    return current


@pytest.mark.parametrize("case", _cases())
def test_missouri_charges_golden_case(store: Store, case: dict[str, Any]) -> None:
    current = _sentence(store, case)
    member = store.member(current)
    assert member["prior_commitments"] == case["prior_commitments"]
    for name, expected in case["facts"].items():
        assert member[name] == expected, name
    row = store.compute()[current]
    for name, expected in case["expected"].items():
        assert row[name] == expected, f"{name}: {row['review_detail']}"
