"""`secondchance explain`: one person's result for one pack, criterion by criterion, or as a letter."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from secondchance.cli._app import StoreOption, console, escape, store_path
from secondchance.cli._options import check_count, check_output_path, optional_date_option
from secondchance.errors import UserError
from secondchance.policy.letters.sender import SENDER_ENV

if TYPE_CHECKING:
    from secondchance.policy.explain import PersonRef
    from secondchance.policy.letters.batch import BatchRequest

__all__ = ["explain", "register"]

_DEFAULT_JOBS = min(os.cpu_count() or 1, 8)


def explain(
    pack: Annotated[str, typer.Option("--pack", help="Pack id or file.", show_default=False)],
    person: Annotated[
        str | None,
        typer.Argument(help="The person's source id (or source:source_id); none with --status.", show_default=False),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Screening date (YYYY-MM-DD); default today (a stored run of that date is read, else screened now).",
            show_default=False,
        ),
    ] = None,
    letter: Annotated[bool, typer.Option("--letter", help="Write the plain-language letter to the person.")] = False,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language: en or es (default: the contact's, else en).", show_default=False),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--format", help="Letter format: md, html or pdf (default md).", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the letter to this file (with --status: this folder).", show_default=False),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Letters for everyone of this status in the stored run (e.g. almost-eligible); --out DIR.",
            show_default=False,
        ),
    ] = None,
    contacts: Annotated[
        Path | None,
        typer.Option("--contacts", help="CSV of names, numbers and addresses (docs/letters.md).", show_default=False),
    ] = None,
    sender: Annotated[
        Path | None,
        typer.Option("--sender", help=f"YAML of the sender (default: the file in ${SENDER_ENV}).", show_default=False),
    ] = None,
    paper: Annotated[str, typer.Option("--paper", help="Paper: letter (US Letter) or a4.")] = "letter",
    jobs: Annotated[
        int, typer.Option("--jobs", help="With --status: processes that write letters (default: one per CPU).")
    ] = _DEFAULT_JOBS,
    store: StoreOption = None,
) -> None:
    """Explain a person's screening result for a pack: every criterion, its evidence and its date.

    Example: secondchance explain SYN-P-00000002 --pack us-federal/clemency-2014 --letter --lang es --format pdf
    --out carta.pdf --contacts contacts.csv --sender sender.yaml
    Letters for everyone almost eligible: secondchance explain --pack us-federal/clemency-2014
    --status almost-eligible --letter --format pdf --out letters/ --contacts contacts.csv --sender sender.yaml
    """
    from secondchance.policy.explain import explain_person
    from secondchance.policy.letters import FORMATS, LANGUAGES, PAPERS, LetterOptions, render_letter
    from secondchance.policy.letters.contacts import find_contact, read_contacts
    from secondchance.policy.letters.sender import find_sender

    if lang is not None and lang not in LANGUAGES:
        raise UserError(f"--lang {lang!r}: use {' or '.join(LANGUAGES)}")
    if output is not None and output not in FORMATS:
        raise UserError(f"--format {output!r}: use {', '.join(FORMATS)}")
    if paper not in PAPERS:
        raise UserError(f"--paper {paper!r}: use {' or '.join(PAPERS)}")
    if (output is not None or out is not None) and not letter:
        raise UserError("--format and --out are for letters: add --letter")
    fmt = output or "md"
    if status is not None:
        if person is not None:
            raise UserError("give a PERSON or --status, not both")
        _batch(pack, status, as_of, lang, fmt, out, contacts, sender, paper, jobs, store, letter)
        return
    if person is None:
        raise UserError("give the PERSON to explain, or --status STATUS --letter --out DIR for everyone of a status")
    if fmt == "pdf" and out is None:
        raise UserError("--format pdf needs --out PATH")
    check_output_path("--out", out)
    screening_date = optional_date_option("--as-of", as_of) or date.today()
    # The contact file and the sender are checked before any work, and the person is found in the store.
    known = read_contacts(contacts) if letter and contacts is not None else {}
    found_sender = find_sender(sender) if letter else None
    explanation = explain_person(store_path(store), person, pack, screening_date)
    contact = find_contact(known, explanation.person.source, explanation.person.source_id)
    options = LetterOptions(contact, found_sender, paper, screening_date) if letter else None
    language = lang or (options.contact.language if options and options.contact else None) or "en"
    if not letter:
        from secondchance.policy.letters.console import explanation_tree

        console.print(explanation_tree(explanation, language))
        return
    _put_letter(render_letter(explanation, language, fmt, options), out, language, fmt)


def _put_letter(rendered: str | bytes, out: Path | None, language: str, fmt: str) -> None:
    """Write one letter to `out`, or print it (Markdown and HTML) when there is none."""
    if out is None:
        typer.echo(rendered, nl=False)
        return
    try:
        if isinstance(rendered, bytes):
            out.write_bytes(rendered)
        else:
            out.write_text(rendered, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write the letter to {out}: {error.strerror}") from None
    console.print(f"wrote the {escape(language)} letter ({escape(fmt)}) to {escape(str(out))}")


def _check_folder(out: Path | None) -> Path:
    if out is None:
        raise UserError("--status writes one letter per person: give the folder with --out DIR")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: with --status, --out is a folder; {out} is a file")
    if not out.exists() and not out.parent.is_dir():
        raise UserError(f"--out {out}: the folder {out.parent} does not exist")
    return out


def _batch(
    pack: str,
    status: str,
    as_of: str | None,
    lang: str | None,
    fmt: str,
    out: Path | None,
    contacts: Path | None,
    sender: Path | None,
    paper: str,
    jobs: int,
    store: Path | None,
    letter: bool,
) -> None:
    """`explain --status S --letter --out DIR`: every letter of a status, with a progress bar."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.letters.batch import BatchRequest, select_people
    from secondchance.policy.letters.contacts import read_contacts
    from secondchance.policy.letters.sender import find_sender
    from secondchance.policy.pack import find_pack
    from secondchance.policy.status import STATUSES
    from secondchance.records.store import open_store

    if not letter:
        raise UserError("--status writes letters: add --letter")
    if status not in STATUSES:
        raise UserError(f"--status {status!r}: use one of {', '.join(STATUSES)}")
    folder = _check_folder(out)
    check_count("--jobs", jobs, minimum=1, maximum=64)
    screening_date = optional_date_option("--as-of", as_of)
    found_sender = find_sender(sender)
    if found_sender is None:
        raise UserError(f"letters to send need a sender: give --sender FILE or set {SENDER_ENV}")
    pack_path = find_pack(pack)
    compiled = load_pack(pack_path)
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    with open_store(path, read_only=True) as connection:
        run_id, run_as_of, people = select_people(connection, compiled.pack.id, compiled.sha256, status, screening_date)
    request = BatchRequest(
        store=path,
        pack_path=pack_path,
        status=status,
        out=folder,
        fmt=fmt,
        as_of=run_as_of,
        language=lang,
        contacts=read_contacts(contacts) if contacts is not None else {},
        sender=found_sender,
        paper=paper,
        dated=screening_date or date.today(),
        jobs=min(jobs, max(1, len(people))),
    )
    if not people:
        console.print(f"no one is {escape(status)} in run {run_id} of {escape(compiled.pack.id)}; no letters written")
        return
    _write_batch(request, run_id, run_as_of, people)


def _write_batch(request: BatchRequest, run_id: int, run_as_of: date, people: list[PersonRef]) -> None:
    from secondchance.policy.letters.batch import write_letters

    progress_console = Console(stderr=True, emoji=False, highlight=False)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
        disable=not progress_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"Writing {len(people):,} letters", total=len(people))
        result = write_letters(request, run_id, run_as_of, people, lambda done: progress.advance(task, done))
    console.print(
        f"wrote {result.letters:,} letters ({escape(request.fmt)}) for people {escape(request.status)} in run "
        f"{result.run_id} (as of {result.as_of.isoformat()}) to {escape(str(request.out))}"
    )
    if result.combined is not None:
        console.print(f"combined PDF for printing: {escape(str(result.combined))} ({result.combined_pages:,} pages)")
    if result.without_contact:
        where = "in the contact file" if request.contacts else "(no --contacts file given)"
        console.print(f"addressed by record number, with no contact {where}: {result.without_contact:,}")


def register(app: typer.Typer) -> None:
    """Add `explain` to the application."""
    app.command()(explain)
