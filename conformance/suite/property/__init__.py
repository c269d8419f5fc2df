"""Property tests: schemathesis, driven by the spec, with the Monite checks (marker `property`)."""
