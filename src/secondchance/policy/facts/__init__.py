"""The facts catalogue: named, typed, documented per-person values that packs may read."""

from secondchance.policy.facts.catalogue import FACTS, Fact, FactType, fact, fact_names
from secondchance.policy.facts.query import ensure_fact_inputs, facts_query, materialize_facts, person_facts

__all__ = [
    "FACTS",
    "Fact",
    "FactType",
    "ensure_fact_inputs",
    "fact",
    "fact_names",
    "facts_query",
    "materialize_facts",
    "person_facts",
]
