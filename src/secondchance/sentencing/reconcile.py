"""`secondchance dates reconcile`: our computed dates against the dates the source itself computed.

Pairs compared, per sentence:
- `release`: `sentence.source_release_date` (e.g. CDCR's EPRD, earliest possible release date) against our
  `projected_release_date`;
- `parole_eligibility`: `sentence.source_parole_eligibility_date` (e.g. CDCR's MEPD) against our
  `parole_eligibility_date`.

A source date written only to the month (`source_date_text`, e.g. `MAR25`, loaded as its first day) is the
whole month: a computed date inside it differs by 0 days, one outside by its distance to the nearest day of
that month. The difference is ours minus theirs (positive: we compute a later date). Every pair is reported:
a match within the tolerance, a difference (with both dates, the days and our timeline), or not comparable
with the reason (no computed row, the sentence is in manual review, or we compute no such date).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import duckdb

from secondchance.errors import UserError
from secondchance.sentencing.compute import read_scalar_inputs, scalar_timelines
from secondchance.sentencing.conventions import DAYS_PER_YEAR

__all__ = ["ReconcileRow", "ReconcileReport", "reconcile", "BANDS"]

# (label, largest absolute difference in days in the band); years of the one year length (conventions)
BANDS: tuple[tuple[str, int | None], ...] = (
    ("1-30 days", 30),
    (f"31-{DAYS_PER_YEAR} days", DAYS_PER_YEAR),
    ("1-5 years", 5 * DAYS_PER_YEAR),
    ("over 5 years", None),
)


@dataclass
class ReconcileRow:
    """One compared pair: the source's date, ours, and how they relate."""

    person_source_id: str
    sentence_source_id: str
    source: str
    system: str
    kind: str  # release | parole_eligibility
    source_date: date | None
    source_date_text: str | None
    precision: str  # day | month
    computed_date: date | None
    difference_days: int | None
    status: str  # match | difference | not_comparable
    band: str | None = None
    reason: str | None = None  # why not comparable
    timeline: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = asdict(self)
        for key in ("source_date", "computed_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class ReconcileReport:
    """Every compared pair and the summary of them."""

    rows: list[ReconcileRow]
    tolerance_days: int

    def summary(self) -> dict[str, Any]:
        """Matches, differences by size band and direction, not comparable by reason."""
        status = Counter(row.status for row in self.rows)
        bands = Counter(row.band for row in self.rows if row.status == "difference")
        later = sum(1 for row in self.rows if row.status == "difference" and (row.difference_days or 0) > 0)
        reasons = Counter(row.reason for row in self.rows if row.status == "not_comparable")
        return {
            "pairs": len(self.rows),
            "tolerance_days": self.tolerance_days,
            "matches": status.get("match", 0),
            "differences": status.get("difference", 0),
            "differences_by_band": {label: bands.get(label, 0) for label, _ in BANDS},
            "ours_later": later,
            "ours_earlier": status.get("difference", 0) - later,
            "not_comparable": status.get("not_comparable", 0),
            "not_comparable_by_reason": dict(sorted(reasons.items(), key=lambda item: (-item[1], str(item[0])))),
            "by_kind": dict(sorted(Counter(row.kind for row in self.rows).items())),
        }


_PAIRS_SQL = """
WITH pairs AS (
    SELECT s.id AS sentence_id, s.person_id, s.person_source_id, s.source_id AS sentence_source_id, s.source,
        s.system, 'release' AS kind, s.source_release_date AS source_date, s.source_date_text
    FROM sentence s WHERE s.source_release_date IS NOT NULL AND ($source IS NULL OR s.source = $source)
    UNION ALL
    SELECT s.id, s.person_id, s.person_source_id, s.source_id, s.source, s.system, 'parole_eligibility',
        s.source_parole_eligibility_date, s.source_date_text
    FROM sentence s WHERE s.source_parole_eligibility_date IS NOT NULL AND ($source IS NULL OR s.source = $source)
),
latest AS (
    SELECT * FROM computed_dates
    QUALIFY row_number() OVER (PARTITION BY sentence_id ORDER BY computed_at DESC NULLS LAST) = 1
)
SELECT p.*,
    -- a month-precision source date is written as text and loaded as the first of its month
    p.source_date_text IS NOT NULL AND day(p.source_date) = 1 AS month_precision,
    d.sentence_id IS NOT NULL AS has_row, d.review_reason, d.review_detail,
    CASE p.kind WHEN 'release' THEN d.projected_release_date ELSE d.parole_eligibility_date END AS computed_date,
    CAST(d.computed_at AS DATE) AS computed_on
FROM pairs p LEFT JOIN latest d ON d.sentence_id = p.sentence_id
ORDER BY p.source, p.person_source_id, p.sentence_source_id, p.kind
"""


def _difference(computed: date, source_date: date, month: bool) -> int:
    if not month:
        return (computed - source_date).days
    last = (date(source_date.year + source_date.month // 12, source_date.month % 12 + 1, 1)).toordinal() - 1
    if computed.toordinal() < source_date.toordinal():
        return computed.toordinal() - source_date.toordinal()
    if computed.toordinal() > last:
        return computed.toordinal() - last
    return 0


def _band(days: int) -> str:
    for label, limit in BANDS:
        if limit is None or abs(days) <= limit:
            return label
    return BANDS[-1][0]


def reconcile(
    connection: duckdb.DuckDBPyConnection,
    *,
    source: str | None = None,
    tolerance_days: int = 0,
    with_timelines: bool = True,
) -> ReconcileReport:
    """Compare every source release and parole-eligibility date with the latest computed one."""
    has_table = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'computed_dates'"
    ).fetchone()
    if not has_table or not has_table[0]:
        raise UserError("the store has no computed dates yet: run `secondchance dates compute` first")
    cursor = connection.execute(_PAIRS_SQL, {"source": source})
    names = [d[0] for d in cursor.description or []]
    rows: list[ReconcileRow] = []
    differing: dict[Any, list[ReconcileRow]] = {}
    as_of: date | None = None
    for values in cursor.fetchall():
        record = dict(zip(names, values, strict=True))
        month = bool(record["month_precision"])
        row = ReconcileRow(
            person_source_id=record["person_source_id"],
            sentence_source_id=record["sentence_source_id"],
            source=record["source"],
            system=record["system"],
            kind=record["kind"],
            source_date=record["source_date"],
            source_date_text=record["source_date_text"] if month else None,
            precision="month" if month else "day",
            computed_date=record["computed_date"],
            difference_days=None,
            status="not_comparable",
        )
        if not record["has_row"]:
            row.reason = "no computed row (run `secondchance dates compute`)"
        elif record["review_reason"] is not None:
            row.reason = f"manual review: {record['review_reason']}"
            row.timeline = [f"manual review {record['review_reason']}: {record['review_detail']}"]
        elif record["computed_date"] is None:
            row.reason = f"no computed {record['kind'].replace('_', ' ')} date under the {record['system']} rules"
        else:
            row.difference_days = _difference(record["computed_date"], record["source_date"], month)
            if abs(row.difference_days) <= tolerance_days:
                row.status = "match"
            else:
                row.status = "difference"
                row.band = _band(row.difference_days)
                differing.setdefault(record["sentence_id"], []).append(row)
                as_of = as_of or record["computed_on"]
        rows.append(row)
    if with_timelines and differing:
        ids = ", ".join(str(int(sentence_id)) for sentence_id in differing)
        people = f"person_id IN (SELECT person_id FROM sentence WHERE id IN ({ids}))"
        members, incidents = read_scalar_inputs(connection, as_of or date.today(), where=people)
        for sentence_id, lines in scalar_timelines(members, incidents, differing).items():
            for row in differing[sentence_id]:
                row.timeline = lines
    return ReconcileReport(rows, tolerance_days)
