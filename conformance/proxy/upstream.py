"""Where the proxy forwards to, and whether that is our emulator (whose assumptions then bind).

`--upstream` is the API root the service would otherwise use (`https://api.sandbox.monite.com/v1`,
`http://127.0.0.1:8765/v1`); `/v1` is added when missing. The proxy serves the same paths:
`/v1/...` goes to `<upstream>/...`, anything else (the emulator's `/_emulator/...`) to the
same place relative to the upstream's root, so one proxy base URL replaces the upstream's.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from conformance.errors import ConfigError, TargetUnreachable
from conformance.openapi.catalog import BASE_PATH

PROBE_TIMEOUT = 10.0


@dataclass(frozen=True)
class Upstream:
    base_url: str  # ends in /v1
    is_emulator: bool = False

    @property
    def root(self) -> str:
        """What the proxy's own root maps to: the base URL without its /v1."""
        return self.base_url[: -len(BASE_PATH)]

    def url_for(self, raw_path: str, query: str) -> str:
        return f"{self.root}{raw_path}" + (f"?{query}" if query else "")


def parse_upstream(url: str) -> Upstream:
    """The upstream of `--upstream URL`; ConfigError (exit 2) when it is not an http(s) URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(f"--upstream must be an http(s) URL such as https://api.sandbox.monite.com/v1, got {url!r}")
    base = url.strip().rstrip("/")
    if not base.endswith(BASE_PATH):
        base += BASE_PATH
    return Upstream(base_url=base)


def probe_upstream(upstream: Upstream) -> Upstream:
    """Reach the upstream once (any HTTP answer will do) and learn whether it is our emulator.

    `GET <root>/_emulator` is the emulator's identity call (as `conformance.target.control`
    discovers it); a real deployment answers it with a 404 and nothing else happens.
    """
    try:
        with httpx.Client(timeout=PROBE_TIMEOUT) as client:
            answer = client.get(f"{upstream.root}/_emulator")
    except httpx.HTTPError as exc:
        raise TargetUnreachable(f"upstream {upstream.root} did not answer: {type(exc).__name__}") from None
    try:
        body = answer.json()
    except ValueError:
        body = None
    is_emulator = answer.status_code == 200 and isinstance(body, dict) and "emulator" in body
    return Upstream(base_url=upstream.base_url, is_emulator=is_emulator)
