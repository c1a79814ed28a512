"""Letters for everyone of one status in a stored screening run: one file per person, one PDF to print.

The people are those the latest stored run of the pack (the same pack file, by content hash; as of the
given date when there is one) gave the status. Each letter is explained from that run, rendered to
HTML once (Jinja2), laid out and written once (WeasyPrint), and the combined PDF joins the letters'
PDF files (`pdf.join_pdfs`) rather than laying them out again. Letters are made by `jobs` worker
processes, each with its own read-only connection to the store, in chunks whose results come back in
order, so the combined PDF follows the run's order (soonest eligible first, then source id).
"""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from secondchance.errors import UserError
from secondchance.policy.explain import PersonRef, explain
from secondchance.policy.letters import LetterOptions, render_text
from secondchance.policy.letters.contacts import Contact, find_contact
from secondchance.policy.letters.pdf import html_to_document, join_pdfs, write_document
from secondchance.policy.letters.sender import Sender
from secondchance.policy.status import STATUSES

__all__ = ["COMBINED_NAME", "BatchRequest", "BatchResult", "letter_file_name", "select_people", "write_letters"]

COMBINED_NAME = "combined.pdf"
_CHUNK = 8  # letters per task: small enough for a smooth progress bar, large enough to keep workers busy
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BatchRequest:
    """What to write: whose letters, from which run, how addressed, in what format, where."""

    store: Path
    pack_path: Path
    status: str
    out: Path
    fmt: str = "pdf"
    as_of: date | None = None
    language: str | None = None  # None: each contact's language, else English
    contacts: dict[str, Contact] = field(default_factory=dict)
    sender: Sender | None = None
    paper: str = "letter"
    dated: date | None = None
    jobs: int = 1


@dataclass
class BatchResult:
    """What was written."""

    run_id: int
    as_of: date
    letters: int = 0
    without_contact: int = 0
    combined: Path | None = None
    combined_pages: int = 0
    files: list[Path] = field(default_factory=list)


def letter_file_name(source_id: str, fmt: str, taken: set[str]) -> str:
    """A file name for a person's letter made only of safe characters, unique within the batch."""
    stem = "letter-" + (_UNSAFE.sub("_", source_id).strip("._") or "person")[:80]
    name, number = f"{stem}.{fmt}", 2
    while name.lower() in taken:
        name, number = f"{stem}-{number}.{fmt}", number + 1
    taken.add(name.lower())
    return name


