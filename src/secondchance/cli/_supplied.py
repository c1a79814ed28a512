"""`secondchance supply`, `decide`, `supplied list` and `withdraw`: answers people supply from documents.

Each change is checked whole (nothing is recorded when one value is refused), recorded in the records
store beside the source records (`records.supplied`), and the people it concerns are re-dated and
re-screened with the packs of the latest run (`policy.rescreen`), printing each status before and after.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer

from secondchance.cli._app import (
    JsonOption,
    StoreOption,
    console,
    data_table,
    escape,
    id_column,
    print_json,
    store_path,
    text_column,
)
from secondchance.errors import UserError

if TYPE_CHECKING:
    from secondchance.policy.supplied import Answer

__all__ = ["decide", "register", "supplied_app", "supply", "withdraw"]

supplied_app = typer.Typer(name="supplied", help="Supplied facts and criterion decisions.", no_args_is_help=True)

ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who records it (default: the login name).", show_default=False),
]


def _who(by: str | None) -> str:
    """The name recorded as having supplied an answer: --by, else the login name."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def _existing_store(store: Path | None) -> Path:
    path = store_path(store)
    if not path.exists():
        raise UserError(f"no records store at {path}; run `secondchance generate` or `secondchance ingest` first")
    return path


def supply(
    person: Annotated[
        str | None, typer.Argument(help="The person's source id (or source:source_id).", show_default=False)
    ] = None,
    assignments: Annotated[
        list[str] | None, typer.Argument(help="FACT=VALUE pairs, e.g. commencement_date=2009-03-14.")
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="The document the values come from.", show_default=False)
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Page or line in the document.", show_default=False)] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the value is supplied.", show_default=False)
    ] = None,
    holds_from: Annotated[
        str | None, typer.Option("--from", help="Date the value holds from (YYYY-MM-DD).", show_default=False)
    ] = None,
    by: ByOption = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A CSV of answers: person, fact, value, from, source, ref, reason, by."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Supply fact values a document shows for a person; they win over the values derived from the records.

    Example: secondchance supply CDCR-1001 commencement_date=2009-03-14 --source "legal status summary" --ref 3
    --reason "custody start on the summary"
    """
    from secondchance.policy.supplied import check_answers, read_answers_csv
    from secondchance.records.store import open_store
    from secondchance.records.supplied import record_facts

    who = _who(by)
    if file is not None:
        if person is not None or assignments:
            raise UserError("give either --file or PERSON FACT=VALUE ..., not both")
        if any(value is not None for value in (source, ref, reason, holds_from)):
            raise UserError("--source, --ref, --reason and --from go with FACT=VALUE; a file gives them on each line")
        answers = read_answers_csv(file, who)
    else:
        answers = _command_line_answers(person, assignments or [], source, ref, reason, holds_from, who)
    with open_store(_existing_store(store)) as connection:
        checked = check_answers(connection, answers)
        ids = record_facts(connection, checked)
        console.print(f"recorded {len(ids)} supplied value{'s' if len(ids) != 1 else ''} (ids {_ids(ids)})")
        _rescreen(connection, {item.person_id for item in checked}, {item.fact for item in checked})


def _command_line_answers(
    person: str | None,
    assignments: list[str],
    source: str | None,
    ref: str | None,
    reason: str | None,
    holds_from: str | None,
    who: str,
) -> list[Answer]:
    from secondchance.policy.supplied import Answer

    if person is None or not assignments:
        raise UserError("say whose values and which: secondchance supply PERSON FACT=VALUE ... (or --file)")
    if not source or not source.strip():
        raise UserError("command line, --source: a value is required (the document the values come from)")
    if not reason or not reason.strip():
        raise UserError("command line, --reason: a value is required (why the value is supplied)")
    answers = []
    for position, text in enumerate(assignments, start=1):
        fact, equals, value = text.partition("=")
        if not equals:
            raise UserError(f"command line, argument {position}: '{text}' is not FACT=VALUE")
        answers.append(
            Answer(person, fact, value, holds_from or "", source, ref or "", reason, who, "command line",
                   position, "argument")
        )  # fmt: skip
    return answers


def _ids(ids: list[int]) -> str:
    """The ids recorded: a range when there are many (one command's ids are consecutive)."""
    if len(ids) > 3 and ids == list(range(ids[0], ids[0] + len(ids))):
        return f"{ids[0]} to {ids[-1]}"
    return ", ".join(str(i) for i in ids)


def decide(
    person: Annotated[str, typer.Argument(help="The person's source id (or source:source_id).")],
    decision: Annotated[str, typer.Argument(help="met or unmet.")],
    pack: Annotated[str, typer.Option("--pack", help="Pack id or file.", show_default=False)],
    criterion: Annotated[str, typer.Option("--criterion", help="Criterion id.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is met or unmet.", show_default=False)],
    source: Annotated[
        str | None, typer.Option("--source", help="The document the decision rests on.", show_default=False)
    ] = None,
    by: ByOption = None,
    store: StoreOption = None,
) -> None:
    """Decide a judgement or proxy criterion of a pack for a person: met or unmet, with the reason.

    Example: secondchance decide CDCR-1001 met --pack us-ca/pir-resentencing --criterion r_13
    --reason "counsel's reading of the abstract of judgment"
    """
    from secondchance.policy.supplied import check_decision
    from secondchance.records.store import open_store
    from secondchance.records.supplied import record_decisions

    with open_store(_existing_store(store)) as connection:
        checked = check_decision(
            connection, person, pack, criterion, decision, reason=reason, source=source, by=_who(by)
        )
        ids = record_decisions(connection, [checked])
        console.print(f"recorded decision {ids[0]}: {escape(criterion)} {decision} for {escape(person)}")
        _rescreen(connection, {checked.person_id}, ())


@supplied_app.command("list")
def list_supplied(
    person: Annotated[
        str | None, typer.Argument(help="Only this person's answers (source id).", show_default=False)
    ] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """List supplied facts and decisions: active, superseded and withdrawn, oldest first.

    Example: secondchance supplied list CDCR-1001 --json
    """
    from secondchance.policy.supplied import resolve_person
    from secondchance.records.store import open_store
    from secondchance.records.supplied import list_layer

    with open_store(_existing_store(store)) as connection:
        person_id = None
        if person is not None:
            person_id, why = resolve_person(connection, person)
            if person_id is None:
                raise UserError(f"command line, person: '{person}' {why}")
        rows = list_layer(connection, person_id)
    if as_json:
        print_json(rows)
        return
    table = data_table(f"Supplied answers ({len(rows)})")
    for header in ("id", "person", "answer"):
        id_column(table, header)
    for header in ("value", "document", "by", "state"):
        text_column(table, header)
    for row in rows:
        document = row["source_document"] or ""
        if row["document_ref"]:
            document += f", {row['document_ref']}"
        value = str(row["value"]) + (f" from {row['holds_from']}" if row["holds_from"] else "")
        table.add_row(
            str(row["id"]), escape(str(row["source_id"])), escape(row["subject"]), escape(value), escape(document),
            escape(row["recorded_by"]), row["state"],
        )  # fmt: skip
    console.print(table)


def withdraw(
    answer_id: Annotated[int, typer.Argument(help="The id of the supplied fact or decision (`supplied list`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it no longer holds.", show_default=False)],
    by: ByOption = None,
    store: StoreOption = None,
) -> None:
    """Withdraw a supplied fact or decision: its row stays as history, and the derived value applies again.

    Example: secondchance withdraw 12 --reason "the summary was for another commitment"
    """
    from secondchance.records.store import open_store
    from secondchance.records.supplied import withdraw as withdraw_answer

    with open_store(_existing_store(store)) as connection:
        withdrawn = withdraw_answer(connection, answer_id, reason, _who(by))
        console.print(f"withdrew answer {answer_id} ({escape(withdrawn.subject)})")
        changed = {withdrawn.subject} if withdrawn.table == "supplied_fact" else set()
        _rescreen(connection, {withdrawn.person_id}, changed)


def _rescreen(connection: duckdb.DuckDBPyConnection, person_ids: Collection[int], facts: Collection[str]) -> None:
    """Re-date and re-screen the people concerned, and print what changed."""
    from secondchance.policy.rescreen import rescreen_people

    try:
        result = rescreen_people(connection, person_ids, facts)
    except UserError as error:
        # The answers are recorded; only the re-run failed (a pack of the latest run is gone, say).
        raise UserError(f"the answers are recorded, but re-screening stopped: {error}") from None
    if result.redated:
        for source_id, before in result.review_before.items():
            after = result.review_after.get(source_id, [])
            if before != after:
                was, now = ", ".join(before) or "none", ", ".join(after) or "none"
                console.print(f"re-dated {escape(source_id)}: review {escape(was)} -> {escape(now)}")
    if result.run_id is None:
        console.print("no screening run in the store yet: `secondchance screen` will use these answers")
        return
    table = data_table(f"Re-screened as of {result.as_of} (run {result.run_id})")
    for header in ("person", "pack"):
        id_column(table, header)
    for header in ("before", "after"):
        text_column(table, header)
    # Outside the pack's population before and after: nothing to say.
    shown = [change for change in result.changes if change.before is not None or change.after is not None]
    unchanged = sum(not change.changed for change in shown)
    listed_all = len(shown) <= _MAX_ROWS
    if not listed_all:
        shown = [change for change in shown if change.changed]  # a big file: the changes, and a count
    for change in shown:
        mark = "" if change.changed else " (unchanged)"
        table.add_row(
            escape(change.source_id), escape(change.pack_id), change.before or "not screened",
            f"{change.after or 'not in population'}{mark}",
        )  # fmt: skip
    console.print(table)
    if not listed_all and unchanged:
        console.print(f"{unchanged:,} results unchanged (not listed)")


# Rows of the change table before only the changes are listed.
_MAX_ROWS = 30


def register(app: typer.Typer) -> None:
    """Add `supply`, `decide`, `supplied` and `withdraw` to the application."""
    app.command()(supply)
    app.command()(decide)
    app.add_typer(supplied_app)
    app.command()(withdraw)
