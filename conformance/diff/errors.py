"""A document `diff` cannot compare: unreachable, unreadable, not OpenAPI 3.x (exit 3).

Usage errors (a missing file, a bad regex, `spec@` without the per-version loader) are
`conformance.errors.ConfigError` (exit 2), like every other bad option of the CLI.
"""


class DocumentError(Exception):
    """The document could not be fetched or read, or is not an OpenAPI 3.x document."""
