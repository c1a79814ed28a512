"""The contact file: the name, number, address and language an organisation holds for each person.

Names are never in the records store; a letter is addressed from this file (`--contacts FILE`), a CSV
with a header row and these columns (only `person` and `name` are required):

| column | what it holds |
|---|---|
| person | the person's source id as in the records (or `source:source_id`) |
| name | the name the letter is addressed to |
| number | the number the organisation holds for the person (e.g. a register number) |
| address_1 .. address_4 | the lines of the postal address |
| language | `en` or `es`: the language of that person's letter |
| sex | `female`, `male` or empty: Spanish agreement; empty (unknown) gives gender-neutral Spanish |

The file comes from outside, so it is read as hostile input: at most `MAX_CONTACT_BYTES` and
`MAX_CONTACTS` rows, each value at most `MAX_FIELD_CHARS` characters with no control characters, and
every value is text (a cell such as `=HYPERLINK(...)` is a name like any other: nothing is evaluated,
and letters escape it). Every problem is refused with the file, line, field and reason.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from secondchance.errors import UserError
from secondchance.policy.limits import CONTROL_CHARACTERS

__all__ = [
    "COLUMNS",
    "MAX_CONTACTS",
    "MAX_CONTACT_BYTES",
    "MAX_FIELD_CHARS",
    "Contact",
    "find_contact",
    "read_contacts",
]

ADDRESS_COLUMNS = ("address_1", "address_2", "address_3", "address_4")
COLUMNS: tuple[str, ...] = ("person", "name", "number", *ADDRESS_COLUMNS, "language", "sex")
REQUIRED = ("person", "name")
LANGUAGE_CODES = ("en", "es")
SEX_VALUES = ("female", "male")

# Far above any organisation's mailing list, low enough that a hostile file cannot exhaust memory.
MAX_CONTACT_BYTES = 20 * 1024 * 1024
MAX_CONTACTS = 200_000
MAX_FIELD_CHARS = 200


@dataclass(frozen=True)
class Contact:
    """How the organisation addresses one person."""

    person: str
    name: str
    number: str | None = None
    address: tuple[str, ...] = ()
    language: str | None = None
    sex: str | None = None  # female | male | None (unknown: neutral Spanish)


def _problem(path: Path, line: int, field: str | None, reason: str) -> UserError:
    where = f"{path}, line {line}" + (f", field {field}" if field else "")
    return UserError(f"{where}: {reason}")


def _decode(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONTACT_BYTES + 1)
    except OSError as error:
        raise UserError(f"--contacts {path}: {error.strerror}") from None
    if len(data) > MAX_CONTACT_BYTES:
        raise _problem(path, 1, None, f"a contact file is at most {MAX_CONTACT_BYTES // 2**20} MiB; this one is larger")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise _problem(path, line, None, "the file is not UTF-8 text; save it as CSV UTF-8") from None


def _header(path: Path, header: list[str]) -> list[str]:
    names = [name.strip().lower() for name in header]
    for name in names:
        if name not in COLUMNS:
            raise _problem(path, 1, name[:40] or "(empty)", f"unknown column; the columns are {', '.join(COLUMNS)}")
    for name in REQUIRED:
        if name not in names:
            raise _problem(path, 1, name, "this column is required")
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise _problem(path, 1, duplicates[0], "the column appears twice")
    return names


def _value(path: Path, line: int, field: str, text: str) -> str:
    value = text.strip()
    if len(value) > MAX_FIELD_CHARS:
        raise _problem(path, line, field, f"a value is at most {MAX_FIELD_CHARS} characters")
    if CONTROL_CHARACTERS.search(value) or "\n" in value or "\r" in value:
        raise _problem(path, line, field, "a value cannot hold line breaks or control characters")
    return value


def _contact(path: Path, line: int, row: Mapping[str, str]) -> Contact:
    for name in REQUIRED:
        if not row.get(name):
            raise _problem(path, line, name, "empty; every row needs the person's source id and name")
    language = row.get("language") or None
    if language is not None and language.lower() not in LANGUAGE_CODES:
        raise _problem(path, line, "language", f"{language[:20]!r} is not a letter language; use en or es")
    sex = (row.get("sex") or "").lower() or None
    if sex is not None and sex not in SEX_VALUES:
        raise _problem(path, line, "sex", f"{sex[:20]!r}: use female, male or leave it empty (unknown)")
    return Contact(
        person=row["person"],
        name=row["name"],
        number=row.get("number") or None,
        address=tuple(row[name] for name in ADDRESS_COLUMNS if row.get(name)),
        language=language.lower() if language else None,
        sex=sex,
    )


def read_contacts(path: Path) -> dict[str, Contact]:
    """The contact file's rows by person; a UserError naming file, line and field on any problem."""
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    contacts: dict[str, Contact] = {}
    try:
        header = next(reader, None)
        if header is None:
            raise _problem(path, 1, None, f"the file is empty; the first line names the columns ({', '.join(COLUMNS)})")
        names = _header(path, header)
        previous = reader.line_num
        for cells in reader:
            # A quoted value may span lines: a row is named by the line it starts on.
            line, previous = previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line between rows
            if len(cells) != len(names):
                raise _problem(path, line, None, f"{len(cells)} values for {len(names)} columns")
            if len(contacts) >= MAX_CONTACTS:
                raise _problem(path, line, None, f"a contact file has at most {MAX_CONTACTS:,} rows")
            row = {name: _value(path, line, name, cell) for name, cell in zip(names, cells, strict=True)}
            contact = _contact(path, line, row)
            if contact.person in contacts:
                raise _problem(path, line, "person", f"{contact.person[:40]!r} appears twice; keep one row per person")
            contacts[contact.person] = contact
    except csv.Error as error:
        raise _problem(path, reader.line_num or 1, None, f"this is not valid CSV: {error}") from None
    return contacts


def find_contact(contacts: Mapping[str, Contact], source: str, source_id: str) -> Contact | None:
    """A person's row, given in the file by source id or by `source:source_id`."""
    return contacts.get(source_id) or contacts.get(f"{source}:{source_id}")
