"""First Step Act time credits (FTC): earning, 18 U.S.C. § 3632(d)(4), and application, § 3624(g).

Earning (§ 3632(d)(4)(A); 28 CFR 523.42): 10 days for each completed 30-day period in earning status;
5 more for a person at minimum or low risk who "over two consecutive assessments, has not increased
their risk". The BOP "FSA Time Credit Application Guide" handout projects this as 10 days for periods
1–7 and 15 from period 8, the second consecutive low-risk assessment being due after about seven
periods; the engine follows the handout (docs/sentencing-federal.md, "Reading the two-assessment rule").

Application (§ 3624(g)): credits apply once the credits earned equal the time left (§ 3624(g)(1)(A)),
up to 12 calendar months to supervised release (§ 3624(g)(3): "not more than 12 months"; the BOP
handout's RDAP example moves 2028-04-05 to 2027-04-05, 366 days, so the months are calendar months,
where PS 5410.01 speaks of 365 days) and the rest to prerelease custody. Medium- and high-risk
people earn credits and may apply them to prerelease custody once the warden approves their petition
(§ 3624(g)(1)(D)(i)(II)); that date is projected as conditional on the approval, unknown until one is
recorded. Supervised release needs minimum or low risk on the last assessment (§ 3624(g)(1)(D)(ii)).
People with a final order of removal (§ 3632(d)(4)(E)) earn but cannot apply credits; a conviction on
the § 3632(d)(4)(D) list earns none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

__all__ = [
    "RiskLevel",
    "FtcConvention",
    "RISK_LEVELS",
    "LOW_RISK_LEVELS",
    "FSA_ENACTED",
    "PERIOD_DAYS",
    "BASE_DAYS_PER_PERIOD",
    "BONUS_DAYS_PER_PERIOD",
    "BONUS_FROM_PERIOD",
    "SUPERVISED_RELEASE_CAP_MONTHS",
    "supervised_release_cap_days",
    "FtcProjection",
    "earns_bonus",
    "can_apply_credits",
    "needs_warden_approval",
    "earning_start",
    "credits_for_periods",
    "credits_earned_by",
    "transfer_date",
    "project_time_credits",
]

RiskLevel = Literal["minimum", "low", "medium", "high"]
FtcConvention = Literal["fixed-point", "handout"]
RISK_LEVELS: tuple[RiskLevel, ...] = ("minimum", "low", "medium", "high")
# § 3632(d)(4)(A)(ii), § 3624(g)(1)(D): the levels that earn the extra 5 days and may apply credits unaided.
LOW_RISK_LEVELS: tuple[RiskLevel, ...] = ("minimum", "low")

FSA_ENACTED = date(2018, 12, 21)  # § 3632(d)(4)(B)(i): no credit for programmes completed before enactment
PERIOD_DAYS = 30  # § 3632(d)(4)(A)(i): "for every 30 days of successful participation"
BASE_DAYS_PER_PERIOD = 10  # § 3632(d)(4)(A)(i)
BONUS_DAYS_PER_PERIOD = 5  # § 3632(d)(4)(A)(ii): minimum or low risk over two consecutive assessments
BONUS_FROM_PERIOD = 8  # BOP FSA Time Credit Application Guide: periods 1–7 earn 10, later periods 15
SUPERVISED_RELEASE_CAP_MONTHS = 12  # § 3624(g)(3): "not more than 12 months", counted on the calendar


@dataclass(frozen=True)
class FtcProjection:
    """Credits projected for one term and how they apply."""

    earned_days: int  # credits earned by the transfer date (or by release when they cannot apply)
    applied_days: int  # days of custody the credits replace
    supervised_release_days: int  # of `applied_days`, those that advance supervised release
    prerelease_days: int  # of `applied_days`, those that advance prerelease custody
    transfer_date: date | None  # the day credits apply (NULL when they cannot)
    # Medium or high risk, no approval recorded: the prerelease custody date an approval would give.
    if_approved_date: date | None = None


def supervised_release_cap_days(release: date) -> int:
    """Days in the 12 calendar months before `release`: 365, or 366 across a February 29 (§ 3624(g)(3))."""
    return (release - (release - relativedelta(months=SUPERVISED_RELEASE_CAP_MONTHS))).days


def earns_bonus(risk: RiskLevel) -> bool:
    """Minimum and low risk earn the extra 5 days a period (§ 3632(d)(4)(A)(ii))."""
    return risk in LOW_RISK_LEVELS


def can_apply_credits(risk: RiskLevel, final_order_of_removal: bool) -> bool:
    """Only minimum/low risk may apply credits (§ 3624(g)(1)(B)); never with a removal order (§ 3632(d)(4)(E))."""
    return earns_bonus(risk) and not final_order_of_removal


def needs_warden_approval(risk: RiskLevel, final_order_of_removal: bool) -> bool:
    """Medium or high risk: credits apply to prerelease custody on the warden's approval (§ 3624(g)(1)(D)(i)(II))."""
    return not earns_bonus(risk) and not final_order_of_removal


