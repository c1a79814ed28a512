"""The words of the synthetic population: raw source labels, statutes, facilities, programmes and tasks.

None of this is drawn from real records; facility and area names are invented or public place names.
"""

from __future__ import annotations

__all__ = [
    "RAW_LABELS",
    "STATUTES",
    "MO_CLASS_BY_CATEGORY",
    "FEDERAL_FACILITIES",
    "MO_FACILITIES",
    "FEDERAL_AREAS",
    "MO_AREAS",
    "PROGRAMS",
    "REENTRY_TASKS",
    "INCIDENT_TYPES",
    "SANCTIONS",
]

# The text a source system would have written for each normalised value (kept in `<column>_raw`).
RAW_LABELS: dict[str, dict[str, str]] = {
    "sex": {"male": "M", "female": "F", "other": "X"},
    "race": {
        "white": "White",
        "black": "Black",
        "hispanic": "Hispanic",
        "asian": "Asian",
        "native_american": "American Indian/Alaska Native",
        "pacific_islander": "Native Hawaiian/Pacific Islander",
        "multiple": "Two or more races",
        "other": "Other",
    },
    "education_level": {
        "none": "No formal schooling",
        "some_high_school": "Some high school",
        "high_school": "High school diploma",
        "ged": "GED",
        "some_college": "Some college",
        "degree": "College degree",
    },
    "sentence_type": {
        "determinate": "DETERMINATE",
        "indeterminate": "INDETERMINATE",
        "life": "LIFE",
        "life_without_parole": "LIFE WITHOUT PAROLE",
        "death": "DEATH",
    },
    "sentence_status": {"active": "ACTIVE", "completed": "COMPLETED", "commuted": "COMMUTED", "vacated": "VACATED"},
    "offense_category": {
        "violent": "Violent",
        "drug": "Drug Offenses",
        "property": "Property",
        "sex": "Sex Offenses",
        "weapon": "Weapons, Explosives, Arson",
        "public_order": "Public Order",
        "other": "Miscellaneous",
    },
    "role": {
        "none": "None",
        "minor": "Minor participant (3B1.2)",
        "manager_supervisor": "Manager or supervisor (3B1.1(b))",
        "leader_organizer": "Organizer or leader (3B1.1(a))",
    },
    "count_relationship": {"principal": "PRINCIPAL", "concurrent": "CC", "consecutive": "CS"},
    "custody_type": {
        "jail": "JAIL",
        "prison": "PRISON",
        "residential_reentry": "RRC",
        "home_confinement": "HOME CONFINEMENT",
        "other": "OTHER",
    },
    "assessment_tool": {
        "pattern": "PATTERN",
        "compas": "COMPAS",
        "lsi_r": "LSI-R",
        "oras": "ORAS",
        "spin": "SPIn",
        "static_99": "Static-99R",
        "other": "Other",
    },
    "risk_level": {"minimum": "MINIMUM", "low": "LOW", "medium": "MEDIUM", "high": "HIGH"},
    "program_type": {
        "individual_therapy": "Individual therapy",
        "group_therapy": "Group therapy",
        "substance_use_treatment": "Substance use treatment",
        "cognitive_behavioral": "Cognitive behavioral",
        "education": "Education",
        "vocational": "Vocational",
        "work": "Work",
        "reentry": "Reentry",
        "other": "Other",
    },
    "enrollment_status": {
        "referred": "Referred",
        "waitlisted": "Waitlisted",
        "enrolled": "Enrolled",
        "completed": "Completed",
        "dropped": "Dropped",
    },
    "incident_severity": {"greatest": "100-level", "high": "200-level", "moderate": "300-level", "low": "400-level"},
    "release_type": {
        "parole": "Parole",
        "conditional_release": "Conditional release",
        "good_conduct": "Good conduct time release",
        "expiration": "Expiration of sentence",
        "supervised_release": "Supervised release",
        "commutation": "Commutation",
        "compassionate_release": "Compassionate release",
        "residential_reentry": "Residential reentry",
        "home_confinement": "Home confinement",
        "court_order": "Court order",
        "death": "Death",
        "other": "Other",
    },
    "pathway": {
        "id": "Identification",
        "housing": "Housing",
        "employment": "Employment",
        "health": "Health",
        "benefits": "Benefits",
        "family": "Family",
        "finance": "Finance",
        "legal": "Legal",
    },
    "reentry_status": {"open": "Open", "in_progress": "In progress", "done": "Done", "not_needed": "Not needed"},
}

