"""Declarations of every fact: its name, type, description, the records it reads and what their absence means.

The SQL that computes the facts lives in `policy.facts.query`; `docs/facts.md` is generated
from these declarations. `UNKNOWN_RULES` says when a fact is NULL (unknown), and each fact's
`absence` (`policy.facts.absence`) what it makes of records that say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from secondchance.law.source_lists import SourceList, source_lists
from secondchance.policy.facts.absence import ABSENCE, Absence

__all__ = ["Absence", "FactType", "Fact", "FACTS", "UNKNOWN_RULES", "fact", "fact_names"]

UNKNOWN_RULES = """\
Facts are values as of a date; a fact the records cannot establish is NULL (unknown), never false
or zero. Silence is unknown ([decision 8](decisions/0008-silence-is-unknown.md)): records that say
nothing make a fact NULL, and three rules decide when they mean none instead:

- *Completeness.* Each source declares, for each kind of record below, whether it records all of
  it for its people (an adapter's declaration is in docs/adapters.md; the synthetic population is
  complete but for jail credit; a plain `ingest --table` load is complete only with `--complete
  KIND`). The declarations are kept in the store's `source_completeness` table. Where the source is
  complete, no rows (or an empty field of that kind) mean none; elsewhere they leave the fact NULL.
- *Unknown rows.* A count or flag over rows with a missing classification (an incident without a
  severity, a charge without a category or statute) is NULL unless the rows that are known already
  decide it (one violent charge makes `has_violent_current_offense` true). A sentence whose source is
  not complete for `charge`, or that has no charge at all, holds one more count that is unknown in
  every respect, except its sentence's system.
- *Statute lists* match statute text (below); an entry that covers only some conduct under a section
  makes a match NULL, and a listed count that needs a flag counts only when the flag is true.

Each fact's "when nothing is recorded" column says which of its inputs' absence makes it NULL, and
which kinds' completeness makes it none.

