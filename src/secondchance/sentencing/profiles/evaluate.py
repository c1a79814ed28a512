"""`compute_profile`: parole eligibility and good-time release for one sentence under a jurisdiction profile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from secondchance.sentencing.profiles.model import FACTS, Profile, Range, Rule, Version, parse_length
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.state_checks import check_state_sentence
from secondchance.sentencing.terms import Term, full_term_date, term_days
from secondchance.sentencing.timeline import Timeline

__all__ = [
    "ProfileDates",
    "RuleChoice",
    "compute_profile",
    "choose_rule",
    "life_share_detail",
    "missing_detail",
    "review_detail",
]

FactValue = bool | int | None


@dataclass(frozen=True)
class RuleChoice:
    """The rule a list of rules gives for some facts, or why none could be chosen."""

    kind: Literal["share", "none", "review", "unknown", "missing", "unmatched"]
    rule: Rule | None = None
    detail: str | None = None


def missing_detail(fact: str, rule: Rule) -> str:
    """The review detail when a rule cannot be decided because a fact is unknown."""
    return f"{fact} unknown; {rule.cite} depends on it"


def review_detail(rule: Rule) -> str:
    """The review detail when the rule that applies is one the engine does not compute."""
    return f"{rule.cite}: {rule.text or 'this rule needs a person'}"


def _condition_holds(value: FactValue, condition: bool | int | Range) -> bool | None:
    if value is None:
        return None
    if isinstance(condition, Range):
        return (condition.min is None or value >= condition.min) and (condition.max is None or value <= condition.max)
    return value == condition


def choose_rule(rules: list[Rule], facts: Mapping[str, FactValue]) -> RuleChoice:
    """The first rule whose conditions all hold; a rule whose outcome turns on an unknown fact stops the search.

    Conditions use SQL's three-valued logic: a rule fails if any condition is false, is undecided if none
    is false and some fact is unknown, and matches otherwise.
    """
    for rule in rules:
        results = [_condition_holds(facts.get(name), condition) for name, condition in rule.when.items()]
        if any(result is False for result in results):
            continue
        if any(result is None for result in results):
            fact = next(name for name in rule.when if facts.get(name) is None)
            return RuleChoice("missing", rule, missing_detail(fact, rule))
        if rule.outcome == "none":
            return RuleChoice("none", rule)
        if rule.outcome == "review":
            return RuleChoice("review", rule, review_detail(rule))
        if rule.outcome == "unknown":
            return RuleChoice("unknown", rule)
        return RuleChoice("share", rule)
    return RuleChoice("unmatched", None, "no rule of the profile matches these facts")


@dataclass
class ProfileDates:
    """Dates of one sentence under a profile; None where no such date applies."""

    jurisdiction: str
    rule_profile: str
    full_term_date: date | None
    parole_eligibility_date: date | None
    release_date: date | None  # good-time release
    good_time_days: int | None
    jail_credit_days: int
    review_reason: ReasonCode | None = None
    review_detail: str | None = None
    timeline: Timeline = field(default_factory=Timeline)

    @property
    def projected_release_date(self) -> date | None:
        """The earliest projected release from prison: the good-time release date."""
        return self.release_date

    def to_dict(self) -> dict[str, Any]:
        """The dates as JSON-ready data."""

        def iso(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "system": self.jurisdiction,
            "rule_profile": self.rule_profile,
            "full_term_date": iso(self.full_term_date),
            "parole_eligibility_date": iso(self.parole_eligibility_date),
            "release_date": iso(self.release_date),
            "projected_release_date": iso(self.projected_release_date),
            "good_time_days": self.good_time_days,
            "jail_credit_days": self.jail_credit_days,
            "review_reason": str(self.review_reason) if self.review_reason else None,
            "review_detail": self.review_detail,
            "timeline": self.timeline.to_list(),
        }


def _served_days(total_days: int, share: Fraction) -> int:
    # the fraction of a day is dropped from the time to be served (docs/sentencing-conventions.md)
    return total_days * share.numerator // share.denominator


def _length_days(start: date, length: str) -> int:
    months, days = parse_length(length)
    return (start + relativedelta(months=months, days=days) - start).days


def life_share_detail(rule: Rule) -> str:
    """The review detail when a share is asked of a life sentence the rule gives no term for."""
    return f"{rule.cite}: a share of a life sentence needs a term in years"


def _version(profile: Profile, offense_date: date | None) -> Version:
    if offense_date is None:
        raise ManualReview(ReasonCode.MISSING_OFFENSE_DATE, "the profile's rules depend on the offence date")
    version = profile.version_for(offense_date)
    if version is None:
        raise ManualReview(ReasonCode.NO_PROFILE_FOR_DATE, f"{profile.id} has no rules for offences on {offense_date}")
    return version


def compute_profile(
    profile: Profile,
    offense_date: date | None,
    term: Term | None,
    *,
    start: date | None,
    sentence_type: str | None = "determinate",
    jail_credit_days: int | None = 0,
    facts: Mapping[str, FactValue] | None = None,
    min_term_months: int | None = None,
) -> ProfileDates:
    """Full term, parole eligibility and good-time release under the profile version for the offence date.

    `facts` holds the profile facts (`violent`, `prior_felonies`, ...); a missing key is unknown.
    `min_term_months` is the mandatory minimum term imposed, if any. Raises ManualReview when the sentence
    cannot be computed at all.
    """
    credit = jail_credit_days or 0
    is_life = check_state_sentence(start, term, sentence_type, credit)
    assert start is not None  # check_state_sentence raised otherwise
    version = _version(profile, offense_date)
    total: int | None = None
    if term is not None and not is_life:
        total = term_days(start, term)
        if total <= credit:
            raise ManualReview(ReasonCode.CONFLICTING_CREDITS, "jail credit is as long as the term or longer")

    known = {name: (facts or {}).get(name) for name in FACTS}
    known["life"] = is_life
    rule_profile = f"{profile.id}@{version.id}"
    timeline = Timeline()
    timeline.add(
        "profile",
        f"Offence on {offense_date}: rules of {profile.title}, version {version.id} "
        f"({version.effective.from_} to {version.effective.to or 'now'}).",
        rule_profile,
        on=offense_date,
    )
    timeline.add("start", f"Sentence commenced on {start}, counted as day 1.", "day 1 counting", on=start)
    if credit:
        timeline.add("jail_credit", f"{credit} days of credit for time in custody.", profile.credit_rule, days=credit)
    full_term = None
    if total is not None and term is not None:
        full_term = full_term_date(start, term, credit)
        timeline.add("full_term", f"A term of {term} ends on {full_term}.", "day 1 counting", on=full_term, days=total)

    result = ProfileDates(profile.id, rule_profile, full_term, None, None, None, credit, timeline=timeline)

    if sentence_type == "life_without_parole":
        timeline.add("no_parole", "Life without parole: there is no parole eligibility date.", "sentence imposed")
    else:
        choice = choose_rule(version.parole, known)
        result.parole_eligibility_date = _apply(result, choice, start, total, credit, "parole", min_term_months)
    choice = choose_rule(version.good_time, known)
    release = _apply(result, choice, start, total, credit, "good_time", min_term_months)
    if choice.kind == "none" and full_term is not None:
        release = full_term
        result.good_time_days = 0
    elif release is not None and total is not None:
        result.good_time_days = total - (release - start).days - 1 - credit
    result.release_date = release
    return result


def _apply(
    result: ProfileDates,
    choice: RuleChoice,
    start: date,
    total: int | None,
    credit: int,
    which: Literal["parole", "good_time"],
    min_term_months: int | None,
) -> date | None:
    """The date a chosen rule gives (None for no date), adding its timeline step and any review reason."""
    timeline = result.timeline
    noun = "parole eligibility" if which == "parole" else "good-time release"
    rule = choice.rule
    cite = rule.cite if rule is not None else result.rule_profile
    if choice.kind in ("missing", "unmatched", "review"):
        if result.review_reason is None:
            result.review_reason = {
                "missing": ReasonCode.MISSING_FACT,
                "unmatched": ReasonCode.RULE_NEEDS_REVIEW,
                "review": ReasonCode.RULE_NEEDS_REVIEW,
            }[choice.kind]
            result.review_detail = choice.detail
        timeline.add(f"{which}_review", f"No {noun} date: {choice.detail}.", cite)
        return None
    assert rule is not None
    if choice.kind == "none":
        what = "no parole" if which == "parole" else "no good time: release at the full term"
        timeline.add(f"{which}_none", f"{rule.text or what.capitalize()}.", cite)
        return None
    if choice.kind == "unknown":
        timeline.add(f"{which}_not_modelled", f"No {noun} date: {rule.text or 'not modelled'}.", cite)
        return None
    share = rule.share
    assert share is not None
    base = total
    if base is None and rule.life_term is not None:
        base = _length_days(start, rule.life_term)
        timeline.add(f"{which}_life_term", f"A life sentence counts as {rule.life_term} for this rule.", cite)
    if base is None:
        detail = life_share_detail(rule)
        if result.review_reason is None:
            result.review_reason, result.review_detail = ReasonCode.RULE_NEEDS_REVIEW, detail
        timeline.add(f"{which}_review", f"No {noun} date: {detail}.", cite)
        return None
    served = _served_days(base, share)
    explained = f"{rule.served} of {base:,} days is {served:,} days (fraction of a day dropped)"
    if rule.at_most is not None and served > (cap := _length_days(start, rule.at_most)):
        served = cap
        explained += f", capped at {rule.at_most} ({cap:,} days)"
    if rule.mandatory_minimum_controls and min_term_months is not None:
        minimum = _length_days(start, f"{min_term_months}m")
        if minimum > served:
            served = minimum
            explained += f"; the mandatory minimum of {min_term_months} months ({minimum:,} days) is longer"
    on = start + timedelta(days=served - 1 - credit)
    flag = f" Uncertain: {rule.uncertain}" if rule.uncertain else ""
    timeline.add(
        which,
        f"{rule.text or noun.capitalize()}: {explained}, served by {on}.{flag}",
        cite,
        on=on,
        days=served,
    )
    return on