# Statutes by (system, offence category): (statute, description, federal class or None).
# Federal classes follow 18 U.S.C. § 3559(a) by the statutory maximum; Missouri classes are drawn
# per category (MO_CLASS_BY_CATEGORY) because one statute can carry several classes.
STATUTES: dict[tuple[str, str], tuple[tuple[str, str, str | None], ...]] = {
    ("federal", "drug"): (
        ("21 USC 841(a)(1)", "Possession with intent to distribute a controlled substance", "A felony"),
        ("21 USC 846", "Conspiracy to distribute a controlled substance", "A felony"),
        ("21 USC 952", "Importation of a controlled substance", "B felony"),
    ),
    ("federal", "weapon"): (
        ("18 USC 922(g)(1)", "Felon in possession of a firearm", "C felony"),
        ("18 USC 924(c)", "Possession of a firearm in furtherance of a drug trafficking crime", "A felony"),
    ),
    ("federal", "sex"): (
        ("18 USC 2252A", "Receipt or distribution of child pornography", "C felony"),
        ("18 USC 2422(b)", "Enticement of a minor", "A felony"),
    ),
    ("federal", "property"): (
        ("18 USC 1343", "Wire fraud", "C felony"),
        ("18 USC 2312", "Transportation of stolen vehicles", "D felony"),
    ),
    ("federal", "violent"): (
        ("18 USC 2113(d)", "Armed bank robbery", "B felony"),
        ("18 USC 1951", "Hobbs Act robbery", "C felony"),
        ("18 USC 1111", "Murder within federal jurisdiction", "A felony"),
    ),
    ("federal", "public_order"): (
        ("8 USC 1326", "Reentry of a removed alien", "C felony"),
        ("18 USC 1956", "Money laundering", "C felony"),
    ),
    ("us-mo", "drug"): (
        ("579.020", "Delivery of a controlled substance", None),
        ("579.065", "Trafficking drugs, first degree", None),
        ("579.015", "Possession of a controlled substance", None),
    ),
    ("us-mo", "weapon"): (("571.070", "Unlawful possession of a firearm", None),),
    ("us-mo", "sex"): (
        ("566.030", "Rape in the first degree", None),
        ("566.060", "Sodomy in the first degree", None),
    ),
    ("us-mo", "property"): (
        ("569.170", "Burglary in the second degree", None),
        ("570.030", "Stealing", None),
    ),
    ("us-mo", "violent"): (
        ("565.021", "Murder in the second degree", None),
        ("565.050", "Assault in the first degree", None),
        ("570.023", "Robbery in the first degree", None),
    ),
    ("us-mo", "public_order"): (
        ("577.010", "Driving while intoxicated (persistent offender)", None),
        ("575.200", "Escape from confinement", None),
    ),
}

# First-degree murder carries life without parole in Missouri (RSMo 565.020).
MO_MURDER_FIRST = ("565.020", "Murder in the first degree", "A felony")

# ASSUMPTION: Missouri felony class by offence category (class: share).
MO_CLASS_BY_CATEGORY: dict[str, dict[str, float]] = {
    "violent": {"A": 0.4, "B": 0.4, "C": 0.2},
    "sex": {"A": 0.5, "B": 0.3, "C": 0.1, "D": 0.1},
    "drug": {"B": 0.2, "C": 0.4, "D": 0.4},
    "property": {"C": 0.3, "D": 0.5, "E": 0.2},
    "weapon": {"C": 0.3, "D": 0.5, "E": 0.2},
    "public_order": {"D": 0.4, "E": 0.6},
}

