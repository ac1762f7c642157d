"""Telegram update payloads as the Bot API sends them (dicts, turned into `Update`s by the bot)."""

from __future__ import annotations

import itertools
import time
from typing import Any

_update_ids = itertools.count(10_000)
_message_ids = itertools.count(500_000)

WORKER_ID = 111_111
STAFF_ID = 222_222
ADMIN_ID = 333_333


def user(
    user_id: int = WORKER_ID, *, lang: str | None = "zh-hans", name: str = "阿强"
) -> dict[str, Any]:
    """A Telegram user."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
    if lang:
        data["language_code"] = lang
    return data


def private_chat(user_id: int = WORKER_ID) -> dict[str, Any]:
    """The private chat between the bot and a user."""
    return {"id": user_id, "type": "private", "first_name": "阿强"}


def message(
    text: str | None = None,
    *,
    user_id: int = WORKER_ID,
    lang: str | None = "zh-hans",
    chat: dict[str, Any] | None = None,
    update_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An update carrying a message; commands get their bot_command entity."""
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(user_id),
        "from": user(user_id, lang=lang),
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    msg.update(extra)
    return {"update_id": update_id if update_id is not None else next(_update_ids), "message": msg}


def location(lat: float, lon: float, **kwargs: Any) -> dict[str, Any]:
    """An update with a shared location."""
    return message(None, location={"latitude": lat, "longitude": lon}, **kwargs)


def sticker(**kwargs: Any) -> dict[str, Any]:
    """An update with a sticker."""
    return message(
        None,
        sticker={
            "file_id": "CAAC",
            "file_unique_id": "AgAD",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
        **kwargs,
    )


def callback(
    data: str,
    *,
    user_id: int = WORKER_ID,
    lang: str | None = "zh-hans",
    message_id: int = 1,
    update_id: int | None = None,
) -> dict[str, Any]:
    """An update for a pressed inline button."""
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": str(next(_message_ids)),
            "from": user(user_id, lang=lang),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": private_chat(user_id),
                "from": {"id": 7000000001, "is_bot": True, "first_name": "工友"},
                "text": "menu",
            },
        },
    }
