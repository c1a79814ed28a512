"""Limits on what a pack may hold (`policy.limits`): each gives a clear message instead of a crash or a hang."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.policy.helpers import CATALOGUE, compile_fixture, criterion_yaml, pack_yaml, screen_one, write_pack

from secondchance.policy import limits
from secondchance.policy.checks import check_pack_file
from secondchance.policy.compiler import compile_expression
from secondchance.policy.pack import Window, parse_window
from secondchance.policy.parameters import render_text
from secondchance.policy.templates import TemplateError, fill_template

PARAMETERS = {"n": "integer", "codes": "list"}


def _reason(text: str) -> str:
    compiled, errors = compile_expression(text, facts=CATALOGUE, parameters=PARAMETERS, expect="boolean")
    assert compiled is None, text[:80]
    return errors[0].reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("age_years > 1 AND " * 300 + "TRUE", "an expression is at most 4,000 characters"),
        ("(" * 60 + "age_years" + ")" * 60 + " > 1", "an expression nests brackets at most 48 deep"),
        ("NOT " * 900 + "in_custody", "an expression nests"),
        ("- " * 1500 + "age_years > 1", "an expression"),
        (" + ".join(["age_years"] * 60) + " > 1", "an expression nests at most 48 levels deep"),
        ("age_years IN (" + ", ".join(str(n) for n in range(600)) + ")", "an IN list holds at most 500 values"),
        ("age_years > 1e999", "1e999 is not a number a pack may use"),
        ("age_years > 99999999999", "99999999999 is not a number a pack may use (at most 1,000,000,000)"),
        ("commencement_date + to_years(20000) > release_date", "a date can move by at most 10,000 years"),
        ("commencement_date + INTERVAL 200000 MONTH > release_date", "a date can move by at most 120,000 months"),
        ("system = 'a\x01b'", "text in an expression cannot hold control characters"),
        ("date_diff('day', commencement_date, release_date, 1) > 0", "part of the expression would be ignored (1)"),
        ("to_years(1) IS NULL", "to_years(1) is a length of time, which is never NULL; add it to a date"),
        ("coalesce(to_years(1), to_years(2)) IS NULL", "a length of time such as to_years(...) can only be added"),
        ("coalesce(:codes, 'x') = 'x'", "the list :codes can only be used after IN"),
        ("CAST(system AS BIGINT) > 1", "CAST cannot turn system (text) into a whole number"),
        ("age_years * served_days * 10 > 1", "this arithmetic can reach about 1.0e+19, more than the whole numbers"),
        ("CAST(served_days * 3 AS INT) > 1", "this arithmetic can reach about 3.0e+09, more than the whole numbers"),
        ("system = '${env:HOME}'", "text in an expression cannot hold '${' (Spark reads it as a variable)"),
        ("system LIKE '%a%a%a%b'", "a LIKE pattern is text written in the pack, at most 100 characters, with %"),
        ("system LIKE offense_code", "a LIKE pattern is text written in the pack"),
        ("system LIKE 'a\\%'", "a LIKE pattern is text written in the pack"),
        ("system LIKE '" + "a" * 101 + "'", "a LIKE pattern is text written in the pack"),
    ],
)
def test_expression_limits(text: str, reason: str) -> None:
    assert _reason(text).startswith(reason)


def test_the_limits_leave_room_for_real_packs() -> None:
    wide = " OR ".join(f"age_years = {n}" for n in range(40))
    compiled, errors = compile_expression(wide, facts=CATALOGUE, parameters=PARAMETERS, expect="boolean")
    assert errors == [] and compiled is not None


def _pack(
    tmp_path: Path, *, parameters: str = "", text: str = "t", test: str = "TRUE", eligible_on: str | None = None
) -> Path:
    criterion = criterion_yaml("only", test, text=text, eligible_on=eligible_on)
    return write_pack(tmp_path, pack_yaml(criterion, parameters=parameters, pack_id="test/limits"))


def _problems(path: Path) -> list[str]:
    compiled, problems = check_pack_file(path, facts=CATALOGUE)
    assert compiled is None
    return [str(problem) for problem in problems]


def _parameter(value: str) -> str:
    return f"  p:\n    description: d\n    values:\n      2014-04-23: {{value: {value}, source: s}}"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (".inf", "a parameter value must be a finite number (not .inf or .nan)"),
        ("-.inf", "a parameter value must be a finite number (not .inf or .nan)"),
        (".nan", "a parameter value must be a finite number (not .inf or .nan)"),
        ("10000000000", "a parameter value is at most 1,000,000,000"),
        ("[" + ", ".join(str(n) for n in range(501)) + "]", "a list parameter holds at most 500 values"),
        ('"a\\x01b"', "a parameter value cannot hold control characters"),
    ],
)
def test_parameter_values_are_finite_and_bounded(tmp_path: Path, value: str, reason: str) -> None:
    problems = _problems(_pack(tmp_path, parameters=_parameter(value)))
    assert any(reason in problem for problem in problems), problems


def test_a_parameter_that_moves_a_date_past_the_limit_is_refused_by_pack_check(tmp_path: Path) -> None:
    path = _pack(tmp_path, parameters=_parameter("20000"), eligible_on="commencement_date + to_years(:p)")
    problems = _problems(path)
    assert problems == [
        f"{path}, line 20, criterion only, eligible_on: with the values in force from 2014-04-23: "
        "parameter p = 20000 moves a date by more than 10,000 years"
    ]


def test_a_list_parameter_of_the_wrong_type_is_refused_by_pack_check(tmp_path: Path) -> None:
    path = _pack(tmp_path, parameters=_parameter("['a', 'b']"), test="age_years IN :p")
    assert any("parameter p holds text ('a'), but IN compares it with a whole number" in p for p in _problems(path))


def test_a_computed_move_out_of_range_is_unknown_not_an_error(tmp_path: Path) -> None:
    # served_days is a fact, so its size is known only on the data: the move is made only within the limit.
    path = _pack(tmp_path, test="commencement_date + served_days > DATE '2000-01-01'")
    compiled = compile_fixture(path)
    assert (
        screen_one(compiled, {"commencement_date": date(2000, 1, 1), "served_days": 10**12}, date(2024, 1, 1))[
            "criteria"
        ]["only"]["status"]
        == "unknown"
    )
    assert (
        screen_one(compiled, {"commencement_date": date(2000, 1, 1), "served_days": 10}, date(2024, 1, 1))["criteria"][
            "only"
        ]["status"]
        == "met"
    )


def test_an_eligible_on_beyond_the_calendar_is_unknown(tmp_path: Path) -> None:
    path = _pack(tmp_path, test="FALSE", eligible_on="commencement_date + to_years(9000)")
    compiled = compile_fixture(path)
    result = screen_one(compiled, {"commencement_date": date(2000, 1, 1)}, date(2024, 1, 1))
    assert result["criteria"]["only"] == {
        "status": "unmet",
        "eligible_on": None,
        "evidence": result["criteria"]["only"]["evidence"],
    }
    near = screen_one(compiled, {"commencement_date": date(900, 1, 1)}, date(2024, 1, 1))
    assert near["criteria"]["only"]["eligible_on"] == date(9900, 1, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("11 years", "'11 years' is longer than the longest window allowed, 10 years (ten years)"),
        ("121 months", "longer than the longest window allowed, 120 months"),
        ("99999999999999999999 days", "longer than the longest window allowed, 3,660 days"),
    ],
)
def test_the_almost_eligible_window_is_at_most_ten_years(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_window(text)


def test_a_window_past_the_end_of_the_calendar_ends_with_it() -> None:
    assert Window(10, "year").after(date(9995, 1, 1)) == limits.CALENDAR_LAST
    assert parse_window("120 months") == Window(120, "month")


@pytest.mark.parametrize(
    "text",
    ["{p.__class__}", "{p[0]}", "{p!r}", "{p:>1000000000}", "{0}", "{}", "{ p }", "a { b"],
)
def test_texts_name_parameters_and_nothing_else(tmp_path: Path, text: str) -> None:
    problems = _problems(_pack(tmp_path, parameters=_parameter("10"), text=f'"{text}"'))
    assert any("braces in a text hold only a parameter name" in problem for problem in problems), problems
    with pytest.raises(TemplateError):
        fill_template(text, str)


def test_a_text_is_filled_by_name_only() -> None:
    assert render_text("at least {p} years {{braces}}", {"p": 10}) == "at least 10 years {braces}"


def test_a_translation_with_a_format_spec_is_refused(tmp_path: Path) -> None:
    path = _pack(tmp_path, parameters=_parameter("10"), text='"at least {p} years"')
    text = path.read_text() + 'translations:\n  es:\n    criteria:\n      only: {text: "{p:>1000000000}"}\n'
    path.write_text(text)
    problems = _problems(path)
    assert any("braces in a text hold only a parameter name" in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("yaml_text", "reason"),
    [
        ("id: &a x\ntitle: *a\n", "aliases (*name) are not allowed in a pack; write the value out"),
        ("id: x\nlist: " + "[" * 100 + "]" * 100 + "\n", "the YAML goes beyond 40 levels"),
        ("id: x\nlist: [" + ", ".join(["1"] * 60_000) + "]\n", "the YAML goes beyond its size limit"),
        ("id: x\ntitle: " + "a" * 20_000 + "\n", "a value is at most 10,000 characters"),
        ("# " + "x" * (limits.MAX_PACK_BYTES + 10) + "\n", "a pack file is at most 1,024 KiB"),
        ("id: x\n? [a, b]\n: 1\n", "a key is a name or a date, not a list or a mapping"),
        ("id: x\nversion: " + "9" * 5000 + "\n", "a number has at most 30 digits"),
    ],
)
def test_hostile_yaml_is_refused_before_it_is_built(tmp_path: Path, yaml_text: str, reason: str) -> None:
    problems = _problems(write_pack(tmp_path, yaml_text))
    assert len(problems) == 1 and reason in problems[0], problems


def test_a_billion_laughs_is_refused_at_its_first_alias(tmp_path: Path) -> None:
    lines = ["id: x", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)}, *{chr(97 + n)}, *{chr(97 + n)}]" for n in range(9)]
    problems = _problems(write_pack(tmp_path, "\n".join(lines) + "\n"))
    refusal = "this is not valid YAML: aliases (*name) are not allowed in a pack; write the value out"
    assert problems == [f"{tmp_path / 'pack.yaml'}, line 3: {refusal}"]


@pytest.mark.parametrize(
    ("test", "facts"),
    [
        ("served_days / age_years > 1", {"served_days": 10, "age_years": 0}),
        ("served_days % age_years = 0", {"served_days": 10, "age_years": 0}),
        ("risk_score / 0 > 1", {"risk_score": 2.5}),
    ],
)
def test_a_division_by_zero_is_unknown(tmp_path: Path, test: str, facts: dict[str, object]) -> None:
    compiled = compile_fixture(_pack(tmp_path, test=test))
    assert screen_one(compiled, facts, date(2024, 1, 1))["criteria"]["only"]["status"] == "unknown"


def test_whole_numbers_are_64_bit_even_between_written_numbers(tmp_path: Path) -> None:
    # DuckDB would type 100000 * 100000 as a 32-bit INTEGER and overflow.
    compiled = compile_fixture(_pack(tmp_path, test="100000 * 100000 / 10 = 1000000000"))
    assert screen_one(compiled, {}, date(2024, 1, 1))["criteria"]["only"]["status"] == "met"


@pytest.mark.parametrize("text", ['"\\e]0;owned\\a"', '"\\e[2J"', '"right-to-left \\u202e override"', '"\\x9b31m"'])
def test_terminal_escapes_and_overrides_in_any_text_are_refused(tmp_path: Path, text: str) -> None:
    problems = _problems(_pack(tmp_path, text=text))
    assert problems == [
        f"{tmp_path / 'pack.yaml'}, line 11, criterion only, text: text in a pack cannot hold control characters "
        "(terminal escapes, bidirectional overrides)"
    ]
    assert all("\x1b" not in problem for problem in problems)
