"""Where the Slack app answers, how, for which tenant, and whom it asks (TRUSTDESK_SLACK_CONFIG, YAML).

Without a file: every channel the app is invited to, mention-only, standards knowledge
only, no expert. With one, only the channels it lists. DMs are
always answered, from a tenant's material only if `dm` names one:

```yaml
answer_bots: false          # answer messages other bots post (never its own)
rate_per_minute: 10         # questions one person may ask per minute
dm:                         # direct messages with the app
  tenant: northwind         # DMs may use this tenant's own material (no expert: they reply in channels)
channels:
  C0SALESSEC:               # the channel ID (channel details -> About, at the bottom)
    name: sales-security    # for people reading this file
    mode: all               # `mention` (default) or `all` messages
    tenant: northwind
    expert: S0SECTEAM       # a user (U..., W...) or a user group (S...)
```

>>> SlackSettings.model_validate({"channels": {"C1": {"mode": "all"}}}).place("C1").mode
'all'
>>> SlackSettings().place("C9").tenant is None
True
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.errors import TrustdeskError
from ingest.store import company_index

_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,30}$")
_EXPERT = re.compile(r"^[UWS][A-Z0-9]{2,30}$")


class SlackSettingsInvalid(TrustdeskError):
    pass


class Place(BaseModel):
    """How the app behaves in one channel, or in DMs."""

    model_config = ConfigDict(extra="forbid")

    name: str = ""
    mode: Literal["mention", "all"] = "mention"
    tenant: str | None = None
    expert: str | None = None

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                company_index(value)  # the same name rules as everywhere else
            except TrustdeskError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("expert")
    @classmethod
    def _expert(cls, value: str | None) -> str | None:
        if value is not None and not _EXPERT.match(value):
            raise ValueError(f"{value!r} is not a Slack user ID (U..., W...) or user group ID (S...)")
        return value

    @model_validator(mode="after")
    def _expert_needs_tenant(self) -> "Place":
        if self.expert and not self.tenant:
            raise ValueError("an expert's answers are saved to a tenant's answer library: set `tenant` too")
        return self

    @property
    def expert_mention(self) -> str:
        if not self.expert:
            return ""
        return f"<!subteam^{self.expert}>" if self.expert.startswith("S") else f"<@{self.expert}>"


class SlackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_bots: bool = False
    rate_per_minute: int = Field(default=10, ge=1, le=600)
    dm: Place | None = None
    channels: dict[str, Place] | None = None  # None: every channel, mention-only, standards only

    @field_validator("dm")
    @classmethod
    def _no_dm_expert(cls, value: Place | None) -> Place | None:
        if value is not None and value.expert:
            raise ValueError("an expert answers in a channel's thread, which a DM does not have: "
                             "remove `expert` from `dm`")
        return value

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: dict[str, Place] | None) -> dict[str, Place] | None:
        for channel in value or {}:
            if not _CHANNEL.match(channel):
                raise ValueError(f"{channel!r} is not a channel ID (C..., G...): use the ID, not the #name")
        return value

    def place(self, channel: str, *, is_dm: bool = False) -> Place | None:
        """The settings for a channel or DM, or None where the app should not answer."""
        if is_dm:
            return self.dm or Place()  # DMs are always answered; tenant material only if `dm` names one
        if self.channels is None:
            return Place()
        return self.channels.get(channel)


def load(path: Path | None) -> SlackSettings:
    """The settings file, checked; a clear message naming the file and the key on any problem."""
    if path is None:
        return SlackSettings()
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SlackSettingsInvalid(f"cannot read the Slack settings {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise SlackSettingsInvalid(f"the Slack settings {path} are not valid YAML: {exc}") from None
    try:
        return SlackSettings.model_validate(raw or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise SlackSettingsInvalid(f"the Slack settings {path}: {where}: {first['msg']}") from None
