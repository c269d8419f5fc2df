"""`monite-conformance compare`: what changed between two runs' summary.json files."""
