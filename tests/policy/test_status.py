"""The status rules: three-valued criteria, groups, the almost-eligible window and the person's eligible_on."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.policy.helpers import FIXTURES, compile_fixture, screen_one

from secondchance.policy.compiler import CompiledPack


@pytest.fixture(scope="module")
def clemency() -> CompiledPack:
    return compile_fixture(FIXTURES / "demo-clemency.yaml")


@pytest.fixture(scope="module")
def groups() -> CompiledPack:
    return compile_fixture(FIXTURES / "groups.yaml")


def federal(**facts: object) -> dict[str, object]:
    person: dict[str, object] = {
        "system": "federal",
        "in_custody": True,
        "commencement_date": date(2005, 10, 1),
        "has_violent_prior_offense": False,
        "violent_incidents_this_term": 0,
    }
    person.update(facts)
    return person


# DESIGN.md, "Policy packs": the three cases of clemency-2014.test.yaml. The pack's third criterion is a
# judgement, always unknown, so "nothing else in the way" means unknown there, never unmet.
# 2005-10-01 to 2015-06-01 is 9 years 8 months: 3,652 days to the tenth anniversary less 122.


def test_nine_years_eight_months_is_almost_eligible_on_the_tenth_anniversary(clemency: CompiledPack) -> None:
    result = screen_one(clemency, federal(served_days=3530), date(2015, 6, 1))
    assert result["status"] == "almost-eligible"
    assert result["eligible_on"] == date(2015, 10, 1)
    assert result["criteria"]["served-10-years"]["status"] == "unmet"
    assert result["criteria"]["served-10-years"]["eligible_on"] == date(2015, 10, 1)
    assert result["criteria"]["no-violence-history"]["status"] == "met"
    assert result["criteria"]["good-conduct"]["status"] == "unknown"
    assert (result["unmet"], result["unknown"]) == (1, 1)


def test_nine_years_is_ineligible_still_with_its_eligible_on(clemency: CompiledPack) -> None:
    # 2014-10-01: one year before the anniversary, outside the 180-day window.
    result = screen_one(clemency, federal(served_days=3287), date(2014, 10, 1))
    assert result["status"] == "ineligible"
    assert result["eligible_on"] == date(2015, 10, 1)
    assert result["criteria"]["served-10-years"] == {
        "status": "unmet",
        "eligible_on": date(2015, 10, 1),
        "evidence": result["criteria"]["served-10-years"]["evidence"],
    }


def test_null_incident_count_needs_information_not_ineligible(clemency: CompiledPack) -> None:
    result = screen_one(clemency, federal(served_days=3700, violent_incidents_this_term=None), date(2015, 12, 1))
    assert result["status"] == "needs-information"
    assert result["eligible_on"] is None
    assert result["criteria"]["no-violence-history"]["status"] == "unknown"
    assert json.loads(result["criteria"]["no-violence-history"]["evidence"]) == {
        "has_violent_prior_offense": False,
        "violent_incidents_this_term": None,
    }


def test_an_unmet_criterion_without_a_date_makes_eligible_on_null(clemency: CompiledPack) -> None:
    result = screen_one(clemency, federal(served_days=3530, violent_incidents_this_term=2), date(2015, 6, 1))
    assert result["status"] == "ineligible"
    assert result["eligible_on"] is None


def test_outside_the_population(clemency: CompiledPack) -> None:
    assert screen_one(clemency, federal(system="mo", served_days=4000), date(2015, 6, 1))["status"] == (
        "not-in-population"
    )
    # An unknown population test is not TRUE, so the person is not screened.
    assert screen_one(clemency, federal(in_custody=None, served_days=4000), date(2015, 6, 1))["status"] == (
        "not-in-population"
    )


def test_parameters_are_taken_as_of_the_screening_date(clemency: CompiledPack) -> None:
    # The fixture lowers min_years_served from 10 to 8 on 2016-01-01 (a new dated value, not an edit).
    person = federal(served_days=3000)
    before = screen_one(clemency, person, date(2015, 12, 31))
    after = screen_one(clemency, person, date(2016, 1, 1))
    assert before["criteria"]["served-10-years"] == {
        "status": "unmet",
        "eligible_on": date(2015, 10, 1),
        "evidence": before["criteria"]["served-10-years"]["evidence"],
    }
    assert after["criteria"]["served-10-years"]["status"] == "met"  # 3,000 days >= 8 * 365
    assert after["criteria"]["served-10-years"]["eligible_on"] == date(2013, 10, 1)


def test_everything_met_is_eligible(groups: CompiledPack) -> None:
    person = {
        "in_custody": True,
        "commencement_date": date(2015, 1, 1),
        "age_years": 55,
        "release_date": date(2024, 6, 1),
        "risk_score": 0.5,
    }
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["status"] == "eligible"
    assert {key: value["status"] for key, value in result["criteria"].items()} == {
        "time-and-age": "met",
        "served-5-years": "met",
        "aged-50": "met",
        "a-route": "met",
        "route-release-near": "met",
        "route-low-risk": "unmet",
        "two-of-three": "met",
        "t1": "met",
        "t2": "met",
        "t3": "met",
    }


def test_all_of_takes_the_latest_date_of_its_unmet_members(groups: CompiledPack) -> None:
    person = {
        "in_custody": True,
        "commencement_date": date(2019, 3, 1),
        "age_years": 55,
        "release_date": date(2024, 6, 1),
        "risk_score": 0.1,
    }
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["criteria"]["time-and-age"] == {"status": "unmet", "eligible_on": date(2024, 3, 1), "evidence": None}
    assert result["status"] == "almost-eligible"  # 2024-03-01 is inside six months
    assert result["eligible_on"] == date(2024, 3, 1)


def test_all_of_with_an_undated_unmet_member_has_no_date(groups: CompiledPack) -> None:
    person = {"in_custody": True, "commencement_date": date(2019, 3, 1), "age_years": 40, "risk_score": 0.1}
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["criteria"]["time-and-age"]["status"] == "unmet"
    assert result["criteria"]["time-and-age"]["eligible_on"] is None
    assert result["status"] == "ineligible"


def test_all_of_with_unknown_and_no_unmet_is_unknown(groups: CompiledPack) -> None:
    person = {"in_custody": True, "commencement_date": date(2015, 1, 1), "age_years": None, "risk_score": 0.1}
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["criteria"]["time-and-age"]["status"] == "unknown"
    assert result["criteria"]["a-route"]["status"] == "met"  # one met member is enough, even beside an unknown
    assert result["status"] == "needs-information"


def test_any_of_takes_the_earliest_date(groups: CompiledPack) -> None:
    person = {
        "in_custody": True,
        "commencement_date": date(2015, 1, 1),
        "age_years": 60,
        "release_date": date(2025, 3, 1),
        "risk_score": 0.9,
    }
    result = screen_one(groups, person, date(2024, 1, 1))
    # 2025-03-01 less 365 days is 2024-03-01: no 29 February falls between them.
    assert result["criteria"]["a-route"] == {"status": "unmet", "eligible_on": date(2024, 3, 1), "evidence": None}
    assert result["status"] == "almost-eligible"


def test_any_of_unknown_when_nothing_met_and_something_unknown(groups: CompiledPack) -> None:
    person = {"in_custody": True, "commencement_date": date(2015, 1, 1), "age_years": 60, "risk_score": 0.9}
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["criteria"]["route-release-near"]["status"] == "unknown"
    assert result["criteria"]["a-route"]["status"] == "unknown"


@pytest.mark.parametrize(
    ("as_of", "status", "eligible_on"),
    [
        # Commencement 2023-06-01: t1 on 2024-06-01, t2 on 2025-06-01, t3 on 2026-06-01.
        (date(2023, 12, 1), "unmet", date(2025, 6, 1)),  # none met: the second date makes two
        (date(2024, 7, 1), "unmet", date(2025, 6, 1)),  # one met: one more, the earliest left
        (date(2025, 7, 1), "met", None),
    ],
)
def test_at_least_takes_the_date_enough_members_are_met(
    groups: CompiledPack, as_of: date, status: str, eligible_on: date | None
) -> None:
    person = {"in_custody": True, "commencement_date": date(2023, 6, 1), "age_years": 60, "risk_score": 0.1}
    result = screen_one(groups, person, as_of)
    assert result["criteria"]["two-of-three"]["status"] == status
    assert result["criteria"]["two-of-three"]["eligible_on"] == eligible_on


def test_at_least_is_unknown_while_unknowns_could_still_make_it(groups: CompiledPack) -> None:
    person = {"in_custody": True, "commencement_date": None, "age_years": 60, "risk_score": 0.1}
    result = screen_one(groups, person, date(2024, 1, 1))
    assert result["criteria"]["two-of-three"]["status"] == "unknown"
