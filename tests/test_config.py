"""Settings: defaults, GONGYOU_ environment variables, the .env file and readable errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, Mode, Settings, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide any GONGYOU_ variables of the person running the tests."""
    for name in list(os.environ):
        if name.upper().startswith("GONGYOU_"):
            monkeypatch.delenv(name)


def settings(**overrides: object) -> Settings:
    """Settings that never read a developer's .env file."""
    return Settings(_env_file=None, **overrides)  # type: ignore[arg-type]


def load(**overrides: object) -> Settings:
    """load_settings that never reads a developer's .env file."""
    return load_settings(_env_file=None, **overrides)


# Defaults


def test_the_default_database_is_a_sqlite_file_in_the_data_directory() -> None:
    assert settings().database_url == "sqlite+aiosqlite:///data/gongyou.sqlite3"


def test_by_default_the_bot_polls_in_chinese_with_no_token_and_no_admins() -> None:
    config = settings()

    assert config.mode is Mode.polling
    assert config.default_language == "zh"
    assert config.bot_token is None
    assert config.admin_ids == []
    assert config.outbound_rate_limit is True


# Environment variables and the .env file


def test_gongyou_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGYOU_BOT_TOKEN", "42:from-env")
    monkeypatch.setenv("GONGYOU_MODE", "webhook")
    monkeypatch.setenv("GONGYOU_DEFAULT_LANGUAGE", "en-GB")
    monkeypatch.setenv("GONGYOU_FLOOD_LIMIT", "3 per 1 minute")
    monkeypatch.setenv("GONGYOU_ADMIN_IDS", "12345")

    config = settings()

    assert config.require_token() == "42:from-env"
    assert config.mode is Mode.webhook
    assert config.default_language == "en"
    assert config.flood_limit == "3 per 1 minute"
    assert config.admin_ids == [12345]


def test_an_empty_environment_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGYOU_DATABASE_URL", "")

    assert settings().database_url == "sqlite+aiosqlite:///data/gongyou.sqlite3"


def test_a_postgres_url_from_the_environment_gets_the_async_driver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGYOU_DATABASE_URL", "postgres://union:secret@db.example/gongyou")

    assert settings().database_url == "postgresql+asyncpg://union:secret@db.example/gongyou"


def test_a_plain_sqlite_url_gets_the_async_driver() -> None:
    assert settings(database_url="sqlite:///var/bot.db").database_url == (
        "sqlite+aiosqlite:///var/bot.db"
    )


def test_settings_are_read_from_a_dotenv_file_in_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "GONGYOU_BOT_TOKEN=77:from-dotenv\nGONGYOU_WEBHOOK_PORT=9443\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    config = Settings()

    assert config.require_token() == "77:from-dotenv"
    assert config.webhook_port == 9443


def test_an_environment_variable_wins_over_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("GONGYOU_BOT_TOKEN=77:from-dotenv\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_BOT_TOKEN", "88:from-env")

    assert Settings().require_token() == "88:from-env"


# Admin ids


def test_admin_ids_separated_by_commas_parse_to_a_list_of_ints() -> None:
    assert settings(admin_ids="1,2").admin_ids == [1, 2]


def test_admin_ids_tolerate_spaces_semicolons_and_a_trailing_comma() -> None:
    assert settings(admin_ids=" 1 ; 2, 3,").admin_ids == [1, 2, 3]


def test_a_single_admin_id_number_becomes_a_list() -> None:
    assert settings(admin_ids=7).admin_ids == [7]


def test_admin_ids_from_the_environment_separated_by_commas_parse_to_a_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGYOU_ADMIN_IDS", "1,2")

    assert settings().admin_ids == [1, 2]


def test_a_bad_admin_id_raises_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="GONGYOU_ADMIN_IDS") as raised:
        load(admin_ids="12345,boss")

    assert "separated by commas" in str(raised.value)


def test_a_bad_admin_id_in_the_environment_raises_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGYOU_ADMIN_IDS", "12345,boss")

    with pytest.raises(ConfigError, match="GONGYOU_ADMIN_IDS"):
        load()


# Other validation errors


def test_a_bad_database_url_raises_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="GONGYOU_DATABASE_URL") as raised:
        load(database_url="mysql://root@localhost/gongyou")

    assert "postgresql+asyncpg://" in str(raised.value)


def test_a_bad_database_url_in_the_environment_raises_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGYOU_DATABASE_URL", "mysql://root@localhost/gongyou")

    with pytest.raises(ConfigError, match="GONGYOU_DATABASE_URL"):
        load()


def test_an_unknown_default_language_raises_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="GONGYOU_DEFAULT_LANGUAGE"):
        load(default_language="fr")


def test_every_bad_value_gets_its_own_sentence() -> None:
    with pytest.raises(ConfigError) as raised:
        load(database_url="mysql://x", webhook_port=0)

    message = str(raised.value)
    assert "GONGYOU_DATABASE_URL" in message
    assert "GONGYOU_WEBHOOK_PORT" in message
    assert message.count(";") == 1


def test_load_settings_passes_good_values_through() -> None:
    assert load(admin_ids="5").admin_ids == [5]


# Token


def test_require_token_without_a_token_points_to_botfather_and_gongyou_chat() -> None:
    with pytest.raises(ConfigError) as raised:
        settings().require_token()

    message = str(raised.value)
    assert "GONGYOU_BOT_TOKEN" in message
    assert "@BotFather" in message
    assert "`gongyou chat`" in message


def test_require_token_treats_a_blank_token_as_missing() -> None:
    with pytest.raises(ConfigError, match="@BotFather"):
        settings(bot_token="   ").require_token()


def test_require_token_returns_the_token_without_surrounding_spaces() -> None:
    assert settings(bot_token=" 123:abc ").require_token() == "123:abc"


# Webhook


def test_require_webhook_returns_the_full_url_and_the_secret() -> None:
    config = settings(
        webhook_url="https://bot.example.org/",
        webhook_secret="s3cret_Token-1",
        webhook_path="hook",
    )

    assert config.require_webhook() == ("https://bot.example.org/hook", "s3cret_Token-1")


@pytest.mark.parametrize("url", [None, "", "http://bot.example.org", "bot.example.org"])
def test_require_webhook_needs_an_https_url(url: str | None) -> None:
    config = settings(webhook_url=url, webhook_secret="secret")

    with pytest.raises(ConfigError, match="GONGYOU_WEBHOOK_URL"):
        config.require_webhook()


@pytest.mark.parametrize("secret", [None, "has spaces", "semi;colon", "é", "x" * 257])
def test_require_webhook_needs_a_valid_secret(secret: str | None) -> None:
    config = settings(webhook_url="https://bot.example.org", webhook_secret=secret)

    with pytest.raises(ConfigError, match="GONGYOU_WEBHOOK_SECRET"):
        config.require_webhook()


def test_a_webhook_secret_of_256_characters_is_accepted() -> None:
    config = settings(webhook_url="https://bot.example.org", webhook_secret="a" * 256)

    assert config.require_webhook()[1] == "a" * 256
