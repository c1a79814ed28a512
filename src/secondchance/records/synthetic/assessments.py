"""Risk and needs assessments dated within custody; the latest one carries the person's current needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from secondchance.records.schema import NEED_DOMAINS
from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic._arrays import (
    Ints,
    dates,
    draw,
    draw_codes,
    group_positions,
    labels,
    person_row_keys,
    with_nulls,
)
from secondchance.records.synthetic.people import Cohort

__all__ = ["Needs", "draw_needs", "assessment_table"]

# ASSUMPTION: domains without a published prevalence used here (levels 0-3).
_OTHER_NEED = {"0": 0.40, "1": 0.25, "2": 0.20, "3": 0.15}
# ASSUMPTION: risk levels of the latest assessment.
_RISK = {"minimum": 0.25, "low": 0.30, "medium": 0.25, "high": 0.20}
# ASSUMPTION: scores are synthetic 0-100 values inside a band per risk level (not a real tool's scale).
RISK_LEVELS = tuple(_RISK)
_SCORE_BAND = {"minimum": (0, 20), "low": (21, 40), "medium": (41, 60), "high": (61, 100)}
_EDUCATION_NEED = {"none": 3, "some_high_school": 3, "ged": 1, "high_school": 0, "some_college": 0, "degree": 0}


@dataclass
class Needs:
    """Each person's current need levels by domain (-1 where unknown) and risk level (index into
    `RISK_LEVELS`, -1 where unknown)."""

    levels: dict[str, Ints]
    risk: Ints


def draw_needs(rng: np.random.Generator, cohort: Cohort, education_known: np.ndarray) -> Needs:
    """Current needs, calibrated to the cited prevalences of mental-health and drug problems."""
    n = cohort.n
    u = rng.random(n)
    # Serious psychological distress -> 3; the rest of the history-of-a-problem group -> 2 (bjs-mental-health-2017).
    mental = np.where(
        u < cal.SHARE_SERIOUS_PSYCHOLOGICAL_DISTRESS, 3, np.where(u < cal.SHARE_MENTAL_HEALTH_HISTORY, 2, 0)
    )
    mental = np.where((mental == 0) & (rng.random(n) < 0.15), 1, mental)  # ASSUMPTION: some low need
    sud_share = np.where(
        cohort.federal, cal.SHARE_DRUG_DEPENDENCE_OR_ABUSE_FEDERAL, cal.SHARE_DRUG_DEPENDENCE_OR_ABUSE_STATE
    )
    dependence_share = sud_share * cal.DEPENDENCE_TO_ABUSE_RATIO / (cal.DEPENDENCE_TO_ABUSE_RATIO + 1)
    v = rng.random(n)
    substance = np.where(v < dependence_share, 3, np.where(v < sud_share, 2, 0))
    levels: dict[str, Ints] = {}
    for domain in NEED_DOMAINS:
        if domain == "mental_health":
            levels[domain] = mental.astype(np.int64)
        elif domain == "substance_use":
            levels[domain] = substance.astype(np.int64)
        elif domain == "education":
            mapped = np.zeros(n, dtype=np.int64)
            for level, need in _EDUCATION_NEED.items():
                mapped[cohort.education == level] = need
            levels[domain] = np.where(education_known, mapped, -1)
        else:
            levels[domain] = draw(rng, _OTHER_NEED, n).astype(np.int64)
    risk = draw_codes(rng, _RISK, n)
    risk = np.where(rng.random(n) < cal.MISSING_RATES["risk_level"], -1, risk)
    return Needs(levels=levels, risk=risk)


def assessment_table(rng: np.random.Generator, cohort: Cohort, needs: Needs) -> pl.DataFrame:
    """One to three assessments per person within custody; the latest matches `needs`."""
    served = cohort.custody_end - cohort.custody_start
    counts = (1 + (served > 365) + (served > 3 * 365)).astype(np.int64)
    owner, position = group_positions(counts)
    rows = owner.size
    start = cohort.custody_start[owner]
    end = np.maximum(cohort.custody_end[owner] - 1, start)
    intake = np.minimum(start + 7 + np.floor(rng.random(rows) * 53).astype(np.int64), end)
    later = intake + np.floor(rng.random(rows) * (end - intake + 1)).astype(np.int64)
    day = np.where(position == 0, intake, later)
    order = np.lexsort((day, owner))  # chronological within each person
    day = day[order]
    # After sorting, positions run 0..count-1 again; the last is the latest assessment.
    latest = position == counts[owner] - 1
    federal = cohort.federal[owner]
    columns: dict[str, object] = {}
    for domain in NEED_DOMAINS:
        current = needs.levels[domain][owner]
        earlier = np.minimum(3, current + (rng.random(rows) < 0.3))  # needs fall as programmes are completed
        value = np.where(latest, current, np.where(current < 0, -1, earlier))
        columns[f"need_{domain}"] = with_nulls(pl.Series(value.astype(np.int64)), value < 0)
    risk = needs.risk[owner]
    minimum, low_level = RISK_LEVELS.index("minimum"), RISK_LEVELS.index("low")
    risk = np.where(~federal & (risk == minimum), low_level, risk)  # ORAS has no minimum level
    unknown_risk = risk < 0
    known = np.maximum(risk, 0)
    low = np.array([_SCORE_BAND[level][0] for level in RISK_LEVELS])[known]
    high = np.array([_SCORE_BAND[level][1] for level in RISK_LEVELS])[known]
    score = (low + np.floor(rng.random(rows) * (high - low + 1))).astype(np.float64)
    tool = federal.astype(np.int64)
    return pl.DataFrame(
        {
            **person_row_keys("A", owner),
            "tool": labels(("oras", "pattern"), tool),
            "scale": labels(("Prison Intake Tool", "General"), tool),
            "assessed_on": dates(day),
            "score": with_nulls(pl.Series(score), unknown_risk),
            "risk_level": labels(RISK_LEVELS, known, unknown_risk),
            **columns,
        }
    )
