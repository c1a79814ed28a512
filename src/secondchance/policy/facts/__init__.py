"""The facts catalogue: named, typed, documented per-person values that packs may read."""

from secondchance.policy.facts.catalogue import FACTS, Fact, FactType, fact

__all__ = ["FACTS", "Fact", "FactType", "fact"]
