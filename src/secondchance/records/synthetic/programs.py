"""Programmes, their offerings (cohorts with seats) and enrolments, with seats far below need.

Each offering's seats come from the cited coverage ratios applied to the need at its facility;
referrals are placed first come, first served, and the overflow waits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from secondchance.records.synthetic import calibration as cal
from secondchance.records.synthetic import vocabulary as vocab
from secondchance.records.synthetic._arrays import Bools, Ints, dates, labels, source_ids, uniform_int, with_nulls
from secondchance.records.synthetic.assessments import Needs
from secondchance.records.synthetic.people import Cohort

__all__ = ["ProgramTables", "program_tables"]

# ASSUMPTION: individual therapy gets a third of the therapy seats, group therapy two thirds.
_INDIVIDUAL_THERAPY_SHARE = 1.0 / 3.0
_DROP_OUT_SHARE = 0.15  # ASSUMPTION
_STATUSES = ("completed", "dropped", "enrolled", "referred", "waitlisted")
_REASONS = (
    "Completed the programme",
    "Left the programme",
    "In the programme",
    "Placed in the next cohort",
    "No seat available",
)


@dataclass
class ProgramTables:
    program: pl.DataFrame
    offering: pl.DataFrame
    enrollment: pl.DataFrame
    need_by_program: dict[str, int]  # people in custody who qualify, per programme source id
    seats_by_program: dict[str, int]  # seats a year across its offerings


def _qualifies(key: str, needs: Needs, cohort: Cohort) -> Bools:
    """Who a programme's referral is for: high mental-health need for individual therapy, else need >= 2."""
    level = needs.levels
    result: Bools
    if key == "IT":
        result = level["mental_health"] >= 3
    elif key == "TG":
        result = (level["trauma"] >= 2) | (level["mental_health"] == 2)
    elif key == "RE":
        soon = (cohort.release >= cohort.as_of) & (cohort.release - cohort.as_of <= 365)
        result = soon & ((level["housing"] >= 2) | (level["employment"] >= 2) | (level["family"] >= 2))
    else:
        primary = {"SU": "substance_use", "CB": "cognitive_behavioral", "ED": "education", "VT": "employment"}
        result = level[primary.get(key, "family")] >= 2
    return result


def _annual_seat_ratio(key: str, federal: bool) -> float:
    """Seats a year per person in need, from calibration."""
    if key in ("IT", "TG"):
        treated = (
            cal.TREATED_SHARE_OF_MENTAL_HEALTH_NEED_FEDERAL
            if federal
            else cal.TREATED_SHARE_OF_MENTAL_HEALTH_NEED_STATE
        )
        return treated * (_INDIVIDUAL_THERAPY_SHARE if key == "IT" else 1 - _INDIVIDUAL_THERAPY_SHARE)
    if key == "SU":
        return cal.RDAP_ANNUAL_SEATS_PER_SUD_NEED
    return cal.OTHER_PROGRAM_SEATS_PER_NEED


