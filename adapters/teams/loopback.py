"""Test-only auth plumbing, off by default, honoured for loopback URLs only.

- COACH_TEAMS_OPENID_METADATA_URL: where the SDK's JWT check reads signing keys. The SDK always
  fetches keys from Microsoft; with this set, the keys come from the `jwks_uri` named in that
  OpenID metadata instead. Only the key fetch changes: decoding, audience, issuer and expiry
  checks stay the SDK's own.
- COACH_TEAMS_TOKEN_URL: an OAuth2 client-credentials token endpoint for outgoing connector
  calls, in place of MSAL (which insists on https and on Entra instance discovery).

A non-loopback URL in either is refused at start (logged), so neither can point production at a
key or token source outside this machine.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import aiohttp
from jwt import PyJWKClient
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator as sdk_jwt

from adapters.teams.security import is_loopback_url


class MetadataJWKClient(PyJWKClient):
    """PyJWKClient that first reads the OpenID metadata for its jwks_uri (runs in the SDK's
    worker thread, like the real fetch)."""

    def __init__(self, metadata_url: str) -> None:
        super().__init__(metadata_url)
        self.metadata_url = metadata_url

    def fetch_data(self) -> Any:
        with urllib.request.urlopen(self.metadata_url, timeout=5) as r:  # loopback only (checked)
            self.uri = json.load(r)["jwks_uri"]
        return super().fetch_data()


class LoopbackJwks(sdk_jwt._JwkClientManager):
    """Replaces only the SDK's key fetch: whatever JWKS URI the SDK derives from the issuer, keys
    come from the jwks_uri that the loopback OpenID metadata names."""

    def __init__(self, metadata_url: str) -> None:
        super().__init__()
        self.metadata_url = metadata_url
        self.requested: list[str] = []

    def _get_jwk_client(self, jwks_uri: str) -> Any:
        self.requested.append(jwks_uri)
        if jwks_uri not in self._cache:
            client = MetadataJWKClient(self.metadata_url)
            self._cache[jwks_uri] = sdk_jwt._JwkClientCacheEntry(client, threading.Lock())
        return self._cache[jwks_uri]


def use_openid_metadata(url: str) -> None:
    if not is_loopback_url(url):
        raise ValueError("COACH_TEAMS_OPENID_METADATA_URL must be a loopback URL (tests only)")
    sdk_jwt.JwtTokenValidator._jwk_client_manager = LoopbackJwks(url)


class ClientCredentialsProvider:
    """Outgoing-token provider: client credentials against a loopback token endpoint. Stands in
    for MsalAuth only; the SDK's connection manager calls it the same way."""

    token_url = ""

    def __init__(self, configuration: Any) -> None:
        self._configuration = configuration
        self._cached: tuple[str, float] | None = None

    @property
    def configuration(self) -> Any:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        if self._cached and self._cached[1] > time.time() and not force_refresh:
            return self._cached[0]
        data = {
            "grant_type": "client_credentials",
            "client_id": self._configuration.CLIENT_ID,
            "client_secret": self._configuration.CLIENT_SECRET,
            "scope": " ".join(scopes or []),
        }
        async with aiohttp.ClientSession() as s, s.post(self.token_url, data=data) as r:
            r.raise_for_status()
            body = await r.json()
        self._cached = (body["access_token"], time.time() + body["expires_in"] - 60)
        return body["access_token"]

    # The loopback stand-in is for the bot's own client-credentials tokens only; user-delegated
    # flows have no loopback equivalent, and a clear refusal beats a silent wrong token.
    def get_token_credential(self) -> Any:
        raise RuntimeError("the loopback token provider issues client-credentials tokens only")

    async def acquire_token_on_behalf_of(self, scopes: list[str], user_assertion: str) -> str:
        raise RuntimeError("the loopback token provider issues client-credentials tokens only")


def token_provider_for(url: str) -> type[ClientCredentialsProvider]:
    if not is_loopback_url(url):
        raise ValueError("COACH_TEAMS_TOKEN_URL must be a loopback URL (tests only)")
    return type("LoopbackTokenProvider", (ClientCredentialsProvider,), {"token_url": url})
