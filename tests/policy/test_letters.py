"""Letters to the person: both languages, every criterion translated, dates by Babel, escaping, PDF, CLI errors."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from tests.policy.test_explain import AS_OF, CLEMENCY, FEDERAL, PACKS, PERSON_FOR_PACK, build_screened_store
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.errors import UserError
from secondchance.policy.explain import Explanation, explain_person
from secondchance.policy.letters import format_value, locale_dir, parameter_words, render_letter, translations
from secondchance.policy.pack import Pack, find_pack, iter_criteria, list_packs, read_pack_file

LETTERS = Path(locale_dir()).parent


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_screened_store(tmp_path_factory.mktemp("letters") / "records.duckdb")


@pytest.fixture(scope="module")
def explanations(store: Path) -> dict[str, Explanation]:
    return {pack: explain_person(store, PERSON_FOR_PACK[pack], pack, AS_OF) for pack in PACKS}


def _plain(document: str) -> str:
    """An HTML letter as plain text with single spaces, so pack texts can be looked for whole."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", document)).split())


def _texts(explanation: Explanation, language: str) -> list[str]:
    """Every criterion text and unknown reason of the pack in `language`, parameters filled in."""
    words = parameter_words(explanation.parameters, language)
    found = []
    for item in explanation.criteria:
        found.append(" ".join(item.text(explanation.pack, words, language).split()))
        reason = item.unknown_reason(explanation.pack, words, language)
        if reason and item.status == "unknown":
            found.append(" ".join(reason.split()))
    return found


def invoke(*args: str | Path) -> tuple[int, str]:
    """Run the command in-process as `main` does: a UserError is exit code 1 and its message."""
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    if isinstance(result.exception, UserError):
        return 1, str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# ---------------------------------------------------------------------------- translations of the packs


def test_every_criterion_of_every_pack_has_spanish_text() -> None:
    assert [pack_id for pack_id, _ in list_packs()] == sorted(PACKS)
    for pack_id, path in list_packs():
        pack = read_pack_file(path).pack
        assert pack is not None, pack_id
        spanish = pack.translations["es"]
        assert spanish.title and spanish.title != pack.title
        for node in iter_criteria(pack.criteria):
            assert node.id in spanish.criteria, f"{pack_id}: {node.id} has no Spanish text"
            words = spanish.criteria[node.id]
            assert words.text != node.text
            if node.unknown_reason:
                assert words.unknown_reason, f"{pack_id}: {node.id} has no Spanish unknown_reason"


def _pack_with(translations: str) -> dict[str, object]:
    raw = read_pack_file(find_pack(CLEMENCY)).raw
    data = {key: value for key, value in raw.items() if key != "translations"}
    import yaml

    data["translations"] = yaml.safe_load(translations)
    return data


def test_translations_must_name_real_criteria_and_the_same_parameters() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="translations.es: no criterion has the id 'served-ten-years'"):
        Pack.model_validate(_pack_with("es: {criteria: {served-ten-years: {text: Diez años.}}}"))
    with pytest.raises(
        ValidationError, match=r"must mention the same parameters as the original \({min_years_served}\)"
    ):
        Pack.model_validate(_pack_with("es: {criteria: {served-10-years: {text: Ha cumplido 10 años.}}}"))
    with pytest.raises(ValidationError, match="'spanish' is not a language code"):
        Pack.model_validate(_pack_with("spanish: {criteria: {}}"))


# ---------------------------------------------------------------------------- the gettext catalogue


