"""Slack configuration from the environment (pydantic-settings)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")  # xapp-…, Socket Mode
    client_id: str | None = Field(default=None, alias="SLACK_CLIENT_ID")
    client_secret: SecretStr | None = Field(default=None, alias="SLACK_CLIENT_SECRET")
    api_url: str = Field(default="https://slack.com/api/", alias="SLACK_API_URL")
    install_path: str = "/slack/install"
    redirect_path: str = "/slack/oauth_redirect"
    # Reply directly when the turn is this quick; otherwise post a placeholder and update it.
    placeholder_after: float = Field(default=1.0, alias="SLACK_PLACEHOLDER_AFTER")

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def http_configured(self) -> bool:
        return self.signing_secret is not None and (self.bot_token is not None or self.oauth)

    def socket_configured(self) -> bool:
        return self.app_token is not None and self.bot_token is not None

    @property
    def base_url(self) -> str:
        return self.api_url if self.api_url.endswith("/") else self.api_url + "/"

    def secret(self, name: str) -> str:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else ""
