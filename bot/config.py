"""Settings read from the environment (prefix ``GONGYOU_``) and an optional ``.env`` file."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

DEFAULT_DB_PATH = Path("data") / "gongyou.sqlite3"
LANGUAGES = ("zh", "en")
#: Districts of Zhengzhou (where the demo stations are) offered by matchmaking profiles.
DEFAULT_DISTRICTS = (
    "中原区",
    "二七区",
    "管城回族区",
    "金水区",
    "惠济区",
    "上街区",
    "郑东新区",
    "高新区",
    "经开区",
    "航空港区",
)
ADMIN_IDS_HELP = (
    "GONGYOU_ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890"
)


class Mode(StrEnum):
    """How the bot receives updates from Telegram."""

    polling = "polling"
    webhook = "webhook"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says what to set."""


class Settings(BaseSettings):
    """Everything the bot can be configured with; see README.md for the table."""

    model_config = SettingsConfigDict(
        env_prefix="GONGYOU_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    bot_token: SecretStr | None = None
    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_DB_PATH.as_posix()}"
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"

    mode: Mode = Mode.polling
    poll_interval: float = Field(default=0.0, ge=0)
    poll_timeout: int = Field(default=30, ge=0, le=600)

    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str = "/telegram"
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)

    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    volunteers_chat_id: int | None = None
    default_language: str = "zh"

    station_radius_m: int = Field(default=4000, ge=100, le=100_000)
    bot_username: str = "gongyou_bot"
    poster_font: str | None = None

    concurrent_updates: int = Field(default=8, ge=1, le=256)
    outbound_rate_limit: bool = True
    bulk_messages_per_second: float = Field(default=25.0, gt=0, le=30)
    #: All messages the bot sends, every replica together (Telegram allows about 30 a second).
    messages_per_second: float = Field(default=30.0, gt=0, le=30)
    #: How long the broadcast sender's lease lasts without renewal: after a replica dies,
    #: another takes the broadcast over this long after its last batch.
    sender_lease_s: float = Field(default=30.0, ge=3, le=600)
    #: How long a worker holds an update it took from the inbox: one taken by a process that
    #: died is taken again this long after.
    inbox_lease_s: float = Field(default=300.0, gt=0, le=3600)
    flood_limit: str = "6 per 5 seconds"
    #: A worker's plain messages that waited this long behind newer ones are collapsed (0: off).
    flood_backlog_s: float = Field(default=5.0, ge=0, le=600)
    #: Redis shared by the bot's replicas: outbound limits, 429 pauses, inbound flood counting.
    redis_url: str | None = None

    timezone: str = "Asia/Shanghai"
    quiet_hours: str = "22:00-07:00"
    alert_interval_s: int = Field(default=300, ge=10, le=86_400)
    posting_days: int = Field(default=30, ge=1, le=365)
    min_wage_file: str | None = None
    legal_reannounce_hours: float = Field(default=4.0, gt=0, le=24 * 14)
    legal_escalate_hours: float = Field(default=24.0, gt=0, le=24 * 60)
    #: Closed legal cases keep the worker's details this many months, then are anonymised.
    legal_case_retention_months: int = Field(default=24, ge=1, le=240)
    member_key: SecretStr | None = None
    #: Key of the pseudonyms that stand for a forgotten user in the audit log (HMAC-SHA256);
    #: unset, one is derived from the bot token (set it to keep pseudonyms across new tokens).
    audit_key: SecretStr | None = None
    verify_attempts_per_day: int = Field(default=5, ge=1, le=100)
    match_daily_limit: int = Field(default=5, ge=1, le=100)
    #: The staff panel: where polling mode serves it, the public address its sign-in links
    #: use (default: the webhook URL + /panel, else http://<host>:<port>/panel) and how long a
    #: session lasts without a request.
    panel_host: str = "127.0.0.1"
    panel_port: int = Field(default=8081, ge=1, le=65535)
    panel_url: str | None = None
    panel_idle_minutes: int = Field(default=60, ge=1, le=60 * 24 * 30)
    match_city: str = "郑州市"
    match_districts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_DISTRICTS)
    )

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        from bot.core.clock import parse_quiet_hours

        if parse_quiet_hours(value) is None:
            raise ValueError(
                'GONGYOU_QUIET_HOURS must read like "22:00-07:00", or be "off" for no quiet hours'
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "GONGYOU_TIMEZONE must be a time zone name such as Asia/Shanghai"
            ) from None
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        value = value.lower().split("-")[0]
        if value not in LANGUAGES:
            raise ValueError(f"GONGYOU_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("match_districts", mode="before")
    @classmethod
    def _split_districts(cls, value: object) -> object:
        if isinstance(value, str):
            value = [p.strip() for p in re.split(r"[,，;；、]", value) if p.strip()]
        if isinstance(value, list) and not 1 <= len(value) <= 30:
            raise ValueError("GONGYOU_MATCH_DISTRICTS must name between 1 and 30 districts")
        if isinstance(value, list) and any("|" in str(d) or len(str(d)) > 32 for d in value):
            raise ValueError("GONGYOU_MATCH_DISTRICTS: a district name has at most 32 characters")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, int):
            return [value]
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                raise ValueError(ADMIN_IDS_HELP) from None
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError(ADMIN_IDS_HELP) from None
        return value

    @field_validator("flood_limit")
    @classmethod
    def _limit_parses(cls, value: str) -> str:
        from limits import parse as parse_limit  # imported only when the limit is configured

        try:
            parse_limit(value)
        except ValueError:
            raise ValueError(
                'GONGYOU_FLOOD_LIMIT must read like "6 per 5 seconds" or "20 per minute"'
            ) from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                "GONGYOU_REDIS_URL must read like redis://127.0.0.1:6379/0 "
                "(or rediss:// for TLS, unix:///path/to/redis.sock)"
            )
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path_starts_with_slash(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "GONGYOU_DATABASE_URL must be sqlite+aiosqlite:///path or "
                "postgresql+asyncpg://user:password@host/db"
            )
        return value

    @field_validator("panel_url")
    @classmethod
    def _panel_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(
                "GONGYOU_PANEL_URL must be the panel's public address, "
                "e.g. https://bot.example.org/panel"
            )
        return value.rstrip("/") if value else value

    def panel_base_url(self) -> str:
        """The public address of the panel that sign-in links start with."""
        if self.panel_url:
            return self.panel_url
        if self.mode is Mode.webhook and self.webhook_url:
            return self.webhook_url.rstrip("/") + "/panel"
        return f"http://{self.panel_host}:{self.panel_port}/panel"

    def audit_secret(self) -> bytes:
        """The key of audit-log pseudonyms: GONGYOU_AUDIT_KEY, or derived from the bot token."""
        if self.audit_key is not None and self.audit_key.get_secret_value():
            return self.audit_key.get_secret_value().encode()
        token = self.bot_token.get_secret_value().strip() if self.bot_token else ""
        return hashlib.sha256(b"gongyou audit pseudonyms\0" + token.encode()).digest()

    def require_token(self) -> str:
        """Return the bot token, or explain how to get one."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigError(
                "Set GONGYOU_BOT_TOKEN to the token @BotFather gave you (send /newbot to "
                "@BotFather in Telegram); to try the bot without one, run `gongyou chat`."
            )
        return self.bot_token.get_secret_value().strip()

    def require_webhook(self) -> tuple[str, str]:
        """Return the public webhook URL and secret, or explain what is missing."""
        if not self.webhook_url or not self.webhook_url.startswith("https://"):
            raise ConfigError(
                "Webhook mode needs GONGYOU_WEBHOOK_URL, the public https:// address Telegram "
                "should post to (without the path), e.g. https://bot.example.org"
            )
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        if not (1 <= len(secret) <= 256) or not set(secret) <= allowed:
            raise ConfigError(
                "Webhook mode needs GONGYOU_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, "
                "_ and -, e.g. the output of `python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'`"
            )
        return self.webhook_url.rstrip("/") + self.webhook_path, secret


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into one sentence per bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except SettingsError as exc:
        raise ConfigError(f"a GONGYOU_ setting could not be read: {exc}") from None
    except ValidationError as exc:
        sentences = []
        for err in exc.errors():
            name = "GONGYOU_" + "_".join(str(p) for p in err["loc"]).upper()
            msg = str(err["msg"]).removeprefix("Value error, ")
            sentences.append(msg if msg.startswith(name) else f"{name}: {msg}")
        raise ConfigError("; ".join(sentences)) from None
