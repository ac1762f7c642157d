"""Staff broadcasts: choose the audience, compose or pick this week's postings, preview, send.

`/broadcast` starts a draft (flow "broadcast"); `/broadcast status` lists recent broadcasts
with pause, resume and cancel. A broadcast confirmed inside quiet hours starts when they end
(the preview says when); staff may press "send now anyway" to send through them. Every `jb:`
button checks the staff role again and that the draft or broadcast it speaks of still exists.
Sending is done by the broadcast sender (:mod:`bot.jobs.broadcast`), not here:
:func:`start_sender` runs it beside the bot.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import GongyouContext
from bot.core.models import FlowState, Role, utcnow
from bot.core.text import TextError, checked_text
from bot.core.users import clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.jobs.broadcast import (
    KIND_NOTICE,
    KIND_TEXT,
    KIND_WEEKLY,
    TEXT_MAX,
    AudienceOptions,
    BroadcastError,
    BroadcastProgress,
    BroadcastSender,
    audience_count,
    audience_options,
    audience_text,
    broadcast_status,
    cancel_broadcast,
    launch,
    pause_broadcast,
    quiet_end,
    recent_broadcasts,
    render_text,
    render_weekly,
    resume_broadcast,
    status_label,
    weekly_postings,
    weekly_total,
)
from bot.jobs.models import BroadcastStatus
from handlers.base import register_flow, require_role, stale_button
from handlers.jobs import callbacks

log = logging.getLogger(__name__)

SERVICE = "jobs"
FLOW = "broadcast"
#: Handlers in this group run before the services: they keep non-text out of the draft.
GROUP_GUARD = -1
CALLBACK = re.compile(r"^jb:([a-z]{1,6})(?::(\d{1,10}))?$")
#: Buttons without an argument, and those that carry an option index or a broadcast id.
PLAIN = frozenset({"new", "status", "re", "all", "pick", "ok", "text", "week", "go", "now", "x"})
TOGGLES = {"d": "districts", "i": "industries", "t": "types"}
STEERING = frozenset({"p", "r", "c", "cy"})
RECENT = 5
EMPTY_AUDIENCE: dict[str, list[str]] = {"districts": [], "industries": [], "types": []}
#: Keys of ``bot_data`` where the running sender lives.
SENDER_TASK = "broadcast_sender_task"
SENDER_STOP = "broadcast_sender_stop"


# --- what staff see ---------------------------------------------------------------------------


def _quiet_end(context: GongyouContext, now: datetime) -> datetime | None:
    """When quiet hours end if ``now`` is inside them, else None."""
    settings = context.services.settings
    return quiet_end(now, quiet_hours=settings.quiet_hours, timezone=settings.timezone)


def _local_time(context: GongyouContext, moment: datetime) -> str:
    """``moment`` on the union's wall clock, as staff read it ("07:00")."""
    zone = ZoneInfo(context.services.settings.timezone)
    return moment.astimezone(zone).strftime("%H:%M")


def _eta_text(lang: str, progress: BroadcastProgress) -> str:
    seconds = progress.eta_seconds
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    return t(lang, "bc-eta", minutes=minutes, seconds=int(seconds % 60))


def _progress_text(
    context: GongyouContext, progress: BroadcastProgress, now: datetime, quiet: datetime | None
) -> str:
    lang = context.lang
    preview = " ".join(progress.text.split())[:40]
    status = status_label(lang, progress.status)
    waits = progress.waits_until(now, quiet)
    if waits is not None:
        key = "bc-status-scheduled" if waits == progress.starts_at else "bc-status-night"
        status = t(lang, key, time=_local_time(context, waits))
    text = t(
        lang,
        "bc-progress",
        id=str(progress.id),
        status=status,
        preview=preview,
        total=progress.total,
        sent=progress.sent,
        pending=progress.pending,
        failed=progress.failed,
        blocked=progress.blocked,
        resent=progress.resent,
        rate=f"{progress.rate:.1f}",
        eta=_eta_text(lang, progress),
    )
    if progress.unconfirmed:
        text += "\n" + t(lang, "bc-unconfirmed-old", unconfirmed=progress.unconfirmed)
    return text


