"""Which operation answered which status: the raw material of the report's coverage matrix.

Every response the suite sees (property tests and scenarios alike) is passed to `observe`.
Stub until the report lands (issue 6): it records nothing yet.
"""

from __future__ import annotations

import httpx


def observe(response: httpx.Response) -> None:
    """Note that the operation behind `response.request` answered `response.status_code`."""
    return None
