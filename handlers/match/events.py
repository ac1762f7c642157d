"""Union socials (联谊活动) in the chat: staff create and manage them, members sign up.

Staff: `/match event` asks for title, time, place, places, gender balance and sign-up deadline
(a flow kept in the database) and creates the social; `/match events` lists what is coming
with export and cancel buttons; `/match export <id>` sends the attendee list as CSV.
Members (verified only): the "me:list" button of the matchmaking menu shows upcoming socials
with sign-up and cancel buttons; a full social puts them on the waiting list, and a place given
back goes to the first member waiting. Reminders go out the day before (job queue).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import FlowState, Role, utcnow
from bot.core.notify import Outgoing
from bot.core.users import clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.match.core import EVENT_FLOW, GENDERS, SERVICE, option_label
from bot.match.events import (
    BUTTON_STEPS,
    MAX_CAPACITY,
    MIN_CAPACITY,
    PLACE_LIMIT,
    STEPS,
    TITLE_LIMIT,
    EventInputError,
    EventView,
    MemberEvent,
    Promoted,
    cancel_buttons,
    cancel_event,
    check_deadline,
    clean_name,
    clean_text,
    create_event,
    day_before,
    day_before_ok,
    draft_data,
    draft_time,
    event_lines,
    export_signups,
    get_event,
    leave_event,
    member_events,
    parse_capacity,
    parse_deadline,
    parse_start,
    send_reminders,
    sign_up,
    staff_events,
    when_text,
)
from handlers.base import (
    InFlow,
    fit,
    register_flow,
    require_role,
    send_or_edit,
    stale_button,
    tell,
)
from handlers.match.callbacks import cancel_signup
from handlers.membership import ensure_verified, register_continuation

log = logging.getLogger(__name__)

LABEL_LIMIT = 24
#: Member verbs: ``list``, ``j|c:<event>`` (sign up, cancel), ``g:<event>:<m|f>`` (gender).
#: Staff verbs: ``ev`` (list), ``ok``/``x`` (create, drop the new social), ``dl`` (deadline the
#: day before), ``bal:<y|n>``, ``b:<step>`` (back), ``e|cx|cxok:<event>`` (export, cancel).
EVENT_BUTTON = re.compile(
    r"^me:(?:(list|ev|ok|x|dl)|(j|c|e|cx|cxok):(\d{1,9})|g:(\d{1,9}):([mf])|bal:([yn])"
    r"|b:(start|place|capacity|balance|deadline|summary))$"
)
#: How often the reminders run (seconds).
REMIND_EVERY = 15 * 60
REMINDER_JOB = "match-reminders"


# --- sending ----------------------------------------------------------------------------------


async def _transact(context: GongyouContext, fn: Any, /, **params: Any) -> Any:
    """Run ``fn`` in one transaction, after ending the update session's read (SQLite)."""
    if context.scope.session_open:
        await context.db.commit()
    return await context.services.db.transact(fn, **params)


def _zone(context: GongyouContext) -> str:
    return context.services.settings.timezone


# --- members: the list, signing up, cancelling ------------------------------------------------


def _places_text(lang: str, event: EventView) -> str:
    """Places left, or the waiting list when full."""
    if event.left <= 0:
        return t(lang, "me-places-full", waiting=event.waiting)
    if event.balanced:
        return t(
            lang,
            "me-places-left-balanced",
            left=event.left,
            men=event.left_for("m"),
            women=event.left_for("f"),
        )
    return t(lang, "me-places-left", left=event.left)


def _member_entry(lang: str, item: MemberEvent, zone: str, *, closed: bool) -> str:
    event = item.event
    lines = [event_lines(lang, event, zone), _places_text(lang, event)]
    if closed:
        lines.append(t(lang, "me-deadline-passed"))
    else:
        lines.append(t(lang, "me-deadline", when=when_text(lang, event.signup_until, zone)))
    if item.status == "going":
        lines.append(t(lang, "me-mine-going"))
    elif item.status == "waiting":
        lines.append(t(lang, "me-mine-waiting", position=item.position))
    return "\n".join(lines)


