"""Supplied values and decisions in a letter: what was supplied, by whom, from what document, why, in words."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest
from tests.policy.test_explain import AS_OF, CLEMENCY, build_screened_store

from secondchance.policy.explain import Explanation, explain_person
from secondchance.policy.letters import render_letter
from secondchance.policy.letters.console import explanation_tree

# The evidence of a stored run carries these keys (policy.provenance): a custody start from a legal
# status summary, and a reviewer's decision on a judgement criterion.
SUPPLIED = {
    "served_from_date": {
        "id": 7,
        "value": "2016-03-01",
        "from": None,
        "by": "J. Rivera",
        "document": "legal status summary",
        "ref": "3",
        "reason": "custody began at arrest",
    }
}
DECIDED = {"id": 2, "decision": "met", "by": "A. Lawyer", "document": "", "reason": "no incident in ten years"}


@pytest.fixture(scope="module")
def explanation(tmp_path_factory: pytest.TempPathFactory) -> Explanation:
    store = build_screened_store(tmp_path_factory.mktemp("supplied-words") / "records.duckdb")
    plain = explain_person(store, "F-1", CLEMENCY, AS_OF)
    criteria = tuple(
        dataclasses.replace(item, provenance={"_supplied": SUPPLIED})
        if item.id == "served-10-years"
        else dataclasses.replace(item, provenance={"_decided": DECIDED})
        if item.id == "good-conduct"
        else item
        for item in plain.criteria
    )
    return dataclasses.replace(plain, criteria=criteria)


def _plain(document: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", document.split("<body>", 1)[-1])).split())


def test_the_letter_says_what_was_supplied_by_whom_from_what_and_why(explanation: Explanation) -> None:
    english = _plain(str(render_letter(explanation, "en", "html")))
    assert (
        "Date from which time served counts: 1 March 2016, supplied by J. Rivera from legal status summary, page 3 "
        "(custody began at arrest)." in english
    )
    assert "Decided by A. Lawyer: Met (no incident in ten years)." in english
    spanish = _plain(str(render_letter(explanation, "es", "html")))
    assert (
        "Fecha desde la que cuenta el tiempo cumplido: 1 de marzo de 2016; lo aportó J. Rivera a partir de legal "
        "status summary, página 3 (custody began at arrest)." in spanish
    )
    assert "Lo decidió A. Lawyer: Cumplido (no incident in ten years)." in spanish


def test_the_terminal_tree_says_it_too(explanation: Explanation) -> None:
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO())
    console.print(explanation_tree(explanation, "en"))
    text = " ".join(console.file.getvalue().split())  # type: ignore[attr-defined]
    assert "supplied by J. Rivera from legal status summary, page 3" in text
    assert "Decided by A. Lawyer: Met" in text
