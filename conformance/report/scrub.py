"""The last line of defence: rewrite every file a run wrote with its secrets masked.

Report writers already redact what they write; this pass also catches what they could not
know about (a credential pytest-html or junitxml copied from somewhere unexpected), in the
escaped forms HTML and JSON give it.
"""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import IO

from conformance.redaction import MASK, known_secrets, redact


def scrub_text(text: str) -> str:
    for secret in known_secrets():
        for form in {html.escape(secret), html.escape(secret, quote=False), json.dumps(secret)[1:-1]}:
            if form != secret:
                text = text.replace(form, MASK)
    return redact(text)


def scrub_file(path: Path) -> None:
    """Redact one text file in place (binary files are left alone)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return
    cleaned = scrub_text(text)
    if cleaned != text:
        path.write_text(cleaned, encoding="utf-8")


def scrub_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            scrub_file(path)


class RedactingWriter:
    """A text stream that redacts each complete line before passing it on.

    Partial lines wait in a buffer until their newline (or `finish`), so a secret cannot be
    split across two writes and slip through.
    """

    def __init__(self, target: IO[str]) -> None:
        self._target = target
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self._target.write(scrub_text(complete + "\n"))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def finish(self) -> None:
        """Write what is left of an unfinished line."""
        if self._pending:
            self._target.write(scrub_text(self._pending))
            self._pending = ""
        self._target.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        # No raw descriptor: whatever is written must pass through `write`.
        raise io.UnsupportedOperation("fileno")

    @property
    def encoding(self) -> str:
        return getattr(self._target, "encoding", "utf-8") or "utf-8"

    def __getattr__(self, name: str) -> object:
        return getattr(self._target, name)
