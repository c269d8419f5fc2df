"""How the property tests drive schemathesis: profiles, auth, schema loading, calls, stateful runs."""
