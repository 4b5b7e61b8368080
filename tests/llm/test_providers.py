"""Providers through the real openai client against the loopback server: OpenAI-compatible
base URL (JSON and streamed), Azure URL construction with a key or an Entra ID token, and
configuration from the environment."""

from __future__ import annotations

import pytest

from bot.llm.config import LlmSettings
from bot.llm.setup import LlmConfigError, drafter_from_env, make_client
from tests.llm.conftest import GOOD, request


async def test_openai_compatible_endpoint_gets_a_bounded_chat_completion(llm, make_drafter):
    llm.script = [GOOD]
    result = await make_drafter(COACH_LLM_MAX_TOKENS="321").draft(request())
    assert (result.source, result.reason, result.requests) == ("llm", None, 1)
    assert result.text == GOOD
    (rec,) = llm.requests
    assert rec.path == "/v1/chat/completions"
    assert rec.headers["Authorization"] == "Bearer sk-test"
    assert rec.body["model"] == "m1"
    assert rec.body["max_tokens"] == 321
    assert not rec.body.get("stream")


async def test_streamed_answer_is_assembled_and_checked(llm, make_drafter):
    llm.script = [GOOD]
    result = await make_drafter(COACH_LLM_STREAM="true").draft(request())
    assert result.source == "llm"
    assert result.text == GOOD
    assert llm.requests[0].body["stream"] is True


async def test_streamed_threat_is_caught_like_a_plain_one(llm, make_drafter):
    llm.script = [GOOD + " Sign this or else we walk away.", GOOD + " Or else."]
    result = await make_drafter(COACH_LLM_STREAM="1").draft(request())
    assert result.source == "template"
    assert "a threat" in (result.reason or "")


async def test_azure_url_has_the_deployment_and_the_api_version(llm, kb):
    settings = LlmSettings(
        _env_file=None,
        AZURE_OPENAI_ENDPOINT=llm.url,
        AZURE_OPENAI_API_KEY="azure-key",
        AZURE_OPENAI_DEPLOYMENT="coach-gpt4o",
        OPENAI_API_VERSION="2024-10-21",
    )
    assert settings.provider == "azure"
    llm.script = [GOOD]
    drafter = drafter_from_env(kb, settings=settings)
    assert drafter is not None
    result = await drafter.draft(request())
    assert result.source == "llm"
    (rec,) = llm.requests
    assert rec.path == "/openai/deployments/coach-gpt4o/chat/completions"
    assert rec.query["api-version"] == "2024-10-21"
    assert rec.headers["api-key"] == "azure-key"
    assert "Authorization" not in rec.headers
    await drafter.aclose()


async def test_azure_with_an_entra_id_token_provider(llm, kb):
    calls = []

    async def token() -> str:
        calls.append(1)
        return "entra-token-123"

    settings = LlmSettings(
        _env_file=None,
        AZURE_OPENAI_ENDPOINT=llm.url,
        AZURE_OPENAI_DEPLOYMENT="dep1",
        OPENAI_API_VERSION="2025-01-01-preview",
    )
    llm.script = [GOOD]
    drafter = drafter_from_env(kb, settings=settings, token_provider=token)
    assert drafter is not None
    await drafter.draft(request())
    rec = llm.requests[0]
    assert rec.headers["Authorization"] == "Bearer entra-token-123"
    assert rec.query["api-version"] == "2025-01-01-preview"
    assert rec.path == "/openai/deployments/dep1/chat/completions"
    assert calls


def test_azure_without_a_deployment_is_a_config_error():
    settings = LlmSettings(
        _env_file=None, AZURE_OPENAI_ENDPOINT="https://x.openai.azure.com", AZURE_OPENAI_API_KEY="k"
    )
    with pytest.raises(LlmConfigError, match="AZURE_OPENAI_DEPLOYMENT"):
        make_client(settings)


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://gateway.internal/v1")
    monkeypatch.setenv("COACH_LLM_MODEL", "llama-3.1-70b")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "7.5")
    monkeypatch.setenv("COACH_LLM_MAX_TOKENS", "400")
    monkeypatch.setenv("COACH_LLM_DAILY_BUDGET", "25")
    monkeypatch.setenv("COACH_LLM_DISABLED", "true")
    s = LlmSettings(_env_file=None)
    assert (s.provider, s.base_url, s.model) == ("openai", "http://gateway.internal/v1", "llama-3.1-70b")
    assert (s.timeout, s.max_tokens, s.daily_budget, s.disabled) == (7.5, 400, 25, True)
    assert s.max_retries == 0


def test_retries_are_capped_at_one(monkeypatch):
    monkeypatch.setenv("COACH_LLM_MAX_RETRIES", "3")
    with pytest.raises(ValueError):
        LlmSettings(_env_file=None)


def test_nothing_configured_means_templates_only(kb):
    assert LlmSettings(_env_file=None).provider is None
    assert drafter_from_env(kb, settings=LlmSettings(_env_file=None)) is None


def test_the_api_key_is_never_shown_in_settings(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    s = LlmSettings(_env_file=None)
    assert "sk-very-secret" not in repr(s) and "sk-very-secret" not in str(s.model_dump())


async def test_runtime_registers_the_drafter_when_configured(monkeypatch, tmp_path, llm):
    from adapters.runtime import Runtime
    from bot.settings import Settings

    monkeypatch.setenv("OPENAI_BASE_URL", f"{llm.url}/v1")
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}"))
    try:
        assert rt.coach.services.drafter is not None
    finally:
        await rt.close()
    monkeypatch.delenv("OPENAI_BASE_URL")
    rt = await Runtime.start(Settings(COACH_DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}"))
    try:
        assert rt.coach.services.drafter is None
    finally:
        await rt.close()
