"""Which rule sets a Missouri sentence's minimum prison term, decided from the facts of its offence.

Since 2019 HB 192 (effective 28 Aug 2019), RSMo 558.019.2-5 apply only to the offences 558.019.2 lists
(`mo_minimum_term_offense`). Before it they applied to every felony but the drug offences of chapter 579
(195 before 2017), and 558.019.6 frees earlier convictions of unlisted offences from subsection 2 only, so
a dangerous felony sentenced before that day keeps 558.019.3's 85%. A sentence that began before 28 Aug
2019 was imposed before it; that is how the engine tells earlier convictions apart. The statute's
percentages need one or more previous prison commitments (558.019.2) or a dangerous felony (558.019.3).
Where the statute sets no minimum, the parole board's rule does (14 CSR 80-2.010(1)); its table for drug
offences is data (`board_minimum.yaml`), and the board's classification of other offences is not modelled.

`decide_minimum` returns one `Step`; the bulk SQL (`bulk.minimum_step_sql`) tries the same conditions in
the same order. Every step that gives no date says why: a fact that is unknown (`MISSING_FACT`), a text
that could not be established (`PAROLE_RULE_UNCERTAIN`), or a rule that is not modelled (`NONE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from secondchance.law.missouri import CODE_OF_2017, HB_192_EFFECTIVE
from secondchance.sentencing.missouri.board import FELONY_CLASSES, BoardRow, board_row
from secondchance.sentencing.missouri.rules import DANGEROUS_FELONY_RULE, MinimumTermRule, minimum_term_rule
from secondchance.sentencing.reasons import ReasonCode

__all__ = ["MissouriOffence", "Step", "MinimumDecision", "decide_minimum", "MISSING", "UNCERTAIN"]


@dataclass(frozen=True)
class MissouriOffence:
    """The facts of a sentence's offence the minimum-term rules read; None is unknown.

    The defaults describe a felony on RSMo 558.019.2's list that is neither dangerous nor a drug offence.
    """

    dangerous_felony: bool | None = False  # RSMo 556.061(19)
    no_parole_offense: bool | None = False  # e.g. RSMo 565.020.2
    minimum_term_offense: bool | None = True  # listed in RSMo 558.019.2 (as amended 2019)
    drug_offense: bool | None = False  # RSMo chapter 579 (chapter 195 before 2017), every count
    felony_class: str | None = None  # "A"-"E" when every count has that class, "mixed" when they differ
    offense_date: date | None = None  # the latest offence date of the counts


class Step(StrEnum):
    """The outcome of `decide_minimum`, in the order the conditions are tried."""

    NO_PAROLE = "no_parole"
    MISSING_DANGEROUS = "missing_dangerous"
    STATUTE_DANGEROUS = "statute_dangerous"
    MISSING_LISTED = "missing_listed"
    DANGEROUS_NOT_LISTED = "dangerous_not_listed"
    MISSING_PRIORS = "missing_priors"
    MISSING_OFFENSE_DATE = "missing_offense_date"
    DRUG_BEFORE_HB_192 = "drug_before_hb_192"
    STATUTE_PRIORS = "statute_priors"
    MISSING_DRUG = "missing_drug"
    NONE = "none"  # no statutory minimum and the board's rule for this offence is not modelled
    LIFE_UNDER_BOARD = "life_under_board"
    DRUG_BEFORE_2017 = "drug_before_2017"
    MISSING_CLASS = "missing_class"
    MIXED_CLASSES = "mixed_classes"
    BOARD_ROW_UNCERTAIN = "board_row_uncertain"
    BOARD = "board"


# MISSING_FACT: what is unknown ("... unknown; the minimum prison term depends on it").
MISSING: dict[Step, str] = {
    Step.MISSING_DANGEROUS: "whether the offence is a dangerous felony",
    Step.MISSING_LISTED: "whether RSMo 558.019.2 lists the offence (a section listed only in some felony classes)",
    Step.MISSING_PRIORS: "prior prison commitments",
    Step.MISSING_OFFENSE_DATE: "the offence date",
    Step.MISSING_DRUG: "whether the offence is a drug offence (RSMo chapter 579)",
    Step.MISSING_CLASS: "the felony class of the drug offence",
}
# PAROLE_RULE_UNCERTAIN: which text could not be established. The board's uncertain rows add their own.
UNCERTAIN: dict[Step, str] = {
    Step.DANGEROUS_NOT_LISTED: (
        "a dangerous felony under a section RSMo 558.019.2 does not list, on a sentence begun on or after 28 Aug "
        "2019: since 2019 HB 192 subsections 2 to 5 apply only to the listed offences, and whether 558.019.3 "
        "still applies was not established"
    ),
    Step.DRUG_BEFORE_HB_192: (
        "a listed offence that is or may be a chapter 579 drug offence, committed before 28 Aug 2019 (when RSMo "
        "558.019.2 excluded drug offences) on a sentence begun after it; which text sets its minimum term was "
        "not established"
    ),
    Step.LIFE_UNDER_BOARD: (
        "a life sentence under the board's drug table (14 CSR 80-2.010(1)), whose shares are of a maximum "
        "sentence in years"
    ),
    Step.DRUG_BEFORE_2017: (
        "a drug offence committed before 2017: the board's table (14 CSR 80-2.010(1)) uses the felony classes of "
        "the code in force from 1 Jan 2017, and the offence's class under it was not established"
    ),
    Step.MIXED_CLASSES: (
        "drug counts of different felony classes: which row of the board's table (14 CSR 80-2.010(1)) applies "
        "was not established"
    ),
}


@dataclass(frozen=True)
class MinimumDecision:
    """The rule that sets the minimum prison term (statute or board row), or why there is none."""

    step: Step
    statute: MinimumTermRule | None = None
    board: BoardRow | None = None

    @property
    def reason(self) -> ReasonCode | None:
        """The review reason this decision gives the sentence, if any."""
        if self.step in MISSING:
            return ReasonCode.MISSING_FACT
        if self.step in UNCERTAIN or self.step is Step.BOARD_ROW_UNCERTAIN:
            return ReasonCode.PAROLE_RULE_UNCERTAIN
        return None

    @property
    def detail(self) -> str | None:
        """The review detail, if any."""
        if self.step in MISSING:
            return f"{MISSING[self.step]} unknown; the minimum prison term depends on it"
        if self.step is Step.BOARD_ROW_UNCERTAIN:
            assert self.board is not None
            return board_row_detail(self.board)
        return UNCERTAIN.get(self.step)


def board_row_detail(row: BoardRow) -> str:
    """The review detail of a board row whose share could not be established."""
    return f"{row.cite} ({row.text}): {row.uncertain}"


def decide_minimum(
    offence: MissouriOffence, prior_commitments: int | None, sentence_type: str | None, is_life: bool, start: date
) -> MinimumDecision:
    """Which rule sets the minimum prison term of a sentence begun on `start`, tried in the order of `Step`."""
    if sentence_type == "life_without_parole" or offence.no_parole_offense:
        return MinimumDecision(Step.NO_PAROLE)
    if offence.dangerous_felony is None:
        return MinimumDecision(Step.MISSING_DANGEROUS)
    if offence.dangerous_felony:
        return _dangerous_minimum(offence.minimum_term_offense, start)
    statutory = _statutory_minimum(offence, prior_commitments, start)
    return statutory if statutory is not None else _board_minimum(offence, is_life)


def _dangerous_minimum(listed: bool | None, start: date) -> MinimumDecision:
    """RSMo 558.019.3 for a listed offence, or one sentenced before 2019 HB 192 (558.019.6 spares only subsection 2)."""
    if listed or start < HB_192_EFFECTIVE:
        return MinimumDecision(Step.STATUTE_DANGEROUS, DANGEROUS_FELONY_RULE)
    return MinimumDecision(Step.MISSING_LISTED if listed is None else Step.DANGEROUS_NOT_LISTED)


def _statutory_minimum(offence: MissouriOffence, prior_commitments: int | None, start: date) -> MinimumDecision | None:
    """RSMo 558.019.2(1)-(3) for a listed offence with previous commitments; None when the board's rule governs."""
    listed = offence.minimum_term_offense
    if listed is False or prior_commitments == 0:
        return None
    if listed is None:
        return MinimumDecision(Step.MISSING_LISTED)
    if prior_commitments is None:
        return MinimumDecision(Step.MISSING_PRIORS)
    if offence.drug_offense is not False:
        # Before 2019 HB 192, 558.019.2 applied to "all classes of felonies except those set forth in chapter 579".
        if start < HB_192_EFFECTIVE:
            return MinimumDecision(Step.MISSING_DRUG) if offence.drug_offense is None else None
        if offence.offense_date is None:
            return MinimumDecision(Step.MISSING_OFFENSE_DATE)
        if offence.offense_date < HB_192_EFFECTIVE:
            return MinimumDecision(Step.DRUG_BEFORE_HB_192)
    return MinimumDecision(Step.STATUTE_PRIORS, minimum_term_rule(prior_commitments, False))


def _board_minimum(offence: MissouriOffence, is_life: bool) -> MinimumDecision:
    """14 CSR 80-2.010(1): the board's table for drug offences; other offences are not modelled."""
    if offence.drug_offense is None:
        return MinimumDecision(Step.MISSING_DRUG)
    if not offence.drug_offense:
        return MinimumDecision(Step.NONE)
    if is_life:
        return MinimumDecision(Step.LIFE_UNDER_BOARD)
    if offence.offense_date is None:
        return MinimumDecision(Step.MISSING_OFFENSE_DATE)
    if offence.offense_date < CODE_OF_2017:
        return MinimumDecision(Step.DRUG_BEFORE_2017)
    if offence.felony_class is None:
        return MinimumDecision(Step.MISSING_CLASS)
    if offence.felony_class not in FELONY_CLASSES:
        return MinimumDecision(Step.MIXED_CLASSES)
    row = board_row(offence.felony_class)
    return MinimumDecision(Step.BOARD if row.percent is not None else Step.BOARD_ROW_UNCERTAIN, board=row)
