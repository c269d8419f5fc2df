"""Typer commands of `monite-conformance`; each module exposes `register(app)` and the app wires it."""
