"""`secondchance dates missouri` and `secondchance dates profile`: one state sentence's dates and timeline."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

import typer

from secondchance.cli._app import JsonOption, print_json
from secondchance.cli._dates import cannot_compute, dates_app, show_dates
from secondchance.cli._options import check_count, check_days, check_months, optional_date_option, parse_date_option
from secondchance.errors import UserError
from secondchance.sentencing.missouri import MissouriOffence, compute_missouri
from secondchance.sentencing.missouri.board import FELONY_CLASSES
from secondchance.sentencing.profiles import builtin_profile, compute_profile
from secondchance.sentencing.reasons import ManualReview
from secondchance.sentencing.terms import Term, parse_term

__all__ = ["register"]

StartOption = Annotated[str, typer.Option("--start", help="Commencement date, YYYY-MM-DD (day 1 of the term).")]
TermOption = Annotated[str, typer.Option("--term", help="Term imposed: 24m, 10y, 366d, 12m1d, or life.")]
JailCreditOption = Annotated[int, typer.Option("--jail-credit", help="Days of credit for time in custody.")]


def _term(text: str) -> tuple[Term | None, str]:
    """The term and sentence type a --term value stands for."""
    lowered = text.strip().lower()
    if lowered == "life":
        return None, "life"
    if lowered in ("lwop", "life-without-parole"):
        return None, "life_without_parole"
    return parse_term(text, "--term"), "determinate"


# Prior convictions or commitments beyond this are a typing mistake, not a record.
MAX_PRIORS: Final = 1_000


def _check_priors(**counts: int) -> None:
    """Refuse negative or absurd counts of prior convictions; keyword names are the options' names."""
    for name, value in counts.items():
        check_count(f"--{name.replace('_', '-')}", value, maximum=MAX_PRIORS)


def _check_not_after_start(day: date | None, start: date, option: str) -> None:
    if day is not None and day > start:
        raise UserError(f"{option} {day} is after --start {start}")


