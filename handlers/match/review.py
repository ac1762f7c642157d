"""Volunteer matchmakers: review profiles, handle reports, propose introductions.

`/match review` shows the oldest profile waiting (approve, ask for changes, reject, next);
`/match reports` the profiles members reported (keep or suspend); `/match intro A B [note]`
introduces two members, who each answer with a button. Matchmakers see profile cards and
profile numbers, never a member's Telegram identity; every view and decision is audited.
Contacts are exchanged only through handlers.match.pairs, after both members accepted.

Non-urgent notices (a review decision, a suspension, how an introduction ended) are not sent
inside quiet hours: they are held in the outbox (:mod:`bot.core.outbox`) until quiet hours end
and the outbox sender delivers them then, so a restart loses none. Answers to what a member
just did (an introduction) go out at once; a new pair's contacts go through the outbox at once
(handlers.match.pairs).
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.config import Settings
from bot.context import GongyouContext
from bot.core import outbox
from bot.core.clock import parse_quiet_hours, quiet_until
from bot.core.models import FlowState, Role, utcnow
from bot.core.text import TextError, checked_text
from bot.core.users import clear_flow, get_flow, set_flow
from bot.db import Database
from bot.i18n import t
from bot.match.core import (
    REASON_LIMIT,
    REVIEW_FLOW,
    SERVICE,
    ProfileLike,
    contact_in,
    option_label,
    render_card,
)
from bot.match.models import MatchProfile, ProfileStatus
from bot.match.review import (
    NOTE_LIMIT,
    REPORTS_SHOWN,
    IntroMember,
    NotProposed,
    Proposed,
    Queued,
    Reported,
    answer_intro,
    decide,
    pending_count,
    propose_intro,
    report_queue,
    resolve_reports,
    view_pending,
    withdraw_intro,
)
from handlers.base import (
    CAPTION_LIMIT,
    InFlow,
    drop_buttons,
    fit,
    register_flow,
    require_role,
    send_or_edit,
    stale_button,
    tell,
)
from handlers.match.pairs import announce_pair

log = logging.getLogger(__name__)

#: ``mr:a|c|r|n|k|h:<profile no.>``: approve, changes, reject, next, keep, suspend; ``mr:x``.
REVIEW_BUTTON = re.compile(r"^mr:(?:([acrnkh]):(\d{1,9})|(x))$")
#: ``mi:y|n:<introduction id>``: a member accepts or declines an introduction.
INTRO_BUTTON = re.compile(r"^mi:([yn]):(\d{1,9})$")
#: A profile number as matchmakers type it: ``12``, ``#12`` or ``No.12``.
PROFILE_NUMBER = re.compile(r"^(?:#|№|no\.?)?(\d{1,9})$", re.IGNORECASE)
#: The steps of the reason flow: asking for changes, or rejecting.
REASON_STEPS = {"c": ProfileStatus.changes, "r": ProfileStatus.rejected}


# --- sending ------------------------------------------------------------------------------------


async def _notice(
    context: GongyouContext,
    user_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    held_text: str | None = None,
    actor_id: int | None = None,
) -> str | datetime:
    """Tell a member something that can wait: "told", "unreachable", or when it will be sent.

    Inside quiet hours the notice is queued in the outbox until they end (``held_text``
    instead of ``text`` when the buttons should not wait overnight) and the outbox sender
    delivers it then; the answer is that moment. ``actor_id`` (who decided) is in the audit log
    of the decision already; the held message does not repeat it.
    """
    settings = context.services.settings
    now = utcnow()
    until = quiet_until(now, parse_quiet_hours(settings.quiet_hours) or (), settings.timezone)
    if until is None:
        return "told" if await tell(context.bot, user_id, text, keyboard) else "unreachable"
    body = held_text if held_text is not None else text
    markup = keyboard.to_dict() if keyboard is not None and held_text is None else None
    await context.services.db.transact(
        outbox.put,
        key=held_notice_key(user_id, body, until),
        chat_id=user_id,
        kind=HELD_NOTICE,
        text=fit(body),
        markup=markup,
        not_before=until,
        now=now,
    )
    return until


#: The outbox kind of a notice held through quiet hours.
HELD_NOTICE = "notice"


def held_notice_key(user_id: int, text: str, until: datetime) -> str:
    """The outbox key of a held notice: the same notice held twice for one morning is one."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"notice:{user_id}:{until:%Y%m%d%H%M}:{digest}"


