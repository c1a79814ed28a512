"""`compute_federal`: every federal date for one term, with the timeline that explains it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from secondchance.sentencing.conventions import LIFE_SENTENCE_TYPES
from secondchance.sentencing.federal.gct import (
    FULL_RATE,
    GctMethod,
    annual_rate,
    gct_fsa,
    gct_pre_fsa,
    term_end_exclusive,
)
from secondchance.sentencing.federal.holidays import preceding_release_day
from secondchance.sentencing.federal.literacy import RateFacts, reduced_rate_applies, unsettled_rate_facts
from secondchance.sentencing.federal.prerelease import (
    home_confinement_cap_days,
    home_confinement_date,
    rrc_date,
)
from secondchance.sentencing.federal.rdap import RdapStatus, rdap_completion_date, rdap_outcome
from secondchance.sentencing.federal.time_credits import (
    RISK_LEVELS,
    FtcConvention,
    FtcProjection,
    RiskLevel,
    earning_start,
    project_time_credits,
)
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term, check_in_supported_range, full_term_date
from secondchance.sentencing.timeline import Timeline

__all__ = [
    "FederalResult",
    "compute_federal",
    "rule_profile",
    "UNSUPPORTED_TYPES",
    "METHODS",
    "PROFILE_DATES",
    "PROFILE_SUFFIX",
]

METHODS: tuple[GctMethod, ...] = ("fsa", "pre-fsa")
UNSUPPORTED_TYPES = LIFE_SENTENCE_TYPES
PROFILE_DATES: dict[GctMethod, str] = {"fsa": "2022-03-14", "pre-fsa": "1987-11-01"}  # 87 FR 7938; SRA § 3624
PROFILE_SUFFIX: dict[FtcConvention, str] = {"fixed-point": "", "handout": "+handout"}


def rule_profile(method: GctMethod, convention: FtcConvention = "fixed-point") -> str:
    """The rule profile recorded beside computed dates, e.g. `federal-fsa@2022-03-14`."""
    return f"federal-{method}@{PROFILE_DATES[method]}{PROFILE_SUFFIX[convention]}"


@dataclass
class FederalResult:
    """Every date and day count the engine computes for one federal term."""

    commencement_date: date
    term: Term
    term_days: int  # days in the term imposed, counted from commencement as day 1
    jail_credit_days: int
    full_term_date: date
    method: GctMethod
    gct_rate: int  # days a year: 54, or 42 (28 CFR 523.20(c)(2))
    gct_days: int  # after days disallowed or forfeited
    gct_days_lost: int
    release_date: date  # GCT release date, before RDAP and time credits (not moved for weekends)
    release_date_if_42_days: date | None  # the rate is unknown: the release date at 42 days a year
    rdap_status: RdapStatus | None  # None without RDAP participation
    rdap_release_date: date | None  # only when the reduction is projected
    ftc_days: int | None  # NULL when the risk level is unknown
    ftc_applied_days: int | None
    supervised_release_date: date | None
    prerelease_custody_date: date | None
    prerelease_custody_date_if_approved: date | None  # medium or high risk, no warden's decision recorded
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


@dataclass(frozen=True)
class FederalFacts:
    """The facts of one term beyond its dates; None is unknown where the type allows it."""

    method: GctMethod = "fsa"
    rate: RateFacts = RateFacts()
    gct_days_lost: int = 0
    risk_level: RiskLevel | None = None
    excluded_offense: bool = False
    final_order_of_removal: bool | None = False
    rdap: bool = False
    rdap_barred: bool | None = False
    rdap_completion: date | None = None
    warden_approved: bool | None = None
    supervised_release_months: int | None = None
    ftc_convention: FtcConvention = "fixed-point"
    arrival_date: date | None = None


def _check_inputs(
    commencement: date | None,
    term: Term | None,
    sentence_type: str,
    jail_credit_days: int,
    facts: FederalFacts,
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
    if facts.method not in METHODS:
        raise ManualReview(
            ReasonCode.UNSUPPORTED_SENTENCE_TYPE, f"computation method {facts.method} is not fsa or pre-fsa"
        )
    if facts.risk_level is not None and facts.risk_level not in RISK_LEVELS:
        raise ManualReview(
            ReasonCode.UNSUPPORTED_SENTENCE_TYPE, f"risk level {facts.risk_level} is not minimum, low, medium or high"
        )
    if jail_credit_days < 0 or facts.gct_days_lost < 0 or (facts.supervised_release_months or 0) < 0:
        raise ManualReview(ReasonCode.CONFLICTING_CREDITS, "a credit or day count is negative")
    term_days = (term_end_exclusive(commencement, term) - commencement).days
    if jail_credit_days >= term_days:
        raise ManualReview(
            ReasonCode.CONFLICTING_CREDITS,
            f"jail credit of {jail_credit_days} days is not less than the term of {term_days} days",
        )
    return commencement, term, term_days


@dataclass(frozen=True)
class _Gct:
    rate: int
    gct: int
    release: date
    release_if_42_days: date | None


def _gross_gct(start: date, term: Term, method: GctMethod, rate: int) -> int:
    return gct_fsa(start, term, rate=rate) if method == "fsa" else gct_pre_fsa(start, term, rate=rate)


def _released(full_term: date, gross: int, lost: int, start: date) -> date:
    """Release from GCT less days lost (never below 0), never before commencement (18 U.S.C. § 3624(a))."""
    return max(full_term - timedelta(days=max(gross - lost, 0)), start)


def _alternative_release(start: date, term: Term, full_term: date, facts: FederalFacts, timeline: Timeline) -> date:
    """The release date at 42 days a year when the records cannot settle the rate (docs/decisions/0009)."""
    gross = _gross_gct(start, term, facts.method, annual_rate(True))
    if_42 = _released(full_term, gross, facts.gct_days_lost, start)
    missing = "; nor ".join(unsettled_rate_facts(facts.rate, start))
    timeline.add(
        "gct_rate_unknown",
        f"The 54-day rate is used, but the records do not show {missing}. If 42 days a year apply, release from "
        f"good conduct time is on {if_42.isoformat()}.",
        "28 CFR 523.20(c)(2); 28 CFR 544.73(b)",
        on=if_42,
    )
    return if_42


def _gct_step(start: date, term: Term, full_term: date, facts: FederalFacts, timeline: Timeline) -> _Gct:
    reduced = reduced_rate_applies(facts.rate, start)
    rate = annual_rate(bool(reduced))
    gross = _gross_gct(start, term, facts.method, rate)
    rate_text = f"{rate}" if rate == FULL_RATE else f"{rate} (no diploma and no satisfactory progress toward one)"
    if facts.method == "fsa":
        gct_rule = "18 U.S.C. § 3624(b)(1); 87 FR 7938 Table 1; 28 CFR 523.20(c)(2)"
        gct_text = f"{gross} days of good conduct time: {rate_text} days for each year of the sentence imposed."
    else:
        gct_rule = "BOP PS 5880.28; Barber v. Thomas, 560 U.S. 474 (2010); 28 CFR 523.20(c)(2)"
        gct_text = f"{gross} days of good conduct time: {rate_text} days for each year served (time-served method)."
    if gross == 0:
        gct_text = "No good conduct time: only a term of more than 1 year earns it."
    timeline.add("gct", gct_text, gct_rule, days=-gross)
    gct = max(gross - facts.gct_days_lost, 0)
    if facts.gct_days_lost:
        timeline.add(
            "gct_lost",
            f"{facts.gct_days_lost} days disallowed or forfeited for incidents ({gross - gct} taken off the GCT).",
            "28 CFR 523.20; 28 CFR 541.3",
            days=gross - gct,
        )
    release = _released(full_term, gross, facts.gct_days_lost, start)
    timeline.add("release", "Release date from good conduct time.", "18 U.S.C. § 3624(a)", on=release)
    if full_term - timedelta(days=gct) < start:
        timeline.add(
            "release_at_commencement",
            "Credits exceed the time left: release is due on the commencement date (time served).",
            "18 U.S.C. § 3624(a)",
            on=start,
        )
    if_42 = _alternative_release(start, term, full_term, facts, timeline) if reduced is None and gross > 0 else None
    return _Gct(rate, gct, release, if_42)


def _rdap_step(
    start: date, term: Term, release: date, facts: FederalFacts, timeline: Timeline
) -> tuple[RdapStatus | None, date | None]:
    if not facts.rdap:
        return None, None
    outcome = rdap_outcome(release, start, term, barred=facts.rdap_barred, completion=facts.rdap_completion)
    rule = "18 U.S.C. § 3621(e)(2)(B); BOP PS 5331.02 § 11; 28 CFR 550.55"
    if outcome.release_date is None:
        timeline.add(
            f"rdap_{outcome.status.replace('-', '_')}",
            f"RDAP reduction of {outcome.months} months not projected: {outcome.reason} "
            f"(with it, release would be on {outcome.would_be.isoformat()}).",
            rule,
        )
        return outcome.status, None
    reduced_days = (release - outcome.release_date).days
    timeline.add(
        "rdap",
        f"RDAP completion reduces the term by {outcome.months} months ({reduced_days} days; {outcome.reason}).",
        rule,
        on=outcome.release_date,
        days=-reduced_days,
    )
    return outcome.status, outcome.release_date


@dataclass(frozen=True)
class _Ftc:
    ftc_days: int | None
    applied: int | None
    leaves_prison: date
    supervised_release: date | None
    prerelease: date | None
    if_approved: date | None


def _ftc_not_applied_step(risk: RiskLevel, projection: FtcProjection, facts: FederalFacts, timeline: Timeline) -> None:
    if facts.final_order_of_removal:
        timeline.add(
            "ftc_not_applied",
            "A final order of removal: credits are earned but cannot be applied.",
            "18 U.S.C. § 3632(d)(4)(E)",
        )
        return
    if risk in ("minimum", "low"):
        return
    timeline.add(
        "ftc_supervised_release_needs_low_risk",
        f"{risk.capitalize()} risk: credits do not advance supervised release, which needs minimum or low risk on "
        "the last assessment.",
        "18 U.S.C. § 3624(g)(1)(D)(ii)",
    )
    if projection.if_approved_date is not None:
        timeline.add(
            "ftc_needs_warden_approval",
            "Credits can be applied to prerelease custody if the warden approves a petition (no decision is "
            f"recorded): with that approval, transfer on {projection.if_approved_date.isoformat()}.",
            "18 U.S.C. § 3624(g)(1)(B), (D)(i)(II)",
            on=projection.if_approved_date,
        )
    elif facts.warden_approved is False:
        timeline.add(
            "ftc_not_applied",
            "The warden denied the petition: credits are not applied.",
            "18 U.S.C. § 3624(g)(1)(D)(i)",
        )


def _ftc_step(start: date, custody_end: date, facts: FederalFacts, timeline: Timeline) -> _Ftc:
    has_supervised_release = facts.supervised_release_months != 0
    at_release = custody_end if has_supervised_release else None
    if facts.excluded_offense:
        timeline.add(
            "ftc_ineligible", "A conviction on the excluded list earns no time credits.", "18 U.S.C. § 3632(d)(4)(D)"
        )
        return _Ftc(0, 0, custody_end, at_release, None, None)
    risk = facts.risk_level
    if risk is None:
        timeline.add("ftc_unknown", "Risk level unknown: time credits are not projected.", "18 U.S.C. § 3632(d)(4)")
        return _Ftc(None, None, custody_end, None, None, None)
    projection = project_time_credits(
        earning_start(start, facts.arrival_date),
        custody_end,
        risk,
        final_order_of_removal=bool(facts.final_order_of_removal),
        has_supervised_release=has_supervised_release,
        convention=facts.ftc_convention,
        warden_approved=facts.warden_approved,
    )
    rate_text = (
        "10 days per 30-day period, 15 from period 8" if risk in ("minimum", "low") else "10 days per 30-day period"
    )
    timeline.add(
        "ftc_earned",
        f"{projection.earned_days} days of time credits earned ({rate_text}, {risk} risk).",
        "18 U.S.C. § 3632(d)(4)(A); 28 CFR 523.42",
        days=projection.earned_days,
    )
    _ftc_not_applied_step(risk, projection, facts, timeline)
    leaves_prison = custody_end - timedelta(days=projection.supervised_release_days)
    if projection.supervised_release_days:
        timeline.add(
            "ftc_supervised_release",
            f"{projection.supervised_release_days} days of credits advance supervised release.",
            "18 U.S.C. § 3624(g)(3)",
            on=leaves_prison,
            days=-projection.supervised_release_days,
        )
    prerelease = None
    if projection.prerelease_days:
        prerelease = custody_end - timedelta(days=projection.applied_days)
        timeline.add(
            "ftc_prerelease_custody",
            f"{projection.prerelease_days} days of credits advance transfer to prerelease custody (RRC or home).",
            "18 U.S.C. § 3624(g)(2)",
            on=prerelease,
            days=-projection.prerelease_days,
        )
    supervised_release = leaves_prison if has_supervised_release else None
    return _Ftc(
        projection.earned_days,
        projection.applied_days,
        leaves_prison,
        supervised_release,
        prerelease,
        projection.if_approved_date,
    )


def _sca_step(base: date, start: date, term_days: int, timeline: Timeline) -> tuple[date, date, int]:
    cap = home_confinement_cap_days(term_days)
    rrc = rrc_date(base, start)
    home = home_confinement_date(base, term_days, start)
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
    return rrc, home, cap


def _weekend_step(leaves_prison: date, start: date, timeline: Timeline) -> date:
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
    return projected


def compute_federal_facts(
    commencement: date | None,
    term: Term | None,
    facts: FederalFacts,
    *,
    jail_credit_days: int = 0,
    sentence_type: str = "determinate",
) -> FederalResult:
    """Full term, GCT, RDAP, FSA time credit and Second Chance Act dates for one term, its facts given whole."""
    start, term, term_days = _check_inputs(commencement, term, sentence_type, jail_credit_days, facts)
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
    gct = _gct_step(start, term, full_term, facts, timeline)
    rdap_status, rdap_release = _rdap_step(start, term, gct.release, facts, timeline)
    custody_end = rdap_release or gct.release
    ftc = _ftc_step(start, custody_end, facts, timeline)
    rrc, home, cap = _sca_step(ftc.prerelease or ftc.leaves_prison, start, term_days, timeline)
    return FederalResult(
        commencement_date=start,
        term=term,
        term_days=term_days,
        jail_credit_days=jail_credit_days,
        full_term_date=full_term,
        method=facts.method,
        gct_rate=gct.rate,
        gct_days=gct.gct,
        gct_days_lost=facts.gct_days_lost,
        release_date=gct.release,
        release_date_if_42_days=gct.release_if_42_days,
        rdap_status=rdap_status,
        rdap_release_date=rdap_release,
        ftc_days=ftc.ftc_days,
        ftc_applied_days=ftc.applied,
        supervised_release_date=ftc.supervised_release,
        prerelease_custody_date=ftc.prerelease,
        prerelease_custody_date_if_approved=ftc.if_approved,
        rrc_date=rrc,
        home_confinement_date=home,
        home_confinement_cap_days=cap,
        projected_release_date=_weekend_step(ftc.leaves_prison, start, timeline),
        rule_profile=rule_profile(facts.method, facts.ftc_convention),
        timeline=timeline,
    )


def compute_federal(
    commencement: date | None,
    term: Term | None,
    *,
    jail_credit_days: int = 0,
    method: GctMethod = "fsa",
    has_diploma: bool | None = True,
    literacy_progress: bool | None = None,
    offense_date: date | None = None,
    gct_days_lost: int = 0,
    risk_level: RiskLevel | None = None,
    excluded_offense: bool = False,
    final_order_of_removal: bool | None = False,
    rdap: bool = False,
    rdap_barred: bool | None = False,
    rdap_started_on: date | None = None,
    rdap_completed_on: date | None = None,
    warden_approved: bool | None = None,
    supervised_release_months: int | None = None,
    sentence_type: str = "determinate",
    ftc_convention: FtcConvention = "fixed-point",
    arrival_date: date | None = None,
) -> FederalResult:
    """Full term, GCT, RDAP, FSA time credit and Second Chance Act dates for one federal term.

    Raises `ManualReview` for inputs the engine will not guess at (life, missing dates, conflicting credits).
    None is unknown: `risk_level` None projects no credits; `has_diploma`, `literacy_progress`,
    `final_order_of_removal` and `offense_date` decide the 42-day rate (`literacy`); `rdap_barred` and the
    RDAP dates decide the RDAP reduction (`rdap`); `warden_approved` a medium- or high-risk person's
    prerelease custody. `supervised_release_months` None means a term was imposed, length unknown.
    """
    facts = FederalFacts(
        method=method,
        rate=RateFacts(has_diploma, literacy_progress, final_order_of_removal, offense_date),
        gct_days_lost=gct_days_lost,
        risk_level=risk_level,
        excluded_offense=excluded_offense,
        final_order_of_removal=final_order_of_removal,
        rdap=rdap,
        rdap_barred=rdap_barred,
        rdap_completion=rdap_completion_date(rdap_started_on, rdap_completed_on),
        warden_approved=warden_approved,
        supervised_release_months=supervised_release_months,
        ftc_convention=ftc_convention,
        arrival_date=arrival_date,
    )
    return compute_federal_facts(
        commencement, term, facts, jail_credit_days=jail_credit_days, sentence_type=sentence_type
    )
