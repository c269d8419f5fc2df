"""`--record`: every exchange of a run, redacted, as a HAR 1.2 file (`exchanges.har`).

The evidence observer passes every response it sees (property tests, scenarios, cleanup) with
the test that was running (`observer.listen_exchanges`). Each process appends its entries to a
part file in the report folder (`.exchanges-<worker>.jsonl`, so xdist workers need no channel
to the controller); the controller joins the parts into one HAR log at the end, in the order
the exchanges started, and removes them. Each entry names its test in `_test` and in
`comment` (HAR's field for free text), so a browser's developer tools, which open the file,
show which test sent it.

The validating proxy records the same way (`proxy --record`, `conformance/proxy/recording.py`):
one part file for the proxy's process, joined on every report it writes, its entries' `_test`
"proxy".

Redaction: credentials in headers are masked (`redact_headers`), every text (URL, headers,
bodies) goes through `redact`; a body is kept up to MAX_BODY_CHARS characters (`_truncated`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.redaction import redact, redact_headers

HAR_FILENAME = "exchanges.har"
PART_GLOB = ".exchanges-*.jsonl"
MAX_BODY_CHARS = 1_000_000
MAX_ENTRIES = 100_000  # per process: a run far beyond `full` stays bounded


def _text(raw: Any) -> tuple[str, bool]:
    if raw is None:
        return "", False
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, (bytes, bytearray)) else str(raw)
    return redact(text[:MAX_BODY_CHARS]), len(text) > MAX_BODY_CHARS


def _headers(headers: Any) -> list[dict[str, str]]:
    if headers is None:
        return []
    pairs = {str(name): (", ".join(value) if isinstance(value, list) else str(value)) for name, value in headers.items()}
    return [{"name": name, "value": redact(value)} for name, value in redact_headers(pairs).items()]


def har_entry(test: str | None, response: Any, started: dt.datetime) -> dict[str, Any]:
    """One HAR 1.2 entry of an httpx or schemathesis response (its request inside)."""
    request = getattr(response, "request", None)
    url = redact(str(getattr(request, "url", "") or ""))
    request_body, request_cut = _text(getattr(request, "content", None) if hasattr(request, "content")
                                      else getattr(request, "body", None))
    response_body, response_cut = _text(getattr(response, "content", b""))
    request_headers = _headers(getattr(request, "headers", None))
    response_headers = _headers(getattr(response, "headers", None))
    content_type = next((h["value"] for h in response_headers if h["name"].lower() == "content-type"), "")
    request_type = next((h["value"] for h in request_headers if h["name"].lower() == "content-type"), "")
    try:  # httpx sets it when the stream closes; an in-process answer read in a hook may not have
        elapsed = getattr(response, "elapsed", None)
    except RuntimeError:
        elapsed = None
    millis = round(elapsed.total_seconds() * 1000, 3) if hasattr(elapsed, "total_seconds") else 0
    started = started - dt.timedelta(milliseconds=millis)  # observed on arrival: it started `time` earlier
    entry: dict[str, Any] = {
        "startedDateTime": started.isoformat(timespec="milliseconds"),
        "time": millis,
        "request": {
            "method": str(getattr(request, "method", "") or ""), "url": url, "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": request_headers,
            "queryString": [{"name": name, "value": value}
                            for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True)],
            "headersSize": -1, "bodySize": len(request_body.encode()) if request_body else 0,
        },
        "response": {
            "status": int(getattr(response, "status_code", 0) or 0), "statusText": "", "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": response_headers,
            "content": {"size": len(response_body.encode()), "mimeType": content_type, "text": response_body},
            "redirectURL": "", "headersSize": -1, "bodySize": len(response_body.encode()),
        },
        "cache": {},
        "timings": {"send": 0, "wait": millis, "receive": 0},
        "_test": test,
        "comment": f"test: {test}" if test else "sent outside a test",
    }
    if request_body:
        entry["request"]["postData"] = {"mimeType": request_type or "application/json", "text": request_body}
    if request_cut or response_cut:
        entry["_truncated"] = True
    return entry


class HarRecorder:
    """The observer's exchange listener of one process: appends each entry to its part file."""

    def __init__(self, folder: Path, worker: str) -> None:
        self.path = folder / f".exchanges-{worker}.jsonl"
        self._lock = threading.Lock()
        self._count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, test: str | None, response: Any) -> None:
        started = dt.datetime.now(dt.timezone.utc)
        try:
            entry = har_entry(test, response, started)
        except Exception:  # noqa: BLE001 - a recorder must never break the test it watches
            return
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            if self._count >= MAX_ENTRIES:
                return
            self._count += 1
            with self.path.open("a", encoding="utf-8") as part:
                part.write(line + "\n")

    def join(self, creator_version: str, run: dict[str, Any] | None = None, *, keep_parts: bool = False,
             comment: str | None = None) -> Path | None:
        """`join_parts` of this recorder's folder, with no entry half-written meanwhile."""
        with self._lock:
            return join_parts(self.path.parent, creator_version, run, keep_parts=keep_parts, comment=comment)


def join_parts(folder: Path, creator_version: str, run: dict[str, Any] | None = None, *,
               keep_parts: bool = False, comment: str | None = None) -> Path | None:
    """Join every part file in `folder` into exchanges.har (entries by start time); remove the parts
    (`keep_parts`: keep them, for a recording that goes on, such as the proxy's between reports)."""
    parts = sorted(folder.glob(PART_GLOB))
    if not parts:
        return None
    entries = []
    for part in parts:
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entries.append(json.loads(line))
    entries.sort(key=lambda entry: entry["startedDateTime"])
    log = {"log": {"version": "1.2", "creator": {"name": "monite-conformance", "version": creator_version},
                   "pages": [], "entries": entries,
                   "comment": comment or ("every exchange of a monite-conformance run; "
                                          "each entry's _test names its test"),
                   "_run": run or {}}}
    target = folder / HAR_FILENAME
    target.write_text(redact(json.dumps(log, indent=1, ensure_ascii=False)) + "\n", encoding="utf-8")
    if not keep_parts:
        for part in parts:
            part.unlink()
    return target