def missouri(
    start: StartOption,
    term: TermOption,
    prior_commitments: Annotated[
        int, typer.Option("--prior-commitments", help="Previous prison commitments to the Missouri DOC.")
    ] = 0,
    dangerous: Annotated[bool, typer.Option("--dangerous", help="A dangerous felony (RSMo 556.061).")] = False,
    no_parole_offense: Annotated[
        bool, typer.Option("--no-parole-offense", help="An offence without parole (e.g. RSMo 565.020).")
    ] = False,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="Birth date, YYYY-MM-DD (age-70 alternative).")
    ] = None,
    not_listed: Annotated[
        bool, typer.Option("--not-listed", help="An offence RSMo 558.019.2 does not list (2019 HB 192).")
    ] = False,
    drug: Annotated[bool, typer.Option("--drug", help="A drug offence of RSMo chapter 579.")] = False,
    felony_class: Annotated[
        str | None, typer.Option("--felony-class", help="Felony class, A to E (the board's table for drugs).")
    ] = None,
    offense_date: Annotated[str | None, typer.Option("--offense-date", help="Offence date, YYYY-MM-DD.")] = None,
    jail_credit: JailCreditOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Missouri parole eligibility (RSMo 558.019, 14 CSR 80-2.010) and conditional release (RSMo 558.011.4).

    Example: secondchance dates missouri --start 2020-01-01 --term 4y --not-listed --drug --felony-class D
    --offense-date 2019-10-01 --json
    """
    start_date = parse_date_option("--start", start)
    born = optional_date_option("--birth-date", birth_date)
    offence_day = optional_date_option("--offense-date", offense_date)
    sentence_term, sentence_type = _term(term)
    check_days("--jail-credit", jail_credit)
    _check_priors(prior_commitments=prior_commitments)
    _check_not_after_start(born, start_date, "--birth-date")
    _check_not_after_start(offence_day, start_date, "--offense-date")
    if felony_class is not None and felony_class.upper() not in FELONY_CLASSES:
        raise UserError(f"--felony-class {felony_class!r} is not one of {', '.join(FELONY_CLASSES)}")
    offence = MissouriOffence(
        dangerous_felony=dangerous,
        no_parole_offense=no_parole_offense,
        minimum_term_offense=not not_listed,
        drug_offense=drug,
        felony_class=felony_class.upper() if felony_class else None,
        offense_date=offence_day,
    )
    try:
        result = compute_missouri(
            start_date,
            sentence_term,
            sentence_type=sentence_type,
            prior_commitments=prior_commitments,
            birth_date=born,
            jail_credit_days=jail_credit,
            offence=offence,
        )
    except ManualReview as review:
        raise cannot_compute(review) from None
    data = result.to_dict()
    if as_json:
        print_json(data)
        return
    shown = ("full_term_date", "parole_eligibility_date", "conditional_release_date", "parole_basis", "review_reason")
    show_dates("Missouri sentence", {name: data[name] for name in shown}, result.timeline)


def profile(
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Profile id, e.g. us-la.")],
    offense_date: Annotated[str, typer.Option("--offense-date", help="Offence date, YYYY-MM-DD.")],
    start: StartOption,
    term: TermOption,
    violent: Annotated[bool, typer.Option("--violent", help="A crime of violence as the state defines it.")] = False,
    sex_offense: Annotated[bool, typer.Option("--sex-offense", help="A sex offence as the state defines it.")] = False,
    habitual: Annotated[bool, typer.Option("--habitual", help="Sentenced as a habitual offender.")] = False,
    prior_felonies: Annotated[int, typer.Option("--prior-felonies", help="Prior felony convictions.")] = 0,
    prior_violent: Annotated[int, typer.Option("--prior-violent", help="Prior crimes of violence.")] = 0,
    prior_sex: Annotated[int, typer.Option("--prior-sex", help="Prior sex offences.")] = 0,
    min_term_months: Annotated[
        int | None, typer.Option("--min-term-months", help="Mandatory minimum term imposed, in months.")
    ] = None,
    jail_credit: JailCreditOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Parole eligibility and good-time release for one sentence under a jurisdiction profile.

    Example: secondchance dates profile --jurisdiction us-la --offense-date 2018-03-01 --start 2019-01-01 --term 10y
    """
    chosen = builtin_profile(jurisdiction)  # a UserError naming the shipped profiles for an unknown id
    offence = parse_date_option("--offense-date", offense_date)
    start_date = parse_date_option("--start", start)
    sentence_term, sentence_type = _term(term)
    check_days("--jail-credit", jail_credit)
    _check_not_after_start(offence, start_date, "--offense-date")
    _check_priors(prior_felonies=prior_felonies, prior_violent=prior_violent, prior_sex=prior_sex)
    check_months("--min-term-months", min_term_months)
    facts: dict[str, bool | int | None] = {
        "violent": violent,
        "sex_offense": sex_offense,
        "habitual_offender": habitual,
        "prior_felonies": prior_felonies,
        "prior_violent_felonies": prior_violent,
        "prior_sex_offenses": prior_sex,
    }
    try:
        result = compute_profile(
            chosen,
            offence,
            sentence_term,
            start=start_date,
            sentence_type=sentence_type,
            jail_credit_days=jail_credit,
            facts=facts,
            min_term_months=min_term_months,
        )
    except ManualReview as review:
        raise cannot_compute(review) from None
    data = result.to_dict()
    if as_json:
        print_json(data)
        return
    shown = ("rule_profile", "full_term_date", "parole_eligibility_date", "release_date", "good_time_days")
    rows = {name: data[name] for name in shown}
    if result.review_reason:
        rows["review"] = f"{result.review_reason}: {result.review_detail}"
    show_dates(f"{chosen.title} sentence", rows, result.timeline)


def register() -> None:
    """Add the state commands to the `dates` group."""
    dates_app.command()(missouri)
    dates_app.command()(profile)
