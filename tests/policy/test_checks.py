"""`pack check`: every class of bad pack, with the exact message a policy author reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.policy.helpers import CATALOGUE, FIXTURES, write_pack

from secondchance.policy.checks import check_pack_file

BASE = """\
id: test/base
title: Base pack
jurisdiction: us-federal
version: 1
effective: {from: 2014-04-23, to: 2017-01-19}
sources:
  - {id: doj-2014, cite: "DOJ press release, 23 Apr 2014"}
parameters:
  min_years_served:
    description: Years served
    values:
      2014-04-23: {value: 10, source: doj-2014}
population: system = 'federal' AND in_custody
almost_within: 180 days
criteria:
  - id: served-10-years
    text: Has served at least {min_years_served} years.
    test: served_days >= years_to_days(:min_years_served)
    eligible_on: commencement_date + to_years(:min_years_served)
    kind: rule
    source: doj-2014
  - id: no-violence
    text: No history of violence.
    test: NOT (has_violent_prior_offense OR violent_incidents_this_term > 0)
    kind: proxy
    source: doj-2014
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write_pack(tmp_path, text)
    compiled, problems = check_pack_file(path, facts=CATALOGUE, label="pack.yaml")
    assert (compiled is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_the_base_pack_is_ok(tmp_path: Path) -> None:
    assert problems_of(tmp_path, BASE) == []


def test_the_fixture_pack_is_ok() -> None:
    compiled, problems = check_pack_file(FIXTURES / "demo-clemency.yaml", facts=CATALOGUE)
    assert problems == []
    assert compiled is not None and [c.id for c in compiled.criteria] == [
        "served-10-years",
        "no-violence-history",
        "good-conduct",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "test: served_days >= years",
            "test: serverd_days >= years",
            "pack.yaml, line 18, criterion served-10-years, test: unknown fact 'serverd_days'; "
            "did you mean 'served_days'?",
        ),
        (
            "test: served_days >= years_to_days(:min_years_served)",
            "test: served_days >= (years_to_days(:min_years_served)",
            "pack.yaml, line 18, criterion served-10-years, test: this is not a valid expression: expecting ) "
            "near 'served_days >= (years_to_days(:min_years_served)' (at column 48 of the test)",
        ),
        (
            "test: served_days >= years_to_days(:min_years_served)",
            "test: served_days >= commencement_date",
            "pack.yaml, line 18, criterion served-10-years, test: cannot compare served_days (a whole number) "
            "with commencement_date (a date)",
        ),
        (
            "eligible_on: commencement_date + to_years(:min_years_served)",
            "eligible_on: served_days + 365",
            "pack.yaml, line 19, criterion served-10-years, eligible_on: eligible_on must give a date, "
            "but this gives a whole number",
        ),
        (
            "    text: No history of violence.\n",
            "",
            "pack.yaml, line 22, criterion no-violence, text: missing `text` (plain-language text that a person "
            "can read)",
        ),
        (
            "    kind: proxy\n    source: doj-2014\n",
            "    kind: proxy\n",
            "pack.yaml, line 22, criterion no-violence, source: missing `source` (the id of one of the pack's sources)",
        ),
        (
            "    kind: proxy\n    source: doj-2014\n",
            "    kind: proxy\n    source: doj-2041\n",
            "pack.yaml, line 26, criterion no-violence, source: unknown source 'doj-2041'; did you mean 'doj-2014'?",
        ),
        (
            "      2014-04-23: {value: 10, source: doj-2014}",
            "      2015-01-01: {value: 10, source: doj-2014}",
            "pack.yaml, line 11, parameter min_years_served: no value for the pack's effective dates: the first "
            "value is dated 2015-01-01, but the pack is in force from 2014-04-23",
        ),
        (
            "  - id: no-violence\n",
            "  - id: served-10-years\n",
            "pack.yaml, line 22, criterion served-10-years, id: criterion id 'served-10-years' is used twice "
            "(first at line 16)",
        ),
        (
            "    kind: proxy\n",
            "    kind: guess\n",
            "pack.yaml, line 25, criterion no-violence, kind: `kind` must be rule, proxy or judgement",
        ),
        (
            "    kind: proxy\n",
            "    kind: proxy\n    sorce: doj-2014\n",
            "pack.yaml, line 26, criterion no-violence, sorce: unknown field `sorce`; did you mean 'source'?",
        ),
        (
            "    kind: proxy\n",
            "    kind: judgement\n",
            "pack.yaml, line 24, criterion no-violence, kind: a judgement criterion is always unknown until a "
            "person records it, so it takes no test; make it a proxy if the records can approximate it",
        ),
        (
            "    text: No history of violence.\n",
            "    text: No history of violence.\n    text: Again.\n",
            "pack.yaml, line 24: `text` is given twice in the same place (also at line 23); keep one",
        ),
        (
            "Has served at least {min_years_served} years.",
            "Has served at least {min_year_served} years.",
            "pack.yaml, line 17, criterion served-10-years, text: the text mentions {min_year_served}, which is "
            "not a parameter; did you mean 'min_years_served'?",
        ),
        (
            "population: system = 'federal' AND in_custody",
            "population: system = 'federal' AND (SELECT true)",
            "pack.yaml, line 13, population: subqueries are not allowed: a pack expression reads only facts and "
            ":parameters",
        ),
        (
            "almost_within: 180 days",
            "almost_within: half a year",
            "pack.yaml, line 14, almost_within: 'half a year' is not a length of time; write it like '180 days', "
            "'26 weeks' or '6 months'",
        ),
        (
            "effective: {from: 2014-04-23, to: 2017-01-19}",
            "effective: {from: 2014-04-31, to: 2017-01-19}",
            "pack.yaml, line 5, from: expected a date written like 2014-04-23",
        ),
        (
            "version: 1",
            "version: one",
            "pack.yaml, line 4, version: expected a whole number",
        ),
        (
            "test: served_days >= years_to_days(:min_years_served)",
            "test: floor(served_days, 2) >= years_to_days(:min_years_served)",
            "pack.yaml, line 18, criterion served-10-years, test: this form of FLOOR is not allowed in a pack "
            "expression; write floor(x)",
        ),
        (
            "test: served_days >= years_to_days(:min_years_served)",
            "test: served_days >= " + "(" * 50 + "3650" + ")" * 50,
            "pack.yaml, line 18, criterion served-10-years, test: an expression nests brackets at most 48 deep",
        ),
        (
            "almost_within: 180 days",
            "almost_within: 20 years",
            "pack.yaml, line 14, almost_within: '20 years' is longer than the longest window allowed, 10 years "
            "(ten years)",
        ),
        (
            "      2014-04-23: {value: 10, source: doj-2014}",
            "      2014-04-23: {value: .inf, source: doj-2014}",
            "pack.yaml, line 12, value: a parameter value must be a finite number (not .inf or .nan)",
        ),
        (
            "Has served at least {min_years_served} years.",
            "Has served at least {min_years_served:>99999999} years.",
            "pack.yaml, line 17, criterion served-10-years, text: braces in a text hold only a parameter name, "
            "like {min_years_served}; write {{ and }} for a brace",
        ),
        (
            "title: Base pack\n",
            "title: &name Base pack\ndescription: *name\n",
            "pack.yaml, line 3: this is not valid YAML: aliases (*name) are not allowed in a pack; write the value out",
        ),
    ],
)
def test_bad_pack_message(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in BASE
    assert expected in problems_of(tmp_path, BASE.replace(old, new))


def test_yaml_syntax_error(tmp_path: Path) -> None:
    assert problems_of(tmp_path, BASE.replace("version: 1", "version: [1")) == [
        "pack.yaml, line 5: this is not valid YAML: expected ',' or ']', but got ':'"
    ]


def test_every_problem_is_reported_even_when_the_shape_is_wrong(tmp_path: Path) -> None:
    text = BASE.replace("    text: No history of violence.\n", "").replace(
        "test: served_days >=", "test: servd_days >="
    )
    assert problems_of(tmp_path, text) == [
        "pack.yaml, line 18, criterion served-10-years, test: unknown fact 'servd_days'; did you mean 'served_days'?",
        "pack.yaml, line 22, criterion no-violence, text: missing `text` (plain-language text that a person can read)",
    ]


def test_line_of_an_error_inside_a_block_expression(tmp_path: Path) -> None:
    text = BASE.replace(
        "    test: NOT (has_violent_prior_offense OR violent_incidents_this_term > 0)\n",
        "    test: >-\n      NOT has_violent_prior_offense\n      AND violent_incidnts_this_term = 0\n",
    )
    assert problems_of(tmp_path, text) == [
        "pack.yaml, line 24, criterion no-violence, test: unknown fact 'violent_incidnts_this_term'; "
        "did you mean 'violent_incidents_this_term'?"
    ]


def test_groups_are_checked_inside(tmp_path: Path) -> None:
    text = BASE + (
        "  - id: either\n"
        "    text: One of two.\n"
        "    at_least: 3\n"
        "    of:\n"
        "      - {id: a, text: A, test: age_years >= 60, kind: rule, source: doj-2014}\n"
        "      - {id: b, text: B, test: age_yers >= 70, kind: rule, source: doj-2014}\n"
    )
    assert problems_of(tmp_path, text) == [
        "pack.yaml, line 27, criterion either: `at_least` must be between 1 and the number of criteria in `of` (2)",
        "pack.yaml, line 32, criterion b, test: unknown fact 'age_yers'; did you mean 'age_years'?",
    ]


def test_a_shipped_pack_id_is_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("secondchance.policy.pack.packs_dir", lambda: tmp_path)
    folder = tmp_path / "us-federal"
    folder.mkdir()
    path = write_pack(folder, BASE, "base.yaml")
    _, problems = check_pack_file(path, facts=CATALOGUE, label="base.yaml")
    assert [str(problem) for problem in problems] == [
        "base.yaml, line 1, id: a shipped pack's id is its path under packs/: 'us-federal/base'"
    ]
