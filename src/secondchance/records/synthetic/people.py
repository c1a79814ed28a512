"""The cohort: one row per person with demographics and the timeline of the current sentence.

Everything else (sentences, custody, assessments, ...) is derived from these arrays, which is
what keeps the tables consistent with one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

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
    day_number,
    draw,
    labels,
    pick,
    source_ids,
    text,
    uniform_int,
    with_nulls,
)

__all__ = ["Jurisdiction", "Cohort", "build_cohort", "person_table"]

Jurisdiction = Literal["federal", "us-mo", "mixed"]
Strings = npt.NDArray[np.str_]

# The Sentencing Reform Act took effect on 1 November 1987; every federal sentence drawn here is a
# "new law" sentence (no federal parole), so none commenced before 1988.
_FEDERAL_EARLIEST_COMMENCEMENT = day_number(date(1988, 1, 1))
# Room kept between the 18th birthday and commencement for the offence, arrest and jail credit.
_ADULT_GAP_DAYS = 1600
_GCT_SHARE_SERVED = 1.0 - 54.0 / 365.0  # 18 U.S.C. § 3624(b): up to 54 days a year of the term imposed.
_MO_DANGEROUS_SHARE_SERVED = 0.85  # RSMo 558.019.3: dangerous felonies serve 85%.
_MO_OTHER_SHARE_SERVED = 0.60  # ASSUMPTION: other Missouri terms, between the 40-80% of RSMo 558.019.2.


@dataclass
class Cohort:
    """Per-person arrays; dates are day numbers since 1970-01-01."""

    n: int
    as_of: int
    federal: Bools
    age: Ints
    birth: Ints
    sex: Strings
    race: Strings
    education: Strings
    category: Strings
    sentence_type: Strings
    mo_class: Strings
    term_months: Ints
    term_days: Ints
    candidate: Bools  # built as a long-served nonviolent federal drug case
    released: Bools
    release: Ints  # release day for released people, else the projected release (or -1 for life)
    commencement: Ints
    custody_start: Ints
    imposed: Ints
    offense: Ints
    jail_credit: Ints
    jail_credit_unknown: Bools
    has_consecutive: Bools
    consecutive_months: Ints
    facility: Strings
    release_area: Strings

    @property
    def in_custody(self) -> Bools:
        return ~self.released

    @property
    def custody_end(self) -> Ints:
        """Last day of custody for released people, the reference date for the others."""
        return np.where(self.released, self.release, self.as_of)

    @property
    def life(self) -> Bools:
        return np.isin(self.sentence_type, ["life", "life_without_parole"])


def build_cohort(rng: np.random.Generator, n: int, jurisdiction: Jurisdiction, as_of: int) -> Cohort:
    """Draw n people and the timeline of each one's current sentence."""
    if jurisdiction == "federal":
        federal = np.ones(n, dtype=bool)
    elif jurisdiction == "us-mo":
        federal = np.zeros(n, dtype=bool)
    else:
        federal = rng.random(n) < cal.MIXED_FEDERAL_SHARE

    band = rng.choice(len(cal.AGE_BANDS), size=n, p=_normalised([share for _, _, share in cal.AGE_BANDS]))
    low = np.array([lo for lo, _, _ in cal.AGE_BANDS])[band]
    high = np.array([hi for _, hi, _ in cal.AGE_BANDS])[band]
    age = uniform_int(rng, low, high, n)
    birth = as_of - np.floor((age + rng.random(n)) * DAYS_PER_YEAR).astype(np.int64)

    sex = np.where(rng.random(n) < cal.SHARE_MALE, "male", "female")
    race = np.where(federal, draw(rng, cal.RACE_FEDERAL, n), draw(rng, cal.RACE_STATE, n))
    education = np.where(federal, draw(rng, cal.EDUCATION_FEDERAL, n), draw(rng, cal.EDUCATION_STATE, n))
    category = np.where(federal, draw(rng, cal.OFFENSE_FEDERAL, n), draw(rng, cal.OFFENSE_STATE, n))

    # Sentence type. Life terms go to the offences that carry them (ASSUMPTION: federal drug, violent,
    # weapon and sex offences; Missouri LWOP for murder, life and virtual life for violent and sex
    # offences), at rates within those offences that keep the cited overall shares.
    u = rng.random(n)
    federal_pool = ("drug", "violent", "weapon", "sex")
    federal_life_rate = cal.SHARE_LIFE_FEDERAL / sum(cal.OFFENSE_FEDERAL[c] for c in federal_pool)
    federal_life = federal & np.isin(category, federal_pool) & (u < federal_life_rate)
    violent_share = cal.OFFENSE_STATE["violent"]
    serious_share = violent_share + cal.OFFENSE_STATE["sex"]
    lwop_rate = cal.STATE_LWOP_SHARE / violent_share
    life_rate = cal.STATE_LIFE_WITH_PAROLE_SHARE / serious_share
    virtual_rate = (
        cal.SHARE_LIFE_OR_VIRTUAL_LIFE_STATE - cal.STATE_LWOP_SHARE - cal.STATE_LIFE_WITH_PAROLE_SHARE
    ) / serious_share
    serious = ~federal & np.isin(category, ["violent", "sex"])
    state_lwop = ~federal & (category == "violent") & (u < lwop_rate)
    after_lwop = u - np.where(category == "violent", lwop_rate, 0.0)
    state_life = serious & ~state_lwop & (after_lwop >= 0) & (after_lwop < life_rate)
    state_virtual = serious & ~state_lwop & (after_lwop >= life_rate) & (after_lwop < life_rate + virtual_rate)
    sentence_type = np.full(n, "determinate", dtype="<U19")
    sentence_type[federal_life | state_lwop] = "life_without_parole"
    sentence_type[state_life] = "life"
    life = federal_life | state_lwop | state_life

    bucket = rng.choice(
        len(cal.SENTENCE_BUCKETS_FEDERAL), size=n, p=_normalised([s for *_, s in cal.SENTENCE_BUCKETS_FEDERAL])
    )
    fed_low = np.array([lo for lo, _, _ in cal.SENTENCE_BUCKETS_FEDERAL])[bucket]
    fed_high = np.array([hi for _, hi, _ in cal.SENTENCE_BUCKETS_FEDERAL])[bucket]
    federal_months = uniform_int(rng, fed_low, fed_high, n)

    mo_class = np.full(n, "", dtype="<U1")
    for offense, shares in vocab.MO_CLASS_BY_CATEGORY.items():
        mask = ~federal & (category == offense)
        mo_class[mask] = draw(rng, shares, int(mask.sum()))
    mo_class[state_lwop | state_life | state_virtual] = "A"
    class_low = np.zeros(n, dtype=np.int64)
    class_high = np.zeros(n, dtype=np.int64)
    for klass, (lo, hi) in cal.MO_CLASS_TERM_YEARS.items():
        class_low[mo_class == klass] = lo * 12
        class_high[mo_class == klass] = hi * 12
    state_months = uniform_int(rng, class_low, class_high, n)
    state_months[state_virtual] = uniform_int(rng, 600, 720, int(state_virtual.sum()))
    term_months = np.where(federal, federal_months, state_months)
    term_months[life] = 0
    # "A year and a day": half of the 12-month federal terms carry one extra day.
    term_days = np.where(federal & (term_months == 12) & (rng.random(n) < 0.5), 1, 0).astype(np.int64)

    # Long-served nonviolent federal drug cases: chosen among federal drug offenders aged 40 or more
    # with terms of 15 years or more (or life), so that no cited distribution is disturbed.
    eligible = (
        federal & (category == "drug") & (age >= 40) & ((term_months >= 180) | (sentence_type == "life_without_parole"))
    )
    share = cal.EDGE_CASE_RATES["long_served_nonviolent_drug_federal"] * federal.sum() / max(int(eligible.sum()), 1)
    candidate = eligible & (rng.random(n) < min(share, 1.0))
    life = np.isin(sentence_type, ["life", "life_without_parole"])

    # Consecutive second sentences (18 U.S.C. § 3584; RSMo 558.026).
    has_consecutive = ~candidate & ~life & (rng.random(n) < cal.EDGE_CASE_RATES["consecutive_sentence"])
    consecutive_months = np.where(has_consecutive, np.where(federal, 60, uniform_int(rng, 12, 84, n)), 0).astype(
        np.int64
    )

    # Expected stay: the share of the term actually served.
    total_term_days = (term_months + consecutive_months) * DAYS_PER_MONTH + term_days
    # Missouri dangerous felonies (RSMo 556.061(19)): here, violent or sex offences of class A or B.
    dangerous = ~federal & np.isin(category, ["violent", "sex"]) & np.isin(mo_class, ["A", "B"])
    share_served = np.where(
        federal, _GCT_SHARE_SERVED, np.where(dangerous, _MO_DANGEROUS_SHARE_SERVED, _MO_OTHER_SHARE_SERVED)
    )
    stay = np.floor(total_term_days * share_served).astype(np.int64)
    adult_room = np.maximum(np.floor((age - 18) * DAYS_PER_YEAR).astype(np.int64) - _ADULT_GAP_DAYS, 0)
    # Life: years served so far, up to 40 years and what the person's age allows.
    life_served = np.floor(rng.random(n) * np.minimum(adult_room, 40 * DAYS_PER_YEAR)).astype(np.int64)

    jail_credit_known = rng.random(n) >= cal.MISSING_RATES["jail_credit_days"]
    with_credit = rng.random(n) < cal.EDGE_CASE_RATES["jail_credit"]
    jail_credit = np.where(with_credit, uniform_int(rng, 1, 730, n), 0).astype(np.int64)
    jail_credit = np.minimum(jail_credit, np.maximum(stay - 1, 0))
    credit_for_dates = np.where(jail_credit_known, jail_credit, 0)

    released = ~life & ~candidate & (rng.random(n) < cal.EDGE_CASE_RATES["released"])
    release_day = as_of - uniform_int(rng, 1, 1095, n)
    # Served so far (in custody), or in full (released); both bounded by age and, for federal, 1988.
    to_serve = np.maximum(stay - credit_for_dates, 1)
    federal_room = np.where(federal, as_of - _FEDERAL_EARLIEST_COMMENCEMENT, 10**9)
    served = np.floor(rng.random(n) * to_serve).astype(np.int64)
    served = np.where(life, life_served, served)
    served = np.minimum(served, np.minimum(adult_room, federal_room))
    candidate_years = rng.random(n) * (np.minimum(25, age - 23) - 10) + 10
    candidate_served = np.floor(candidate_years * DAYS_PER_YEAR).astype(np.int64)
    candidate_served = np.where(life, candidate_served, np.minimum(candidate_served, to_serve - 180))
    served = np.where(candidate, candidate_served, served)

    commencement = as_of - served
    released_room = np.minimum(adult_room, federal_room) - (as_of - release_day)
    released_stay = np.minimum(to_serve, np.maximum(released_room, 1))
    commencement = np.where(released, release_day - released_stay, commencement)
    release = np.where(released, release_day, np.where(life, -1, commencement + to_serve))
    custody_start = commencement - credit_for_dates
    imposed = commencement - uniform_int(rng, 1, 120, n)
    latest_offense = np.minimum(custody_start, imposed) - 1
    offense = latest_offense - uniform_int(rng, 29, 719, n)
    eighteenth = birth + np.ceil(18 * DAYS_PER_YEAR).astype(np.int64)
    offense = np.minimum(np.maximum(offense, eighteenth), latest_offense)

    facility = np.where(federal, pick(rng, vocab.FEDERAL_FACILITIES, n), pick(rng, vocab.MO_FACILITIES, n))
    release_area = np.where(federal, pick(rng, vocab.FEDERAL_AREAS, n), pick(rng, vocab.MO_AREAS, n))

    return Cohort(
        n=n,
        as_of=as_of,
        federal=federal,
        age=age,
        birth=birth,
        sex=sex,
        race=race,
        education=education,
        category=category,
        sentence_type=sentence_type,
        mo_class=mo_class,
        term_months=term_months,
        term_days=term_days,
        candidate=candidate,
        released=released,
        release=release,
        commencement=commencement,
        custody_start=custody_start,
        imposed=imposed,
        offense=offense,
        jail_credit=jail_credit,
        jail_credit_unknown=~jail_credit_known,
        has_consecutive=has_consecutive,
        consecutive_months=consecutive_months,
        facility=facility,
        release_area=release_area,
    )


