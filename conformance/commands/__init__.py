"""The CLI's sub-commands; each module's `register(app)` adds its command(s) to the Typer app."""