def _status_view(
    context: GongyouContext, items: list[BroadcastProgress], now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    lang = context.lang
    quiet = _quiet_end(context, now)
    if not items:
        text = t(lang, "bc-status-none")
    else:
        text = "\n\n".join(
            [t(lang, "bc-status-header")]
            + [_progress_text(context, item, now, quiet) for item in items]
        )
    rows = []
    for item in items:
        row = []
        if item.status is BroadcastStatus.running:
            row.append(
                InlineKeyboardButton(
                    t(lang, "bc-btn-pause", id=str(item.id)), callback_data=f"jb:p:{item.id}"
                )
            )
        if item.status is BroadcastStatus.paused:
            row.append(
                InlineKeyboardButton(
                    t(lang, "bc-btn-resume", id=str(item.id)), callback_data=f"jb:r:{item.id}"
                )
            )
        if item.status in (
            BroadcastStatus.preparing,
            BroadcastStatus.running,
            BroadcastStatus.paused,
        ):
            row.append(
                InlineKeyboardButton(
                    t(lang, "bc-btn-stop", id=str(item.id)), callback_data=f"jb:c:{item.id}"
                )
            )
        if row:
            rows.append(row)
    rows.append(
        [
            InlineKeyboardButton(t(lang, "bc-btn-refresh"), callback_data="jb:re"),
            InlineKeyboardButton(t(lang, "bc-btn-new"), callback_data="jb:new"),
        ]
    )
    return text, InlineKeyboardMarkup(rows)


def _picker_keyboard(
    lang: str, options: dict[str, list[str]], chosen: dict[str, list[str]], count: int
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for code, key in TOGGLES.items():
        buttons = []
        for index, value in enumerate(options.get(code, [])):
            if key == "industries":
                bc_industry = value
                label = t(lang, f"industry-{bc_industry}")
            elif key == "types":
                bc_type = value
                label = t(lang, f"type-{bc_type}")
            else:
                label = value
            mark = "✅ " if value in chosen.get(key, []) else ""
            buttons.append(
                InlineKeyboardButton(f"{mark}{label}"[:40], callback_data=f"jb:{code}:{index}")
            )
        rows += [buttons[start : start + 3] for start in range(0, len(buttons), 3)]
    rows.append(
        [
            InlineKeyboardButton(t(lang, "bc-btn-done", count=count), callback_data="jb:ok"),
            InlineKeyboardButton(t(lang, "bc-btn-cancel"), callback_data="jb:x"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def _kind_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "bc-btn-compose"), callback_data="jb:text")],
            [InlineKeyboardButton(t(lang, "bc-btn-weekly"), callback_data="jb:week")],
            [InlineKeyboardButton(t(lang, "bc-btn-cancel"), callback_data="jb:x")],
        ]
    )


# --- entry points -----------------------------------------------------------------------------


async def command(update: Update, context: GongyouContext) -> None:
    """Start a new broadcast (`/broadcast`) or show progress (`/broadcast status`); staff only."""
    if not await require_role(update, context, Role.staff):
        return
    context.scope.service = SERVICE
    args = context.args or []
    if args and args[0].lower() in ("status", "进度", "状态"):
        await _send_status(update, context)
        return
    await _start_draft(update, context)


async def _start_draft(update: Update, context: GongyouContext) -> None:
    user = update.effective_user
    if user is None:
        return
    data = {"aud": dict(EMPTY_AUDIENCE), "opts": {}}
    await set_flow(context.db, user_id=user.id, flow=FLOW, step="audience", data=data)
    options: AudienceOptions = await context.services.db.transact(audience_options)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(context.lang, "bc-btn-all", count=options.subscribers),
                    callback_data="jb:all",
                )
            ],
            [InlineKeyboardButton(t(context.lang, "bc-btn-pick"), callback_data="jb:pick")],
            [
                InlineKeyboardButton(t(context.lang, "bc-btn-status"), callback_data="jb:status"),
                InlineKeyboardButton(t(context.lang, "bc-btn-cancel"), callback_data="jb:x"),
            ],
        ]
    )
    await context.reply(update, "bc-audience-ask", keyboard=keyboard, count=options.subscribers)


async def _send_status(update: Update, context: GongyouContext, *, edit: bool = False) -> None:
    now = utcnow()
    items = await context.services.db.transact(recent_broadcasts, limit=RECENT, now=now)
    text, keyboard = _status_view(context, items, now)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
        return
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)


# --- buttons ----------------------------------------------------------------------------------


