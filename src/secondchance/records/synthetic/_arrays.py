"""Small vectorised helpers shared by the table builders: draws, dates as day numbers, ids, nulls."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "EPOCH",
    "DAYS_PER_YEAR",
    "DAYS_PER_MONTH",
    "Ints",
    "Bools",
    "day_number",
    "draw",
    "uniform_int",
    "dates",
    "with_nulls",
    "source_ids",
    "person_row_keys",
    "pick",
    "group_positions",
    "text",
    "labels",
    "draw_codes",
]

EPOCH = date(1970, 1, 1)
DAYS_PER_YEAR = 365.2425
DAYS_PER_MONTH = DAYS_PER_YEAR / 12

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def day_number(day: date) -> int:
    """Days since 1970-01-01, the unit every date is drawn in."""
    return (day - EPOCH).days


def draw(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> npt.NDArray[np.str_]:
    """Draw `size` labels with the given shares (normalised, so rounding in sources does not matter)."""
    labels = np.array(list(shares.keys()))
    weights = np.array(list(shares.values()), dtype=np.float64)
    return rng.choice(labels, size=size, p=weights / weights.sum())


def uniform_int(rng: np.random.Generator, low: Ints | int, high: Ints | int, size: int) -> Ints:
    """Integers uniform on [low, high] (inclusive), element-wise; high below low gives low."""
    low_a = np.asarray(low, dtype=np.int64)
    span = np.maximum(np.asarray(high, dtype=np.int64) - low_a, 0) + 1
    result: Ints = low_a + np.floor(rng.random(size) * span).astype(np.int64)
    return result


def dates(values: Ints, null_mask: Bools | None = None) -> pl.Series:
    """A polars Date series from day numbers, NULL where `null_mask` is true."""
    series = pl.Series(values.astype(np.int32)).cast(pl.Date)
    return with_nulls(series, null_mask)


def with_nulls(series: pl.Series, null_mask: Bools | None) -> pl.Series:
    """The series with NULL where the mask is true."""
    if null_mask is None or not null_mask.any():
        return series
    return series.scatter(np.flatnonzero(null_mask), None)


def source_ids(prefix: str, numbers: Ints) -> pl.Series:
    """Source identifiers such as `SYN-P-00000001`, zero-padded so they sort in number order."""
    # Adding 10^8 and dropping the leading 1 pads to eight digits faster than a string pad.
    digits = pl.Series(np.asarray(numbers, dtype=np.int64) + 100_000_000).cast(pl.String).str.slice(1)
    return pl.select(pl.lit(f"SYN-{prefix}-") + digits).to_series()


def person_row_keys(prefix: str, person: Ints) -> dict[str, npt.NDArray[np.int64] | pl.Series]:
    """The key columns of a table of rows owned by people: id (1..n), person_id, source_id, person_source_id.

    `person` holds each row's 0-based person index.
    """
    ids = np.arange(1, len(person) + 1, dtype=np.int64)
    return {
        "id": ids,
        "person_id": person + 1,
        "source_id": source_ids(prefix, ids),
        "person_source_id": source_ids("P", person + 1),
    }


def labels(options: Sequence[str | None], codes: Ints, null_mask: Bools | None = None) -> pl.Series:
    """A String series taking `options[code]` for each code (NULL where the option is None or the mask)."""
    return with_nulls(pl.Series(list(options), dtype=pl.String).gather(codes), null_mask)


def draw_codes(rng: np.random.Generator, shares: Mapping[str, float], size: int) -> Ints:
    """Draw `size` indices into `list(shares)` with the given shares."""
    weights = np.array(list(shares.values()), dtype=np.float64)
    codes: Ints = rng.choice(weights.size, size=size, p=weights / weights.sum()).astype(np.int64)
    return codes


def pick(rng: np.random.Generator, options: tuple[str, ...], size: int) -> npt.NDArray[np.str_]:
    """Choose uniformly among options."""
    return np.array(options)[rng.integers(0, len(options), size=size)]


def group_positions(counts: Ints) -> tuple[Ints, Ints]:
    """For rows repeated `counts` times each: the owning index and the position within the owner."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(owner.size, dtype=np.int64) - np.repeat(starts, counts)
    return owner, position


def text(values: npt.NDArray[np.str_], vocabulary: Sequence[str], null_mask: Bools | None = None) -> pl.Series:
    """A polars String series from a NumPy string array whose values all come from `vocabulary`.

    Goes through integer codes, which is an order of magnitude faster than converting the strings.
    """
    ordered = np.array(sorted(set(vocabulary)))
    codes = np.minimum(np.searchsorted(ordered, values), ordered.size - 1)
    if not np.array_equal(ordered[codes], values):
        unknown = sorted(set(values[ordered[codes] != values].tolist()))[:5]
        raise ValueError(f"values outside the vocabulary: {unknown}")
    return with_nulls(pl.Series(ordered.tolist(), dtype=pl.String).gather(codes), null_mask)
