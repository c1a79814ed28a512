"""The path to eligibility: a hand-built store screened against small packs written here, and a real pack.

Every answer is worked by hand from the pack's criteria and the person's facts, as of 1 June 2025:
ten years served from 1 Mar 2016 is reached on 1 Mar 2026; a person born on 1 Jan 1965 is 65 on
1 Jan 2030. Under 18 U.S.C. § 3582(c)(1)(A) a motion may be filed 30 days after the warden receives
the request (1 Nov 2026 + 30 days = 1 Dec 2026).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from secondchance.policy.checks import load_pack
from secondchance.policy.engine import screen
from secondchance.policy.explain import find_person
from secondchance.policy.facts import FACTS
from secondchance.policy.path import (
    Blocker,
    PackPath,
    blocker_order,
    blocking,
    nearest,
    person_paths,
    population_paths,
)
from secondchance.policy.path_settlers import documents_named, role_named
from secondchance.records.schema import DUCKDB_TYPES
from secondchance.records.store import open_store

AS_OF = date(2025, 6, 1)

_SERVED = """\
  - id: served-10-years
    text: You have served at least {min_years} years.
    test: ":as_of >= served_from_date + to_years(:min_years)"
    eligible_on: served_from_date + to_years(:min_years)
    kind: rule
    source: s
    unknown_reason: The start of your sentence is not recorded. The Bureau of Prisons sentence computation shows it.
"""
_RULES = (
    _SERVED
    + """\
  - id: no-violent-offense
    text: Your current offence is not violent.
    test: NOT has_violent_current_offense
    kind: rule
    source: s
    unknown_reason: The offence category is missing. The judgment shows it.
  - id: grounds
    text: You have at least one ground.
    any_of:
      - id: age-65
        text: You are at least 65.
        test: age_years >= 65
        eligible_on: birth_date + to_years(65)
        kind: rule
        source: s
        unknown_reason: Your date of birth is not recorded.
      - id: medical
        text: A medical circumstance is recorded.
        test: medical_circumstance
        kind: rule
        source: s
        unknown_reason: No medical finding is recorded. Medical records and a doctor's statement supply it.
"""
)
_JUDGEMENT = (
    _SERVED
    + """\
  - id: not-a-danger
    text: The court finds that you are not a danger to anyone.
    kind: judgement
    source: s
    unknown_reason: A court decides this on the evidence a lawyer presents.
  - id: two-of-three
    text: Two of three things are recorded.
    at_least: 2
    of:
      - {id: a-medical, text: A medical circumstance., test: medical_circumstance, kind: rule, source: s}
      - {id: a-family, text: A family circumstance., test: family_circumstance, kind: rule, source: s,
         unknown_reason: Death certificates supply it.}
      - {id: a-older, text: You are at least 65., test: age_years >= 65, eligible_on: birth_date + to_years(65),
         kind: rule, source: s}
