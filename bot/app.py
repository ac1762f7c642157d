"""Build the python-telegram-bot Application and register every handler module in one place."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import logging
import threading
import time
from collections.abc import Awaitable, Iterator, Sequence
from datetime import timedelta
from typing import Any, cast

from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot import metrics
from bot.botapi_http import AiohttpRequest
from bot.config import Settings
from bot.context import GongyouContext, Services, UpdateScope, bind_scope, unbind_scope
from bot.core import inbox, privacy
from bot.core.models import InboxState
from bot.core.usage import UsageCounts
from bot.core.users import FORGETTERS, WAIT, admit_update, touch_sender
from bot.db import Database
from bot.i18n import normalize_language, t
from bot.ratelimit import (
    Arrival,
    InboundGate,
    MeteredRequest,
    OutboundLimiter,
    SharedBuckets,
    UpdatesRequest,
)
from handlers.notifier import Encoder, TelegramNotifier
from knowledge.index import KnowledgeRouter, default_router

log = logging.getLogger(__name__)

#: How often each worker looks in the inbox for updates to retry or left unfinished (seconds).
SWEEP_EVERY = 10.0
#: The update types the bot asks Telegram for (polling and webhook alike).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
#: Groups for cross-cutting handlers, run before any service (order matters).
GROUP_RECEIVE = -20
#: A flooding user is told to slow down at most this often (seconds).
NOTICE_EVERY = 60.0
GROUP_FLOOD = -10
#: Updates held in memory at once (most of them waiting for their user's earlier ones).
IN_FLIGHT = 4096
#: bot_data key: start the services' background work (the broadcast sender) on start-up.
BACKGROUND = "background"
#: bot_data key: the start-up work running beside the bot once it has started (see _warm_up).
WARM_UP = "warm_up"
#: Scope notes: which try of the update this is (set once it is taken), and why it failed.
ATTEMPT = "inbox_attempt"
FAILURE = "inbox_failure"
#: Scope note: this process has not tried the update before (only then is a failure explained).
FIRST_TRY = "inbox_first_try"
#: Pauses (seconds) while the sender's earlier update is handled by another replica (the last
#: one repeats); after ``MAX_WAIT_FOR_EARLIER`` seconds in all the update is left in the inbox,
#: for a sweep to take in its turn.
WAIT_FOR_EARLIER = (0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
MAX_WAIT_FOR_EARLIER = 60.0


class GongyouApplication(Application):
    """Application that takes updates through the inbox, each in its own session and scope.

    ``take_in`` stores arriving updates in the inbox and queues the new ones; the receive step
    takes each from the inbox and, once handled, it is marked done, or failed to be retried
    with backoff (parked after the last try). A sweep on start-up and every ``sweep_every``
    seconds queues what is due again: updates left unfinished by a crash, retries.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sweep_every = SWEEP_EVERY
        #: Update ids queued here and not yet handled (a sweep does not queue them again).
        self._queued: set[int] = set()
        #: Of those, the ones just received (not taken up again from the inbox by a sweep).
        self._fresh: set[int] = set()
        #: How many times this process has started handling an update not yet settled.
        self._tries: dict[int, int] = {}
        #: How many times an update stepped aside for its sender's earlier update, and for how
        #: long in all (seconds).
        self._waits: dict[int, tuple[int, float]] = {}
        self._sweeper: asyncio.Task[None] | None = None
        #: Polling mode: updates come through :func:`bot.polling.poll` (set before start).
        self.polls = False
        #: Set when polling sends its first getUpdates; in polling mode the warm-up waits for
        #: it, so that it does not hold up that request.
        self.receiving = asyncio.Event()
        #: The request getUpdates goes through (it keeps the JSON of the batch fetched last).
        self.updates_request: UpdatesRequest | None = None
        #: Updates handled per day and service, not yet written (set by build_application).
        self.usage: UsageCounts | None = None
        self._usage_writer: asyncio.Task[None] | None = None

    def is_queued(self, update_id: int) -> bool:
        """True if the update came through the inbox (stored, then queued here)."""
        return update_id in self._queued

    def is_fresh(self, update_id: int) -> bool:
        """True if the update was just received and stored, not taken up again by a sweep
        (after a crash, say) nor handed over directly."""
        return update_id in self._fresh

    @property
    def db(self) -> Database:
        """The database the inbox lives in."""
        services: Services = self.bot_data["services"]
        return services.db

    async def take_in(
        self, updates: Sequence[Update], *, raw: Sequence[dict[str, Any]] | None = None
    ) -> list[Update]:
        """Store the updates in the inbox in one statement, then queue those not seen before.

        ``raw`` is the JSON the updates came in, if at hand. Raises if the database cannot
        store them: the caller must not acknowledge them.
        """
        payloads = raw if raw is not None else [u.to_dict() for u in updates]
        items = [
            inbox.Incoming(u.update_id, ordering_key(u), payload)
            for u, payload in zip(updates, payloads, strict=True)
        ]
        fresh_ids = await self.db.transact(inbox.accept, items=items)
        fresh: list[Update] = []
        for update in updates:
            if update.update_id in fresh_ids and update.update_id not in self._queued:
                fresh.append(update)
                self._queued.add(update.update_id)
                self._fresh.add(update.update_id)
            else:
                metrics.DUPLICATES.inc()
                log.info("update %s was received before; ignored", update.update_id)
        for update in fresh:
            await self.update_queue.put(update)
        return fresh

    def take_again_soon(self, update: Update) -> None:
        """Queue an update again after a short pause: its sender has an earlier update not yet
        handled. After ``MAX_WAIT_FOR_EARLIER`` seconds of pauses it is left to the sweeps."""
        update_id = update.update_id
        waits, waited = self._waits.get(update_id, (0, 0.0))
        self._tries.pop(update_id, None)  # waiting is not trying
        if waited >= MAX_WAIT_FOR_EARLIER:
            self._waits.pop(update_id, None)
            log.info("update %s still waits for its sender's earlier one; left", update_id)
            return
        pause = WAIT_FOR_EARLIER[min(waits, len(WAIT_FOR_EARLIER) - 1)]
        self._waits[update_id] = (waits + 1, waited + pause)

        def again() -> None:
            self._queued.add(update_id)
            if isinstance(self.update_processor, PerUserUpdateProcessor):
                self.update_processor.returning.add(update_id)
            self.update_queue.put_nowait(update)

        asyncio.get_running_loop().call_later(pause, again)

    async def sweep(self, *, grace: timedelta = inbox.GRACE) -> int:
        """Queue the inbox's due updates that are not queued here already; return how many."""
        rows = await self.db.transact(inbox.due, grace=grace, skip=set(self._queued))
        queued = 0
        for row in rows:
            try:
                if row.raw is None:
                    raise ValueError("no stored update")
                update = Update.de_json(row.raw, self.bot)
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                log.error("update %s in the inbox cannot be read; parked", row.update_id)
                metrics.PARKED.inc()
                await self.db.transact(inbox.park, update_id=row.update_id, error=repr(error))
                continue
            self._queued.add(row.update_id)
            await self.update_queue.put(update)
            queued += 1
        if queued:
            log.info("queued %d update(s) from the inbox", queued)
        return queued

    async def _sweep_forever(self) -> None:
        grace = timedelta(0)  # at start-up, whatever is due (a claim is never taken twice)
        while True:
            try:
                await self.sweep(grace=grace)
            except Exception:  # noqa: BLE001 - the database may be down; try again later
                log.warning("could not look in the inbox", exc_info=True)
            grace = inbox.GRACE
            await asyncio.sleep(self.sweep_every)

    async def start(self) -> None:
        """Start handling queued updates, sweep the inbox now and then, and write the usage
        counts every minute."""
        await super().start()
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="inbox-sweeper")
        if self.usage is not None:
            self._usage_writer = asyncio.create_task(
                self.usage.flush_forever(self.db), name="usage-writer"
            )

    async def stop(self) -> None:
        """Stop sweeping, then handle what is queued and stop."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        await super().stop()
        if self._usage_writer is not None:
            self._usage_writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._usage_writer
            self._usage_writer = None
        if self.usage is not None:
            try:
                await self.usage.flush(self.db)
            except Exception:  # noqa: BLE001 - counts only: logged, stopping goes on
                log.warning("could not write the last usage counts", exc_info=True)

    async def process_update(self, update: object) -> None:
        """Handle one update inside a fresh session; roll back whatever was not committed."""
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        services: Services = self.bot_data["services"]
        user = update.effective_user
        language = normalize_language(
            user.language_code if user else None, services.settings.default_language
        )
        started = time.perf_counter()
        update_id = update.update_id
        if len(self._tries) > 4 * IN_FLIGHT:
            self._tries.clear()  # ids another worker finished; forget them
        if len(self._waits) > 4 * IN_FLIGHT:
            self._waits.clear()
        self._tries[update_id] = tries = self._tries.get(update_id, 0) + 1
        scope = UpdateScope(db=services.db, language=language)
        scope.notes[FIRST_TRY] = tries == 1
        token = bind_scope(scope)
        try:
            await super().process_update(update)
        finally:
            unbind_scope(token)
            await self._close(scope)
            try:
                await self._settle(update_id, scope)
            finally:
                # only now: a sweep must not queue it again while it is being settled
                self._queued.discard(update_id)
                self._fresh.discard(update_id)
        if self.usage is not None and scope.notes.get(ATTEMPT) == 1:
            self.usage.note(scope.service)  # once per update: its first try
        metrics.UPDATES.labels(metrics.update_kind(update), scope.service).inc()
        metrics.LATENCY.labels(scope.service).observe(time.perf_counter() - started)

    @staticmethod
    async def _close(scope: UpdateScope) -> None:
        """Close the update's session. A handler that ended well and left the session open
        (read only, or committed earlier) commits it now: that transaction also marks the
        update handled, so an ordinary update costs two (take it, handle it). Changes a
        handler left uncommitted are rolled back instead."""
        ended_well = FAILURE not in scope.notes
        if ended_well and scope.session_open:
            session = scope.session
            # objects a handler added but did not commit are dropped, as they always were
            # (a flow step held for this commit is kept)
            if scope.held:
                await scope.keep_held()
            ended_well = not (session.new or session.dirty or session.deleted)
        if scope.taken is not None and scope.session_open and not scope.finished and ended_well:
            try:
                await scope.session.commit()
            except Exception:  # noqa: BLE001 - settled on its own below, or taken again
                log.warning("could not mark update %s handled", scope.taken, exc_info=True)
        await scope.close()

    async def _settle(self, update_id: int, scope: UpdateScope) -> None:
        """Mark a taken update done, or failed (to retry later) or parked."""
        attempt: int = scope.notes.get(ATTEMPT, 0)
        if not attempt:
            return  # not taken: a duplicate, waiting, or the database failed before it was taken
        self._waits.pop(update_id, None)
        error: BaseException | None = scope.notes.get(FAILURE)
        if scope.finished:
            # marked handled with the handler's first commit: not tried again, so a step
            # already saved is never applied twice
            self._tries.pop(update_id, None)
            return
        try:
            if error is None or isinstance(error, Forbidden):
                await self.db.short(inbox.finish, update_id=update_id)
                self._tries.pop(update_id, None)
                return
            described = f"{type(error).__name__}: {error}"
            state = await self.db.short(
                inbox.fail, update_id=update_id, attempt=attempt, error=described
            )
        except Exception:  # noqa: BLE001 - the lease runs out and the update is taken again
            log.warning("could not record how update %s went", update_id, exc_info=True)
            return
        if state is InboxState.parked:
            self._tries.pop(update_id, None)
            metrics.PARKED.inc()
            log.error("update %s parked after %d tries: %s", update_id, attempt, described)
        else:
            log.warning(
                "update %s failed (try %d); retrying in %s",
                update_id,
                attempt,
                inbox.retry_delay(attempt),
            )


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Handle updates concurrently, but one user's updates strictly in order.

    Each update is counted by the inbound gate the moment it is taken off the queue, before it
    waits for the same user's earlier updates (whose replies may be waiting for the per-chat
    outbound bucket). ``handling`` updates run at once; an update waiting for its user's turn
    holds none of those places, so one busy user never holds up the others. The base class's
    limit only caps how many updates are held in memory.
    """

    def __init__(self, handling: int, gate: InboundGate) -> None:
        super().__init__(max(IN_FLIGHT, handling))
        self.handling = handling
        self.gate = gate
        self._slots = asyncio.Semaphore(handling)
        #: Per key: the lock and how many of the key's updates hold or wait for it.
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        #: Updates coming back after stepping aside for an earlier one (counted already).
        self.returning: set[int] = set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Count the update, wait for the same user's earlier update, then run this one."""
        key = 0
        arrival: Arrival | None = None
        if isinstance(update, Update):
            if update.effective_user is not None:
                key = update.effective_user.id
                returning = update.update_id in self.returning
                self.returning.discard(update.update_id)
                arrival = self.gate.arrive(
                    key,
                    update.update_id,
                    collapsible=is_plain_message(update),
                    count=not returning,
                )
            elif update.effective_chat is not None:
                key = update.effective_chat.id
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            if arrival is not None:
                # give the loop back once: updates taken off the queue together are all
                # counted before the first is handled (its database calls may not yield)
                await asyncio.sleep(0)
            async with lock, self._slots:
                await coroutine
        finally:
            if arrival is not None:
                self.gate.depart(key, arrival)
            lock, users = self._locks[key]
            if users > 1:
                self._locks[key] = (lock, users - 1)
            else:
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def is_plain_message(update: Update) -> bool:
    """A new text message in a private chat that is not a command or a reply to a message.

    Only these are collapsed when stale: files, photos, locations, contacts, commands, button
    presses, edits and replies (which relay to a person) are always handled one by one.
    """
    message = update.message
    return (
        message is not None
        and message.chat.type == "private"
        and bool(message.text)
        and not (message.text or "").startswith("/")
        and message.reply_to_message is None
        and message.via_bot is None
    )