async def show_events(update: Update, context: GongyouContext) -> None:
    """List upcoming socials with the member's place and sign-up or cancel buttons."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    if not await ensure_verified(update, context, then="events"):
        return
    lang, zone, now = context.lang, _zone(context), utcnow()
    items: list[MemberEvent] = await _transact(context, member_events, user_id=user.id, now=now)
    back = [InlineKeyboardButton(t(lang, "me-btn-back"), callback_data="m:match")]
    if not items:
        await send_or_edit(update, context, t(lang, "me-list-none"), InlineKeyboardMarkup([back]))
        return
    parts = [t(lang, "me-list-head")]
    rows = []
    for item in items:
        event = item.event
        closed = event.signup_until < now
        parts.append(_member_entry(lang, item, zone, closed=closed))
        title = fit(event.title, LABEL_LIMIT)
        if item.status is not None:
            label = t(lang, "me-btn-leave-title", title=title)
            rows.append([InlineKeyboardButton(label, callback_data=cancel_signup(event.id))])
        elif not closed:
            label = t(lang, "me-btn-join", title=title)
            rows.append([InlineKeyboardButton(label, callback_data=f"me:j:{event.id}")])
    rows.append(back)
    await send_or_edit(update, context, "\n\n".join(parts), InlineKeyboardMarkup(rows))


def _after_signup_keyboard(lang: str, event_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(lang, "me-btn-leave"), callback_data=cancel_signup(event_id))],
            [InlineKeyboardButton(t(lang, "me-btn-list"), callback_data="me:list")],
        ]
    )


async def _join(
    update: Update, context: GongyouContext, event_id: int, gender: str | None
) -> None:
    """Sign the member up: a place, the waiting list, or first a question about gender."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    if not await ensure_verified(update, context, then="events"):
        await query.answer()
        return
    lang, zone = context.lang, _zone(context)
    name = user.full_name
    result = await _transact(
        context,
        sign_up,
        event_id=event_id,
        user_id=user.id,
        name=name,
        gender=gender,
        now=utcnow(),
    )
    event: EventView | None = result.event
    if result.outcome == "missing" or event is None:
        await stale_button(update, context)
        return
    if result.outcome == "gone":
        await query.answer(t(lang, "me-gone"), show_alert=True)
        return
    if result.outcome == "closed":
        await query.answer(t(lang, "me-closed"), show_alert=True)
        return
    if result.outcome == "already":
        if result.status == "going":
            await query.answer(t(lang, "me-already-going"))
        else:
            await query.answer(t(lang, "me-already-waiting", position=result.position))
        return
    await query.answer()
    if result.outcome == "gender":
        buttons = [
            InlineKeyboardButton(
                option_label(lang, "gender", key), callback_data=f"me:g:{event_id}:{key}"
            )
            for key in GENDERS
        ]
        text = t(lang, "me-ask-gender", event=event_lines(lang, event, zone))
        await send_or_edit(update, context, text, InlineKeyboardMarkup([buttons]))
        return
    shown = clean_name(name)
    if result.outcome == "going":
        text = t(lang, "me-joined", event=event_lines(lang, event, zone), name=shown)
    else:
        text = t(
            lang,
            "me-joined-waiting",
            event=event_lines(lang, event, zone),
            position=result.position,
            name=shown,
        )
    await send_or_edit(
        update, context, text, _after_signup_keyboard(lang, event_id), edit=gender is not None
    )


async def _tell_promoted(
    context: GongyouContext, event: EventView, promoted: list[Promoted]
) -> None:
    """Tell members who moved up from the waiting list that they have a place."""
    zone = _zone(context)
    for member in promoted:
        lang = member.language
        text = t(lang, "me-promoted", event=event_lines(lang, event, zone))
        message = Outgoing(text, buttons=cancel_buttons(lang, event.id))
        await context.notifier.tell(member.user_id, message)


