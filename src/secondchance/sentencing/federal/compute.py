"""`compute_federal`: every federal date for one term, with the timeline that explains it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from secondchance.sentencing.federal.gct import GctMethod, gct_fsa, gct_pre_fsa, term_end_exclusive
from secondchance.sentencing.federal.holidays import preceding_release_day
from secondchance.sentencing.federal.prerelease import (
    home_confinement_cap_days,
    home_confinement_date,
    rrc_date,
)
from secondchance.sentencing.federal.rdap import rdap_reduction_months, rdap_release_date
from secondchance.sentencing.federal.time_credits import (
    RISK_LEVELS,
    FtcConvention,
    RiskLevel,
    earning_start,
    project_time_credits,
)
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term, check_in_supported_range, full_term_date
from secondchance.sentencing.timeline import Timeline

__all__ = ["FederalResult", "compute_federal", "rule_profile", "UNSUPPORTED_TYPES", "METHODS"]

METHODS: tuple[GctMethod, ...] = ("fsa", "pre-fsa")
UNSUPPORTED_TYPES = ("life", "life_without_parole", "death")
_PROFILE_DATES = {"fsa": "2022-03-14", "pre-fsa": "1987-11-01"}  # 87 FR 7938 effective; SRA § 3624 effective


def rule_profile(method: GctMethod, convention: FtcConvention = "fixed-point") -> str:
    """The rule profile recorded beside computed dates, e.g. `federal-fsa@2022-03-14`."""
    suffix = "+handout" if convention == "handout" else ""
    return f"federal-{method}@{_PROFILE_DATES[method]}{suffix}"


@dataclass
class FederalResult:
    """Every date and day count the engine computes for one federal term."""

    commencement_date: date
    term: Term
    term_days: int  # days in the term imposed, counted from commencement as day 1
    jail_credit_days: int
    full_term_date: date
    method: GctMethod
    gct_days: int  # after days disallowed or forfeited
    gct_days_lost: int
    release_date: date  # GCT release date, before RDAP and time credits (not moved for weekends)
    rdap_release_date: date | None
    ftc_days: int | None  # NULL when the risk level is unknown
    ftc_applied_days: int | None
    supervised_release_date: date | None
    prerelease_custody_date: date | None
    rrc_date: date | None
    home_confinement_date: date | None
    home_confinement_cap_days: int
    projected_release_date: date  # leaving BOP custody, moved off weekends and holidays
    rule_profile: str
    timeline: Timeline = field(default_factory=Timeline)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (dates as ISO text)."""
        data: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, date):
                data[name] = value.isoformat()
            elif isinstance(value, Timeline):
                data[name] = value.to_list()
            elif isinstance(value, Term):
                data[name] = str(value)
            else:
                data[name] = value
        return data


def _check_inputs(
    commencement: date | None,
    term: Term | None,
    sentence_type: str,
    jail_credit_days: int,
    gct_days_lost: int,
    method: str,
    risk_level: str | None,
    supervised_release_months: int | None,
) -> tuple[date, Term, int]:
    if sentence_type in UNSUPPORTED_TYPES:
        raise ManualReview(
            ReasonCode.UNSUPPORTED_SENTENCE_TYPE,
            f"{sentence_type} sentence: no good conduct time (18 U.S.C. § 3624(b)(1)) and no release date",
        )
    if commencement is None:
        raise ManualReview(ReasonCode.MISSING_COMMENCEMENT_DATE, "no commencement date (18 U.S.C. § 3585(a))")
    if term is None or (term.months == 0 and term.days == 0):
        raise ManualReview(ReasonCode.MISSING_TERM, "no term of imprisonment")
    check_in_supported_range(commencement, term)
    if method not in METHODS:
        raise ManualReview(ReasonCode.UNSUPPORTED_SENTENCE_TYPE, f"computation method {method} is not fsa or pre-fsa")
    if risk_level is not None and risk_level not in RISK_LEVELS:
        raise ManualReview(
            ReasonCode.UNSUPPORTED_SENTENCE_TYPE, f"risk level {risk_level} is not minimum, low, medium or high"
        )
    if jail_credit_days < 0 or gct_days_lost < 0 or (supervised_release_months or 0) < 0:
        raise ManualReview(ReasonCode.CONFLICTING_CREDITS, "a credit or day count is negative")
    term_days = (term_end_exclusive(commencement, term) - commencement).days
    if jail_credit_days >= term_days:
        raise ManualReview(
            ReasonCode.CONFLICTING_CREDITS,
            f"jail credit of {jail_credit_days} days is not less than the term of {term_days} days",
        )
    return commencement, term, term_days


