"""A volunteer's answers on the CDCR cohort, through the command line (issue 10's walk-through).

Ten people get a custody start and a commencement date from a CSV (test values: the latest offence date plus
180 days, standing in for a legal status summary), two get a reviewer's decision on a proxy criterion; those
people are re-dated and re-screened, their explanations cite the document, and `path` names what stays open.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dateutil.relativedelta import relativedelta
from tests.records.adapters.conftest import dataset_folder

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

SCREEN_RAN = "2024-11-08"  # the day Redo.io's screen computed time served (docs/adapters.md)
DOCUMENT = "legal status summary (test value)"
PRISON_PRIOR = "us-ca/prison-prior-resentencing"
folder = functools.partial(dataset_folder, "cdcr")


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "secondchance", *arguments], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cdcr-supplied") / "records.duckdb"
    _run("ingest", "--store", str(path), "--adapter", "cdcr", str(folder()))
    _run("dates", "compute", "--as-of", SCREEN_RAN, "--store", str(path))
    _run("screen", "--all", "--as-of", SCREEN_RAN, "--store", str(path))
    return path


def _query(store: Path, sql: str, parameters: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(sql, parameters).fetchall()


def _ten_people(store: Path) -> dict[str, date]:
    """Ten people with one current sentence, each with a custody start 180 days after their latest offence."""
    rows = _query(
        store,
        "SELECT p.source_id, max(c.offense_date) FROM person p "
        "JOIN sentence s ON s.person_id = p.id AND s.status = 'active' JOIN charge c ON c.sentence_id = s.id "
        "GROUP BY ALL HAVING count(DISTINCT s.id) = 1 AND max(c.offense_date) IS NOT NULL ORDER BY 1 LIMIT 10",
    )
    return {str(person): offense + timedelta(days=180) for person, offense in rows}  # type: ignore[operator]


def _answers(path: Path, starts: dict[str, date]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person", "fact", "value", "from", "source", "ref", "reason", "by"])
        for person, start in starts.items():
            for fact in ("commencement_date", "served_from_date"):
                writer.writerow([person, fact, start.isoformat(), "", DOCUMENT, "1", "custody start", "volunteer"])
    return path


def _latest_status(store: Path, pack: str, person: str) -> str:
    rows = _query(
        store,
        "SELECT r.status FROM screening_result r JOIN person p ON p.id = r.person_id "
        "WHERE r.pack_id = ? AND p.source_id = ? AND r.run_id = (SELECT max(run_id) FROM screening_run)",
        [pack, person],
    )
    return str(rows[0][0])


def test_custody_starts_from_a_file_re_date_and_cite_their_document(store: Path, tmp_path: Path) -> None:
    starts = _ten_people(store)
    assert len(starts) == 10
    people = list(starts)
    in_review = _query(
        store,
        "SELECT DISTINCT p.source_id FROM computed_dates d JOIN person p ON p.id = d.person_id "
        "WHERE d.review_reason = 'MISSING_COMMENCEMENT_DATE'",
    )
    assert set(people) <= {str(row[0]) for row in in_review}
    supplied = _run("supply", "--file", str(_answers(tmp_path / "answers.csv", starts)), "--store", str(store))
    assert "recorded 20 supplied values" in supplied.stdout
    for person in people:
        assert f"re-dated {person}: review MISSING_COMMENCEMENT_DATE -> none" in supplied.stdout
    dated = _query(
        store,
        "SELECT p.source_id, d.commencement_date, d.review_reason, d.full_term_date, d.parole_eligibility_date, "
        "s.term_months FROM computed_dates d "
        "JOIN person p ON p.id = d.person_id JOIN sentence s ON s.id = d.sentence_id AND s.status = 'active' "
        "WHERE p.source_id IN (SELECT unnest(?))",
        [people],
    )
    assert {str(row[0]): row[1] for row in dated} == starts
    assert all(row[2] is None and (row[3] or row[4]) is not None for row in dated)
    # A determinate term ends the day before the anniversary of its start (docs/sentencing-conventions.md).
    for _, start, _, full_term, _, months in dated:
        if months is not None:
            assert full_term == start + relativedelta(months=months) - timedelta(days=1)  # type: ignore[operator]
    # r_3 now counts from the custody start: 10 years after it (served_from_date + to_years(10)).
    first = people[0]
    explained = _run("explain", first, "--pack", "us-ca/pir-cohort", "--as-of", SCREEN_RAN, "--store", str(store))
    text = " ".join(re.sub("[│├└─]", " ", explained.stdout).split())  # the tree's lines, unwrapped
    assert f"supplied by volunteer from {DOCUMENT}" in text
    ten_years = starts[first].replace(year=starts[first].year + 10)
    assert f"Met on {ten_years.day} {ten_years:%B %Y}." in text


def test_decisions_settle_a_proxy_and_path_names_what_stays_open(store: Path) -> None:
    # Everyone needing information under § 1172.75 needs it for the sexually violent exception alone
    # (the pack's other criteria are met or unmet for them), so a reviewer's "met" makes them eligible.
    waiting = _query(
        store,
        "SELECT p.source_id FROM screening_result r JOIN person p ON p.id = r.person_id WHERE r.pack_id = ? "
        "AND r.status = 'needs-information' AND r.run_id = (SELECT max(run_id) FROM screening_run) ORDER BY 1",
        [PRISON_PRIOR],
    )
    assert len(waiting) >= 3
    decided = [str(row[0]) for row in waiting[:2]]
    for person in decided:
        _run(
            "decide", person, "met", "--pack", PRISON_PRIOR, "--criterion", "not-sexually-violent",
            "--reason", "the prior conviction's record shows no force", "--source", "record of prior conviction",
            "--by", "reviewer", "--store", str(store),
        )  # fmt: skip
        assert _latest_status(store, PRISON_PRIOR, person) == "eligible"
    blocking = json.loads(_run("path", "--blocking", "--pack", PRISON_PRIOR, "--json", "--store", str(store)).stdout)
    exception = next(row for row in blocking if row["criterion"] == "not-sexually-violent")
    assert (exception["among"], exception["only"]) == (len(waiting) - 2, len(waiting) - 2)
    assert exception["document"] == "record of the prior conviction"
    answer = json.loads(
        _run("path", str(waiting[2][0]), "--pack", PRISON_PRIOR, "--json", "--store", str(store)).stdout
    )
    assert answer[0]["answer"] == "eligible if not-sexually-violent is confirmed"