async def _leave(update: Update, context: GongyouContext, event_id: int) -> None:
    """Cancel the member's sign-up; the first member waiting who fits gets the place."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    lang = context.lang
    result = await _transact(
        context, leave_event, event_id=event_id, user_id=user.id, now=utcnow()
    )
    event: EventView | None = result.event
    if result.outcome == "missing" or event is None:
        await stale_button(update, context)
        return
    if result.outcome == "not_signed_up":
        await query.answer(t(lang, "me-not-signed-up"))
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "me-btn-list"), callback_data="me:list")]]
    )
    await send_or_edit(update, context, t(lang, "me-left", title=event.title), keyboard)
    await _tell_promoted(context, event, result.promoted or [])


# --- staff: a new social ----------------------------------------------------------------------


def _question(lang: str, step: str) -> str:
    match step:
        case "title":
            return t(lang, "me-ask-title", limit=TITLE_LIMIT)
        case "start":
            return t(lang, "me-ask-start")
        case "place":
            return t(lang, "me-ask-place", limit=PLACE_LIMIT)
        case "capacity":
            return t(lang, "me-ask-capacity", min=str(MIN_CAPACITY), max=str(MAX_CAPACITY))
        case "balance":
            return t(lang, "me-ask-balance")
        case _:
            return t(lang, "me-ask-deadline")


def _error(lang: str, error: EventInputError) -> str:
    match error.reason:
        case "empty":
            return t(lang, "me-bad-empty")
        case "too_long":
            return t(lang, "me-bad-too-long", limit=error.limit)
        case "time":
            return t(lang, "me-bad-time")
        case "past":
            return t(lang, "me-bad-past")
        case "after_start":
            return t(lang, "me-bad-after-start")
        case _:
            return t(lang, "me-bad-capacity", min=str(MIN_CAPACITY), max=str(MAX_CAPACITY))


def _yes_no(lang: str, value: bool) -> str:
    return t(lang, "me-yes") if value else t(lang, "me-no")


def _current(lang: str, step: str, data: dict[str, Any], zone: str) -> str:
    """What the staff member already answered to ``step`` ('' if nothing)."""
    value: str = ""
    if step in ("title", "place"):
        value = str(data.get(step) or "")
    elif step == "capacity" and data.get("capacity"):
        value = str(data["capacity"])
    elif step == "balance" and data.get("balanced") is not None:
        value = _yes_no(lang, bool(data["balanced"]))
    elif step in ("start", "deadline"):
        moment = draft_time(data, "start" if step == "start" else "until")
        value = when_text(lang, moment, zone) if moment is not None else ""
    return t(lang, "me-current", value=value) if value else ""


def _summary(lang: str, data: dict[str, Any], zone: str) -> str:
    start, until = draft_time(data, "start"), draft_time(data, "until")
    return t(
        lang,
        "me-summary",
        title=str(data.get("title") or ""),
        when=when_text(lang, start, zone) if start else "",
        place=str(data.get("place") or ""),
        capacity=str(data.get("capacity") or ""),
        balance=_yes_no(lang, bool(data.get("balanced"))),
        deadline=when_text(lang, until, zone) if until else "",
    )


async def _ask(
    update: Update,
    context: GongyouContext,
    step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Ask the question of ``step`` (or show the summary) with its buttons."""
    lang, zone = context.lang, _zone(context)
    parts = [note] if note else []
    rows: list[list[InlineKeyboardButton]] = []
    if step == "summary":
        parts.append(_summary(lang, data, zone))
        rows.append([InlineKeyboardButton(t(lang, "me-btn-create"), callback_data="me:ok")])
    else:
        parts.append(_question(lang, step))
        if current := _current(lang, step, data, zone):
            parts.append(current)
    if step == "balance":
        rows.append(
            [
                InlineKeyboardButton(t(lang, "me-btn-balanced"), callback_data="me:bal:y"),
                InlineKeyboardButton(t(lang, "me-btn-not-balanced"), callback_data="me:bal:n"),
            ]
        )
    elif step == "deadline":
        start = draft_time(data, "start")
        if start is not None and day_before_ok(start, now=utcnow(), zone=zone):
            when = when_text(lang, day_before(start, zone=zone), zone)
            label = t(lang, "me-btn-day-before", when=when)
            rows.append([InlineKeyboardButton(label, callback_data="me:dl")])
    navigation = []
    if step != STEPS[0]:
        navigation.append(
            InlineKeyboardButton(t(lang, "me-btn-back-step"), callback_data=f"me:b:{step}")
        )
    navigation.append(InlineKeyboardButton(t(lang, "me-btn-drop"), callback_data="me:x"))
    rows.append(navigation)
    await send_or_edit(update, context, "\n\n".join(parts), InlineKeyboardMarkup(rows), edit=edit)


