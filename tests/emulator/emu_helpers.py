"""Helpers of the emulator's own tests (a unique module name, so no clash with other conftest.py files)."""

from __future__ import annotations

import warnings
from typing import Any

warnings.filterwarnings("ignore", message=".*httpx2.*")
from starlette.testclient import TestClient  # noqa: E402


VERSION = "2024-05-25"
CLIENT_ID = "5e7c0a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
CLIENT_SECRET = "emulator-secret"


class Api:
    """A TestClient plus the headers of one entity."""

    def __init__(self, client: TestClient, token: str, entity_id: str) -> None:
        self.client = client
        self.token = token
        self.entity_id = entity_id

    def headers(self, entity_id: str | None = None, **extra: str) -> dict[str, str]:
        h = {"x-monite-version": VERSION, "Authorization": f"Bearer {self.token}",
             "x-monite-entity-id": entity_id or self.entity_id}
        h.update(extra)
        return h

    def get(self, path: str, entity_id: str | None = None, **kw: Any):
        return self.client.get(path, headers=self.headers(entity_id), **kw)

    def post(self, path: str, entity_id: str | None = None, **kw: Any):
        return self.client.post(path, headers=self.headers(entity_id), **kw)

    def patch(self, path: str, entity_id: str | None = None, **kw: Any):
        return self.client.patch(path, headers=self.headers(entity_id), **kw)

    def delete(self, path: str, entity_id: str | None = None, **kw: Any):
        return self.client.delete(path, headers=self.headers(entity_id), **kw)

    def seed(self, entity_id: str | None = None, **body: Any) -> dict[str, Any]:
        r = self.client.post(f"/_emulator/entities/{entity_id or self.entity_id}/seed", json=body)
        assert r.status_code == 200, r.text
        return r.json()


def get_token(client: TestClient, **body: Any) -> str:
    payload = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    payload.update(body)
    r = client.post("/v1/auth/token", json=payload, headers={"x-monite-version": VERSION})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


