"""The sender file: read with the packs' safe YAML loader, every problem named by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondchance.errors import UserError
from secondchance.policy.letters.sender import SENDER_ENV, Sender, find_sender, read_sender

GOOD = """\
organisation: Second Chance Legal Aid
name: Maria Lopez, paralegal
address:
  - 100 Main Street
  - Springfield, IL 62701
phone: (217) 555-0100
email: letters@example.org
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sender.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sender_file_gives_organisation_signer_address_and_contact_details(tmp_path: Path) -> None:
    assert read_sender(_write(tmp_path, GOOD)) == Sender(
        "Second Chance Legal Aid",
        "Maria Lopez, paralegal",
        ("100 Main Street", "Springfield, IL 62701"),
        "(217) 555-0100",
        "letters@example.org",
    )


def test_the_environment_names_the_sender_file_when_no_option_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, GOOD)
    monkeypatch.delenv(SENDER_ENV, raising=False)
    assert find_sender(None) is None
    monkeypatch.setenv(SENDER_ENV, str(path))
    sender = find_sender(None)
    assert sender is not None and sender.organisation == "Second Chance Legal Aid"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("organisation: Second Chance Legal Aid\n", ""), "line 1, field organisation: required"),
        (GOOD.replace("letters@example.org", "letters at example"), "line 7, field email: String should match"),
        (GOOD.replace("  - Springfield, IL 62701", "  - ''"), "line 5, field address.1: empty"),
        (GOOD + "fax: 555-0199\n", "line 8, field fax: Extra inputs are not permitted"),
        (GOOD + "phone: 555\n", "line 8, field phone: given twice (first on line 6)"),
        ("base: &a {x: 1}\nname: *a\n", "line 2: this is not valid YAML: aliases (*name) are not allowed"),
        ("- a list\n", "line 1: a sender file is a YAML mapping"),
        (
            GOOD.replace("phone: (217) 555-0100\n", "").replace("email: letters@example.org\n", ""),
            "line 1, field phone: give a phone number or an email address (or both)",
        ),
        (GOOD.replace("Maria Lopez", "Maria\u202eLopez"), "line 2, field name: a value cannot hold line breaks"),
        (
            GOOD.replace("Maria Lopez", "Maria\x1b[31mLopez"),
            "line 2: this is not valid YAML: the character #x1b is not",
        ),
    ],
)
def test_a_bad_sender_file_is_refused_with_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as refused:
        read_sender(path)
    assert str(refused.value).startswith(f"{path}, {message}"), str(refused.value)