def ordering_key(update: Update) -> int | None:
    """Whose the update is: one key's updates are handled in order."""
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


async def receive(update: Update, context: GongyouContext) -> None:
    """Take the update from the inbox (or ignore it); create or refresh the sender's row.

    On PostgreSQL, an update just received is taken by the first statement of its own
    transaction, which its handling goes on in and which marks it handled: one transaction
    for an ordinary update instead of two. Should the process die before that commit, the
    update is left as it was stored, and a sweep takes it up again in a transaction of its
    own, so that every later try is counted (an update that kills the process each time is
    parked after the last). SQLite takes it in a short transaction of its own: a transaction
    holding its write lock through the handling would hold up every other update's writes.
    """
    scope = context.scope
    tg_user = update.effective_user
    user_id = tg_user.id if tg_user is not None and not tg_user.is_bot else None
    application = context.application
    ours = application if isinstance(application, GongyouApplication) else None
    stored = ours is not None and ours.is_queued(update.update_id)
    claim = {
        "update_id": update.update_id,
        "user_id": user_id,
        "language": scope.language,
        "raw": update.to_dict,
        "user_key": ordering_key(update),
        "stored": stored,
        "lease": timedelta(seconds=context.services.settings.inbox_lease_s),
    }
    if ours is not None and not scope.db.is_sqlite and ours.is_fresh(update.update_id):
        attempt, member = await scope.take(admit_update, {**claim, "defer_sender": True})
        if member is not None and member.unwritten is not None:
            await scope.db.short(touch_sender, member=member)  # rare: a first contact, say
    else:
        attempt, member = await scope.db.short(admit_update, **claim)
    if attempt == WAIT:
        # the sender's earlier update is still to be handled, here or on another replica:
        # this one steps aside (freeing the sender's turn) and comes back in a moment
        if ours is not None:
            ours.take_again_soon(update)
        raise ApplicationHandlerStop
    if not attempt:
        metrics.DUPLICATES.inc()
        log.info("update %s was handled already or is being handled; ignored", update.update_id)
        raise ApplicationHandlerStop
    scope.notes[ATTEMPT] = attempt
    scope.taken = update.update_id
    scope.notes[FIRST_TRY] = scope.notes.get(FIRST_TRY, True) and attempt == 1
    if member is not None:
        scope.user = member
        scope.language = member.language
    scope.attach()