async def _go(
    update: Update,
    context: GongyouContext,
    user_id: int,
    step: str,
    data: dict[str, Any],
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Store the flow at ``step`` and ask its question."""
    await set_flow(context.db, user_id=user_id, flow=EVENT_FLOW, step=step, data=data)
    await _ask(update, context, step, data, note=note, edit=edit)


def _next(step: str) -> str:
    return STEPS[STEPS.index(step) + 1]


async def start_new_event(update: Update, context: GongyouContext) -> None:
    """Start the questions of a new social (staff, private chat), or resume them."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.reply(update, "me-private-only")
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == EVENT_FLOW and state.step in STEPS:
        await _ask(
            update, context, state.step, dict(state.data or {}), note=context.t("me-resume")
        )
        return
    await _go(update, context, user.id, STEPS[0], {}, note=context.t("me-new-intro"))


async def on_event_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the staff member's typed answer to the current question of a new social."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    if not context.has_role(Role.staff):
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "role-refused")
        return
    data = dict(state.data or {})
    step = state.step if state.step in STEPS else "summary"
    if step in BUTTON_STEPS:
        await _ask(update, context, step, data, note=context.t("me-use-buttons"))
        return
    text, now, zone = message.text, utcnow(), _zone(context)
    note = None
    try:
        if step in ("title", "place"):
            limit = TITLE_LIMIT if step == "title" else PLACE_LIMIT
            data = draft_data(data, **{step: clean_text(text, limit=limit)})
        elif step == "start":
            starts = parse_start(text, now=now, zone=zone)
            data = draft_data(data, start=starts)
            note = _understood(context.lang, starts, zone)
        elif step == "capacity":
            data = draft_data(data, capacity=parse_capacity(text))
        else:
            start = draft_time(data, "start")
            if start is None:
                await _go(update, context, user.id, "start", data)
                return
            until = parse_deadline(text, start=start, now=now, zone=zone)
            data = draft_data(data, until=until)
            note = _understood(context.lang, until, zone)
    except EventInputError as error:
        await _ask(update, context, step, data, note=_error(context.lang, error))
        return
    await _go(update, context, user.id, _next(step), data, note=note)


def _understood(lang: str, moment: datetime, zone: str) -> str:
    """The date and time read from what staff typed, with the year, so they can check it."""
    local = moment.astimezone(ZoneInfo(zone))
    return t(lang, "me-time-understood", year=str(local.year), when=when_text(lang, moment, zone))


async def on_event_media(update: Update, context: GongyouContext) -> None:
    """Ask again when staff send a photo, file or sticker in the middle of a new social."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != EVENT_FLOW:
        await context.reply(update, "hint-other")
        return
    step = state.step if state.step in STEPS else "summary"
    key = "me-use-buttons" if step in BUTTON_STEPS else "me-text-only"
    await _ask(update, context, step, dict(state.data or {}), note=context.t(key))


async def _flow_button(
    update: Update, context: GongyouContext, verb: str, argument: str | None
) -> None:
    """Handle the buttons of a new social: balance, deadline, back, create, drop."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != EVENT_FLOW or state.step not in STEPS:
        await stale_button(update, context)
        return
    data, step, lang, zone = dict(state.data or {}), state.step, context.lang, _zone(context)
    if verb == "x":
        await clear_flow(context.db, user_id=user.id)
        await query.answer()
        await send_or_edit(update, context, t(lang, "me-new-dropped"), edit=True)
    elif verb == "b" and argument == step and step != STEPS[0]:
        await query.answer()
        await _go(update, context, user.id, STEPS[STEPS.index(step) - 1], data, edit=True)
    elif verb == "bal" and step == "balance":
        await query.answer()
        data = draft_data(data, balanced=argument == "y")
        await _go(update, context, user.id, "deadline", data, edit=True)
    elif verb == "dl" and step == "deadline" and (start := draft_time(data, "start")) is not None:
        try:
            until = check_deadline(day_before(start, zone=zone), start=start, now=utcnow())
        except EventInputError as error:
            await query.answer(_error(lang, error), show_alert=True)
            return
        await query.answer()
        await _go(update, context, user.id, "summary", draft_data(data, until=until), edit=True)
    elif verb == "ok" and step == "summary":
        await _create(update, context, user.id, data)
    else:
        await stale_button(update, context)