def select_people(
    connection: duckdb.DuckDBPyConnection, pack_id: str, sha256: str, status: str, as_of: date | None
) -> tuple[int, date, list[PersonRef]]:
    """The latest stored run of this pack file (as of `as_of` when given) and its people with `status`."""
    if status not in STATUSES:
        raise UserError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    tables = {str(row[0]) for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    runs = []
    if {"screening_run", "screening_result"} <= tables:
        runs = connection.execute(
            "SELECT run_id, as_of, packs FROM screening_run WHERE (CAST(? AS DATE) IS NULL OR as_of = ?) "
            "ORDER BY run_id DESC",
            [as_of, as_of],
        ).fetchall()
    for run_id, run_as_of, packs in runs:
        if _ran_pack(packs, pack_id, sha256):
            rows = connection.execute(
                "SELECT p.id, p.source, p.source_id FROM screening_result r JOIN person p ON p.id = r.person_id "
                "WHERE r.run_id = ? AND r.pack_id = ? AND r.status = ? "
                "ORDER BY r.eligible_on NULLS LAST, p.source_id, p.source",
                [run_id, pack_id, status],
            ).fetchall()
            return int(run_id), run_as_of, [PersonRef(int(pid), str(src), str(sid)) for pid, src, sid in rows]
    when = f" as of {as_of.isoformat()}" if as_of else ""
    raise UserError(
        f"no stored screening run of {pack_id} (this version of the pack){when}; "
        f"run `secondchance screen --pack {pack_id}{' --as-of ' + as_of.isoformat() if as_of else ''}` first"
    )


def _ran_pack(packs: str | None, pack_id: str, sha256: str) -> bool:
    """Whether a run's packs (JSON) include this very pack file; an unreadable list includes nothing."""
    try:
        items = json.loads(packs or "[]")
    except json.JSONDecodeError:
        return False
    return isinstance(items, list) and any(
        isinstance(item, dict) and item.get("id") == pack_id and item.get("sha256") == sha256 for item in items
    )


# ---------------------------------------------------------------------------- one worker's work

_WORKER: dict[str, Any] = {}


def _start(request: BatchRequest, as_of: date) -> None:
    """Open the store read-only and compile the pack once per worker process."""
    from secondchance.policy.checks import load_pack
    from secondchance.records.store import open_store

    _WORKER.clear()
    stack = ExitStack()
    _WORKER.update(request=request, as_of=as_of, compiled=load_pack(request.pack_path), stack=stack)
    _WORKER["connection"] = stack.enter_context(open_store(request.store, read_only=True))


def _stop() -> None:
    stack = _WORKER.pop("stack", None)
    if stack is not None:
        stack.close()


def _render(people: list[tuple[PersonRef, str]]) -> list[tuple[bytes | None, bool]]:
    """Write the letters of a chunk of people; for PDF, return each file's bytes for the combined PDF."""
    request: BatchRequest = _WORKER["request"]
    found: list[tuple[bytes | None, bool]] = []
    for person, name in people:
        contact = find_contact(request.contacts, person.source, person.source_id)
        language = request.language or (contact.language if contact else None) or "en"
        options = LetterOptions(contact, request.sender, request.paper, request.dated)
        explanation = explain(_WORKER["connection"], _WORKER["compiled"], person, _WORKER["as_of"])
        text = render_text(explanation, language, "md" if request.fmt == "md" else "html", options)
        pdf = write_document(html_to_document(text, _HERE)) if request.fmt == "pdf" else None
        _write(request.out / name, pdf if pdf is not None else text.encode("utf-8"))
        found.append((pdf, contact is not None))
    return found


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UserError(f"cannot write the letter {path}: {error.strerror}") from None


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _results(
    request: BatchRequest, as_of: date, work: list[list[tuple[PersonRef, str]]]
) -> Iterator[list[tuple[bytes | None, bool]]]:
    """Each chunk's letters, in order: in this process for one job, else from worker processes."""
    if request.jobs <= 1 or len(work) <= 1:
        _start(request, as_of)
        try:
            yield from (_render(chunk) for chunk in work)
        finally:
            _stop()
        return
    # Spawned workers: a forked child would inherit this process's DuckDB and font library state.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(request.jobs, mp_context=context, initializer=_start, initargs=(request, as_of)) as pool:
        yield from pool.map(_render, work)


def write_letters(
    request: BatchRequest, run_id: int, as_of: date, people: list[PersonRef], advance: Callable[[int], None]
) -> BatchResult:
    """Write one letter per person (and, for PDF, the combined PDF); `advance` is told of each chunk done."""
    try:
        request.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(f"--out {request.out}: cannot make the folder: {error.strerror}") from None
    taken = {COMBINED_NAME}
    named = [(person, letter_file_name(person.source_id, request.fmt, taken)) for person in people]
    result = BatchResult(run_id, as_of, files=[request.out / name for _, name in named])

    def letters() -> Iterator[bytes]:
        for chunk in _results(request, as_of, list(_chunks(named, _CHUNK))):
            for pdf, has_contact in chunk:
                result.letters += 1
                result.without_contact += not has_contact
                if pdf is not None:
                    yield pdf
            advance(len(chunk))

    if request.fmt != "pdf":
        for _ in letters():
            pass
        return result
    # Written beside and renamed when complete: an interrupted batch leaves no combined PDF that looks whole.
    result.combined, partial = request.out / COMBINED_NAME, request.out / f".{COMBINED_NAME}.part"
    try:
        with partial.open("wb") as handle:
            result.combined_pages = join_pdfs(letters(), handle)
        partial.replace(result.combined)
    except OSError as error:
        raise UserError(f"cannot write {result.combined}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    return result