class FloodControl:
    """Per-user flood limit and stale-backlog collapse, run before any service.

    A worker's updates are judged by what the inbound gate saw when they arrived: the first
    one over the limit gets one notice (at most every ``NOTICE_EVERY`` seconds), the rest are
    dropped, and a dropped button press is answered with a short toast so its spinner stops.
    A worker's plain message that waited ``GONGYOU_FLOOD_BACKLOG_S`` or longer with a newer
    plain message behind it is skipped; the newer one is answered after one note saying how
    many were skipped. Workers in a multi-step flow, staff and volunteers are never collapsed,
    and staff and volunteers are counted as their updates are handled, as they always were.
    """

    def __init__(self, gate: InboundGate) -> None:
        self.gate = gate

    async def __call__(self, update: Update, context: GongyouContext) -> None:
        """Drop the update if its sender is over the limit, or skip it if it went stale."""
        user = update.effective_user
        if user is None:
            return
        member = context.user
        privileged = member is not None and bool(member.roles)
        arrival = None if privileged else self.gate.arrival_of(user.id, update.update_id)
        admitted = arrival.admitted if arrival is not None else self.gate.allow_now(user.id)
        if not admitted:
            await self._drop(update, context, user.id)
        if arrival is None or (member is not None and member.flow is not None):
            return
        if self.gate.superseded(user.id, arrival):
            self.gate.skip(user.id)
            metrics.FLOOD.inc()
            log.info("update %s from user %s went stale; skipped", update.update_id, user.id)
            raise ApplicationHandlerStop
        if arrival.collapsible and (skipped := self.gate.take_skipped(user.id)):
            await context.reply(update, "flood-skipped", count=skipped)

    async def _drop(self, update: Update, context: GongyouContext, user_id: int) -> None:
        metrics.FLOOD.inc()
        if update.effective_chat is not None and self.gate.notice_due(user_id):
            await context.bot.send_message(update.effective_chat.id, context.t("flood-notice"))
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(context.t("flood-button"))
        raise ApplicationHandlerStop