FEDERAL_FACILITIES: tuple[str, ...] = tuple(f"Federal Facility {i:02d}" for i in range(1, 25))
MO_FACILITIES: tuple[str, ...] = tuple(f"Missouri Facility {i:02d}" for i in range(1, 13))

FEDERAL_AREAS: tuple[str, ...] = (
    "E.D. Mo.",
    "W.D. Mo.",
    "N.D. Ill.",
    "S.D. Tex.",
    "W.D. Tex.",
    "C.D. Cal.",
    "S.D. Fla.",
    "E.D.N.Y.",
    "D. Ariz.",
    "N.D. Ga.",
    "E.D. Va.",
    "W.D. Tenn.",
)
MO_AREAS: tuple[str, ...] = (
    "St. Louis City",
    "St. Louis County",
    "Jackson County",
    "Greene County",
    "Boone County",
    "Jasper County",
    "Buchanan County",
    "Cape Girardeau County",
    "St. Charles County",
    "Pulaski County",
)

# Programmes offered in each system: (key, name, type, needs addressed (first is the one that
# qualifies a referral), duration in days, evidence based).
PROGRAMS: tuple[tuple[str, str, str, tuple[str, ...], int, bool], ...] = (
    ("IT", "Individual therapy", "individual_therapy", ("mental_health",), 90, True),
    ("TG", "Trauma group therapy", "group_therapy", ("trauma", "mental_health"), 84, True),
    ("SU", "Residential drug treatment", "substance_use_treatment", ("substance_use",), 270, True),
    ("CB", "Cognitive behavioural skills", "cognitive_behavioral", ("cognitive_behavioral",), 120, True),
    ("ED", "Literacy and high-school equivalency", "education", ("education",), 240, True),
    ("VT", "Vocational training", "vocational", ("employment",), 180, True),
    ("RE", "Release preparation", "reentry", ("housing", "employment", "family"), 60, False),
    ("PF", "Parenting and family", "other", ("family",), 84, True),
)

# Reentry tasks per pathway: (task, days before projected release it is due).
REENTRY_TASKS: dict[str, tuple[str, int]] = {
    "id": ("Obtain a state ID and birth certificate", 120),
    "housing": ("Secure a place to live on release", 90),
    "employment": ("Line up a job or job training", 60),
    "health": ("Arrange medication and a first clinic appointment", 30),
    "benefits": ("Apply for health coverage and food assistance", 45),
    "family": ("Plan contact and reunification with family", 60),
    "finance": ("Open a bank account and review fines and fees", 30),
    "legal": ("Review supervision conditions and pending matters", 14),
}

# Incident types by (severity, violent): prohibited act code and description (28 CFR 541.3 Table 1).
INCIDENT_TYPES: dict[tuple[str, bool], tuple[str, ...]] = {
    ("greatest", True): ("101 Assaulting with serious injury", "100 Killing"),
    ("greatest", False): (
        "104 Possession of a weapon",
        "108 Possession of a hazardous tool",
        "113 Possession of drugs",
    ),
    ("high", True): ("201 Fighting", "224 Assaulting without serious injury"),
    ("high", False): ("203 Threatening bodily harm", "219 Stealing", "208 Interfering with a security device"),
    ("moderate", True): ("224 Assaulting without serious injury",),
    ("moderate", False): ("305 Possession of an unauthorized item", "307 Refusing an order", "312 Insolence"),
    ("low", True): ("409 Unauthorized physical contact",),
    ("low", False): ("402 Malingering", "404 Using abusive language", "410 Unauthorized use of equipment"),
}

SANCTIONS: dict[str, str] = {
    "greatest": "Disciplinary segregation; disallowance of good conduct time",
    "high": "Disallowance of good conduct time; loss of privileges",
    "moderate": "Loss of commissary; extra duty",
    "low": "Warning; loss of privileges",
}
