"""Screening benchmark: every shipped pack over a synthetic population, results with evidence written.

Prints, in one run:
 (a) the DuckDB engine's time, facts included, per pack and in total; the facts alone; the evidence alone
     (the same packs over the same facts with and without evidence);
 (b) the floor: a hand-written DuckDB query over the same records computing the clemency pack's facts
     and statuses, against the engine on that one pack (target: engine at most 1.5x the floor);
 (c) the clemency criteria evaluated person by person with json-logic (each person's facts a dict),
     on a sample, extrapolated; and a plain Python loop over the same dicts (target: engine 30x faster);
 (d) peak memory of this process (DuckDB runs in it; target under 4 GB);
 (e) the Spark engine (local mode) on the store's Parquet export, and the DuckDB/Spark ratio.

Usage: python benchmarks/screening.py [--people N] [--store PATH] [--parquet DIR] [--sample N] [--no-spark]
Without --store, a population is generated (seed 7) into a temporary store and its dates computed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from secondchance.policy.checks import load_pack
from secondchance.policy.compiler import CompiledPack
from secondchance.policy.engine import screen
from secondchance.policy.facts import ensure_fact_inputs, facts_query
from secondchance.policy.pack import list_packs

AS_OF = date(2024, 7, 1)
CLEMENCY = "us-federal/clemency-2014"
FACTS_TABLE = "bench_facts"


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _timed(label: str, work: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {seconds:8.2f} s")
    return seconds, result


# (b) The floor: the clemency facts and statuses written by hand, straight from the records tables.
# Statutes are matched on a compact form ('21usc841(b)(1)(a)'); three-valued logic is SQL's own.
FLOOR_SQL = """
CREATE OR REPLACE TEMP TABLE floor_result AS
WITH cur AS (
    SELECT * FROM sentence
    WHERE coalesce(status, 'active') = 'active' AND (imposed_date IS NULL OR imposed_date <= $as_of)
),
sent AS (
    SELECT person_id, arg_min(system, coalesce(commencement_date, imposed_date)) AS system,
        min(imposed_date) AS imposed,
        CAST(min(commencement_date) - CAST(coalesce(max(jail_credit_days), 0) AS INTEGER) AS DATE) AS served_from
    FROM cur GROUP BY person_id
),
chg AS (
    SELECT s.person_id, c.offense_category, c.role, coalesce(c.counts, 1) AS counts,
        regexp_replace(lower(c.statute), '[^0-9a-z()]', '', 'g') AS st,
        regexp_replace(lower(coalesce(c.enhancements, '')), '[^0-9a-z();]', '', 'g') AS enh,
        lower(c.description) AS description
    FROM charge AS c JOIN cur AS s ON c.sentence_id = s.id
),
cur_flags AS (
    SELECT person_id,
        bool_or(offense_category = 'violent') AS violent,
        bool_or(role IN ('manager_supervisor', 'leader_organizer')) AS role,
        bool_or(regexp_matches(st, '^21usc(841|844|846|960|963)')
            AND regexp_matches(description, 'crack|cocaine base|cocaine-base')) AS crack,
        bool_or(regexp_matches(st, '^21usc851') OR regexp_matches(enh, '(^|;)21usc851')) AS e851,
        coalesce(sum(counts) FILTER (WHERE regexp_matches(st, '^18usc924\\(c\\)')), 0) >= 2 AS stacked
    FROM chg GROUP BY person_id
),
priors AS (
    SELECT s.person_id, count(DISTINCT s.id) AS commitments, bool_or(c.offense_category = 'violent') AS violent
    FROM sentence AS s LEFT JOIN charge AS c ON c.sentence_id = s.id
    WHERE s.status = 'completed' GROUP BY s.person_id
),
inc AS (
    SELECT i.person_id,
        count(*) FILTER (WHERE i.severity IN ('greatest', 'high')) AS serious,
        count(*) FILTER (WHERE i.violent) AS violent
    FROM incident AS i JOIN sent AS s USING (person_id)
    WHERE i.incident_date >= s.served_from AND i.incident_date <= $as_of GROUP BY i.person_id
),
custody AS (
    SELECT person_id, bool_or(start_date <= $as_of AND (end_date IS NULL OR end_date > $as_of)) AS in_custody
    FROM custody_period GROUP BY person_id
),
criteria AS (
    SELECT p.id AS person_id,
        (f.crack AND s.imposed < DATE '2010-08-03') OR (s.imposed < DATE '2018-12-21' AND (f.e851 OR f.stacked)) AS c1,
        NOT f.violent AND NOT f.role AS c2,
        $as_of >= CAST(s.served_from + INTERVAL 10 YEAR AS DATE) AS c3,
        CAST(s.served_from + INTERVAL 10 YEAR AS DATE) AS c3_on,
        coalesce(pr.commitments, 0) <= 1 AS c4,
        coalesce(i.serious, 0) <= 0 AS c5,
        NOT coalesce(pr.violent, false) AND coalesce(i.violent, 0) = 0 AS c6
    FROM person AS p JOIN sent AS s ON s.person_id = p.id
    LEFT JOIN cur_flags AS f ON f.person_id = p.id
    LEFT JOIN priors AS pr ON pr.person_id = p.id
    LEFT JOIN inc AS i ON i.person_id = p.id
    LEFT JOIN custody AS cu ON cu.person_id = p.id
    WHERE s.system = 'federal' AND cu.in_custody
)
SELECT person_id, c1, c2, c3, c4, c5, c6, c3_on,
    CASE WHEN c1 AND c2 AND c3 AND c4 AND c5 AND c6 THEN 'eligible'
        WHEN coalesce(NOT c1, false) OR coalesce(NOT c2, false) OR coalesce(NOT c4, false)
            OR coalesce(NOT c5, false) OR coalesce(NOT c6, false) THEN 'ineligible'
        WHEN coalesce(NOT c3, false) THEN CASE WHEN c3_on <= $as_of + INTERVAL 180 DAY THEN 'almost-eligible'
            ELSE 'ineligible' END
        ELSE 'needs-information' END AS status
