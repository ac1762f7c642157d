"""Legal cases: what volunteers do with them, the relay to and from the worker, /my_cases.

Volunteers act in the volunteers' group (the case's topic, or replies to the case's messages in
a group without topics) or in a private chat with the bot; staff may look at cases and lists.
Workers answer a volunteer by replying to the relayed message or with its button, add to an open
case, withdraw it, and rate the help once it is closed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import GongyouContext
from bot.core.clock import today_in
from bot.core.lease import default_owner, take_lease
from bot.core.models import FlowState, Role, utcnow
from bot.core.notify import MESSAGE_LIMIT, DeliveryError, Outgoing
from bot.core.users import audit, clear_flow, get_flow, set_flow
from bot.i18n import FLUENT_LOCALE, t
from bot.legal.cases import (
    ACTIVE,
    BOT_POST,
    MAX_WORKER_TEXT,
    Buttons,
    Content,
    active_cases,
    age_text,
    anonymise_closed_cases,
    awaiting_answer,
    case_by_message,
    case_by_thread,
    case_keyboard,
    claim_case,
    close_case,
    close_topic,
    count_evidence,
    evidence_of,
    follow_up,
    get_case,
    hinted,
    language_of,
    may_await_answer,
    notify_worker,
    placement,
    post_note,
    rate_case,
    rating_keyboard,
    recent_additions,
    relay_to_case,
    relay_to_worker,
    release_case,
    remember,
    retract_from_case,
    toggle_named,
    worker_cases,
)
from bot.legal.core import (
    ASK_FLOW,
    OUTCOMES,
    REPLY_FLOW,
    case_label,
    case_summary,
    category_name,
    outcome_name,
    parse_case_ref,
    status_name,
)
from bot.legal.models import CaseOutcome, CaseStatus, LegalCase
from handlers.base import InFlow, register_flow, route_again
from handlers.legal import callbacks
from handlers.notifier import TelegramNotifier

log = logging.getLogger(__name__)

SERVICE = "legal"
#: ``lc:l`` (list), ``lc:<verb>:<case>``, ``lc:o:<case>:<outcome index>``.
#: ``lc:o`` asks to confirm the outcome chosen, ``lc:y`` closes; ``lc:u`` releases after the
#: confirmation ``lc:r`` asked for; ``lc:x`` keeps the case as it was.
CASE_BUTTON = re.compile(r"^lc:(?:(l)|([vkrqcenux]):(\d{1,9})|([oy]):(\d{1,9}):(\d))$")
#: ``lw:list``, ``lw:<verb>:<case>``, ``lw:s:<case>:<rating>``, ``lw:u:<row>:<copy row>``.
WORKER_BUTTON = re.compile(
    r"^lw:(?:(list)|(r|a|w|wy|wn):(\d{1,9})|s:(\d{1,9}):(\d)|u:(\d{1,12}):(\d{1,12}))$"
)
#: getChatMember answers that mean the person is in the volunteers' group.
IN_GROUP = frozenset({"member", "administrator", "creator", "restricted"})
#: Messages in a case's topic that start with this stay in the group (notes among volunteers).
INTERNAL = "//"
#: The relay handler runs before every service and their guards (group -1), so a reply to a
#: relayed message, or a photo for a case, is never taken for anything else.
RELAY_GROUP = -2
#: How often the follow-up runs (seconds), and the lease that lets one replica run it.
FOLLOW_UP_EVERY = 600
FOLLOW_UP_LEASE = "legal-follow-up"
#: The nightly job that anonymises closed cases past their retention (one replica runs it).
RETENTION_LEASE = "legal-retention"
#: When closed cases past retention are anonymised: each night, in the union's time zone.
RETENTION_AT = time(3, 30)
_OWNER = default_owner()


@dataclass(frozen=True)
class Access:
    """Who is acting on cases, and from where."""

    user_id: int
    name: str
    can_act: bool
    staff: bool
    admin: bool
    in_group: bool
    lang: str


# --- helpers ----------------------------------------------------------------------------------


def _in_group_chat(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _here(update: Update) -> dict[str, Any]:
    """Where an answer goes in a group: the same topic, or under the message it answers."""
    message = update.effective_message
    if message is None or not _in_group_chat(update):
        return {}
    if message.is_topic_message and message.message_thread_id is not None:
        return {"message_thread_id": message.message_thread_id}
    return {
        "reply_parameters": ReplyParameters(
            message_id=message.message_id, allow_sending_without_reply=True
        )
    }


async def _say(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Send ``text`` to the chat the update came from (in a group: where it came from)."""
    chat = update.effective_chat
    user = update.effective_user
    chat_id = chat.id if chat is not None else user.id if user is not None else None
    if chat_id is None:
        return None
    text = text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
    return await context.bot.send_message(chat_id, text, reply_markup=keyboard, **_here(update))


def _markup(context: GongyouContext, buttons: Buttons) -> InlineKeyboardMarkup | None:
    """The inline keyboard of the service's buttons (None for none), as the notifier writes it."""
    notifier = context.notifier
    if not isinstance(notifier, TelegramNotifier):
        raise TypeError("case buttons need the application's Telegram notifier")
    return notifier.keyboard(Outgoing("", buttons=buttons))


async def _alert(update: Update, text: str) -> None:
    """Answer a pressed button with a popup."""
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)


async def _refuse(update: Update, context: GongyouContext, text: str) -> None:
    """Turn someone away: a popup for a button, a message otherwise."""
    if update.callback_query is not None:
        await _alert(update, text)
    else:
        await _say(update, context, text)


async def _stale(update: Update, context: GongyouContext) -> None:
    """Answer a stale or forged button."""
    if update.callback_query is not None:
        await _alert(update, context.t("button-stale"))
    else:
        await context.reply(update, "button-stale")