def earning_start(commencement: date, arrival: date | None = None) -> date:
    """First day in earning status: arrival (28 CFR 523.42(a)), else commencement, never before Dec 21, 2018."""
    return max(arrival if arrival is not None else commencement, FSA_ENACTED)


def credits_for_periods(periods: int, bonus: bool) -> int:
    """Credits for `periods` completed 30-day periods: 10 each, 15 from period 8 when the bonus applies."""
    total = 0
    for period in range(1, periods + 1):
        total += BASE_DAYS_PER_PERIOD
        if bonus and period >= BONUS_FROM_PERIOD:
            total += BONUS_DAYS_PER_PERIOD
    return total


def credits_earned_by(day: date, start: date, bonus: bool) -> int:
    """Credits earned in the completed 30-day periods from `start` up to (not including) `day`."""
    return credits_for_periods(max((day - start).days, 0) // PERIOD_DAYS, bonus)


def transfer_date(start: date, release: date, bonus: bool) -> tuple[date, int]:
    """The first day on which credits earned equal the days left to `release`, and the credits then (§ 3624(g)(1)(A)).

    Within period p (days [start + 30p, start + 30(p+1))) the credits are fixed at c(p) and the days
    left fall by one a day, so the first qualifying day of that period is max(start + 30p, release − c(p)).
    """
    periods = 0
    while True:
        period_start = start + timedelta(days=PERIOD_DAYS * periods)
        credits = credits_for_periods(periods, bonus)
        candidate = max(period_start, release - timedelta(days=credits))
        if candidate < period_start + timedelta(days=PERIOD_DAYS):
            return candidate, credits
        periods += 1


def _applied_days(start: date, release: date, bonus: bool, convention: FtcConvention) -> tuple[int, int]:
    """(credits earned by the transfer, days they replace) under `convention`."""
    fixed_point, earned = transfer_date(start, release, bonus)
    return earned, (release - fixed_point).days if convention == "fixed-point" else earned


def _with_warden_approval(
    start: date, release: date, approved: bool | None, convention: FtcConvention
) -> FtcProjection:
    """Medium or high risk: all credits to prerelease custody on approval (§ 3624(g)(1)(D)(i)(II)), else earned only."""
    earned_by_release = credits_earned_by(release, start, False)
    if approved is False:
        return FtcProjection(earned_by_release, 0, 0, 0, None)
    earned, applied = _applied_days(start, release, False, convention)
    if approved:
        return FtcProjection(earned, applied, 0, applied, release - timedelta(days=applied))
    return FtcProjection(earned_by_release, 0, 0, 0, None, if_approved_date=release - timedelta(days=applied))


def project_time_credits(
    start: date,
    release: date,
    risk: RiskLevel,
    *,
    final_order_of_removal: bool = False,
    has_supervised_release: bool = True,
    convention: FtcConvention = "fixed-point",
    warden_approved: bool | None = None,
) -> FtcProjection:
    """Credits a person eligible to earn them projects to `release` (after any RDAP reduction), and their split.

    `convention` "fixed-point" transfers on the day the credits are earned; "handout" counts the
    credits earned by that day back from `release`, as the BOP handout's 120-month example does.
    `warden_approved` is the warden's decision on a medium- or high-risk person's petition (None: none recorded).
    """
    bonus = earns_bonus(risk)
    days_left = (release - start).days
    if days_left <= 0:
        return FtcProjection(0, 0, 0, 0, None)
    if needs_warden_approval(risk, final_order_of_removal):
        return _with_warden_approval(start, release, warden_approved, convention)
    if not can_apply_credits(risk, final_order_of_removal):
        return FtcProjection(credits_earned_by(release, start, bonus), 0, 0, 0, None)
    earned, applied = _applied_days(start, release, bonus, convention)
    to_supervised_release = min(applied, supervised_release_cap_days(release)) if has_supervised_release else 0
    return FtcProjection(
        earned,
        applied,
        to_supervised_release,
        applied - to_supervised_release,
        release - timedelta(days=applied),
    )