def _notice_tail(context: GongyouContext, outcome: str | datetime) -> str:
    """What the matchmaker reads about telling the member."""
    if isinstance(outcome, datetime):
        zone = ZoneInfo(context.services.settings.timezone)
        return context.t("mr-member-held", time=outcome.astimezone(zone).strftime("%H:%M"))
    return context.t("mr-member-told" if outcome == "told" else "mr-member-unreachable")


async def _send_card(
    bot: Bot,
    chat_id: int,
    text: str,
    photo: str,
    keyboard: InlineKeyboardMarkup | None,
) -> None:
    """Send a card: on its photo when it fits a caption, else the photo and then the text."""
    if photo:
        try:
            if len(text) <= CAPTION_LIMIT:
                await bot.send_photo(chat_id, photo, caption=text, reply_markup=keyboard)
                return
            await bot.send_photo(chat_id, photo)
        except BadRequest:
            log.info("photo of a card could not be sent; sending the text alone", exc_info=True)
    await bot.send_message(chat_id, fit(text), reply_markup=keyboard)


def _shown_at(update: Update) -> datetime:
    """When the pressed card was sent (long-gone messages date from 1970: shown again)."""
    query = update.callback_query
    message = query.message if query is not None else None
    return message.date if message is not None else datetime.fromtimestamp(0, UTC)


def _card(
    profile: MatchProfile, lang: str, *, today: date, wishes: bool, number: bool = False
) -> str:
    """The profile's card (bot.match.core.render_card: no name, no contact)."""
    return render_card(cast(ProfileLike, profile), lang, today=today, wishes=wishes, number=number)


# --- `/match review|reports|intro` --------------------------------------------------------------


async def command(update: Update, context: GongyouContext, args: list[str]) -> None:
    """`/match review|reports|intro ...` (matchmakers only)."""
    context.scope.service = SERVICE
    if not await require_role(update, context, Role.volunteer_match):
        return
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        await context.reply(update, "mr-private-only")
        return
    word = args[0].lower() if args else ""
    if word == "review" and len(args) == 1:
        await show_pending(update, context)
    elif word == "reports" and len(args) == 1:
        await show_reports(update, context)
    elif word == "intro":
        await propose(update, context)
    else:
        await context.reply(update, "mr-usage")


def _review_keyboard(lang: str, profile_id: int) -> InlineKeyboardMarkup:
    def button(label: str, verb: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"mr:{verb}:{profile_id}")

    return InlineKeyboardMarkup(
        [
            [button(t(lang, "mr-btn-approve"), "a"), button(t(lang, "mr-btn-changes"), "c")],
            [button(t(lang, "mr-btn-reject"), "r"), button(t(lang, "mr-btn-next"), "n")],
        ]
    )


def review_card(lang: str, queued: Queued, *, today: date, timezone: str) -> str:
    """A waiting profile as a matchmaker reviews it: number, card, wishes, who may see it."""
    profile = queued.profile
    sent = profile.updated_at.astimezone(ZoneInfo(timezone)).date()
    first = profile.reviewed_at is None
    head = t(
        lang,
        "mr-review-head-new" if first else "mr-review-head-edited",
        waiting=queued.waiting,
        date=sent.isoformat(),
    )
    lines = [head, "", _card(profile, lang, today=today, wishes=True, number=True)]
    visibility = option_label(lang, "visibility", str(profile.visibility))
    lines.append(t(lang, "mr-review-visibility", value=visibility))
    lines.append(t(lang, "mr-photo-yes" if profile.photo_file_id else "mr-photo-no"))
    if profile.hidden:
        lines.append(t(lang, "mr-review-hidden"))
    return "\n".join(lines)


