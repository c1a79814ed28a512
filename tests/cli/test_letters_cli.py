"""`explain --letter` with a contact file, a sender and paper; `explain --status` writing a batch of letters."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.cli.conftest import run_cli
from tests.policy.test_explain import AS_OF, CLEMENCY, FEDERAL, MISSOURI, build_screened_store

from secondchance.policy.letters.pdf import page_sizes

# Ten years served from each start date falls within the pack's 180 days of 25 Nov 2026 for F-1 to F-3
# (10 Jan, 1 Feb and 1 Apr 2027: almost eligible); F-4 started in 2020 and reaches it in 2030.
PEOPLE = {
    "F-1": FEDERAL,
    "F-2": FEDERAL | {"served_from_date": AS_OF.replace(year=2017, month=2, day=1)},
    "F-3": FEDERAL | {"served_from_date": AS_OF.replace(year=2017, month=4, day=1)},
    "F-4": FEDERAL | {"served_from_date": AS_OF.replace(year=2020, month=1, day=1)},
    "M-1": MISSOURI,
}
SENDER = """\
organisation: Second Chance Legal Aid
name: Maria Lopez
address: [100 Main Street, "Springfield, IL 62701"]
email: letters@example.org
"""
CONTACTS = """\
person,name,number,address_1,language,sex
F-1,Ana Ruiz,111-01,FCI Dublin,,
F-2,Lee Chan,222-02,FCI Aliceville,es,
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("letters-cli")
    (folder / "sender.yaml").write_text(SENDER, encoding="utf-8")
    (folder / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    store = build_screened_store(folder / "records.duckdb", PEOPLE)
    return {"store": store, "sender": folder / "sender.yaml", "contacts": folder / "contacts.csv"}


def _batch(files: dict[str, Path], out: Path, *extra: str) -> tuple[int, str, str]:
    outcome = run_cli(
        "explain", "--pack", CLEMENCY, "--status", "almost-eligible", "--letter", "--format", "pdf",
        "--out", out, "--as-of", AS_OF.isoformat(), "--store", files["store"], "--sender", files["sender"],
        "--contacts", files["contacts"], *extra,
    )  # fmt: skip
    return outcome.code, " ".join(outcome.stdout.split()), "\n".join(outcome.error_lines)


def _text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) reads the letters back")
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(result.stdout.split())


def test_a_batch_writes_one_letter_per_person_and_one_pdf_with_all_their_pages(
    files: dict[str, Path], tmp_path: Path
) -> None:
    code, output, errors = _batch(files, tmp_path / "letters", "--jobs", "1")
    assert (code, errors) == (0, "")
    letters = sorted((tmp_path / "letters").glob("letter-*.pdf"))
    assert [path.name for path in letters] == ["letter-F-1.pdf", "letter-F-2.pdf", "letter-F-3.pdf"]
    combined = tmp_path / "letters" / "combined.pdf"
    pages = [len(page_sizes(path.read_bytes())) for path in letters]
    assert all(count >= 1 for count in pages)
    assert len(page_sizes(combined.read_bytes())) == sum(pages)
    assert "wrote 3 letters (pdf) for people almost-eligible in run 1 (as of 2026-11-25)" in output
    assert f"({sum(pages)} pages)" in output
    assert "addressed by record number, with no contact in the contact file: 1" in output
    text = _text(combined)
    # In the run's order (soonest eligible first): F-1 in English, F-2 in Spanish (its contact's language),
    # F-3 by record number.
    first, second, third = text.index("Dear Ana Ruiz,"), text.index("Lee Chan:"), text.index("record number F-3,")
    assert first < second < third
    assert "Reciba un cordial saludo, Lee Chan:" in text and "Número: 222-02" in text
    assert text.count("Second Chance Legal Aid") >= 6  # each letter's sender block and signature


def test_two_processes_write_the_same_letters(files: dict[str, Path], tmp_path: Path) -> None:
    assert _batch(files, tmp_path / "one", "--jobs", "1")[0] == 0
    assert _batch(files, tmp_path / "two", "--jobs", "2")[0] == 0
    for name in ("letter-F-1.pdf", "letter-F-2.pdf", "letter-F-3.pdf", "combined.pdf"):
        assert _text(tmp_path / "one" / name) == _text(tmp_path / "two" / name), name


