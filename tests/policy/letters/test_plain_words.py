"""Every fact a shipped pack reads has plain words in both languages, so no letter shows a fact's name."""

from __future__ import annotations

import re

from secondchance.policy.checks import load_pack
from secondchance.policy.facts import FACTS
from secondchance.policy.letters import LANGUAGES
from secondchance.policy.letters.words import fact_label, fact_words, value_label
from secondchance.policy.pack import list_packs


def _facts_read_by_packs() -> set[str]:
    found: set[str] = set()
    for _, path in list_packs():
        for node in load_pack(path).all_criteria():
            found |= set(node.evidence_facts())
    return found


def test_every_fact_a_pack_reads_has_words_in_every_language() -> None:
    read = _facts_read_by_packs()
    assert len(read) > 40
    missing = sorted(name for name in read if set(fact_words().get(name, {})) != set(LANGUAGES))
    assert not missing, f"facts without plain words in fact_words.yaml: {missing}"


def test_the_words_are_words_not_names() -> None:
    catalogue = {fact.name for fact in FACTS}
    assert set(fact_words()) <= catalogue, "fact_words.yaml names a fact the catalogue does not have"
    for name, words in fact_words().items():
        for language, text in words.items():
            assert text and not re.search(r"[_`]", text), f"{name} ({language}): {text!r}"
            assert text != name and text.lower() != name.replace("_", " "), f"{name} ({language}) is its name"
    assert fact_label("served_from_date", "es") == "fecha desde la que cuenta el tiempo cumplido"
    assert (value_label("determinate", "en"), value_label("life_without_parole", "es")) == (
        "a fixed term",
        "cadena perpetua sin libertad condicional",
    )
    assert (value_label("us-mo", "es"), value_label("federal", "en")) == ("Misuri", "federal")
    assert value_label("some other text", "en") == "some other text"
