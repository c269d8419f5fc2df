"""Typer sub-commands of `monite-conformance`: each module's `register(app)` adds its command(s)."""
