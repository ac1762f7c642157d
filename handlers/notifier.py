"""The Telegram side of :mod:`bot.core.notify`: services' messages, sent through the bot.

Button actions become ``callback_data`` through the encoders each service's handlers declare
(``handlers.<service>.callbacks.ENCODE``, gathered by the registry); Telegram's exceptions
become the notifier's :class:`~bot.core.notify.DeliveryError` kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.core.notify import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    Blocked,
    Button,
    DeliveryError,
    Outgoing,
    Rejected,
    RetryLater,
    Sent,
    Unconfirmed,
    Unreachable,
    fit,
)
from bot.core.outbox import stored_buttons

log = logging.getLogger(__name__)

#: Turns a button's arguments into the callback data its handler parses (64 bytes at most).
Encoder = Callable[..., str]
CALLBACK_DATA_LIMIT = 64


def _seconds(value: Any) -> float:
    """``RetryAfter.retry_after`` is an int or a timedelta depending on the PTB version."""
    seconds = getattr(value, "total_seconds", None)
    return float(seconds() if seconds is not None else value)


class TelegramNotifier:
    """Sends :class:`Outgoing` messages with ``bot``; ``encoders`` map actions to callback data."""

    def __init__(self, bot: Bot, encoders: Mapping[str, Encoder]) -> None:
        self.bot = bot
        self.encoders = dict(encoders)
        #: Bulk sends take the outbound limiter's slower bucket when the bot has one.
        self._bulk: dict[str, Any] = (
            {"rate_limit_args": {"bulk": True}}
            if getattr(bot, "rate_limiter", None) is not None
            else {}
        )

    def callback_data(self, button: Button) -> str:
        """The wire form of ``button``'s action (ValueError for an unknown or overlong one)."""
        encode = self.encoders.get(button.action)
        if encode is None:
            raise ValueError(f"no handler encodes the action {button.action!r}")
        data = encode(*button.args)
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"callback data of {button.action!r} is over 64 bytes")
        return data

    def keyboard(self, message: Outgoing) -> InlineKeyboardMarkup | None:
        """The inline keyboard of ``message``, or None when it has no buttons."""
        if not message.buttons:
            return None
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label, callback_data=self.callback_data(b)) for b in row]
                for row in message.buttons
            ]
        )

    async def _post(self, chat_id: int, message: Outgoing, bulk: bool) -> Message:
        where: dict[str, Any] = dict(self._bulk) if bulk else {}
        if message.thread_id is not None:
            where["message_thread_id"] = message.thread_id
        if message.reply_to is not None:
            where["reply_parameters"] = ReplyParameters(
                message.reply_to, allow_sending_without_reply=True
            )
        keyboard = self.keyboard(message)
        attachment = message.attachment
        if attachment is not None:
            caption = fit(message.text, CAPTION_LIMIT)
            send = self.bot.send_photo if attachment.kind == "photo" else self.bot.send_document
            return await send(
                chat_id, attachment.file_id, caption=caption, reply_markup=keyboard, **where
            )
        if not message.preview:
            where["disable_web_page_preview"] = True
        return await self.bot.send_message(
            chat_id, fit(message.text, MESSAGE_LIMIT), reply_markup=keyboard, **where
        )

    async def send(self, chat_id: int, message: Outgoing, *, bulk: bool = False) -> Sent:
        """Send ``message`` to ``chat_id``; raise a DeliveryError kind when it fails."""
        posted = await self._translated(self._post(chat_id, message, bulk))
        return Sent(chat_id=posted.chat_id, message_id=posted.message_id)

    async def send_stored(
        self,
        chat_id: int,
        text: str,
        *,
        markup: Mapping[str, Any] | None = None,
        parse_mode: str | None = None,
        preview: bool = True,
        bulk: bool = False,
    ) -> None:
        """Send a message kept in the outbox (:class:`bot.core.outbox.Transport`).

        ``markup`` is Telegram's reply markup as JSON, or service actions written by
        :func:`bot.core.outbox.buttons_markup` (encoded here like any notification's buttons).
        """
        keyboard: InlineKeyboardMarkup | None = None
        try:
            if markup and "actions" in markup:
                keyboard = self.keyboard(Outgoing(text, stored_buttons(markup)))
            elif markup:
                keyboard = InlineKeyboardMarkup.de_json(dict(markup), self.bot)
        except (ValueError, TypeError, KeyError) as exc:
            raise Rejected(f"buttons cannot be sent: {exc}") from exc
        where: dict[str, Any] = dict(self._bulk) if bulk else {}
        if parse_mode:
            where["parse_mode"] = parse_mode
        if not preview:
            where["disable_web_page_preview"] = True
        await self._translated(
            self.bot.send_message(
                chat_id, fit(text, MESSAGE_LIMIT), reply_markup=keyboard, **where
            )
        )

    @staticmethod
    async def _translated(request: Awaitable[Message]) -> Message:
        """Await a Bot API request; Telegram's exceptions become DeliveryError kinds."""
        try:
            return await request
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc.retry_after)) from exc
        except Forbidden as exc:
            raise Blocked(str(exc)) from exc
        except TimedOut as exc:
            raise Unconfirmed(f"timed out: {exc}") from exc
        except BadRequest as exc:
            raise Rejected(str(exc)) from exc
        except NetworkError as exc:
            raise Unreachable(str(exc)) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc)) from exc

    async def tell(self, chat_id: int, message: Outgoing, *, bulk: bool = False) -> bool:
        """Send ``message``; log and return False when it was not delivered."""
        try:
            await self.send(chat_id, message, bulk=bulk)
        except DeliveryError:
            log.info("could not write to chat %s", chat_id, exc_info=True)
            return False
        return True

    async def open_topic(self, chat_id: int, name: str) -> int | None:
        """Create a forum topic; None when the group has no topics (a plain group)."""
        try:
            topic = await self.bot.create_forum_topic(chat_id, name)
        except BadRequest as exc:
            log.info("chat %s has no topics (%s)", chat_id, exc)
            return None
        except TelegramError as exc:
            raise DeliveryError(str(exc)) from exc
        return topic.message_thread_id

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a forum topic."""
        try:
            await self.bot.close_forum_topic(chat_id, thread_id)
        except TelegramError as exc:
            raise DeliveryError(str(exc)) from exc