"""
)


def pack_text(pack_id: str, criteria: str) -> str:
    """A federal pack in force from 2014 with one parameter (ten years) around `criteria`."""
    return (
        f"id: {pack_id}\ntitle: Path test pack\njurisdiction: us-federal\nversion: 1\n"
        "effective: {from: 2014-04-23}\nsources:\n  - {id: s, cite: test}\n"
        "parameters:\n  min_years:\n    description: Years served\n    values: {2014-04-23: {value: 10, source: s}}\n"
        f"population: system = 'federal' AND in_custody\ncriteria:\n{criteria}"
    )


def federal(**facts: Any) -> dict[str, Any]:
    """A federal prisoner with the given facts (the rest unknown)."""
    return {"system": "federal", "in_custody": True, **facts}


# Served from 2010: ten years long since; served from 1 Mar 2016: ten years on 1 Mar 2026.
PEOPLE: dict[str, dict[str, Any]] = {
    "P-NOW": federal(
        served_from_date=date(2010, 1, 1), has_violent_current_offense=False, age_years=70, birth_date=date(1955, 1, 1)
    ),
    "P-DATE": federal(
        served_from_date=date(2016, 3, 1), has_violent_current_offense=False, age_years=70, birth_date=date(1955, 1, 1)
    ),
    "P-UNKNOWN": federal(served_from_date=date(2010, 1, 1), age_years=70, birth_date=date(1955, 1, 1)),
    "P-NO": federal(
        served_from_date=date(2010, 1, 1), has_violent_current_offense=True, age_years=70, birth_date=date(1955, 1, 1)
    ),
    "P-DATE-UNKNOWN": federal(served_from_date=date(2016, 3, 1), age_years=60, birth_date=date(1965, 1, 1)),
    "P-TWO": federal(age_years=70, birth_date=date(1955, 1, 1)),
    "P-OUT": {"system": "us-mo", "in_custody": True},
}


def screened_store(folder: Path, people: dict[str, dict[str, Any]] | None = None) -> tuple[Path, Path, Path]:
    """A store of the people, screened as of AS_OF against the rules pack and the judgement pack (files in `folder`)."""
    people = PEOPLE if people is None else people
    rules = folder / "rules.yaml"
    rules.write_text(pack_text("test/path-rules", _RULES), encoding="utf-8")
    judgement = folder / "judgement.yaml"
    judgement.write_text(pack_text("test/path-judgement", _JUDGEMENT), encoding="utf-8")
    store = folder / "store.duckdb"
    with open_store(store) as connection:
        columns = ", ".join(f"{fact.name} {DUCKDB_TYPES[fact.type]}" for fact in FACTS)
        connection.execute(f"CREATE TABLE hand_facts (person_id BIGINT, source_id VARCHAR, {columns})")
        for number, (source_id, facts) in enumerate(people.items(), start=1):
            connection.execute(
                "INSERT INTO person (id, source, source_id, jurisdiction) VALUES (?, 'hand', ?, ?)",
                [number, source_id, facts["system"]],
            )
            names = ["person_id", "source_id", *facts]
            connection.execute(
                f"INSERT INTO hand_facts ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [number, source_id, *facts.values()],
            )
        screen(connection, [load_pack(rules), load_pack(judgement)], as_of=AS_OF, facts="hand_facts")
    return store, rules, judgement


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return screened_store(tmp_path_factory.mktemp("path"))


def _paths(store: tuple[Path, Path, Path], pack: Path) -> dict[str, PackPath]:
    with open_store(store[0], read_only=True) as connection:
        return {item.person.source_id: item for item in population_paths(connection, load_pack(pack))}


def _person(store: tuple[Path, Path, Path], pack: Path, source_id: str) -> PackPath:
    with open_store(store[0], read_only=True) as connection:
        found = person_paths(connection, find_person(connection, source_id), [load_pack(pack)], None)
    return found[0]


def test_answers_of_the_rules_pack(store: tuple[Path, Path, Path]) -> None:
    paths = _paths(store, store[1])
    assert paths["P-NOW"].answer == "eligible now"
    assert paths["P-DATE"].answer == "eligible on 2026-03-01"
    assert paths["P-UNKNOWN"].answer == "eligible if no-violent-offense is confirmed"
    assert (
        paths["P-NO"].answer
        == 'not eligible under this pack: no-violent-offense is not met ("Your current offence is not violent")'
    )
    # Age 65 comes on 1 Jan 2030 (a wait), cheaper than the unknown medical branch, and later than 1 Mar 2026.
    assert paths["P-DATE-UNKNOWN"].answer == "eligible on 2030-01-01 if no-violent-offense is confirmed"
    assert paths["P-TWO"].answer == "eligible if served-10-years and no-violent-offense are confirmed"
    assert "P-OUT" not in paths  # outside the population: not in the run's results


def test_an_any_of_with_one_met_branch_is_not_open(store: tuple[Path, Path, Path]) -> None:
    # P-NOW's medical circumstance is unknown, but age 70 meets the group.
    assert _paths(store, store[1])["P-NOW"].steps == ()


def test_steps_are_cheapest_first_and_say_what_settles_them(store: tuple[Path, Path, Path]) -> None:
    steps = _paths(store, store[1])["P-DATE-UNKNOWN"].steps
    assert [(step.category, step.criterion_id) for step in steps] == [
        ("time", "served-10-years"),
        ("time", "age-65"),
        ("document", "no-violent-offense"),
    ]
    assert [step.eligible_on for step in steps[:2]] == [date(2026, 3, 1), date(2030, 1, 1)]
    assert steps[2].document == "judgment"
    assert steps[2].holder == "clerk of the sentencing court"
    two = _paths(store, store[1])["P-TWO"].steps
    assert two[0].document == "BOP sentence computation"


def test_unknown_is_never_not_eligible(store: tuple[Path, Path, Path]) -> None:
    for item in _paths(store, store[1]).values():
        if not any(step.status == "unmet" for step in item.steps):
            assert not item.answer.startswith("not eligible"), item.person.source_id


def test_a_judgement_needs_its_role(store: tuple[Path, Path, Path]) -> None:
    paths = _paths(store, store[2])
    # P-DATE: 10 years on 1 Mar 2026; medical unknown, family unknown, age 70 met: at least 2 of 3 needs one
    # more, and medical comes first in the pack. A record comes before a court's decision.
    item = paths["P-DATE"]
    assert item.answer == "eligible on 2026-03-01 if a-medical and not-a-danger are confirmed"
    danger = next(step for step in item.steps if step.criterion_id == "not-a-danger")
    assert (danger.category, danger.role) == ("role", "court")


def test_an_at_least_group_that_cannot_be_met_gives_its_own_words(tmp_path: Path) -> None:
    # No medical and no family circumstance: two of three cannot be met, whatever age brings.
    people = {"P-X": federal(served_from_date=date(2010, 1, 1), medical_circumstance=False, family_circumstance=False)}
    store = screened_store(tmp_path, people)
    item = _paths(store, store[2])["P-X"]
    assert item.answer == 'not eligible under this pack: two-of-three is not met ("Two of three things are recorded")'


def test_one_person_outside_the_population_has_its_own_answer(store: tuple[Path, Path, Path]) -> None:
    item = _person(store, store[1], "P-OUT")
    assert item.outcome == "outside-population"
    assert item.answer.startswith("outside this pack's population")
    assert item.steps == ()


def test_one_person_reads_the_stored_run(store: tuple[Path, Path, Path]) -> None:
    item = _person(store, store[1], "P-DATE")
    assert item.run_id is not None
    assert item.as_of == AS_OF
    assert item.answer == "eligible on 2026-03-01"


def test_nearest_orders_by_open_items_then_date(store: tuple[Path, Path, Path]) -> None:
    with open_store(store[0], read_only=True) as connection:
        ordered = nearest(population_paths(connection, load_pack(store[1])))
    # 0 open; 1 open and nothing to wait for; 1 open on 1 Mar 2026; 2 open, no wait; 2 open, 2030; cannot.
    assert [item.person.source_id for item in ordered] == [
        "P-NOW",
        "P-UNKNOWN",
        "P-DATE",
        "P-TWO",
        "P-DATE-UNKNOWN",
        "P-NO",
    ]
    with open_store(store[0], read_only=True) as connection:
        assert len(nearest(population_paths(connection, load_pack(store[1])), limit=2)) == 2


def test_blocking_counts_people_per_unknown(store: tuple[Path, Path, Path]) -> None:
    with open_store(store[0], read_only=True) as connection:
        found = blocking(population_paths(connection, load_pack(store[1])))
    rows = [(item.criterion_id, item.among, item.only, item.document) for item in found]
    # no-violent-offense: P-UNKNOWN and P-DATE-UNKNOWN (alone, waits aside) and P-TWO (with served-10-years).
    assert rows == [
        ("no-violent-offense", 3, 2, "judgment"),
        ("served-10-years", 1, 0, "BOP sentence computation"),
    ]


def test_a_real_pack_compassionate_release(tmp_path: Path) -> None:
    from tests.policy.test_explain import build_screened_store

    store = build_screened_store(tmp_path / "real.duckdb")
    from secondchance.policy.pack import find_pack

    with open_store(store, read_only=True) as connection:
        compiled = load_pack(find_pack("us-federal/compassionate-release"))
        item = person_paths(connection, find_person(connection, "F-1"), [compiled], None)[0]
    # 30 days after the warden got the request on 1 Nov 2026; the medical ground is the first of the
    # grounds one document settles (age 66 meets age 65, but a doctor must judge the decline).
    assert item.answer == "eligible on 2026-12-01 if medical and not-a-danger are confirmed"
    assert [step.category for step in item.steps] == ["time", "document", "role"]
    assert item.steps[1].document == "medical records"
    assert item.steps[2].role == "court"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The length of your sentence is not recorded. The abstract of judgment shows it.", ["abstract of judgment"]),
        ("The judgment and the presentence report show them.", ["judgment", "presentence report"]),
        ("The CDCR legal status summary shows when your custody began.", ["CDCR legal status summary"]),
        ("Your date of birth is not recorded.", []),
    ],
)
def test_documents_are_named_once_in_order(text: str, expected: list[str]) -> None:
    assert [document.name for document in documents_named(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A court decides this on the evidence a lawyer presents.", "court"),
        ("A lawyer identifies such circumstances and a court weighs them.", "attorney"),
        ("Medical records and a doctor's statement supply this.", "clinician"),
        ("The Bureau of Prisons makes this determination.", "warden"),
        ("Nobody is named here.", None),
    ],
)
def test_the_first_role_named_decides(text: str, expected: str | None) -> None:
    assert role_named(text) == expected


def test_only_the_population_is_screened(store: tuple[Path, Path, Path]) -> None:
    with duckdb.connect(str(store[0]), read_only=True) as connection:
        row = connection.execute("SELECT count(DISTINCT person_id) FROM screening_result").fetchone()
    # Six federal prisoners are in the population of both packs; the Missouri one is not written.
    assert row == (6,)


def test_blockers_with_equal_counts_are_in_natural_order() -> None:
    def blocker(criterion_id: str) -> Blocker:
        return Blocker("p", criterion_id, "t", "document", None, None, None, only=0, among=1)

    found = sorted([blocker("r_10"), blocker("r_5"), blocker("r_1")], key=blocker_order)
    assert [item.criterion_id for item in found] == ["r_1", "r_5", "r_10"]
