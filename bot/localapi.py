"""A Bot API that lives in the process: answers calls locally and records them.

Used by ``gongyou chat`` (to talk to the bot in a terminal), by the tests (to assert what the bot
sent) and by the benchmark. Nothing here touches the network.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import BaseRequest, RequestData

BOT_ID = 7000000001
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "工友",
    "username": "gongyou_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

#: Methods that return ``True`` and need no other answer.
TRUE_METHODS = frozenset(
    {
        "answerCallbackQuery",
        "setMyCommands",
        "deleteMyCommands",
        "setWebhook",
        "deleteWebhook",
        "setChatMenuButton",
        "deleteMessage",
        "sendChatAction",
        "close",
        "logOut",
        "setMyDescription",
        "setMyShortDescription",
        "editForumTopic",
        "closeForumTopic",
        "reopenForumTopic",
        "pinChatMessage",
        "unpinChatMessage",
    }
)
#: Methods that send a message and get the new message back.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendLocation",
        "sendVenue",
        "sendPhoto",
        "sendDocument",
        "sendContact",
        "copyMessage",
        "forwardMessage",
    }
)
#: The permission flags a "restricted" chat member carries.
RESTRICTED_PERMISSIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    result: Any = None

    @property
    def text(self) -> str:
        """The message text (or caption) of the call, if any."""
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard rows of the call, if any."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        return rows

    @property
    def callback_data(self) -> list[str]:
        """Every callback_data of the inline keyboard, in order."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]


@dataclass
class LocalBotApi(BaseRequest):
    """Answers Bot API calls as Telegram would, records them, and optionally reports each one."""

    on_call: Callable[[Call], None] | None = None
    strict: bool = False
    calls: list[Call] = field(default_factory=list)
    unexpected: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    #: getChatMember answers: (chat id, user id) -> status; anyone else is a plain "member".
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    #: Chats that are supergroups without topics: createForumTopic fails there as in Telegram.
    no_topics: set[int] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def read_timeout(self) -> float | None:
        """No timeouts: nothing leaves the process."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def fail_next(self, method: str, code: int, description: str, **parameters: Any) -> None:
        """Make the next call of ``method`` fail as Telegram would (e.g. 429 with retry_after)."""
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, []).append((code, body))

    def sent(self, method: str | None = None) -> list[Call]:
        """Calls recorded so far, optionally only those of one method."""
        return [c for c in self.calls if method is None or c.method == method]

    def clear(self) -> None:
        """Forget the recorded calls."""
        self.calls.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Answer one Bot API call."""
        if "/file/bot" in url:
            file_id = url.rsplit("/", 1)[-1]
            if file_id in self.files:
                return 200, self.files[file_id]
            return 404, b"not found"
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        call = Call(api_method, params)
        pending = self.failures.get(api_method)
        if pending:
            code, body = pending.pop(0)
            self.calls.append(call)
            return code, json.dumps(body).encode()
        if api_method == "createForumTopic" and _int(params.get("chat_id")) in self.no_topics:
            self.calls.append(call)
            body = {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: the chat is not a forum",
            }
            return 400, json.dumps(body).encode()
        result = self.answer(call)
        if result is None:
            self.unexpected.append(call)
            body = {"ok": False, "error_code": 400, "description": f"{api_method} not supported"}
            return 400, json.dumps(body).encode()
        call.result = result
        if api_method != "getUpdates":
            self.calls.append(call)
            if self.on_call is not None:
                self.on_call(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def answer(self, call: Call) -> Any:
        """The result Telegram would return for ``call``; None if the method is not known."""
        method, params = call.method, call.params
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            updates, self.updates = self.updates, []
            return updates
        if method == "getFile":
            file_id = str(params.get("file_id"))
            if file_id not in self.files:
                return None
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method in TRUE_METHODS:
            return True
        if method == "getChatMember":
            user_id = _int(params.get("user_id"))
            status = self.members.get((_int(params.get("chat_id")), user_id), "member")
            member: dict[str, Any] = {
                "status": status,
                "user": {"id": user_id, "is_bot": False, "first_name": "x"},
            }
            if status in ("kicked", "restricted"):
                member["until_date"] = 0
            if status == "restricted":
                member["is_member"] = True
                member.update(dict.fromkeys(RESTRICTED_PERMISSIONS, True))
            return member
        if method == "createForumTopic":
            return {
                "message_thread_id": next(self._ids),
                "name": params.get("name", ""),
                "icon_color": 7322096,
            }
        if method in SEND_METHODS or method in EDIT_METHODS:
            if method in EDIT_METHODS and "inline_message_id" in params:
                return True
            message: dict[str, Any] = {
                "message_id": (
                    int(params["message_id"]) if method in EDIT_METHODS else next(self._ids)
                ),
                "date": int(time.time()),
                "chat": _chat(params.get("chat_id")),
                "from": BOT_USER,
            }
            for key in ("text", "caption", "reply_markup", "entities"):
                if key in params:
                    message[key] = params[key]
            if method == "sendLocation":
                message["location"] = _location(params)
            if method == "sendVenue":
                message["venue"] = {
                    "location": _location(params),
                    "title": params["title"],
                    "address": params["address"],
                }
            if "message_thread_id" in params:
                message["message_thread_id"] = params["message_thread_id"]
            if isinstance(message.get("reply_markup"), str):
                message["reply_markup"] = json.loads(message["reply_markup"])
            if "reply_markup" in message and "inline_keyboard" not in message["reply_markup"]:
                del message["reply_markup"]  # only inline keyboards are echoed back
            return message
        if self.strict:
            return None
        return True


def _chat(chat_id: Any) -> dict[str, Any]:
    try:
        cid = int(chat_id)
    except (TypeError, ValueError):
        return {"id": -1, "type": "channel", "title": str(chat_id)}
    if cid < 0:
        return {"id": cid, "type": "supergroup", "title": "group"}
    return {"id": cid, "type": "private", "first_name": "worker"}


def _location(params: dict[str, Any]) -> dict[str, float]:
    return {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
