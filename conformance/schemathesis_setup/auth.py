"""The schemathesis auth provider: the suite's bearer token on every operation that needs one.

Tokens come from `conformance.auth.TokenProvider` (a given token, or client credentials at
/auth/token, refreshed before expiry), so they are registered for redaction before use. A 401
on a case that carried our token makes schemathesis invalidate it and replay the request once
with a fresh token; schemathesis' output sanitising masks the header in its reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemathesis import APIOperation, AuthContext, Case
from schemathesis.auths import CachingAuthProvider

from conformance.auth import TokenProvider

# Schemathesis asks the TokenProvider for every case: the TokenProvider is the one cache, so
# invalidating it (after an emulator reset, say) takes effect at once.
RECHECK_SECONDS = 0


def requires_bearer(operation: APIOperation) -> bool:
    """Whether the operation declares a security requirement (`security: []` opts out)."""
    security = operation.definition.raw.get("security", operation.schema.raw_schema.get("security"))
    return bool(security)


class BearerToken:
    """Sets `Authorization: Bearer <token>` on cases of operations that declare security."""

    def __init__(self, tokens: TokenProvider) -> None:
        self.tokens = tokens

    def get(self, case: Case, context: AuthContext) -> str | None:
        if not requires_bearer(context.operation):
            return None
        return self.tokens.token()

    def set(self, case: Case, data: str, context: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


@dataclass
class RefreshingBearerToken(CachingAuthProvider[str]):
    """Schemathesis' re-auth on 401 for our token: forgets it in the TokenProvider, which fetches anew."""

    def invalidate(self) -> None:
        super().invalidate()
        provider = self.provider
        if isinstance(provider, BearerToken):
            provider.tokens.invalidate()


def bearer_auth(tokens: TokenProvider) -> RefreshingBearerToken:
    return RefreshingBearerToken(provider=BearerToken(tokens), refresh_interval=RECHECK_SECONDS, retry_on=[401])
