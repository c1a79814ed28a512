"""Timelines: the ordered steps, each citing its rule, that produced a computed date."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

__all__ = ["Step", "Timeline"]


@dataclass(frozen=True)
class Step:
    """One step of a computation: what happened, the date it produced, and the rule."""

    label: str  # short machine name, e.g. "gct", "jail_credit", "weekend_move"
    description: str  # a sentence a person can read
    rule: str  # citation, e.g. "18 U.S.C. § 3624(b)(1)"
    on: date | None = None  # the date this step produced, if any
    days: int | None = None  # the days this step added or removed, if any

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON-ready data."""
        data = asdict(self)
        data["on"] = self.on.isoformat() if self.on else None
        return data


@dataclass
class Timeline:
    """The steps of one computation, in order."""

    steps: list[Step] = field(default_factory=list)

    def add(self, label: str, description: str, rule: str, *, on: date | None = None, days: int | None = None) -> Step:
        """Append a step and return it."""
        step = Step(label, description, rule, on, days)
        self.steps.append(step)
        return step

    def to_list(self) -> list[dict[str, Any]]:
        """The steps as JSON-ready data."""
        return [step.to_dict() for step in self.steps]

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)
