"""`secondchance dates federal`: one federal sentence's dates (GCT, FSA credits, RDAP, prerelease) and timeline."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from secondchance.cli._app import JsonOption, console, escape, print_json
from secondchance.cli._dates import cannot_compute, dates_app, show_dates
from secondchance.cli._options import check_days, check_months, optional_date_option, parse_date_option
from secondchance.errors import UserError
from secondchance.sentencing.federal import compute_federal
from secondchance.sentencing.federal.compute import METHODS
from secondchance.sentencing.federal.time_credits import RISK_LEVELS, FtcConvention, RiskLevel
from secondchance.sentencing.reasons import ManualReview, ReasonCode
from secondchance.sentencing.terms import Term, parse_term
from secondchance.sentencing.timeline import Step

__all__ = ["register", "federal"]

_SHOWN = (
    "full_term_date",
    "gct_days",
    "release_date",
    "release_date_if_42_days",
    "rdap_status",
    "rdap_release_date",
    "ftc_days",
    "supervised_release_date",
    "prerelease_custody_date",
    "prerelease_custody_date_if_approved",
    "rrc_date",
    "home_confinement_date",
    "projected_release_date",
)


def _parse_term(text: str) -> tuple[Term | None, str]:
    lowered = text.strip().lower()
    if lowered == "life":
        return None, "life"
    return parse_term(text, "--term"), "determinate"


def _life_outcome(review: ManualReview) -> dict[str, Any]:
    data: dict[str, Any] = dict.fromkeys(_SHOWN)
    data["timeline"] = [
        Step("review", review.detail, "18 U.S.C. § 3624(b)(1)").to_dict(),
    ]
    data["review_reason"] = str(review.code)
    data["review_detail"] = review.detail
    return data


def federal(
    start: Annotated[str, typer.Option("--start", help="Commencement date, YYYY-MM-DD (day 1 of the term).")],
    term: Annotated[str, typer.Option("--term", help="Term imposed: 24m, 10y, 366d, 12m1d, or life.")],
    jail_credit: Annotated[int, typer.Option("--jail-credit", help="Days of prior custody credit (§ 3585(b)).")] = 0,
    method: Annotated[
        str, typer.Option("--method", help="GCT method: fsa (current) or pre-fsa (time served).")
    ] = "fsa",
    no_diploma: Annotated[bool, typer.Option("--no-diploma", help="No high-school diploma or GED.")] = False,
    literacy: Annotated[
        str | None,
        typer.Option(
            "--literacy",
            help="Literacy programme: progress (referred, waiting, enrolled or completed) or withdrawn "
            "(refused or withdrew, 28 CFR 544.73(b)); omit if unknown.",
        ),
    ] = None,
    offense_date: Annotated[
        str | None, typer.Option("--offense-date", help="Latest offence date, YYYY-MM-DD (PLRA: from 1996-04-26).")
    ] = None,
    gct_lost: Annotated[int, typer.Option("--gct-lost", help="GCT days disallowed or forfeited.")] = 0,
    risk: Annotated[
        str | None, typer.Option("--risk", help="PATTERN risk: minimum, low, medium or high (omit if unknown).")
    ] = None,
    rdap: Annotated[bool, typer.Option("--rdap", help="In or through RDAP (§ 3621(e)(2)(B) reduction).")] = False,
    rdap_started: Annotated[
        str | None, typer.Option("--rdap-started", help="Day the RDAP unit-based component began, YYYY-MM-DD.")
    ] = None,
    rdap_completed: Annotated[
        str | None, typer.Option("--rdap-completed", help="Day RDAP was completed, YYYY-MM-DD.")
    ] = None,
    rdap_barred: Annotated[
        bool, typer.Option("--rdap-barred", help="28 CFR 550.55(b) bars early release (e.g. a firearm count).")
    ] = False,
    warden: Annotated[
        str | None,
        typer.Option(
            "--warden", help="Medium or high risk: the warden approved or denied the petition (omit if none recorded)."
        ),
    ] = None,
    supervised_release_months: Annotated[
        int | None,
        typer.Option(
            "--supervised-release-months",
            help="Supervised release imposed, months; 0 for none (omit: a term, length unknown).",
        ),
    ] = None,
    removal_order: Annotated[
        bool, typer.Option("--removal-order", help="A final order of removal (§ 3632(d)(4)(E)).")
    ] = False,
    excluded_offense: Annotated[
        bool, typer.Option("--excluded-offense", help="A conviction on the § 3632(d)(4)(D) list.")
    ] = False,
    ftc_convention: Annotated[
        str,
        typer.Option("--ftc-convention", help="fixed-point (default) or handout (BOP handout's 120-month reading)."),
    ] = "fixed-point",
    as_json: JsonOption = False,
) -> None:
    """Federal release dates for one sentence: full term, GCT, FSA time credits, RDAP and prerelease custody.

    Example: secondchance dates federal --start 2025-01-01 --term 60m --risk low --json
    """
    start_date = parse_date_option("--start", start)
    sentence_term, sentence_type = _parse_term(term)
    check_days("--jail-credit", jail_credit)
    check_days("--gct-lost", gct_lost)
    check_months("--supervised-release-months", supervised_release_months)
    if method not in METHODS:
        raise UserError(f"--method {method!r} is not fsa or pre-fsa")
    if risk is not None and risk not in RISK_LEVELS:
        raise UserError(f"--risk {risk!r} is not minimum, low, medium or high")
    if ftc_convention not in ("fixed-point", "handout"):
        raise UserError(f"--ftc-convention {ftc_convention!r} is not fixed-point or handout")
    if literacy not in (None, "progress", "withdrawn"):
        raise UserError(f"--literacy {literacy!r} is not progress or withdrawn")
    if warden not in (None, "approved", "denied"):
        raise UserError(f"--warden {warden!r} is not approved or denied")
    risk_level: RiskLevel | None = risk  # narrowed by the RISK_LEVELS check above
    convention: FtcConvention = "handout" if ftc_convention == "handout" else "fixed-point"
    try:
        result = compute_federal(
            start_date,
            sentence_term,
            jail_credit_days=jail_credit,
            method="fsa" if method == "fsa" else "pre-fsa",
            has_diploma=not no_diploma,
            literacy_progress=None if literacy is None else literacy == "progress",
            offense_date=optional_date_option("--offense-date", offense_date),
            gct_days_lost=gct_lost,
            risk_level=risk_level,
            excluded_offense=excluded_offense,
            final_order_of_removal=removal_order,
            rdap=rdap,
            rdap_barred=rdap_barred,
            rdap_started_on=optional_date_option("--rdap-started", rdap_started),
            rdap_completed_on=optional_date_option("--rdap-completed", rdap_completed),
            warden_approved=None if warden is None else warden == "approved",
            supervised_release_months=supervised_release_months,
            sentence_type=sentence_type,
            ftc_convention=convention,
        )
    except ManualReview as review:
        if review.code is not ReasonCode.UNSUPPORTED_SENTENCE_TYPE:
            raise cannot_compute(review) from None
        data = _life_outcome(review)
        if as_json:
            print_json(data)
        else:
            console.print(f"Manual review ({escape(str(review.code))}): {escape(review.detail)}")
        return
    data = result.to_dict() | {"review_reason": None, "review_detail": None}
    if as_json:
        print_json(data)
        return
    show_dates("Federal sentence", {name: data.get(name) for name in _SHOWN}, result.timeline)


def register() -> None:
    """Add `federal` to the `dates` group."""
    dates_app.command()(federal)
