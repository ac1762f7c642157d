"""Build the python-telegram-bot Application and register every handler module in one place."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

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
from telegram.request import BaseRequest, HTTPXRequest

from bot import metrics
from bot.config import Settings
from bot.context import GongyouContext, Services, UpdateScope, bind_scope, unbind_scope
from bot.core.users import FORGETTERS, admit_update, prune_processed_updates
from bot.db import Database
from bot.i18n import normalize_language, t
from bot.ratelimit import Arrival, InboundGate, MeteredRequest, OutboundLimiter
from handlers.notifier import Encoder, TelegramNotifier
from knowledge.index import default_router

log = logging.getLogger(__name__)

#: Processed update ids are kept this long (Telegram keeps undelivered updates for 24 h).
UPDATE_MEMORY = timedelta(hours=48)
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


class GongyouApplication(Application):
    """Application that gives every update its own database session and scope."""

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
        scope = UpdateScope(db=services.db, language=language)
        token = bind_scope(scope)
        try:
            await super().process_update(update)
        finally:
            unbind_scope(token)
            await scope.close()
        metrics.UPDATES.labels(metrics.update_kind(update), scope.service).inc()
        metrics.LATENCY.labels(scope.service).observe(time.perf_counter() - started)


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

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Count the update, wait for the same user's earlier update, then run this one."""
        key = 0
        arrival: Arrival | None = None
        if isinstance(update, Update):
            if update.effective_user is not None:
                key = update.effective_user.id
                arrival = self.gate.arrive(
                    key, update.update_id, collapsible=is_plain_message(update)
                )
            elif update.effective_chat is not None:
                key = update.effective_chat.id
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
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


async def receive(update: Update, context: GongyouContext) -> None:
    """Ignore redelivered updates; create or refresh the sender's user row."""
    scope = context.scope
    tg_user = update.effective_user
    user_id = tg_user.id if tg_user is not None and not tg_user.is_bot else None
    fresh, member = await scope.db.transact(
        admit_update, update_id=update.update_id, user_id=user_id, language=scope.language
    )
    if not fresh:
        metrics.DUPLICATES.inc()
        log.info("update %s was already handled; ignored", update.update_id)
        raise ApplicationHandlerStop
    if member is not None:
        scope.user = member
        scope.language = member.language


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
    try:
        await _apologise(update, context, error)
    finally:
        raise ApplicationHandlerStop


async def _apologise(update: Update, context: GongyouContext, error: Exception | None) -> None:
    try:
        if context.scope.session_open:
            await context.scope.session.rollback()
    except Exception:  # noqa: BLE001 - the scope may be gone or the database down
        log.debug("no session to roll back", exc_info=True)
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
    async with context.services.db.session() as session:
        removed = await prune_processed_updates(session, older_than=UPDATE_MEMORY)
    if removed:
        log.info("forgot %d processed update ids", removed)


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
        "forget",
    )
    return [BotCommand(name, t(lang, f"cmd-{name}")) for name in names]


async def _post_init(application: Application) -> None:
    services: Services = application.bot_data["services"]
    try:
        await application.bot.set_my_commands(bot_commands("zh"))
        await application.bot.set_my_commands(bot_commands("en"), language_code="en")
    except TelegramError:
        log.warning("could not set the command menu", exc_info=True)
    if application.bot_data.get(BACKGROUND):
        from handlers import SERVICES

        for service in SERVICES:
            if service.start is not None:
                service.start(application)
    log.info("gongyou ready (database %s)", services.db.url.render_as_string(hide_password=True))


async def _post_stop(application: Application) -> None:
    from handlers import SERVICES

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
    builder: Any = (
        ApplicationBuilder()
        .application_class(GongyouApplication)
        .token(token or settings.require_token())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=GongyouContext))
        .concurrent_updates(PerUserUpdateProcessor(settings.concurrent_updates, gate(settings)))
        .post_init(_post_init)
        .post_stop(_post_stop)
    )
    if request is None:
        request = HTTPXRequest(connection_pool_size=64, read_timeout=15)
        poll_request: BaseRequest = HTTPXRequest(read_timeout=settings.poll_timeout + 10)
    else:
        poll_request = request
    builder = builder.request(MeteredRequest(request)).get_updates_request(
        MeteredRequest(poll_request)
    )
    if settings.outbound_rate_limit:
        builder = builder.rate_limiter(
            OutboundLimiter(bulk_per_second=settings.bulk_messages_per_second)
        )
    if not updater:
        builder = builder.updater(None)
    if not job_queue:
        builder = builder.job_queue(None)
    application: GongyouApplication = builder.build()
    application.bot_data["services"] = Services(
        settings=settings,
        db=db,
        router=default_router(),
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


def gate(settings: Settings) -> InboundGate:
    """The inbound gate for these settings: flood limit, backlog age, notice interval."""
    return InboundGate(
        settings.flood_limit, backlog_after=settings.flood_backlog_s, notice_every=NOTICE_EVERY
    )


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

    application.add_handler(TypeHandler(Update, receive), group=GROUP_RECEIVE)
    processor = application.update_processor
    flood_gate = (
        processor.gate if isinstance(processor, PerUserUpdateProcessor) else gate(settings)
    )
    application.add_handler(TypeHandler(Update, FloodControl(flood_gate)), group=GROUP_FLOOD)
    common.register_commands(application)
    for service in SERVICES:
        service.register(application)
        for forget in service.forgetters:
            if forget not in FORGETTERS:
                FORGETTERS.append(forget)
    router.register(application)  # free-text router and catch-alls: last
    application.add_error_handler(on_error)


def escape(text: str) -> str:
    """Escape user text for HTML parse mode."""
    return html.escape(text, quote=False)