async def show_pending(
    update: Update,
    context: GongyouContext,
    *,
    after: int | None = None,
    profile_id: int | None = None,
) -> None:
    """Show the profile to review next with the decision buttons, or say nothing waits."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    await context.db.commit()  # end the session's read before the viewing transaction
    queued = await context.services.db.transact(
        view_pending, actor_id=user.id, now=utcnow(), after=after, profile_id=profile_id
    )
    if queued is None:
        await send_or_edit(update, context, context.t("mr-review-empty"))
        return
    profile = queued.profile
    assert profile.id is not None
    timezone = context.services.settings.timezone
    text = review_card(context.lang, queued, today=context.today(), timezone=timezone)
    keyboard = _review_keyboard(context.lang, profile.id)
    await _send_card(context.bot, chat.id, text, profile.photo_file_id, keyboard)


def _reasons_text(lang: str, reported: Reported) -> str:
    parts = []
    for key, count in reported.reasons.items():
        reason = _reason_label(lang, key)
        parts.append(t(lang, "mr-report-reason", reason=reason, count=count))
    return "、".join(parts)


def _reason_label(lang: str, reason: str) -> str:
    """The label of a report reason (bot.match.review.REPORT_REASONS)."""
    match reason:
        case "fake":
            return t(lang, "mr-reason-fake")
        case "rude":
            return t(lang, "mr-reason-rude")
        case "money":
            return t(lang, "mr-reason-money")
        case "married":
            return t(lang, "mr-reason-married")
        case _:
            return t(lang, "mr-reason-other")


def _status_label(lang: str, profile: MatchProfile) -> str:
    """The profile's review status as a matchmaker reads it (and whether it is paused)."""
    match str(profile.status):
        case "pending":
            label = t(lang, "mr-status-pending")
        case "approved":
            label = t(lang, "mr-status-approved")
        case "changes":
            label = t(lang, "mr-status-changes")
        case _:
            label = t(lang, "mr-status-rejected")
    return t(lang, "mr-status-paused", status=label) if profile.paused else label


def report_card(lang: str, reported: Reported, *, today: date) -> str:
    """A reported profile as a matchmaker sees it: counts per reason, never the reporters."""
    profile = reported.profile
    hidden = t(lang, "mr-report-hidden-yes" if profile.hidden else "mr-report-hidden-no")
    lines = [
        t(lang, "mr-report-head", count=reported.reports, hidden=hidden),
        t(lang, "mr-report-reasons", reasons=_reasons_text(lang, reported)),
        t(lang, "mr-report-status", status=_status_label(lang, profile)),
        "",
        _card(profile, lang, today=today, wishes=False, number=True),
    ]
    return "\n".join(lines)


async def show_reports(update: Update, context: GongyouContext) -> None:
    """Show the most reported profiles, each with keep and suspend buttons."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    await context.db.commit()
    total, queue = await context.services.db.transact(
        report_queue, actor_id=user.id, now=utcnow(), limit=REPORTS_SHOWN
    )
    lang = context.lang
    if not queue:
        await send_or_edit(update, context, t(lang, "mr-reports-empty"))
        return
    await send_or_edit(
        update, context, t(lang, "mr-reports-header", profiles=total, shown=len(queue))
    )
    today = context.today()
    for reported in queue:
        profile_id = reported.profile.id
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "mr-btn-keep"), callback_data=f"mr:k:{profile_id}"
                    ),
                    InlineKeyboardButton(
                        t(lang, "mr-btn-suspend"), callback_data=f"mr:h:{profile_id}"
                    ),
                ]
            ]
        )
        await send_or_edit(update, context, report_card(lang, reported, today=today), keyboard)


# --- the review buttons and the reason flow -----------------------------------------------------


async def on_review_button(update: Update, context: GongyouContext) -> None:
    """Handle the matchmakers' buttons: approve, changes, reject, next, keep, suspend, cancel."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    context.scope.service = SERVICE
    if not await require_role(update, context, Role.volunteer_match):
        return
    found = REVIEW_BUTTON.match(query.data or "")
    if found is None:
        await stale_button(update, context)
        return
    verb, number, cancel = found.groups()
    if cancel is not None:
        await _cancel_reason(update, context, user.id)
        return
    profile_id = int(number)
    if verb == "n":
        await query.answer()
        await show_pending(update, context, after=profile_id)
    elif verb == "a":
        await _approve(update, context, user.id, profile_id)
    elif verb in REASON_STEPS:
        await _ask_reason(update, context, user.id, profile_id, verb)
    else:
        await _resolve(update, context, user.id, profile_id, suspend=verb == "h")


