"""Disciplinary incidents during the current custody period."""

from __future__ import annotations

import numpy as np
import polars as pl

from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import (
    DAYS_PER_YEAR,
    dates,
    draw_codes,
    group_positions,
    labels,
    person_row_keys,
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
    levels = list(cal.INCIDENT_SEVERITY)
    severity = draw_codes(rng, cal.INCIDENT_SEVERITY, rows)
    # The long-served nonviolent drug cases have only moderate or low, nonviolent incidents.
    serious = np.isin(severity, [levels.index("greatest"), levels.index("high")])
    severity = np.where(candidate & serious, levels.index("moderate"), severity)
    violent_share = np.array([_VIOLENT_SHARE[level] for level in levels])[severity]
    violent = (rng.random(rows) < violent_share) & ~candidate

    # Incident types as codes into one flat list of the options for each (severity, violence).
    type_options = [t for options in vocab.INCIDENT_TYPES.values() for t in options]
    incident_type = np.zeros(rows, dtype=np.int64)
    first = 0
    for (level, is_violent), options in vocab.INCIDENT_TYPES.items():
        mask = (severity == levels.index(level)) & (violent == is_violent)
        incident_type[mask] = first + rng.integers(0, len(options), int(mask.sum()))
        first += len(options)
    low = np.array([cal.GCT_DAYS_LOST_RANGE[level][0] for level in levels])[severity]
    high = np.array([cal.GCT_DAYS_LOST_RANGE[level][1] for level in levels])[severity]
    lost = low + np.floor(rng.random(rows) * (high - low + 1)).astype(np.int64)
    lesser = np.isin(severity, [levels.index("moderate"), levels.index("low")]) & (rng.random(rows) < 1 / 3)
    lost[lesser] = 0
    federal = cohort.federal[owner]
    # Good conduct time is federal (18 U.S.C. § 3624(b)); Missouri incidents carry no GCT figure.
    lost_unknown = ~federal | (rng.random(rows) < cal.MISSING_RATES["incident_gct_days_lost"])
    missing = cal.MISSING_RATES
    return pl.DataFrame(
        {
            **person_row_keys("I", owner),
            "incident_date": dates(day),
            "incident_type": labels(type_options, incident_type),
            "severity": labels(levels, severity, rng.random(rows) < missing["incident_severity"]),
            "violent": with_nulls(pl.Series(violent), rng.random(rows) < missing["incident_violent"]),
            "sanction": labels([vocab.SANCTIONS[level] for level in levels], severity),
            "gct_days_lost": with_nulls(pl.Series(lost), lost_unknown),
        }
    )
