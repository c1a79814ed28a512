"""What each fact makes of records that say nothing (docs/facts.md, "When nothing is recorded").

Silence is unknown (DESIGN.md, "Records model"; decision 8): a fact whose inputs are missing is NULL,
never false or zero, unless its source declares itself complete for the kind of record concerned
(`records.completeness`). Each fact's `Absence` names its inputs (what `tests/policy/facts/test_absence.py`
blanks one by one) and the kinds whose completeness lets silence mean none; `rule` is what
docs/facts.md prints, and it names each of those kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

from secondchance.law.source_lists import source_lists
from secondchance.records.completeness import RecordKind
from secondchance.records.schema import NEED_DOMAINS

__all__ = ["Absence", "ABSENCE", "INPUT_ROWS"]


@dataclass(frozen=True)
class Absence:
    """A fact's inputs and what it makes of their absence."""

    rule: str
    # Each input is blanked as a whole: a table (its rows deleted), a kind of rows of `INPUT_ROWS`, a
    # `table.column` (set to NULL), or alternatives `a.x | a.y` that each alone would decide the fact.
    inputs: tuple[str, ...] = ()
    # The kinds of record whose declared completeness turns silence into none (false, 0) for this fact.
    complete_for: tuple[RecordKind, ...] = ()


# Inputs that are some rows of a table, and the condition selecting them.
INPUT_ROWS: dict[str, tuple[str, str]] = {"prior_sentence": ("sentence", "status = 'completed'")}

_CHARGES = "the counts of a sentence may be incomplete unless its source is complete for `charge`"
_COMPUTED = "NULL before `dates compute`, or when a current sentence's dates are uncomputed or in manual review."
_CREDIT = "without the credit, unless the source is complete for `jail_credit` (then an empty credit is none)"
_TERM = "sentence.term_months | sentence.commuted_term_months"
# An enhancement row (CDCR's "Case Enhancement") has no offence date of its own, so the dated counts decide.
_EARLIEST = "The earliest dated count: an undated or unrecorded count is not read, so the offence may be earlier."


def _unknown(rule: str, *inputs: str) -> Absence:
    return Absence(rule, inputs)


def _none_where(kinds: tuple[RecordKind, ...], rule: str, *inputs: str) -> Absence:
    return Absence(rule, inputs, kinds)


def _any_charge(what: str, *inputs: str, enhancement: bool = False) -> Absence:
    """A flag over the current counts: false only when none can be `what`."""
    kinds: tuple[RecordKind, ...] = ("charge", "enhancement") if enhancement else ("charge",)
    extra = " and the source is complete for `enhancement` (an empty field is none)" if enhancement else ""
    rule = (
        f"False only when no current count can be {what}: every count recorded (`charge`){extra}; "
        "a count without what the fact reads, or a missing count, makes it NULL unless another decides it."
    )
    return Absence(rule, ("charge", *inputs), kinds)


def _incidents(*inputs: str, term: bool = False) -> Absence:
    """A count of incidents: none recorded is 0 only where the source is complete for incidents."""
    rule = "No incident: 0 where the source is complete for `incident`, else NULL"
    if inputs:
        rule += "; NULL when an incident counted lacks what the fact reads"
    if not term:
        return Absence(f"{rule}.", ("incident", *inputs), ("incident",))
    rule += f"; NULL without the commencement date, or {_CREDIT}"
    term_inputs = ("sentence.commencement_date", "sentence.jail_credit_days")
    return Absence(f"{rule}.", ("incident", *inputs, *term_inputs), ("incident", "jail_credit"))


