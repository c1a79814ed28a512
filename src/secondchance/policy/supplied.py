"""Checking supplied facts and criterion decisions before they are recorded (`records.supplied` keeps them).

A supplied value must name a fact of the catalogue (`policy.facts.catalogue.FACTS`), parse as that fact's
type, and, where the fact is a records column (`records.schema`), fit that column's range, enumeration or
pattern, as ingest checks it. A decision must name a judgement or proxy criterion of a known pack.
Every refusal is one line naming the file (or the command line), the line, the field and the reason, in
ingest's format (`records.problems`), and nothing is recorded unless every item passes.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from secondchance.errors import UserError
from secondchance.policy.facts.catalogue import FACTS, Fact
from secondchance.policy.status import DECIDABLE_KINDS
from secondchance.records.problems import IngestError, Problem
from secondchance.records.supplied import (
    DECISIONS,
    NewDecision,
    NewSuppliedFact,
    parse_value,
    range_problem,
    records_column,
)

__all__ = [
    "ANSWER_COLUMNS",
    "Answer",
    "check_answers",
    "check_decision",
    "read_answers_csv",
    "resolve_person",
]

# The columns of an answers file, `supplied --file` (docs/supplied.md).
ANSWER_COLUMNS = ("person", "fact", "value", "from", "source", "ref", "reason", "by")
_REQUIRED = ("person", "fact", "value", "source", "reason")


@dataclass(frozen=True)
class Answer:
    """One supplied value as given, with where it was given (a file and line, or the command line)."""

    person: str
    fact: str
    value: str
    holds_from: str
    source: str
    ref: str
    reason: str
    by: str
    file: str
    line: int | None
    line_word: str = "line"


def resolve_person(connection: duckdb.DuckDBPyConnection, reference: str) -> tuple[int | None, str]:
    """The internal id of the person with this source id (or `source:source_id`), else None and why."""
    rows = connection.execute("SELECT id FROM person WHERE source_id = ? ORDER BY source, id", [reference]).fetchall()
    if not rows and ":" in reference:
        source, source_id = reference.split(":", 1)
        rows = connection.execute(
            "SELECT id FROM person WHERE source = ? AND source_id = ? ORDER BY id", [source, source_id]
        ).fetchall()
    if not rows:
        return None, "is no person's source id in the records store"
    if len(rows) > 1:
        return None, f"is the source id of {len(rows)} people; write source:source_id"
    return int(rows[0][0]), ""


def _fact(name: str) -> tuple[Fact | None, str]:
    by_name = {item.name: item for item in FACTS}
    if name in by_name:
        return by_name[name], ""
    close = difflib.get_close_matches(name, list(by_name), n=3, cutoff=0.7)
    hint = f"; did you mean {', '.join(close)}?" if close else " (`secondchance facts list` shows them)"
    return None, f"is not a fact of the catalogue{hint}"


def _check_one(
    connection: duckdb.DuckDBPyConnection, answer: Answer, today: dt.date
) -> tuple[NewSuppliedFact | None, list[Problem]]:
    """The checked value of one answer, or the problems that refuse it."""

    def problem(column: str, value: str | None, reason: str) -> Problem:
        return Problem(answer.file, answer.line, column, value, reason, answer.line_word)

    problems = [
        problem(name, None, "a value is required") for name in _REQUIRED if not str(getattr(answer, name)).strip()
    ]
    if problems:
        return None, problems
    person_id, why = resolve_person(connection, answer.person.strip())
    if person_id is None:
        problems.append(problem("person", answer.person, why))
    fact, why = _fact(answer.fact.strip())
    if fact is None:
        return None, [*problems, problem("fact", answer.fact, why)]
    typed, why_not = parse_value(fact.type, answer.value)
    column = records_column(fact.reads.split(","), fact.name)
    if why_not is None and column is not None:
        why_not = range_problem(column, typed, today)
    if why_not is not None:
        problems.append(problem("value", answer.value, f"{why_not} ({fact.name} is of type {fact.type})"))
    holds_from, why_not = parse_value("date", answer.holds_from) if answer.holds_from.strip() else (None, None)
    if why_not is not None:
        problems.append(problem("from", answer.holds_from, why_not))
    if problems or person_id is None:
        return None, problems
    return NewSuppliedFact(
        person_id=person_id,
        fact=fact.name,
        kind=fact.type,
        value=answer.value.strip(),
        typed=typed,
        holds_from=holds_from,
        source_document=answer.source.strip(),
        document_ref=answer.ref.strip() or None,
        reason=answer.reason.strip(),
        recorded_by=answer.by.strip(),
    ), []


def check_answers(
    connection: duckdb.DuckDBPyConnection, answers: Sequence[Answer], today: dt.date | None = None
) -> list[NewSuppliedFact]:
    """Every answer checked, ready to record; IngestError listing every problem when any is refused."""
    checked: list[NewSuppliedFact] = []
    problems: list[Problem] = []
    first: dict[tuple[int, str], Answer] = {}
    for answer in answers:
        item, found = _check_one(connection, answer, today or dt.date.today())
        problems += found
        if item is None:
            continue
        earlier = first.setdefault((item.person_id, item.fact), answer)
        if earlier is not answer:
            # Two values for one person and fact in one command: which holds would depend on their order.
            where = f"{earlier.line_word} {earlier.line}"
            reason = f"gives {item.fact} for this person again (also on {where}); give one value"
            problems.append(Problem(answer.file, answer.line, "fact", answer.fact, reason, answer.line_word))
        checked.append(item)
    if len(problems) == 1:
        raise UserError(f"{problems[0].message()}; nothing was recorded")
    if problems:
        count = len(problems)
        raise IngestError(problems, f"refused: {count} problem{'s' if count != 1 else ''} found, nothing was recorded")
    if not checked:
        raise UserError("nothing to supply: give FACT=VALUE pairs or a file with answers")
    return checked


def read_answers_csv(path: Path, default_by: str) -> list[Answer]:
    """The answers of a CSV file with the columns of `ANSWER_COLUMNS` (header on line 1)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in _REQUIRED if name not in header]
            unknown = [name for name in header if name not in ANSWER_COLUMNS]
            if missing or unknown:
                columns = ", ".join(ANSWER_COLUMNS)
                raise UserError(
                    f"{path.name}, line 1: the header lacks {', '.join(missing) or 'nothing'} and has "
                    f"{', '.join(unknown) or 'nothing else'}; an answers file has the columns {columns}"
                )
            return [_answer(path.name, reader.line_num, row, default_by) for row in reader]
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    except csv.Error as error:
        raise UserError(f"{path.name}, line {reader.line_num}: not a CSV file of answers ({error})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text") from None


