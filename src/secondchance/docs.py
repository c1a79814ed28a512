"""Generate the parts of docs/ that are derived from code: `python -m secondchance.docs` (or `make docs`).

docs/records.md is written from `records.schema`, so the documented model is the model the
store and ingest use; tests/test_docs.py fails when the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from secondchance.records.completeness import RECORD_KINDS
from secondchance.records.schema import DUCKDB_TYPES, ENUMS, TABLES, Column, Table
from secondchance.records.store import store_columns

__all__ = ["RECORDS_DOC", "records_doc", "write_docs"]

DOCS = Path(__file__).resolve().parents[2] / "docs"
RECORDS_DOC = DOCS / "records.md"

_CONVENTIONS = """\
## Conventions

- **Keys.** Every row has a natural key from its source, (`source`, `source_id`), and an internal
  `id` that the store assigns. Loading the same key again replaces the row in place and keeps its
  `id` ([decision 2](decisions/0002-records-keys.md)).
- **References.** Files refer to other rows by their `source_id` (`person_source_id`,
  `sentence_source_id`, ...), always within the same `source`. The store keeps the reference as
  given and the resolved internal id beside it (`person_id`, `sentence_id`, ...).
- **Enumerations.** An enumerated column holds one of the values listed below, and the store keeps
  the source text beside it in `<name>_raw` (e.g. `sex` = `female`, `sex_raw` = `F`), so nothing is
  lost in mapping. Ingest matches values case-insensitively, with spaces and hyphens read as
  underscores (`Life Without Parole` is `life_without_parole`).
- **Unknown is NULL.** No magic values: a date that is not known is NULL, never `1900-01-01`.
- **Dates** are ISO `YYYY-MM-DD`. **Periods** are half-open, `[start, end)`: the end day is not part
  of the period, and a NULL end means the period is still going on (still in custody).
- **Terms** are calendar terms, whole months plus days (`term_months`, `term_days`).
- Every row records the load that wrote it (`ingest_id`, a row of `ingest_log`).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _rules(column: Column) -> str:
    """The checks ingest applies to a column beyond its type, in words."""
    rules = []
    if column.enum:
        rules.append(f"one of [`{column.enum}`](#enumerations)")
    if column.minimum is not None and column.maximum is not None:
        rules.append(f"{_number(column.minimum)} to {_number(column.maximum)}")
    elif column.minimum is not None:
        rules.append(f"at least {_number(column.minimum)}")
    elif column.maximum is not None:
        rules.append(f"at most {_number(column.maximum)}")
    if column.not_in_future:
        rules.append("not in the future")
    if column.pattern:
        rules.append(f"matches `{column.pattern}`")
    return "; ".join(rules)


def _table_section(spec: Table) -> list[str]:
    lines = [f"## `{spec.name}`", "", spec.description, ""]
    lines += ["| column | type | required | rule | description |", "|---|---|---|---|---|"]
    for column in spec.columns:
        required = "yes" if column.required else ""
        lines.append(
            f"| `{column.name}` | {column.type} | {required} | {_cell(_rules(column))} | {_cell(column.description)} |"
        )
    lines.append("")
    if spec.references:
        refs = ", ".join(
            f"`{ref.column}` → [`{ref.table}`](#{ref.table}) (stored as `{ref.internal}`)" for ref in spec.references
        )
        lines += [f"References: {refs}.", ""]
    for earlier, later in spec.date_order:
        lines += [f"Date order: `{later}` must not be before `{earlier}`.", ""]
    stored = [name for name, _ in store_columns(spec) if name not in spec.column_names]
    types = dict(store_columns(spec))
    lines += [
        "Stored beside these: " + ", ".join(f"`{name}` ({types[name]})" for name in stored) + ".",
        "",
    ]
    return lines


def records_doc() -> str:
    """The Markdown text of docs/records.md."""
    lines = [
        "# The records model",
        "",
        "<!-- Generated from src/secondchance/records/schema.py by `make docs`; do not edit by hand. -->",
        "",
        "The records store holds the tables below, in a DuckDB file (`secondchance.duckdb`, or `--store`",
        "and `SECONDCHANCE_STORE`) or as one Parquet file per table (`secondchance export --format parquet`).",
        "Files loaded with `secondchance ingest` use the column names listed here; see",
        "[ingest.md](ingest.md) for the file formats, the checks and the error messages.",
        "",
        _CONVENTIONS,
        "## Tables",
        "",
    ]
    lines += [f"- [`{spec.name}`](#{spec.name}): {spec.description}" for spec in TABLES]
    lines.append("")
    lines.append("Types: " + ", ".join(f"{name} ({sql})" for name, sql in DUCKDB_TYPES.items()) + " in DuckDB.")
    lines.append("")
    for spec in TABLES:
        lines += _table_section(spec)
    lines += ["## Enumerations", "", "| name | values |", "|---|---|"]
    lines += [f"| `{name}` | {', '.join(f'`{v}`' for v in values)} |" for name, values in ENUMS.items()]
    lines += [
        "",
        "## `ingest_log`",
        "",
        "One row per file (or adapter frame) loaded: `ingest_id`, `source`, `table_name`, `file_path`,",
        "`file_sha256`, `adapter`, `rows_read`, `rows_loaded`, `rows_rejected`, `started_at` and",
        "`finished_at` (UTC). The rows a load wrote carry its `ingest_id`.",
        "",
        "## `source_completeness`",
        "",
        "Whether each source holds all of a kind of record for its people, one row per `source` and",
        f"`record_kind` ({', '.join(f'`{kind}`' for kind in RECORD_KINDS)}): `complete`, `basis` (the",
        "reason given), `ingest_id` (the load that declared it) and `declared_at` (UTC). Written by each",
        "load in the same transaction as its rows ([ingest.md](ingest.md#what-a-source-holds-in-full---complete));",
        "facts read it ([facts.md](facts.md)).",
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_docs() -> list[Path]:
    """Write every generated document and return their paths."""
    RECORDS_DOC.parent.mkdir(parents=True, exist_ok=True)
    RECORDS_DOC.write_text(records_doc(), encoding="utf-8")
    written = [RECORDS_DOC]
    try:  # the facts catalogue documents itself the same way
        from secondchance.policy.facts.docs import write_facts_doc
    except ImportError:
        return written
    written.append(write_facts_doc())
    return written


if __name__ == "__main__":
    for path in write_docs():
        sys.stdout.write(f"wrote {path}\n")