def test_every_message_of_the_letters_is_translated_and_compiled() -> None:
    method_map = [("**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    messages = {message for _, _, message, _, _ in extract_from_dir(str(LETTERS), method_map, options)}
    assert len(messages) > 40
    with (locale_dir() / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    compiled = translations("es")
    for message in messages:
        singular = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(singular)
        assert entry is not None and all(entry.string), f"no Spanish for {singular!r}"
        # The committed .mo must say what the .po says.
        expected = entry.string[0] if isinstance(entry.string, tuple) else entry.string
        assert compiled.gettext(singular) == expected, f"messages.mo is out of date for {singular!r}"


def test_values_are_written_the_way_each_language_writes_them() -> None:
    assert format_value(date(2026, 11, 25), "en") == "25 November 2026"
    assert format_value(date(2026, 11, 25), "es") == "25 de noviembre de 2026"
    assert (format_value(None, "en"), format_value(None, "es")) == ("not recorded", "no consta")
    assert (format_value(True, "es"), format_value(False, "en")) == ("sí", "no")
    assert (format_value(7300, "en"), format_value(7300, "es")) == ("7,300", "7.300")


# ---------------------------------------------------------------------------- the letters


def test_unknown_is_worded_as_unknown_never_as_not_met(explanations: dict[str, Explanation]) -> None:
    letter = _plain(str(render_letter(explanations[CLEMENCY], "en", "html")))
    unknown_part = letter.split("What is unknown, and who can supply it")[1].split("Dates")[0]
    unmet_part = letter.split("What you do not meet, and why")[1].split("What is unknown")[0]
    # good-conduct is unknown (no disciplinary record): it sits under "unknown", with who can supply it.
    assert "no disciplinary incident of the greatest or high severity" in unknown_part
    assert "The Bureau of Prisons discipline history (and the unit team) can supply it." in unknown_part
    assert "no disciplinary incident" not in unmet_part
    assert "Unknown. You have shown good conduct" in letter
    assert "not eligible" not in letter.lower() and "ineligible" not in letter.lower()
    # The one unmet criterion is served-10-years, with its date.
    assert "Not met. You have served at least 10 years of your prison sentence." in unmet_part
    assert "You will meet it on 10 January 2027." in unmet_part
    assert "On the records as they stand, you will meet them on 10 January 2027." in letter


def test_a_person_outside_the_population_is_told_so_not_refused(store: Path) -> None:
    # The Missouri prisoner is not in the federal clemency screen's population (system = 'federal').
    explanation = explain_person(store, "M-1", CLEMENCY, AS_OF)
    assert (explanation.status, explanation.run_id) == ("not-in-population", None)
    english = _plain(str(render_letter(explanation, "en", "html")))
    spanish = _plain(str(render_letter(explanation, "es", "html")))
    assert "This screen is for a group of people that the records do not place you in" in english
    assert "not eligible" not in english.lower()
    assert "Esta evaluación es para un grupo de personas en el que los registros no le sitúan" in spanish


def test_dates_appear_in_both_languages_as_babel_writes_them(explanations: dict[str, Explanation]) -> None:
    explanation = explanations["us-federal/compassionate-release"]
    english = str(render_letter(explanation, "en", "md"))
    spanish = str(render_letter(explanation, "es", "md"))
    # Thirty days after the warden received the request on 1 Nov 2026; 65th birthday on 15 Mar 2025.
    assert "You will meet it on 1 December 2026." in english
    assert "Lo cumplirá el 1 de diciembre de 2026." in spanish
    assert "Met on 15 March 2025." in english and "Se cumplió el 15 de marzo de 2025." in spanish
    assert "as of 25 November 2026" in english and "a fecha de 25 de noviembre de 2026" in spanish


@pytest.mark.parametrize("pack", PACKS)
def test_each_letter_speaks_one_language(explanations: dict[str, Explanation], pack: str) -> None:
    explanation = explanations[pack]
    english = _plain(str(render_letter(explanation, "en", "html")))
    spanish = _plain(str(render_letter(explanation, "es", "html")))
    english_texts, spanish_texts = _texts(explanation, "en"), _texts(explanation, "es")
    assert len(english_texts) >= len(explanation.criteria)
    for text in english_texts:
        assert text in english, text
        assert text not in spanish, f"English text in the Spanish letter: {text}"
    for text in spanish_texts:
        assert text in spanish, text
        assert text not in english, f"Spanish text in the English letter: {text}"
    assert explanation.title("es") in spanish and explanation.pack.title in english


def test_html_and_markdown_escape_data(tmp_path: Path) -> None:
    hostile = "<script>alert('x')</script>*bold*"
    store = build_screened_store(
        tmp_path / "records.duckdb", {hostile: FEDERAL | {"sentence_type": "<b>determinate</b>"}}
    )
    explanation = explain_person(store, hostile, "us-federal/compassionate-release", AS_OF)
    page = str(render_letter(explanation, "en", "html"))
    assert "<script>" not in page and "<b>determinate" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;determinate&lt;/b&gt;" in page
    markdown = str(render_letter(explanation, "en", "md"))
    assert "<script>" not in markdown and r"\<script\>alert('x')\</script\>\*bold\*" in markdown


def test_the_pdf_renders_with_accented_characters(explanations: dict[str, Explanation], tmp_path: Path) -> None:
    explanation = explanations["us-federal/compassionate-release"]
    pdf = render_letter(explanation, "es", "pdf")
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "carta.pdf"
        path.write_bytes(pdf)
        text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    else:
        from weasyprint import HTML  # type: ignore[import-untyped]

        document = HTML(string=str(render_letter(explanation, "es", "html"))).render()

        def texts(box: object) -> list[str]:
            found = [str(getattr(box, "text", ""))]
            for child in getattr(box, "children", []):
                found += texts(child)
            return found

        text = " ".join(" ".join(part for page in document.pages for part in texts(page._page_box)).split())
    assert "Liberación compasiva" in text
    assert "Lo cumplirá el 1 de diciembre de 2026." in text
    assert "Tiene al menos 65 años de edad." in text


# ---------------------------------------------------------------------------- the command


def test_explain_prints_every_criterion(store: Path) -> None:
    code, output = invoke("explain", "F-1", "--pack", CLEMENCY, "--as-of", AS_OF.isoformat(), "--store", store)
    assert code == 0
    flat = " ".join(output.split())
    for criterion in ("lower-sentence-today", "served-10-years", "good-conduct", "no-violence-history"):
        assert criterion in flat
    assert "Almost eligible" in flat and "stored screening run 1" in flat
    assert "Why it is unknown, and who can supply it:" in flat


def test_explain_writes_letters(store: Path, tmp_path: Path) -> None:
    on = ("--as-of", AS_OF.isoformat())  # the stored run's date (the default is today)
    code, output = invoke("explain", "F-1", "--pack", CLEMENCY, *on, "--letter", "--lang", "es", "--store", store)
    assert code == 0 and "Lo cumplirá el 10 de enero de 2027." in output
    out = tmp_path / "carta.pdf"
    code, output = invoke(
        "explain",
        "F-1",
        "--pack",
        CLEMENCY,
        "--letter",
        "--lang",
        "es",
        "--format",
        "pdf",
        "--out",
        out,
        *on,
        "--store",
        store,
    )
    assert code == 0 and out.read_bytes().startswith(b"%PDF")


def test_explain_errors_exit_1_with_a_message(store: Path) -> None:
    assert invoke("explain", "F-404", "--pack", CLEMENCY, "--store", store) == (
        1,
        "no person with source id 'F-404' in the records store; "
        "give the person's source id as in the records (or source:source_id)",
    )
    assert invoke("explain", "F-1", "--pack", "us-federal/clemency-2041", "--store", store) == (
        1,
        "no pack with id 'us-federal/clemency-2041'; did you mean us-federal/clemency-2014?",
    )
    assert invoke("explain", "F-1", "--pack", CLEMENCY, "--letter", "--lang", "fr", "--store", store) == (
        1,
        "--lang 'fr': use en or es",
    )
    assert invoke("explain", "F-1", "--pack", CLEMENCY, "--letter", "--format", "pdf", "--store", store) == (
        1,
        "--format pdf needs --out PATH",
    )
    assert invoke("explain", "F-1", "--pack", CLEMENCY, "--store", store.parent / "missing.duckdb")[0] == 1


@pytest.mark.slow
def test_an_unknown_person_exits_1_without_a_traceback(store: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "explain", "F-404", "--pack", CLEMENCY, "--store", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "no person with source id 'F-404'" in result.stderr


def test_a_pdf_letter_fetches_no_file_it_links_to(tmp_path: Path) -> None:
    from secondchance.policy.letters import render_pdf

    secret = tmp_path / "secret.css"
    secret.write_text('body::after { content: "SECRETWORD"; }')
    page = tmp_path / "secret.html"
    page.write_text("<p>SECRETPAGE</p>")
    html_text = (
        f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head>'
        f'<body><p>visible</p><img src="{page.as_uri()}"><iframe src="{page.as_uri()}"></iframe></body></html>'
    )
    path = tmp_path / "letter.pdf"
    path.write_bytes(render_pdf(html_text))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "visible" in text
    assert "SECRETWORD" not in text and "SECRETPAGE" not in text
