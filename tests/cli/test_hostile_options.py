"""Every command, every option, hostile values: never a traceback, always a documented exit code.

The cases are generated from the Click command tree: each option and argument of each command gets the
hostile values of its kind (paths, dates, numbers, text), one at a time, with the command's other options
valid. A run may succeed (0), refuse (1, one line starting `error:`) or reject the usage (2); anything
else, a traceback or a crash log, fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.cli.conftest import Outcome, run_cli

from secondchance.cli import app
from secondchance.cli._errors import LOG_DIR_ENV
from secondchance.records.store import open_store
from secondchance.records.synthetic import generate_population
from secondchance.sentencing.compute import compute_dates

AS_OF = "2026-11-25"
PACK_FIXTURE = Path(__file__).parents[1] / "policy" / "fixtures" / "demo-clemency.yaml"
PERSON = "SYN-P-00000001"
PACK = "us-mo/parole-eligibility"
HUGE_BYTES = 16 * 1024 * 1024  # sparse: no disk used, yet more than any reader should take whole

# Placeholders in arguments, replaced by paths in the module's folder (`World.path`).
PATHS = ("{missing}", "{missing_parent}", "{folder}", "{under_a_file}", "/sys/secondchance", "{empty}", "{huge}")
DATES = ("9999-12-31", "0001-01-01", "2024-02-30", "not-a-date")
INTEGERS = ("-1", "0", str(10**18))
TEXTS = ("", "'; DROP TABLE person; --", ":x:", "[bold]x[/bold]", "x" * 5000)

# A valid run of each command: positional arguments, then options. Each case changes one of them.
BASELINES: dict[str, tuple[list[str], dict[str, str]]] = {
    "stats": ([], {"--store": "{store}"}),
    "ingest": (["{person_csv}"], {"--table": "person", "--store": "{scratch_store}"}),
    "export": (["{scratch_folder}"], {"--store": "{store}"}),
    "import": (["{export_folder}"], {"--store": "{scratch_store}"}),
    "generate": ([], {"--people": "5", "--store": "{scratch_store}"}),
    "demo": ([], {"--people": "50", "--store": "{scratch_store}"}),
    "screen": ([], {"--pack": PACK, "--as-of": AS_OF, "--store": "{store}"}),
    "explain": ([PERSON], {"--pack": PACK, "--as-of": AS_OF, "--store": "{store}"}),
    "dates missouri": ([], {"--start": "2020-01-01", "--term": "10y"}),
    "dates profile": (
        [],
        {"--jurisdiction": "us-la", "--offense-date": "2018-03-01", "--start": "2019-01-01", "--term": "10y"},
    ),
    "dates federal": ([], {"--start": "2025-01-01", "--term": "60m"}),
    "dates compute": ([], {"--as-of": AS_OF, "--store": "{store}"}),
    "dates review": ([], {"--store": "{store}"}),
    "dates reconcile": ([], {"--store": "{store}"}),
    "facts list": ([], {}),
    "facts show": ([PERSON], {"--as-of": AS_OF, "--store": "{store}"}),
    "pack check": ([PACK], {}),
    "pack list": ([], {}),
    "path": ([PERSON], {"--pack": PACK, "--as-of": AS_OF, "--store": "{store}"}),
    "supply": (
        [PERSON, "final_order_of_removal=false"],
        {"--source": "removal order", "--reason": "read", "--store": "{store}"},
    ),
    "decide": (
        [PERSON, "met"],
        {
            "--pack": "us-federal/compassionate-release",
            "--criterion": "not-a-danger",
            "--reason": "r",
            "--store": "{store}",
        },
    ),
    "supplied list": ([], {"--store": "{store}"}),
    "withdraw": (["1"], {"--reason": "r", "--store": "{store}"}),
}

# Options that act only beside another: the hostile value is tried with these too (None: a flag).
COMPANIONS: dict[tuple[str, str], dict[str, str | None]] = {
    ("screen", "--out"): {"--format": "json"},
    ("explain", "--out"): {"--letter": None},
    ("explain", "--format"): {"--letter": None},
    ("explain", "--lang"): {"--letter": None},
    ("dates review", "--out"): {"--format": "json"},
    ("dates reconcile", "--out"): {"--format": "json"},
    ("path", "--out"): {"--format": "xlsx"},
}

# Runs too slow to repeat for every value: the demo builds a population and screens it. Its options are
# still tried with each value that should be refused at once.
SLOW_VALUES = {("demo", "--store"): ("{empty}",)}

# Failures inside another part of the code base, each marked until its owner's fix lands.
KNOWN_FAILURES: dict[str, str] = {}


@dataclass(frozen=True)
class Case:
    """One run: a command, the option (or argument) given a hostile value, and the value."""

    command: str
    option: str
    value: str

    @property
    def id(self) -> str:
        shown = self.value if len(self.value) <= 20 else f"{self.value[:12]}…({len(self.value)})"
        return f"{self.command}:{self.option}={shown}"

    def args(self) -> list[str]:
        """The command line: the baseline with this option's value replaced (or added)."""
        positionals, baseline = BASELINES[self.command]
        options: dict[str, str | None] = {**baseline, **COMPANIONS.get((self.command, self.option), {})}
        if self.option.startswith("--"):
            options[self.option] = self.value
        else:
            positionals = [self.value]
        words = self.command.split()
        for name, value in options.items():
            words += [name] if value is None else [name, value]
        return words + positionals