async def _create(
    update: Update, context: GongyouContext, user_id: int, data: dict[str, Any]
) -> None:
    """Create the social; show its number and the announcement members will read."""
    query = update.callback_query
    assert query is not None
    lang, zone, now = context.lang, _zone(context), utcnow()
    try:
        event_id = await _transact(context, create_event, user_id=user_id, now=now)
    except EventInputError as error:
        await query.answer()
        start = draft_time(data, "start")
        step = "start" if start is None or start <= now else "deadline"
        await _go(update, context, user_id, step, data, note=_error(lang, error))
        return
    if event_id is None:
        await stale_button(update, context)
        return
    event = await _transact(context, get_event, event_id=event_id)
    await query.answer()
    await send_or_edit(update, context, t(lang, "me-created", id=str(event_id)), edit=True)
    await send_or_edit(update, context, announcement(lang, event, zone))


def announcement(lang: str, event: EventView, zone: str) -> str:
    """The text staff can forward to members about a new social."""
    return t(
        lang,
        "me-announce",
        event=event_lines(lang, event, zone),
        capacity=str(event.capacity),
        balance=t(lang, "me-announce-balanced") if event.balanced else "",
        deadline=when_text(lang, event.signup_until, zone),
    )


# --- staff: the list, export, cancel ----------------------------------------------------------


async def show_staff_events(
    update: Update, context: GongyouContext, *, edit: bool = False
) -> None:
    """List upcoming socials with sign-up counts and export and cancel buttons."""
    lang, zone = context.lang, _zone(context)
    events: list[EventView] = await _transact(context, staff_events, now=utcnow())
    if not events:
        await send_or_edit(update, context, t(lang, "me-staff-none"), edit=edit)
        return
    parts = [t(lang, "me-staff-head")]
    rows = []
    for event in events:
        counts = t(
            lang,
            "me-staff-counts",
            going=event.going,
            capacity=str(event.capacity),
            waiting=event.waiting,
        )
        if event.balanced:
            going = dict(event.going_by_gender)
            counts += t(lang, "me-staff-balanced", men=going.get("m", 0), women=going.get("f", 0))
        head = t(lang, "me-staff-number", id=str(event.id))
        parts.append("\n".join((head, event_lines(lang, event, zone), counts)))
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "me-btn-export", id=str(event.id)), callback_data=f"me:e:{event.id}"
                ),
                InlineKeyboardButton(
                    t(lang, "me-btn-cancel-event", id=str(event.id)),
                    callback_data=f"me:cx:{event.id}",
                ),
            ]
        )
    parts.append(t(lang, "me-staff-footer"))
    await send_or_edit(update, context, "\n\n".join(parts), InlineKeyboardMarkup(rows), edit=edit)


