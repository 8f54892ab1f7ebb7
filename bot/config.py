"""Settings, read once at the edge (environment prefix TRUSTDESK_, and `.env`).

>>> Settings(data_dir="/tmp/td").top_k
6
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRUSTDESK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".trustdesk"), description="embedded Chroma, feedback, checkpoints")
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server")
    corpus_dir: Path = Field(default=Path("corpus"), description="the standards corpus")
    reports_dir: Path = Field(default=Path("reports"), description="where `trustdesk eval` writes its report")
    llm: str | None = Field(default=None, description="provider:model for LangChain init_chat_model")
    llm_timeout: float = Field(default=30.0, gt=0, description="seconds before falling back to extractive")
    top_k: int = Field(default=6, description="evidence chunks an answer draws on")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL of the records database "
                                     "(default: SQLite in the data dir)")
    max_questionnaire_rows: int = Field(default=5000, ge=1, description="rows a questionnaire may have")
    max_upload_mb: float = Field(default=25.0, gt=0, description="largest questionnaire or document file, in MB")
    max_cached_tenants: int = Field(default=8, ge=1, le=1000, description="tenants whose vectors and BM25 index a "
                                    "process keeps in memory (least recently used are reloaded when asked)")

    log_format: Literal["auto", "json", "text"] = Field(
        default="auto", description="json: one object a line; text; auto: text on a terminal, JSON otherwise")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = Field(
        default=None, description="trustdesk's log level (default: INFO for the web UI and Slack app, "
                                  "WARNING for the command line); question text is logged at DEBUG only")

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(default=None, description="Slack Web API base URL (tests use a local stub)")
    slack_config: Path | None = Field(default=None, description="the Slack app's channel settings (YAML)")
    web_url: str | None = Field(default=None, description="the web UI's public address, for links from Slack")

    @field_validator("top_k")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1 or value > 50:
            raise ValueError(f"top_k must be between 1 and 50, got {value}")
        return value

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _case(cls, value, info):
        if not isinstance(value, str) or not value.strip():
            return None if info.field_name == "log_level" else (value or "auto")
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("chroma_url", "llm", "slack_api_url", "database_url", "slack_config", "web_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    def __repr_args__(self):
        """Settings may be printed or logged: a password inside a URL (database, Chroma server) shows as ***."""
        for name, value in super().__repr_args__():
            yield name, _URL_PASSWORD.sub(r"\1***@", value) if isinstance(value, str) and name.endswith("_url") else value
