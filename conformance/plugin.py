"""pytest plugin of the conformance suite (options land with issue 4)."""
