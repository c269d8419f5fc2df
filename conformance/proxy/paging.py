"""Which `limit` each pagination token's walk asked for, so a page that drops it is caught.

Seed 003: when `pagination_token` is sent, every other query parameter is taken from the
token *except* `limit`; a non-default limit must be sent again with every page. The proxy
remembers, for every token it saw in an answer's `next_pagination_token` or
`prev_pagination_token`, the limit of the walk that produced it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

# The schema default of `limit` (seed 003 `default:250`; A14: the prose's "Default is 100" is not followed).
DEFAULT_LIMIT = 250
# Tokens remembered; the oldest are forgotten first, so memory stays bounded on a long session.
REMEMBERED_TOKENS = 100_000


class PageLimits:
    def __init__(self, capacity: int = REMEMBERED_TOKENS) -> None:
        self._capacity = capacity
        self._limits: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def walk_limit(self, token: str | None) -> int | None:
        """The non-default limit of the walk `token` belongs to, or None (default, or a token we never saw)."""
        if not token:
            return None
        with self._lock:
            return self._limits.get(token)

    def remember(self, tokens: Iterable[str | None], limit: int | None) -> None:
        """Tokens of an answer to a request of a walk with `limit` (None or the default: nothing to keep)."""
        if limit is None or limit == DEFAULT_LIMIT:
            return
        with self._lock:
            for token in tokens:
                if isinstance(token, str) and token:
                    self._limits[token] = limit
                    self._limits.move_to_end(token)
            while len(self._limits) > self._capacity:
                self._limits.popitem(last=False)
