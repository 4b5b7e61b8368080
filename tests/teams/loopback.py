"""Auth stand-ins for the Teams tests, for loopback URLs only; nothing in the package imports this.

- `use_openid_metadata(url)`: where the SDK's JWT check reads signing keys. The SDK always
  fetches keys from Microsoft; with this, the keys come from the `jwks_uri` named in that OpenID
  metadata instead. Only the key fetch changes: decoding, audience, issuer and expiry checks stay
  the SDK's own.
- `token_provider_for(url)`: an OAuth2 client-credentials token endpoint for outgoing connector
  calls, in place of MSAL (which insists on https and on Entra instance discovery); it goes in
  `TeamsConfig.token_provider_factory`.

`coach serve` processes started by the tests get both from the environment:

    python -m tests.teams.loopback serve ...   # with TEST_TEAMS_OPENID_METADATA_URL, TEST_TEAMS_TOKEN_URL
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request
from typing import Any

import aiohttp
from jwt import PyJWKClient
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator as sdk_jwt

from adapters.teams.config import TeamsConfig
from adapters.teams.security import is_loopback_url

METADATA_URL_ENV = "TEST_TEAMS_OPENID_METADATA_URL"
TOKEN_URL_ENV = "TEST_TEAMS_TOKEN_URL"


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
        raise ValueError("the OpenID metadata stand-in must be on a loopback URL")
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
        raise ValueError("the token endpoint stand-in must be on a loopback URL")
    return type("LoopbackTokenProvider", (ClientCredentialsProvider,), {"token_url": url})


def install_from_env(env: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """In a test's own process: signing keys and outgoing tokens from the stand-ins the
    environment names. The token provider rides on every TeamsConfig the process reads."""
    if metadata := env.get(METADATA_URL_ENV):
        use_openid_metadata(metadata)
    if token_url := env.get(TOKEN_URL_ENV):
        provider = token_provider_for(token_url)
        read = TeamsConfig.from_env

        def from_env(env: Any = None) -> TeamsConfig:
            config = read(env)
            config.token_provider_factory = provider
            return config

        TeamsConfig.from_env = from_env  # type: ignore[method-assign]


if __name__ == "__main__":  # `coach` with the stand-ins installed, for tests that start processes
    install_from_env()
    from adapters.console.cli import main

    sys.exit(main(sys.argv[1:]))