async def _in_volunteers_group(context: GongyouContext, chat_id: int, user_id: int) -> bool:
    """Ask Telegram whether the person is in the volunteers' group now (nothing is cached)."""
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError:
        log.warning("membership of %s in %s could not be checked", user_id, chat_id)
        return False
    if member.status == "restricted":
        return bool(getattr(member, "is_member", False))
    return member.status in IN_GROUP


async def _access(update: Update, context: GongyouContext, *, act: bool) -> Access | None:
    """Check who may do this: volunteers act, staff only look; None (and an answer) if not.

    In a group, only the volunteers' group counts. In a private chat, a volunteer must also be
    in the volunteers' group, if one is configured.
    """
    user = update.effective_user
    member = context.user
    if user is None or member is None:
        return None
    settings = context.services.settings
    chat = update.effective_chat
    in_group = _in_group_chat(update)
    if in_group and (chat is None or chat.id != settings.volunteers_chat_id):
        await _refuse(update, context, context.t("role-refused"))
        return None
    can_act = member.has_role(Role.volunteer_legal)
    staff = member.has_role(Role.staff)
    if not (can_act if act else can_act or staff):
        await _refuse(update, context, context.t("role-refused"))
        return None
    chat_id = settings.volunteers_chat_id
    if (
        not in_group
        and not staff
        and chat_id is not None
        and not await _in_volunteers_group(context, chat_id, user.id)
    ):
        await _refuse(update, context, context.t("lc-not-member"))
        return None
    context.scope.service = SERVICE
    return Access(
        user_id=user.id,
        name=user.first_name or "",
        can_act=can_act,
        staff=staff,
        admin=member.has_role(Role.admin),
        in_group=in_group,
        lang=settings.default_language if in_group else context.lang,
    )


def _content(message: Message) -> Content | None:
    """What a message holds that can be relayed (text, a photo, a document)."""
    if message.text is not None:
        return Content(kind="text", text=message.text)
    caption = message.caption or ""
    if message.photo:
        photo = message.photo[-1]
        return Content(
            kind="photo",
            text=caption,
            file_id=photo.file_id,
            file_unique_id=photo.file_unique_id,
            size=photo.file_size or 0,
        )
    if message.document is not None:
        document = message.document
        return Content(
            kind="document",
            text=caption,
            file_id=document.file_id,
            file_unique_id=document.file_unique_id,
            file_name=document.file_name or "",
            size=document.file_size or 0,
        )
    return None


def _relay_text(lang: str, result: str, number: str, *, once: bool) -> str:
    """What the volunteer is told after a relay."""
    if result == "sent":
        return t(lang, "lc-relay-sent-once", number=number) if once else t(lang, "lc-relay-sent")
    key = (
        "lc-relay-closed"
        if result == "closed"
        else "lc-relay-gone"
        if result == "gone"
        else "lc-relay-blocked"
        if result == "blocked"
        else "lc-relay-failed"
    )
    return t(lang, key)


