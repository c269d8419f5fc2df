"""Settings of one emulator instance."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

DEFAULT_CLIENT_ID = "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
DEFAULT_CLIENT_SECRET = "emulator-secret"


def _env_client_id() -> str:
    return os.environ.get("MONITE_CLIENT_ID") or DEFAULT_CLIENT_ID


def _env_client_secret() -> str:
    return os.environ.get("MONITE_CLIENT_SECRET") or DEFAULT_CLIENT_SECRET


@dataclass
class EmulatorSettings:
    """Configuration of one emulator (see docs/design.md, "Shared wire contract")."""

    db_path: str | None = None
    client_id: str = field(default_factory=_env_client_id)
    client_secret: str = field(default_factory=_env_client_secret)
    rate_limit_per_second: int = 10000
    sync_delay_seconds: float = 0.5
    token_ttl_seconds: int = 1800
    public_base_url: str | None = None
    max_body_bytes: int = 1024 * 1024
    # Fault rules active from the start and again after every reset (see model/faults.py).
    faults: list[dict[str, Any]] = field(default_factory=list)