async def _decided(
    update: Update,
    context: GongyouContext,
    profile_id: int,
    status: ProfileStatus,
    note: str,
    member_id: int,
    member_language: str,
) -> None:
    """Tell the member the decision, the matchmaker it is done, and show the next profile."""
    number = str(profile_id)
    user = update.effective_user
    actor = user.id if user is not None else None
    if status == ProfileStatus.approved:
        text = t(member_language, "mr-member-approved")
        told = await _notice(context, member_id, text, actor_id=actor)
        done = context.t("mr-approved", number=number)
    elif status == ProfileStatus.changes:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(member_language, "mr-btn-edit"), callback_data="mp:edit")]]
        )
        text = t(member_language, "mr-member-changes", reason=note)
        held = "\n".join((text, t(member_language, "mr-member-edit-hint")))
        told = await _notice(context, member_id, text, keyboard, held_text=held, actor_id=actor)
        done = context.t("mr-changes-done", number=number)
    else:
        text = t(member_language, "mr-member-rejected", reason=note)
        told = await _notice(context, member_id, text, actor_id=actor)
        done = context.t("mr-rejected-done", number=number)
    await send_or_edit(update, context, f"{done}\n{_notice_tail(context, told)}")
    await show_pending(update, context, after=profile_id)


async def _changed(update: Update, context: GongyouContext, profile_id: int) -> None:
    """Say the member edited the profile since the card was shown; show it as it is now."""
    await send_or_edit(update, context, context.t("mr-changed", number=str(profile_id)))
    await show_pending(update, context, profile_id=profile_id)


async def _approve(
    update: Update, context: GongyouContext, matchmaker_id: int, profile_id: int
) -> None:
    """Approve a pending profile (once, whoever presses first)."""
    query = update.callback_query
    assert query is not None
    await context.db.commit()
    decided = await context.services.db.transact(
        decide,
        profile_id=profile_id,
        actor_id=matchmaker_id,
        status=ProfileStatus.approved,
        note="",
        now=utcnow(),
        shown_at=_shown_at(update),
    )
    if decided.outcome == "missing":
        await stale_button(update, context)
        return
    if decided.outcome in ("handled", "own"):
        key = "mr-already" if decided.outcome == "handled" else "mr-own"
        await query.answer(context.t(key), show_alert=True)
        return
    await query.answer()
    if decided.outcome == "changed":
        await _changed(update, context, profile_id)
        return
    await drop_buttons(update)
    await _decided(
        update, context, profile_id, ProfileStatus.approved, "", decided.user_id, decided.language
    )


def _cancel_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "mr-btn-cancel"), callback_data="mr:x")]]
    )


def _reason_prompt(lang: str, step: str, profile_id: int) -> str:
    key = "mr-ask-changes" if step == "c" else "mr-ask-reject"
    return t(lang, key, number=str(profile_id), limit=REASON_LIMIT)


async def _ask_reason(
    update: Update, context: GongyouContext, matchmaker_id: int, profile_id: int, step: str
) -> None:
    """Ask the matchmaker to type what the member should change, or why it is rejected."""
    query = update.callback_query
    assert query is not None
    profile = await context.db.get(MatchProfile, profile_id, populate_existing=True)
    if profile is None:
        await stale_button(update, context)
        return
    if profile.user_id == matchmaker_id:
        await query.answer(context.t("mr-own"), show_alert=True)
        return
    if profile.status != ProfileStatus.pending:
        await query.answer(context.t("mr-already"), show_alert=True)
        return
    data = {"p": profile_id, "at": _shown_at(update).isoformat()}
    await set_flow(context.db, user_id=matchmaker_id, flow=REVIEW_FLOW, step=step, data=data)
    await query.answer()
    prompt = _reason_prompt(context.lang, step, profile_id)
    await send_or_edit(update, context, prompt, _cancel_keyboard(context.lang))