def _case_keyboard_of(message: Message | None, case_id: int) -> bool:
    """True if ``message`` carries the action buttons of the case (so they can be redrawn)."""
    if message is None or message.reply_markup is None:
        return False
    actions = {
        callbacks.claim_case(case_id),
        callbacks.release_case(case_id),
        callbacks.confirm_release(case_id),
        callbacks.toggle_name(case_id),
    }
    return any(
        button.callback_data in actions
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def _redraw(
    update: Update, context: GongyouContext, access: Access, case: LegalCase
) -> None:
    """Redraw the case's buttons on the pressed message after an action changed them."""
    query = update.callback_query
    assert case.id is not None
    pressed = query.message if query is not None else None
    if (
        query is None
        or not isinstance(pressed, Message)
        or not _case_keyboard_of(pressed, case.id)
    ):
        return
    evidence = await count_evidence(context.db, case_id=case.id)
    buttons = case_keyboard(
        access.lang,
        case,
        evidence=evidence,
        viewer_id=None if access.in_group else access.user_id,
        can_act=access.can_act,
        listing=not access.in_group,
    )
    keyboard = _markup(context, buttons)
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            log.info("buttons of case %s could not be redrawn: %s", case.id, exc)


# --- volunteers: list and view ----------------------------------------------------------------


async def cases_command(update: Update, context: GongyouContext) -> None:
    """List open cases for volunteers and staff: urgent first, then the longest waiting."""
    access = await _access(update, context, act=False)
    if access is not None:
        await _show_list(update, context, access)


async def case_command(update: Update, context: GongyouContext) -> None:
    """Show one case: `/case L0012`."""
    access = await _access(update, context, act=False)
    if access is None:
        return
    case_id = parse_case_ref(" ".join(context.args or []))
    if case_id is None:
        await _say(update, context, t(access.lang, "lc-case-usage"))
        return
    await _show_case(update, context, access, case_id)


async def _show_list(update: Update, context: GongyouContext, access: Access) -> None:
    lang = access.lang
    now = utcnow()
    cases = await active_cases(context.db)
    if not cases:
        await _say(update, context, t(lang, "lc-list-empty"))
        return
    lines = [t(lang, "lc-list-header"), ""]
    buttons = []
    for case in cases:
        assert case.id is not None
        number, category = case_label(case.id), category_name(lang, case.category)
        line = t(
            lang,
            "lc-list-line-urgent" if case.urgent else "lc-list-line",
            number=number,
            category=category,
            age=age_text(lang, now - case.created_at),
            status=status_name(lang, case.status),
        )
        if case.claimed_by is not None:
            mine = case.claimed_by == access.user_id
            line += " " + t(lang, "lc-list-you" if mine else "lc-list-other")
        lines.append(line)
        label = t(lang, "lc-btn-open", number=number, category=category)
        buttons.append(InlineKeyboardButton(label, callback_data=callbacks.view_case(case.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await _say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


def _case_text(
    lang: str,
    case: LegalCase,
    *,
    evidence: int,
    additions: list[str],
    viewer_id: int,
    now: datetime,
    today: date,
) -> str:
    """A case as volunteers and staff see it: the summary, then where it stands."""
    lines = [case_summary(lang, case, evidence=evidence, today=today), ""]
    lines.append(t(lang, "lc-view-status", status=status_name(lang, case.status)))
    if case.claimed_by is not None and case.status == CaseStatus.claimed:
        mine = case.claimed_by == viewer_id
        lines.append(t(lang, "lc-view-claimer-you" if mine else "lc-view-claimer-other"))
    lines.append(t(lang, "lc-view-age", age=age_text(lang, now - case.created_at)))
    if case.escalated_at is not None and case.status != CaseStatus.closed:
        lines.append(t(lang, "lc-view-escalated"))
    if case.outcome is not None:
        lines.append(t(lang, "lc-view-outcome", outcome=outcome_name(lang, str(case.outcome))))
    if case.rating is not None:
        lines.append(t(lang, "lc-view-rating", rating=case.rating))
    if additions:
        lines += ["", t(lang, "lc-view-additions")]
        lines += [t(lang, "lc-view-addition", text=text[:300]) for text in additions]
    return "\n".join(lines)


async def _show_case(
    update: Update, context: GongyouContext, access: Access, case_id: int
) -> None:
    """Show a case with the viewer's buttons; every view is written to the audit log."""
    lang = access.lang
    session = context.db
    case = await get_case(session, case_id=case_id)
    chat = update.effective_chat
    elsewhere = (
        case is not None
        and access.in_group
        and case.chat_id is not None
        and chat is not None
        and case.chat_id != chat.id
    )
    if case is None or elsewhere:
        if update.callback_query is not None:
            await _stale(update, context)
        else:
            await _say(update, context, t(lang, "lc-case-unknown", ref=case_label(case_id)))
        return
    assert case.id is not None
    if update.callback_query is not None:
        await update.callback_query.answer()
    now = utcnow()
    evidence = await count_evidence(session, case_id=case.id)
    additions = await recent_additions(session, case_id=case.id)
    text = _case_text(
        lang,
        case,
        evidence=evidence,
        additions=additions,
        viewer_id=access.user_id,
        now=now,
        today=today_in(context.services.settings.timezone, now),
    )
    keyboard = _markup(
        context,
        case_keyboard(
            lang,
            case,
            evidence=evidence,
            viewer_id=None if access.in_group else access.user_id,
            can_act=access.can_act,
            listing=not access.in_group,
        ),
    )
    where = "group" if access.in_group else "private"
    await audit(
        session,
        actor_id=access.user_id,
        action="legal.case.view",
        subject=f"case:{case.id}",
        detail={"where": where},
    )
    await session.commit()
    shown = await _say(update, context, text, keyboard)
    if shown is not None and access.in_group:
        remember(
            session,
            case_id=case.id,
            chat_id=shown.chat_id,
            message_id=shown.message_id,
            direction=BOT_POST,
        )
        await session.commit()


# --- volunteers: buttons ----------------------------------------------------------------------


async def on_case_button(update: Update, context: GongyouContext) -> None:
    """Handle the volunteers' case buttons (every press checks the role and the case)."""
    query = update.callback_query
    if query is None:
        return
    found = CASE_BUTTON.match(query.data or "")
    if found is None:
        await _stale(update, context)
        return
    listing, verb, case_text, pick, outcome_case, outcome_index = found.groups()
    # staff may look but not act: releasing (r, u) is the claimer's, like claiming and closing
    looking = listing is not None or verb in ("v", "e", "x")
    access = await _access(update, context, act=not looking)
    if access is None:
        return
    if listing:
        await query.answer()
        await _show_list(update, context, access)
        return
    if outcome_case is not None:
        if pick == "o":
            await _confirm_close(update, context, access, int(outcome_case), int(outcome_index))
        else:
            await _close(update, context, access, int(outcome_case), int(outcome_index))
        return
    case_id = int(case_text)
    if verb == "v":
        await _show_case(update, context, access, case_id)
    elif verb == "k":
        await _claim(update, context, access, case_id)
    elif verb == "r":
        await _confirm_release(update, context, access, case_id)
    elif verb == "u":
        await _release(update, context, access, case_id)
    elif verb == "x":
        await _keep(update, context, access, case_id)
    elif verb == "q":
        await _ask(update, context, access, case_id)
    elif verb == "c":
        await _close_menu(update, context, access, case_id)
    elif verb == "e":
        await _evidence(update, context, access, case_id)
    else:
        await _toggle_name(update, context, access, case_id)


async def _claim(update: Update, context: GongyouContext, access: Access, case_id: int) -> None:
    """Claim an open case; of two volunteers pressing at once exactly one gets it."""
    query = update.callback_query
    assert query is not None
    session = context.db
    case = await claim_case(session, case_id=case_id, volunteer_id=access.user_id, now=utcnow())
    if case is None:
        current = await get_case(session, case_id=case_id)
        if current is None:
            await _stale(update, context)
        elif current.status == CaseStatus.closed:
            await _alert(update, t(access.lang, "lc-case-closed"))
        elif current.claimed_by == access.user_id:
            await _alert(update, t(access.lang, "lc-claim-yours"))
        else:
            await _alert(update, t(access.lang, "lc-claim-taken"))
        return
    assert case.id is not None
    number = case_label(case.id)
    await query.answer(t(access.lang, "lc-claimed", number=number))
    await _redraw(update, context, access, case)
    await notify_worker(context.notifier, case, t(case.lang, "lw-claimed", number=number))
    group_lang = context.services.settings.default_language
    name = access.name or t(group_lang, "lc-someone")
    note = t(group_lang, "lc-note-claimed", name=name)
    await post_note(context.notifier, session, context.services.settings, case, note)


async def _confirm_release(
    update: Update, context: GongyouContext, access: Access, case_id: int
) -> None:
    """Ask before giving a case back: the pressed buttons become 'release' and 'cancel'."""
    query = update.callback_query
    assert query is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None or case.status == CaseStatus.open:
        await _stale(update, context)
        return
    if case.status == CaseStatus.closed:
        await _alert(update, t(access.lang, "lc-case-closed"))
        return
    if case.claimed_by != access.user_id:
        await _alert(update, t(access.lang, "lc-release-not-yours"))
        return
    number = case_label(case_id)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(access.lang, "lc-btn-release-yes", number=number),
                    callback_data=callbacks.confirm_release(case_id),
                ),
                InlineKeyboardButton(
                    t(access.lang, "lc-btn-keep"), callback_data=callbacks.keep_case(case_id)
                ),
            ]
        ]
    )
    await query.answer(t(access.lang, "lc-release-ask", number=number))
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest:
        await _say(update, context, t(access.lang, "lc-release-ask", number=number), keyboard)


