"""Custody periods and releases, for the current term and for Missouri prior commitments."""

from __future__ import annotations

import numpy as np
import polars as pl

from secondchance.records.schema import ENUMS
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import (
    DAYS_PER_YEAR,
    dates,
    draw,
    labels,
    person_row_keys,
    pick,
    text,
    with_nulls,
)
from secondchance.records.synthetic.people import Cohort
from secondchance.records.synthetic.sentences import Priors

__all__ = ["custody_table", "release_table"]

# ASSUMPTION: how people were released.
_FEDERAL_RELEASE = {"good_conduct": 0.8, "home_confinement": 0.2}
_MO_RELEASE = {"parole": 0.6, "conditional_release": 0.3, "expiration": 0.1}
_MO_PRIOR_RELEASE = {"parole": 0.7, "conditional_release": 0.3}
_REASONS = ("New commitment", "New commitment; released", "Prior commitment; released")


def custody_table(rng: np.random.Generator, cohort: Cohort, priors: Priors) -> pl.DataFrame:
    """One open (or, for released people, closed) prison period per person, plus closed prior periods."""
    n = cohort.n
    person = np.concatenate([np.arange(n, dtype=np.int64), priors.person])
    start = np.concatenate([cohort.custody_start, priors.custody_start])
    end = np.concatenate([cohort.release, priors.release])
    open_end = np.concatenate([cohort.in_custody, np.zeros(priors.person.size, bool)])
    facility = np.concatenate([cohort.facility, pick(rng, vocab.MO_FACILITIES, priors.person.size)])
    # Codes into _REASONS.
    reason = np.concatenate([cohort.released.astype(np.int64), np.full(priors.person.size, 2, np.int64)])
    return pl.DataFrame(
        {
            **person_row_keys("CP", person),
            "custody_type": pl.Series(["prison"]).gather(np.zeros(person.size, np.int64)),
            "facility": text(facility, vocab.FEDERAL_FACILITIES + vocab.MO_FACILITIES),
            "start_date": dates(start),
            "end_date": dates(end, open_end),
            "reason": labels(_REASONS, reason),
        }
    )


def release_table(rng: np.random.Generator, cohort: Cohort, priors: Priors) -> pl.DataFrame:
    """Releases of people already out, and of Missouri prior commitments (each followed by a return)."""
    released = np.flatnonzero(cohort.released)
    federal = cohort.federal[released]
    current_type = np.where(federal, draw(rng, _FEDERAL_RELEASE, released.size), draw(rng, _MO_RELEASE, released.size))
    prior = priors.person
    first_of_person = np.r_[True, prior[1:] != prior[:-1]] if prior.size else np.zeros(0, bool)
    previous_start = np.r_[0, priors.custody_start[:-1]] if prior.size else np.zeros(0, np.int64)
    next_start = np.where(first_of_person, cohort.custody_start[prior], previous_start)

    person = np.concatenate([released, prior])
    release_day = np.concatenate([cohort.release[released], priors.release])
    release_type = np.concatenate([current_type, draw(rng, _MO_PRIOR_RELEASE, prior.size)])
    age_at_release = np.floor((release_day - cohort.birth[person]) / DAYS_PER_YEAR).astype(np.int64)
    returned = np.concatenate([np.zeros(released.size, bool), np.ones(prior.size, bool)])
    days_to_return = np.concatenate([np.zeros(released.size, np.int64), next_start - priors.release])
    current = np.arange(person.size) < released.size
    return pl.DataFrame(
        {
            **person_row_keys("R", person),
            "release_date": dates(release_day),
            "release_type": text(release_type, ENUMS["release_type"]),
            "age_at_release": pl.Series(age_at_release).cast(pl.String),
            "supervising_district": text(cohort.release_area[person], vocab.FEDERAL_AREAS + vocab.MO_AREAS),
            # Follow-up of recent releases is incomplete: unknown, not "no".
            "returned_to_prison": pl.Series(returned).scatter(np.flatnonzero(current), None),
            "days_to_return": pl.Series(days_to_return).scatter(np.flatnonzero(current), None),
            "return_type": with_nulls(pl.Series(["New offense"]).gather(np.zeros(person.size, np.int64)), current),
        }
    )
