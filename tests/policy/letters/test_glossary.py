"""The legal glossary: each term as a cited court glossary gives it, and used wherever the letters use it."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from secondchance.policy.letters import locale_dir
from secondchance.policy.letters.words import glossary, glossary_sources, terms_used
from secondchance.policy.pack import iter_criteria, list_packs, read_pack_file


def _has(text: str, term: str) -> bool:
    return re.search(rf"\b{re.escape(term)}\b", text, re.IGNORECASE) is not None


def test_every_glossary_is_cited_with_title_publisher_year_and_url() -> None:
    sources = glossary_sources()
    assert sources
    for source_id, source in sources.items():
        assert source["title"] and source["publisher"], source_id
        assert isinstance(source["year"], int) and 1990 <= source["year"] <= 2026, source_id
        assert str(source["url"]).startswith("https://"), source_id


def test_each_term_is_the_one_its_glossary_entry_gives() -> None:
    terms = glossary()
    assert len(terms) >= 5
    sources = glossary_sources()
    for term in terms:
        assert term.source in sources, term
        # The entry quotes the glossary: the English term in its English, the Spanish term in its Spanish.
        assert _has(term.entry_en, term.en), f"{term.en!r} is not in its entry {term.entry_en!r}"
        assert _has(term.entry_es, term.es), f"{term.es!r} is not in its entry {term.entry_es!r}"
    assert len({term.en.lower() for term in terms}) == len(terms), "a term is listed twice"


def _english_and_spanish_texts() -> list[tuple[str, str]]:
    """Every (English, Spanish) pair the letters show: catalogue messages and the packs' criterion texts."""
    with (locale_dir() / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if message.id:
            english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            spanish = " ".join(message.string) if isinstance(message.string, tuple) else message.string
            pairs.append((english, spanish))
    for pack_id, path in list_packs():
        pack = read_pack_file(path).pack
        assert pack is not None, pack_id
        spanish_pack = pack.translations["es"]
        for node in iter_criteria(pack.criteria):
            words = spanish_pack.criteria[node.id]
            pairs.append((node.text, words.text))
            if node.unknown_reason and words.unknown_reason:
                pairs.append((node.unknown_reason, words.unknown_reason))
    return pairs


def test_the_spanish_letters_use_the_glossary_term_wherever_the_english_uses_it() -> None:
    pairs = _english_and_spanish_texts()
    used = 0
    for term in glossary():
        for english, spanish in pairs:
            if _has(english, term.en):
                used += 1
                assert _has(spanish, term.es), f"{term.en!r} in {english!r} but not {term.es!r} in {spanish!r}"
    assert used >= 2  # the compassionate-release pack's request and motion


def test_a_spanish_letter_lists_the_legal_terms_its_criteria_use() -> None:
    assert [(term.en, term.es) for term in terms_used("She asked the warden to file a Motion; the request was")] == [
        ("request", "solicitud"),
        ("motion", "moción"),
    ]
    assert terms_used("a judgement of the board") == []  # whole words only: "judge" is not in "judgement"
