"""The monite-conformance sub-commands; conformance.cli assembles them into one app."""