async def on_error(update: object, context: GongyouContext) -> None:
    """Log the error with its context, tell the user politely, keep running.

    For an update, the rest of its handlers are skipped: a failed step is not followed by more.
    The update is tried again later; the user is told only about its first failure.
    """
    error = context.error
    kind = type(error).__name__ if error else "unknown"
    metrics.ERRORS.labels(kind).inc()
    if not isinstance(update, Update):
        log.error("error outside an update: %s", kind, exc_info=error)
        return
    user_id = update.effective_user.id if update.effective_user else None
    log.error(
        "error handling update %s from user %s: %s",
        update.update_id,
        user_id,
        kind,
        exc_info=error,
    )
    first_try = True
    with contextlib.suppress(RuntimeError):  # outside an update's handling there is no scope
        notes = context.scope.notes
        notes[FAILURE] = error
        first_try = notes.get(FIRST_TRY, True)
    try:
        if first_try:
            await _apologise(update, context, error)
        else:
            await _rollback(context)
    finally:
        raise ApplicationHandlerStop


async def _rollback(context: GongyouContext) -> None:
    try:
        if context.scope.session_open:
            # a step the handler took before it failed stays taken, as if committed at once
            await context.scope.keep_held()
            await context.scope.session.rollback()
    except Exception:  # noqa: BLE001 - the scope may be gone or the database down
        log.debug("no session to roll back", exc_info=True)


