"""Sentences (current, consecutive and Missouri prior commitments) and their charges."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from secondchance.records.schema import ENUMS
from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    Bools,
    Ints,
    dates,
    draw,
    group_positions,
    labels,
    source_ids,
    text,
    uniform_int,
    with_nulls,
)
from secondchance.records.synthetic.people import Cohort

__all__ = ["Priors", "Sentences", "build_sentences", "charge_table"]

Strings = npt.NDArray[np.str_]

_PRIOR_SHARE_SERVED = 0.6  # ASSUMPTION: Missouri prior commitments served 60% of the term imposed.
# ASSUMPTION: offences behind Missouri prior commitments.
_PRIOR_CATEGORIES = {"property": 0.35, "drug": 0.35, "public_order": 0.15, "weapon": 0.10, "violent": 0.05}


@dataclass
class Priors:
    """Missouri prior prison commitments: one row per earlier, completed sentence."""

    person: Ints
    sentence_id: Ints
    custody_start: Ints
    release: Ints


@dataclass
class Sentences:
    """The sentence table and the per-sentence facts the charges are drawn from."""

    table: pl.DataFrame
    person: Ints
    federal: Bools
    category: Strings
    mo_class: Strings
    term_months: Ints
    life: Bools
    offense: Ints
    candidate: Bools
    mo_lwop: Bools
    consecutive: Bools
    priors: Priors


def build_sentences(rng: np.random.Generator, cohort: Cohort) -> Sentences:
    """Every person's current sentence, the consecutive second sentences and Missouri priors."""
    n = cohort.n
    person = np.arange(n, dtype=np.int64)
    status = np.where(cohort.released, "completed", "active")

    second = np.flatnonzero(cohort.has_consecutive)
    second_category = np.where(
        cohort.federal[second], "weapon", draw(rng, cal.OFFENSE_STATE, second.size)
    )  # federal: the 18 U.S.C. § 924(c) count, which must run consecutively.

    priors = _prior_commitments(rng, cohort, first_id=n + second.size + 1)
    p = priors.person
    prior_term_months = np.maximum(
        12, np.round((priors.release - priors.custody_start) / _PRIOR_SHARE_SERVED / DAYS_PER_MONTH)
    ).astype(np.int64)
    prior_class = np.where(prior_term_months <= 48, "E", np.where(prior_term_months <= 84, "D", "C"))
    prior_credit = uniform_int(rng, 0, 120, p.size)
    prior_commencement = priors.custody_start + prior_credit
    prior_imposed = prior_commencement - uniform_int(rng, 1, 60, p.size)
    prior_offense = np.minimum(priors.custody_start, prior_imposed) - uniform_int(rng, 30, 365, p.size)

    owners = np.concatenate([person, second, p])
    kinds = np.concatenate([np.zeros(n, np.int8), np.ones(second.size, np.int8), np.full(p.size, 2, np.int8)])
    ids = np.arange(1, owners.size + 1, dtype=np.int64)
    federal = cohort.federal[owners]
    current_life = cohort.life
    sentence_type = np.concatenate(
        [cohort.sentence_type, np.full(second.size, "determinate"), np.full(p.size, "determinate")]
    )
    term_months = np.concatenate([cohort.term_months, cohort.consecutive_months[second], prior_term_months])
    term_days = np.concatenate([cohort.term_days, np.zeros(second.size + p.size, np.int64)])
    imposed = np.concatenate([cohort.imposed, cohort.imposed[second], prior_imposed])
    commencement = np.concatenate([cohort.commencement, cohort.commencement[second], prior_commencement])
    jail_credit = np.concatenate([cohort.jail_credit, np.zeros(second.size, np.int64), prior_credit])
    credit_unknown = np.concatenate([cohort.jail_credit_unknown, np.zeros(second.size + p.size, bool)])
    statuses = np.concatenate([status, status[second], np.full(p.size, "completed")])
    life = np.concatenate([current_life, np.zeros(second.size + p.size, bool)])
    category = np.concatenate([cohort.category, second_category, draw(rng, _PRIOR_CATEGORIES, p.size)])
    mo_class = np.concatenate([cohort.mo_class, np.where(cohort.federal[second], "", "D"), prior_class])
    offense = np.concatenate([cohort.offense, cohort.offense[second], prior_offense])

    consecutive_to = np.concatenate([np.zeros(n, np.int64), second + 1, np.zeros(p.size, np.int64)])
    consecutive_mask = kinds == 1
    # 18 U.S.C. § 3583(b): up to 5 years of supervised release for class A and B felonies, 3 for C and D.
    # ASSUMPTION: 60 months for drug terms of 10 years or more, 36 otherwise; none after a life term.
    supervised = np.where((category == "drug") & (term_months >= 120), 60, 36)
    supervised_null = ~federal | life

    sentence_ids = source_ids("S", ids)
    year = pl.Series(imposed.astype(np.int32)).cast(pl.Date).dt.year().cast(pl.String)
    case_number = pl.select(
        pl.concat_str(
            [
                year,
                pl.lit(pl.Series(np.where(federal, "-cr-", "CR-"))),
                pl.Series(ids % 100_000).cast(pl.String).str.zfill(5),
            ]
        )
    ).to_series()
    area = text(cohort.release_area[owners], vocab.FEDERAL_AREAS + vocab.MO_AREAS)
    court = pl.select(
        pl.when(pl.lit(pl.Series(federal))).then(pl.lit(area)).otherwise(pl.lit("Circuit Court, ") + pl.lit(area))
    ).to_series()
    table = pl.DataFrame(
        {
            "id": ids,
            "person_id": owners + 1,
            "consecutive_to_id": with_nulls(pl.Series(consecutive_to), ~consecutive_mask),
            "source_id": sentence_ids,
            "person_source_id": source_ids("P", owners + 1),
            "system": labels(("us-mo", "federal"), federal.astype(np.int64)),
            "sentence_type": text(sentence_type, ENUMS["sentence_type"]),
            "status": labels(("active", "completed"), (statuses == "completed").astype(np.int64)),
            "case_number": case_number,
            "court": court,
            "imposed_date": dates(imposed),
            "commencement_date": dates(commencement),
            "term_months": with_nulls(pl.Series(term_months), life),
            "term_days": with_nulls(pl.Series(term_days), life),
            "jail_credit_days": with_nulls(pl.Series(jail_credit), credit_unknown),
            "consecutive_to_source_id": with_nulls(source_ids("S", consecutive_to), ~consecutive_mask),
            "supervised_release_months": with_nulls(pl.Series(supervised.astype(np.int64)), supervised_null),
        }
    )
    return Sentences(
        table=table,
        person=owners,
        federal=federal,
        category=category,
        mo_class=mo_class,
        term_months=term_months,
        life=life,
        offense=offense,
        candidate=cohort.candidate[owners] & (kinds == 0),
        mo_lwop=(kinds == 0) & ~federal & (sentence_type == "life_without_parole"),
        consecutive=consecutive_mask,
        priors=priors,
    )


