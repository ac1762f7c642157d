"""The outbox on Telegram: the sender beside a running bot, and prompt delivery for handlers.

A handler that queued a message with :func:`bot.core.outbox.put` calls :func:`deliver` right
after the commit: the message goes out at once (through the application's notifier), and what
cannot go yet stays for the sender. The sender (:class:`bot.core.outbox.OutboxSender`) runs as
this small service's background work and sends whatever else is due (see bot.core.outbox).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.ext import Application

from bot.core import outbox
from bot.core.models import OutboxState
from bot.core.outbox import OutboxSender, Transport, forget_chat
from bot.core.privacy import Export
from handlers.base import Service

log = logging.getLogger(__name__)

#: Keys of ``bot_data`` where the running sender lives.
SENDER = "outbox_sender"
SENDER_TASK = "outbox_sender_task"
SENDER_STOP = "outbox_sender_stop"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def transport_of(application: AnyApplication) -> Transport:
    """The application's notifier, which sends stored messages."""
    notifier = application.bot_data["services"].notifier
    if not isinstance(notifier, Transport):
        raise RuntimeError("the application's notifier cannot send outbox messages")
    return notifier


async def deliver(application: AnyApplication, *keys: str) -> dict[str, OutboxState]:
    """Send the just-queued messages of ``keys`` now; the sender retries what did not go.

    Never raises: the messages are stored, and a failure here only leaves them to the sender.
    """
    services = application.bot_data["services"]
    try:
        return await outbox.deliver(services.db, transport_of(application), keys)
    except Exception:  # noqa: BLE001 - stored; the sender sends it
        log.warning("could not deliver %s at once; the outbox sender will", keys, exc_info=True)
        sender: OutboxSender | None = application.bot_data.get(SENDER)
        if sender is not None:
            sender.wake()
        return {}


def start_sender(application: AnyApplication) -> None:
    """Run the outbox sender as a background task of ``application`` (from post_init)."""
    if application.bot_data.get(SENDER_TASK) is not None:
        return
    sender = OutboxSender(transport_of(application), application.bot_data["services"].db)
    stop = asyncio.Event()
    application.bot_data[SENDER] = sender
    application.bot_data[SENDER_STOP] = stop
    application.bot_data[SENDER_TASK] = asyncio.create_task(sender.run(stop), name="outbox-sender")


async def stop_sender(application: AnyApplication, *, grace: float = 10.0) -> None:
    """Let the sender finish the message in hand and give up the lease (from post_stop)."""
    task: asyncio.Task[None] | None = application.bot_data.pop(SENDER_TASK, None)
    stop: asyncio.Event | None = application.bot_data.pop(SENDER_STOP, None)
    application.bot_data.pop(SENDER, None)
    if task is None:
        return
    if stop is not None:
        stop.set()
    try:
        await asyncio.wait_for(task, grace)
    except TimeoutError:
        log.warning("outbox sender did not stop within %.0f s; cancelled", grace)
    except Exception:
        log.exception("outbox sender ended with an error")


def _register(application: AnyApplication) -> None:
    """Nothing to register: the outbox has no commands or buttons of its own."""


SPEC = Service(
    name="outbox",
    register=_register,
    start=start_sender,
    stop=stop_sender,
    forgetters=(forget_chat,),
    exports=(
        Export(
            "mydata-outbox",
            "outbox",
            columns=("chat_id",),
            hide=("key", "reply_markup", "claimed_by", "claimed_at", "parse_mode", "preview"),
        ),
    ),
)