async def _apologise(update: Update, context: GongyouContext, error: Exception | None) -> None:
    await _rollback(context)
    if isinstance(error, Forbidden) or update.effective_chat is None:
        return  # the user blocked the bot, or there is no one to tell
    try:
        lang = context.lang
    except Exception:  # noqa: BLE001
        lang = "zh"
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # it may have been answered already
            await update.callback_query.answer()
    try:
        await context.bot.send_message(update.effective_chat.id, t(lang, "error-generic"))
    except TelegramError:
        log.warning("could not tell user %s about the error", user_id_of(update), exc_info=True)


def user_id_of(update: Update) -> int | None:
    """The sender's Telegram id, if the update has one."""
    return update.effective_user.id if update.effective_user else None


async def _forget_old_updates(context: GongyouContext) -> None:
    removed = await context.services.db.transact(inbox.prune)
    if removed:
        log.info("pruned %d handled or parked updates from the inbox", removed)


def bot_commands(lang: str) -> list[BotCommand]:
    """The command menu Telegram shows, in one language."""
    names = (
        "start",
        "menu",
        "jobs",
        "my_alerts",
        "legal",
        "my_cases",
        "match",
        "union",
        "post_job",
        "help",
        "cancel",
        "lang",
        "mydata",
        "privacy",
        "forget",
    )
    return [BotCommand(name, t(lang, f"cmd-{name}")) for name in names]


