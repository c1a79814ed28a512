"""The synthetic population: a calibrated, internally consistent population for the records store.

Figures and their sources are in `calibration`; docs/synthetic-population.md describes the whole.
"""

from __future__ import annotations

from secondchance.records.synthetic.generator import (
    GENERATION_STEPS,
    JURISDICTIONS,
    NOT_DRAWN,
    Generated,
    GenerationResult,
    generate_frames,
    generate_population,
)

__all__ = [
    "GENERATION_STEPS",
    "JURISDICTIONS",
    "Generated",
    "GenerationResult",
    "NOT_DRAWN",
    "generate_frames",
    "generate_population",
]
