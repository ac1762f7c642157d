"""`gongyou run --mode webhook`: serves the route, registers the webhook, answers through it."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import ALLOWED_UPDATES
from bot.cli import _serve_webhook
from bot.config import Mode, Settings
from bot.i18n import t
from tests.factories import message
from tests.fake_botapi import FakeBotApi


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("no_proxy", "db")  # "db": migrated and empty, no update left over
async def test_webhook_mode_registers_the_webhook_and_answers_posted_updates(
    settings: Settings,
) -> None:
    port = _free_port()
    async with FakeBotApi(settings.require_token()) as api:
        config = settings.model_copy(
            update={
                "api_base_url": api.base_url,
                "mode": Mode.webhook,
                "webhook_url": "https://bot.example.org",
                "webhook_path": "/hook",
                "webhook_secret": SecretStr("s3cret-token"),
                "webhook_listen": "127.0.0.1",
                "webhook_port": port,
                "webhook_max_connections": 12,
            }
        )
        stop = asyncio.Event()
        server = asyncio.create_task(_serve_webhook(config, stop))
        try:
            (registered,) = await api.wait_for("setWebhook")
            assert registered.params["url"] == "https://bot.example.org/hook"
            assert registered.params["secret_token"] == "s3cret-token"
            assert registered.params["max_connections"] == 12
            assert registered.params["allowed_updates"] == ALLOWED_UPDATES
            async with aiohttp.ClientSession() as client:
                url = f"http://127.0.0.1:{port}/hook"
                refused = await client.post(url, json=message("/start"))
                assert refused.status == 403
                accepted = await client.post(
                    url,
                    json=message("/start"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
                )
                assert accepted.status == 200
            (welcome,) = await api.wait_for("sendMessage")
            assert welcome.params["text"] == t("zh", "welcome")
        finally:
            stop.set()
            await asyncio.wait_for(server, 10)
