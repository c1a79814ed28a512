"""Golden cases from statutes, regulations and published BOP examples (tests/sentencing/fixtures/federal_*.yaml).

Each case runs through the scalar reference and, where it is one term, through the DuckDB bulk path too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from tests.sentencing.conftest import golden_term

from secondchance.sentencing.computed_dates import COMPUTED_DATES_COLUMNS
from secondchance.sentencing.federal import SentenceTerm, aggregate_terms, compute_federal, federal_dates_relation
from secondchance.sentencing.reasons import ManualReview
from secondchance.sentencing.terms import Term, parse_term

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FILES = sorted(FIXTURES.glob("federal_*.yaml"))
BULK_COLUMNS = {name for name, _, _ in COMPUTED_DATES_COLUMNS}


def _cases(*, aggregate: bool) -> list[Any]:
    cases = []
    for path in FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            if ("terms" in case["input"]) == aggregate:
                cases.append(pytest.param(case, id=f"{data['family']}:{case['id']}"))
    return cases


def _kwargs(given: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in given.items() if key not in ("start", "term")}


def _compare(expect: dict[str, Any], outcome: dict[str, Any]) -> None:
    for key, value in expect.items():
        assert outcome.get(key) == value, f"{key}: expected {value!r}, got {outcome.get(key)!r}"


def _scalar(given: dict[str, Any]) -> dict[str, Any]:
    term, sentence_type = golden_term(given["term"])
    try:
        result = compute_federal(given["start"], term, sentence_type=sentence_type, **_kwargs(given))
    except ManualReview as review:
        return {"review_reason": str(review.code)}
    return result.__dict__


def test_every_case_cites_its_source_and_shows_its_work() -> None:
    cases = [case.values[0] for case in _cases(aggregate=False) + _cases(aggregate=True)]
    assert len(cases) >= 55
    for case in cases:
        assert case["source"].strip() and case["work"].strip(), case["id"]


@pytest.mark.parametrize("case", _cases(aggregate=False))
def test_scalar_matches_golden_case(case: dict[str, Any]) -> None:
    _compare(case["expect"], _scalar(case["input"]))


# The bulk input columns a golden case may set, with their SQL types and the value when the case is silent
# (the scalar API's defaults, so one case means the same on both paths).
BULK_INPUTS: dict[str, tuple[str, Any]] = {
    "jail_credit_days": ("BIGINT", 0),
    "supervised_release_months": ("BIGINT", None),
    "has_diploma": ("BOOLEAN", True),
    "literacy_progress": ("BOOLEAN", None),
    "offense_date": ("DATE", None),
    "risk_level": ("VARCHAR", None),
    "final_order_of_removal": ("BOOLEAN", False),
    "excluded_offense": ("BOOLEAN", False),
    "rdap": ("BOOLEAN", False),
    "rdap_barred": ("BOOLEAN", False),
    "rdap_started_on": ("DATE", None),
    "rdap_completed_on": ("DATE", None),
    "warden_approved": ("BOOLEAN", None),
    "gct_days_lost": ("BIGINT", 0),
    "method": ("VARCHAR", "fsa"),
}


def test_bulk_matches_every_single_term_golden_case() -> None:
    cases = [case.values[0] for case in _cases(aggregate=False)]
    connection = duckdb.connect()
    columns = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in BULK_INPUTS.items())
    connection.execute(
        "CREATE TABLE sentences (sentence_id BIGINT, person_id BIGINT, commencement_date DATE, term_months BIGINT,"
        f" term_days BIGINT, sentence_type VARCHAR, {columns})"
    )
    for number, case in enumerate(cases):
        given = case["input"]
        term, sentence_type = golden_term(given["term"])
        values = [given.get(name, default) for name, (_, default) in BULK_INPUTS.items()]
        connection.execute(
            f"INSERT INTO sentences VALUES (?, 1, ?, ?, ?, ?{', ?' * len(BULK_INPUTS)})",
            [
                number,
                given["start"],
                term.months if term else None,
                term.days if term else None,
                sentence_type,
                *values,
            ],
        )
    checked = 0
    for convention in ("fixed-point", "handout"):
        relation = federal_dates_relation(connection, "sentences", ftc_convention=convention)
        names = [column[0] for column in relation.description]
        rows = {row[0]: dict(zip(names, row, strict=True)) for row in relation.fetchall()}
        for number, case in enumerate(cases):
            if case["input"].get("ftc_convention", "fixed-point") != convention:
                continue
            expect = {key: value for key, value in case["expect"].items() if key in BULK_COLUMNS}
            _compare(expect, rows[number])
            checked += len(expect)
    assert checked > 100


@pytest.mark.parametrize("case", _cases(aggregate=True))
def test_aggregate_matches_golden_case(case: dict[str, Any]) -> None:
    terms = [
        SentenceTerm(
            sentence_id=item["id"],
            term=parse_term(item["term"]),
            commencement_date=item.get("start"),
            jail_credit_days=item.get("jail_credit_days", 0),
            consecutive_to=item.get("consecutive_to"),
        )
        for item in case["input"]["terms"]
    ]
    try:
        aggregate = aggregate_terms(terms)
    except ManualReview as review:
        _compare(case["expect"], {"review_reason": str(review.code)})
        return
    result = compute_federal(aggregate.commencement_date, aggregate.term, jail_credit_days=aggregate.jail_credit_days)
    outcome = result.__dict__ | {"aggregate_term": _short(aggregate.term)}
    _compare(case["expect"], outcome)


def _short(term: Term) -> str:
    return f"{term.months}m" + (f"{term.days}d" if term.days else "")