async def _keep(update: Update, context: GongyouContext, access: Access, case_id: int) -> None:
    """Cancel a release or a close that waited for its confirmation."""
    query = update.callback_query
    assert query is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None:
        await _stale(update, context)
        return
    pressed = query.message
    if isinstance(pressed, Message) and _case_keyboard_of(pressed, case_id):
        await query.answer(t(access.lang, "lc-kept"))
        await _redraw(update, context, access, case)
        return
    await query.answer()
    kept = t(access.lang, "lc-close-kept", number=case_label(case_id))
    try:
        await query.edit_message_text(kept)
    except BadRequest:
        await _say(update, context, kept)


async def _release(update: Update, context: GongyouContext, access: Access, case_id: int) -> None:
    """Give a claimed case back (confirmed): only its claimer may."""
    query = update.callback_query
    assert query is not None
    session = context.db
    current = await get_case(session, case_id=case_id)
    if current is None:
        await _stale(update, context)
        return
    case = await release_case(session, case_id=case_id, actor_id=access.user_id, now=utcnow())
    if case is None:
        if current.status == CaseStatus.closed:
            await _alert(update, t(access.lang, "lc-case-closed"))
        elif current.status == CaseStatus.claimed:
            await _alert(update, t(access.lang, "lc-release-not-yours"))
        else:
            await _stale(update, context)
        return
    assert case.id is not None
    await query.answer(t(access.lang, "lc-released", number=case_label(case.id)))
    await _redraw(update, context, access, case)
    group_lang = context.services.settings.default_language
    name = access.name or t(group_lang, "lc-someone")
    note = t(group_lang, "lc-note-released", name=name)
    await post_note(context.notifier, session, context.services.settings, case, note)


async def _ask(update: Update, context: GongyouContext, access: Access, case_id: int) -> None:
    """Write to the worker: in the group, in the case's topic; in private, the next message."""
    query = update.callback_query
    assert query is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None:
        await _stale(update, context)
        return
    if case.status == CaseStatus.closed:
        await _alert(update, t(access.lang, "lc-case-closed"))
        return
    if case.claimed_by != access.user_id:
        await _alert(update, t(access.lang, "lc-ask-claim-first"))
        return
    if access.in_group:
        key = "lc-ask-in-topic" if case.thread_id is not None else "lc-ask-reply-root"
        await _alert(update, t(access.lang, key))
        return
    await query.answer()
    await set_flow(
        context.db, user_id=access.user_id, flow=ASK_FLOW, step="msg", data={"case": case_id}
    )
    await _say(update, context, t(access.lang, "lc-ask-prompt", number=case_label(case_id)))


async def _close_menu(
    update: Update, context: GongyouContext, access: Access, case_id: int
) -> None:
    """Offer the outcomes a case can be closed with."""
    query = update.callback_query
    assert query is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None:
        await _stale(update, context)
        return
    if case.status == CaseStatus.closed:
        await _alert(update, t(access.lang, "lc-case-closed"))
        return
    if (
        case.status == CaseStatus.claimed
        and case.claimed_by != access.user_id
        and not access.admin
    ):
        await _alert(update, t(access.lang, "lc-close-not-yours"))
        return
    await query.answer()
    lang = access.lang
    rows = [
        [
            InlineKeyboardButton(
                outcome_name(lang, outcome), callback_data=callbacks.close_with(case_id, k)
            )
        ]
        for k, outcome in enumerate(OUTCOMES)
    ]
    text = t(lang, "lc-close-choose", number=case_label(case_id))
    await _say(update, context, text, InlineKeyboardMarkup(rows))


async def _confirm_close(
    update: Update, context: GongyouContext, access: Access, case_id: int, index: int
) -> None:
    """Ask before closing a case with the outcome chosen: 'close' or 'cancel'."""
    query = update.callback_query
    assert query is not None
    case = await get_case(context.db, case_id=case_id)
    if case is None or index >= len(OUTCOMES):
        await _stale(update, context)
        return
    if case.status == CaseStatus.closed:
        await _alert(update, t(access.lang, "lc-case-closed"))
        return
    if (
        case.status == CaseStatus.claimed
        and case.claimed_by != access.user_id
        and not access.admin
    ):
        await _alert(update, t(access.lang, "lc-close-not-yours"))
        return
    await query.answer()
    lang = access.lang
    text = t(
        lang,
        "lc-close-ask",
        number=case_label(case_id),
        outcome=outcome_name(lang, OUTCOMES[index]),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "lc-btn-close-yes"),
                    callback_data=callbacks.confirm_close(case_id, index),
                ),
                InlineKeyboardButton(
                    t(lang, "lc-btn-keep"), callback_data=callbacks.keep_case(case_id)
                ),
            ]
        ]
    )
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest:
        await _say(update, context, text, keyboard)


