"""Plain words for what a letter shows: facts and their text values, and the legal glossary.

Both are data beside this module: `fact_words.yaml` (what each fact read as evidence is called, in
English and Spanish) and `glossary.yaml` (legal terms in both languages, each as a published court
glossary gives it, with the glossary cited). They are read once with the packs' safe YAML loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from secondchance.policy.pack import load_yaml_with_lines

__all__ = ["GlossaryTerm", "fact_label", "fact_words", "glossary", "glossary_sources", "terms_used", "value_label"]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class GlossaryTerm:
    """A legal term in English and Spanish, with the glossary entry it was read in."""

    en: str
    es: str
    source: str
    entry_en: str
    entry_es: str


@cache
def _load(name: str) -> Any:
    return load_yaml_with_lines((_HERE / name).read_text(encoding="utf-8"))


@cache
def fact_words() -> dict[str, dict[str, str]]:
    """Fact name -> {language: plain words}."""
    return {str(name): dict(words) for name, words in _load("fact_words.yaml")["facts"].items()}


def fact_label(name: str, language: str) -> str:
    """A fact as a person reads it; a fact with no words yet is shown with its name's words spaced out."""
    words = fact_words().get(name)
    if words is not None:
        return words[language]
    return name.replace("_", " ")


def value_label(value: str, language: str) -> str:
    """A recorded text value (a sentence type, a risk level) in plain words; others as recorded."""
    words = _load("fact_words.yaml")["values"].get(value)
    return str(words[language]) if words is not None else value


@cache
def glossary() -> tuple[GlossaryTerm, ...]:
    """Every term of the glossary, in file order."""
    return tuple(
        GlossaryTerm(str(item["en"]), str(item["es"]), str(item["source"]), item["entry"]["en"], item["entry"]["es"])
        for item in _load("glossary.yaml")["terms"]
    )


def glossary_sources() -> dict[str, dict[str, Any]]:
    """The cited glossaries by id: title, publisher, year, url, note."""
    return {str(item["id"]): dict(item) for item in _load("glossary.yaml")["sources"]}


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)


def terms_used(english: str) -> list[GlossaryTerm]:
    """The glossary terms that an English text uses (whole words, any case)."""
    return [term for term in glossary() if _pattern(term.en).search(english)]
