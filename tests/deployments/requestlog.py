"""Which request changed which pre-existing resource: an ASGI wrapper around a served deployment.

Every request is logged (time, method, path, status). Around each one that may change data (any
method but GET/HEAD/OPTIONS, or any request while a sync or push job is queued, since due jobs
run at the start of a request) the entities' resources are compared before and after, so a
change of a *pre-existing* resource is pinned to the request that made it, or to the queued job
that request ran. The
harness's own bookkeeping; the suite never sees it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from monite_emulator.model.emulator import Emulator
from tests.deployments.snapshot import Change, Snapshot, changed, jobs_pending, take

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
QUEUEING = ("/sync", "/push")  # requests that queue a job which changes data later


@dataclass
class Logged:
    """One request the deployment answered."""

    index: int
    started: float  # time.time()
    method: str
    path: str
    query: str
    status: int = 0
    changes: list[Change] = field(default_factory=list)
    # The last sync/push before this request, when a queued job may have run at its start: the
    # changes are then that job's (all of them, if this request is safe or was refused).
    queued_by: "Logged | None" = None
    settled: bool = False  # changes computed
    names_preexisting: bool = False  # a state-changing method on a path naming a pre-existing resource

    def line(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} -> {self.status}"


class RequestLog:
    """The ASGI app to serve: forwards to `app`, logs each request and what it changed."""

    def __init__(self, app: Any, emulator: Emulator, entity_ids: tuple[str, ...], preexisting: Snapshot) -> None:
        self.app = app
        self.emulator = emulator
        self.entity_ids = entity_ids
        self.preexisting = Snapshot({key: {} for key in preexisting.rows})  # only the keys matter
        self.preexisting_ids = {rid for _, rid in preexisting.rows}
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        self._last_queueing: Logged | None = None

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            entry = Logged(len(self.requests), time.time(), scope["method"], scope["path"],
                           scope.get("query_string", b"").decode("latin-1"))
            self.requests.append(entry)
        segments = set(entry.path.split("/"))
        entry.names_preexisting = entry.method not in SAFE_METHODS and bool(segments & self.preexisting_ids)
        pending = jobs_pending(self.emulator)
        watch = scope["method"] not in SAFE_METHODS or pending
        before = take(self.emulator, self.entity_ids) if watch else None

        def settle() -> None:
            if before is not None and not entry.settled:
                after = take(self.emulator, self.entity_ids)
                entry.changes = [change for change in changed(before, after)
                                 if (change.kind, change.id) in self.preexisting.rows]
                if entry.changes and pending:
                    entry.queued_by = self._last_queueing
            entry.settled = True

        async def observe(message: dict) -> None:
            if message["type"] == "http.response.start":
                entry.status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                settle()  # before the client has the answer, so its next request comes after
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            settle()
            if entry.method == "POST" and entry.path.endswith(QUEUEING) and 200 <= entry.status < 300:
                self._last_queueing = entry

    def changing(self) -> list[Logged]:
        """The requests during which a pre-existing resource changed."""
        return [entry for entry in self.requests if entry.changes]

    def touching(self) -> list[Logged]:
        """State-changing requests that named a pre-existing resource (issue 9: none may be sent),
        whatever the answer: a refused one was still an attempt on the user's data."""
        return [entry for entry in self.requests if entry.names_preexisting]
