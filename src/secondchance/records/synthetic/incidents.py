"""Disciplinary incidents during the current custody period."""

from __future__ import annotations

import numpy as np
import polars as pl

from secondchance.records.schema import ENUMS
from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import (
    DAYS_PER_YEAR,
    dates,
    draw,
    group_positions,
    source_ids,
    text,
    with_nulls,
)
from secondchance.records.synthetic.people import Cohort

__all__ = ["incident_table"]

# ASSUMPTION: share of incidents of each severity that involve violence against a person.
_VIOLENT_SHARE = {"greatest": 0.5, "high": 0.3, "moderate": 0.05, "low": 0.02}


def incident_table(rng: np.random.Generator, cohort: Cohort) -> pl.DataFrame:
    """Incidents for the 53% who violate rules (bjs-rule-violators-1989), dated within custody."""
    n = cohort.n
    start = cohort.custody_start
    end = cohort.custody_end
    served_years = (end - start) / DAYS_PER_YEAR
    violator = (rng.random(n) < cal.SHARE_WITH_RULE_VIOLATION) & (end - start > 30)
    extra = rng.poisson(cal.INCIDENTS_EXTRA_PER_YEAR * np.minimum(served_years, 10.0))
    counts = np.where(violator, 1 + extra, 0).astype(np.int64)
    owner, _ = group_positions(counts)
    rows = owner.size
    day = start[owner] + np.floor(rng.random(rows) * (end[owner] - start[owner])).astype(np.int64)
    order = np.lexsort((day, owner))
    day = day[order]
    candidate = cohort.candidate[owner]
    severity = draw(rng, cal.INCIDENT_SEVERITY, rows)
    # The long-served nonviolent drug cases have only moderate or low, nonviolent incidents.
    severity = np.where(candidate & np.isin(severity, ["greatest", "high"]), "moderate", severity)
    violent_share = np.zeros(rows)
    for level, share in _VIOLENT_SHARE.items():
        violent_share[severity == level] = share
    violent = (rng.random(rows) < violent_share) & ~candidate

    incident_type = np.full(rows, "", dtype="<U48")
    for (level, is_violent), options in vocab.INCIDENT_TYPES.items():
        mask = (severity == level) & (violent == is_violent)
        incident_type[mask] = np.array(options)[rng.integers(0, len(options), int(mask.sum()))]
    sanction = np.full(rows, "", dtype="<U64")
    lost = np.zeros(rows, dtype=np.int64)
    for level, wording in vocab.SANCTIONS.items():
        mask = severity == level
        sanction[mask] = wording
        low, high = cal.GCT_DAYS_LOST_RANGE[level]
        lost[mask] = low + np.floor(rng.random(int(mask.sum())) * (high - low + 1)).astype(np.int64)
    lesser = np.isin(severity, ["moderate", "low"]) & (rng.random(rows) < 1 / 3)
    lost[lesser] = 0
    federal = cohort.federal[owner]
    # Good conduct time is federal (18 U.S.C. § 3624(b)); Missouri incidents carry no GCT figure.
    lost_unknown = ~federal | (rng.random(rows) < cal.MISSING_RATES["incident_gct_days_lost"])
    ids = np.arange(1, rows + 1, dtype=np.int64)
    missing = cal.MISSING_RATES
    return pl.DataFrame(
        {
            "id": ids,
            "person_id": owner + 1,
            "source_id": source_ids("I", ids),
            "person_source_id": source_ids("P", owner + 1),
            "incident_date": dates(day),
            "incident_type": text(incident_type, [t for types in vocab.INCIDENT_TYPES.values() for t in types]),
            "severity": text(severity, ENUMS["incident_severity"], rng.random(rows) < missing["incident_severity"]),
            "violent": with_nulls(pl.Series(violent), rng.random(rows) < missing["incident_violent"]),
            "sanction": text(sanction, list(vocab.SANCTIONS.values())),
            "gct_days_lost": with_nulls(pl.Series(lost), lost_unknown),
        }
    )