def compute_federal(
    commencement: date | None,
    term: Term | None,
    *,
    jail_credit_days: int = 0,
    method: GctMethod = "fsa",
    has_diploma: bool = True,
    gct_days_lost: int = 0,
    risk_level: RiskLevel | None = None,
    excluded_offense: bool = False,
    final_order_of_removal: bool = False,
    rdap: bool = False,
    supervised_release_months: int | None = None,
    sentence_type: str = "determinate",
    ftc_convention: FtcConvention = "fixed-point",
    arrival_date: date | None = None,
) -> FederalResult:
    """Full term, GCT, RDAP, FSA time credit and Second Chance Act dates for one federal term.

    Raises `ManualReview` for inputs the engine will not guess at (life, missing dates, conflicting credits).
    `risk_level` None means unknown: credits are then not projected. `supervised_release_months` None
    means a term of supervised release was imposed but its length is not known (docs/sentencing-federal.md).
    """
    start, term, term_days = _check_inputs(
        commencement,
        term,
        sentence_type,
        jail_credit_days,
        gct_days_lost,
        method,
        risk_level,
        supervised_release_months,
    )
    timeline = Timeline()
    timeline.add("commencement", f"Term of {term} commences; this is day 1.", "18 U.S.C. § 3585(a)", on=start)
    full_term = full_term_date(start, term, jail_credit_days)
    if jail_credit_days:
        timeline.add(
            "jail_credit",
            f"{jail_credit_days} days of prior custody credit shorten the full term day for day.",
            "18 U.S.C. § 3585(b)",
            days=-jail_credit_days,
        )
    timeline.add("full_term", "Last day of the full term.", "18 U.S.C. § 3585", on=full_term)

    gross = (
        gct_fsa(start, term, has_diploma=has_diploma)
        if method == "fsa"
        else gct_pre_fsa(start, term, has_diploma=has_diploma)
    )
    rate = "54" if has_diploma else "42 (no diploma or progress, 28 CFR 523.20(c)(2))"
    if method == "fsa":
        gct_rule = "18 U.S.C. § 3624(b)(1); 87 FR 7938 Table 1"
        gct_text = f"{gross} days of good conduct time: {rate} days for each year of the sentence imposed."
    else:
        gct_rule = "BOP PS 5880.28; Barber v. Thomas, 560 U.S. 474 (2010)"
        gct_text = f"{gross} days of good conduct time: {rate} days for each year served (time-served method)."
    if gross == 0:
        gct_text = "No good conduct time: only a term of more than 1 year earns it."
    timeline.add("gct", gct_text, gct_rule, days=-gross)
    gct = max(gross - gct_days_lost, 0)
    if gct_days_lost:
        timeline.add(
            "gct_lost",
            f"{gct_days_lost} days disallowed or forfeited for incidents ({gross - gct} taken off the GCT).",
            "28 CFR 523.20; 28 CFR 541.3",
            days=gross - gct,
        )
    release = max(full_term - timedelta(days=gct), start)
    timeline.add("release", "Release date from good conduct time.", "18 U.S.C. § 3624(a)", on=release)
    if full_term - timedelta(days=gct) < start:
        timeline.add(
            "release_at_commencement",
            "Credits exceed the time left: release is due on the commencement date (time served).",
            "18 U.S.C. § 3624(a)",
            on=start,
        )

    custody_end = release
    rdap_release: date | None = None
    if rdap:
        months = rdap_reduction_months(start, term)
        rdap_release = rdap_release_date(release, months, start)
        custody_end = rdap_release
        timeline.add(
            "rdap",
            f"RDAP completion reduces the term by {months} months ({(release - rdap_release).days} days).",
            "18 U.S.C. § 3621(e)(2)(B); BOP PS 5331.02 § 11",
            on=rdap_release,
            days=-(release - rdap_release).days,
        )

    has_supervised_release = supervised_release_months != 0
    ftc_days: int | None
    applied: int | None
    supervised_release: date | None
    prerelease: date | None = None
    leaves_prison = custody_end
    if excluded_offense:
        ftc_days, applied = 0, 0
        timeline.add(
            "ftc_ineligible", "A conviction on the excluded list earns no time credits.", "18 U.S.C. § 3632(d)(4)(D)"
        )
        supervised_release = custody_end if has_supervised_release else None
    elif risk_level is None:
        ftc_days, applied, supervised_release = None, None, None
        timeline.add("ftc_unknown", "Risk level unknown: time credits are not projected.", "18 U.S.C. § 3632(d)(4)")
    else:
        projection = project_time_credits(
            earning_start(start, arrival_date),
            custody_end,
            risk_level,
            final_order_of_removal=final_order_of_removal,
            has_supervised_release=has_supervised_release,
            convention=ftc_convention,
        )
        ftc_days, applied = projection.earned_days, projection.applied_days
        rate_text = (
            "10 days per 30-day period, 15 from period 8"
            if risk_level in ("minimum", "low")
            else "10 days per 30-day period"
        )
        timeline.add(
            "ftc_earned",
            f"{ftc_days} days of time credits earned ({rate_text}, {risk_level} risk).",
            "18 U.S.C. § 3632(d)(4)(A); 28 CFR 523.42",
            days=ftc_days,
        )
        if final_order_of_removal:
            timeline.add(
                "ftc_not_applied",
                "A final order of removal: credits are earned but cannot be applied.",
                "18 U.S.C. § 3632(d)(4)(E)",
            )
        elif risk_level in ("medium", "high"):
            timeline.add(
                "ftc_not_applied",
                f"{risk_level.capitalize()} risk: credits are earned but cannot be applied.",
                "18 U.S.C. § 3624(g)(1)(B)",
            )
        leaves_prison = custody_end - timedelta(days=projection.supervised_release_days)
        supervised_release = leaves_prison if has_supervised_release else None
        if projection.supervised_release_days:
            timeline.add(
                "ftc_supervised_release",
                f"{projection.supervised_release_days} days of credits advance supervised release.",
                "18 U.S.C. § 3624(g)(3)",
                on=leaves_prison,
                days=-projection.supervised_release_days,
            )
        if projection.prerelease_days:
            prerelease = custody_end - timedelta(days=applied)
            timeline.add(
                "ftc_prerelease_custody",
                f"{projection.prerelease_days} days of credits advance transfer to prerelease custody (RRC or home).",
                "18 U.S.C. § 3624(g)(2)",
                on=prerelease,
                days=-projection.prerelease_days,
            )

    sca_base = prerelease if prerelease is not None else leaves_prison
    cap = home_confinement_cap_days(term_days)
    rrc = rrc_date(sca_base, start)
    home = home_confinement_date(sca_base, term_days, start)
    timeline.add(
        "sca_rrc", "Earliest residential reentry centre placement (up to 12 months).", "18 U.S.C. § 3624(c)(1)", on=rrc
    )
    timeline.add(
        "sca_home_confinement",
        f"Earliest home confinement: the shorter of 10% of the term or 6 months ({cap} days).",
        "18 U.S.C. § 3624(c)(2)",
        on=home,
        days=-cap,
    )
    projected = preceding_release_day(leaves_prison)
    if projected < start:  # a release due on a weekend commencement day cannot move before the term began
        projected = leaves_prison
    if projected != leaves_prison:
        timeline.add(
            "weekend_move",
            f"{leaves_prison:%A} {leaves_prison.isoformat()} is a weekend day or federal holiday: "
            "release may be on the last preceding weekday.",
            "18 U.S.C. § 3624(a)",
            on=projected,
            days=-(leaves_prison - projected).days,
        )
    return FederalResult(
        commencement_date=start,
        term=term,
        term_days=term_days,
        jail_credit_days=jail_credit_days,
        full_term_date=full_term,
        method=method,
        gct_days=gct,
        gct_days_lost=gct_days_lost,
        release_date=release,
        rdap_release_date=rdap_release,
        ftc_days=ftc_days,
        ftc_applied_days=applied,
        supervised_release_date=supervised_release,
        prerelease_custody_date=prerelease,
        rrc_date=rrc,
        home_confinement_date=home,
        home_confinement_cap_days=cap,
        projected_release_date=projected,
        rule_profile=rule_profile(method, ftc_convention),
        timeline=timeline,
    )
