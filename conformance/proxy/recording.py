"""`proxy --record`: every exchange the proxy forwards, redacted, in exchanges.har (HAR 1.2).

The one HAR writer is `run --record`'s (`conformance.report.har`); this module only shows it a
proxied exchange with the attributes it reads from an httpx response (`_Answer`, `_Sent`).
An entry is written after the exchange was judged, so the credentials it carries (a token in
the answer of `/auth/token`) are already known to `redact`. `replay` reads the file as it reads
a run's: the log's `_run` names the upstream and whether it was our emulator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.proxy.traffic import SeenRequest, SeenResponse
from conformance.redaction import redact
from conformance.report.har import HarRecorder

TEST = "proxy"  # each entry's _test: the proxy recorded it, not a test of the suite
LOG_COMMENT = "every exchange a monite-conformance proxy forwarded; _run names the upstream"


@dataclass(frozen=True)
class _Sent:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes


@dataclass(frozen=True)
class _Answer:
    request: _Sent
    status_code: int  # 0: the upstream gave no answer (HAR's convention; replay judges it so)
    headers: dict[str, str]
    content: bytes
    elapsed: dt.timedelta


class ProxyRecording:
    """The proxy's HAR recorder: one part file, joined into exchanges.har on every report."""

    def __init__(self, folder: Path, upstream: str, upstream_is_emulator: bool, spec_sha256: str) -> None:
        self.har = HarRecorder(folder, "proxy")
        self.run = {"target": redact(upstream), "target_is_emulator": upstream_is_emulator,
                    "spec_sha256": spec_sha256, "recorded_by": "proxy"}

    def record(self, request: SeenRequest, response: SeenResponse | None, elapsed: float) -> None:
        sent = _Sent(request.method, request.upstream_url, request.headers, request.body or b"")
        self.har(TEST, _Answer(sent, response.status if response is not None else 0,
                               response.headers if response is not None else {},
                               (response.body or b"") if response is not None else b"",
                               dt.timedelta(seconds=elapsed)))

    def write(self, *, final: bool) -> Path | None:
        """exchanges.har as recorded so far (`final`: the proxy stops; its part file goes)."""
        return self.har.join(__version__, self.run, keep_parts=not final, comment=LOG_COMMENT)