class _RouterOnDemand:
    """The knowledge router, built when first used (or by the warm-up once the bot takes
    updates) rather than before the bot can start."""

    _lock = threading.Lock()
    #: The router once built (then no lock is taken again).
    _built: Any = None

    def __getattr__(self, name: str) -> Any:
        router = self._built
        if router is None:
            with self._lock:  # built once, even when the warm-up thread is at it
                router = self._built = default_router()
        return getattr(router, name)


async def _post_init(application: Application) -> None:
    services: Services = application.bot_data["services"]
    if application.bot_data.get(BACKGROUND):
        from handlers import SERVICES

        for service in SERVICES:
            if service.start is not None:
                service.start(application)
    # the rest runs beside the bot: the first getUpdates does not wait for it
    application.bot_data[WARM_UP] = asyncio.create_task(_warm_up(application), name="warm-up")
    log.info("gongyou ready (database %s)", services.db.url.render_as_string(hide_password=True))


#: Freeze what is alive once the warm-up is done (``gc.freeze``): set by ``gongyou run``, whose
#: heap is then mostly what lives as long as the replica (modules, the router, the job search
#: index), so later full collections no longer walk it. Off by default: tests start many
#: applications in one process, and a freeze would keep any garbage then waiting for ever.
FREEZE_AFTER_WARM_UP = False
#: Warm-ups running in this process, and the collector's thresholds before the first began.
_QUIET: list[tuple[int, int, int]] = []


@contextlib.contextmanager
def _no_full_collections() -> Iterator[None]:
    """No automatic full collection while a warm-up builds what lives long: each one walks the
    whole heap, the half-built job search index with it, and stops the event loop (and every
    reply) for 80-250 ms at 100,000 postings. Young collections go on as usual. Afterwards the
    thresholds are restored and, on a replica (:data:`FREEZE_AFTER_WARM_UP`), what is alive
    is frozen, so the full collections to come skip it."""
    if not _QUIET:
        first = gc.get_threshold()
        gc.set_threshold(first[0], first[1], 1 << 30)  # the oldest generation: never
    else:
        first = _QUIET[0]
    _QUIET.append(first)
    try:
        yield
    finally:
        _QUIET.pop()
        if not _QUIET:
            gc.set_threshold(*first)
            if FREEZE_AFTER_WARM_UP:
                gc.collect(1)  # the young garbage goes first; the old generation stays
                gc.freeze()


async def _warm_up(application: Application) -> None:
    """Start-up work that need not hold up the first getUpdates: the command menu, then what
    the first updates would otherwise wait for (the catalogs, the knowledge router, the job
    search index), built in worker threads so that updates are handled meanwhile, and without
    full garbage collections (:func:`_no_full_collections`)."""
    if isinstance(application, GongyouApplication) and application.polls:
        await application.receiving.wait()
    with _no_full_collections():
        await _warm(application)


async def _warm(application: Application) -> None:
    services: Services = application.bot_data["services"]
    try:
        menus = await asyncio.to_thread(lambda: (bot_commands("zh"), bot_commands("en")))
        await application.bot.set_my_commands(menus[0])
        await application.bot.set_my_commands(menus[1], language_code="en")
    except TelegramError:
        log.warning("could not set the command menu", exc_info=True)
    await asyncio.to_thread(lambda: services.router.entries)  # built under the router's lock
    from bot.jobs.search import prepare_search_index

    try:
        await prepare_search_index(services.db)
    except Exception:  # noqa: BLE001 - the first large search builds it then
        log.warning("could not build the job search index", exc_info=True)


