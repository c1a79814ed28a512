"""California profile facts in the engine inputs: violent (PC 667.5(c)) and Three Strikes status, through compute."""

from __future__ import annotations

from datetime import date

from tests.sentencing.conftest import AS_OF, Store

from secondchance.sentencing.compute import scalar_mismatches


def _california(store: Store, sentence_type_raw: str | None, statute: str | None, **charge: object) -> int:
    person = store.person(jurisdiction="us-ca")
    sentence = store.sentence(
        person,
        system="us-ca",
        sentence_type_raw=sentence_type_raw,
        commencement_date=date(2000, 1, 1),
        term_months=120,
        term_days=0,
    )
    store.insert(
        "charge",
        sentence_id=sentence,
        person_id=person,
        sentence_source_id=f"sentence-{sentence}",
        statute=statute,
        offense_date=date(1999, 6, 1),
        **charge,
    )
    return sentence


def test_violent_reads_the_667_5_c_list_on_statutes_and_enhancements(store: Store) -> None:
    robbery = _california(store, "DSL", "PC211")  # PC 667.5(c)(9)
    burglary = _california(store, "DSL", "PC459")  # not listed
    firearm = _california(store, "DSL", "PC245(a)(2)", enhancements="PC12022.53(d)")  # PC 667.5(c)(8)
    rape = _california(store, "DSL", "PC261")  # listed only under some paragraphs of § 261: unknown
    no_statute = _california(store, "DSL", None)
    assert store.member(robbery)["violent"] is True
    assert store.member(burglary)["violent"] is False
    assert store.member(firearm)["violent"] is True
    assert store.member(rape)["violent"] is None
    assert store.member(no_statute)["violent"] is None


def test_violent_is_unknown_outside_california(store: Store) -> None:
    person = store.person(jurisdiction="us-la")
    sentence = store.sentence(person, system="us-la", commencement_date=date(2000, 1, 1), term_months=120)
    store.charge(sentence, person, "PC211", offense_date=date(1999, 6, 1))
    assert store.member(sentence)["violent"] is None
    assert store.member(sentence)["habitual_offender"] is None


def test_strike_status_covers_the_persons_current_commitment(store: Store) -> None:
    second_striker = _california(store, "Second Striker", "PC459")
    person = store.member(second_striker)["person_id"]
    # another current case of the same person, whose own text ("4 Years") says nothing about strikes
    other = store.sentence(person, system="us-ca", sentence_type_raw="4 Years", term_months=48, term_days=0)
    prior = store.sentence(person, system="us-ca", status="completed", sentence_type_raw="4 Years", term_months=48)
    dsl = _california(store, "DSL", "PC459")
    silent = _california(store, "4 Years", "PC459")
    assert store.member(second_striker)["habitual_offender"] is True
    assert store.member(other)["habitual_offender"] is True
    assert store.member(prior)["habitual_offender"] is None  # a completed commitment: not this term
    assert store.member(dsl)["habitual_offender"] is False
    assert store.member(silent)["habitual_offender"] is None


def test_the_profile_computes_with_the_facts_from_the_store(store: Store) -> None:
    # 120 months from 2000-01-01 = 3,653 days (the goldens of test_california_profile_statutory_rates).
    half_time = _california(store, "DSL", "PC459")  # PC 2933(b): 1,826 days served → 2004-12-30
    violent = _california(store, "DSL", "PC211")  # PC 2933.1(a): 3,653 × 20/23 = 3,176 days → 2008-09-10
    striker = _california(store, "Second Striker", "PC459")  # PC 667(c)(5): four-fifths, 2,922 days → 2007-12-31
    unknown = _california(store, "4 Years", "PC459")  # strike status unknown → manual review
    rows = store.compute()
    assert (rows[half_time]["release_date"], rows[half_time]["review_reason"]) == (date(2004, 12, 30), None)
    assert (rows[violent]["release_date"], rows[violent]["review_reason"]) == (date(2008, 9, 10), None)
    assert (rows[striker]["release_date"], rows[striker]["review_reason"]) == (date(2007, 12, 31), None)
    assert rows[unknown]["review_reason"] == "MISSING_FACT"
    compared, mismatches = scalar_mismatches(store.connection, AS_OF)
    assert compared == 4 and mismatches == []
