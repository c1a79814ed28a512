"""The pytest plugin for pack test cases, run in a separate pytest process as a pack author would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.policy.helpers import CATALOGUE, FIXTURES

CATALOGUE_MODULE = f"CATALOGUE = {CATALOGUE!r}\n"
INI = "[pytest]\nsecondchance_facts = test_catalogue:CATALOGUE\naddopts = -p no:cacheprovider\n"


def run_pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    (folder / "test_catalogue.py").write_text(CATALOGUE_MODULE, encoding="utf-8")
    (folder / "pytest.ini").write_text(INI, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "--rootdir", str(folder), str(folder)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.mark.slow
def test_cases_beside_a_pack_are_collected_and_pass(tmp_path: Path) -> None:
    for name in ("demo-clemency.yaml", "demo-clemency.test.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo-clemency.test.yaml::9 years 8 months served -> almost-eligible on the tenth anniversary PASSED" in (
        result.stdout
    )
    assert "3 passed" in result.stdout


@pytest.mark.slow
def test_a_wrong_expectation_fails_with_what_differs(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "demo-clemency.yaml", tmp_path / "demo-clemency.yaml")
    cases = (FIXTURES / "demo-clemency.test.yaml").read_text(encoding="utf-8")
    (tmp_path / "demo-clemency.test.yaml").write_text(
        cases.replace("status: almost-eligible", "status: eligible").replace(
            "no-violence-history: met", "no-violence-history: unmet"
        ),
        encoding="utf-8",
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 1
    assert "status: expected eligible, got almost-eligible" in result.stdout
    assert (
        "criterion no-violence-history: expected unmet, got met "
        '(read {"has_violent_prior_offense":false,"violent_incidents_this_term":0})'
    ) in result.stdout
    assert "1 failed, 2 passed" in result.stdout


@pytest.mark.slow
def test_a_pack_with_problems_fails_its_test_file(tmp_path: Path) -> None:
    pack = (FIXTURES / "demo-clemency.yaml").read_text(encoding="utf-8")
    (tmp_path / "demo-clemency.yaml").write_text(
        pack.replace("test: served_days", "test: servd_days"), encoding="utf-8"
    )
    shutil.copy(FIXTURES / "demo-clemency.test.yaml", tmp_path / "demo-clemency.test.yaml")
    result = run_pytest(tmp_path)
    assert result.returncode == 1
    assert "criterion served-10-years, test: unknown fact 'servd_days'; did you mean 'served_days'?" in result.stdout


@pytest.mark.slow
def test_unknown_facts_in_a_case_are_reported(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "demo-clemency.yaml", tmp_path / "demo-clemency.yaml")
    (tmp_path / "demo-clemency.test.yaml").write_text(
        "cases:\n  - name: typo\n    as_of: 2015-06-01\n"
        "    facts: {sytem: federal}\n    expected: {status: eligible}\n",
        encoding="utf-8",
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 1
    assert "unknown fact 'sytem' in the case's facts" in result.stdout
