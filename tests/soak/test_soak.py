"""Soak: the emulator fixture and the validating proxy under a long stream of requests.

A short slice runs by default (a few seconds); `MONITE_SOAK=1` runs the full soak (100,000
requests to the emulator, 50,000 through the proxy; figures in bench/soak_results.md).

What is checked, and the bounds:
- memory: the resident set of this process (the servers run in it) sampled every tenth of the
  run after warm-up (the first tenth) grows by at most MEMORY_BOUND_MIB over the warm-up level;
- the emulator, with seeded random fault rules on: every 5xx is an injected one (the count of
  5xx answers equals the rules' hit count), nothing else breaks;
- the proxy, fed well-formed, malformed (NUL bytes in the path), oversized and invalid-JSON
  requests: it never fails to answer, every exchange it was sent is counted, and every finding
  is either recorded or counted as not recorded;
- p99 latency per window is reported; only the full soak asserts it stays within P99_FACTOR of
  the first window's (a tolerant bound; speed itself is measured in bench/, not in tests).

Every run writes its figures as JSON to MONITE_SOAK_FIGURES when that is set.
"""

from __future__ import annotations

import json
import os
import random
import resource
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.proxy.server import running_proxy
from conformance.proxy.upstream import Upstream

FULL = os.environ.get("MONITE_SOAK") == "1"
EMULATOR_REQUESTS = 100_000 if FULL else 500  # steps; a create step also deletes (two requests)
PROXY_REQUESTS = 50_000 if FULL else 300
WINDOWS = 10
MEMORY_BOUND_MIB = 48 if FULL else 32
P99_FACTOR = 5.0
SEED = 20240525


def _rss_mib() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


