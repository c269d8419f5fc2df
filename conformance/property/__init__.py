"""The schemathesis side: the spec as schemas per phase, sending cases, stateful runs."""
