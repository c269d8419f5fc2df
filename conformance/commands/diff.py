"""`monite-conformance diff OLD NEW`: what changed between two contracts, for a client.

Exit codes: 0 no change at or above `--fail-on`, 1 there is one, 2 usage error (one line,
raised as ConfigError / typer.BadParameter and printed by `conformance.cli.main`), 3 a document
that cannot be fetched or read or is not OpenAPI 3.x (one line, printed here).
"""

from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from conformance.diff import diff_documents
from conformance.diff.errors import DocumentError
from conformance.diff.load import load_document
from conformance.diff.render import render, write
from conformance.diff.render.text import renderable
from conformance.diff.select import DEFAULT_PATHS
from conformance import config_file
from conformance.errors import ConfigError
from conformance.options import CONFIG, NO_CONFIG
from conformance.exit_codes import exit_code
from conformance.redaction import redact

PROG = "monite-conformance"


class OutputFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"
    junit = "junit"
    sarif = "sarif"


class FailOn(str, Enum):
    breaking = "breaking"
    may_break = "may-break"
    any = "any"


def register(app: typer.Typer) -> None:
    """Add `diff` to the app."""
    app.command(name="diff")(diff)


def diff(
    old: Annotated[str, typer.Argument(
        help="the old contract: a YAML/JSON file, an http(s) URL, `spec` (ours) or `spec@<version>`",
        show_default=False)],
    new: Annotated[str, typer.Argument(help="the new contract, same forms as OLD", show_default=False)],
    format: Annotated[OutputFormat | None, typer.Option(  # noqa: A002 - the option is called --format
        "--format", help="text (rich, default), markdown, json, html, junit or sarif")] = None,
    output: Annotated[Path | None, typer.Option(
        help="write the report to this file instead of the console")] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        help="exit 1 when a change of this level or worse exists (any: every change; default: breaking)")] = None,
    paths: Annotated[str | None, typer.Option(
        help="compare the operations whose path (without /v1) matches this regular expression, "
             "instead of the accounting operations our spec covers")] = None,
    all_paths: Annotated[bool | None, typer.Option("--all-paths/--no-all-paths", help="compare every operation")]
    = None,
    config: Annotated[Path | None, typer.Option(help=escape(CONFIG.help))] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help=NO_CONFIG.help)] = False,
) -> int:
    """Compare two OpenAPI documents and classify every change: breaking, may-break, non-breaking."""
    # Flags first, then the configuration file's [diff] table, then the defaults.
    file = config_file.load(config, disabled=no_config).diff
    format = format or OutputFormat(file.get("format", OutputFormat.text.value))  # noqa: A001
    output = output or file.get("output")
    fail_on = fail_on or FailOn(file.get("fail_on", FailOn.breaking.value))
    paths = paths if paths is not None else file.get("paths")
    all_paths = all_paths if all_paths is not None else bool(file.get("all_paths", False))
    scope = _scope(paths, all_paths)
    try:
        before, after = load_document(old), load_document(new)
        result = diff_documents(before, after, scope)
    except DocumentError as exc:
        typer.echo(f"{PROG}: error: {redact(str(exc))}", err=True)
        return exit_code("unreachable")
    if not result.operations:  # a typo in --paths must not read as "no changes"
        hint = (f" (--paths {paths!r})" if paths is not None else
                "" if all_paths else "; the default scope is the accounting paths, see --paths/--all-paths")
        raise ConfigError(f"no operation of either document is in scope{hint}")
    old_label, new_label = redact(old), redact(new)
    if output is not None:
        try:
            write(output, format.value, result, old_label, new_label, fail_on.value)
        except OSError as exc:
            raise ConfigError(f"--output {output}: {exc.strerror or exc}") from None
        counts = result.counts()
        typer.echo(f"{output}: " + ", ".join(f"{n} {level}" for level, n in counts.items()))
    elif format is OutputFormat.text:
        terminal = sys.stdout.isatty()  # piped or captured: wide enough that rule ids never fold
        Console(file=sys.stdout, highlight=False, width=None if terminal else 160).print(
            renderable(result, old_label, new_label))
    else:
        sys.stdout.write(render(format.value, result, old_label, new_label, fail_on.value))
    return exit_code("differences" if result.at_or_above(fail_on.value) else "no-difference")


def _scope(paths: str | None, all_paths: bool) -> re.Pattern[str] | None:
    if paths is not None and all_paths:
        raise ConfigError("--paths and --all-paths exclude each other")
    if all_paths:
        return None
    if paths is None:
        return DEFAULT_PATHS
    try:
        return re.compile(paths)
    except re.error as exc:
        raise ConfigError(f"--paths {paths!r} is not a regular expression ({exc})") from None