def test_a_batch_of_html_letters_has_no_combined_pdf(files: dict[str, Path], tmp_path: Path) -> None:
    outcome = run_cli(
        "explain", "--pack", CLEMENCY, "--status", "almost-eligible", "--letter", "--format", "html",
        "--out", tmp_path / "html", "--as-of", AS_OF.isoformat(), "--store", files["store"],
        "--sender", files["sender"], "--jobs", "1",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    assert sorted(path.name for path in (tmp_path / "html").iterdir()) == [
        "letter-F-1.html",
        "letter-F-2.html",
        "letter-F-3.html",
    ]
    assert "Record number F-2" in (tmp_path / "html" / "letter-F-2.html").read_text(encoding="utf-8")
    assert "addressed by record number, with no contact (no --contacts file given): 3" in " ".join(
        outcome.stdout.split()
    )


def test_a_hostile_contact_file_is_refused_with_file_and_line(files: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("person,name\nF-1,Ana\nF-2,\n", encoding="utf-8")
    outcome = run_cli(
        "explain", "--pack", CLEMENCY, "--status", "almost-eligible", "--letter", "--format", "pdf",
        "--out", tmp_path / "letters", "--as-of", AS_OF.isoformat(), "--store", files["store"],
        "--sender", files["sender"], "--contacts", bad,
    )  # fmt: skip
    assert outcome.code == 1
    assert outcome.error_lines == [
        f"error: {bad}, line 3, field name: empty; every row needs the person's source id and name"
    ]
    assert not (tmp_path / "letters" / "combined.pdf").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--status", "almost-eligible", "--letter"), "--status writes one letter per person: give the folder"),
        (("F-1", "--status", "almost-eligible", "--letter", "--out", "x"), "give a PERSON or --status, not both"),
        (("--status", "nearly", "--letter", "--out", "x"), "--status 'nearly': use one of eligible, almost-eligible"),
        (("--letter",), "give the PERSON to explain, or --status STATUS --letter --out DIR"),
        (("F-1", "--letter", "--paper", "legal"), "--paper 'legal': use letter or a4"),
    ],
)
def test_wrong_uses_exit_1_with_a_message(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: tuple[str, ...], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = run_cli("explain", "--pack", CLEMENCY, *arguments, "--store", files["store"])
    assert outcome.code == 1
    assert outcome.error_lines[0].startswith(f"error: {message}"), outcome.error_lines


def test_a_batch_needs_a_sender(files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECONDCHANCE_LETTER_SENDER", raising=False)
    outcome = run_cli(
        "explain", "--pack", CLEMENCY, "--status", "almost-eligible", "--letter", "--format", "pdf",
        "--out", tmp_path / "letters", "--as-of", AS_OF.isoformat(), "--store", files["store"],
    )  # fmt: skip
    assert outcome.code == 1
    assert outcome.error_lines == [
        "error: letters to send need a sender: give --sender FILE or set SECONDCHANCE_LETTER_SENDER"
    ]


def test_one_letter_on_a4_addressed_from_the_contact_file(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "carta.pdf"
    outcome = run_cli(
        "explain", "F-2", "--pack", CLEMENCY, "--letter", "--format", "pdf", "--out", out, "--paper", "a4",
        "--as-of", AS_OF.isoformat(), "--store", files["store"], "--sender", files["sender"],
        "--contacts", files["contacts"],
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    assert "wrote the es letter (pdf)" in outcome.stdout  # the contact's language
    assert all(size == pytest.approx((595.28, 841.89), abs=0.01) for size in page_sizes(out.read_bytes()))
    assert "Reciba un cordial saludo, Lee Chan:" in _text(out)


def test_a_contact_row_may_name_the_person_by_source_and_source_id(files: dict[str, Path], tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("person,name\nhand:F-3,Sam Ortiz\n", encoding="utf-8")
    outcome = run_cli(
        "explain", "F-3", "--pack", CLEMENCY, "--letter", "--as-of", AS_OF.isoformat(), "--store", files["store"],
        "--contacts", contacts,
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    assert "Dear Sam Ortiz," in outcome.stdout and "record number" not in outcome.stdout


def test_a_letter_that_cannot_be_written_stops_the_batch_and_leaves_no_combined_pdf(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "letters"
    (out / "letter-F-2.pdf").mkdir(parents=True)  # a folder where the second letter goes
    code, _, errors = _batch(files, out, "--jobs", "1")
    assert (code, errors) == (1, f"error: cannot write the letter {out / 'letter-F-2.pdf'}: Is a directory")
    assert sorted(path.name for path in out.iterdir()) == ["letter-F-1.pdf", "letter-F-2.pdf"]
