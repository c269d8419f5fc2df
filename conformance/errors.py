"""Errors that end a run before any check: each maps to one CLI exit code and one line."""


class ConfigError(Exception):
    """The options or environment do not describe a usable run (exit 2)."""


class TargetUnreachable(Exception):
    """The target does not answer, or rejects the credentials (exit 3)."""