class Soak:
    """Runs `step(i)` n times in windows; RSS and p99 per window."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.rss: list[float] = []
        self.p99_ms: list[float] = []

    def run(self, step: Callable[[int], None]) -> None:
        size = self.total // WINDOWS
        for window in range(WINDOWS):
            latencies = []
            for i in range(window * size, (window + 1) * size):
                started = time.perf_counter()
                step(i)
                latencies.append(time.perf_counter() - started)
            self.rss.append(round(_rss_mib(), 1))
            self.p99_ms.append(round(_p99(latencies), 2))

    def check(self, name: str, extra: dict[str, Any]) -> None:
        warm = self.rss[0]
        figures = {"requests": self.total, "rss_mib_per_window": self.rss, "p99_ms_per_window": self.p99_ms,
                   "rss_growth_after_warmup_mib": round(max(self.rss) - warm, 1), **extra}
        _write_figures(name, figures)
        print(name, json.dumps(figures))
        assert max(self.rss[1:]) - warm <= MEMORY_BOUND_MIB, figures
        if FULL:
            assert max(self.p99_ms[1:]) <= P99_FACTOR * max(self.p99_ms[1], 1.0), figures


def _write_figures(name: str, figures: dict[str, Any]) -> None:
    path = os.environ.get("MONITE_SOAK_FIGURES")
    if path:
        existing = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        existing[name] = figures
        Path(path).write_text(json.dumps(existing, indent=2))


def test_the_emulator_fixture_holds_up_under_a_stream_of_requests_with_faults(monite_emulator: Any) -> None:
    emulator = monite_emulator
    emulator.seed_entity(records_per_type=30, tax_rates=12, ledger_accounts=12)
    rules = [emulator.add_fault(operation="listTaxRates", status=503, probability=0.03, seed=SEED),
             emulator.add_fault(operation="getLedgerAccount", status=500, probability=0.02, seed=SEED + 1),
             emulator.add_fault(operation="listLedgerAccounts", status=429, probability=0.02, seed=SEED + 2)]
    emulator.set_rate_limit(10_000_000)
    headers = emulator.headers()
    statuses: dict[int, int] = {}
    rng = random.Random(SEED)
    with emulator.client(headers=headers, timeout=60) as http:
        account_ids = [item["id"] for item in http.get("/ledger_accounts", params={"limit": 100}).json()["data"]]

        def step(i: int) -> None:
            pick = rng.random()
            if pick < 0.35:
                answer = http.get("/accounting_tax_rates", params={"limit": rng.choice((1, 10, 100))})
            elif pick < 0.6:
                answer = http.get(f"/ledger_accounts/{rng.choice(account_ids)}")
            elif pick < 0.8:
                answer = http.get("/ledger_accounts", params={"limit": 50})
            elif pick < 0.9:  # create, then delete: the state stays the same size
                answer = http.post("/ledger_accounts", json={"name": f"soak {i}", "nominal_code": str(i),
                                                             "type": "expense", "status": "active",
                                                             "is_bank_account": False, "currency": "EUR"})
                if answer.status_code == 201:
                    deleted = http.delete(f"/ledger_accounts/{answer.json()['id']}")
                    statuses[deleted.status_code] = statuses.get(deleted.status_code, 0) + 1
            else:  # hostile: a bad limit, an unknown id
                answer = http.get("/accounting_tax_rates", params={"limit": "ten"}) if pick < 0.95 \
                    else http.get("/ledger_accounts/not-a-uuid")
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        soak = Soak(EMULATOR_REQUESTS)
        soak.run(step)
    hits = {rule["id"]: rule["hits"] for rule in emulator.faults()}
    injected_5xx = hits[rules[0]["id"]] + hits[rules[1]["id"]]
    answered_5xx = sum(count for status, count in statuses.items() if status >= 500)
    soak.check("emulator", {"http_requests": sum(statuses.values()),
                            "statuses": {str(k): v for k, v in sorted(statuses.items())}, "fault_hits": hits})
    assert answered_5xx == injected_5xx, (statuses, hits)  # no 5xx but the injected ones
    assert injected_5xx > 0 and hits[rules[2]["id"]] > 0  # the faults did fire
    assert statuses.get(201, 0) > 0 and statuses.get(200, 0) > 0 and statuses.get(204, 0) > 0


# -- the proxy --------------------------------------------------------------------------------

@pytest.fixture
def proxied(monite_emulator: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    from conformance.proxy.fail_on import FailOn

    monite_emulator.seed_entity(records_per_type=10, tax_rates=12, ledger_accounts=12)
    monite_emulator.set_rate_limit(10_000_000)
    with running_proxy(Upstream(f"{monite_emulator.base_url}", is_emulator=True), tmp_path / "reports",
                       fail_on=FailOn.request) as proxy:
        yield monite_emulator, proxy


def _raw_malformed(base_url: str) -> bytes:
    host, port = base_url.split("//", 1)[1].split("/", 1)[0].split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(b"GET /v1/ledger_accounts/a\x00b HTTP/1.1\r\nHost: proxy\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_the_proxy_holds_up_under_a_stream_of_good_and_bad_requests(proxied: tuple[Any, Any]) -> None:
    emulator, proxy = proxied
    headers = emulator.headers()
    rng = random.Random(SEED)
    oversized = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    sent = {"well-formed": 0, "malformed": 0, "oversized": 0, "invalid-json": 0, "missing-header": 0}
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=proxy.base_url, headers=headers, timeout=120) as http:
        def step(i: int) -> None:
            pick = rng.random()
            if pick < 0.01:
                status = int(_raw_malformed(proxy.base_url).split(b" ", 2)[1])
                sent["malformed"] += 1
            elif pick < 0.015:
                status = http.post("/ledger_accounts", content=oversized,
                                   headers={"content-type": "application/json"}).status_code
                sent["oversized"] += 1
            elif pick < 0.06:
                status = http.post("/ledger_accounts", content=b"{oops",
                                   headers={"content-type": "application/json"}).status_code
                sent["invalid-json"] += 1
            elif pick < 0.1:
                status = http.get("/accounting_tax_rates", headers={"x-monite-entity-id": ""}).status_code
                sent["missing-header"] += 1
            else:
                status = http.get("/accounting_tax_rates" if pick < 0.6 else "/ledger_accounts",
                                  params={"limit": rng.choice((1, 10, 100))}).status_code
                sent["well-formed"] += 1
            statuses[status] = statuses.get(status, 0) + 1

        soak = Soak(PROXY_REQUESTS)
        soak.run(step)
    traffic = proxy.session.settled_traffic()
    findings = traffic.counts["request"] + traffic.counts["response"] + traffic.counts["observations"]
    kept = len(traffic.violations) + len(traffic.observations)
    soak.check("proxy", {"sent": sent, "statuses": {str(k): v for k, v in sorted(statuses.items())},
                         "exchanges": traffic.exchanges, "findings": findings, "kept": kept,
                         "not_recorded": traffic.not_recorded})
    assert traffic.exchanges == sum(sent.values())  # every exchange is counted
    assert kept + traffic.not_recorded == findings  # every finding recorded or counted as not recorded
    assert statuses.get(400, 0) >= sent["malformed"] and statuses.get(413, 0) == sent["oversized"]
    assert not [status for status in statuses if status >= 500], statuses  # no crash, no upstream failure
    report = proxy.session.write_reports()
    assert report  # the reports are still written after the stream
