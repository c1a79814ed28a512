"""The rule language's allow-list, position by position: nothing but facts and parameters gets through `pack check`.

For every form a pack may write (each allowed function, operator and construct) and every argument
position, including one past the end of each function, a subquery, a table function, a JVM function
and their kin are placed there, and `pack check` must refuse the criterion. A control row checks
that each form with ordinary arguments compiles, so a refusal is the hostile argument's doing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.policy.helpers import CATALOGUE, criterion_yaml, pack_yaml, write_pack

from secondchance.policy.checks import check_pack_file

# What an attacker puts in an argument: everything here reaches outside one person's facts.
HOSTILE = {
    "subquery": "(SELECT 1)",
    "subquery reading a file": "(SELECT content FROM read_text('/etc/passwd'))",
    "table function": "read_text('/etc/passwd')",
    "table function as a value": "(FROM glob('/etc/*'))",
    "csv reader": "read_csv('/etc/passwd')",
    "jvm reflect": "reflect('java.lang.Thread', 'sleep', 100000)",
    "jvm java_method": "java_method('java.lang.System', 'exit', 0)",
    "input file name": "input_file_name()",
    "environment": "getenv('HOME')",
    "setting": "current_setting('threads')",
    "exists": "EXISTS (SELECT 1)",
    "another table": "person.birth_date",
    "a lambda": "list_transform([1], x -> x)",
    "a window": "sum(age_years) OVER ()",
    "an aggregate": "max(age_years)",
    "a cast to a parameterised type": "CAST(age_years AS DECIMAL(38, (SELECT 1)))",
}

# Each allowed form, with ordinary arguments for its positions {0}, {1}, ...
FORMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("abs", "abs({0}) > 0", ("age_years",)),
    ("ceil", "ceil({0}) > 0", ("risk_score",)),
    ("floor", "floor({0}) > 0", ("risk_score",)),
    ("round", "round({0}) > 0", ("risk_score",)),
    ("round with digits", "round({0}, {1}) > 0", ("risk_score", "2")),
    ("coalesce", "coalesce({0}, {1}, {2}) > 0", ("age_years", "served_days", "0")),
    ("greatest", "greatest({0}, {1}) > 0", ("age_years", "1")),
    ("least", "least({0}, {1}) > 0", ("age_years", "1")),
    ("nullif", "nullif({0}, {1}) > 0", ("age_years", "3")),
    ("if", "if({0}, {1}, {2}) > 0", ("in_custody", "1", "2")),
    ("year", "year({0}) > 2000", ("commencement_date",)),
    ("month", "month({0}) > 6", ("commencement_date",)),
    ("day", "day({0}) > 6", ("commencement_date",)),
    ("lower", "lower({0}) = 'f'", ("system",)),
    ("upper", "upper({0}) = 'F'", ("system",)),
    ("trim", "trim({0}) = 'f'", ("system",)),
    ("length", "length({0}) > 1", ("system",)),
    ("date_diff", "date_diff({0}, {1}, {2}) > 0", ("'day'", "commencement_date", "release_date")),
    ("to_years", "commencement_date + to_years({0}) > release_date", ("10",)),
    ("to_months", "commencement_date + to_months({0}) > release_date", ("10",)),
    ("to_days", "commencement_date + to_days({0}) > release_date", ("10",)),
    ("years_to_days", "served_days > years_to_days({0})", ("10",)),
    ("cast", "CAST({0} AS BIGINT) > 0", ("risk_score",)),
    ("date literal", "commencement_date > {0}", ("DATE '2010-08-03'",)),
    ("case", "CASE WHEN {0} THEN {1} ELSE {2} END > 0", ("in_custody", "1", "2")),
    ("case on a value", "CASE {0} WHEN {1} THEN {2} END > 0", ("age_years", "1", "2")),
    ("in", "{0} IN ({1}, {2})", ("age_years", "1", "2")),
    ("between", "{0} BETWEEN {1} AND {2}", ("age_years", "18", "25")),
    ("like", "{0} LIKE {1}", ("system", "'f%'")),
    ("ilike", "{0} ILIKE {1}", ("system", "'F%'")),
    ("is null", "{0} IS NULL", ("age_years",)),
    ("is true", "{0} IS TRUE", ("in_custody",)),
    ("not", "NOT {0}", ("in_custody",)),
    ("and", "{0} AND {1}", ("in_custody", "has_violent_prior_offense")),
    ("or", "{0} OR {1}", ("in_custody", "has_violent_prior_offense")),
    ("equals", "{0} = {1}", ("age_years", "40")),
    ("not equal", "{0} <> {1}", ("age_years", "40")),
    ("null-safe equal", "{0} IS NOT DISTINCT FROM {1}", ("age_years", "40")),
    ("less than", "{0} < {1}", ("age_years", "40")),
    ("at least", "{0} >= {1}", ("age_years", "40")),
    ("plus", "{0} + {1} > 0", ("age_years", "1")),
    ("minus", "{0} - {1} > 0", ("age_years", "1")),
    ("times", "{0} * {1} > 0", ("age_years", "2")),
    ("divided by", "{0} / {1} > 0", ("age_years", "2")),
    ("modulo", "{0} % {1} = 0", ("age_years", "2")),
    ("negative", "-{0} < 0", ("age_years",)),
    ("date plus days", "{0} + {1} > release_date", ("commencement_date", "30")),
    ("date minus date", "{0} - {1} > 0", ("release_date", "commencement_date")),
    ("parenthesis", "({0}) > 0", ("age_years",)),
]

# The forms no pack may write even with ordinary arguments: one argument past the end of each function.
BEYOND_THE_END: list[tuple[str, str, tuple[str, ...]]] = [
    ("abs", "abs({0}, {1}) > 0", ("age_years", "2")),
    ("ceil", "ceil({0}, {1}) > 0", ("risk_score", "2")),
    ("floor", "floor({0}, {1}) > 0", ("age_years", "2")),
    ("round", "round({0}, {1}, {2}) > 0", ("risk_score", "2", "3")),
    ("nullif", "nullif({0}, {1}, {2}) > 0", ("age_years", "3", "4")),
    ("if", "if({0}, {1}, {2}, {3}) > 0", ("in_custody", "1", "2", "3")),
    ("year", "year({0}, {1}) > 2000", ("commencement_date", "1")),
    ("month", "month({0}, {1}) > 6", ("commencement_date", "1")),
    ("day", "day({0}, {1}) > 6", ("commencement_date", "1")),
    ("lower", "lower({0}, {1}) = 'f'", ("system", "'x'")),
    ("upper", "upper({0}, {1}) = 'F'", ("system", "'x'")),
    ("trim", "trim({0}, {1}) = 'f'", ("system", "'x'")),
    ("length", "length({0}, {1}) > 1", ("system", "'x'")),
    ("date_diff", "date_diff({0}, {1}, {2}, {3}) > 0", ("'day'", "commencement_date", "release_date", "1")),
    ("to_years", "commencement_date + to_years({0}, {1}) > release_date", ("10", "1")),
    ("years_to_days", "served_days > years_to_days({0}, {1})", ("10", "1")),
    ("like with escape", "{0} LIKE {1} ESCAPE {2}", ("system", "'f%'", "'!'")),
]


def _check(tmp_path: Path, tests: dict[str, str]) -> tuple[bool, dict[str, list[str]]]:
    """Check one pack with a criterion per test; whether it compiled, and the problems by criterion."""
    criteria = "".join(criterion_yaml(criterion_id, test) for criterion_id, test in tests.items())
    compiled, problems = check_pack_file(write_pack(tmp_path, pack_yaml(criteria)), facts=CATALOGUE)
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(str(problem.criterion), []).append(problem.reason)
    return compiled is not None, found


def _placed(template: str, fillers: tuple[str, ...], position: int, value: str) -> str:
    arguments = list(fillers)
    arguments[position] = value
    return template.format(*arguments)


@pytest.mark.parametrize(("form", "template", "fillers"), FORMS, ids=[form for form, _, _ in FORMS])
def test_each_form_with_ordinary_arguments_compiles(
    tmp_path: Path, form: str, template: str, fillers: tuple[str, ...]
) -> None:
    compiled, problems = _check(tmp_path, {"ordinary": template.format(*fillers)})
    assert compiled, problems


@pytest.mark.parametrize(
    ("form", "template", "fillers"), FORMS + BEYOND_THE_END, ids=[form for form, _, _ in FORMS + BEYOND_THE_END]
)
def test_a_hostile_argument_in_any_position_is_refused(
    tmp_path: Path, form: str, template: str, fillers: tuple[str, ...]
) -> None:
    tests = {
        f"p{position}-{number}": _placed(template, fillers, position, hostile)
        for position in range(len(fillers))
        for number, hostile in enumerate(HOSTILE.values())
    }
    compiled, problems = _check(tmp_path, tests)
    assert not compiled
    unrefused = sorted(set(tests) - set(problems))
    assert unrefused == [], [tests[criterion_id] for criterion_id in unrefused]


@pytest.mark.parametrize(("form", "template", "fillers"), BEYOND_THE_END, ids=[form for form, _, _ in BEYOND_THE_END])
def test_an_argument_past_the_end_of_a_function_is_refused_even_when_harmless(
    tmp_path: Path, form: str, template: str, fillers: tuple[str, ...]
) -> None:
    compiled, problems = _check(tmp_path, {"beyond": template.format(*fillers)})
    assert not compiled
    assert problems["beyond"], problems


def test_the_reported_attacks_are_refused_with_their_reason(tmp_path: Path) -> None:
    compiled, problems = _check(
        tmp_path,
        {
            "floor": "floor(age_years, CAST((SELECT content FROM read_text('/etc/passwd')) AS INT)) > 0",
            "trim": "trim(system, (SELECT content FROM read_text('/etc/passwd'))) = 'x'",
            "case": "CASE WHEN (SELECT content FROM read_text('/etc/passwd')) LIKE 'r%' THEN TRUE END",
            "reflect": "floor(age_years, reflect('java.lang.Thread', 'sleep', 100000)) > 0",
        },
    )
    assert not compiled
    assert problems["floor"] == ["this form of FLOOR is not allowed in a pack expression; write floor(x)"]
    assert problems["trim"] == ["this form of TRIM is not allowed in a pack expression; write trim(text)"]
    assert problems["case"] == ["subqueries are not allowed: a pack expression reads only facts and :parameters"]
    assert problems["reflect"] == ["this form of FLOOR is not allowed in a pack expression; write floor(x)"]