ABSENCE: dict[str, Absence] = {
    "as_of_date": _unknown("Always known."),
    "system": _unknown("NULL without a current sentence.", "sentence"),
    "jurisdiction": _unknown("NULL when not recorded.", "person.jurisdiction"),
    "in_custody": _none_where(
        ("custody_period",),
        "No period covering the as-of date: false where the source is complete for `custody_period`, else NULL.",
        "custody_period",
    ),
    "birth_date": _unknown("NULL when not recorded; a birth year alone is not a date.", "person.birth_date"),
    "age_years": _unknown("NULL without a full birth date.", "person.birth_date"),
    "sex": _unknown("NULL when not recorded.", "person.sex"),
    "race": _unknown("NULL when not recorded.", "person.race"),
    "has_diploma": _unknown(
        "NULL when neither `has_diploma` nor `education_level` is recorded.",
        "person.has_diploma | person.education_level",
    ),
    "final_order_of_removal": _unknown("NULL when not recorded.", "person.final_order_of_removal"),
    "sentence_type": _unknown(
        "NULL without a current sentence, or when one has no type.", "sentence", "sentence.sentence_type"
    ),
    "is_life_sentence": _unknown(
        "NULL when a current sentence has no type and none is a life term.", "sentence", "sentence.sentence_type"
    ),
    "is_life_without_parole": _unknown(
        "NULL when a current sentence has no type and none is life without parole.",
        "sentence",
        "sentence.sentence_type",
    ),
    "sentence_imposed_date": _unknown(
        "NULL when a current sentence has no imposed date.", "sentence", "sentence.imposed_date"
    ),
    "commencement_date": _unknown(
        "NULL when a current sentence that runs after no other has no commencement date.",
        "sentence",
        "sentence.commencement_date",
    ),
    "jail_credit_days": _none_where(
        ("jail_credit",),
        "A current sentence without a credit: none (0) where the source is complete for `jail_credit`, else NULL.",
        "sentence",
        "sentence.jail_credit_days",
    ),
    **{
        name: _none_where(
            ("jail_credit",),
            f"NULL without the commencement date, or {_CREDIT}.",
            "sentence",
            "sentence.commencement_date",
            "sentence.jail_credit_days",
        )
        for name in ("served_from_date", "served_days", "served_years")
    },
    "term_months": _unknown("NULL when a current term is not recorded (or is life).", "sentence", _TERM),
    "sentence_term_days": _unknown(
        "NULL without the commencement date or a current term.", "sentence", "sentence.commencement_date", _TERM
    ),
    "sentence_term_years": _unknown(
        "NULL when a current term is not recorded; a term without `term_days` is whole months.", "sentence", _TERM
    ),
    "min_term_months": _unknown(
        "NULL when a current sentence records no minimum, commuted or imposed term.",
        "sentence",
        f"sentence.min_term_months | {_TERM}",
    ),
    "fraction_served": _none_where(
        ("jail_credit",),
        f"NULL without the commencement date or a current term, or {_CREDIT}.",
        "sentence",
        "sentence.commencement_date",
        "sentence.jail_credit_days",
        _TERM,
    ),
    "current_offense_categories": _none_where(
        ("charge",),
        f"NULL when a current count has no category; {_CHARGES}.",
        "charge",
        "charge.offense_category",
    ),
    "has_violent_current_offense": _none_where(
        ("charge",),
        "False only when no current count can be violent: every count recorded (`charge`), each with a category, "
        "and each 18 U.S.C. § 924(c) count with its predicate named in its description (§ 924(c)(1)(A): a crime of "
        "violence or a drug trafficking crime); a federal weapon count without a statute may be a § 924(c) count. "
        "Otherwise NULL unless a count is violent.",
        "charge",
        "charge.offense_category",
        "charge.statute",
        "charge.description",
    ),
    "has_drug_current_offense": _any_charge("a drug count", "charge.offense_category | charge.statute"),
    "has_sex_current_offense": _any_charge("a sex offence", "charge.offense_category"),
    "has_weapon_current_offense": _any_charge("a weapon offence", "charge.offense_category"),
    "is_drug_only_offense": _none_where(
        ("charge",),
        "True only when every count is recorded (`charge`) and each is known to be a drug count; false when one "
        "is known not to be (by its category); otherwise NULL. A count without a category whose statute is in no "
        "drug list is unknown.",
        "charge",
        "charge.offense_category | charge.statute",
    ),
    "has_federal_drug_trafficking_offense": _any_charge("a listed drug trafficking count", "charge.statute"),
    "has_fsa_excluded_offense": _any_charge("a listed offence", "charge.statute"),
    "has_crack_cocaine_offense": _none_where(
        ("charge",),
        "False only when every count is recorded (`charge`) and each federal drug count names its substance in its "
        "statute or description (Fair Sentencing Act of 2010, § 2, sets the cocaine base thresholds apart); a drug "
        "count that does not name the drug is unknown, not powder.",
        "charge",
        "charge.statute",
        "charge.description",
    ),
    "count_924c": _none_where(
        ("charge",),
        "NULL unless every count is recorded (`charge`) and each has a statute; a charge row without `counts` is "
        "one count (records model).",
        "charge",
        "charge.statute",
    ),
    "has_924c_stacking": _none_where(
        ("charge",),
        "False only when every count is recorded (`charge`) with a statute and fewer than two are § 924(c) counts.",
        "charge",
        "charge.statute",
    ),
    "has_851_enhancement": _any_charge(
        "under a § 851 enhancement", "charge.enhancements", "charge.statute", enhancement=True
    ),
    "has_3559c_sentence": _any_charge(
        "sentenced under § 3559(c)", "charge.enhancements", "charge.statute", enhancement=True
    ),
    "has_mo_no_parole_offense": _none_where(
        ("charge",),
        "False only when every Missouri count is recorded (`charge`) with a statute and no current sentence "
        "lacks a type; otherwise NULL unless one bars parole.",
        "charge",
        "charge.statute",
        "sentence.sentence_type",
    ),
    "has_mo_dangerous_felony": _any_charge("a dangerous felony", "charge.statute"),  # the flag only adds
    "has_mo_drug_offense": _any_charge("a chapter 579 or 195 count", "charge.statute"),
    "has_ca_violent_felony": _any_charge("a violent felony", "charge.statute", "charge.enhancements", enhancement=True),
    "has_pc12022_enhancement": _any_charge("under § 12022", "charge.enhancements", enhancement=True),
    "ca_current_offense_in_tables_abcd": _unknown(
        "Never false for a California count (NULL), whose tables hold conduct that records do not show; false "
        "when every current sentence is of another system.",
        "sentence",
    ),
    "aggravating_role": _any_charge("of an aggravating role", "charge.role"),
    "death_or_injury_resulted": _any_charge("one where death or injury resulted", "charge.death_or_injury_resulted"),
    "weapon_involved": _any_charge("one with a weapon", "charge.weapon_involved"),
    "earliest_offense_date": _unknown(
        f"NULL when no current count has an offence date. {_EARLIEST}", "charge", "charge.offense_date"
    ),
    "age_at_offense_years": _unknown(
        f"NULL without a full birth date, or when no current count has an offence date. {_EARLIEST}",
        "person.birth_date",
        "charge",
        "charge.offense_date",
    ),
    "prior_commitments": _none_where(
        ("prior_sentence",),
        "No completed sentence: 0 where the source is complete for `prior_sentence`, else NULL.",
        "prior_sentence",
    ),
    **{
        name: _none_where(
            ("prior_sentence", "charge"),
            f"No completed sentence: {none} where the source is complete for `prior_sentence`, else NULL; NULL "
            "when a prior count may be missing (`charge`), has no category, or is a § 924(c) count without a named "
            "predicate, unless a violent one is found.",
            "prior_sentence",
            "charge",
            "charge.offense_category",
            "charge.statute",
            "charge.description",
        )
        for name, none in (("prior_violent_offenses", "0"), ("has_violent_prior_offense", "false"))
    },
    "ca_prior_offense_in_tables_cd": _none_where(
        ("prior_sentence",),
        "False only for a person of another system whose source is complete for `prior_sentence`; otherwise "
        "NULL unless a prior count is listed.",
        "prior_sentence",
    ),
    "incidents_total": _incidents(),
    "serious_incidents_last_10y": _incidents("incident.severity"),
    "serious_incidents_this_term": _incidents("incident.severity", term=True),
    "violent_incidents_this_term": _incidents("incident.violent", term=True),
    "incidents_last_12m": _incidents(),
    "gct_days_lost": _incidents("incident.gct_days_lost", term=True),
    "latest_risk_level": _unknown(
        "NULL without an assessment recording a level.", "assessment", "assessment.risk_level"
    ),
    "latest_risk_tool": _unknown(
        "NULL without an assessment recording a level, or when its tool is not recorded.",
        "assessment",
        "assessment.risk_level",
        "assessment.tool",
    ),
    "latest_risk_assessed_on": _unknown(
        "NULL without an assessment recording a level.", "assessment", "assessment.risk_level"
    ),
    "risk_level_previous": _unknown(
        "NULL without two assessments recording a level.", "assessment", "assessment.risk_level"
    ),
    **{
        f"needs_{domain}": _unknown(
            "NULL without an assessment recording it.", "assessment", f"assessment.need_{domain}"
        )
        for domain in NEED_DOMAINS
    },
    "programs_completed": _none_where(
        ("enrollment",), "No completion: 0 where the source is complete for `enrollment`, else NULL.", "enrollment"
    ),
    "evidence_based_programs_completed": _none_where(
        ("enrollment",),
        "No completion: 0 where the source is complete for `enrollment`, else NULL; NULL when a completed "
        "programme is not marked evidence-based or not.",
        "enrollment",
        "program",
        "program.evidence_based",
    ),
    **{
        name: _unknown(_COMPUTED, "computed_dates", f"computed_dates.{name}")
        for name in (
            "full_term_date",
            "release_date",
            "projected_release_date",
            "parole_eligibility_date",
            "conditional_release_date",
            "supervised_release_date",
            "prerelease_custody_date",
            "prerelease_custody_date_if_approved",
            "ftc_days",
        )
    },
    "days_to_release": _unknown(_COMPUTED, "computed_dates", "computed_dates.projected_release_date"),
    "dates_review_reason": _unknown(
        "NULL both when no current sentence is in review and before `dates compute`: it never says none.",
        "computed_dates",
        "computed_dates.review_reason",
    ),
    "source_release_date": _unknown(
        "NULL when a current sentence has none.", "sentence", "sentence.source_release_date"
    ),
    "source_parole_eligibility_date": _unknown(
        "NULL when a current sentence has none.", "sentence", "sentence.source_parole_eligibility_date"
    ),
    **{
        name: _unknown("Always NULL: no records hold it.")
        for name in ("warden_request_date", "medical_circumstance", "family_circumstance", "abuse_in_custody_finding")
    },
}