async def on_button(update: Update, context: GongyouContext) -> None:
    """Handle a `jb:` button: staff only, and only while what it refers to still exists."""
    query = update.callback_query
    if query is None:
        return
    if not await require_role(update, context, Role.staff):
        return
    context.scope.service = SERVICE
    found = CALLBACK.match(query.data or "")
    action, number = (found.group(1), found.group(2)) if found else ("", None)
    if action in PLAIN and number is None:
        await _plain_button(update, context, action)
    elif action in TOGGLES and number is not None:
        await _toggle(update, context, TOGGLES[action], action, int(number))
    elif action in STEERING and number is not None:
        await _steer(update, context, action, int(number))
    else:
        await stale_button(update, context)


async def _draft(update: Update, context: GongyouContext, *steps: str) -> FlowState | None:
    """The user's broadcast draft if it is at one of ``steps``; otherwise answer 'stale'."""
    user = update.effective_user
    state = await get_flow(context.db, user_id=user.id) if user is not None else None
    if state is None or state.flow != FLOW or state.step not in steps:
        await stale_button(update, context)
        return None
    return state


async def _plain_button(update: Update, context: GongyouContext, action: str) -> None:
    query = update.callback_query
    assert query is not None
    if action == "new":
        await query.answer()
        await _start_draft(update, context)
    elif action in ("status", "re"):
        await query.answer()
        await _send_status(update, context, edit=action == "re")
    elif action == "x":
        await _abandon(update, context)
    elif action in ("all", "ok"):
        await _audience_chosen(update, context, everyone=action == "all")
    elif action == "pick":
        await _show_picker(update, context)
    elif action == "text":
        if (state := await _draft(update, context, "kind")) is None:
            return
        await query.answer()
        await _advance(context, state, step="compose", kind=KIND_TEXT)
        await context.reply(update, "bc-compose-ask", limit=TEXT_MAX)
    elif action == "week":
        await _weekly_chosen(update, context)
    elif action in ("go", "now"):
        await _confirm(update, context, ignore_quiet=action == "now")


async def _advance(
    context: GongyouContext, state: FlowState, *, step: str, **changes: Any
) -> None:
    data = dict(state.data)
    data.update(changes)
    await set_flow(context.db, user_id=state.user_id, flow=FLOW, step=step, data=data)


async def _abandon(update: Update, context: GongyouContext) -> None:
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    state = await get_flow(context.db, user_id=user.id) if user is not None else None
    if state is None or state.flow != FLOW:
        await stale_button(update, context)
        return
    await clear_flow(context.db, user_id=state.user_id)
    await query.answer()
    await context.reply(update, "bc-draft-cancelled")


async def _show_picker(update: Update, context: GongyouContext) -> None:
    query = update.callback_query
    assert query is not None
    if (state := await _draft(update, context, "audience")) is None:
        return
    options: AudienceOptions = await context.services.db.transact(audience_options)
    if not (options.districts or options.industries or options.types):
        await query.answer(context.t("bc-pick-nothing"), show_alert=True)
        return
    opts = {
        "d": list(options.districts),
        "i": list(options.industries),
        "t": list(options.types),
    }
    chosen = dict(EMPTY_AUDIENCE)
    await _advance(context, state, step="audience", opts=opts, aud=chosen)
    await query.answer()
    count = options.subscribers
    await context.reply(
        update, "bc-pick-ask", keyboard=_picker_keyboard(context.lang, opts, chosen, count)
    )