async def _close(
    update: Update, context: GongyouContext, access: Access, case_id: int, index: int
) -> None:
    """Close a case with the chosen outcome (confirmed); tell the worker, ask for a rating."""
    query = update.callback_query
    assert query is not None
    if index >= len(OUTCOMES):
        await _stale(update, context)
        return
    session = context.db
    outcome = CaseOutcome(OUTCOMES[index])
    case = await close_case(
        session,
        case_id=case_id,
        actor_id=access.user_id,
        outcome=outcome,
        now=utcnow(),
        anyone=access.admin,
    )
    if case is None:
        current = await get_case(session, case_id=case_id)
        if current is None:
            await _stale(update, context)
        elif current.status == CaseStatus.closed:
            await _alert(update, t(access.lang, "lc-case-closed"))
        else:
            await _alert(update, t(access.lang, "lc-close-not-yours"))
        return
    assert case.id is not None
    number = case_label(case.id)
    await query.answer()
    done = t(
        access.lang, "lc-closed-done", number=number, outcome=outcome_name(access.lang, outcome)
    )
    try:
        await query.edit_message_text(done)
    except BadRequest:
        await _say(update, context, done)
    told = t(case.lang, "lw-closed", number=number, outcome=outcome_name(case.lang, outcome))
    await notify_worker(context.notifier, case, told, rating_keyboard(case.id))
    settings = context.services.settings
    group_lang = settings.default_language
    name = access.name or t(group_lang, "lc-someone")
    note = t(group_lang, "lc-note-closed", outcome=outcome_name(group_lang, outcome), name=name)
    await post_note(context.notifier, session, settings, case, note)
    await close_topic(context.notifier, case)


async def _evidence(update: Update, context: GongyouContext, access: Access, case_id: int) -> None:
    """Send the case's files to the viewer (written to the audit log)."""
    query = update.callback_query
    assert query is not None
    session = context.db
    case = await get_case(session, case_id=case_id)
    if case is None:
        await _stale(update, context)
        return
    files = await evidence_of(session, case_id=case_id)
    if not files:
        await _alert(update, t(access.lang, "lc-evidence-none"))
        return
    await audit(
        session,
        actor_id=access.user_id,
        action="legal.evidence.view",
        subject=f"case:{case_id}",
        detail={"files": len(files)},
    )
    await session.commit()
    await query.answer()
    chat = update.effective_chat
    chat_id = chat.id if chat is not None else access.user_id
    number = case_label(case_id)
    for index, item in enumerate(files, start=1):
        caption = t(
            access.lang, "lc-evidence-caption", number=number, index=index, total=len(files)
        )
        try:
            if item.kind == "document":
                await context.bot.send_document(
                    chat_id, item.file_id, caption=caption, **_here(update)
                )
            else:
                await context.bot.send_photo(
                    chat_id, item.file_id, caption=caption, **_here(update)
                )
        except BadRequest:
            log.warning("evidence %s of case %s could not be sent", item.id, case_id)


async def _toggle_name(
    update: Update, context: GongyouContext, access: Access, case_id: int
) -> None:
    """Switch whether the worker sees the claimer's first name."""
    case = await toggle_named(
        context.db, case_id=case_id, volunteer_id=access.user_id, now=utcnow()
    )
    if case is None:
        current = await get_case(context.db, case_id=case_id)
        if current is None:
            await _stale(update, context)
        else:
            await _alert(update, t(access.lang, "lc-name-not-yours"))
        return
    query = update.callback_query
    assert query is not None
    key = "lc-name-shown" if case.volunteer_named else "lc-name-hidden"
    await query.answer(t(access.lang, key))
    await _redraw(update, context, access, case)


# --- the relay: volunteers' messages ----------------------------------------------------------


async def on_group_message(update: Update, context: GongyouContext) -> None:
    """Relay a claimer's message in a case's topic (or thread) to the worker."""
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    settings = context.services.settings
    if message is None or user is None or chat is None or user.is_bot:
        return
    if chat.id != settings.volunteers_chat_id:
        return
    session = context.db
    case = None
    if message.message_thread_id is not None:
        case = await case_by_thread(session, chat_id=chat.id, thread_id=message.message_thread_id)
    if case is None and message.reply_to_message is not None:
        replied = message.reply_to_message.message_id
        case = await case_by_message(session, chat_id=chat.id, message_id=replied)
    if case is None:
        return
    text = message.text or message.caption or ""
    if text.lstrip().startswith(INTERNAL):
        return  # a note among volunteers: never relayed
    member = context.user
    if member is None or not member.has_role(Role.volunteer_legal):
        return
    context.scope.service = SERVICE
    assert case.id is not None
    if case.status == CaseStatus.closed:
        await _say(update, context, context.t("lc-relay-closed"))
        return
    if case.claimed_by != user.id:
        if not await hinted(session, case_id=case.id, user_id=user.id):
            note = t(settings.default_language, "lc-hint-claim")
            await post_note(context.notifier, session, settings, case, note, hint_for=user.id)
        return
    await _volunteer_relay(update, context, case, once=False)


