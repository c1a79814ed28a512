"""Plain-language letters to a person about a screening result: Markdown, HTML and PDF, in English and Spanish.

The words of the letter are in Jinja2 templates (`templates/`), translated through gettext catalogues
managed with Babel (`locale/<lang>/LC_MESSAGES/messages.po`, compiled to `.mo`); criterion texts come
from the pack and its `translations`. Dates and numbers are written by Babel in each language's own
way ("25 November 2026", "25 de noviembre de 2026"). A letter is addressed from the organisation's
contact file (`contacts`), signed by a configured sender (`sender`), dated, and laid out for US Letter
or A4 paper. Facts are named in plain words and legal terms follow a cited court glossary (`words`).
docs/letters.md describes the letter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from secondchance.errors import UserError
from secondchance.policy.explain import CriterionExplanation, Explanation
from secondchance.policy.letters.contacts import Contact
from secondchance.policy.letters.sender import Sender
from secondchance.policy.letters.words import fact_label, terms_used, value_label
from secondchance.policy.pack import ParameterValue

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "PAPERS",
    "LetterFormat",
    "LetterItem",
    "LetterOptions",
    "format_value",
    "item_tree",
    "letter_context",
    "locale_dir",
    "parameter_words",
    "provenance_words",
    "render_letter",
    "render_pdf",
    "render_text",
    "salutation",
    "translations",
]

LetterFormat = Literal["md", "html", "pdf"]
FORMATS: tuple[str, ...] = ("md", "html", "pdf")
# Language code -> the Babel locale whose conventions the letter follows (British English dates).
LANGUAGES: dict[str, str] = {"en": "en_GB", "es": "es"}
# Paper name -> the CSS @page size WeasyPrint lays the letter out on (US Letter is 8.5 x 11 in).
PAPERS: dict[str, str] = {"letter": "letter", "a4": "A4"}
# Spanish greetings that agree with a known sex; an unknown sex takes the catalogue's neutral greeting.
_SPANISH_GREETINGS = {"female": "Estimada {name}:", "male": "Estimado {name}:"}

_HERE = Path(__file__).resolve().parent
_MARKDOWN_SPECIAL = set("\\`*_[]<>#|{}!")


def locale_dir() -> Path:
    """The folder of the gettext catalogues (`<lang>/LC_MESSAGES/messages.po` and `.mo`)."""
    return _HERE / "locale"


def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise UserError(f"--lang {language!r}: letters are written in {', '.join(LANGUAGES)}")
    return LANGUAGES[language]


@cache
def translations(language: str) -> NullTranslations:
    """The compiled gettext catalogue of a language (English is the source language: no catalogue)."""
    _check_language(language)
    if language == "en":
        return NullTranslations()
    loaded = Translations.load(str(locale_dir()), [language])
    if not isinstance(loaded, Translations):
        raise UserError(f"the {language} letter catalogue is missing: compile {locale_dir()} with `pybabel compile`")
    return loaded


def format_value(value: Any, language: str) -> str:
    """A value as a person reads it in `language`: dates long, numbers localised, yes/no, lists joined."""
    locale = _check_language(language)
    gettext = translations(language).gettext
    if value is None:
        return gettext("not recorded")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, date):
        return str(format_date(value, format="long", locale=locale))
    if isinstance(value, int | float):
        return str(format_decimal(value, locale=locale))
    if isinstance(value, list):
        return str(format_list([format_value(item, language) for item in value], locale=locale))
    return str(value)


def parameter_words(parameters: Mapping[str, ParameterValue], language: str) -> dict[str, str]:
    """Every parameter value as text in `language`, for filling criterion texts."""
    return {name: format_value(value, language) for name, value in parameters.items()}


@dataclass(frozen=True)
class LetterOptions:
    """How one letter is addressed, signed, dated and laid out."""

    contact: Contact | None = None
    sender: Sender | None = None
    paper: str = "letter"
    dated: date | None = None  # the letter's date; today when None


@dataclass
class LetterItem:
    """One criterion or group, in words, as the templates show it."""

    id: str
    text: str
    status: str
    kind: str
    combination: str | None
    at_least: int | None
    eligible_on: str | None
    eligible_on_passed: bool
    evidence: list[tuple[str, str]]
    unknown_reason: str | None
    children: list[LetterItem] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # supplied values and the decision, in words

    @property
    def needs_review(self) -> bool:
        """Proxy and judgement criteria need a person to review them."""
        return self.kind in ("proxy", "judgement")


def item_tree(explanation: Explanation, language: str) -> list[LetterItem]:
    """The top-level criteria as `LetterItem`s, each group with its children, texts in `language`."""
    words = parameter_words(explanation.parameters, language)

    def build(item: CriterionExplanation) -> LetterItem:
        evidence = item.evidence.items()
        return LetterItem(
            id=item.id,
            text=item.text(explanation.pack, words, language),
            status=item.status,
            kind=item.kind,
            combination=item.combination,
            at_least=item.at_least,
            eligible_on=format_value(item.eligible_on, language) if item.eligible_on is not None else None,
            eligible_on_passed=item.eligible_on is not None and item.eligible_on <= explanation.as_of,
            evidence=[(fact_label(name, language), _evidence_value(value, language)) for name, value in evidence],
            unknown_reason=item.unknown_reason(explanation.pack, words, language),
            children=[build(child) for child in explanation.children(item)],
            sources=provenance_words(item, explanation.fact_types, language),
        )

    return [build(item) for item in explanation.top_level]


def _as_date(text: Any) -> Any:
    """An ISO date text as a date (supplied values and dates travel as text in the evidence JSON)."""
    if isinstance(text, str):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return text
    return text


def _document_words(source: Mapping[str, Any], language: str) -> str:
    """The document a value came from, with its page ("page 3") or place ("line 12") when given."""
    document, ref = str(source.get("document") or ""), str(source.get("ref") or "").strip()
    if not ref:
        return document
    if ref.isdigit():
        return translations(language).gettext("%(document)s, page %(page)s") % {"document": document, "page": ref}
    return f"{document}, {ref}"


def provenance_words(item: CriterionExplanation, fact_types: Mapping[str, str], language: str) -> list[str]:
    """Each value supplied for this criterion and the decision that settled it, as sentences in `language`."""
    gettext = translations(language).gettext
    lines = []
    for name, source in item.supplied.items():
        value = source.get("value")
        words = {
            "fact": fact_label(name, language),
            "value": _evidence_value(_as_date(value) if fact_types.get(name) == "date" else value, language),
            "by": source.get("by"),
            "document": _document_words(source, language),
            "reason": source.get("reason"),
        }
        if source.get("from"):
            words["date"] = format_value(_as_date(source["from"]), language)
            template = gettext("%(fact)s: %(value)s from %(date)s, supplied by %(by)s from %(document)s (%(reason)s).")
        else:
            template = gettext("%(fact)s: %(value)s, supplied by %(by)s from %(document)s (%(reason)s).")
        sentence = template % words
        lines.append(sentence[:1].upper() + sentence[1:])  # fact words begin in lower case
    decided = item.decided
    if decided is not None:
        words = {
            "decision": gettext("Met") if decided.get("decision") == "met" else gettext("Not met"),
            "by": decided.get("by"),
            "document": _document_words(decided, language),
            "reason": decided.get("reason"),
        }
        if decided.get("document"):
            lines.append(gettext("Decided by %(by)s: %(decision)s, from %(document)s (%(reason)s).") % words)
        else:
            lines.append(gettext("Decided by %(by)s: %(decision)s (%(reason)s).") % words)
    return lines


def _evidence_value(value: Any, language: str) -> str:
    """A fact value in plain words: recorded codes such as `determinate` by their words."""
    return value_label(value, language) if isinstance(value, str) else format_value(value, language)


def salutation(contact: Contact | None, person_id: str, language: str) -> str:
    """The greeting: by name from the contact file (agreeing in Spanish only when sex is known), else by id."""
    gettext = translations(language).gettext
    if contact is None:
        return gettext("To the person with record number %(number)s,") % {"number": person_id}
    if language == "es" and contact.sex in _SPANISH_GREETINGS:
        return _SPANISH_GREETINGS[contact.sex].format(name=contact.name)
    return gettext("Dear %(name)s,") % {"name": contact.name}


def _flatten(items: list[LetterItem]) -> list[LetterItem]:
    found: list[LetterItem] = []
    for item in items:
        found.append(item)
        found += _flatten(item.children)
    return found


def _glossary_lines(explanation: Explanation, language: str) -> list[tuple[str, str]]:
    """For a Spanish letter, the glossary terms its criteria use: (Spanish, English), so court papers can be read."""
    if language != "es":
        return []
    words = parameter_words(explanation.parameters, "en")
    english = " ".join(
        [item.text(explanation.pack, words, "en") for item in explanation.criteria]
        + [item.unknown_reason(explanation.pack, words, "en") or "" for item in explanation.criteria]
    )
    return [(term.es, term.en) for term in terms_used(english)]


def _population_facts(explanation: Explanation, language: str) -> str:
    """For a person outside the population, the facts its failed condition read, in plain words."""
    failure = explanation.population_failure
    if explanation.in_population or failure is None:
        return ""
    return "; ".join(
        f"{fact_label(name, language)}: {_evidence_value(value, language)}" for name, value in failure.facts.items()
    )


def _sender_lines(sender: Sender | None, language: str) -> list[str]:
    if sender is None:
        return []
    gettext = translations(language).gettext
    lines = [sender.organisation, *sender.address]
    if sender.phone:
        lines.append(gettext("Phone: %(phone)s") % {"phone": sender.phone})
    if sender.email:
        lines.append(gettext("Email: %(email)s") % {"email": sender.email})
    return lines


def _recipient_lines(contact: Contact | None, person_id: str, language: str) -> list[str]:
    gettext = translations(language).gettext
    if contact is None:
        return [gettext("Record number %(number)s") % {"number": person_id}]
    number = [gettext("Number: %(number)s") % {"number": contact.number}] if contact.number else []
    return [contact.name, *number, *contact.address]


def _addressing(explanation: Explanation, language: str, options: LetterOptions) -> dict[str, Any]:
    person_id = explanation.person.source_id
    return {
        "paper": PAPERS[options.paper],
        "sender": options.sender,
        "sender_lines": _sender_lines(options.sender, language),
        "letter_date": format_value(options.dated or date.today(), language),
        "recipient_lines": _recipient_lines(options.contact, person_id, language),
        "addressed_by_id": options.contact is None,
        "salutation": salutation(options.contact, person_id, language),
    }


def letter_context(explanation: Explanation, language: str, options: LetterOptions | None = None) -> dict[str, Any]:
    """Everything the letter templates show, in `language`."""
    options = options or LetterOptions()
    if options.paper not in PAPERS:
        raise UserError(f"--paper {options.paper!r}: use {' or '.join(PAPERS)}")
    # Outside the population no criterion applies: none is listed, and the condition's facts are shown.
    items = item_tree(explanation, language) if explanation.in_population else []
    every = _flatten(items)
    return _addressing(explanation, language, options) | {
        "population_facts": _population_facts(explanation, language),
        "language": language,
        "title": explanation.title(language),
        "pack_id": explanation.pack.id,
        "pack_version": explanation.pack.version,
        "person_name": explanation.person.name,
        "person_id": explanation.person.source_id,
        "as_of": format_value(explanation.as_of, language),
        "status": explanation.status,
        "eligible_on": format_value(explanation.eligible_on, language) if explanation.eligible_on else None,
        "unmet_count": explanation.unmet_count,
        "unknown_count": explanation.unknown_count,
        "run_id": explanation.run_id,
        "met": [item for item in items if item.status == "met"],
        "unmet": [item for item in items if item.status == "unmet"],
        "unknown": [item for item in items if item.status == "unknown"],
        "dated": [item for item in every if item.eligible_on is not None and item.kind != "group"],
        "review_count": sum(1 for item in every if item.needs_review),
        "glossary": _glossary_lines(explanation, language),
    }


def _markdown_escape(value: Any) -> str:
    """Backslash-escape Markdown punctuation in text that comes from records or packs."""
    text = str(value)
    return "".join("\\" + char if char in _MARKDOWN_SPECIAL else char for char in text)


@cache
def _environment(kind: Literal["md", "html"], language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=kind == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    catalogue = translations(language)
    install: Callable[..., None] = environment.install_gettext_translations  # type: ignore[attr-defined]
    install(catalogue, newstyle=True)
    # In HTML, Jinja's autoescape escapes data; Markdown escapes it with this filter.
    environment.filters["esc"] = _markdown_escape if kind == "md" else (lambda value: value)
    return environment


def render_text(
    explanation: Explanation, language: str, kind: Literal["md", "html"], options: LetterOptions | None = None
) -> str:
    """The letter as Markdown or HTML text."""
    template = _environment(kind, language).get_template(f"letter.{kind}.j2")
    return template.render(**letter_context(explanation, language, options))


def render_pdf(html: str) -> bytes:
    """An HTML letter as PDF bytes (WeasyPrint), fetching nothing: no file, network or data URL."""
    from secondchance.policy.letters.pdf import html_to_pdf

    return html_to_pdf(html, _HERE)


def render_letter(
    explanation: Explanation, language: str = "en", fmt: str = "md", options: LetterOptions | None = None
) -> str | bytes:
    """The letter in a language and format: Markdown or HTML text, or PDF bytes."""
    _check_language(language)
    if fmt == "md":
        return render_text(explanation, language, "md", options)
    if fmt == "html":
        return render_text(explanation, language, "html", options)
    if fmt == "pdf":
        return render_pdf(render_text(explanation, language, "html", options))
    raise UserError(f"--format {fmt!r}: letters are written as {', '.join(FORMATS)}")
