"""`diff --format sarif`: every change as a SARIF result, through the one SARIF writer.

A change is a Finding of the diff's rule catalogue (`conformance.diff.catalogue`): id, level,
meaning, and whose id it is (oasdiff's or ours, its `source`); its message names the location. Levels map to SARIF's: breaking `error`, may-break `warning`,
non-breaking `note`. Each result points at the changed operation (its response, request body or
parameters when the change names them) in the NEW document when it is a local file and has
the operation, else in the OLD one (a removed operation), else at NEW's `paths`. A document
fetched from a URL has no file to annotate: its results carry no location.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conformance.diff.model import DiffResult
from conformance.diff.catalogue import level_of
from conformance.findings import Finding
from conformance.report.sarif import DIFF_LEVELS, Located, sarif_log, sarif_text
from conformance.openapi.files import spec_path
from conformance.openapi.locations import SpecLines, SpecLocation, spec_lines

TOOL = "monite-conformance diff"


def document_file(argument: str) -> Path | None:
    """The local file a diff argument names: a path, or `spec` / `spec@<version>` (our spec's
    base document: an overlay only removes, so every operation is written there); None for a URL."""
    if argument == "spec" or argument.startswith("spec@"):
        return spec_path()
    if "://" in argument:
        return None
    path = Path(argument)
    return path if path.is_file() else None


def _below(location: str) -> tuple[str, ...]:
    words = location.split()
    if len(words) >= 2 and words[0] == "response":
        return ("responses", words[1])
    if location.startswith("request body"):
        return ("requestBody",)
    if words and words[0] == "parameter":
        return ("parameters",)
    return ()


def _locate(change: Finding, documents: list[SpecLines]) -> SpecLocation | None:
    for lines in documents:
        if change.operation and lines.operation_pointer(change.operation) is not None:
            return lines.locate(change.operation, *_below(change.location))
    return documents[0].locate(None) if documents else None


def to_sarif(result: DiffResult, old: str, new: str, fail_on: str) -> str:
    """The SARIF log of a diff; `old`/`new` are the documents as given on the command line."""
    documents = [spec_lines(path) for path in (document_file(new), document_file(old)) if path is not None]
    located = [Located(replace(change, observed=f"{change.location}: {change.observed}"),
                       DIFF_LEVELS.get(level_of(change.rule), "note"), _locate(change, documents),
                       origin=f"{change.operation} {change.location}",
                       properties={"level": level_of(change.rule), "location": change.location})
               for change in result.changes]
    from conformance import __version__

    return sarif_text(sarif_log(TOOL, __version__, located,
                                properties={"old": old, "new": new, "fail_on": fail_on, "counts": result.counts()}))
