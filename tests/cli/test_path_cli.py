"""`secondchance path`: one person's path, the nearest to eligible, and what blocks the most people.

The store and packs are those of tests/policy/test_path.py, screened as of 1 June 2025; the answers are
worked by hand there (ten years served from 1 Mar 2016 is reached on 1 Mar 2026).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from tests.cli.conftest import run_cli
from tests.policy.test_path import AS_OF, screened_store

from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.records.store import open_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return screened_store(tmp_path_factory.mktemp("path-cli"))


def test_one_person_one_pack_prints_the_answer_first(store: tuple[Path, Path, Path]) -> None:
    outcome = run_cli("path", "P-DATE-UNKNOWN", "--pack", store[1], "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    lines = [line for line in outcome.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("test/path-rules (as of 2025-06-01, run 1)")
    assert lines[1].strip() == "eligible on 2030-01-01 if no-violent-offense is confirmed"
    # The table wraps its cells at 80 columns: the document and its holder are there, word by word.
    assert {"judgment", "(clerk", "sentencing", "court)"} <= set(outcome.stdout.split())


def test_without_a_pack_every_pack_of_the_latest_run(store: tuple[Path, Path, Path]) -> None:
    outcome = run_cli("path", "P-DATE", "--json", "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)
    assert [(row["pack"], row["answer"]) for row in rows] == [
        ("test/path-rules", "eligible on 2026-03-01"),
        ("test/path-judgement", "eligible on 2026-03-01 if a-medical and not-a-danger are confirmed"),
    ]
    judgement = rows[1]["steps"]
    assert [(step["category"], step["criterion"], step["role"]) for step in judgement] == [
        ("time", "served-10-years", None),
        ("document", "a-medical", None),
        ("role", "not-a-danger", "court"),
    ]


def test_not_eligible_names_the_criterion(store: tuple[Path, Path, Path]) -> None:
    outcome = run_cli("path", "P-NO", "--pack", store[1], "--json", "--store", store[0])
    assert (
        json.loads(outcome.stdout)[0]["answer"]
        == 'not eligible under this pack: no-violent-offense is not met ("Your current offence is not violent")'
    )


def test_nearest_lists_people_in_order(store: tuple[Path, Path, Path]) -> None:
    outcome = run_cli("path", "--pack", store[1], "--nearest", "--limit", "3", "--json", "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    rows = json.loads(outcome.stdout)["test/path-rules"]
    assert [(row["person_id"], row["open_items"], row["eligible_on"]) for row in rows] == [
        ("P-NOW", 0, None),
        ("P-UNKNOWN", 1, None),
        ("P-DATE", 1, "2026-03-01"),
    ]
    table = run_cli("path", "--pack", store[1], "--nearest", "--store", store[0])
    assert table.code == 0
    assert table.stdout.index("P-NOW") < table.stdout.index("P-UNKNOWN") < table.stdout.index("P-NO ")


def test_blocking_names_the_document(store: tuple[Path, Path, Path]) -> None:
    outcome = run_cli("path", "--blocking", "--pack", store[1], "--json", "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    first = json.loads(outcome.stdout)[0]
    assert (first["criterion"], first["among"], first["only"], first["document"]) == (
        "no-violent-offense",
        3,
        2,
        "judgment",
    )
    table = run_cli("path", "--blocking", "--pack", store[1], "--store", store[0])
    assert "no-violent-offense" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a person's source id, or --nearest or --blocking"),
        (("P-NOW", "--nearest"), "leave out the person"),
        (("--nearest", "--blocking"), "give one"),
        (("P-NOW", "--limit", "3"), "--limit is for --nearest"),
        (("--nearest", "--limit", "0"), "--limit 0 cannot be less than 1"),
        (("NOBODY",), "no person with source id 'NOBODY'"),
        (("P-NOW", "--as-of", "2025-13-01"), "--as-of '2025-13-01' is not a date"),
    ],
)
def test_mistakes_are_one_line_and_exit_1(store: tuple[Path, Path, Path], args: tuple[str, ...], message: str) -> None:
    outcome = run_cli("path", *args, "--store", store[0])
    assert outcome.code == 1
    assert len(outcome.error_lines) == 1
    assert message in outcome.error_lines[0]


def test_nearest_without_a_run_of_that_pack_says_to_screen(tmp_path: Path, store: tuple[Path, Path, Path]) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(store[1].read_text(encoding="utf-8").replace("test/path-rules", "test/unscreened"), "utf-8")
    outcome = run_cli("path", "--nearest", "--pack", other, "--store", store[0])
    assert outcome.code == 1
    assert "run `secondchance screen --pack test/unscreened` first" in outcome.error_lines[0]


@pytest.mark.realdata
def test_the_cdcr_cohort_agrees_with_its_screen(tmp_path: Path) -> None:
    from tests.conftest import shared_dataset

    folder = shared_dataset("cdcr_redoio")
    store = tmp_path / "cdcr.duckdb"
    for args in (
        ("ingest", "--adapter", "cdcr", folder),
        ("dates", "compute"),
        ("screen", "--pack", "us-ca/pir-resentencing", "--as-of", "2024-11-08"),
    ):
        assert run_cli(*args, "--store", store).code == 0
    outcome = run_cli(
        "path", "--nearest", "--pack", "us-ca/pir-resentencing", "--limit", "100000", "--json", "--store", store
    )
    rows = json.loads(outcome.stdout)["us-ca/pir-resentencing"]
    assert len(rows) == 551  # every person of the cohort is in the screen's population
    by_status: dict[str, set[str]] = {}
    for row in rows:
        by_status.setdefault(row["status"], set()).add(row["outcome"])
    # Eligible is "eligible now"; needing information is never "not eligible"; ineligible never "eligible now".
    assert by_status.get("eligible", {"eligible-now"}) == {"eligible-now"}
    assert by_status.get("needs-information", set()) <= {"eligible-if"}
    assert "eligible-now" not in by_status.get("ineligible", set())


# ---------------------------------------------------------------------------- --format xlsx

STEP_HEADER = [
    "person id",
    "status",
    "answer",
    "open steps",
    "eligible on (last wait)",
    "step",
    "criterion",
    "what it asks",
    "settled by",
    "document",
    "holder of the document",
    "who decides",
    "step met on",
]


def _rows(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_one_person_as_a_workbook_has_a_row_per_step(tmp_path: Path, store: tuple[Path, Path, Path]) -> None:
    out = tmp_path / "path.xlsx"
    outcome = run_cli(
        "path", "P-DATE-UNKNOWN", "--pack", store[1], "--format", "xlsx", "--out", out, "--store", store[0]
    )
    assert outcome.code == 0, outcome.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["test_path-rules"]  # "/" cannot be in a sheet name
    sheet = book["test_path-rules"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M4"
    rows = _rows(sheet)
    assert rows[0] == STEP_HEADER
    # Served from 1 Mar 2016: ten years on 1 Mar 2026; born 1 Jan 1965: 65 on 1 Jan 2030 (the later, so the
    # person's date); the offence category is unknown and the pack's reason names the judgment. No almost_within
    # in the pack, so an unmet criterion makes the status ineligible (docs/packs.md).
    answer = "eligible on 2030-01-01 if no-violent-offense is confirmed"
    person = ["P-DATE-UNKNOWN", "ineligible", answer, 3, datetime(2030, 1, 1)]
    assert rows[1] == [*person, "wait", "served-10-years", "You have served at least 10 years.", "on 2026-03-01"] + [
        None,
        None,
        None,
        datetime(2026, 3, 1),
    ]
    assert [row[6] for row in rows[1:]] == ["served-10-years", "age-65", "no-violent-offense"]
    assert rows[3][5:12] == [
        "document",
        "no-violent-offense",
        "Your current offence is not violent.",
        "judgment (clerk of the sentencing court)",
        "judgment",
        "clerk of the sentencing court",
        None,
    ]


def test_nearest_as_a_workbook_has_a_sheet_per_pack(tmp_path: Path, store: tuple[Path, Path, Path]) -> None:
    out = tmp_path / "nearest.xlsx"
    outcome = run_cli("path", "--nearest", "--limit", "3", "--format", "xlsx", "--out", out, "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["test_path-rules", "test_path-judgement"]  # the latest run's packs, in order
    rules = _rows(book["test_path-rules"])
    assert rules[0] == STEP_HEADER and book["test_path-judgement"].freeze_panes == "A2"
    # The order of `--nearest`; P-NOW has nothing open: one row, the answer, no step.
    assert [row[0] for row in rules[1:]] == ["P-NOW", "P-UNKNOWN", "P-DATE"]
    assert rules[1] == ["P-NOW", "eligible", "eligible now", 0] + [None] * 9
    # The judgement pack: a-medical (a document) and the court's decision, one row each.
    judgement = _rows(book["test_path-judgement"])
    assert [(row[0], row[5], row[6], row[11]) for row in judgement[1:3]] == [
        ("P-NOW", "document", "a-medical", None),
        ("P-NOW", "decision", "not-a-danger", "court"),
    ]


def test_blocking_as_a_workbook(tmp_path: Path, store: tuple[Path, Path, Path]) -> None:
    out = tmp_path / "blocking.xlsx"
    outcome = run_cli("path", "--blocking", "--pack", store[1], "--format", "xlsx", "--out", out, "--store", store[0])
    assert outcome.code == 0, outcome.stderr
    sheet = load_workbook(out)["test_path-rules"]
    assert sheet.freeze_panes == "A2"
    rows = _rows(sheet)
    assert rows[0] == [
        "criterion",
        "what it asks",
        "step",
        "people for whom it is one thing to confirm",
        "people for whom it is the only thing to confirm",
        "settled by",
        "document",
        "holder of the document",
        "who decides",
    ]
    # The offence is unknown for P-UNKNOWN, P-DATE-UNKNOWN and P-TWO; only P-TWO has another thing to confirm.
    assert rows[1][:5] == ["no-violent-offense", "Your current offence is not violent.", "document", 3, 2]


def test_a_criterion_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    store, rules, _ = screened_store(tmp_path)
    formula = '=HYPERLINK("http://example.com","x")'
    hostile = tmp_path / "formula.yaml"
    text = rules.read_text(encoding="utf-8").replace("test/path-rules", "test/formula")
    hostile.write_text(text.replace("Your current offence is not violent.", json.dumps(formula)), encoding="utf-8")
    with open_store(store) as connection:
        screen(connection, [load_pack(hostile)], as_of=AS_OF, facts="hand_facts")
    out = tmp_path / "formula.xlsx"
    outcome = run_cli("path", "P-UNKNOWN", "--pack", hostile, "--format", "xlsx", "--out", out, "--store", store)
    assert outcome.code == 0, outcome.stderr
    cell = load_workbook(out)["test_formula"]["H2"]  # "what it asks" of the one step, the unknown offence
    assert (cell.value, cell.data_type, cell.quotePrefix) == (formula, "s", True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xlsx"), "--format xlsx needs --out PATH"),
        (("--out", "{tmp}/x.xlsx"), "--out is for --format xlsx"),
        (("--format", "csv", "--out", "{tmp}/x.csv"), "--format 'csv': use table or xlsx"),
        (("--json", "--format", "xlsx", "--out", "{tmp}/x.xlsx"), "--json and --format xlsx are two outputs"),
        (("--format", "xlsx", "--out", "{tmp}"), "is a folder"),
    ],
)
def test_output_mistakes_are_one_line(
    tmp_path: Path, store: tuple[Path, Path, Path], args: tuple[str, ...], message: str
) -> None:
    words = [word.replace("{tmp}", str(tmp_path)) for word in args]
    outcome = run_cli("path", "P-NOW", *words, "--store", store[0])
    assert outcome.code == 1
    assert len(outcome.error_lines) == 1
    assert message in outcome.error_lines[0]
    assert list(tmp_path.iterdir()) == []  # refused before anything is written