async def _toggle(
    update: Update, context: GongyouContext, key: str, code: str, index: int
) -> None:
    query = update.callback_query
    assert query is not None
    if (state := await _draft(update, context, "audience")) is None:
        return
    opts: dict[str, list[str]] = state.data.get("opts") or {}
    values = opts.get(code) or []
    if index >= len(values):
        await stale_button(update, context)
        return
    chosen = {k: list(v) for k, v in (state.data.get("aud") or EMPTY_AUDIENCE).items()}
    picked = chosen.setdefault(key, [])
    value = values[index]
    if value in picked:
        picked.remove(value)
    else:
        picked.append(value)
    await _advance(context, state, step="audience", aud=chosen)
    count = await context.services.db.transact(audience_count, audience=chosen)
    await query.answer()
    try:
        await query.edit_message_reply_markup(
            reply_markup=_picker_keyboard(context.lang, opts, chosen, count)
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def _audience_chosen(update: Update, context: GongyouContext, *, everyone: bool) -> None:
    query = update.callback_query
    assert query is not None
    if (state := await _draft(update, context, "audience")) is None:
        return
    audience = dict(EMPTY_AUDIENCE) if everyone else (state.data.get("aud") or EMPTY_AUDIENCE)
    try:
        count = await context.services.db.transact(audience_count, audience=audience)
    except BroadcastError:
        await stale_button(update, context)
        return
    await query.answer()
    if count == 0:
        await context.reply(update, "bc-audience-empty")
        return
    await _advance(context, state, step="kind", aud=audience)
    await context.reply(
        update,
        "bc-kind-ask",
        keyboard=_kind_keyboard(context.lang),
        count=count,
        audience=audience_text(context.lang, audience),
    )


async def _weekly_chosen(update: Update, context: GongyouContext) -> None:
    query = update.callback_query
    assert query is not None
    if (state := await _draft(update, context, "kind")) is None:
        return
    audience = state.data.get("aud") or EMPTY_AUDIENCE
    now = utcnow()
    views = await context.services.db.transact(weekly_postings, audience=audience, now=now)
    total = await context.services.db.transact(weekly_total, audience=audience, now=now)
    await query.answer()
    if not views:
        await context.reply(update, "bc-weekly-none", keyboard=_kind_keyboard(context.lang))
        return
    await _advance(
        context, state, step="preview", kind=KIND_WEEKLY, postings=[view.id for view in views]
    )
    chat = update.effective_chat
    if chat is not None:
        preview = render_weekly(context.lang, views, total)
        await context.bot.send_message(
            chat.id, preview.text, reply_markup=callbacks.keyboard(preview)
        )
    await _ask_confirm(update, context, audience)


async def _ask_confirm(update: Update, context: GongyouContext, audience: dict[str, Any]) -> None:
    """Ask to confirm; inside quiet hours say when it would start and offer to send now."""
    lang = context.lang
    count = await context.services.db.transact(audience_count, audience=audience)
    starts = _quiet_end(context, utcnow())
    if starts is None:
        rows = [[InlineKeyboardButton(t(lang, "bc-btn-send", count=count), callback_data="jb:go")]]
    else:
        at = _local_time(context, starts)
        rows = [
            [
                InlineKeyboardButton(
                    t(lang, "bc-btn-send-later", count=count, time=at), callback_data="jb:go"
                )
            ],
            [InlineKeyboardButton(t(lang, "bc-btn-send-now"), callback_data="jb:now")],
        ]
    rows.append([InlineKeyboardButton(t(lang, "bc-btn-cancel"), callback_data="jb:x")])
    text = t(lang, "bc-preview-confirm", count=count, audience=audience_text(lang, audience))
    if starts is not None:
        text += "\n" + t(lang, "bc-preview-quiet", time=_local_time(context, starts))
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=InlineKeyboardMarkup(rows))


async def _confirm(update: Update, context: GongyouContext, *, ignore_quiet: bool) -> None:
    """Start the broadcast: at once, or when quiet hours end unless staff chose to send now."""
    query = update.callback_query
    assert query is not None
    if (state := await _draft(update, context, "preview")) is None:
        return
    now = utcnow()
    starts_at = None if ignore_quiet else _quiet_end(context, now)
    data = state.data
    audience = dict(data.get("aud") or EMPTY_AUDIENCE)
    kind = str(data.get("kind", KIND_TEXT))
    if kind == KIND_WEEKLY:
        audience["postings"] = list(data.get("postings") or [])
    try:
        broadcast_id, total = await launch(
            context.services.db,
            created_by=state.user_id,
            audience=audience,
            kind=kind,
            text=str(data.get("text", "")),
            now=now,
            starts_at=starts_at,
            ignore_quiet=ignore_quiet,
        )
    except BroadcastError as exc:
        await clear_flow(context.db, user_id=state.user_id)
        await query.answer()
        key = "bc-weekly-gone" if exc.reason == "no_postings" else "bc-draft-invalid"
        await context.reply(update, key)
        return
    await clear_flow(context.db, user_id=state.user_id)
    await query.answer()
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(context.lang, "bc-btn-status"), callback_data="jb:status")]]
    )
    if starts_at is not None:
        at = _local_time(context, starts_at)
        await context.reply(
            update, "bc-scheduled", keyboard=keyboard, id=str(broadcast_id), total=total, time=at
        )
        return
    await context.reply(update, "bc-started", keyboard=keyboard, id=str(broadcast_id), total=total)


