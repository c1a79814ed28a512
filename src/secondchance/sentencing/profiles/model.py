"""The jurisdiction profile format: percentage-of-term parole and good-time rules as cited, dated data.

A profile holds versions keyed by offence date. Each version has two ordered rule lists, `parole` and
`good_time`; the first rule whose `when` matches the sentence's facts decides. A rule either gives the
share of the term `served` before the date (`"25%"`, `"1/3"`, `"7/20"`), optionally capped (`at_most`), counted
on a set term for life sentences (`life_term`) or raised to the sentence's mandatory minimum
(`mandatory_minimum_controls`); or an `outcome`: `none` (no parole; no good time, so release at the full
term), `review` (the engine will not guess) or `unknown` (no date, without review: a rule the profile does
not model). Every rule
cites its section, and names a source of the profile. docs/sentencing-states.md describes the format.
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "BOOLEAN_FACTS",
    "INTEGER_FACTS",
    "FACTS",
    "Range",
    "Rule",
    "Version",
    "Source",
    "Profile",
    "parse_share",
    "parse_length",
]

# The facts a rule may test; the evaluator and the bulk path read exactly these.
BOOLEAN_FACTS: dict[str, str] = {
    "life": "The sentence is for life (sentence type `life` or `life_without_parole`).",
    "violent": "The offence is a crime of violence as the jurisdiction defines it (La.: R.S. 14:2(B)).",
    "sex_offense": "The offence is a sex offence as the jurisdiction defines it (La.: R.S. 15:541).",
    "habitual_offender": "Sentenced as a habitual offender (La.: R.S. 15:529.1).",
}
INTEGER_FACTS: dict[str, str] = {
    "prior_felonies": "Felony convictions before the instant offence.",
    "prior_violent_felonies": "Convictions for crimes of violence before the instant offence.",
    "prior_sex_offenses": "Convictions for sex offences before the instant offence.",
}
FACTS = (*BOOLEAN_FACTS, *INTEGER_FACTS)

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_RATIO = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_length(text: str) -> tuple[int, int]:
    """A length written like a term (`25y`, `9m`, `30d`), as (months, days)."""
    match = re.fullmatch(r"\s*(?:(\d+)\s*y)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*d)?\s*", text)
    if not text.strip() or match is None:
        raise ValueError(f"{text!r} is not a length like 25y, 9m or 30d")
    years, months, days = (int(group) if group else 0 for group in match.groups())
    return years * 12 + months, days


def parse_share(text: str) -> Fraction:
    """A share of the term written `25%`, `33.5%` or `1/3`, as an exact fraction in (0, 1]."""
    if match := _PERCENT.match(text):
        share = Fraction(match.group(1)) / 100
    elif match := _RATIO.match(text):
        if int(match.group(2)) == 0:
            raise ValueError(f"{text!r} divides by zero")
        share = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        raise ValueError(f"{text!r} is not a share like 25%, 33.5% or 1/3")
    if not 0 < share <= 1:
        raise ValueError(f"{text!r} is not more than 0 and at most 100%")
    return share


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """An inclusive range for an integer fact; either end may be open."""

    min: int | None = None
    max: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is more than max {self.max}")
        return self


Condition = bool | int | Range


class Rule(_Strict):
    """One rule: when the facts match, the share served before the date, or an outcome."""

    when: dict[str, Condition] = Field(default_factory=dict)
    served: str | None = None
    outcome: Literal["none", "review", "unknown"] | None = None
    at_most: str | None = (
        None  # a cap on the time served, as a term: "25y" ("one-third or 25 years, whichever is less")
    )
    life_term: str | None = None  # the term a life sentence counts as for `served`, e.g. "25y"
    mandatory_minimum_controls: bool = False  # the sentence's mandatory minimum term applies when it is longer
    cite: Annotated[str, Field(min_length=3)]
    source: str
    text: str | None = None  # the rule in plain words
    uncertain: str | None = None  # why the reading is not confirmed, when it is not

    @field_validator("when")
    @classmethod
    def _known_facts(cls, when: dict[str, Condition]) -> dict[str, Condition]:
        for name, condition in when.items():
            if name in BOOLEAN_FACTS:
                if not isinstance(condition, bool):
                    raise ValueError(f"fact {name!r} is true or false, not {condition!r}")
            elif name in INTEGER_FACTS:
                if isinstance(condition, bool):
                    raise ValueError(f"fact {name!r} is a number or a {{min, max}} range, not {condition!r}")
            else:
                raise ValueError(f"unknown fact {name!r}; known facts: {', '.join(FACTS)}")
        return when

    @field_validator("served")
    @classmethod
    def _valid_share(cls, served: str | None) -> str | None:
        if served is not None:
            parse_share(served)
        return served

    @field_validator("at_most", "life_term")
    @classmethod
    def _valid_term(cls, text: str | None) -> str | None:
        if text is not None:
            parse_length(text)
        return text

    @model_validator(mode="after")
    def _one_result(self) -> Self:
        if (self.served is None) == (self.outcome is None):
            raise ValueError("give exactly one of `served` or `outcome`")
        if self.outcome is not None and (self.at_most or self.life_term or self.mandatory_minimum_controls):
            raise ValueError("at_most, life_term and mandatory_minimum_controls go with `served`, not `outcome`")
        return self

    @property
    def share(self) -> Fraction | None:
        """The share of the term served before the date, or None for an outcome."""
        return parse_share(self.served) if self.served is not None else None


class Effective(_Strict):
    """Offence dates a version governs, both ends included; `to` open means still in force."""

    from_: date = Field(alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to is not None and self.to < self.from_:
            raise ValueError(f"`to` {self.to} is before `from` {self.from_}")
        return self


class Version(_Strict):
    """The rules for offences committed in one period."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    effective: Effective
    text: str | None = None
    parole: list[Rule] = Field(min_length=1)
    good_time: list[Rule] = Field(min_length=1)

    def covers(self, offense_date: date) -> bool:
        """Whether an offence on `offense_date` falls under this version."""
        return self.effective.from_ <= offense_date and (self.effective.to is None or offense_date <= self.effective.to)


class Source(_Strict):
    """A source the rules cite."""

    id: str
    cite: str
    url: str | None = None
    retrieved: str | None = None  # where the text was read, e.g. "legis.la.gov (2025)"


class Profile(_Strict):
    """A jurisdiction profile: sources and dated versions of its rules."""

    id: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z0-9]+)+$")]
    title: str
    format: Literal[1]
    credit_rule: str  # citation for credit for time served before sentence
    sources: list[Source] = Field(min_length=1)
    versions: list[Version] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        source_ids = {source.id for source in self.sources}
        for version in self.versions:
            for rule in (*version.parole, *version.good_time):
                if rule.source not in source_ids:
                    raise ValueError(
                        f"version {version.id!r} cites unknown source {rule.source!r}; "
                        f"sources: {', '.join(sorted(source_ids))}"
                    )
        ordered = sorted(self.versions, key=lambda version: version.effective.from_)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.effective.to is None or earlier.effective.to >= later.effective.from_:
                raise ValueError(f"versions {earlier.id!r} and {later.id!r} overlap")
        return self

    def version_for(self, offense_date: date) -> Version | None:
        """The version governing an offence committed on `offense_date`, if any."""
        return next((version for version in self.versions if version.covers(offense_date)), None)