async def _volunteer_relay(
    update: Update, context: GongyouContext, case: LegalCase, *, once: bool
) -> str | None:
    """Pass the volunteer's message to the worker and say how it went."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    assert case.id is not None
    content = _content(message)
    if content is None:
        await _say(update, context, context.t("lc-relay-unsupported"))
        return None
    result = await relay_to_worker(
        context.notifier,
        context.db,
        case=case,
        volunteer_id=user.id,
        volunteer_name=user.first_name or "",
        content=content,
        now=utcnow(),
    )
    await _say(update, context, _relay_text(context.lang, result, case_label(case.id), once=once))
    return result


async def _ask_flow(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Relay the one message a volunteer writes after pressing 'ask the worker' in private."""
    user = update.effective_user
    if user is None:
        return
    access = await _access(update, context, act=True)
    if access is None:
        await clear_flow(context.db, user_id=user.id)
        return
    case = await get_case(context.db, case_id=int(state.data.get("case") or 0))
    if case is None:
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "button-stale")
        return
    if case.claimed_by != user.id:
        await clear_flow(context.db, user_id=user.id)
        await _say(update, context, context.t("lc-ask-claim-first"))
        return
    message = update.effective_message
    if message is None or _content(message) is None:
        await _say(update, context, context.t("lc-relay-unsupported"))
        return  # the flow stays: the next message may be one that can be relayed
    await clear_flow(context.db, user_id=user.id)
    result = await _volunteer_relay(update, context, case, once=True)
    content = _content(message)
    if result == "sent" and content is not None and case.chat_id is not None:
        # written in a private chat: the case's topic keeps the record of what the worker got
        settings = context.services.settings
        note = t(
            settings.default_language,
            "lc-note-asked",
            name=user.first_name or t(settings.default_language, "lc-someone"),
            text=content.text or "[" + content.kind + "]",
        )
        await post_note(context.notifier, context.db, settings, case, note)


# --- the relay: the worker's messages ---------------------------------------------------------


async def _worker_relay(
    update: Update,
    context: GongyouContext,
    case: LegalCase,
    *,
    flow: FlowState | None,
    undo: bool = False,
) -> None:
    """Add the worker's message to their case and pass it on; say whether it arrived.

    With ``undo`` (plain text taken as an answer) the confirmation carries a button that takes
    the message back if it was not meant for the lawyer.
    """
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    assert case.id is not None
    number = case_label(case.id)
    content = _content(message)
    if content is None:
        await _say(update, context, context.t("lw-unsupported"))
        return
    if len(content.text) > MAX_WORKER_TEXT:
        await _say(update, context, context.t("lw-too-long", limit=MAX_WORKER_TEXT))
        return
    if case.status == CaseStatus.closed:
        if flow is not None:
            await clear_flow(context.db, user_id=user.id)
        await _say(update, context, context.t("lw-case-closed", number=number))
        return
    relayed = await relay_to_case(
        context.notifier,
        context.db,
        context.services.settings,
        case=case,
        worker_chat_id=message.chat_id,
        worker_message_id=message.message_id,
        content=content,
        now=utcnow(),
    )
    result = relayed.result
    if flow is not None:
        if message.media_group_id is not None and result != "closed":
            # the rest of an album arrives as separate messages: let them follow the first
            data = {"case": case.id, "album": message.media_group_id}
            await set_flow(context.db, user_id=user.id, flow=REPLY_FLOW, step="album", data=data)
        else:
            await clear_flow(context.db, user_id=user.id)
    key = (
        "lw-delivered"
        if result == "delivered"
        else "lw-saved"
        if result == "saved"
        else "lw-case-closed"
    )
    keyboard = None
    if undo and relayed.worker_row is not None:
        retract = callbacks.retract_reply(relayed.worker_row, relayed.post_row)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(context.t("lw-btn-not-for-lawyer"), callback_data=retract)]]
        )
    await _say(update, context, context.t(key, number=number), keyboard)


