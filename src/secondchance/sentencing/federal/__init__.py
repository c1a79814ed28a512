"""Federal release dates: GCT, FSA time credits, RDAP, Second Chance Act prerelease and weekend moves.

`compute_federal` is the scalar reference for one term; `federal_dates_relation` (bulk.py) computes the
same columns for a whole table in DuckDB SQL. Every rule cites its statute or regulation beside it.
"""

from __future__ import annotations

from secondchance.sentencing.federal.aggregate import AggregateTerm, SentenceTerm, aggregate_terms
from secondchance.sentencing.federal.bulk import BULK_INPUT_COLUMNS, federal_dates_relation, scalar_federal_row
from secondchance.sentencing.federal.compute import FederalResult, compute_federal, rule_profile

__all__ = [
    "AggregateTerm",
    "BULK_INPUT_COLUMNS",
    "FederalResult",
    "SentenceTerm",
    "aggregate_terms",
    "compute_federal",
    "federal_dates_relation",
    "rule_profile",
    "scalar_federal_row",
]
