"""The records model, declared once.

Every table of the records store is a `Table` of `Column`s here. The DuckDB DDL
(`records.store`), ingest validation (`records.validate`) and `docs/records.md`
are all derived from these declarations, so they cannot drift apart.

Conventions (DESIGN.md, "Records model"):
- every row has a natural key from its source, (`source`, `source_id`), and an
  internal `id` that the store assigns and keeps across reloads;
- rows that belong to a person carry `person_source_id` in files and both
  `person_id` (internal) and `person_source_id` in the store;
- an enumerated column keeps the source text beside the normalised value in
  `<name>_raw`;
- unknown is NULL; periods are half-open `[start, end)`, and an open end means
  the period is still going on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ColumnType",
    "Column",
    "Reference",
    "Table",
    "TABLES",
    "TABLE_NAMES",
    "table",
    "ENUMS",
    "NEED_DOMAINS",
    "REENTRY_PATHWAYS",
    "DUCKDB_TYPES",
]

ColumnType = Literal["text", "date", "integer", "number", "boolean"]

DUCKDB_TYPES: dict[str, str] = {
    "text": "VARCHAR",
    "date": "DATE",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
}

# Needs domains of DESIGN.md ("assessment"); each is a level 0 none, 1 low, 2 moderate, 3 high.
NEED_DOMAINS: tuple[str, ...] = (
    "mental_health",
    "trauma",
    "substance_use",
    "education",
    "employment",
    "housing",
    "family",
    "cognitive_behavioral",
)

# The eight reentry pathways of DESIGN.md ("Programmes and reentry").
REENTRY_PATHWAYS: tuple[str, ...] = (
    "id",
    "housing",
    "employment",
    "health",
    "benefits",
    "family",
    "finance",
    "legal",
)

ENUMS: dict[str, tuple[str, ...]] = {
    "sex": ("female", "male", "other"),
    "race": (
        "white",
        "black",
        "hispanic",
        "asian",
        "native_american",
        "pacific_islander",
        "multiple",
        "other",
    ),
    "education_level": ("none", "some_high_school", "high_school", "ged", "some_college", "degree"),
    "sentence_type": ("determinate", "indeterminate", "life", "life_without_parole", "death"),
    "sentence_status": ("active", "completed", "commuted", "vacated"),
    "offense_category": ("violent", "drug", "property", "sex", "weapon", "public_order", "other"),
    "role": ("none", "minor", "manager_supervisor", "leader_organizer"),
    "count_relationship": ("principal", "concurrent", "consecutive"),
    "custody_type": ("jail", "prison", "residential_reentry", "home_confinement", "other"),
    "assessment_tool": ("pattern", "compas", "lsi_r", "oras", "spin", "static_99", "other"),
    "risk_level": ("minimum", "low", "medium", "high"),
    "program_type": (
        "individual_therapy",
        "group_therapy",
        "substance_use_treatment",
        "cognitive_behavioral",
        "education",
        "vocational",
        "work",
        "reentry",
        "other",
    ),
    "enrollment_status": ("referred", "waitlisted", "enrolled", "completed", "dropped"),
    "incident_severity": ("greatest", "high", "moderate", "low"),
    "release_type": (
        "parole",
        "conditional_release",
        "good_conduct",
        "expiration",
        "supervised_release",
        "commutation",
        "compassionate_release",
        "residential_reentry",
        "home_confinement",
        "court_order",
        "death",
        "other",
    ),
    "pathway": REENTRY_PATHWAYS,
    "reentry_status": ("open", "in_progress", "done", "not_needed"),
}


@dataclass(frozen=True)
class Column:
    """One column of a records table, with the checks that ingest applies to it."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    enum: str | None = None  # key of ENUMS; the store then also has `<name>_raw`
    minimum: float | None = None
    maximum: float | None = None
    not_in_future: bool = False
    pattern: str | None = None  # a regular expression the whole text must match

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed normalised values of an enumerated column."""
        return ENUMS[self.enum] if self.enum else ()


@dataclass(frozen=True)
class Reference:
    """A column holding the `source_id` of a row of another table (same source)."""

    column: str
    table: str
    internal: str  # the store column that receives the referenced row's internal id


@dataclass(frozen=True)
class Table:
    """A records table: its columns, references and the date orders it must respect."""

    name: str
    description: str
    columns: tuple[Column, ...]
    references: tuple[Reference, ...] = ()
    date_order: tuple[tuple[str, str], ...] = ()  # (earlier, later): later must not precede earlier
    extra_store_columns: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _key(entity: str) -> tuple[Column, Column]:
    return (
        Column("source", "text", "Where the row came from (an adapter name or the file name).", required=True),
        Column("source_id", "text", f"The {entity}'s identifier in its source.", required=True),
    )


_PERSON_REF = Column("person_source_id", "text", "The `source_id` of the person this row belongs to.", required=True)
_PERSON = Reference("person_source_id", "person", "person_id")
_JURISDICTION_PATTERN = r"federal|us-[a-z]{2}"


TABLES: tuple[Table, ...] = (
    Table(
        "person",
        "A person known to a source. Names are optional; most analyses need none.",
        (
            *_key("person"),
            Column(
                "jurisdiction",
                "text",
                "`federal` or `us-` and a state code, e.g. `us-mo`.",
                pattern=_JURISDICTION_PATTERN,
            ),
            Column("name", "text", "Display name, where the source has one."),
            Column("birth_date", "date", "Date of birth.", not_in_future=True),
            Column(
                "birth_year",
                "integer",
                "Year of birth when only the year (or an age) is known.",
                minimum=1880,
                maximum=2100,
            ),
            Column("sex", "text", "Sex as recorded.", enum="sex"),
            Column("race", "text", "Race or ethnicity as recorded.", enum="race"),
            Column("education_level", "text", "Highest education completed.", enum="education_level"),
            Column(
                "has_diploma",
                "boolean",
                "Has a high-school diploma or equivalent (28 CFR 523.20(c)); NULL when unknown.",
            ),
            Column(
                "final_order_of_removal",
                "boolean",
                "Subject to a final order of removal (18 U.S.C. § 3632(d)(4)(E)).",
            ),
            Column("primary_language", "text", "Preferred language, as an ISO 639-1 code."),
            Column("release_area", "text", "County or area the person expects to return to."),
        ),
    ),
    Table(
        "sentence",
        "A sentence imposed by a court. Terms are calendar terms: months plus days.",
        (
            *_key("sentence"),
            _PERSON_REF,
            Column(
                "system",
                "text",
                "Sentencing system: `federal` or `us-` and a state code.",
                required=True,
                pattern=_JURISDICTION_PATTERN,
            ),
            Column("sentence_type", "text", "Kind of sentence.", enum="sentence_type"),
            Column("status", "text", "Whether the sentence is being served.", enum="sentence_status"),
            Column("case_number", "text", "Court case number."),
            Column("court", "text", "Sentencing court, district or county."),
            Column("imposed_date", "date", "Date the court imposed the sentence.", not_in_future=True),
            Column(
                "commencement_date",
                "date",
                "Date the sentence commenced (18 U.S.C. § 3585(a)): arrival or surrender.",
            ),
            Column(
                "term_months",
                "integer",
                "Term imposed, whole months (years × 12); the maximum for indeterminate terms.",
                minimum=0,
            ),
            Column("term_days", "integer", "Days imposed beyond `term_months` (e.g. 12m1d: 12 and 1).", minimum=0),
            Column(
                "min_term_months",
                "integer",
                "Minimum term in months of an indeterminate or life sentence (e.g. 25-to-life: 300).",
                minimum=0,
            ),
            Column("jail_credit_days", "integer", "Prior custody credit (18 U.S.C. § 3585(b)).", minimum=0),
            Column(
                "consecutive_to_source_id",
                "text",
                "The `source_id` of the sentence this one runs consecutively to; NULL if concurrent.",
            ),
            Column("supervised_release_months", "integer", "Term of supervised release imposed.", minimum=0),
            Column("commuted_term_months", "integer", "Term after a commutation, in months.", minimum=0),
            Column("commutation_date", "date", "Date of the commutation.", not_in_future=True),
            Column("source_release_date", "date", "Release date as the source computed it (e.g. EPRD)."),
            Column(
                "source_parole_eligibility_date",
                "date",
                "Parole eligibility date as the source computed it (e.g. MEPD).",
            ),
            Column(
                "source_date_text",
                "text",
                "The source's release or parole-eligibility date as written, when less than a date (CDCR `MAR25`).",
            ),
            Column("commutation_terms", "text", "The terms of a commutation as written, conditions included."),
            Column(
                "controlling",
                "boolean",
                "The source names this sentence as the controlling one of the person's commitment (CDCR: the "
                "controlling case); NULL when the source does not say.",
            ),
            Column(
                "controlling_offense",
                "text",
                "The offence the source names as controlling the commitment, as written (CDCR `controlling offense`).",
            ),
            Column(
                "source_time_served_years",
                "number",
                "Years served as the source computed them, when it reports a figure (Redo.io's `time served in "
                "years`, counted from the controlling offence, not from a custody start).",
                minimum=0,
            ),
            Column("source_time_served_on", "date", "The day the source computed `source_time_served_years`."),
        ),
        references=(_PERSON, Reference("consecutive_to_source_id", "sentence", "consecutive_to_id")),
        date_order=(("imposed_date", "commutation_date"),),
    ),
    Table(
        "charge",
        "One count of conviction under a sentence.",
        (
            *_key("charge"),
            Column("sentence_source_id", "text", "The `source_id` of the sentence.", required=True),
            Column("statute", "text", "Statute code as written, e.g. `21 USC 841(a)(1)` or `PC187`."),
            Column("description", "text", "Offence description."),
            Column("offense_category", "text", "Broad offence category.", enum="offense_category"),
            Column("offense_class", "text", "Class or grade, e.g. `A felony`."),
            Column("offense_date", "date", "Date of the offence.", not_in_future=True),
            Column("counts", "integer", "Number of counts.", minimum=1),
            Column("term_months", "integer", "Term imposed on this count, in months.", minimum=0),
            Column("relationship", "text", "How this count runs against the others.", enum="count_relationship"),
            Column("role", "text", "Aggravating role (USSG § 3B1.1).", enum="role"),
            Column("death_or_injury_resulted", "boolean", "Death or serious bodily injury resulted."),
            Column("weapon_involved", "boolean", "A weapon was used or possessed."),
            Column("dangerous_felony", "boolean", "A dangerous felony under RSMo 556.061."),
            Column("enhancements", "text", "Enhancement codes, separated by `;`, as written."),
        ),
        references=(Reference("sentence_source_id", "sentence", "sentence_id"),),
        extra_store_columns=(("person_id", "BIGINT", "Internal id of the person, via the sentence."),),
    ),
    Table(
        "custody_period",
        "A period in custody, half-open: `[start_date, end_date)`. An open end means still in custody.",
        (
            *_key("custody period"),
            _PERSON_REF,
            Column("custody_type", "text", "Jail, prison or community custody.", enum="custody_type"),
            Column("facility", "text", "Facility name."),
            Column("start_date", "date", "First day in custody.", required=True, not_in_future=True),
            Column("end_date", "date", "Day custody ended (exclusive); NULL while still in custody."),
            Column("reason", "text", "Why the period started or ended, as written."),
        ),
        references=(_PERSON,),
        date_order=(("start_date", "end_date"),),
    ),
    Table(
        "assessment",
        "A risk and needs assessment. Needs are levels 0 none, 1 low, 2 moderate, 3 high.",
        (
            *_key("assessment"),
            _PERSON_REF,
            Column("tool", "text", "Assessment tool.", enum="assessment_tool"),
            Column("scale", "text", "Scale of the tool, e.g. `Risk of Violence`."),
            Column("assessed_on", "date", "Date of the assessment.", required=True, not_in_future=True),
            Column("score", "number", "Raw or decile score."),
            Column("risk_level", "text", "Risk level.", enum="risk_level"),
            *(
                Column(
                    f"need_{domain}",
                    "integer",
                    f"Need level for {domain.replace('_', ' ')}.",
                    minimum=0,
                    maximum=3,
                )
                for domain in NEED_DOMAINS
            ),
        ),
        references=(_PERSON,),
    ),
    Table(
        "program",
        "A rehabilitation programme and the needs it addresses.",
        (
            *_key("programme"),
            Column("name", "text", "Programme name.", required=True),
            Column("program_type", "text", "Kind of programme.", enum="program_type"),
            Column("addresses_needs", "text", "Needs domains addressed, separated by `;`."),
            Column("duration_days", "integer", "Length of the programme in days.", minimum=1),
            Column("eligibility_pack", "text", "Id of the policy pack that decides eligibility."),
            Column(
                "evidence_based",
                "boolean",
                "An evidence-based recidivism-reduction programme (18 U.S.C. § 3635(3)).",
            ),
        ),
    ),
    Table(
        "program_offering",
        "A cohort of a programme at a facility with a number of seats.",
        (
            *_key("offering"),
            Column("program_source_id", "text", "The `source_id` of the programme.", required=True),
            Column("facility", "text", "Facility name."),
            Column("start_date", "date", "First day of the cohort.", required=True),
            Column("seats", "integer", "Seats available.", required=True, minimum=0),
            Column("duration_days", "integer", "Length in days, when it differs from the programme's.", minimum=1),
        ),
        references=(Reference("program_source_id", "program", "program_id"),),
    ),
    Table(
        "enrollment",
        "A person's place in a programme: referral, waitlist, enrolment, completion or drop-out.",
        (
            *_key("enrollment"),
            _PERSON_REF,
            Column("program_source_id", "text", "The `source_id` of the programme.", required=True),
            Column("offering_source_id", "text", "The `source_id` of the offering, once placed."),
            Column("status", "text", "Where the person stands.", enum="enrollment_status", required=True),
            Column("referred_on", "date", "Date of referral or of joining the waitlist.", not_in_future=True),
            Column("start_date", "date", "First day in the programme."),
            Column("end_date", "date", "Day of completion or drop-out."),
            Column("reason", "text", "Reason for the latest status, as written."),
        ),
        references=(
            _PERSON,
            Reference("program_source_id", "program", "program_id"),
            Reference("offering_source_id", "program_offering", "offering_id"),
        ),
        date_order=(("referred_on", "start_date"), ("start_date", "end_date")),
    ),
    Table(
        "incident",
        "A disciplinary incident in custody.",
        (
            *_key("incident"),
            _PERSON_REF,
            Column("incident_date", "date", "Date of the incident.", required=True, not_in_future=True),
            Column("incident_type", "text", "Prohibited act code or description, as written."),
            Column("severity", "text", "Severity level (28 CFR 541.3, Table 1).", enum="incident_severity"),
            Column("violent", "boolean", "Violence against a person was involved."),
            Column("sanction", "text", "Sanction imposed, as written."),
            Column(
                "gct_days_lost",
                "integer",
                "Good conduct time disallowed or forfeited (28 CFR 541.3).",
                minimum=0,
            ),
        ),
        references=(_PERSON,),
    ),
    Table(
        "release",
        "A release from prison, with any return.",
        (
            *_key("release"),
            _PERSON_REF,
            Column("release_date", "date", "Date of release."),
            Column(
                "release_year",
                "integer",
                "Year of release when only the (fiscal) year is known.",
                minimum=1900,
                maximum=2100,
            ),
            Column("release_type", "text", "How the person was released.", enum="release_type"),
            Column("age_at_release", "text", "Age or age band at release, as written."),
            Column("supervising_district", "text", "Supervising district or office."),
            Column("returned_to_prison", "boolean", "Returned to prison in the follow-up window."),
            Column("days_to_return", "integer", "Days from release to return.", minimum=0),
            Column("return_type", "text", "Kind of return (new offence, technical violation), as written."),
        ),
        references=(_PERSON,),
    ),
    Table(
        "offense_table_entry",
        "An offence listed in a table a source publishes with its data (Redo.io's PIR tables A-F), as given.",
        (
            *_key("table entry"),
            Column("table_name", "text", "The table as the source names it, e.g. `Table A`.", required=True),
            Column("table_letter", "text", "The table's letter, e.g. `A`.", pattern=r"[A-Z]"),
            Column("table_type", "text", "What the source says the table lists, e.g. `Serious felonies`."),
            Column("offense", "text", "The offence code as given, e.g. `136.1(b)/ATT`.", required=True),
            Column(
                "offense_cleaned",
                "text",
                "The code cleaned as the source's screen cleaned codes before comparing them (lower case, trailing "
                "periods, `pc`, `rape`, line breaks and spaces removed): `136.1(b)/att`.",
            ),
        ),
    ),
    Table(
        "reentry_item",
        "A reentry task for a person in one of the eight pathways.",
        (
            *_key("reentry item"),
            _PERSON_REF,
            Column("pathway", "text", "Reentry pathway.", enum="pathway", required=True),
            Column("task", "text", "What is to be done.", required=True),
            Column("due_date", "date", "When it should be done."),
            Column("status", "text", "Progress.", enum="reentry_status"),
            Column("completed_on", "date", "Date it was done."),
        ),
        references=(_PERSON,),
    ),
)

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The table declaration called `name`; raises KeyError naming the known tables."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known tables: {', '.join(TABLE_NAMES)}") from None