async def _reply_flow(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the worker's message for the case they chose to reply to or add to."""
    await _worker_flow(update, context, state)


async def _worker_flow(update: Update, context: GongyouContext, state: FlowState) -> bool:
    """Handle a message of a worker in the reply flow; False if it is not for the case."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return False
    if state.step == "album" and (
        message.media_group_id is None or message.media_group_id != state.data.get("album")
    ):
        await clear_flow(context.db, user_id=user.id)
        return False
    case = await get_case(context.db, case_id=int(state.data.get("case") or 0))
    if case is None or case.user_id != user.id:
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "button-stale")
        return True
    context.scope.service = SERVICE
    await _worker_relay(update, context, case, flow=state)
    return True


async def on_private_message(update: Update, context: GongyouContext) -> None:
    """Send a private message that belongs to a case there; let anything else go on."""
    # A worker's or volunteer's message in the reply/ask flow, and a Telegram reply to a
    # message of a case (a relayed question, say), belong to the case.
    message = update.effective_message
    user = update.effective_user
    member = context.user
    chat = update.effective_chat
    if message is None or user is None or member is None or chat is None:
        return
    if member.flow in (REPLY_FLOW, ASK_FLOW):
        state = await get_flow(context.db, user_id=user.id)
        if state is not None and state.flow == REPLY_FLOW:
            if await _worker_flow(update, context, state):
                raise ApplicationHandlerStop
            return
        if state is not None and state.flow == ASK_FLOW:
            await _ask_flow(update, context, state)
            raise ApplicationHandlerStop
    if message.reply_to_message is None:
        return
    replied = message.reply_to_message.message_id
    case = await case_by_message(context.db, chat_id=chat.id, message_id=replied)
    if case is None:
        return
    context.scope.service = SERVICE
    if case.user_id == user.id:
        await _worker_relay(update, context, case, flow=None)
        raise ApplicationHandlerStop
    if case.claimed_by == user.id and member.has_role(Role.volunteer_legal):
        if await _access(update, context, act=True) is not None:
            await _volunteer_relay(update, context, case, once=False)
        raise ApplicationHandlerStop


# --- the worker's plain-text answers ---------------------------------------------------------


@cache
def _menu_labels() -> frozenset[str]:
    """The labels of the main menu's buttons in every language (never taken as an answer)."""
    labels: set[str] = set()
    for lang in FLUENT_LOCALE:
        labels |= {
            t(lang, "btn-jobs"),
            t(lang, "btn-legal"),
            t(lang, "btn-match"),
            t(lang, "btn-station"),
            t(lang, "btn-menu"),
            t(lang, "btn-help"),
            t(lang, "btn-lang"),
        }
    return frozenset(labels)


async def claim_answer(update: Update, context: GongyouContext) -> bool:
    """Take plain text a worker types soon after a volunteer wrote to them as the answer.

    Within ANSWER_WINDOW of a volunteer's message on a case still open, and outside any flow,
    the text goes to that case (the latest such case) as a reply would, and the confirmation
    has a button to take it back if it was not meant for the lawyer. Commands and menu button
    labels are never taken. Returns True if the text was taken.
    """
    message = update.effective_message
    user = update.effective_user
    chat = update.effective_chat
    if message is None or message.text is None or user is None or chat is None:
        return False
    text = message.text.strip()
    if chat.type != ChatType.PRIVATE or not text or text.startswith("/"):
        return False
    if text in _menu_labels():
        return False
    now = utcnow()
    member = context.user
    if member is not None and not may_await_answer(member.facts, now=now):
        return False
    if await get_flow(context.db, user_id=user.id) is not None:
        return False
    case = await awaiting_answer(context.db, user_id=user.id, now=now)
    if case is None:
        return False
    context.scope.service = SERVICE
    await _worker_relay(update, context, case, flow=None, undo=True)
    return True


async def _retract(
    update: Update, context: GongyouContext, worker_row: int, post_row: int | None
) -> None:
    """Take back text that was taken as an answer, then read it as a new message."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    retracted = await retract_from_case(
        context.db, user_id=user.id, worker_row=worker_row, post_row=post_row
    )
    if retracted is None:
        await _stale(update, context)
        return
    await query.answer()
    case = retracted.case
    assert case.id is not None
    try:
        await query.edit_message_text(
            context.t("lw-retracted", number=case_label(case.id)), reply_markup=None
        )
    except BadRequest:
        log.debug("confirmation of case %s stays as it was", case.id)
    if retracted.copy is not None:
        await _take_copy_back(context, case, *retracted.copy)
    await route_again(update, context, retracted.text)


async def _take_copy_back(
    context: GongyouContext, case: LegalCase, chat_id: int, message_id: int
) -> None:
    """Delete the volunteers' copy of a message the worker took back; if Telegram refuses,
    say under it that the worker took it back."""
    try:
        await context.bot.delete_message(chat_id, message_id)
        return
    except TelegramError as exc:
        log.info("copy of a message of case %s stays (%s): noting the withdrawal", case.id, exc)
    settings = context.services.settings
    if chat_id in (case.chat_id, settings.volunteers_chat_id):
        lang = settings.default_language
        thread_id = placement(case)[0] if chat_id == case.chat_id else None
    else:  # the claimer's private chat, without a volunteers' group
        lang = await language_of(context.db, user_id=chat_id)
        thread_id = None
    note = Outgoing(t(lang, "lc-note-retracted"), thread_id=thread_id, reply_to=message_id)
    try:
        await context.notifier.send(chat_id, note)
    except DeliveryError:
        log.warning("withdrawal of a message of case %s could not be noted", case.id)


# --- the worker's cases -----------------------------------------------------------------------


async def my_cases_command(update: Update, context: GongyouContext) -> None:
    """List the worker's cases with buttons to add to or withdraw the open ones."""
    await _show_my_cases(update, context)


async def _show_my_cases(update: Update, context: GongyouContext) -> None:
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    lang = context.lang
    cases = await worker_cases(context.db, user_id=user.id)
    if not cases:
        await context.reply(update, "lw-my-none")
        return
    zone = context.services.settings.timezone
    lines = [t(lang, "lw-my-header"), ""]
    rows = []
    for case in cases:
        assert case.id is not None
        number = case_label(case.id)
        lines.append(
            t(
                lang,
                "lw-my-line",
                number=number,
                category=category_name(lang, case.category),
                status=status_name(lang, case.status),
                date=today_in(zone, case.created_at).isoformat(),
            )
        )
        if case.status in ACTIVE:
            rows.append(
                [
                    InlineKeyboardButton(
                        t(lang, "lw-btn-add", number=number), callback_data=f"lw:a:{case.id}"
                    ),
                    InlineKeyboardButton(
                        t(lang, "lw-btn-withdraw", number=number), callback_data=f"lw:w:{case.id}"
                    ),
                ]
            )
    keyboard = InlineKeyboardMarkup(rows) if rows else None
    await _say(update, context, "\n".join(lines), keyboard)


async def on_worker_button(update: Update, context: GongyouContext) -> None:
    """Handle the worker's case buttons: list, reply, add, withdraw, rate."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    found = WORKER_BUTTON.match(query.data or "")
    if found is None:
        await _stale(update, context)
        return
    context.scope.service = SERVICE
    listing, verb, case_text, rated_case, rating, row, copy = found.groups()
    if listing:
        await query.answer()
        await _show_my_cases(update, context)
        return
    if rated_case is not None:
        await _rate(update, context, int(rated_case), int(rating))
        return
    if row is not None:
        await _retract(update, context, int(row), int(copy) or None)
        return
    case = await get_case(context.db, case_id=int(case_text))
    if case is None or case.id is None or case.user_id != user.id:
        await _stale(update, context)
        return
    number = case_label(case.id)
    if case.status == CaseStatus.closed:
        await _alert(update, context.t("lw-case-closed", number=number))
        return
    if verb in ("r", "a"):
        await query.answer()
        await set_flow(
            context.db, user_id=user.id, flow=REPLY_FLOW, step="msg", data={"case": case.id}
        )
        key = "lw-reply-prompt" if verb == "r" else "lw-add-prompt"
        await context.reply(update, key, number=number)
    elif verb == "w":
        await query.answer()
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        context.t("lw-btn-withdraw-yes"), callback_data=f"lw:wy:{case.id}"
                    ),
                    InlineKeyboardButton(
                        context.t("lw-btn-keep"), callback_data=f"lw:wn:{case.id}"
                    ),
                ]
            ]
        )
        await context.reply(update, "lw-withdraw-ask", keyboard=keyboard, number=number)
    elif verb == "wy":
        await _withdraw(update, context, case)
    else:
        await query.answer()
        await context.reply(update, "lw-kept", number=number)


async def _withdraw(update: Update, context: GongyouContext, case: LegalCase) -> None:
    """Close the worker's case as withdrawn and tell the volunteers."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    assert case.id is not None
    session = context.db
    closed = await close_case(
        session,
        case_id=case.id,
        actor_id=user.id,
        outcome=CaseOutcome.withdrawn,
        now=utcnow(),
        owner_id=user.id,
    )
    if closed is None:
        await _stale(update, context)
        return
    await query.answer()
    number = case_label(case.id)
    await context.reply(update, "lw-withdrawn", number=number)
    settings = context.services.settings
    note = t(settings.default_language, "lc-note-withdrawn")
    posted = await post_note(context.notifier, session, settings, closed, note)
    if posted is None and closed.claimed_by is not None:
        lang = await language_of(session, user_id=closed.claimed_by)
        try:
            await context.bot.send_message(
                closed.claimed_by, t(lang, "lc-withdrawn-private", number=number)
            )
        except TelegramError:
            log.info("claimer of case %s could not be told of the withdrawal", case.id)
    await close_topic(context.notifier, closed)


async def _rate(update: Update, context: GongyouContext, case_id: int, rating: int) -> None:
    """Keep the worker's rating of a closed case (once)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    result = await rate_case(context.db, case_id=case_id, user_id=user.id, rating=rating)
    if result == "already":
        await _alert(update, context.t("lw-already-rated"))
        return
    if result != "rated":
        await _stale(update, context)
        return
    await query.answer()
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:
        log.debug("rating buttons of case %s stay", case_id)
    await context.reply(update, "lw-rated", rating=rating)


# --- follow-up --------------------------------------------------------------------------------


async def _follow_up_job(context: GongyouContext) -> None:
    """Run the follow-up if this replica holds the lease."""
    services = context.services
    now = utcnow()
    until = now + timedelta(seconds=FOLLOW_UP_EVERY - 30)
    held, _previous = await services.db.transact(
        take_lease, name=FOLLOW_UP_LEASE, owner=_OWNER, now=now, until=until
    )
    if not held:
        return
    done = await follow_up(context.notifier, services.db, services.settings, now=now)
    if done.announced or done.reannounced or done.escalated:
        log.info(
            "legal follow-up: %d announced, %d reminded, %d escalated",
            done.announced,
            done.reannounced,
            done.escalated,
        )


async def _retention_job(context: GongyouContext) -> None:
    """Anonymise closed cases older than the retention setting, if this replica holds the lease."""
    services = context.services
    now = utcnow()
    held, _previous = await services.db.transact(
        take_lease, name=RETENTION_LEASE, owner=_OWNER, now=now, until=now + timedelta(hours=1)
    )
    if not held:
        return
    months = services.settings.legal_case_retention_months
    done = await services.db.transact(anonymise_closed_cases, months=months, now=now)
    if done:
        log.info("legal retention: %d closed cases older than %d months anonymised", done, months)


def schedule(application: Application) -> None:
    """Run the follow-up (announce, remind, escalate) every 10 minutes on the job queue, and
    the retention of closed cases each night at :data:`RETENTION_AT`, union time (every
    replica's job fires then; the first to take the lease does the work)."""
    jobs = application.job_queue
    if jobs is None:
        log.warning("no job queue: unclaimed legal cases are not followed up")
        return
    if not jobs.get_jobs_by_name(RETENTION_LEASE):
        zone = ZoneInfo(application.bot_data["services"].settings.timezone)
        jobs.run_daily(
            _retention_job,
            time=RETENTION_AT.replace(tzinfo=zone),
            name=RETENTION_LEASE,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    if jobs.get_jobs_by_name(FOLLOW_UP_LEASE):
        return
    jobs.run_repeating(
        _follow_up_job,
        interval=FOLLOW_UP_EVERY,
        first=120,
        name=FOLLOW_UP_LEASE,
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


def register(app: Application) -> None:
    """Register this module's handlers."""
    register_flow(REPLY_FLOW, _reply_flow)
    register_flow(ASK_FLOW, _ask_flow)
    private = filters.ChatType.PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    app.add_handler(
        MessageHandler(
            private & (filters.REPLY | InFlow(REPLY_FLOW, ASK_FLOW)), on_private_message
        ),
        group=RELAY_GROUP,
    )
    app.add_handler(CommandHandler("cases", cases_command))
    app.add_handler(CommandHandler("case", case_command))
    app.add_handler(CommandHandler("my_cases", my_cases_command))
    app.add_handler(CallbackQueryHandler(on_case_button, pattern=r"^lc:"))
    app.add_handler(CallbackQueryHandler(on_worker_button, pattern=r"^lw:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            on_group_message,
        )
    )
