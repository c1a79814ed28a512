"""Properties of the federal rules that must hold for every input (Hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from secondchance.sentencing.federal import compute_federal
from secondchance.sentencing.federal.gct import earns_gct, term_end_exclusive, term_length
from secondchance.sentencing.federal.time_credits import credits_earned_by, transfer_date
from secondchance.sentencing.terms import Term

starts = st.dates(date(1990, 1, 1), date(2045, 12, 31))
terms = st.builds(Term, st.integers(0, 480), st.integers(0, 400)).filter(lambda term: term.months or term.days)
methods = st.sampled_from(["fsa", "pre-fsa"])
risks = st.sampled_from([None, "minimum", "low", "medium", "high"])


def _more_than_a_year(start: date, term: Term) -> bool:
    return earns_gct(term_length(start, term))


@settings(max_examples=300, deadline=None)
@given(starts, terms, terms, methods, st.booleans(), st.integers(0, 300), risks, st.sampled_from([None, 0, 36]))
def test_a_longer_term_never_releases_earlier(
    start: date,
    first: Term,
    second: Term,
    method: str,
    has_diploma: bool,
    jail_credit: int,
    risk: str | None,
    supervised: int | None,
) -> None:
    shorter, longer = sorted((first, second), key=lambda term: term_end_exclusive(start, term))
    # The one deliberate exception is statutory: crossing "more than 1 year" (§ 3624(b)(1)) adds
    # 54 days of GCT for one more day of term, so 12 months and a day releases before 12 months.
    if _more_than_a_year(start, shorter) != _more_than_a_year(start, longer):
        return
    if jail_credit >= (term_end_exclusive(start, shorter) - start).days:
        return
    options = {
        "jail_credit_days": jail_credit,
        "method": method,
        "has_diploma": has_diploma,
        "risk_level": risk,
        "supervised_release_months": supervised,
    }
    a = compute_federal(start, shorter, **options)  # type: ignore[arg-type]
    b = compute_federal(start, longer, **options)  # type: ignore[arg-type]
    assert a.full_term_date <= b.full_term_date
    assert a.release_date <= b.release_date
    if a.supervised_release_date is not None and b.supervised_release_date is not None:
        assert a.supervised_release_date <= b.supervised_release_date


@settings(max_examples=300, deadline=None)
@given(starts, terms, methods, st.booleans())
def test_gct_never_exceeds_54_days_per_year_imposed(start: date, term: Term, method: str, has_diploma: bool) -> None:
    result = compute_federal(start, term, method=method, has_diploma=has_diploma)  # type: ignore[arg-type]
    assert result.gct_days * 365 <= 54 * result.term_days
    if not _more_than_a_year(start, term):
        assert result.gct_days == 0


@settings(max_examples=300, deadline=None)
@given(
    starts,
    terms,
    st.integers(0, 1000),
    risks,
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, 0, 60]),
    st.sampled_from(["fixed-point", "handout"]),
)
def test_credits_never_move_release_before_commencement(
    start: date,
    term: Term,
    jail_credit: int,
    risk: str | None,
    rdap: bool,
    removal: bool,
    supervised: int | None,
    convention: str,
) -> None:
    if jail_credit >= (term_end_exclusive(start, term) - start).days:
        return
    result = compute_federal(
        start,
        term,
        jail_credit_days=jail_credit,
        risk_level=risk,  # type: ignore[arg-type]
        rdap=rdap,
        final_order_of_removal=removal,
        supervised_release_months=supervised,
        ftc_convention=convention,  # type: ignore[arg-type]
    )
    for day in (
        result.release_date,
        result.rdap_release_date,
        result.supervised_release_date,
        result.prerelease_custody_date,
        result.rrc_date,
        result.home_confinement_date,
        result.projected_release_date,
    ):
        assert day is None or day >= start
    assert result.projected_release_date <= result.release_date
    if result.prerelease_custody_date and result.supervised_release_date:
        assert result.prerelease_custody_date <= result.supervised_release_date


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2019, 1, 1), date(2040, 1, 1)), st.integers(0, 4000), st.booleans())
def test_transfer_date_is_the_first_day_credits_cover_the_time_left(start: date, length: int, bonus: bool) -> None:
    release = start + timedelta(days=length)
    found, credits = transfer_date(start, release, bonus)
    assert credits == credits_earned_by(found, start, bonus)
    assert credits >= (release - found).days
    if found > start:
        before = found - timedelta(days=1)
        assert credits_earned_by(before, start, bonus) < (release - before).days
