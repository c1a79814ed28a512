"""Dated parameter values: the value in force on the screening date, never an edit in place."""

from __future__ import annotations

from datetime import date

import pytest
from tests.policy.helpers import FIXTURES, compile_fixture

from secondchance.errors import UserError
from secondchance.policy.pack import Parameter
from secondchance.policy.parameters import dated_value_as_of, parameter_type, render_text, values_as_of

# 18 U.S.C. § 3624(b) good-conduct time: 54 days a year under the First Step Act from 2019-07-19,
# 47 days a year under the BOP's earlier reading (Barber v. Thomas, 2010); sentencing-rules.md [V].
GCT = Parameter.model_validate(
    {
        "description": "Good-conduct days per year served",
        "values": {
            date(1987, 11, 1): {"value": 47, "source": "ps-5880-28"},
            date(2019, 7, 19): {"value": 54, "source": "first-step-2018"},
        },
    }
)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2019, 7, 18), 47), (date(2019, 7, 19), 54), (date(2024, 1, 1), 54), (date(1990, 1, 1), 47)],
)
def test_the_latest_value_on_or_before_the_date(as_of: date, expected: int) -> None:
    found = dated_value_as_of(GCT, as_of)
    assert found is not None and found[1].value == expected


def test_no_value_before_the_first_date() -> None:
    assert dated_value_as_of(GCT, date(1987, 10, 31)) is None


def test_types() -> None:
    assert parameter_type(GCT) == "integer"
    mixed = Parameter.model_validate(
        {
            "description": "x",
            "values": {date(2020, 1, 1): {"value": 1, "source": "s"}, date(2021, 1, 1): {"value": 1.5, "source": "s"}},
        }
    )
    assert parameter_type(mixed) == "number"
    broken = Parameter.model_validate(
        {
            "description": "x",
            "values": {
                date(2020, 1, 1): {"value": 1, "source": "s"},
                date(2021, 1, 1): {"value": "one", "source": "s"},
            },
        }
    )
    assert parameter_type(broken) is None


def test_values_of_a_pack_include_as_of() -> None:
    pack = compile_fixture(FIXTURES / "demo-clemency.yaml").pack
    assert values_as_of(pack, date(2015, 1, 1)) == {"min_years_served": 10, "as_of": date(2015, 1, 1)}
    assert values_as_of(pack, date(2016, 1, 1)) == {"min_years_served": 8, "as_of": date(2016, 1, 1)}
    with pytest.raises(UserError):
        values_as_of(pack, date(2014, 4, 22))


def test_text_shows_the_value_in_force() -> None:
    compiled = compile_fixture(FIXTURES / "demo-clemency.yaml")
    text = compiled.criteria[0].node.text
    assert render_text(text, values_as_of(compiled.pack, date(2015, 1, 1))) == (
        "Has served at least 10 years of the prison sentence."
    )
    assert render_text(text, values_as_of(compiled.pack, date(2016, 6, 1))) == (
        "Has served at least 8 years of the prison sentence."
    )
