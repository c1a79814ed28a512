"""Who or what settles an open criterion: the documents and the roles the packs' own words name.

Both lists are data, read in order of where their words appear in a criterion's `unknown_reason`
(then its `text`): the first named is the one a volunteer asks for first. A document is named by the
phrases that stand for it; the holder is the office that issues or keeps it. A role is the person who
decides a judgement or reviews a proxy: attorney, warden, court, clinician, else a reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["DEFAULT_ROLE", "DOCUMENTS", "ROLES", "Document", "Role", "documents_named", "role_named"]


@dataclass(frozen=True)
class Document:
    """A document that can settle a fact: its name, who holds it, and the phrases that name it."""

    name: str
    holder: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    """A person who decides or reviews a criterion, and the words by which a pack names them."""

    name: str
    phrases: tuple[str, ...]


# Source: the documents the shipped packs' unknown_reason texts name (policy/packs/*/*.yaml); the
# holder is the office that issues or keeps each document.
DOCUMENTS: tuple[Document, ...] = (
    Document("CDCR legal status summary", "CDCR records office", ("legal status summary",)),
    Document("abstract of judgment", "clerk of the sentencing court", ("abstract of judgment",)),
    Document("presentence report", "defence lawyer or probation office", ("presentence report",)),
    Document(
        "BOP sentence computation", "Bureau of Prisons unit team", ("sentence computation", "sentence monitoring")
    ),
    Document("BOP discipline history", "Bureau of Prisons unit team", ("discipline history", "disciplinary record")),
    Document("BOP FSA time credit assessment", "Bureau of Prisons unit team", ("fsa time credit assessment",)),
    Document("PATTERN risk assessment", "Bureau of Prisons unit team", ("pattern score", "assessment history")),
    Document("BOP detainer record", "Bureau of Prisons records office", ("detainer",)),
    Document("BOP inmate locator", "Bureau of Prisons (public website)", ("inmate locator",)),
    Document("Missouri DOC face sheet", "Missouri Department of Corrections", ("face sheet",)),
    Document("medical records", "prison health services", ("medical records",)),
    Document("doctor's statement", "treating doctor", ("doctor's statement",)),
    Document("death certificate", "county vital records office", ("death certificate",)),
    Document(
        "record of the prior conviction",
        "clerk of the court of the prior conviction",
        ("record of the prior conviction",),
    ),
    Document("criminal history", "state criminal records repository", ("criminal history",)),
    Document("the screen's offence tables", "the data set's publisher", ("offence tables",)),
    Document("judgment", "clerk of the sentencing court", ("judgment",)),
    Document("CDCR records", "CDCR records office", ("cdcr's records", "cdcr records")),
)

# Source: the deciders the shipped packs' texts name (18 U.S.C. § 3582(c)(1)(A): a court decides on a
# lawyer's motion; the warden or Bureau of Prisons decides prison matters; a clinician reads health).
ROLES: tuple[Role, ...] = (
    Role("court", ("court", "judge")),
    Role("attorney", ("lawyer", "attorney", "counsel")),
    Role("warden", ("warden", "bureau of prisons", "unit team", "director")),
    Role("clinician", ("clinician", "doctor", "medical", "physician", "psycholog")),
)
DEFAULT_ROLE = "reviewer"


def _first_position(text: str, phrases: tuple[str, ...]) -> int | None:
    positions = [match.start() for phrase in phrases for match in [re.search(re.escape(phrase), text)] if match]
    return min(positions) if positions else None


# A pack has few texts and a population many people: each text is read once.
@lru_cache(maxsize=4096)
def documents_named(*texts: str | None) -> tuple[Document, ...]:
    """The documents the texts name, in order of first mention; a name inside a longer one counts once."""
    found: list[tuple[int, int, Document]] = []
    for rank, text in enumerate(texts):
        lowered = (text or "").lower()
        taken: list[tuple[int, int]] = []
        spans = [
            (match.start(), match.end(), document)
            for document in DOCUMENTS
            for phrase in document.phrases
            for match in re.finditer(re.escape(phrase), lowered)
        ]
        # Longest first, so "judgment" inside "abstract of judgment" is not a second document.
        for start, end, document in sorted(spans, key=lambda span: span[0] - span[1]):
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            found.append((rank, start, document))
    ordered: list[Document] = []
    for _, _, document in sorted(found, key=lambda item: (item[0], item[1])):
        if document not in ordered:
            ordered.append(document)
    return tuple(ordered)


@lru_cache(maxsize=4096)
def role_named(*texts: str | None) -> str | None:
    """The role the first text to name one names first; None when none does."""
    for text in texts:
        lowered = (text or "").lower()
        positions = [
            (position, role.name) for role in ROLES if (position := _first_position(lowered, role.phrases)) is not None
        ]
        if positions:
            return min(positions)[1]
    return None