async def _steer(update: Update, context: GongyouContext, action: str, broadcast_id: int) -> None:
    query = update.callback_query
    assert query is not None
    db = context.services.db
    progress = await db.transact(broadcast_status, broadcast_id=broadcast_id)
    if progress is None or progress.kind == KIND_NOTICE:
        await stale_button(update, context)
        return
    if action == "c":
        await query.answer()
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(context.lang, "bc-btn-stop-yes"), callback_data=f"jb:cy:{broadcast_id}"
                    ),
                    InlineKeyboardButton(t(context.lang, "bc-btn-stop-no"), callback_data="jb:re"),
                ]
            ]
        )
        await context.reply(
            update,
            "bc-stop-ask",
            keyboard=keyboard,
            id=str(broadcast_id),
            pending=progress.pending,
        )
        return
    actor = update.effective_user.id if update.effective_user else None
    if action == "p":
        changed = await db.transact(pause_broadcast, broadcast_id=broadcast_id, actor_id=actor)
        key = "bc-paused"
    elif action == "r":
        changed = await db.transact(resume_broadcast, broadcast_id=broadcast_id, actor_id=actor)
        key = "bc-resumed"
    else:
        changed = await db.transact(cancel_broadcast, broadcast_id=broadcast_id, actor_id=actor)
        key = "bc-stopped"
    if not changed:
        await query.answer(context.t("bc-not-changed"), show_alert=True)
        return
    await query.answer(context.t(key, id=str(broadcast_id)))
    await _send_status(update, context, edit=True)


# --- text and other messages in the draft -----------------------------------------------------


async def on_flow_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the broadcast text while composing; otherwise point at the buttons."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if not context.has_role(Role.staff):
        await clear_flow(context.db, user_id=state.user_id)
        await context.reply(update, "role-refused")
        return
    context.scope.service = SERVICE
    if state.step != "compose":
        await context.reply(update, "bc-use-buttons")
        return
    try:
        text = checked_text(message.text, limit=TEXT_MAX, layout="ends", form=None)
    except TextError as error:
        if error.reason == "empty":
            await context.reply(update, "bc-compose-ask", limit=TEXT_MAX)
        else:
            length = len(message.text.strip())
            await context.reply(update, "bc-too-long", limit=TEXT_MAX, length=length)
        return
    await _advance(context, state, step="preview", kind=KIND_TEXT, text=text)
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, render_text(text).text)
    await _ask_confirm(update, context, state.data.get("aud") or EMPTY_AUDIENCE)


async def on_other_in_flow(update: Update, context: GongyouContext) -> None:
    """Refuse photos, files and the like politely while a broadcast is being written."""
    member = context.user
    if member is None or member.flow != FLOW:
        return
    user = update.effective_user
    state = await get_flow(context.db, user_id=user.id) if user is not None else None
    if state is None or state.flow != FLOW:
        return
    key = "bc-text-only" if state.step == "compose" else "bc-use-buttons"
    await context.reply(update, key)
    raise ApplicationHandlerStop


def register(app: Application) -> None:
    """Register /broadcast, its buttons, its flow and the draft's non-text guard."""
    register_flow(FLOW, on_flow_text)
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("broadcast", command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^jb:"))
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_other_in_flow),
        group=GROUP_GUARD,
    )


# --- running the sender next to the bot -------------------------------------------------------


def start_sender(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Run the broadcast sender as a background task of ``application`` (call from post_init)."""
    if application.bot_data.get(SENDER_TASK) is not None:
        return
    services = application.bot_data["services"]
    settings = services.settings
    sender = BroadcastSender(
        services.notifier,
        services.db,
        rate=settings.bulk_messages_per_second,
        quiet_hours=settings.quiet_hours,
        timezone=settings.timezone,
        lease_seconds=settings.sender_lease_s,
    )
    stop = asyncio.Event()
    application.bot_data[SENDER_STOP] = stop
    application.bot_data[SENDER_TASK] = asyncio.create_task(
        sender.run(stop), name="broadcast-sender"
    )


async def stop_sender(
    application: Application[Any, Any, Any, Any, Any, Any], *, grace: float = 10.0
) -> None:
    """Let the sender finish its batch and give up the lease (call from post_stop)."""
    task: asyncio.Task[None] | None = application.bot_data.pop(SENDER_TASK, None)
    stop: asyncio.Event | None = application.bot_data.pop(SENDER_STOP, None)
    if task is None:
        return
    if stop is not None:
        stop.set()
    try:
        await asyncio.wait_for(task, grace)
    except TimeoutError:
        log.warning("broadcast sender did not stop within %.0f s; cancelled", grace)
    except Exception:
        log.exception("broadcast sender ended with an error")