def _answer(file: str, line: int, row: dict[str, str | None], default_by: str) -> Answer:
    def field(name: str) -> str:
        return (row.get(name) or "").strip()

    return Answer(
        field("person"), field("fact"), field("value"), field("from"), field("source"), field("ref"),
        field("reason"), field("by") or default_by, file, line,
    )  # fmt: skip


def check_decision(
    connection: duckdb.DuckDBPyConnection,
    person: str,
    pack_reference: str,
    criterion_id: str,
    decision: str,
    *,
    reason: str,
    source: str | None,
    by: str,
) -> NewDecision:
    """A decision checked: a known person, pack and judgement or proxy criterion, met or unmet, a reason."""
    from secondchance.policy.checks import load_pack
    from secondchance.policy.pack import find_pack

    if decision not in DECISIONS:
        raise UserError(f"command line, decision: {decision!r} is not one of: {', '.join(DECISIONS)}")
    if not reason.strip():
        raise UserError("command line, --reason: a value is required (say why the criterion is met or unmet)")
    person_id, why = resolve_person(connection, person)
    if person_id is None:
        raise UserError(f"command line, person: '{person}' {why}")
    compiled = load_pack(find_pack(pack_reference))
    nodes = {node.id: node for node in compiled.all_criteria()}
    node = nodes.get(criterion_id)
    if node is None:
        close = difflib.get_close_matches(criterion_id, list(nodes), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; its criteria: {', '.join(nodes)}"
        raise UserError(f"command line, --criterion: '{criterion_id}' is not a criterion of {compiled.pack.id}{hint}")
    if node.kind not in DECIDABLE_KINDS:
        raise UserError(
            f"command line, --criterion: '{criterion_id}' is a {node.kind} criterion of {compiled.pack.id}; only "
            "judgement and proxy criteria are decided (supply the facts its test reads instead)"
        )
    return NewDecision(person_id, compiled.pack.id, criterion_id, decision, reason.strip(), source, by)