async def _post_stop(application: Application) -> None:
    from handlers import SERVICES

    warm_up = application.bot_data.pop(WARM_UP, None)
    if warm_up is not None and not warm_up.done():
        warm_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warm_up
    for service in SERVICES:
        if service.stop is not None:
            await service.stop(application)


def build_application(
    settings: Settings,
    *,
    db: Database,
    request: BaseRequest | None = None,
    token: str | None = None,
    updater: bool = True,
    job_queue: bool = True,
) -> GongyouApplication:
    """Build the Application with every handler registered; does not start it."""
    shared = shared_limits(settings, token)
    builder: Any = (
        ApplicationBuilder()
        .application_class(GongyouApplication)
        .token(token or settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=GongyouContext))
        .concurrent_updates(
            PerUserUpdateProcessor(settings.concurrent_updates, gate(settings, shared))
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if request is None:
        request = AiohttpRequest(connection_pool_size=64, read_timeout=15)
        poll_request: BaseRequest = AiohttpRequest(read_timeout=settings.poll_timeout + 10)
    else:
        poll_request = request
    updates_request = UpdatesRequest(poll_request)
    builder = builder.request(MeteredRequest(request)).get_updates_request(updates_request)
    if settings.outbound_rate_limit:
        builder = builder.rate_limiter(
            OutboundLimiter(
                bulk_per_second=settings.bulk_messages_per_second,
                overall_per_second=settings.messages_per_second,
                shared=shared,
            )
        )
    if not updater:
        builder = builder.updater(None)
    if not job_queue:
        builder = builder.job_queue(None)
    application: GongyouApplication = builder.build()
    application.updates_request = updates_request
    application.usage = UsageCounts(settings.timezone)
    application.bot_data["services"] = Services(
        settings=settings,
        db=db,
        router=cast(KnowledgeRouter, _RouterOnDemand()),
        notifier=TelegramNotifier(application.bot, encoders()),
    )
    if job_queue and (jobs := application.job_queue) is not None:
        from handlers import SERVICES

        jobs.run_repeating(_forget_old_updates, interval=3600, first=60)
        for service in SERVICES:
            if service.schedule is not None:
                service.schedule(application)
        # the broadcast sender runs beside a bot that runs for real (started in post_init)
        application.bot_data[BACKGROUND] = True
    register_all(application, settings)
    return application


def gate(settings: Settings, shared: SharedBuckets | None = None) -> InboundGate:
    """The inbound gate for these settings: flood limit, backlog age, notice interval."""
    return InboundGate(
        settings.flood_limit,
        backlog_after=settings.flood_backlog_s,
        notice_every=NOTICE_EVERY,
        shared=shared,
    )


def shared_limits(settings: Settings, token: str | None) -> SharedBuckets | None:
    """The Redis buckets the bot's replicas share, when GONGYOU_REDIS_URL is set."""
    if settings.redis_url is None:
        return None
    return SharedBuckets.for_bot(settings.redis_url, token or settings.require_token())


def encoders() -> dict[str, Encoder]:
    """Every service's button actions and the callback data each becomes."""
    from handlers import SERVICES

    found: dict[str, Encoder] = {}
    for service in SERVICES:
        found.update(service.encoders or {})
    return found


def register_all(application: GongyouApplication, settings: Settings) -> None:
    """Register handlers. Order matters: cross-cutting first, services, catch-all last."""
    from handlers import SERVICES, common, router
    from handlers import inbox as inbox_commands

    application.add_handler(TypeHandler(Update, receive), group=GROUP_RECEIVE)
    processor = application.update_processor
    flood_gate = (
        processor.gate if isinstance(processor, PerUserUpdateProcessor) else gate(settings)
    )
    application.add_handler(TypeHandler(Update, FloodControl(flood_gate)), group=GROUP_FLOOD)
    common.register_commands(application)
    inbox_commands.register(application)
    for service in SERVICES:
        service.register(application)
        for forget in service.forgetters:
            if forget not in FORGETTERS:
                FORGETTERS.append(forget)
        privacy.register(service.exports)
    router.register(application)  # free-text router and catch-alls: last
    application.add_error_handler(on_error)


def escape(text: str) -> str:
    """Escape user text for HTML parse mode."""
    return html.escape(text, quote=False)
