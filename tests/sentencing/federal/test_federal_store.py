"""The federal facts read from the store (literacy, RDAP and its bars, risk) and the run stamps, end to end.

Dates are the golden cases' (tests/sentencing/fixtures/federal_*.yaml): 5 years from 2026-01-01 releases on
2030-04-05 at 54 days a year (270) and on 2030-06-04 at 42 (210); 60 months from 2025-01-01 releases on
2029-04-05, less the 12-month RDAP tier 2028-04-05 (PS 5331.02 § 11).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from tests.sentencing.conftest import AS_OF, Store

from secondchance.sentencing.compute import scalar_mismatches
from secondchance.sentencing.computed_dates import (
    COMPUTED_DATES_COLUMNS,
    add_missing_columns,
    holidays_version,
    rule_data_version,
)


def _enrol(store: Store, person: int, program: int, status: str, **dates: date) -> None:
    store.insert(
        "enrollment",
        person_id=person,
        person_source_id=f"person-{person}",
        program_id=program,
        program_source_id=f"program-{program}",
        status=status,
        **dates,
    )


def _no_diploma_sentence(store: Store, **person: Any) -> tuple[int, int]:
    """Five years from 2026-01-01 for an offence of 2025-06-01 (after the PLRA date), no diploma, no removal order."""
    person.setdefault("has_diploma", False)
    person_id = store.person(final_order_of_removal=False, **person)
    sentence = store.sentence(person_id, commencement_date=date(2026, 1, 1), term_months=60, term_days=0)
    store.charge(sentence, person_id, "21 USC 841(a)(1)", offense_date=date(2025, 6, 1), offense_category="drug")
    return person_id, sentence


@pytest.mark.parametrize(
    ("status", "release", "if_42"),
    [
        ("dropped", date(2030, 6, 4), None),  # a withdrawal: 28 CFR 544.73(b), so 42 days a year
        ("waitlisted", date(2030, 4, 5), None),  # 28 CFR 544.71(a)(4): not required to attend while waiting
        ("enrolled", date(2030, 4, 5), None),  # satisfactory progress (28 CFR 523.20(c)(2))
        (None, date(2030, 4, 5), date(2030, 6, 4)),  # nothing recorded: 54, with the 42-day date beside it
    ],
)
def test_literacy_programme_decides_the_rate(store: Store, status: str | None, release: date, if_42: date) -> None:
    person, sentence = _no_diploma_sentence(store)
    if status is not None:
        literacy = store.insert("program", name="Literacy and high-school equivalency", program_type="education")
        _enrol(store, person, literacy, status, referred_on=date(2026, 2, 1), start_date=date(2026, 3, 1))
    row = store.compute()[sentence]
    assert (row["release_date"], row["release_date_if_42_days"]) == (release, if_42)
    assert store.member(sentence)["literacy_progress"] is (None if status is None else status != "dropped")
    assert scalar_mismatches(store.connection, AS_OF)[1] == []


def test_education_level_stands_for_a_missing_diploma_flag(store: Store) -> None:
    """28 CFR 523.20(c)(2): a GED credential earns 54, so no alternative date."""
    _, sentence = _no_diploma_sentence(store, has_diploma=None, education_level="ged")
    row = store.compute()[sentence]
    assert (row["release_date"], row["release_date_if_42_days"]) == (date(2030, 4, 5), None)


def _rdap_sentence(store: Store, statute: str, **charge: Any) -> tuple[int, int]:
    """60 months from 2025-01-01 (sentenced 2024-12-01), in RDAP since 2025-06-01 (completes 2026-03-01)."""
    person = store.person(has_diploma=True, final_order_of_removal=False)
    sentence = store.sentence(
        person, commencement_date=date(2025, 1, 1), imposed_date=date(2024, 12, 1), term_months=60, term_days=0
    )
    store.charge(sentence, person, statute, offense_date=date(2024, 1, 1), **charge)
    rdap = store.insert("program", name="Residential Drug Abuse Program (RDAP)", program_type="substance_use_treatment")
    _enrol(store, person, rdap, "enrolled", start_date=date(2025, 6, 1))
    return person, sentence


def _another_persons_completed_sentence(store: Store) -> None:
    """The source records completed sentences, so a person without one has no prior (the facts' source rule)."""
    other = store.person()
    store.sentence(other, status="completed", commencement_date=date(2010, 1, 1), term_months=24, term_days=0)


@pytest.mark.parametrize(
    ("statute", "charge", "status", "rdap_date"),
    [
        # 28 CFR 550.55(b)(5)(ii): a firearm is an element of § 922(g)
        ("18 USC 922(g)(1)", {"offense_category": "weapon", "weapon_involved": False}, "barred", None),
        # a drug count with a weapon (USSG § 2D1.1(b)(1)) involved the possession of a firearm
        ("21 USC 841(a)(1)", {"offense_category": "drug", "weapon_involved": True}, "barred", None),
        # whether a weapon was involved is not recorded: unknown, not applied
        ("21 USC 841(a)(1)", {"offense_category": "drug"}, "unknown", None),
        # nothing bars it, and the programme completes on 2026-03-01, before 2028-04-05
        ("21 USC 841(a)(1)", {"offense_category": "drug", "weapon_involved": False}, "projected", date(2028, 4, 5)),
    ],
)
def test_rdap_bars_from_the_current_charges(
    store: Store, statute: str, charge: dict[str, Any], status: str, rdap_date: date | None
) -> None:
    _another_persons_completed_sentence(store)
    _, sentence = _rdap_sentence(store, statute, **charge)
    row = store.compute()[sentence]
    assert (row["rdap_status"], row["rdap_release_date"]) == (status, rdap_date)
    assert row["release_date"] == date(2029, 4, 5)
    assert scalar_mismatches(store.connection, AS_OF)[1] == []


@pytest.mark.parametrize(
    ("imposed", "statute", "category", "status"),
    [
        (date(2018, 1, 1), "18 USC 2113(d)", "violent", "barred"),  # armed bank robbery within ten years, (b)(4)(iii)
        (date(2012, 1, 1), "18 USC 2113(d)", "violent", "projected"),  # more than ten years before 2024-12-01
        (date(2018, 1, 1), "18 USC 1343", "property", "unknown"),  # not listed, but a property count may be arson
        (date(2018, 1, 1), "21 USC 846", "drug", "projected"),  # a drug conviction is none of (b)(4)'s offences
    ],
)
def test_rdap_bars_from_prior_convictions(
    store: Store, imposed: date, statute: str, category: str, status: str
) -> None:
    person, sentence = _rdap_sentence(store, "21 USC 841(a)(1)", offense_category="drug", weapon_involved=False)
    prior = store.sentence(
        person, status="completed", imposed_date=imposed, commencement_date=imposed, term_months=30, term_days=0
    )
    store.charge(prior, person, statute, offense_category=category, weapon_involved=False)
    assert store.compute()[sentence]["rdap_status"] == status
    assert scalar_mismatches(store.connection, AS_OF)[1] == []


def test_priors_unknown_when_the_source_records_no_completed_sentence(store: Store) -> None:
    _, sentence = _rdap_sentence(store, "21 USC 841(a)(1)", offense_category="drug", weapon_involved=False)
    assert store.member(sentence)["rdap_barred"] is None
    assert store.compute()[sentence]["rdap_status"] == "unknown"


def test_medium_risk_gets_the_date_the_wardens_approval_would_give(store: Store) -> None:
    """§ 3624(g)(1)(D)(i)(II): 60 months at medium risk, to prerelease custody on 2028-03-16 if the warden approves."""
    person = store.person(has_diploma=True, final_order_of_removal=False)
    sentence = store.sentence(
        person, commencement_date=date(2025, 1, 1), term_months=60, term_days=0, supervised_release_months=36
    )
    # not on the § 3632(d)(4)(D) list: no death or injury, no aggravating role (clauses lviii, lxvii, lxviii)
    store.charge(sentence, person, "21 USC 841(a)(1)", death_or_injury_resulted=False, role="none")
    store.insert(
        "assessment",
        person_id=person,
        person_source_id=f"person-{person}",
        tool="pattern",
        assessed_on=date(2025, 6, 1),
        risk_level="medium",
    )
    row = store.compute()[sentence]
    assert (row["prerelease_custody_date"], row["prerelease_custody_date_if_approved"]) == (None, date(2028, 3, 16))
    assert row["supervised_release_date"] == date(2029, 4, 5)


def test_every_row_is_stamped_with_the_rule_data_and_holidays_versions(store: Store) -> None:
    federal = store.sentence(store.person(), commencement_date=date(2025, 1, 1), term_months=24, term_days=0)
    person = store.person(jurisdiction="us-mo")
    missouri = store.sentence(person, system="us-mo", commencement_date=date(2020, 1, 1), term_months=60, term_days=0)
    unsupported = store.sentence(store.person(), system="us-tx", commencement_date=date(2020, 1, 1), term_months=6)
    rows = store.compute()
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", rule_data_version())
    for sentence in (federal, missouri, unsupported):
        assert rows[sentence]["rule_data_version"] == rule_data_version()
        assert rows[sentence]["holidays_version"] == holidays_version()
        assert rows[sentence]["engine_version"]


def test_a_store_computed_by_an_earlier_version_gains_the_new_columns(tmp_path: Path) -> None:
    """The facts read `prerelease_custody_date_if_approved`; a table computed before it existed has it, NULL."""
    path = tmp_path / "earlier.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE computed_dates (sentence_id BIGINT, release_date DATE)")
        connection.execute("INSERT INTO computed_dates VALUES (1, DATE '2029-04-05')")
    with duckdb.connect(str(path), read_only=True) as connection:
        add_missing_columns(connection)  # read-only: a temporary copy stands in
        read = "SELECT release_date, prerelease_custody_date_if_approved, rule_data_version FROM computed_dates"
        assert connection.execute(read).fetchall() == [(date(2029, 4, 5), None, None)]
    with duckdb.connect(str(path)) as connection:
        add_missing_columns(connection)
        columns = {row[0] for row in connection.execute("DESCRIBE computed_dates").fetchall()}
        assert columns == {name for name, _, _ in COMPUTED_DATES_COLUMNS}
