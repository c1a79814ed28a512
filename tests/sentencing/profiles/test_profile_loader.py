"""Profile files: the shipped ones validate, and a bad one is reported by file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondchance.sentencing.profiles import ProfileError, builtin_profile, builtin_profile_ids, load_profile

GOOD = """\
id: us-zz
title: Test state
format: 1
credit_rule: "Code 1"
sources:
  - {id: code, cite: "Code § 1"}
versions:
  - id: "2000"
    effective: {from: 2000-01-01, to: 2009-12-31}
    parole:
      - when: {violent: true}
        served: "85%"
        cite: "Code § 2"
        source: code
      - served: "1/3"
        cite: "Code § 3"
        source: code
    good_time:
      - outcome: none
        cite: "Code § 4"
        source: code
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "us-zz.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_profiles_load_and_every_rule_cites_a_section() -> None:
    assert "us-la" in builtin_profile_ids()
    for profile_id in builtin_profile_ids():
        profile = builtin_profile(profile_id)
        for version in profile.versions:
            for rule in (*version.parole, *version.good_time):
                assert rule.cite and rule.source


def test_a_good_profile_loads(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, GOOD))
    assert profile.versions[0].parole[1].share is not None
    assert str(profile.versions[0].parole[1].share) == "1/3"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "reason"),
    [
        ("when: {violent: true}", "when: {violence: true}", 11, "versions.0.parole.0.when", "unknown fact 'violence'"),
        ('served: "85%"', 'served: "185%"', 12, "versions.0.parole.0.served", "at most 100%"),
        ('served: "1/3"', 'served: "a third"', 15, "versions.0.parole.1.served", "not a share"),
        ('        cite: "Code § 4"\n', "", 19, "versions.0.good_time.0.cite", "Field required"),
        ("source: code\n    good_time", "source: statute\n    good_time", 1, "(profile)", "unknown source 'statute'"),
        ("to: 2009-12-31", "to: 1999-12-31", 9, "versions.0.effective", "before `from`"),
        (
            "      - outcome: none",
            "      - outcome: never",
            19,
            "versions.0.good_time.0.outcome",
            "'none', 'review' or 'unknown'",
        ),
    ],
)
def test_problems_name_file_line_field_and_reason(
    tmp_path: Path, old: str, new: str, line: int, field: str, reason: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert f"{path}:{line}: {field}:" in message
    assert reason in message


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    second = GOOD.split("versions:\n")[1].replace('"2000"', '"2005"').replace("2000-01-01", "2005-01-01")
    path = _write(tmp_path, GOOD + second)
    with pytest.raises(ProfileError, match="overlap"):
        load_profile(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("title: Test state", "title: Test: state"))
    with pytest.raises(ProfileError, match=rf"{path}:2: not valid YAML"):
        load_profile(path)
