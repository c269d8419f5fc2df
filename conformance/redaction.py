"""Keep tokens and client secrets out of everything the suite prints or writes.

Secrets are registered the moment the suite learns them (environment, `/auth/token`
responses); every report writer and message passes text through `redact()`.
"""

from __future__ import annotations

import re
import threading

MASK = "[REDACTED]"
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# The value of a secret-named field; a value that opens an object or array is not a secret
# (summary.json's observed contract has `"/access_token": {"types": [...]}`).
_SENSITIVE_KEYS = re.compile(
    r'(?i)("?(?:access_token|client_secret|refresh_token|password)"?\s*[:=]\s*"?)([^"&\s,}{\[]+)'
)

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a value that must never be shown (ignores empty and very short values)."""
    if value and len(value) >= 6:
        with _lock:
            _secrets.add(value)


def known_secrets() -> list[str]:
    """The registered secrets, longest first (for writers that must also mask escaped forms)."""
    with _lock:
        return sorted(_secrets, key=len, reverse=True)


def redact(text: str) -> str:
    """Mask every registered secret, every bearer credential and every secret-named field."""
    if not text:
        return text
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, MASK)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _SENSITIVE_KEYS.sub(lambda m: m.group(1) + MASK, text)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of `headers` safe to show: credentials masked, everything else kept."""
    shown = {}
    for name, value in headers.items():
        if name.lower() in {"authorization", "cookie", "set-cookie"}:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            shown[name] = f"{scheme} {MASK}".strip()
        else:
            shown[name] = redact(value)
    return shown
