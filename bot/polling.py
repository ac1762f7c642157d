"""Polling mode: fetch updates with getUpdates, store each batch, only then confirm it.

Telegram forgets an update once a getUpdates call asks for a later offset. The loop here asks
for the next offset only after the batch it fetched is stored in the inbox (one statement), so
a crash at any moment loses nothing: a batch not stored is fetched again, a stored one is
handled from the inbox when the bot starts again.

A bot that had a webhook cannot poll until it is deleted: Telegram answers getUpdates with a
409 Conflict naming the webhook. The webhook is deleted then, and only then, so an ordinary
start makes no call to Telegram before its first getUpdates beyond getMe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram.error import Conflict, InvalidToken, TelegramError

from bot.app import GongyouApplication

log = logging.getLogger(__name__)

#: The longest wait between tries while Telegram or the database fails (seconds).
MAX_BACKOFF = 30.0


async def poll(
    application: GongyouApplication,
    *,
    long_poll: int,
    interval: float = 0.0,
    allowed_updates: Sequence[str] | None = None,
) -> None:
    """Fetch, store and queue updates until cancelled."""
    bot = application.bot
    offset: int | None = None
    failures = 0
    webhook = False  # Telegram refused to poll: the bot has a webhook, deleted before the next try
    while True:
        application.receiving.set()  # the first getUpdates is on its way: the warm-up may begin
        try:
            if webhook:
                await bot.delete_webhook(drop_pending_updates=False)
                webhook = False
            updates = await bot.get_updates(
                offset=offset, timeout=long_poll, allowed_updates=allowed_updates
            )
            if updates:
                fetched = application.updates_request
                raw = fetched.fetched(updates) if fetched is not None else None
                await application.take_in(updates, raw=raw)  # stored as fetched, if at hand
                # the next getUpdates confirms the batch: only now that it is stored
                offset = updates[-1].update_id + 1
        except InvalidToken:
            raise
        except Conflict as error:
            webhook = "webhook" in str(error).lower()
            if webhook:
                log.info("the bot has a webhook; deleting it to poll")
                continue
            failures += 1  # another replica polls the same bot
            log.warning("getUpdates conflicts with another poller (%s); trying again", error)
        except TelegramError as error:
            failures += 1
            log.warning("getUpdates failed (%s); trying again", error)
        except Exception:  # noqa: BLE001 - the database could not store the batch
            failures += 1
            log.warning("could not store fetched updates; fetching them again", exc_info=True)
        else:
            failures = 0
        if failures:
            await asyncio.sleep(min(MAX_BACKOFF, 0.5 * 2**failures))
        elif interval:
            await asyncio.sleep(interval)


async def serve_polling(
    application: GongyouApplication,
    *,
    stop: asyncio.Event,
    long_poll: int,
    interval: float = 0.0,
    allowed_updates: Sequence[str] | None = None,
) -> None:
    """Run the bot in polling mode until ``stop`` is set (or polling fails for good)."""
    application.polls = True
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        poller = asyncio.create_task(
            poll(
                application,
                long_poll=long_poll,
                interval=interval,
                allowed_updates=allowed_updates,
            ),
            name="polling",
        )
        stopped = asyncio.create_task(stop.wait(), name="polling-stop")
        try:
            await asyncio.wait({poller, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (poller, stopped):
                task.cancel()
            outcome, _ = await asyncio.gather(poller, stopped, return_exceptions=True)
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        if isinstance(outcome, Exception):
            raise outcome
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