def _prior_commitments(rng: np.random.Generator, cohort: Cohort, first_id: int) -> Priors:
    """Earlier completed Missouri sentences, chained back in time from the current custody start."""
    n = cohort.n
    wanted = np.where(
        cohort.federal | cohort.candidate,
        0,
        draw(rng, {str(k): v for k, v in cal.MO_PRIOR_COMMITMENTS.items()}, n).astype(np.int64),
    )
    eighteenth = cohort.birth + np.ceil(18 * DAYS_PER_YEAR).astype(np.int64)
    active = wanted >= 1
    previous_start = cohort.custody_start.copy()
    persons: list[Ints] = []
    starts: list[Ints] = []
    releases: list[Ints] = []
    for order in range(1, max(cal.MO_PRIOR_COMMITMENTS) + 1):  # at most three passes, each vectorised
        release = previous_start - uniform_int(rng, 90, 1500, n)
        start = release - uniform_int(rng, 180, 1460, n)
        # The offence (up to 365 + 120 + 60 days before the start) must follow the 18th birthday.
        active = active & (wanted >= order) & (start - 600 > eighteenth)
        persons.append(np.flatnonzero(active))
        starts.append(start[active])
        releases.append(release[active])
        previous_start = np.where(active, start, previous_start)
    person = np.concatenate(persons)
    order_index = np.argsort(person, kind="stable")  # group each person's priors together
    person = person[order_index]
    return Priors(
        person=person,
        sentence_id=np.arange(first_id, first_id + person.size, dtype=np.int64),
        custody_start=np.concatenate(starts)[order_index],
        release=np.concatenate(releases)[order_index],
    )


