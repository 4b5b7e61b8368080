"""Building the drafter from the environment: the only module that imports openai, and only
when an LLM is configured (the package costs more to import than the rest of a CLI turn).

OpenAI (OPENAI_API_KEY), any OpenAI-compatible endpoint (OPENAI_BASE_URL), or Azure OpenAI
(AZURE_OPENAI_ENDPOINT + deployment + api-version, with a key or an Entra ID token provider).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.knowledge import Knowledge
from bot.llm.checks import LeakCheck
from bot.llm.config import LlmSettings
from bot.llm.drafter import LlmDrafter
from bot.settings import load

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import async_sessionmaker

log = logging.getLogger("coach.llm")

TokenProvider = Callable[[], Awaitable[str]]
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"


class LlmConfigError(ValueError):
    pass


def entra_token_provider() -> TokenProvider:
    """Entra ID (managed identity, workload identity, az login) through azure-identity."""
    try:
        from azure.identity.aio import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:  # optional: only needed for keyless Azure
        raise LlmConfigError(
            "AZURE_OPENAI_ENDPOINT is set without AZURE_OPENAI_API_KEY: install azure-identity "
            "for Entra ID sign-in, or set the key"
        ) from None
    return get_bearer_token_provider(DefaultAzureCredential(), ENTRA_SCOPE)


def make_client(settings: LlmSettings, *, token_provider: TokenProvider | None = None) -> Any:
    """The openai client; max_retries is 0 or 1, and every call is bounded by the timeout."""
    from openai import AsyncAzureOpenAI, AsyncOpenAI

    common: dict[str, Any] = {"timeout": settings.timeout, "max_retries": settings.max_retries}
    if settings.provider == "azure":
        if not settings.azure_deployment:
            raise LlmConfigError("AZURE_OPENAI_DEPLOYMENT is required with AZURE_OPENAI_ENDPOINT")
        auth: dict[str, Any]
        if settings.azure_api_key is not None:
            auth = {"api_key": settings.azure_api_key.get_secret_value()}
        else:
            auth = {"azure_ad_token_provider": token_provider or entra_token_provider()}
        return AsyncAzureOpenAI(
            azure_endpoint=settings.azure_endpoint,
            azure_deployment=settings.azure_deployment,
            api_version=settings.api_version,
            **auth,
            **common,
        )
    if settings.provider == "openai":
        # A local model server may need no key; the client insists on one, so send a dummy.
        key = settings.api_key.get_secret_value() if settings.api_key else "not-needed"
        return AsyncOpenAI(api_key=key, base_url=settings.base_url, **common)
    raise LlmConfigError("no LLM configured (set OPENAI_API_KEY, OPENAI_BASE_URL or AZURE_OPENAI_ENDPOINT)")


def people_leak_check(kb: Knowledge) -> LeakCheck | None:
    """The leak check of the people playbooks (bot/playbooks/leakcheck.py), when present, with
    the disclosure reading the chat's check uses (bot/understanding/disclosure.py). It fails
    closed: if it cannot run, the draft counts as leaking."""
    try:
        from bot.playbooks import leakcheck  # type: ignore[attr-defined]
        from bot.understanding import disclosure
    except ImportError:
        return None

    def check(text: str, role: str) -> list[str]:
        try:
            read = disclosure.reader(kb)
            try:
                result = leakcheck.check(text, role, kb, read=read)
            except (KeyError, ValueError, LookupError):  # a role it doesn't know
                result = leakcheck.check(text, kb.section("leakcheck.default_role"), kb, read=read)
        except Exception as exc:
            log.warning("leak check failed: %s", type(exc).__name__)
            return ["the leak check could not run"]
        kinds_ = [f.kind for f in result.flags if getattr(f, "stance", "protect") == "protect"]
        return [f"gives away {k.replace('_', ' ')}" for k in dict.fromkeys(kinds_)]

    return check


def drafter_from_env(
    kb: Knowledge,
    *,
    sessions: async_sessionmaker | None = None,
    settings: LlmSettings | None = None,
    token_provider: TokenProvider | None = None,
) -> LlmDrafter | None:
    """The drafter when an LLM is configured, else None (templates only). With the kill
    switch on, a drafter is still returned so people are told why they get the template."""
    settings = settings or load(LlmSettings)
    if settings.provider is None:
        return None
    client = make_client(settings, token_provider=token_provider)
    log.info("llm drafting: provider=%s disabled=%s", settings.provider, settings.disabled)
    return LlmDrafter(client, settings, kb, sessions=sessions, leak_check=people_leak_check(kb))
