"""The contact file: read as given, and every hostile or broken file refused with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondchance.errors import UserError
from secondchance.policy.letters.contacts import MAX_CONTACT_BYTES, MAX_FIELD_CHARS, Contact, read_contacts

HEADER = "person,name,number,address_1,address_2,language,sex\n"


def _write(tmp_path: Path, text: str, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_contact_file_gives_name_number_address_language_and_sex(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeff"  # Excel's "CSV UTF-8" starts with a byte-order mark
        + HEADER
        + 'F-1,Ana Ruiz,12345-678,FCI Dublin,"5701 8th St, Dublin, CA 94568",ES,female\n'
        + "\n"  # a blank line between rows is skipped
        + "hand:F-2,Lee Chan,,,,,\n",
    )
    contacts = read_contacts(path)
    assert contacts == {
        "F-1": Contact("F-1", "Ana Ruiz", "12345-678", ("FCI Dublin", "5701 8th St, Dublin, CA 94568"), "es", "female"),
        "hand:F-2": Contact("hand:F-2", "Lee Chan"),
    }


def test_a_formula_is_text_like_any_other_name(tmp_path: Path) -> None:
    path = _write(tmp_path, 'person,name\nF-1,"=HYPERLINK(""http://x"",""y"")"\n')
    assert read_contacts(path)["F-1"].name == '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("person,name,nickname\n", "line 1, field nickname: unknown column; the columns are person, name, number"),
        ("person,number\n", "line 1, field name: this column is required"),
        ("person,name,name\n", "line 1, field name: the column appears twice"),
        ("", "line 1: the file is empty"),
        (HEADER + "F-1,,1,,,,\n", "line 2, field name: empty; every row needs the person's source id and name"),
        (HEADER + "F-1,Ana,1,,,,\nF-1,Ana,1,,,,\n", "line 3, field person: 'F-1' appears twice"),
        (HEADER + "F-1,Ana,1,,,fr,\n", "line 2, field language: 'fr' is not a letter language; use en or es"),
        (HEADER + "F-1,Ana,1,,,,f\n", "line 2, field sex: 'f': use female, male or leave it empty (unknown)"),
        (HEADER + "F-1,Ana\u202eevil,1,,,,\n", "line 2, field name: a value cannot hold line breaks or control"),
        (HEADER + 'F-1,"Ana\nRuiz",1,,,,\n', "line 2, field name: a value cannot hold line breaks"),
        (HEADER + "F-1,Ana,1\n", "line 2: 3 values for 7 columns"),
        (
            HEADER + f"F-1,{'A' * (MAX_FIELD_CHARS + 1)},1,,,,\n",
            f"line 2, field name: a value is at most {MAX_FIELD_CHARS}",
        ),
        (HEADER + 'F-1,"Ana"x,1,,,,\n', "line 2: this is not valid CSV"),
    ],
)
def test_a_bad_contact_file_is_refused_with_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(UserError) as refused:
        read_contacts(path)
    assert str(refused.value).startswith(f"{path}, {message}"), str(refused.value)


def test_a_file_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "F-1,Ana,1,,,,\nF-2,Peña,2,,,,\n".encode("latin-1"))
    with pytest.raises(UserError, match=r"latin1\.csv, line 3: the file is not UTF-8 text"):
        read_contacts(path)


def test_a_file_above_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.write(b"x" * MAX_CONTACT_BYTES)
    with pytest.raises(UserError, match=r"huge\.csv, line 1: a contact file is at most 20 MiB"):
        read_contacts(path)