async def _cancel_reason(update: Update, context: GongyouContext, matchmaker_id: int) -> None:
    """Leave the reason flow without deciding."""
    query = update.callback_query
    assert query is not None
    state = await get_flow(context.db, user_id=matchmaker_id)
    if state is None or state.flow != REVIEW_FLOW:
        await stale_button(update, context)
        return
    await clear_flow(context.db, user_id=matchmaker_id)
    await query.answer()
    await drop_buttons(update)
    await send_or_edit(update, context, context.t("mr-reason-cancelled"))


def _flow_target(state: FlowState) -> tuple[int, datetime] | None:
    """The profile number and card time a reason flow is about (None if the state is odd)."""
    data = state.data or {}
    profile_id = data.get("p")
    try:
        shown_at = datetime.fromisoformat(str(data.get("at")))
    except ValueError:
        return None
    if not isinstance(profile_id, int) or state.step not in REASON_STEPS:
        return None
    return profile_id, shown_at


async def on_reason_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the typed reason, decide, and tell the member."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    if not context.has_role(Role.volunteer_match):
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "role-refused")
        return
    target = _flow_target(state)
    if target is None:
        await clear_flow(context.db, user_id=user.id)
        await context.reply(update, "mr-usage")
        return
    profile_id, shown_at = target
    lang = context.lang
    try:
        reason = checked_text(message.text, limit=REASON_LIMIT, layout="ends", form=None)
    except TextError as error:
        too_long = error.reason == "too_long"
        parts = [t(lang, "mr-reason-too-long", limit=REASON_LIMIT)] if too_long else []
        parts.append(_reason_prompt(lang, state.step, profile_id))
        await send_or_edit(update, context, "\n\n".join(parts), _cancel_keyboard(lang))
        return
    status = REASON_STEPS[state.step]
    await context.db.commit()
    decided = await context.services.db.transact(
        decide,
        profile_id=profile_id,
        actor_id=user.id,
        status=status,
        note=reason,
        now=utcnow(),
        shown_at=shown_at,
        end_flow=True,
    )
    if decided.outcome == "own":
        await send_or_edit(update, context, context.t("mr-own"))
    elif decided.outcome in ("missing", "handled"):
        await send_or_edit(update, context, context.t("mr-already"))
        await show_pending(update, context, after=profile_id)
    elif decided.outcome == "changed":
        await _changed(update, context, profile_id)
    else:
        await _decided(
            update, context, profile_id, status, reason, decided.user_id, decided.language
        )


