"""One formatter interface for the report files: a file name and a function of the report's data.

Like oasdiff's formatters, every output format of a report folder is one `Formatter`, and a
folder is written by one function from the list of its formats: the run's summary.json and
summary.md (its report.html and junit.xml are pytest-html's and pytest's, fed by the same data),
and the proxy's summary.json, summary.md, junit.xml and report.html.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from conformance.redaction import redact

Summary = dict[str, Any]


class Formatter(Protocol):
    """An output format: the file it writes, and its text for a report (`summary` and its matrix)."""

    @property
    def filename(self) -> str: ...

    def render(self, summary: Summary, matrix: Any) -> str: ...


@dataclass(frozen=True)
class Format:
    """A Formatter made of a file name and a rendering function."""

    filename: str
    renderer: Callable[[Summary, Any], str]

    def render(self, summary: Summary, matrix: Any) -> str:
        return self.renderer(summary, matrix)


def json_text(summary: Summary, matrix: Any = None) -> str:
    """summary.json: the data itself, indented, redacted."""
    return redact(json.dumps(summary, indent=2, ensure_ascii=False)) + "\n"


JSON = Format("summary.json", json_text)


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_formats(folder: Path, formats: Iterable[Formatter], summary: Summary, matrix: Any,
                  write: Callable[[Path, str], None] = _write_text) -> list[Path]:
    """Write every format into `folder` (created); `write` may write atomically or scrub."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for formatter in formats:
        path = folder / formatter.filename
        write(path, formatter.render(summary, matrix))
        written.append(path)
    return written