async def _export(update: Update, context: GongyouContext, event_id: int) -> bool:
    """Send a social's sign-ups as a CSV file; False if there is no such social."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return False
    lang = context.lang
    export = await _transact(
        context,
        export_signups,
        event_id=event_id,
        actor_id=user.id,
        lang=lang,
        zone=_zone(context),
        now=utcnow(),
    )
    if export is None:
        return False
    thread = None
    if update.effective_message is not None and update.effective_message.is_topic_message:
        thread = update.effective_message.message_thread_id
    await context.bot.send_document(
        chat.id,
        document=export.data,
        filename=f"event-{event_id}.csv",
        caption=t(lang, "me-export-caption", title=export.event.title, rows=export.rows),
        message_thread_id=thread,
    )
    return True


async def _confirm_cancel(update: Update, context: GongyouContext, event_id: int) -> None:
    """Ask staff to confirm cancelling a social (its members will be told)."""
    query = update.callback_query
    assert query is not None
    lang = context.lang
    event: EventView | None = await _transact(context, get_event, event_id=event_id)
    if event is None or event.cancelled:
        await stale_button(update, context)
        return
    await query.answer()
    text = t(
        lang,
        "me-cancel-confirm",
        event=event_lines(lang, event, _zone(context)),
        going=event.going,
        waiting=event.waiting,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "me-btn-cancel-yes"), callback_data=f"me:cxok:{event_id}"
                ),
                InlineKeyboardButton(t(lang, "me-btn-cancel-no"), callback_data="me:ev"),
            ]
        ]
    )
    await send_or_edit(update, context, text, keyboard, edit=True)


async def _cancel(update: Update, context: GongyouContext, event_id: int) -> None:
    """Cancel a social and tell everyone signed up for it."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    lang, zone = context.lang, _zone(context)
    cancelled = await _transact(
        context, cancel_event, event_id=event_id, actor_id=user.id, now=utcnow()
    )
    if cancelled is None:
        await stale_button(update, context)
        return
    await query.answer()
    event: EventView = cancelled.event
    told = 0
    for member in cancelled.members:
        text = t(
            member.language, "me-event-cancelled", event=event_lines(member.language, event, zone)
        )
        told += await tell(context.bot, member.user_id, text)
    done = t(lang, "me-cancel-done", title=event.title, told=told)
    await send_or_edit(update, context, done, edit=True)


# --- entry points -----------------------------------------------------------------------------


async def staff_command(update: Update, context: GongyouContext, args: list[str]) -> None:
    """`/match event|events|export <id>` (staff only)."""
    context.scope.service = SERVICE
    if not await require_role(update, context, Role.staff):
        return
    verb = args[0].lower() if args else ""
    if verb == "event":
        await start_new_event(update, context)
    elif verb == "events":
        await show_staff_events(update, context)
    elif len(args) == 2 and args[1].isascii() and args[1].isdigit() and len(args[1]) <= 9:
        if not await _export(update, context, int(args[1])):
            await context.reply(update, "me-export-missing", id=args[1])
    else:
        await context.reply(update, "me-export-usage")


async def on_button(update: Update, context: GongyouContext) -> None:
    """Handle the socials' buttons: members' sign-ups, staff's new social and list."""
    query = update.callback_query
    user = update.effective_user
    found = EVENT_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    word, verb, number, gender_event, gender, balance, back_from = found.groups()
    if word == "list":
        await query.answer()
        await show_events(update, context)
        return
    if verb == "j":
        await _join(update, context, int(number), None)
        return
    if verb == "c":
        await _leave(update, context, int(number))
        return
    if gender_event is not None:
        await _join(update, context, int(gender_event), gender)
        return
    # everything else is for staff
    if not await require_role(update, context, Role.staff):
        return
    if word == "ev":
        await query.answer()
        await show_staff_events(update, context, edit=True)
    elif verb == "e":
        if await _export(update, context, int(number)):
            await query.answer()
        else:
            await stale_button(update, context)
    elif verb == "cx":
        await _confirm_cancel(update, context, int(number))
    elif verb == "cxok":
        await _cancel(update, context, int(number))
    elif balance is not None:
        await _flow_button(update, context, "bal", balance)
    elif back_from is not None:
        await _flow_button(update, context, "b", back_from)
    else:
        await _flow_button(update, context, word, None)


async def _reminder_job(context: GongyouContext) -> None:
    """Send the reminders of socials starting within a day."""
    services = context.services
    sent = await send_reminders(
        context.notifier, services.db, now=utcnow(), zone=services.settings.timezone
    )
    if sent:
        log.info("social reminders: %d sent", sent)


def schedule(application: Application) -> None:
    """Send the reminders of tomorrow's socials from the job queue (every 15 minutes)."""
    jobs = application.job_queue
    if jobs is None:
        log.warning("no job queue: members are not reminded of socials")
        return
    if jobs.get_jobs_by_name(REMINDER_JOB):
        return
    jobs.run_repeating(
        _reminder_job,
        interval=REMIND_EVERY,
        first=timedelta(minutes=3),
        name=REMINDER_JOB,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


def register(app: Application) -> None:
    """Register the socials' buttons and the staff's new-event flow."""
    register_continuation("events", show_events)
    register_flow(EVENT_FLOW, on_event_text)
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^me:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(EVENT_FLOW),
            on_event_media,
        )
    )