# California: the controlling commitment, Redo.io's screen and § 1172.75 (policy/facts/california.py).
_CONTROLLING = "NULL unless the source names exactly one current sentence as controlling, or when it records none."
_TABLES = "NULL while the screen's offence tables are not loaded (`offense_table_entry`)"
_PRISON_PRIOR = "charge.statute | charge.enhancements"


def _screen_list(scope: str) -> Absence:
    """A fact over one of the screen's lists: unknown without the tables, false only when nothing is unknown."""
    if scope == "current":
        return _none_where(
            ("charge",),
            f"{_TABLES}; false only when every current count is recorded (`charge`) with a statute, else NULL "
            "unless one is listed.",
            "offense_table_entry",
            "charge",
            "charge.statute",
        )
    if scope == "prior":
        return _none_where(
            ("prior_sentence", "charge"),
            f"{_TABLES}; no completed sentence: false where the source is complete for `prior_sentence`; NULL "
            "when a prior count may be missing (`charge`) or has no statute, unless one is listed.",
            "offense_table_entry",
            "prior_sentence",
            "charge",
            "charge.statute",
        )
    return _unknown(f"{_TABLES}, or without a controlling offence.", "offense_table_entry",
                    "sentence.controlling", "sentence.controlling_offense")  # fmt: skip


