"""Every figure the synthetic population is calibrated to, each beside its source.

A figure marked `ASSUMPTION` has no published source behind it; docs/synthetic-population.md
lists them all. Shares are fractions of the population named in the comment (federal
prisoners, state prisoners, or both). Keys of share tables are normalised values of
`records.schema.ENUMS` unless stated otherwise.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "AS_OF",
    "SOURCES",
    "MIXED_FEDERAL_SHARE",
    "SHARE_MALE",
    "RACE_FEDERAL",
    "RACE_STATE",
    "AGE_BANDS",
    "SHARE_AGE_50_PLUS",
    "SHARE_AGE_60_PLUS",
    "SHARE_AGE_65_PLUS",
    "SHARE_AGE_70_PLUS",
    "OFFENSE_FEDERAL",
    "OFFENSE_STATE",
    "SENTENCE_BUCKETS_FEDERAL",
    "SHARE_LIFE_FEDERAL",
    "SHARE_LIFE_OR_VIRTUAL_LIFE_STATE",
    "STATE_LWOP_SHARE",
    "STATE_LIFE_WITH_PAROLE_SHARE",
    "EDUCATION_FEDERAL",
    "EDUCATION_STATE",
    "SHARE_MENTAL_HEALTH_HISTORY",
    "SHARE_SERIOUS_PSYCHOLOGICAL_DISTRESS",
    "SHARE_DRUG_DEPENDENCE_OR_ABUSE_STATE",
    "SHARE_DRUG_DEPENDENCE_OR_ABUSE_FEDERAL",
    "DEPENDENCE_TO_ABUSE_RATIO",
    "SHARE_WITH_RULE_VIOLATION",
    "INCIDENTS_EXTRA_PER_YEAR",
    "INCIDENT_SEVERITY",
    "GCT_DAYS_LOST_RANGE",
    "TREATED_SHARE_OF_MENTAL_HEALTH_NEED_STATE",
    "TREATED_SHARE_OF_MENTAL_HEALTH_NEED_FEDERAL",
    "RDAP_ANNUAL_SEATS_PER_SUD_NEED",
    "OTHER_PROGRAM_SEATS_PER_NEED",
    "SHARE_NON_CITIZEN_FEDERAL",
    "EDGE_CASE_RATES",
    "MISSING_RATES",
    "MO_PRIOR_COMMITMENTS",
    "MO_CLASS_TERM_YEARS",
]

# The reference date every generated population is built around, so that the same seed gives
# the same data on any day. Nothing imposed, commenced or recorded falls after it.
AS_OF = date(2026, 11, 25)

SOURCES: dict[str, str] = {
    "ussc-bop-2024": (
        "U.S. Sentencing Commission, Quick Facts: Individuals in the Federal Bureau of Prisons "
        "(population snapshot as of January 2024), https://www.ussc.gov/research/quick-facts/"
        "individuals-federal-bureau-prisons"
    ),
    "bjs-prisoners-2022": (
        "E. A. Carson and R. Kluckow, Prisoners in 2022 - Statistical Tables, Bureau of Justice "
        "Statistics, NCJ 307149, November 2023 (demographics of sentenced prisoners; tables 16-17: "
        "state prisoners by most serious offense at yearend 2021)"
    ),
    "bjs-prisoners-2019": (
        "E. A. Carson, Prisoners in 2019, Bureau of Justice Statistics, NCJ 255115, October 2020 "
        "(table 9: sentenced prisoners by age)"
    ),
    "bop-offenses": (
        "Federal Bureau of Prisons, Statistics: Inmate Offenses (bop.gov/about/statistics/"
        "statistics_inmate_offenses.jsp), as reproduced at optionsoutpatient.com/federal-inmate-statistics "
        "(about 144,900 sentenced inmates, c. 2021)"
    ),
    "bop-quick-facts-2012": (
        "Federal Bureau of Prisons, Quick Facts About the Bureau of Prisons, updated 25 August 2012, "
        "section 'Sentence Imposed' (archived at cybercemetery.unt.edu)"
    ),
    "bop-covid-2021": (
        "Demographic characteristics of people incarcerated in the BOP, 14 April 2021, Table 2 "
        "(PMC8363472): age bands <40, 40-49, 50-59, 60-74, 75+"
    ),
    "sentencing-project-2021": (
        "A. Nellis, No End in Sight: America's Enduring Reliance on Life Imprisonment, The Sentencing "
        "Project, February 2021 (one in seven people in prison serves LWOP, life with parole or "
        "virtual life of 50+ years)"
    ),
    "bjs-education-2003": (
        "C. W. Harlow, Education and Correctional Populations, BJS Special Report NCJ 195670, "
        "January 2003, Table 1 (educational attainment of state and federal prison inmates, 1997)"
    ),
    "bjs-mental-health-2017": (
        "J. Bronson and M. Berzofsky, Indicators of Mental Health Problems Reported by Prisoners and "
        "Jail Inmates, 2011-12, BJS Special Report, June 2017"
    ),
    "bjs-mental-health-2006": (
        "D. J. James and L. E. Glaze, Mental Health Problems of Prison and Jail Inmates, BJS Special "
        "Report NCJ 213600, September 2006"
    ),
    "bjs-drug-use-2017": (
        "J. Bronson, J. Stroop, S. Zimmer and M. Berzofsky, Drug Use, Dependence, and Abuse Among "
        "State Prisoners and Jail Inmates, 2007-2009, BJS Special Report NCJ 250546, June 2017"
    ),
    "bjs-drug-use-2004": (
        "C. J. Mumola and J. C. Karberg, Drug Use and Dependence, State and Federal Prisoners, 2004, "
        "BJS Special Report, October 2006 (as tabulated in Chandler, Fletcher and Volkow, "
        "JAMA 301(2):183-190, 2009, Table 1)"
    ),
    "bjs-rule-violators-1989": (
        "J. Stephan, Prison Rule Violators, BJS Special Report, December 1989 (1986 survey of state prison inmates)"
    ),
    "gao-12-320": (
        "GAO-12-320, Bureau of Prisons: Eligibility and Capacity Impact Use of Flexibilities to "
        "Reduce Inmates' Time in Prison, February 2012"
    ),
    "rsmo-558-011": "RSMo 558.011.1, authorized terms of imprisonment by felony class (from 1 January 2017)",
    "rsmo-556-061": "RSMo 556.061(19), definition of dangerous felony",
    "28-cfr-541-3": "28 CFR 541.3, Table 1: prohibited acts and available sanctions (disallowance of GCT)",
}

# --- Jurisdiction mix -------------------------------------------------------------------------

# ASSUMPTION: `--jurisdiction mixed` is half federal, half Missouri, so both rule sets are well
# exercised; the real populations differ in size (BOP about 146,100 sentenced, bjs-prisoners-2022).
MIXED_FEDERAL_SHARE = 0.5

# --- Demographics -----------------------------------------------------------------------------

# Men: 93.0% of people in the BOP (ussc-bop-2024); 1,103,170 of 1,185,648 sentenced state and
# federal prisoners at yearend 2022 = 93.0% (bjs-prisoners-2022). Used for both systems.
SHARE_MALE = 0.930

# Federal race and ethnicity (ussc-bop-2024): 34.8% Black, 31.1% Hispanic, 29.9% White, 4.2% Other.
RACE_FEDERAL: dict[str, float] = {"black": 0.348, "hispanic": 0.311, "white": 0.299, "other": 0.042}

# State (and federal) sentenced prisoners at yearend 2022 (bjs-prisoners-2022): White 367,800,
# Black 384,600, Hispanic 273,900, American Indian/Alaska Native 19,400, Asian 15,000 of 1,185,648;
# the remaining 124,948 (other, two or more races, unknown) are coded `other`.
_RACE_STATE_COUNTS = {
    "white": 367_800,
    "black": 384_600,
    "hispanic": 273_900,
    "native_american": 19_400,
    "asian": 15_000,
}
_SENTENCED_2022 = 1_185_648
RACE_STATE: dict[str, float] = {k: v / _SENTENCED_2022 for k, v in _RACE_STATE_COUNTS.items()}
RACE_STATE["other"] = 1.0 - sum(RACE_STATE.values())

# Age on the reference date. Cited cumulative shares:
SHARE_AGE_50_PLUS = 0.222  # ussc-bop-2024: 22.2% are 50 or older (bjs-prisoners-2019: almost 22% of men).
SHARE_AGE_60_PLUS = 0.071  # ussc-bop-2024: 7.1% are 60 or older.
SHARE_AGE_65_PLUS = 0.032  # bjs-prisoners-2019: 3.2% of sentenced male prisoners were 65 or older.
SHARE_AGE_70_PLUS = 0.012  # ASSUMPTION: between the 65+ share and bop-covid-2021's 0.4% aged 75+.
_SHARE_UNDER_40 = 0.499  # bop-covid-2021: 49.9% under 40.
_SHARE_18_29 = 0.180  # ASSUMPTION: split of the under-40 share; gives a mean age near 42 (ussc-bop-2024).

# (first age, last age, share); ages are uniform within a band.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (19, 29, _SHARE_18_29),
    (30, 39, _SHARE_UNDER_40 - _SHARE_18_29),
    (40, 49, 1.0 - _SHARE_UNDER_40 - SHARE_AGE_50_PLUS),
    (50, 59, SHARE_AGE_50_PLUS - SHARE_AGE_60_PLUS),
    (60, 64, SHARE_AGE_60_PLUS - SHARE_AGE_65_PLUS),
    (65, 69, SHARE_AGE_65_PLUS - SHARE_AGE_70_PLUS),
    (70, 85, SHARE_AGE_70_PLUS),
)

# Non-citizens: 85.2% of people in the BOP are U.S. citizens (ussc-bop-2024).
SHARE_NON_CITIZEN_FEDERAL = 1.0 - 0.852

# --- Offences ---------------------------------------------------------------------------------

# Federal, most serious offence (bop-offenses): drug 46.2% (66,949), weapons, explosives, arson 20.6%
# (29,813), sex 11.2% (16,129), burglary, larceny, property 5.0% (7,268), homicide, aggravated
# assault, kidnapping 5.0% (7,265). BJS agrees on drugs: 46% on 30 September 2022 (bjs-prisoners-2022).
# ASSUMPTION: the remaining 12.0% (robbery, fraud, immigration, other) is split 3.0% robbery
# (`violent`) and 9.0% `public_order` (immigration alone was about 4.5%, bjs-prisoners-2022).
OFFENSE_FEDERAL: dict[str, float] = {
    "drug": 0.462,
    "weapon": 0.206,
    "sex": 0.112,
    "property": 0.050,
    "violent": 0.050 + 0.030,
    "public_order": 0.090,
}

# State, most serious offence at yearend 2021 (bjs-prisoners-2022, tables 16-17): violent 63%,
# property 13%, drug 13%, public order 11%; 160,300 of 1,021,300 (15.7%) for rape or sexual assault,
# moved from violent to `sex`. ASSUMPTION: weapons are 5 of the 11 public-order points.
OFFENSE_STATE: dict[str, float] = {
    "violent": 0.630 - 160_300 / 1_021_300,
    "sex": 160_300 / 1_021_300,
    "property": 0.130,
    "drug": 0.130,
    "weapon": 0.050,
    "public_order": 0.060,
}

# --- Sentences --------------------------------------------------------------------------------

# Federal sentence imposed, stock population (bop-quick-facts-2012): <1 year 2.0%, 1-3 years 12.4%,
# 3-5 years 14.5%, 5-10 years 28.9%, 10-15 years 20.3%, 15-20 years 9.1%, more than 20 years 9.8%,
# life 3.0%. (low months, high months, share); terms are uniform in months within a bucket, and the
# open-ended bucket is capped at 50 years (ASSUMPTION).
SENTENCE_BUCKETS_FEDERAL: tuple[tuple[int, int, float], ...] = (
    (6, 11, 0.020),
    (12, 35, 0.124),
    (36, 59, 0.145),
    (60, 119, 0.289),
    (120, 179, 0.203),
    (180, 239, 0.091),
    (240, 600, 0.098),
)
SHARE_LIFE_FEDERAL = 0.030  # bop-quick-facts-2012: Life 6,193 (3.0%). No federal parole: all life is LWOP.

# State: one in seven people in prison (14.3%) serves life without parole, life with parole or a
# virtual life term of 50+ years (sentencing-project-2021). ASSUMPTION: split 4% LWOP, 6% life with
# parole and 4.3% virtual life (a determinate term of 50-60 years).
SHARE_LIFE_OR_VIRTUAL_LIFE_STATE = 1.0 / 7.0
STATE_LWOP_SHARE = 0.040
STATE_LIFE_WITH_PAROLE_SHARE = 0.060

# Missouri terms by felony class in years (rsmo-558-011): A 10-30 years or life, B 5-15, C 3-10,
# D up to 7, E up to 4. ASSUMPTION: the lowest D and E terms drawn are 1 year.
MO_CLASS_TERM_YEARS: dict[str, tuple[int, int]] = {
    "A": (10, 30),
    "B": (5, 15),
    "C": (3, 10),
    "D": (1, 7),
    "E": (1, 4),
}

# --- Education --------------------------------------------------------------------------------

# Educational attainment, 1997 (bjs-education-2003, Table 1): state prison inmates: some high school
# or less 39.7%, GED 28.5%, high-school diploma 20.5%, postsecondary 11.4%; federal: 26.5%, 22.7%,
# 27.0%, 23.9%. ASSUMPTION: a tenth of "some high school or less" is `none`, and a third of
# "postsecondary" holds a degree.
EDUCATION_STATE: dict[str, float] = {
    "none": 0.397 * 0.1,
    "some_high_school": 0.397 * 0.9,
    "ged": 0.285,
    "high_school": 0.205,
    "some_college": 0.114 * 2 / 3,
    "degree": 0.114 / 3,
}
EDUCATION_FEDERAL: dict[str, float] = {
    "none": 0.265 * 0.1,
    "some_high_school": 0.265 * 0.9,
    "ged": 0.227,
    "high_school": 0.270,
    "some_college": 0.239 * 2 / 3,
    "degree": 0.239 / 3,
}

# --- Needs ------------------------------------------------------------------------------------

# 37% of prisoners had been told by a mental health professional that they had a mental disorder;
# 14% met the threshold for serious psychological distress in the past 30 days (bjs-mental-health-2017).
# Needs: SPD -> high (3); the rest of the history group -> moderate (2).
SHARE_MENTAL_HEALTH_HISTORY = 0.37
SHARE_SERIOUS_PSYCHOLOGICAL_DISTRESS = 0.14

# 58% of state prisoners met DSM-IV criteria for drug dependence or abuse in 2007-09
# (bjs-drug-use-2017); 46% of federal prisoners in 2004 (bjs-drug-use-2004). Dependence was two to
# three times as common as abuse (bjs-drug-use-2017): 2.5 is used. Dependence -> high (3), abuse ->
# moderate (2).
SHARE_DRUG_DEPENDENCE_OR_ABUSE_STATE = 0.58
SHARE_DRUG_DEPENDENCE_OR_ABUSE_FEDERAL = 0.46
DEPENDENCE_TO_ABUSE_RATIO = 2.5

# --- Incidents --------------------------------------------------------------------------------

# 53% of state prison inmates had been charged with violating prison rules at least once during
# their current term; first-term inmates averaged 1.0 infraction a year (bjs-rule-violators-1989).
# Used for both systems. ASSUMPTION: the number of incidents of a violator is 1 plus a Poisson count
# with mean 0.3 a year served (capped at 10 years), and severities follow INCIDENT_SEVERITY.
SHARE_WITH_RULE_VIOLATION = 0.53
INCIDENTS_EXTRA_PER_YEAR = 0.3
INCIDENT_SEVERITY: dict[str, float] = {"greatest": 0.05, "high": 0.25, "moderate": 0.45, "low": 0.25}  # ASSUMPTION
# Federal GCT disallowance by severity, after 28 CFR 541.3 Table 1 (28-cfr-541-3): greatest 27-41
# days (50-75% of 54), high 14-27 (25-50%), moderate up to 14 (up to 25%), low up to 7 (up to 12.5%).
# ASSUMPTION until checked: these ranges were not confirmed against a retrieved copy of the table.
# ASSUMPTION: a third of moderate and low sanctions disallow no GCT.
GCT_DAYS_LOST_RANGE: dict[str, tuple[int, int]] = {
    "greatest": (27, 41),
    "high": (14, 27),
    "moderate": (1, 14),
    "low": (1, 7),
}

# --- Programme capacity -----------------------------------------------------------------------

# Over 1 in 3 state prisoners and 1 in 4 federal prisoners with a mental health problem had received
# treatment since admission (bjs-mental-health-2006): therapy seats = those shares of the need.
TREATED_SHARE_OF_MENTAL_HEALTH_NEED_STATE = 1.0 / 3.0
TREATED_SHARE_OF_MENTAL_HEALTH_NEED_FEDERAL = 1.0 / 4.0
# BOP estimated 40% of people entering custody have a substance use disorder, and only 19,000 took
# part in RDAP over fiscal years 2009-2011 while it held about 217,000 (gao-12-320): about 6,300 a
# year against about 86,800 in need, 7.3% of the need a year.
RDAP_ANNUAL_SEATS_PER_SUD_NEED = (19_000 / 3) / (0.40 * 217_000)
# ASSUMPTION: the other programmes (CBT, education, vocational, reentry, family) seat a quarter of need.
OTHER_PROGRAM_SEATS_PER_NEED = 0.25

# --- Edge cases and missing data (all ASSUMPTIONS: rates chosen so every engine sees each case) ---

EDGE_CASE_RATES: dict[str, float] = {
    # federal people built as clemency candidates: drug offence with a term of 15+ years or life,
    # aged 40+, no weapon or injury, no aggravating role, commenced 10-25 years ago, no violent or
    # serious incidents.
    "long_served_nonviolent_drug_federal": 0.02,
    # people with a second sentence running consecutively to the first.
    "consecutive_sentence": 0.05,
    # sentences with prior custody credit (18 U.S.C. § 3585(b)); the rest have 0.
    "jail_credit": 0.60,
    # federal people subject to a final order of removal (a third of non-citizens).
    "final_order_of_removal_federal": SHARE_NON_CITIZEN_FEDERAL / 3,
    # people already released (custody closed, a release row).
    "released": 0.08,
}

MISSING_RATES: dict[str, float] = {
    "birth_date": 0.01,  # of which half keep `birth_year`
    "sex": 0.002,
    "race": 0.01,
    "education_level": 0.03,
    "offense_date": 0.02,
    "jail_credit_days": 0.01,
    "risk_level": 0.02,
    "incident_severity": 0.01,
    "incident_violent": 0.01,
    "incident_gct_days_lost": 0.02,  # federal incidents whose GCT loss is unknown
}

# Prior prison commitments of Missouri people, as earlier completed sentences (count: share).
# ASSUMPTION; RSMo 558.019.2 sets minimum parole percentages by 1, 2 and 3+ prior commitments.
MO_PRIOR_COMMITMENTS: dict[int, float] = {0: 0.55, 1: 0.25, 2: 0.12, 3: 0.08}
