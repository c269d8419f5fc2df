"""Shared route dependencies: the emulator, the caller and the entity.

``async`` so FastAPI resolves them on the event loop (a sync dependency costs a thread hop).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Request
from fastapi.security import HTTPBearer

from monite_emulator.model.auth import Principal
from monite_emulator.model.emulator import Emulator

bearer = HTTPBearer(auto_error=False, description="Access token from POST /v1/auth/token")


def get_emulator(request: Request) -> Emulator:
    return request.app.state.emulator


VersionHeader = Annotated[
    str, Header(alias="x-monite-version", description="API version date, e.g. 2024-05-25.")
]


@dataclass
class EntityContext:
    emulator: Emulator
    principal: Principal
    entity_id: str
    version: str

    def authorize(self) -> None:
        """403 check (A3), after request validation and before business rules."""
        self.emulator.check_entity(self.principal, self.entity_id)


async def entity_context(
    request: Request,
    x_monite_version: VersionHeader,
    x_monite_entity_id: Annotated[
        UUID, Header(alias="x-monite-entity-id", description="The ID of the entity that owns the requested resource.")
    ],
) -> EntityContext:
    return EntityContext(get_emulator(request), request.state.principal, str(x_monite_entity_id), x_monite_version)


Entity = Annotated[EntityContext, Depends(entity_context)]