async def on_reason_other(update: Update, context: GongyouContext) -> None:
    """Ask for the reason as text when a matchmaker sends a photo, sticker or the like."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != REVIEW_FLOW:
        return
    await send_or_edit(
        update, context, context.t("mr-reason-text-only"), _cancel_keyboard(context.lang)
    )


# --- the reports queue's buttons ----------------------------------------------------------------


async def _resolve(
    update: Update, context: GongyouContext, matchmaker_id: int, profile_id: int, *, suspend: bool
) -> None:
    """Keep a reported profile or suspend it; resolve its open reports either way."""
    query = update.callback_query
    assert query is not None
    await context.db.commit()
    resolved = await context.services.db.transact(
        resolve_reports,
        profile_id=profile_id,
        actor_id=matchmaker_id,
        suspend=suspend,
        now=utcnow(),
    )
    if resolved.outcome == "missing":
        await stale_button(update, context)
        return
    if resolved.outcome in ("handled", "own"):
        key = "mr-reports-handled" if resolved.outcome == "handled" else "mr-own"
        await query.answer(context.t(key), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    number = str(profile_id)
    if not suspend:
        await send_or_edit(
            update, context, context.t("mr-kept", number=number, count=resolved.reports)
        )
        return
    text = t(resolved.language, "mr-member-suspended")
    told = await _notice(context, resolved.user_id, text, actor_id=matchmaker_id)
    done = context.t("mr-suspended", number=number, count=resolved.reports)
    await send_or_edit(update, context, f"{done}\n{_notice_tail(context, told)}")


# --- introductions ------------------------------------------------------------------------------


def _intro_error(lang: str, error: NotProposed) -> str:
    number = str(error.number)
    match error.reason:
        case "missing":
            return t(lang, "mr-intro-missing", number=number)
        case "same":
            return t(lang, "mr-intro-same")
        case "own":
            return t(lang, "mr-intro-own")
        case "unavailable":
            return t(lang, "mr-intro-unavailable", number=number)
        case "pair":
            return t(lang, "mr-intro-pair")
        case "open":
            return t(lang, "mr-intro-open")
        case _:
            return t(lang, "mr-intro-blocked")


def invitation(
    member: IntroMember, other: IntroMember, *, intro_id: int, note: str, today: date
) -> tuple[str, str, InlineKeyboardMarkup]:
    """The introduction as ``member`` gets it: text, the other's photo (or ''), buttons.

    The other's card (no number, no contact) is shown only if they let members see it.
    """
    lang = member.language
    parts = [t(lang, "mr-intro-invite")]
    photo = ""
    if other.shown_to_members:
        parts.append(_card(other.profile, lang, today=today, wishes=True))
        photo = other.profile.photo_file_id
    else:
        parts.append(t(lang, "mr-intro-private-card"))
    if note:
        parts.append(t(lang, "mr-intro-note", note=note))
    parts.append(t(lang, "mr-intro-how"))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, "mr-btn-accept"), callback_data=f"mi:y:{intro_id}"),
                InlineKeyboardButton(t(lang, "mr-btn-decline"), callback_data=f"mi:n:{intro_id}"),
            ]
        ]
    )
    return "\n\n".join(parts), photo, keyboard


async def propose(update: Update, context: GongyouContext) -> None:
    """`/match intro <no. A> <no. B> [note]`: introduce two members; both must accept."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    lang = context.lang
    parts = message.text.split(maxsplit=4)
    numbers = [PROFILE_NUMBER.match(p) for p in parts[2:4]]
    if len(parts) < 4 or not all(numbers):
        await context.reply(update, "mr-intro-usage")
        return
    a_number, b_number = (int(found.group(1)) for found in numbers if found is not None)
    typed = parts[4] if len(parts) > 4 else ""
    try:
        note = checked_text(typed, limit=NOTE_LIMIT, layout="ends", form=None, required=False)
    except TextError:
        await context.reply(update, "mr-intro-note-long", limit=NOTE_LIMIT)
        return
    if (contact_kind := contact_in(note)) is not None:
        text = "\n".join(
            (t(lang, f"match-contact-{contact_kind}"), t(lang, "mr-intro-note-contact"))
        )
        await send_or_edit(update, context, text)
        return
    await context.db.commit()
    db = context.services.db
    result = await db.transact(
        propose_intro,
        proposer_id=user.id,
        a_number=a_number,
        b_number=b_number,
        note=note,
        now=utcnow(),
    )
    if isinstance(result, NotProposed):
        await send_or_edit(update, context, _intro_error(lang, result))
        return
    await _invite(update, context, result, a_number, b_number)


async def _invite(
    update: Update, context: GongyouContext, proposed: Proposed, a_number: int, b_number: int
) -> None:
    """Send both members the introduction; withdraw it if one cannot be reached."""
    today = context.today()
    unreachable = []
    for member, other, number in (
        (proposed.a, proposed.b, a_number),
        (proposed.b, proposed.a, b_number),
    ):
        text, photo, keyboard = invitation(
            member, other, intro_id=proposed.intro_id, note=proposed.note, today=today
        )
        try:
            await _send_card(context.bot, member.user_id, text, photo, keyboard)
        except TelegramError:
            log.info("introduction %s: member could not be reached", proposed.intro_id)
            unreachable.append(number)
    if unreachable:
        await context.services.db.transact(
            withdraw_intro, intro_id=proposed.intro_id, now=utcnow()
        )
        for number in unreachable:
            await send_or_edit(
                update, context, context.t("mr-intro-unreachable", number=str(number))
            )
        return
    text = context.t(
        "mr-intro-sent", intro=str(proposed.intro_id), a=str(a_number), b=str(b_number)
    )
    await send_or_edit(update, context, text)


