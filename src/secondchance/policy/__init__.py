"""Policy as code: packs, the facts catalogue, the compiler to SQL, engines and explanations."""
