"""Declarative tables mapping source text to the records enumerations, one section per adapter.

Keys are the source text exactly as written (after trimming); a value of None means the text is
known but says nothing our enumeration can hold, so the normalised column is NULL while `<name>_raw`
keeps the text. Text a table does not list also becomes NULL; the real-data tests check that every
value found in the shared data sets is listed. docs/adapters.md explains each choice.
"""

from __future__ import annotations

__all__ = [
    "CDCR_RACE",
    "CDCR_OFFENSE_CATEGORY",
    "CDCR_RELATIONSHIP",
    "CDCR_SENTENCE_TYPE",
    "COMPAS_SEX",
    "COMPAS_RACE",
    "COMPAS_RISK_LEVEL",
    "FEDERAL_OFFENSE_CATEGORY",
    "IOWA_SEX",
    "IOWA_RACE",
    "IOWA_RELEASE_TYPE",
    "IOWA_OFFENSE_TYPE",
    "IOWA_OFFENSE_SUBTYPE",
]

# --- cdcr -----------------------------------------------------------------------------------

CDCR_RACE: dict[str, str | None] = {
    "White": "white",
    "Black": "black",
    "Hispanic": "hispanic",
    "Mexican": "hispanic",
    "Puerto Rican": "hispanic",
    "American Indian": "native_american",
    "Filipino": "asian",
    "Vietnamese": "asian",
    "Other Asian": "asian",
    "Pacific Islander": "pacific_islander",
    "Other": "other",
}

CDCR_OFFENSE_CATEGORY: dict[str, str | None] = {
    "Crimes Against Persons": "violent",
    "Property Crimes": "property",
    "Drug Crimes": "drug",
    "Other Crimes": "other",
    # An enhancement row (e.g. PC667.5(b), a prior prison term) adds time to the case; it is not an
    # offence, so it has no offence category.
    "Case Enhancement": None,
}

CDCR_RELATIONSHIP: dict[str, str | None] = {
    "Initial": "principal",
    "Concurrent": "concurrent",
    "Consecutive": "consecutive",
    # Stayed under Cal. Penal Code § 654: imposed but not executed, so it runs neither way.
    "Stayed": None,
}

# demographics "sentence type": the kind of the controlling sentence.
CDCR_SENTENCE_TYPE: dict[str, str | None] = {
    "Third Striker": "life",  # 25 years to life (Cal. Penal Code § 667(e)(2)(A))
    "Life with Parole": "life",
    "Life without Parole": "life_without_parole",
    "LWOP": "life_without_parole",
    "Second Striker": "determinate",  # twice the determinate term (Cal. Penal Code § 667(e)(1))
    "DSL": "determinate",  # Determinate Sentencing Law (Cal. Penal Code § 1170)
    "Determinate": "determinate",
}

# --- compas ---------------------------------------------------------------------------------

COMPAS_SEX: dict[str, str | None] = {"Male": "male", "Female": "female"}

COMPAS_RACE: dict[str, str | None] = {
    "African-American": "black",
    "Caucasian": "white",
    "Hispanic": "hispanic",
    "Asian": "asian",
    "Native American": "native_american",
    "Other": "other",
}

# COMPAS score_text; "N/A" goes with decile -1, an assessment without a score.
COMPAS_RISK_LEVEL: dict[str, str | None] = {"Low": "low", "Medium": "medium", "High": "high", "N/A": None}

# --- commutations -----------------------------------------------------------------------------

# Ordered rules over the lower-cased offence text: the first pattern (a regular expression) found
# gives the category. Offences against custody come first (contraband in prison, 18 U.S.C. § 1791,
# names the drug it was); then drug words, because most grants of 2011-2017 were drug offences and
# their texts often name a firearm count as well (18 U.S.C. § 924(c) is then a second count).
FEDERAL_OFFENSE_CATEGORY: tuple[tuple[str, str], ...] = (
    (r"prohibited object|failure to surrender|escape", "public_order"),
    (
        r"cocaine|crack|heroin|methamphetamine|amphetamine|marijuana|marihuana|controlled substance|"
        r"\bpcp\b|phencyclidine|oxycodone|mdma|ecstasy|\blsd\b|narcotic|drug|21 u\.s\.c\.|distribute|"
        r"continuing criminal enterprise",  # a continuing criminal enterprise is a drug offence (21 U.S.C. § 848)
        "drug",
    ),
    (r"murder|kill|assault|robbery|carjacking|kidnap|manslaughter", "violent"),
    (r"sexual|child pornography|minor to engage", "sex"),
    (r"firearm|weapon|ammunition|explosive|destructive device", "weapon"),
    (r"fraud|theft|embezzle|larceny|burglary|counterfeit|stolen|money laundering|laundering", "property"),
    (r"immigration|illegal reentry|gambling|obstruction|perjury|racketeering|tax", "public_order"),
)

# --- iowa -----------------------------------------------------------------------------------

IOWA_SEX: dict[str, str | None] = {"Male": "male", "Female": "female"}

IOWA_RACE: dict[str, str | None] = {
    "White - Non-Hispanic": "white",
    "White -": "white",
    "Black - Non-Hispanic": "black",
    "Black -": "black",
    "American Indian or Alaska Native - Non-Hispanic": "native_american",
    # One source category covering two of ours: which one is unknown.
    "Asian or Pacific Islander - Non-Hispanic": None,
    "White - Hispanic": "hispanic",
    "Black - Hispanic": "hispanic",
    "American Indian or Alaska Native - Hispanic": "hispanic",
    "Asian or Pacific Islander - Hispanic": "hispanic",
    "N/A -": None,
}

IOWA_RELEASE_TYPE: dict[str, str | None] = {
    "Parole": "parole",
    "Parole Granted": "parole",
    "Paroled w/Immediate Discharge": "parole",
    "Paroled to Detainer - Out of State": "parole",
    "Paroled to Detainer - INS": "parole",
    "Paroled to Detainer - U.S. Marshall": "parole",
    "Paroled to Detainer - Iowa": "parole",
    "Interstate Compact Parole": "parole",
    "Discharged \u2013 End of Sentence": "expiration",
    "Discharged - End of Sentence": "expiration",
    "Discharged - Expiration of Sentence": "expiration",
    # Iowa Code § 903B.1: a special sentence of supervision after the prison term, served as on parole.
    "Released to Special Sentence": "supervised_release",
    "Special Sentence": "supervised_release",
}

IOWA_OFFENSE_TYPE: dict[str, str | None] = {
    "Violent": "violent",
    "Drug": "drug",
    "Property": "property",
    "Public Order": "public_order",
    "Other": "other",
}

# Subtypes that name a category of ours more precisely than their Offense Type does.
IOWA_OFFENSE_SUBTYPE: dict[str, str] = {
    "Sex": "sex",
    "Weapons": "weapon",
    "Other Violent": "violent",
}