async def on_intro_button(update: Update, context: GongyouContext) -> None:
    """Take a member's answer to an introduction (only the two addressed, once each)."""
    query = update.callback_query
    user = update.effective_user
    found = INTRO_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    await context.db.commit()
    db = context.services.db
    answer = await db.transact(
        answer_intro,
        intro_id=int(found.group(2)),
        user_id=user.id,
        accept=found.group(1) == "y",
        now=utcnow(),
    )
    if answer.outcome == "stale":
        await stale_button(update, context)
        return
    if answer.outcome in ("closed", "already"):
        key = "mr-intro-closed" if answer.outcome == "closed" else "mr-intro-answered"
        await query.answer(context.t(key), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    intro = str(answer.intro_id)
    if answer.outcome == "waiting":
        await send_or_edit(update, context, context.t("mr-intro-accepted-wait"))
        return
    if answer.outcome == "paired":
        if answer.new_pair:
            await announce_pair(context.application, db, a_id=user.id, b_id=answer.other_id)
        else:
            await send_or_edit(update, context, context.t("mr-intro-already-connected"))
        outcome = t(answer.proposer_language, "mr-intro-outcome-pair", intro=intro)
        await _notice(context, answer.proposer_id, outcome)
        return
    if answer.outcome == "declined":
        await send_or_edit(update, context, context.t("mr-intro-declined-ok"))
    else:
        await send_or_edit(update, context, context.t("mr-intro-not-this-time"))
    if answer.other_accepted:
        await _notice(context, answer.other_id, t(answer.other_language, "mr-intro-not-this-time"))
    outcome = t(answer.proposer_language, "mr-intro-outcome-no", intro=intro)
    await _notice(context, answer.proposer_id, outcome)


# --- telling the matchmakers --------------------------------------------------------------------


async def announce_pending(bot: Bot, db: Database, settings: Settings, *, profile_id: int) -> None:
    """Tell the matchmakers that a new or edited profile waits for review (no personal data).

    Posts to the volunteers' group when there is one; never raises into the caller (the
    profile is stored whatever happens here, and `/match review` finds it).
    """
    chat_id = settings.volunteers_chat_id
    if chat_id is None:
        return
    try:
        waiting = await db.transact(pending_count)
        text = t(
            settings.default_language,
            "mr-pending-notice",
            number=str(profile_id),
            waiting=waiting,
        )
        await bot.send_message(chat_id, text)
    except TelegramError:
        log.warning("profile %s could not be announced to the matchmakers", profile_id)
    except Exception:
        log.exception("announcing profile %s failed", profile_id)


async def announce_hidden(bot: Bot, settings: Settings, *, profile_id: int) -> None:
    """Tell the matchmakers that reports have hidden a profile (its number only); never raises."""
    chat_id = settings.volunteers_chat_id
    if chat_id is None:
        return
    text = t(settings.default_language, "mr-hidden-notice", number=str(profile_id))
    try:
        await bot.send_message(chat_id, text)
    except TelegramError:
        log.warning("the hiding of profile %s could not be announced", profile_id)


def register(app: Application) -> None:
    """Register the review buttons, the reason flow and introduction answers."""
    register_flow(REVIEW_FLOW, on_reason_text)
    app.add_handler(CallbackQueryHandler(on_review_button, pattern=r"^mr:"))
    app.add_handler(CallbackQueryHandler(on_intro_button, pattern=r"^mi:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(REVIEW_FLOW),
            on_reason_other,
        )
    )