FROM criteria
"""

# (c) The clemency criteria as json-logic rules over one person's facts (dates as day numbers).
_RULES: dict[str, Any] = {
    "lower-sentence-today": {
        "or": [
            {"and": [{"var": "has_crack_cocaine_offense"}, {"<": [{"var": "sentence_imposed_date"}, "FSA"]}]},
            {
                "and": [
                    {"var": "first_step_act_in_force"},
                    {"<": [{"var": "sentence_imposed_date"}, "FIRST_STEP"]},
                    {"or": [{"var": "has_851_enhancement"}, {"var": "has_924c_stacking"}]},
                ]
            },
        ]
    },
    "nonviolent-low-level": {
        "and": [{"!": {"var": "has_violent_current_offense"}}, {"!": {"var": "aggravating_role"}}]
    },
    "served-10-years": {">=": [{"var": "as_of"}, {"var": "served_10_years_on"}]},
    "no-significant-criminal-history": {"<=": [{"var": "prior_commitments"}, 1]},
    "good-conduct": {"<=": [{"var": "serious_incidents_this_term"}, 0]},
    "no-violence-history": {
        "and": [{"!": {"var": "has_violent_prior_offense"}}, {"==": [{"var": "violent_incidents_this_term"}, 0]}]
    },
}
_READS = {
    "lower-sentence-today": (
        "has_crack_cocaine_offense",
        "sentence_imposed_date",
        "has_851_enhancement",
        "has_924c_stacking",
    ),
    "nonviolent-low-level": ("has_violent_current_offense", "aggravating_role"),
    "served-10-years": ("served_10_years_on",),
    "no-significant-criminal-history": ("prior_commitments",),
    "good-conduct": ("serious_incidents_this_term",),
    "no-violence-history": ("has_violent_prior_offense", "violent_incidents_this_term"),
}


def _status(results: dict[str, bool | None], served_on: int | None, window_end: int) -> str:
    values = list(results.values())
    if all(value is True for value in values):
        return "eligible"
    unmet = [name for name, value in results.items() if value is False]
    if not unmet:
        return "needs-information"
    if unmet == ["served-10-years"] and served_on is not None and served_on <= window_end:
        return "almost-eligible"
    return "ineligible"


def _json_logic_person(person: dict[str, Any], rules: dict[str, Any], window_end: int) -> str:
    from json_logic import jsonLogic

    results: dict[str, bool | None] = {}
    for name, rule in rules.items():
        # json-logic has no unknown: a rule reading a missing fact is unknown, as in SQL.
        if any(person[fact] is None for fact in _READS[name]):
            results[name] = None
        else:
            results[name] = bool(jsonLogic(rule, person))
    return _status(results, person["served_10_years_on"], window_end)


def _python_person(p: dict[str, Any], fsa: int, first_step: int, window_end: int) -> str:
    def known(*names: str) -> bool:
        return all(p[name] is not None for name in names)

    results: dict[str, bool | None] = {
        "lower-sentence-today": (
            (p["has_crack_cocaine_offense"] and p["sentence_imposed_date"] < fsa)
            or (
                p["first_step_act_in_force"]
                and p["sentence_imposed_date"] < first_step
                and (p["has_851_enhancement"] or p["has_924c_stacking"])
            )
        )
        if known(*_READS["lower-sentence-today"])
        else None,
        "nonviolent-low-level": (not p["has_violent_current_offense"] and not p["aggravating_role"])
        if known(*_READS["nonviolent-low-level"])
        else None,
        "served-10-years": p["as_of"] >= p["served_10_years_on"] if known("served_10_years_on") else None,
        "no-significant-criminal-history": p["prior_commitments"] <= 1 if known("prior_commitments") else None,
        "good-conduct": p["serious_incidents_this_term"] <= 0 if known("serious_incidents_this_term") else None,
        "no-violence-history": (not p["has_violent_prior_offense"] and p["violent_incidents_this_term"] == 0)
        if known(*_READS["no-violence-history"])
        else None,
    }
    return _status(results, p["served_10_years_on"], window_end)


def _sample_dicts(connection: duckdb.DuckDBPyConnection, size: int) -> list[dict[str, Any]]:
    """Clemency facts of a sample of the population, one dict per person, dates as day numbers."""
    day = "date_diff('day', DATE '1970-01-01', {})"
    cursor = connection.execute(
        f"""SELECT has_crack_cocaine_offense, {day.format("sentence_imposed_date")} AS sentence_imposed_date,
            has_851_enhancement, has_924c_stacking, has_violent_current_offense, aggravating_role,
            {day.format("CAST(served_from_date + INTERVAL 10 YEAR AS DATE)")} AS served_10_years_on,
            prior_commitments, serious_incidents_this_term, has_violent_prior_offense, violent_incidents_this_term,
            {day.format(f"DATE '{AS_OF.isoformat()}'")} AS as_of, true AS first_step_act_in_force
        FROM {FACTS_TABLE} WHERE system = 'federal' AND in_custody USING SAMPLE {size} ROWS (reservoir, 7)"""
    )
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _screen_seconds(run: Any) -> dict[str, float]:
    return {pack_run.compiled.pack.id: pack_run.seconds for pack_run in run.packs}


def _prepare_store(arguments: argparse.Namespace, holder: Path) -> Path:
    """The store to screen: --store, or a population generated with dates computed.

    Generation runs in a child process, so that the peak memory printed in (d) is the screening's
    own and not the generator's.
    """
    if arguments.store:
        return Path(arguments.store)
    store = holder / "bench.duckdb"
    command = [sys.executable, "-m", "secondchance"]
    _timed(
        f"generate {arguments.people:,} people",
        lambda: subprocess.run(
            [*command, "generate", "--people", str(arguments.people), "--seed", "7", "--store", str(store)],
            check=True,
            capture_output=True,
        ),
    )
    _timed(
        "compute dates",
        lambda: subprocess.run(
            [*command, "dates", "compute", "--as-of", AS_OF.isoformat(), "--store", str(store)],
            check=True,
            capture_output=True,
        ),
    )
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--store", help="an existing store with computed dates (it receives the results)")
    parser.add_argument("--parquet", help="the store's Parquet export, for Spark (default: exported now)")
    parser.add_argument("--sample", type=int, default=20_000, help="people evaluated one by one in (c)")
    parser.add_argument("--no-spark", action="store_true", help="skip (e)")
    arguments = parser.parse_args()
    holder = Path(tempfile.mkdtemp(prefix="secondchance-bench-"))
    try:
        run_benchmark(arguments, holder)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def run_benchmark(arguments: argparse.Namespace, holder: Path) -> None:
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    store = _prepare_store(arguments, holder)
    packs: list[CompiledPack] = [load_pack(path) for _, path in list_packs()]
    clemency = [compiled for compiled in packs if compiled.pack.id == CLEMENCY]
    connection = duckdb.connect(str(store))
    ensure_fact_inputs(connection)
    row = connection.execute("SELECT count(*) FROM person").fetchone()
    people = int(row[0]) if row else 0
    print(f"people: {people:,}; packs: {', '.join(compiled.pack.id for compiled in packs)}; as of {AS_OF}")

    print("\n(a) DuckDB engine, every pack, results with evidence written")
    seconds, run = _timed(
        "facts + all packs + evidence (secondchance screen --all)", lambda: screen(connection, packs, as_of=AS_OF)
    )
    total = seconds
    print(f"    of which facts {run.facts_seconds:.2f} s; per pack (evaluation + writing):")
    for pack_id, pack_seconds in _screen_seconds(run).items():
        print(f"      {pack_id:<40} {pack_seconds:7.2f} s")
    facts_seconds, _ = _timed(
        "facts alone, the whole catalogue (CREATE TABLE AS facts_query)",
        lambda: connection.execute(f"CREATE OR REPLACE TABLE {FACTS_TABLE} AS {facts_query(AS_OF)}"),
    )
    with_evidence, _ = _timed(
        "all packs over those facts, with evidence", lambda: screen(connection, packs, as_of=AS_OF, facts=FACTS_TABLE)
    )
    without, _ = _timed(
        "all packs over those facts, without evidence",
        lambda: screen(connection, packs, as_of=AS_OF, facts=FACTS_TABLE, evidence=False),
    )
    print(f"  evidence alone (difference)                                {with_evidence - without:8.2f} s")
    rows = connection.execute(f"SELECT count(*) FROM screening_criterion WHERE run_id = {run.run_id}").fetchone()
    print(f"  rows written: {run.people:,} people, {rows[0] if rows else 0:,} criterion results")

    print("\n(b) Floor: hand-written DuckDB query for the clemency facts and statuses")
    ours, clemency_run = _timed(
        "engine: facts + clemency pack, no evidence", lambda: screen(connection, clemency, as_of=AS_OF, evidence=False)
    )
    floor, _ = _timed("hand-written query", lambda: connection.execute(FLOOR_SQL.replace("$as_of", f"DATE '{AS_OF}'")))
    print(f"  engine / floor: {ours / floor:.2f}x (target at most 1.5x)")
    agreement = connection.execute(
        f"""SELECT count(*) FILTER (WHERE f.status = r.status), count(*) FROM floor_result AS f
        FULL JOIN (SELECT * FROM screening_result WHERE run_id = {clemency_run.run_id}) AS r USING (person_id)"""
    ).fetchone()
    if agreement:
        print(f"  statuses agreeing with the engine: {agreement[0]:,} of {agreement[1]:,}")

    print(f"\n(c) Person by person over dicts of facts ({arguments.sample:,} sampled, extrapolated to {people:,})")
    persons = _sample_dicts(connection, arguments.sample)
    fsa, first_step = _days(date(2010, 8, 3)), _days(date(2018, 12, 21))
    window_end = _days(AS_OF) + 180
    rules: dict[str, Any] = eval_rules(fsa, first_step)
    started = time.perf_counter()
    logic_statuses = [_json_logic_person(person, rules, window_end) for person in persons]
    logic = (time.perf_counter() - started) / max(len(persons), 1) * people
    started = time.perf_counter()
    python_statuses = [_python_person(person, fsa, first_step, window_end) for person in persons]
    plain = (time.perf_counter() - started) / max(len(persons), 1) * people
    assert logic_statuses == python_statuses, "json-logic and the Python loop disagree"
    engine_eval = clemency_run.packs[0].seconds
    print(f"  json-logic, extrapolated                                   {logic:8.2f} s")
    print(f"  plain Python loop, extrapolated                            {plain:8.2f} s")
    print(f"  engine, clemency over computed facts                       {engine_eval:8.2f} s")
    print(
        f"  json-logic / engine: {logic / engine_eval:.0f}x (target at least 30x); with the engine's facts "
        f"included: {logic / ours:.1f}x; plain Python / engine: {plain / engine_eval:.0f}x"
    )

    print("\n(d) Peak memory")
    duckdb_peak = _rss_gb()
    print(f"  this process (DuckDB in it), max RSS: {duckdb_peak:.2f} GB (target under 4 GB)")

    if not arguments.no_spark:
        print("\n(e) Spark engine, local mode, same packs, results with evidence into the store")
        from secondchance.policy.spark_engine import spark_screen
        from secondchance.policy.spark_session import spark_session
        from secondchance.records.parquet import export_parquet

        parquet = Path(arguments.parquet) if arguments.parquet else holder / "parquet"
        if not arguments.parquet:
            _timed("export the store to Parquet", lambda: export_parquet(connection, parquet))
        start, spark = _timed("start Spark (local[*])", spark_session)
        spark_seconds, spark_run = _timed(
            "facts + all packs + evidence on Spark",
            lambda: spark_screen(spark, packs, as_of=AS_OF, parquet=parquet, connection=connection),
        )
        print(f"    of which facts {spark_run.facts_seconds:.2f} s; per pack:")
        for pack_id, pack_seconds in _screen_seconds(spark_run).items():
            print(f"      {pack_id:<40} {pack_seconds:7.2f} s")
        print(
            f"  DuckDB / Spark time: {total / spark_seconds:.2f} (Spark takes {spark_seconds / total:.1f}x as long; "
            f"plus {start:.1f} s to start)"
        )
        spark.stop()
    print(
        f"\nsummary: engine {total:.2f} s for {people:,} people and {len(packs)} packs (facts {facts_seconds:.2f} s, "
        f"evidence {with_evidence - without:.2f} s); floor ratio {ours / floor:.2f}x; "
        f"json-logic {logic / engine_eval:.0f}x slower; peak {duckdb_peak:.2f} GB"
    )


def eval_rules(fsa: int, first_step: int) -> dict[str, Any]:
    """The json-logic rules with the pack's dated parameters filled in (as of AS_OF)."""
    import json

    text = json.dumps(_RULES).replace('"FSA"', str(fsa)).replace('"FIRST_STEP"', str(first_step))
    rules: dict[str, Any] = json.loads(text)
    return rules


if __name__ == "__main__":
    main()
