"""The monite-conformance sub-commands; conformance.commands.run assembles them into one app."""
