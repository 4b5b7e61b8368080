"""LLM settings from the environment (pydantic-settings). Secrets stay SecretStr."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# OpenAI's reasoning families: o1, o3, o4-mini, gpt-5 and their dated versions.
REASONING_MODELS = ("o1", "o3", "o4", "gpt-5")


class LlmSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # OpenAI, or any OpenAI-compatible endpoint (a company gateway, a local model server).
    api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    model: str = Field(default="gpt-4o-mini", alias="COACH_LLM_MODEL")
    # Azure OpenAI: the endpoint switches it on; key, or Entra ID when no key is given.
    azure_endpoint: str | None = Field(default=None, alias="AZURE_OPENAI_ENDPOINT")
    azure_api_key: SecretStr | None = Field(default=None, alias="AZURE_OPENAI_API_KEY")
    azure_deployment: str | None = Field(default=None, alias="AZURE_OPENAI_DEPLOYMENT")
    api_version: str = Field(
        default="2024-10-21", validation_alias=AliasChoices("OPENAI_API_VERSION", "AZURE_OPENAI_API_VERSION")
    )
    # Limits: one timeout bounds the whole draft, repair included.
    timeout: float = Field(default=20.0, alias="COACH_LLM_TIMEOUT", gt=0, le=120)
    max_tokens: int = Field(default=700, alias="COACH_LLM_MAX_TOKENS", gt=0, le=8000)
    max_retries: int = Field(default=0, alias="COACH_LLM_MAX_RETRIES", ge=0, le=1)
    daily_budget: int = Field(default=200, alias="COACH_LLM_DAILY_BUDGET", ge=0)  # requests/tenant/day
    stream: bool = Field(default=False, alias="COACH_LLM_STREAM")
    temperature: float = Field(default=0.3, alias="COACH_LLM_TEMPERATURE", ge=0, le=2)
    # How the output limit is sent: `max_tokens` (chat models), `max_completion_tokens`
    # (OpenAI's reasoning models, which also refuse a temperature), or `auto`: by the model
    # name. An Azure deployment name need not say the model, so set it there.
    token_param: Literal["auto", "max_tokens", "max_completion_tokens"] = Field(
        default="auto", alias="COACH_LLM_TOKEN_PARAM"
    )
    disabled: bool = Field(default=False, alias="COACH_LLM_DISABLED")  # the kill switch
    # Reading unclear messages with the model (bot/understanding/llm_reader.py). Off by default:
    # agreeing to LLM drafts is not agreeing to send every message the coach doesn't follow.
    understand: bool = Field(default=False, alias="COACH_LLM_UNDERSTAND")

    @field_validator("base_url", "azure_endpoint", "azure_deployment")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v.strip() or None if isinstance(v, str) else v

    def uses_completion_tokens(self, model: str) -> bool:
        """True for models that take `max_completion_tokens` and no temperature."""
        if self.token_param != "auto":
            return self.token_param == "max_completion_tokens"
        return model.strip().casefold().startswith(REASONING_MODELS)

    @property
    def provider(self) -> str | None:
        """ "azure", "openai" (incl. compatible endpoints) or None when nothing is configured."""
        if self.azure_endpoint:
            return "azure"
        if self.api_key or self.base_url:
            return "openai"
        return None