CALIFORNIA: dict[str, Absence] = {
    "ca_controlling_case": _unknown(_CONTROLLING, "sentence.controlling"),
    **{
        name: _unknown(_CONTROLLING, "sentence.controlling", f"sentence.{column}")
        for name, column in (
            ("ca_controlling_offense", "controlling_offense"),
            ("ca_controlling_release_date", "source_release_date"),
            ("ca_controlling_parole_eligibility_date", "source_parole_eligibility_date"),
            ("ca_source_years_served", "source_time_served_years"),
            ("ca_source_years_served_on", "source_time_served_on"),
        )
    },
    **{name: _screen_list(scope) for item in source_lists().values() for scope, name in item.facts.items()},
    "ca_current_mentions_12022": _any_charge(
        "one whose statute or enhancements contain 12022", "charge.statute", "charge.enhancements", enhancement=True
    ),
    "ca_has_prison_prior_enhancement": _any_charge("a § 667.5(b) enhancement", _PRISON_PRIOR, enhancement=True),
    "ca_prison_prior_imposed_date": _unknown(
        "NULL when no current count is a § 667.5(b) enhancement, or its sentence has no imposed date.",
        _PRISON_PRIOR,
        "sentence.imposed_date",
    ),
    "ca_prison_prior_offense_date": _unknown(
        "NULL when no current count is a § 667.5(b) enhancement, or the counts of its sentence have no offence date.",
        _PRISON_PRIOR,
        "charge.offense_date",
    ),
    "ca_sexually_violent_prior": _none_where(
        ("prior_sentence", "charge"),
        "Never true from records. No completed sentence: false where the source is complete for `prior_sentence`; "
        "NULL when a prior count may be missing (`charge`), has no statute, or is under a section W&I § 6600(b) "
        "lists.",
        "prior_sentence",
        "charge",
        "charge.statute",
    ),
}
ABSENCE.update(CALIFORNIA)