def person_table(rng: np.random.Generator, cohort: Cohort) -> pl.DataFrame:
    """The person table (local ids 1..n), with its missing-data rates applied."""
    n = cohort.n
    missing = cal.MISSING_RATES
    no_birth_date = rng.random(n) < missing["birth_date"]
    keeps_year = no_birth_date & (rng.random(n) < 0.5)
    birth = dates(cohort.birth, no_birth_date)
    birth_year = pl.Series(cohort.birth.astype(np.int32)).cast(pl.Date).dt.year().cast(pl.Int64)
    birth_year = with_nulls(birth_year, ~keeps_year)

    no_education = rng.random(n) < missing["education_level"]
    has_diploma = pl.Series(np.isin(cohort.education, ["high_school", "ged", "some_college", "degree"]))
    removal_rate = cal.EDGE_CASE_RATES["final_order_of_removal_federal"]
    removal = pl.Series(cohort.federal & (rng.random(n) < removal_rate))
    spanish = (cohort.race == "hispanic") & (rng.random(n) < 0.3)  # ASSUMPTION: 30% prefer Spanish.
    ids = np.arange(1, n + 1, dtype=np.int64)
    return pl.DataFrame(
        {
            "id": ids,
            "source_id": source_ids("P", ids),
            "jurisdiction": labels(("us-mo", "federal"), cohort.federal.astype(np.int64)),
            "birth_date": birth,
            "birth_year": birth_year,
            "sex": text(cohort.sex, ENUMS["sex"], rng.random(n) < missing["sex"]),
            "race": text(cohort.race, ENUMS["race"], rng.random(n) < missing["race"]),
            "education_level": text(cohort.education, ENUMS["education_level"], no_education),
            "has_diploma": with_nulls(has_diploma, no_education),
            "final_order_of_removal": with_nulls(removal, ~cohort.federal),
            "primary_language": labels(("en", "es"), spanish.astype(np.int64)),
            "release_area": text(cohort.release_area, vocab.FEDERAL_AREAS + vocab.MO_AREAS),
        }
    )


def _normalised(weights: list[float]) -> npt.NDArray[np.float64]:
    array: npt.NDArray[np.float64] = np.array(weights, dtype=np.float64)
    array /= array.sum()
    return array
