"""`monite-conformance replay FILE`: judge a recorded run (`run --record`'s exchanges.har, or
`proxy --record`'s) again, offline, against the current spec and the proxy's request and response checks.

Every /v1 entry of the HAR file goes through the same `Inspector` as live proxied traffic (no
network: the recorded answers are the target's), and the proxy's reports are written:
summary.json, summary.md, junit.xml, report.html, report.sarif. The suite sends invalid
requests on purpose, so by default only the target's answers count (`--fail-on response`).
Assumptions bind when the recorded target was our emulator (the HAR's `_run`), as in the run.

The recording is redacted: credentials read `[REDACTED]`, which the checks treat as any other
value; a body cut at the recorder's limit (`_truncated`) is judged as far as it parses.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from conformance.errors import ConfigError
from conformance.proxy.inspector import Inspector
from conformance.proxy.recorder import Recorder
from conformance.proxy.reports import write_reports
from conformance.proxy.traffic import SeenRequest, SeenResponse
from conformance.proxy.fail_on import FailOn
from conformance.openapi.contract import Contract
from conformance.openapi.files import spec_sha256
from conformance.openapi.versions import contract_document


def load_har(path: Path) -> dict[str, Any]:
    """The HAR log at `path` (ConfigError, exit 2, when it is missing or not a HAR log)."""
    try:
        log = json.loads(path.read_text(encoding="utf-8"))["log"]
        if not isinstance(log.get("entries"), list):
            raise KeyError("entries")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: not a HAR file of a recorded run ({exc.__class__.__name__}: {exc})") from None
    return log


def contract_for(spec: Path | None, api_version: str) -> Contract:
    """The contract to judge by: `spec` (a YAML/JSON OpenAPI file) or our spec at `api_version`."""
    if spec is None:
        return Contract(contract_document(api_version))
    try:
        document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"--spec {spec}: cannot be read ({exc.__class__.__name__})") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise ConfigError(f"--spec {spec}: not an OpenAPI document")
    return Contract(document)


def exchange_of(entry: dict[str, Any]) -> tuple[SeenRequest, SeenResponse]:
    request, response = entry["request"], entry["response"]
    url = str(request.get("url", ""))
    parts = urlsplit(url)
    body = (request.get("postData") or {}).get("text")
    content = (response.get("content") or {}).get("text")
    return (SeenRequest(method=str(request.get("method", "")).upper(), path=parts.path,
                        query=parse_qsl(parts.query, keep_blank_values=True),
                        headers={str(h["name"]).lower(): str(h["value"]) for h in request.get("headers", [])},
                        body=body.encode() if body else b"", upstream_url=url),
            SeenResponse(status=int(response.get("status", 0)),
                         headers={str(h["name"]).lower(): str(h["value"]) for h in response.get("headers", [])},
                         body=content.encode() if content else b""))


def replay(har: Path, report_dir: Path, fail_on: FailOn, spec: Path | None = None,
           api_version: str | None = None) -> dict[str, Any]:
    """Judge every recorded exchange; write the reports; returns folder, verdict, exit code, counts."""
    log = load_har(har)
    run = log.get("_run") or {}
    version = api_version or str(run.get("api_version") or "2024-05-25")
    contract = contract_for(spec, version)
    recorder = Recorder()
    inspector = Inspector(contract, recorder, assumptions_bind=bool(run.get("target_is_emulator")))
    for entry in log["entries"]:
        seen_request, seen_response = exchange_of(entry)
        inspector.inspect(seen_request, seen_response if seen_response.status else None)
    meta = {"upstream": f"replay of {har}", "upstream_is_emulator": bool(run.get("target_is_emulator")),
            "recorded_target": run.get("target"), "api_version": version,
            "spec": str(spec) if spec else "spec (ours)", "listen": "", "started_at": recorder.started_at,
            "spec_sha256": spec_sha256() if spec is None else "",
            "replayed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    return write_reports(report_dir, recorder.snapshot(), contract.catalog, meta, fail_on)