def program_tables(rng: np.random.Generator, cohort: Cohort, needs: Needs) -> ProgramTables:
    """Build programmes per system present, offerings per facility, and enrolments."""
    systems = [s for s, present in (("federal", cohort.federal.any()), ("us-mo", (~cohort.federal).any())) if present]
    in_custody = cohort.in_custody
    program_rows: list[dict[str, object]] = []
    offering_parts: list[dict[str, np.ndarray]] = []
    enrollment_parts: list[dict[str, np.ndarray]] = []
    need_by_program: dict[str, int] = {}
    seats_by_program: dict[str, int] = {}
    offering_count = 0
    for system in systems:
        is_federal = system == "federal"
        facilities = vocab.FEDERAL_FACILITIES if is_federal else vocab.MO_FACILITIES
        in_system = cohort.federal == is_federal
        facility_index = np.searchsorted(np.array(facilities), cohort.facility)
        for key, name, program_type, addresses, duration, evidence_based in vocab.PROGRAMS:
            program_id = len(program_rows) + 1
            program_source = f"SYN-PG-{'FED' if is_federal else 'MO'}-{key}"
            program_rows.append(
                {
                    "id": program_id,
                    "source_id": program_source,
                    "name": name,
                    "program_type": program_type,
                    "addresses_needs": ";".join(addresses),
                    "duration_days": duration,
                    "evidence_based": evidence_based if is_federal else None,
                }
            )
            qualifies = _qualifies(key, needs, cohort) & in_custody & in_system
            need_per_facility = np.bincount(facility_index[qualifies], minlength=len(facilities))
            cohorts_a_year = max(1, min(4, round(365 / duration)))
            spacing = 365 // cohorts_a_year
            annual = _annual_seat_ratio(key, is_federal) * need_per_facility
            seats = np.maximum(1, np.ceil(annual / cohorts_a_year)).astype(np.int64)
            offset = uniform_int(rng, 1, spacing - 1, len(facilities))
            # Cohorts over the past year and one after the reference date, per facility.
            k = np.arange(cohorts_a_year + 1)
            starts = cohort.as_of - 365 + offset[:, None] + k[None, :] * spacing
            starts[:, -1] = cohort.as_of + offset
            n_offerings = starts.size
            offering_ids = offering_count + 1 + np.arange(n_offerings, dtype=np.int64).reshape(starts.shape)
            offering_count += n_offerings
            offering_parts.append(
                {
                    "id": offering_ids.ravel(),
                    "program_id": np.full(n_offerings, program_id),
                    "program_source_id": np.full(n_offerings, program_source),
                    "facility": np.repeat(np.array(facilities), cohorts_a_year + 1),
                    "start_date": starts.ravel(),
                    "seats": np.repeat(seats, cohorts_a_year + 1),
                }
            )
            need_by_program[program_source] = int(qualifies.sum())
            seats_by_program[program_source] = int(seats.sum() * cohorts_a_year)

            people = np.flatnonzero(qualifies)
            fac = facility_index[people]
            chosen = rng.integers(0, cohorts_a_year + 1, size=people.size)
            offering_start = starts[fac, chosen]
            too_early = offering_start < cohort.custody_start[people] + 14
            chosen = np.where(too_early, cohorts_a_year, chosen)
            offering_start = starts[fac, chosen]
            offering = offering_ids[fac, chosen]
            referred = offering_start - uniform_int(rng, 14, 180, people.size)
            referred = np.minimum(np.maximum(referred, cohort.custody_start[people]), cohort.as_of)
            order = np.lexsort((people, referred, offering))
            rank = _rank_within(offering[order])
            placed = np.empty(people.size, dtype=bool)
            placed[order] = rank < seats[fac[order]]
            enrollment_parts.append(
                {
                    "person": people,
                    "program_id": np.full(people.size, program_id),
                    "offering": offering,
                    "placed": placed,
                    "offering_start": offering_start,
                    "duration": np.full(people.size, duration),
                    "referred": referred,
                }
            )

    program = pl.DataFrame(program_rows, schema_overrides={"evidence_based": pl.Boolean})
    offerings = _concat(offering_parts)
    offering_table = pl.DataFrame(
        {
            "id": offerings["id"],
            "program_id": offerings["program_id"],
            "source_id": source_ids("PO", offerings["id"]),
            "program_source_id": offerings["program_source_id"],
            "facility": offerings["facility"],
            "start_date": dates(offerings["start_date"]),
            "seats": offerings["seats"],
        }
    )
    return ProgramTables(
        program=program,
        offering=offering_table,
        enrollment=_enrollment_table(rng, cohort, _concat(enrollment_parts), list(need_by_program)),
        need_by_program=need_by_program,
        seats_by_program=seats_by_program,
    )


def _enrollment_table(
    rng: np.random.Generator, cohort: Cohort, part: dict[str, np.ndarray], program_sources: list[str]
) -> pl.DataFrame:
    rows = part["person"].size
    start = part["offering_start"]
    placed = part["placed"]
    duration = part["duration"]
    as_of = cohort.as_of
    past = placed & (start + duration <= as_of)
    current = placed & (start <= as_of) & ~past
    future = placed & (start > as_of)
    dropped = past & (rng.random(rows) < _DROP_OUT_SHARE)
    completed = past & ~dropped
    # Codes into _STATUSES and _REASONS, which run in the same order.
    status = np.where(completed, 0, np.where(dropped, 1, np.where(current, 2, np.where(future, 3, 4)))).astype(np.int64)
    end = np.where(completed, start + duration, start + 1 + np.floor(rng.random(rows) * (duration - 1)))
    ids = np.arange(1, rows + 1, dtype=np.int64)
    offering = part["offering"].astype(np.int64)
    return pl.DataFrame(
        {
            "id": ids,
            "person_id": part["person"] + 1,
            "program_id": part["program_id"],
            "offering_id": with_nulls(pl.Series(offering), ~placed),
            "source_id": source_ids("E", ids),
            "person_source_id": source_ids("P", part["person"] + 1),
            "program_source_id": labels(program_sources, part["program_id"] - 1),
            "offering_source_id": with_nulls(source_ids("PO", offering), ~placed),
            "status": labels(_STATUSES, status),
            "referred_on": dates(part["referred"]),
            "start_date": dates(start, ~(past | current)),
            "end_date": dates(end.astype(np.int64), ~past),
            "reason": labels(_REASONS, status),
        }
    )


def _rank_within(groups: Ints) -> Ints:
    """Position of each row within its run of equal (sorted) group values."""
    if groups.size == 0:
        return groups
    first = np.r_[True, groups[1:] != groups[:-1]]
    run_start = np.maximum.accumulate(np.where(first, np.arange(groups.size), 0))
    return np.arange(groups.size) - run_start


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if not parts:
        return {}
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
