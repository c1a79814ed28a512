"""Which good conduct time rate applies: 54 days a year, or the 42 of the Prison Litigation Reform Act.

28 CFR 523.20(c)(2) (the PLRA, 18 U.S.C. § 3624(b)(1)) awards 42 days a year instead of 54 only to a
person serving a sentence for an offence committed on or after 26 April 1996 who has not earned, and
is not making satisfactory progress toward, a GED credential or high-school diploma. It does not apply:

- with a diploma or GED credential, earned before or during the term;
- to an alien subject to a final order of removal, deportation or exclusion, who need not take part in
  the literacy programme to earn the full award (28 CFR 523.20, as amended by 70 FR 66752, 3 Nov 2005);
- to an offence committed before 26 April 1996 (the PLRA's date; before it the award is 54 days);
- while the person is making satisfactory progress in the literacy programme: a person is deemed to be
  making it unless a progress assignment confirms a refusal to enrol, misconduct in the programme or a
  withdrawal (28 CFR 544.73(b)); a person on the waiting list is not required to attend (544.71(a)(4)).

The rule is three-valued: 42 needs every condition established by the records; any condition ruled out
gives 54; otherwise the rate is unknown, and the engine projects 54 with the 42-day date beside it
(docs/decisions/0009-federal-unknown-conditions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "DIPLOMA_EDUCATION_LEVELS",
    "NO_DIPLOMA_EDUCATION_LEVELS",
    "PLRA_OFFENSES_FROM",
    "RateFacts",
    "plra_applies",
    "reduced_rate_applies",
    "unsettled_rate_facts",
]

PLRA_OFFENSES_FROM = date(1996, 4, 26)  # PLRA, Pub. L. 104-134; 28 CFR 523.20(c)(2): offences on or after this day
# Records `education_level` (highest completed) where `has_diploma` is not recorded: a diploma or GED or more,
# or neither; the same reading as the facts' `has_diploma`.
DIPLOMA_EDUCATION_LEVELS = ("high_school", "ged", "some_college", "degree")
NO_DIPLOMA_EDUCATION_LEVELS = ("none", "some_high_school")


@dataclass(frozen=True)
class RateFacts:
    """The facts the 42-day rate turns on, each None when the records cannot establish it."""

    has_diploma: bool | None = True  # a high-school diploma or GED credential
    literacy_progress: bool | None = None  # True: referred, waiting, enrolled or completed; False: withdrew
    final_order_of_removal: bool | None = False
    offense_date: date | None = None  # the latest offence date of the sentence


def plra_applies(offense_date: date | None, commencement: date) -> bool | None:
    """The offence was committed on or after 26 April 1996; a term that began before then was for an earlier one."""
    if offense_date is not None:
        return offense_date >= PLRA_OFFENSES_FROM
    if commencement < PLRA_OFFENSES_FROM:  # a sentence begins after the offence it punishes
        return False
    return None


def reduced_rate_applies(facts: RateFacts, commencement: date) -> bool | None:
    """True when 28 CFR 523.20(c)(2)'s 42 days apply, False when 54 do, None when the records cannot tell."""
    plra = plra_applies(facts.offense_date, commencement)
    if facts.has_diploma or facts.final_order_of_removal or plra is False or facts.literacy_progress:
        return False
    if (
        facts.has_diploma is False
        and facts.final_order_of_removal is False
        and plra
        and facts.literacy_progress is False
    ):
        return True
    return None


def unsettled_rate_facts(facts: RateFacts, commencement: date) -> list[str]:
    """What the records do not say when `reduced_rate_applies` is None, in words."""
    missing = []
    if facts.has_diploma is None:
        missing.append("whether the person has a diploma or GED")
    if facts.literacy_progress is None:
        missing.append("whether the person is making satisfactory progress in the literacy programme")
    if facts.final_order_of_removal is None:
        missing.append("whether a final order of removal exists")
    if plra_applies(facts.offense_date, commencement) is None:
        missing.append("whether the offence was committed on or after 26 April 1996")
    return missing