def _kind(parameter: Any) -> str:
    """path, date, int or text: which hostile values a parameter gets."""
    annotation = parameter.type_descriptor.annotation
    if annotation is Path or annotation == list[Path] or parameter.name in ("directory",):
        return "path"
    if annotation is int:
        return "int"
    if "YYYY-MM-DD" in (parameter.help or ""):
        return "date"
    return "text"


def _values(kind: str) -> tuple[str, ...]:
    return {"path": PATHS, "int": INTEGERS, "date": DATES}.get(kind, TEXTS + PATHS[:3])


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for name, command in getattr(group, "commands", {}).items():
        if getattr(command, "commands", None):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def _cases() -> list[Case]:
    cases: list[Case] = []
    for name, command in _commands(typer.main.get_command(app)):
        assert name in BASELINES, f"`{name}` is a new command: give it a baseline here"
        for parameter in command.params:
            if getattr(parameter, "is_flag", False):
                continue  # a flag has no value to make hostile
            option = parameter.opts[0] if parameter.param_type_name == "option" else parameter.name
            values = _values(_kind(parameter))
            slow = SLOW_VALUES.get((name, option))
            if slow is not None:
                values = tuple(value for value in values if value not in slow)
            cases += [Case(name, option, value) for value in values]
    return cases


def _param(case: Case) -> Any:
    reason = KNOWN_FAILURES.get(case.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


@dataclass
class World:
    """The files the cases point at: a small store, its Parquet export, and hostile paths."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / name

    def reset(self) -> None:
        """Put every hostile path back as it was: a run may have written to one."""
        for name in ("missing.csv", "no-such-folder", "scratch.duckdb", "scratch.duckdb.wal", "scratch-folder"):
            target = self.path(name)
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        if self.path("folder").is_dir():
            shutil.rmtree(self.path("folder"))
        self.path("folder").mkdir()
        for name, size in (("empty.csv", 0), ("a-file", 0), ("huge.csv", HUGE_BYTES)):
            target = self.path(name)
            if target.is_dir():
                shutil.rmtree(target)
            with target.open("wb") as handle:
                handle.truncate(size)

    def expand(self, word: str) -> str:
        """A placeholder's path, or the word itself."""
        places = {
            "{store}": "store.duckdb",
            "{scratch_store}": "scratch.duckdb",
            "{scratch_folder}": "scratch-folder",
            "{export_folder}": "export",
            "{person_csv}": "person.csv",
            "{missing}": "missing.csv",
            "{missing_parent}": "no-such-folder/out.csv",
            "{folder}": "folder",
            "{under_a_file}": "a-file/out.csv",
            "{empty}": "empty.csv",
            "{huge}": "huge.csv",
        }
        return str(self.path(places[word])) if word in places else word


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A 50-person store with computed dates and a screening run, its export, and the hostile paths."""
    here = World(tmp_path_factory.mktemp("hostile"))
    store = here.path("store.duckdb")
    generate_population(store, 50, seed=1, jurisdiction="mixed")
    with open_store(store) as connection:
        compute_dates(connection, date.fromisoformat(AS_OF))
    assert run_cli("export", here.path("export"), "--store", store).code == 0
    here.path("person.csv").write_text("source,source_id,jurisdiction\nt,T1,federal\n", encoding="utf-8")
    here.reset()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(LOG_DIR_ENV, str(here.path("crash-logs")))
        yield here


def _check(outcome: Outcome, case: Case) -> None:
    """No traceback, a documented exit code, and for a refusal one `error:` line (progress may come before)."""
    text = outcome.stdout + outcome.stderr
    assert "Traceback" not in text, text[-2000:]
    assert outcome.code in (0, 1, 2), f"exit {outcome.code}: {outcome.stderr[-500:]}"
    if outcome.code == 1:
        errors = [line for line in outcome.error_lines if line.startswith("error: ")]
        assert len(errors) == 1, outcome.stderr[-500:]
        if case.command != "ingest":  # ingest lists every problem it found under its one-line summary
            assert outcome.error_lines[-1] == errors[0], outcome.stderr[-500:]


def test_every_command_has_a_baseline_that_runs(world: World) -> None:
    for command in BASELINES:
        if command == "demo":
            continue  # tests/cli/test_demo.py runs it whole
        world.reset()
        positionals, options = BASELINES[command]
        args = command.split() + [word for name, value in options.items() for word in (name, value)] + positionals
        outcome = run_cli(*[world.expand(word) for word in args])
        assert outcome.code == 0, (command, outcome.stderr[-500:])


@pytest.mark.parametrize("case", [_param(case) for case in _cases()])
def test_a_hostile_value_ends_in_a_documented_exit_code_without_a_traceback(world: World, case: Case) -> None:
    world.reset()
    outcome = run_cli(*[world.expand(word) for word in case.args()])
    _check(outcome, case)
    assert not world.path("crash-logs").exists(), "a crash log was written"


@pytest.mark.slow
def test_spark_reading_a_broken_parquet_file_is_one_line(world: World) -> None:
    """The one case that starts Spark (some seconds): its error is one line naming --parquet."""
    world.reset()
    (world.path("folder") / "person.parquet").write_text("not parquet", encoding="utf-8")
    outcome = run_cli(
        "screen",
        "--pack",
        PACK,
        "--engine",
        "spark",
        "--parquet",
        world.path("folder"),
        "--store",
        world.path("store.duckdb"),
    )
    assert outcome.code == 1
    (line,) = outcome.error_lines
    assert line.startswith(f"error: screening on Spark stopped (--parquet {world.path('folder')}): ")
    assert "person.parquet" in line


def _pack_testing(world: World, name: str, expression: str) -> Path:
    """The fixture pack with its first test replaced by `expression`."""
    path = world.path(name)
    text = PACK_FIXTURE.read_text(encoding="utf-8")
    path.write_text(
        text.replace("test: served_days >= years_to_days(:min_years_served)", f"test: {expression}"), "utf-8"
    )
    return path


# Deep, but within the pack compiler's limits on length and tokens: what is tested is the depth.
DEEP_PARENTHESES = "(" * 450 + "served_days >= 1" + ")" * 450
DEEP_NOTS = "NOT " * 900 + "in_custody"


# The failures issue 8 found, each run as the person would run it.
FOUND: dict[str, tuple[str, ...]] = {
    "screen csv to standard output": ("screen", "--pack", PACK, "--as-of", AS_OF, "--format", "csv"),
    "as-of 9999-12-31": ("screen", "--pack", PACK, "--as-of", "9999-12-31"),
    "a 10,000-year term": ("dates", "federal", "--start", "2020-01-01", "--term", "10000y"),
    "limit -1": ("screen", "--pack", PACK, "--as-of", AS_OF, "--limit", "-1"),
    "deep parentheses, checked": ("pack", "check", "{deep_parentheses}"),
    "deep parentheses, screened": ("screen", "--pack", "{deep_parentheses}", "--as-of", AS_OF),
    "deep NOTs, checked": ("pack", "check", "{deep_nots}"),
    "deep NOTs, screened": ("screen", "--pack", "{deep_nots}", "--as-of", AS_OF),
    "out into a missing folder": ("screen", "--pack", PACK, "--format", "json", "--out", "{missing_parent}"),
    "out onto a folder": ("screen", "--pack", PACK, "--format", "json", "--out", "{folder}"),
}
FOUND_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=FOUND_ELSEWHERE[name])])
        if name in FOUND_ELSEWHERE
        else name
        for name in FOUND
    ],
)
def test_the_failures_the_issue_found_end_in_one_line(world: World, name: str) -> None:
    world.reset()
    places = {
        "{deep_parentheses}": str(_pack_testing(world, "parentheses.yaml", DEEP_PARENTHESES)),
        "{deep_nots}": str(_pack_testing(world, "nots.yaml", DEEP_NOTS)),
    }
    words = [places.get(word, world.expand(word)) for word in FOUND[name]]
    if words[0] == "screen":
        words += ["--store", str(world.path("store.duckdb"))]
    outcome = run_cli(*words)
    _check(outcome, Case(words[0], "", ""))
    assert not world.path("crash-logs").exists(), "a crash log was written"


@pytest.fixture
def locked_store(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The module's store, held open for writing by another process (and no waiting for it)."""
    monkeypatch.setenv("SECONDCHANCE_STORE_WAIT", "0")
    store = world.path("store.duckdb")
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            yield store
        finally:
            holder.kill()


# Holds a write connection until it is killed (reading standard input, which never ends).
_HOLD_LOCK = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize(
    "args",
    [("stats",), ("screen", "--pack", PACK, "--as-of", AS_OF), ("dates", "compute", "--as-of", AS_OF)],
    ids=["stats", "screen", "dates compute"],
)
def test_a_store_another_process_holds_is_one_line(locked_store: Path, args: tuple[str, ...]) -> None:
    outcome = run_cli(*args, "--store", locked_store)
    _check(outcome, Case(args[0], "--store", str(locked_store)))
    assert outcome.code == 1
