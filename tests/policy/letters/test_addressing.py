"""A letter ready to send: addressed from the contact file (or plainly by record number), from a sender,
dated, on US Letter or A4, in plain words, and in gender-neutral Spanish when sex is unknown."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from tests.policy.test_explain import AS_OF, CLEMENCY, PACKS, PERSON_FOR_PACK, build_screened_store

from secondchance.policy.explain import Explanation, explain_person
from secondchance.policy.facts import FACTS
from secondchance.policy.letters import LetterOptions, locale_dir, render_letter
from secondchance.policy.letters.contacts import Contact
from secondchance.policy.letters.pdf import page_sizes
from secondchance.policy.letters.sender import Sender

ANA = Contact("F-1", "Ana Ruiz", "12345-678", ("FCI Dublin", "5701 8th St", "Dublin, CA 94568"))
SENDER = Sender("Second Chance Legal Aid", "Maria Lopez", ("100 Main Street", "Springfield, IL 62701"), "555-0100")
DATED = date(2026, 12, 1)
# Points per inch is 72: US Letter is 8.5 x 11 in; A4 is 210 x 297 mm (ISO 216).
LETTER_POINTS = (612.0, 792.0)
A4_POINTS = (210 / 25.4 * 72, 297 / 25.4 * 72)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_screened_store(tmp_path_factory.mktemp("addressing") / "records.duckdb")


@pytest.fixture(scope="module")
def clemency(store: Path) -> Explanation:
    return explain_person(store, "F-1", CLEMENCY, AS_OF)


def _plain(document: str) -> str:
    """The text of a letter's body (or of a Markdown letter), tags removed, single spaces."""
    body = document.split("<body>", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_a_letter_is_addressed_by_name_number_and_address_from_the_contact_file(clemency: Explanation) -> None:
    letter = _plain(str(render_letter(clemency, "en", "html", LetterOptions(ANA, SENDER, dated=DATED))))
    head = letter.split("Clemency")[0]
    assert "Ana Ruiz Number: 12345-678 FCI Dublin 5701 8th St Dublin, CA 94568" in head
    assert "Dear Ana Ruiz," in letter
    assert "record number" not in letter.lower()


def test_without_a_contact_the_letter_is_addressed_by_record_number_and_says_so(clemency: Explanation) -> None:
    english = _plain(str(render_letter(clemency, "en", "html", LetterOptions(None, SENDER, dated=DATED))))
    assert "Record number F-1" in english and "To the person with record number F-1," in english
    assert "We do not hold your name, so this letter is addressed to you by your number in the records." in english
    spanish = _plain(str(render_letter(clemency, "es", "html", LetterOptions(None, SENDER, dated=DATED))))
    assert "No tenemos su nombre en nuestros archivos" in spanish and "número de registro F-1" in spanish


def test_the_sender_block_the_date_and_the_signature(clemency: Explanation) -> None:
    english = _plain(str(render_letter(clemency, "en", "html", LetterOptions(ANA, SENDER, dated=DATED))))
    assert english.startswith(
        "Second Chance Legal Aid 100 Main Street Springfield, IL 62701 Phone: 555-0100 1 December 2026 Ana Ruiz"
    )
    assert "Yours sincerely, Maria Lopez Second Chance Legal Aid" in english
    spanish = _plain(str(render_letter(clemency, "es", "md", LetterOptions(ANA, SENDER, dated=DATED))))
    assert "Teléfono: 555-0100" in spanish and "1 de diciembre de 2026" in spanish and "Atentamente," in spanish


def test_undated_letters_are_dated_today(clemency: Explanation) -> None:
    letter = _plain(str(render_letter(clemency, "en", "html", LetterOptions(ANA, SENDER))))
    today = date.today()
    assert f"{today.day} {today.strftime('%B')} {today.year}" in letter


@pytest.mark.parametrize(("paper", "points"), [("letter", LETTER_POINTS), ("a4", A4_POINTS)])
def test_the_pdf_pages_are_us_letter_by_default_and_a4_on_request(
    clemency: Explanation, paper: str, points: tuple[float, float]
) -> None:
    options = LetterOptions(ANA, SENDER, paper) if paper != "letter" else LetterOptions(ANA, SENDER)
    sizes = page_sizes(bytes(render_letter(clemency, "en", "pdf", options)))  # type: ignore[arg-type]
    assert sizes and all(size == pytest.approx(points, abs=0.05) for size in sizes)


def test_names_and_addresses_are_escaped(clemency: Explanation) -> None:
    hostile = Contact("F-1", "<script>x</script>", "=HYPERLINK(1)", ("<b>street</b>",))
    page = str(render_letter(clemency, "en", "html", LetterOptions(hostile, SENDER)))
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;b&gt;street" in page
    assert "=HYPERLINK(1)" in page  # shown as written, never evaluated
    markdown = str(render_letter(clemency, "en", "md", LetterOptions(hostile, SENDER)))
    assert r"\<script\>x\</script\>" in markdown


# ---------------------------------------------------------------------------- Spanish agreement


def test_spanish_greeting_is_neutral_when_sex_is_unknown_and_agrees_when_known(clemency: Explanation) -> None:
    neutral = _plain(str(render_letter(clemency, "es", "html", LetterOptions(ANA, SENDER))))
    assert "Reciba un cordial saludo, Ana Ruiz:" in neutral
    assert not re.search(r"\bEstimad[oa]s?\b|o/a\b|\(a\)", neutral)
    female = _plain(str(render_letter(clemency, "es", "html", LetterOptions(Contact("F-1", "Ana", sex="female")))))
    male = _plain(str(render_letter(clemency, "es", "html", LetterOptions(Contact("F-1", "Luis", sex="male")))))
    assert "Estimada Ana:" in female and "Estimado Luis:" in male


# Words that agree with a person's sex, or name a person by a masculine generic noun.
GENDERED = re.compile(
    r"\b(estimad[oa]s?|interesad[oa]s?|solicitante|abogad[oa]s?|defensor(a|es)?|recluid[oa]s?|"
    r"condenad[oa]s?|el\s+(director|juez|preso|reo))\b|\w/a\b|\(a\)",
    re.IGNORECASE,
)


def test_the_spanish_catalogue_has_no_words_that_agree_with_the_readers_sex() -> None:
    with (locale_dir() / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            assert not GENDERED.search(text), f"gendered Spanish in {message.id!r}: {text!r}"


# ---------------------------------------------------------------------------- plain words


@pytest.mark.parametrize("pack", PACKS)
def test_letters_name_no_fact_pack_id_or_run(store: Path, pack: str) -> None:
    explanation = explain_person(store, PERSON_FOR_PACK[pack], pack, AS_OF)
    names = {fact.name for fact in FACTS}
    for language in ("en", "es"):
        letter = _plain(str(render_letter(explanation, language, "html", LetterOptions(ANA, SENDER))))
        assert pack not in letter and "run " not in letter.lower()
        identifiers = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", letter))
        assert not identifiers & names, f"{pack} {language}: fact names in the letter: {identifiers & names}"
        assert "`" not in letter and "<code>" not in letter


def test_evidence_is_shown_in_plain_words(clemency: Explanation) -> None:
    english = _plain(str(render_letter(clemency, "en", "html", LetterOptions(ANA, SENDER))))
    spanish = _plain(str(render_letter(clemency, "es", "html", LetterOptions(ANA, SENDER))))
    assert "date from which time served counts: 10 January 2017" in english
    assert "fecha desde la que cuenta el tiempo cumplido: 10 de enero de 2017" in spanish


def test_every_page_names_its_addressee_and_its_place(clemency: Explanation, tmp_path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) reads the PDF back")
    path = tmp_path / "letter.pdf"
    path.write_bytes(bytes(render_letter(clemency, "en", "pdf", LetterOptions(ANA, SENDER))))  # type: ignore[arg-type]
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Ana Ruiz" in page, number
        assert f"{number}/{len(pages)}" in page.replace(" ", ""), number


def test_outside_the_population_the_letter_names_what_the_records_show_and_lists_no_criterion(store: Path) -> None:
    # The Missouri prisoner is outside the federal clemency screen, whose population is system = 'federal';
    # this store holds no sentence for them, so the system their records give is not recorded.
    explanation = explain_person(store, "M-1", CLEMENCY, AS_OF)
    english = _plain(str(render_letter(explanation, "en", "html", LetterOptions(None, SENDER))))
    assert "What the records show: sentencing system: not recorded." in english
    assert "None of its criteria applies to you, so none is listed here." in english
    for heading in ("What you meet", "What you do not meet", "What is unknown", "Not met.", "Dates"):
        assert heading not in english
    spanish = _plain(str(render_letter(explanation, "es", "md", LetterOptions(None, SENDER))))
    assert "Lo que muestran los registros: sistema de condena: no consta." in spanish
    assert "No cumplido" not in spanish
