"""`secondchance pack check`, `pack list` and `screen`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook
from tests.policy.facts.test_query import declare_complete, person, row, sentence
from typer.testing import CliRunner

from secondchance.cli import app
from secondchance.errors import UserError
from secondchance.policy.letters import format_value
from secondchance.records.store import open_store

FIXTURES = Path(__file__).parents[1] / "policy" / "fixtures"
PACK = FIXTURES / "demo-clemency.yaml"


def invoke(*args: str | Path) -> tuple[int, str]:
    """Run the command in-process as `main` does: a UserError is exit code 1 and its message."""
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    if isinstance(result.exception, UserError):
        return 1, str(result.exception)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


# People of a hand-built store, screened against the fixture pack as of 1 Jun 2015 (ten years served
# then, 18 U.S.C. § 3585(a): the commencement day is day 1; a year is 365 days): (source id, source,
# system, commencement). src-a declares its records complete, src-b declares nothing.
SCREEN_AS_OF = "2015-06-01"
PEOPLE = [
    # 3,531 days served, under 3,650; ten years on 1 Oct 2015, 122 days away: almost eligible.
    ("A1", "src-a", "federal", date(2005, 10, 1)),
    # 3,804 days served: met; src-b's incidents and priors are unknown: needs information.
    ("A2", "src-b", "federal", date(2005, 1, 1)),
    # Ten years on 1 Jan 2020, beyond the 180-day window: ineligible.
    ("A3", "src-a", "federal", date(2010, 1, 1)),
    # A Missouri sentence: outside the population (system = 'federal').
    ("A4", "src-a", "us-mo", date(2001, 1, 1)),
]


def build_store(path: Path, people: list[tuple[str, str, str, date]]) -> Path:
    """A records store of people each serving one sentence in custody since its commencement."""
    with open_store(path) as connection:
        declare_complete(connection, "src-a")
        for number, (source_id, source, system, commenced) in enumerate(people, start=1):
            person(connection, number, source_id, source=source, jurisdiction=system)
            sentence(
                connection,
                number,
                number,
                source=source,
                system=system,
                sentence_type="determinate",
                imposed_date=commenced,
                commencement_date=commenced,
                term_months=240,
                jail_credit_days=0,
            )
            row(connection, "custody_period", number, number, source=source, start_date=commenced)
    return path


@pytest.fixture
def store_with_people(tmp_path: Path) -> Path:
    return build_store(tmp_path / "records.duckdb", PEOPLE)


def test_pack_check_ok() -> None:
    code, output = invoke("pack", "check", PACK)
    assert (code, output.strip()) == (0, f"{PACK}: ok")


def test_pack_check_reports_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "clemency.yaml"
    text = PACK.read_text(encoding="utf-8")
    bad.write_text(
        text.replace("test: served_days", "test: serverd_days").replace("source: doj-2014\n", "source: doj-2041\n", 1)
    )
    code, output = invoke("pack", "check", bad)
    assert code == 1
    assert output.splitlines() == [
        f"{bad}, line 22, criterion served-10-years, test: unknown fact 'serverd_days'; "
        "did you mean 'served_days', 'served_years' or 'served_from_date'?",
        f"{bad}, line 25, criterion served-10-years, source: unknown source 'doj-2041'; did you mean 'doj-2014'?",
        "error: 1 of 1 pack(s) have problems",
    ]


def test_pack_check_of_a_missing_file() -> None:
    assert invoke("pack", "check", "no/such/pack.yaml") == (1, "no pack file at no/such/pack.yaml")


def test_pack_check_of_an_unknown_id_suggests_close_ids() -> None:
    code, message = invoke("pack", "check", "us-federal/clemency-2041")
    assert code == 1
    assert message == "no pack with id 'us-federal/clemency-2041'; did you mean us-federal/clemency-2014?"


def test_pack_list_shows_the_shipped_packs() -> None:
    code, output = invoke("pack", "list", "--json")
    assert code == 0
    assert '"id": "us-federal/clemency-2014"' in output
    assert "later-statutory-changes" not in output  # a data table beside a pack, not a pack


def test_screen_csv(store_with_people: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    code, _ = invoke(
        "screen", "--pack", PACK, "--as-of", SCREEN_AS_OF, "--store", store_with_people, "--format", "csv", "--out", out
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["source_id"], row["status"], row["eligible_on"]) for row in rows] == [
        ("A1", "almost-eligible", "2015-10-01"),
        ("A2", "needs-information", ""),
        ("A3", "ineligible", "2020-01-01"),
    ]
    assert rows[0]["crit:served-10-years"] == "unmet"


def test_screen_table_prints_counts_and_the_almost_eligible(store_with_people: Path) -> None:
    code, output = invoke("screen", "--pack", PACK, "--as-of", SCREEN_AS_OF, "--store", store_with_people)
    assert code == 0
    assert "Screening run 1 as of 2015-06-01 (4 people)" in output
    assert "2015-10-01" in output and "A1" in output
    flat = " ".join(output.split())
    # One person id, the one `explain` takes, and the words of the columns under the tables.
    assert "source id" not in output and " person " in flat
    assert "person: the id to give `secondchance explain PERSON --pack PACK`" in flat
    assert "unmet now: the ids of the pack's criteria not met yet" in flat
    assert "outside: not in the pack's population" in flat


def test_screen_as_of_defaults_to_today(store_with_people: Path) -> None:
    code, output = invoke("screen", "--pack", PACK, "--store", store_with_people)
    assert code == 0
    assert f"as of {date.today().isoformat()}" in output
    with duckdb.connect(str(store_with_people), read_only=True) as connection:
        recorded = connection.execute("SELECT as_of FROM screening_run").fetchall()
    assert recorded == [(date.today(),)]


def test_explain_and_facts_show_default_to_today(store_with_people: Path) -> None:
    code, output = invoke("explain", "A1", "--pack", PACK, "--store", store_with_people)
    assert code == 0, output
    assert f"Person A1, as of {format_value(date.today(), 'en')} (screened now)" in output
    code, output = invoke("facts", "show", "A1", "--store", store_with_people)
    assert code == 0, output
    assert f"Facts of A1 as of {date.today().isoformat()}" in output


def test_screen_xlsx_has_a_sheet_per_pack_and_a_key(store_with_people: Path, tmp_path: Path) -> None:
    out = tmp_path / "screen.xlsx"
    shipped = "us-federal/clemency-2014"
    code, output = invoke(
        "screen", "--pack", PACK, "--pack", shipped, "--as-of", SCREEN_AS_OF, "--store", store_with_people,
        "--format", "xlsx", "--out", out,
    )  # fmt: skip
    assert code == 0, output
    book = load_workbook(out)
    assert book.sheetnames == ["test_demo-clemency", "us-federal_clemency-2014", "key"]
    sheet = book["test_demo-clemency"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:H4"
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "person", "status", "eligible_on", "unmet", "unknown",
        "crit:served-10-years", "crit:no-violence-history", "crit:good-conduct",
    ]  # fmt: skip
    first = [cell.value for cell in sheet[2]]
    assert first[:4] == ["A1", "almost-eligible", datetime(2015, 10, 1), 1]
    key = {(row[0], row[1]): row[3] for row in book["key"].iter_rows(min_row=2, values_only=True)}
    # The criterion's words with the parameter in force on 1 Jun 2015 (10 years, DOJ 2014).
    assert key[("test/demo-clemency", "crit:served-10-years")] == "Has served at least 10 years of the prison sentence."
    assert "explain" in key[("every pack", "person")]


def test_screen_xlsx_needs_an_out_path(store_with_people: Path) -> None:
    assert invoke("screen", "--pack", PACK, "--format", "xlsx", "--store", store_with_people) == (
        1,
        "--format xlsx needs --out PATH",
    )


def test_screen_has_no_facts_option(store_with_people: Path, tmp_path: Path) -> None:
    # Facts come from the store (and the supplied-facts layer), never from a file beside it.
    code, output = invoke("screen", "--pack", PACK, "--facts", tmp_path / "facts.csv", "--store", store_with_people)
    assert code == 2 and "No such option: --facts" in output


def test_screen_refuses_bad_requests(store_with_people: Path) -> None:
    store = store_with_people
    assert invoke("screen", "--store", store) == (1, "say which packs: --pack ID (repeatable) or --all")
    assert invoke("screen", "--pack", PACK, "--as-of", "June", "--store", store) == (
        1,
        "--as-of 'June' is not a date like YYYY-MM-DD",
    )
    assert invoke("screen", "--pack", PACK, "--format", "parquet", "--store", store) == (
        1,
        "--format parquet needs --out PATH",
    )
    assert invoke("screen", "--pack", PACK, "--engine", "oracle", "--store", store) == (
        1,
        "--engine 'oracle': available engines are duckdb, spark",
    )


@pytest.mark.slow
def test_a_bad_pack_exits_1_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(PACK.read_text(encoding="utf-8").replace("kind: proxy", "kind: maybe"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "secondchance", "pack", "check", str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"{bad}, line 29, criterion no-violence-history, kind: `kind` must be rule, proxy or judgement" in result.stdout
    )