def charge_table(rng: np.random.Generator, sentences: Sentences) -> pl.DataFrame:
    """One to three counts per sentence, with statute, class, role and aggravating facts."""
    m = sentences.person.size
    counts = 1 + (rng.random(m) < 0.3) + (rng.random(m) < 0.1)  # ASSUMPTION: 1.4 counts a sentence
    owner, position = group_positions(counts.astype(np.int64))
    rows = owner.size
    principal = position == 0
    federal = sentences.federal[owner]
    candidate = sentences.candidate[owner]
    same = principal | (rng.random(rows) < 0.7) | candidate  # ASSUMPTION: 70% of other counts share the category
    category = np.where(
        same,
        sentences.category[owner],
        np.where(federal, draw(rng, cal.OFFENSE_FEDERAL, rows), draw(rng, cal.OFFENSE_STATE, rows)),
    )
    # Statutes as codes into one flat list of (system, category) options, looked up at the end.
    flat = [option for options in vocab.STATUTES.values() for option in options] + [vocab.MO_MURDER_FIRST]
    statute_code = np.zeros(rows, dtype=np.int64)
    system = np.where(federal, "federal", "us-mo")
    first = 0
    for (statute_system, offense), options in vocab.STATUTES.items():
        mask = (system == statute_system) & (category == offense)
        statute_code[mask] = first + rng.integers(0, len(options), size=int(mask.sum()))
        first += len(options)
    murder = sentences.mo_lwop[owner] & principal
    statute_code[murder] = len(flat) - 1
    # The consecutive federal count is the 18 U.S.C. § 924(c) count, which must run consecutively.
    statute_code[sentences.consecutive[owner] & federal & principal] = flat.index(
        vocab.STATUTES[("federal", "weapon")][1]
    )
    mo_class = sentences.mo_class[owner]
    class_labels = [f"{klass} felony" for klass in "ABCDE"]
    federal_class = pl.Series([o[2] for o in flat], dtype=pl.String).gather(statute_code)
    state_class = text(np.char.add(mo_class, " felony"), [*class_labels, " felony"], federal)
    offense_class = pl.select(
        pl.when(pl.lit(pl.Series(federal))).then(pl.lit(federal_class)).otherwise(pl.lit(state_class))
    ).to_series()

    life = sentences.life[owner]
    term = np.where(
        principal, sentences.term_months[owner], np.floor(sentences.term_months[owner] * (0.3 + 0.7 * rng.random(rows)))
    ).astype(np.int64)
    offense_day = sentences.offense[owner] - np.where(principal, 0, uniform_int(rng, 0, 60, rows))
    # USSC (ussc-bop-2024): 10.7% had an aggravating role, 3.7% a minor role. ASSUMPTION: the
    # aggravating share splits 6.0% manager or supervisor and 4.7% leader or organizer.
    role = draw(rng, {"none": 0.856, "minor": 0.037, "manager_supervisor": 0.060, "leader_organizer": 0.047}, rows)
    role = np.where(candidate & ~np.isin(role, ["none", "minor"]), "none", role)
    # ASSUMPTION: death or serious injury in 30% of violent counts and 1% of drug counts.
    injury = ((category == "violent") & (rng.random(rows) < 0.30)) | ((category == "drug") & (rng.random(rows) < 0.01))
    injury = (injury | murder) & ~candidate
    # Weapon: every weapon count; 40% of violent counts (ASSUMPTION); drug counts at the 15.7% of people
    # in the BOP who received a guideline weapon enhancement (ussc-bop-2024).
    weapon = (
        (category == "weapon")
        | ((category == "violent") & (rng.random(rows) < 0.40))
        | ((category == "drug") & (rng.random(rows) < 0.157))
    ) & ~candidate
    dangerous = ~federal & np.isin(category, ["violent", "sex"]) & np.isin(mo_class, ["A", "B"])
    weapon_code = (federal & (category == "drug") & weapon).astype(np.int64)
    role_code = np.where(
        federal & (role == "leader_organizer"), 1, np.where(federal & (role == "manager_supervisor"), 2, 0)
    )
    enhancement_labels = [None, "USSG 3B1.1(a)", "USSG 3B1.1(b)", "USSG 2D1.1(b)(1)"]
    enhancement_labels += ["USSG 2D1.1(b)(1);USSG 3B1.1(a)", "USSG 2D1.1(b)(1);USSG 3B1.1(b)"]
    enhancements = pl.Series(enhancement_labels, dtype=pl.String).gather(weapon_code * 3 + role_code)
    ids = np.arange(1, rows + 1, dtype=np.int64)
    offense_unknown = rng.random(rows) < cal.MISSING_RATES["offense_date"]
    counts_per_charge = np.where(rng.random(rows) < 0.8, 1, uniform_int(rng, 2, 4, rows))
    return pl.DataFrame(
        {
            "id": ids,
            "sentence_id": owner + 1,
            "person_id": sentences.person[owner] + 1,
            "source_id": source_ids("C", ids),
            "sentence_source_id": source_ids("S", owner + 1),
            "statute": pl.Series([o[0] for o in flat], dtype=pl.String).gather(statute_code),
            "description": pl.Series([o[1] for o in flat], dtype=pl.String).gather(statute_code),
            "offense_category": text(category, ENUMS["offense_category"]),
            "offense_class": offense_class,
            "offense_date": dates(offense_day, offense_unknown),
            "counts": counts_per_charge.astype(np.int64),
            "term_months": with_nulls(pl.Series(term), life),
            "relationship": labels(("concurrent", "principal"), principal.astype(np.int64)),
            "role": text(role, ENUMS["role"], ~federal),
            "death_or_injury_resulted": injury,
            "weapon_involved": weapon,
            "dangerous_felony": with_nulls(pl.Series(dangerous), federal),
            "enhancements": enhancements,
        }
    )