"Current sentences" are the person's sentences with status `active` (or no status recorded) imposed
on or before the as-of date; "prior sentences" are those with status `completed`.
"""

FactType = Literal["boolean", "integer", "number", "date", "text"]


@dataclass(frozen=True)
class Fact:
    """One per-person fact as of a date."""

    name: str
    type: FactType
    description: str
    reads: str  # records tables it is computed from, e.g. "person, computed_dates"
    group: str = "other"  # heading it is listed under in docs/facts.md
    absence: Absence | None = None  # what records that say nothing make of it (`policy.facts.absence`)


def _group(group: str, *facts: tuple[str, FactType, str, str]) -> tuple[Fact, ...]:
    return tuple(
        Fact(name, kind, description, reads, group, ABSENCE.get(name)) for name, kind, description, reads in facts
    )


_NO_TABLE = "(not in the records model)"
_SCREEN_LISTS = "charge, offense_table_entry, offense_lists.yaml (source_lists)"
_CLEANED = "cleaned as Redo.io's screen cleaned codes, is exactly a code of"


def _screen_list_facts() -> tuple[tuple[str, FactType, str, str], ...]:
    """One fact per list of `source_lists` and the records it reads (current, prior or controlling)."""
    facts: list[tuple[str, FactType, str, str]] = []
    for item in source_lists().values():
        for scope, name in item.facts.items():
            facts.append((name, "boolean", _screen_list_description(item, scope), _SCREEN_LISTS))
    return tuple(facts)


def _screen_list_description(item: SourceList, scope: str) -> str:
    where = f"`source_lists.{item.name}`: {item.title}"
    unloaded = "NULL while those tables are not loaded"
    if scope == "current":
        return (
            f"A current charge's statute, {_CLEANED} {where}. {unloaded}, or when a current charge has no statute "
            "and none is listed."
        )
    if scope == "prior":
        return (
            f"A prior charge's statute, {_CLEANED} {where}. {unloaded}, under the source rule, or when a prior "
            "sentence has no charges or a charge no statute and none is listed."
        )
    return f"The controlling offence, {_CLEANED} {where}. {unloaded} or without a controlling offence."


FACTS: tuple[Fact, ...] = (
    *_group(
        "Person",
        ("as_of_date", "date", "The as-of date the facts were computed for.", "(the as-of date)"),
        (
            "system",
            "text",
            "Sentencing system of the current sentences (`federal`, `us-mo`, ...); of the earliest-commenced "
            "one when they differ. NULL without a current sentence.",
            "sentence",
        ),
        ("jurisdiction", "text", "The person's jurisdiction as recorded (`federal` or `us-` and a state).", "person"),
        (
            "in_custody",
            "boolean",
            "A custody period covers the as-of date (`start_date` ≤ as-of < `end_date`, or no end).",
            "custody_period",
        ),
        ("birth_date", "date", "Date of birth; NULL when only the year (or nothing) is known.", "person"),
        (
            "age_years",
            "integer",
            "Age in whole years on the as-of date; a birthday counts from the day itself (born 29 Feb: from "
            "1 Mar in common years). NULL without a full birth date.",
            "person",
        ),
        ("sex", "text", "Sex as recorded (female, male, other).", "person"),
        ("race", "text", "Race or ethnicity as recorded (records enumeration).", "person"),
        (
            "has_diploma",
            "boolean",
            "Has a high-school diploma or equivalent (28 CFR 523.20(c)): `person.has_diploma`, else derived from "
            "`education_level` (high_school, ged, some_college, degree: true; none, some_high_school: false).",
            "person",
        ),
        (
            "final_order_of_removal",
            "boolean",
            "Subject to a final order of removal (18 U.S.C. § 3632(d)(4)(E)).",
            "person",
        ),
    ),
    *_group(
        "Current sentence",
        (
            "sentence_type",
            "text",
            "Most severe type among the current sentences (death > life_without_parole > life > indeterminate > "
            "determinate); NULL when any current sentence has no type.",
            "sentence",
        ),
        (
            "is_life_sentence",
            "boolean",
            "A current sentence is life or life without parole.",
            "sentence",
        ),
        ("is_life_without_parole", "boolean", "A current sentence is life without parole.", "sentence"),
        (
            "sentence_imposed_date",
            "date",
            "Earliest date a court imposed one of the current sentences.",
            "sentence",
        ),
        (
            "commencement_date",
            "date",
            "Start of the current controlling term: the earliest commencement among current sentences "
            "(18 U.S.C. § 3585(a)); day 1 of the term.",
            "sentence",
        ),
        (
            "jail_credit_days",
            "integer",
            "Prior custody credit (18 U.S.C. § 3585(b)): the largest credit on a current sentence, since the same "
            "days are not credited twice.",
            "sentence",
        ),
        (
            "served_from_date",
            "date",
            "`commencement_date` minus `jail_credit_days`: the day from which time served counts, so N years are "
            "served on `served_from_date + N years` (less a day).",
            "sentence",
        ),
        (
            "served_days",
            "integer",
            "Days served on the as-of date: as-of − commencement + 1 (the commencement day is day 1) plus jail credit.",
            "sentence",
        ),
        (
            "served_years",
            "number",
            "`served_days` / 365, the one year length of docs/sentencing-conventions.md.",
            "sentence",
        ),
        (
            "term_months",
            "integer",
            "Months of the controlling aggregate term: consecutive terms add along their chain, and of concurrent "
            "chains the one ending last controls; a commuted term replaces the term imposed. NULL when a current "
            "term is unknown (e.g. life).",
            "sentence",
        ),
        (
            "sentence_term_days",
            "integer",
            "Days of the aggregate term from `commencement_date` to the end of the last-ending chain, months "
            "added as calendar months (so 12 months from 1 Jan is 365 or 366 days). NULL without a commencement "
            "date or when a current term is unknown.",
            "sentence",
        ),
        (
            "sentence_term_years",
            "number",
            "The controlling term in years: months / 12 plus days / 365.",
            "sentence",
        ),
        (
            "min_term_months",
            "integer",
            "Minimum term in months of the controlling chain (indeterminate and life sentences, e.g. 25-to-life: "
            "300); a determinate term counts its full term.",
            "sentence",
        ),
        ("fraction_served", "number", "`served_days` / `sentence_term_days`.", "sentence"),
    ),
    *_group(
        "Current offences",
        (
            "current_offense_categories",
            "text",
            "Distinct categories of the current charges, sorted and joined with `;` (e.g. `drug;weapon`).",
            "charge",
        ),
        (
            "has_violent_current_offense",
            "boolean",
            "A current charge is violent: category violent, or an 18 U.S.C. § 924(c) count whose predicate is a "
            "crime of violence (§ 924(c)(3)); one whose predicate is a drug trafficking crime is not.",
            "charge",
        ),
        (
            "has_drug_current_offense",
            "boolean",
            "A current charge has category drug (or, without a category, a statute in a drug list).",
            "charge, offense_lists.yaml",
        ),
        ("has_sex_current_offense", "boolean", "A current charge has category sex.", "charge"),
        ("has_weapon_current_offense", "boolean", "A current charge has category weapon.", "charge"),
        (
            "is_drug_only_offense",
            "boolean",
            "Every current charge is a drug offence (category drug, or a drug-list statute without a category).",
            "charge, offense_lists.yaml",
        ),
        (
            "has_federal_drug_trafficking_offense",
            "boolean",
            "A current charge is under 21 U.S.C. § 841, 846, 848, 856, 860, 952, 960 or 963.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_fsa_excluded_offense",
            "boolean",
            "A current charge is listed in 18 U.S.C. § 3632(d)(4)(D) (ineligible to earn FSA time credits); "
            "conditional clauses read the charge's role and death-or-injury flags. Clause (li) (a § 3559(c)(2)(F) "
            "offence with a qualifying prior) is not assessed.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_crack_cocaine_offense",
            "boolean",
            "A current 21 U.S.C. § 841/844/846/960/963 charge is for cocaine base or crack, by its statute "
            "(§ 841(b)(1)(A)(iii), (B)(iii)) or its description (Fair Sentencing Act of 2010, Pub. L. 111-220, § 2).",
            "charge, offense_lists.yaml",
        ),
        (
            "count_924c",
            "integer",
            "Number of current 18 U.S.C. § 924(c) counts (a charge's `counts`, 1 when not recorded).",
            "charge, offense_lists.yaml",
        ),
        (
            "has_924c_stacking",
            "boolean",
            "Two or more current § 924(c) counts, whose stacked penalties First Step Act § 403 changed.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_851_enhancement",
            "boolean",
            "A current charge carries a 21 U.S.C. § 851 prior-conviction enhancement (in its enhancements or "
            "statute), whose penalties First Step Act § 401 changed.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_3559c_sentence",
            "boolean",
            "A current charge was sentenced under 18 U.S.C. § 3559(c) (mandatory life for serious violent "
            "felonies), in its enhancements or statute.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_mo_no_parole_offense",
            "boolean",
            "A current Missouri charge is one whose statute bars parole (RSMo 565.020 first-degree murder), "
            "or a current sentence is life without parole.",
            "charge, sentence, offense_lists.yaml",
        ),
        (
            "has_mo_dangerous_felony",
            "boolean",
            "A current charge is a dangerous felony (RSMo 556.061(19)): the statute list decides, whatever the "
            "charge's `dangerous_felony` flag says; the flag can only add one; a section listed only under a "
            "condition the record cannot show is unknown unless the flag is true.",
            "charge, offense_lists.yaml",
        ),
        (
            "has_mo_drug_offense",
            "boolean",
            "A current Missouri charge is a drug offence under RSMo chapter 579 (or chapter 195 before 2017).",
            "charge, offense_lists.yaml",
        ),
        (
            "has_ca_violent_felony",
            "boolean",
            "A current California charge or enhancement is a violent felony under Cal. Penal Code § 667.5(c).",
            "charge, offense_lists.yaml",
        ),
        (
            "has_pc12022_enhancement",
            "boolean",
            "A current charge carries an enhancement under Cal. Penal Code § 12022 or its subsections "
            "(12022.5, 12022.53, 12022.7, ...).",
            "charge, offense_lists.yaml",
        ),
        (
            "ca_current_offense_in_tables_abcd",
            "boolean",
            "A current charge matches the statutes we list for PIR tables A–D (serious, violent, super-strike "
            "and registrable sex offences); NULL otherwise, because the tables also hold conduct-based entries "
            "and implied offences that records do not show.",
            "charge, offense_lists.yaml",
        ),
        (
            "aggravating_role",
            "boolean",
            "A current charge records an aggravating role: leader/organizer or manager/supervisor (USSG § 3B1.1).",
            "charge",
        ),
        (
            "death_or_injury_resulted",
            "boolean",
            "Death or serious bodily injury resulted from a current charge.",
            "charge",
        ),
        ("weapon_involved", "boolean", "A weapon was used or possessed in a current charge.", "charge"),
        ("earliest_offense_date", "date", "Earliest offence date among the current charges.", "charge"),
        (
            "age_at_offense_years",
            "integer",
            "Age in whole years on `earliest_offense_date`.",
            "person, charge",
        ),
    ),
    *_group(
        "Criminal history",
        (
            "prior_commitments",
            "integer",
            "Earlier commitments: completed sentences, those commenced (or imposed) on the same date counted once.",
            "sentence",
        ),
        (
            "prior_violent_offenses",
            "integer",
            "Counts of violent offences (as for `has_violent_current_offense`) on completed sentences.",
            "sentence, charge",
        ),
        (
            "has_violent_prior_offense",
            "boolean",
            "A completed sentence has a violent charge (as for `has_violent_current_offense`).",
            "sentence, charge",
        ),
        (
            "ca_prior_offense_in_tables_cd",
            "boolean",
            "A prior charge matches the statutes we list for PIR tables C and D (super strikes, registrable sex "
            "offences); NULL otherwise (see `ca_current_offense_in_tables_abcd`).",
            "sentence, charge, offense_lists.yaml",
        ),
    ),
    *_group(
        "Conduct",
        (
            "incidents_total",
            "integer",
            "Disciplinary incidents on or before the as-of date.",
            "incident",
        ),
        (
            "serious_incidents_last_10y",
            "integer",
            "Incidents of severity greatest or high (28 CFR 541.3, Table 1) in the 10 years up to the as-of date; "
            "NULL when one of them has no severity.",
            "incident",
        ),
        (
            "serious_incidents_this_term",
            "integer",
            "Incidents of severity greatest or high from `served_from_date` to the as-of date.",
            "incident, sentence",
        ),
        (
            "violent_incidents_this_term",
            "integer",
            "Violent incidents from `served_from_date` to the as-of date; NULL when one of them has no violent "
            "flag or there is no commencement date.",
            "incident, sentence",
        ),
        (
            "incidents_last_12m",
            "integer",
            "Incidents in the 12 months up to the as-of date.",
            "incident",
        ),
        (
            "gct_days_lost",
            "integer",
            "Good conduct time disallowed or forfeited (28 CFR 541.3) for incidents of this term.",
            "incident, sentence",
        ),
    ),
    *_group(
        "Risk and needs",
        (
            "latest_risk_level",
            "text",
            "Risk level (minimum, low, medium, high) of the latest assessment on or before the as-of date.",
            "assessment",
        ),
        ("latest_risk_tool", "text", "Tool of that assessment (pattern, compas, ...).", "assessment"),
        ("latest_risk_assessed_on", "date", "Date of that assessment.", "assessment"),
        (
            "risk_level_previous",
            "text",
            "Risk level of the assessment before it, for rules on the last two assessments "
            "(18 U.S.C. § 3632(d)(4)(A)(ii), § 3624(g)(1)(D)).",
            "assessment",
        ),
        *(
            (
                f"needs_{domain}",
                "integer",
                f"Need level for {label}, 0 none to 3 high, from the latest assessment recording it.",
                "assessment",
            )
            for domain, label in (
                ("mental_health", "mental health"),
                ("trauma", "trauma"),
                ("substance_use", "substance use"),
                ("education", "education"),
                ("employment", "employment"),
                ("housing", "housing"),
                ("family", "family"),
                ("cognitive_behavioral", "cognitive and behavioural needs"),
            )
        ),
    ),
    *_group(
        "Programmes",
        (
            "programs_completed",
            "integer",
            "Programme enrolments completed on or before the as-of date.",
            "enrollment",
        ),
        (
            "evidence_based_programs_completed",
            "integer",
            "Of those, evidence-based recidivism-reduction programmes (18 U.S.C. § 3635(3)); NULL when a completed "
            "programme is not marked either way.",
            "enrollment, program",
        ),
    ),
    *_group(
        "Computed dates",
        *(
            (
                name,
                "date",
                f"{text} (`computed_dates`; the latest of the current sentences, NULL when one is uncomputed or "
                "in manual review).",
                "computed_dates",
            )
            for name, text in (
                ("full_term_date", "Last day of the full term, after jail credit"),
                ("release_date", "Projected release from good conduct time, before earned time credits"),
                ("projected_release_date", "Earliest projected release from prison, all credits applied"),
                ("parole_eligibility_date", "First parole eligibility"),
                ("conditional_release_date", "Conditional release date"),
                ("supervised_release_date", "Earliest transfer to supervised release with FSA credits"),
                ("prerelease_custody_date", "Earliest transfer to prerelease custody with FSA credits"),
                (
                    "prerelease_custody_date_if_approved",
                    "Medium or high risk: transfer to prerelease custody with FSA credits if the warden approves a "
                    "petition (18 U.S.C. § 3624(g)(1)(D)(i)(II)), unknown until an approval is recorded",
                ),
            )
        ),
        (
            "ftc_days",
            "integer",
            "First Step Act time credits projected on the controlling sentence (`computed_dates`).",
            "computed_dates",
        ),
        (
            "days_to_release",
            "integer",
            "`projected_release_date` minus the as-of date (negative once passed).",
            "computed_dates",
        ),
        (
            "dates_review_reason",
            "text",
            "Reason codes, joined with `;`, of current sentences sent to manual review instead of computed.",
            "computed_dates",
        ),
        (
            "source_release_date",
            "date",
            "Release date as the source computed it (e.g. EPRD), the latest among current sentences.",
            "sentence",
        ),
        (
            "source_parole_eligibility_date",
            "date",
            "Parole eligibility as the source computed it (e.g. MEPD), the latest among current sentences.",
            "sentence",
        ),
    ),
    *_group(
        "California: the controlling commitment and Redo.io's screen",
        (
            "ca_controlling_case",
            "text",
            "County and case number of the current sentence the source names as controlling "
            "(`sentence.controlling`; CDCR `controlling case number`); NULL unless exactly one is named.",
            "sentence",
        ),
        (
            "ca_controlling_offense",
            "text",
            "The controlling offence as the source writes it (CDCR `controlling offense`, e.g. `PC459 2nd`).",
            "sentence",
        ),
        (
            "ca_controlling_release_date",
            "date",
            "The source's own release date (CDCR EPRD) on the controlling sentence: the date of the whole "
            "commitment, which other current cases do not carry.",
            "sentence",
        ),
        (
            "ca_controlling_parole_eligibility_date",
            "date",
            "The source's own parole-eligibility date (CDCR MEPD of a life term) on the controlling sentence.",
            "sentence",
        ),
        (
            "ca_source_years_served",
            "number",
            "Years served as the source computed them (Redo.io's `time served in years`): years from the end of "
            "the controlling offence to `ca_source_years_served_on`, a stand-in for time in custody.",
            "sentence",
        ),
        (
            "ca_source_years_served_on",
            "date",
            "The day the source computed `ca_source_years_served` (for Redo.io's screen, 2024-11-08); NULL when "
            "the figure does not match that day.",
            "sentence",
        ),
        *_screen_list_facts(),
        (
            "ca_current_mentions_12022",
            "boolean",
            "A current charge's statute or enhancements contain `12022` (Redo.io rule r_11, a substring test, "
            "so § 12022.5 and § 12022.53 count); NULL when none does and a current charge has no statute or its "
            "source may not record every enhancement.",
            "charge",
        ),
    ),
    *_group(
        "California: prison priors (Penal Code § 1172.75)",
        (
            "ca_has_prison_prior_enhancement",
            "boolean",
            "A current charge is, or carries, a one-year prior prison term enhancement under Cal. Penal Code "
            "§ 667.5(b), executed or stayed; NULL when none is and a current charge has no statute or its source "
            "may not record every enhancement.",
            "charge, offense_lists.yaml",
        ),
        (
            "ca_prison_prior_imposed_date",
            "date",
            "The latest date a current sentence carrying a § 667.5(b) enhancement was imposed; NULL when one "
            "has no imposed date.",
            "sentence, charge, offense_lists.yaml",
        ),
        (
            "ca_prison_prior_offense_date",
            "date",
            "The latest offence date among the charges of the current sentences carrying a § 667.5(b) "
            "enhancement: the enhancement was imposed at sentencing, after it.",
            "charge, offense_lists.yaml",
        ),
        (
            "ca_sexually_violent_prior",
            "boolean",
            "A prior charge is a sexually violent offence (Cal. Welf. & Inst. Code § 6600(b)): never true from "
            "records, which do not show the force the section requires, so NULL when a prior charge is under a "
            "listed section; false when the prior sentences are known and none is (source rule).",
            "sentence, charge, offense_lists.yaml",
        ),
    ),
    *_group(
        "Not in the records",
        (
            "warden_request_date",
            "date",
            "Date the warden received a compassionate-release request (18 U.S.C. § 3582(c)(1)(A)). Always NULL "
            "until cases record it.",
            _NO_TABLE,
        ),
        (
            "medical_circumstance",
            "boolean",
            "A USSG § 1B1.13(b)(1) medical circumstance. Always NULL until cases record it.",
            _NO_TABLE,
        ),
        (
            "family_circumstance",
            "boolean",
            "A USSG § 1B1.13(b)(3) family circumstance. Always NULL until cases record it.",
            _NO_TABLE,
        ),
        (
            "abuse_in_custody_finding",
            "boolean",
            "A USSG § 1B1.13(b)(4) finding of abuse by a custodian. Always NULL until cases record it.",
            _NO_TABLE,
        ),
    ),
)

_BY_NAME = {f.name: f for f in FACTS}


def fact(name: str) -> Fact:
    """The fact called `name`; raises KeyError when there is none."""
    return _BY_NAME[name]


def fact_names() -> tuple[str, ...]:
    """Every fact name, in catalogue order."""
    return tuple(f.name for f in FACTS)
