"""Daily suggestions in the chat: a card without contacts; like, skip, block or report.

``ms:next`` (on the member menu and under every answer) shows the member's next suggestion:
the card (with the photo, if any) and the buttons ``ms:l:<profile id>`` like,
``ms:s:<id>`` skip (the next card follows at once), ``ms:b:<id>`` block and ``ms:r:<id>``
report, which turns the buttons into the reasons ``ms:rr:<id>:<reason>`` and back
(``ms:rb:<id>``). A card not answered yet is shown again by ``ms:next`` rather than a new one.
When two members like each other, handlers.match.pairs gives each the other's contact.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler

from bot.context import GongyouContext
from bot.core.models import utcnow
from bot.i18n import t
from bot.match.core import SERVICE, interest_keys, labels, render_card
from bot.match.suggest import (
    REPORT_REASONS,
    Decided,
    LimitReached,
    NoneLeft,
    Refused,
    Suggestion,
    Unavailable,
    decide,
    next_suggestion,
    report_reason_label,
    report_state,
)
from handlers.base import CAPTION_LIMIT, MESSAGE_LIMIT, send_or_edit, set_buttons, stale_button
from handlers.match.pairs import announce_pair
from handlers.match.review import announce_hidden
from handlers.membership import ensure_verified

log = logging.getLogger(__name__)

_ID = r"[1-9][0-9]{0,11}"
#: ``ms:next``; ``ms:<l|s|b|r|rb>:<profile id>``; ``ms:rr:<profile id>:<reason>``.
BUTTON = re.compile(
    rf"^ms:(?:(next)|(l|s|b|r|rb):({_ID})|rr:({_ID}):({'|'.join(REPORT_REASONS)}))$"
)
#: The decision each card button stands for.
VERBS = {"l": "like", "s": "skip", "b": "block"}


# --- sending ----------------------------------------------------------------------------------


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _after_keyboard(lang: str) -> InlineKeyboardMarkup:
    """Under an answer: the next suggestion, or back to the matchmaking menu."""
    return InlineKeyboardMarkup(
        [[_button(t(lang, "ms-btn-next"), "ms:next"), _button(t(lang, "ms-btn-menu"), "mp:menu")]]
    )


def _later_keyboard(lang: str) -> InlineKeyboardMarkup:
    """When there is nothing more to show today: the union's socials, or the menu."""
    return InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "ms-btn-events"), "me:list"),
                _button(t(lang, "ms-btn-menu"), "mp:menu"),
            ]
        ]
    )


def _card_keyboard(lang: str, profile_id: int) -> InlineKeyboardMarkup:
    """The decisions a card offers."""
    return InlineKeyboardMarkup(
        [
            [
                _button(t(lang, "ms-btn-like"), f"ms:l:{profile_id}"),
                _button(t(lang, "ms-btn-skip"), f"ms:s:{profile_id}"),
            ],
            [
                _button(t(lang, "ms-btn-block"), f"ms:b:{profile_id}"),
                _button(t(lang, "ms-btn-report"), f"ms:r:{profile_id}"),
            ],
        ]
    )


def _reasons_keyboard(lang: str, profile_id: int) -> InlineKeyboardMarkup:
    """Why the member reports the profile, and back to the card's buttons."""
    rows = [
        [
            InlineKeyboardButton(
                report_reason_label(lang, reason), callback_data=f"ms:rr:{profile_id}:{reason}"
            )
        ]
        for reason in REPORT_REASONS
    ]
    rows.append([_button(t(lang, "ms-btn-back"), f"ms:rb:{profile_id}")])
    return InlineKeyboardMarkup(rows)


def card_text(lang: str, suggestion: Suggestion, *, today: date, limit: int) -> str:
    """The card of a suggestion in at most ``limit`` characters (the intro is cut to fit)."""
    if suggestion.again:
        head = t(lang, "ms-card-again")
    else:
        head = t(lang, "ms-card-head", count=suggestion.shown_today, limit=suggestion.limit)
    parts = [head]
    shared = interest_keys(suggestion.shared)
    if shared:
        parts.append(t(lang, "ms-card-shared", value="、".join(labels(lang, "interest", shared))))
    parts.append(t(lang, "ms-card-tail"))
    profile = suggestion.profile
    card = render_card(profile, lang, today=today, wishes=True)
    text = "\n\n".join([parts[0], card, *parts[1:]])
    overflow = len(text) - limit
    if overflow > 0 and profile.intro:
        keep = max(len(profile.intro) - overflow - 1, 0)
        shorter = replace(profile, intro=profile.intro[:keep] + "…")
        card = render_card(shorter, lang, today=today, wishes=True)
        text = "\n\n".join([parts[0], card, *parts[1:]])
    return text[:limit]


async def _send_card(update: Update, context: GongyouContext, suggestion: Suggestion) -> None:
    """Send the card: a photo with the card as its caption, or the card as a message."""
    chat = update.effective_chat
    profile = suggestion.profile
    if chat is None or profile.id is None:
        return
    lang = context.lang
    keyboard = _card_keyboard(lang, profile.id)
    today = context.today()
    if profile.photo_file_id:
        caption = card_text(lang, suggestion, today=today, limit=CAPTION_LIMIT)
        try:
            await context.bot.send_photo(
                chat.id, profile.photo_file_id, caption=caption, reply_markup=keyboard
            )
            return
        except BadRequest as exc:  # the photo is gone from Telegram: the card without it
            log.info("could not send the photo of profile %s: %s", profile.id, exc)
    text = card_text(lang, suggestion, today=today, limit=MESSAGE_LIMIT)
    await context.bot.send_message(chat.id, text, reply_markup=keyboard)


async def _explain(update: Update, context: GongyouContext, reason: str) -> None:
    """Say why the member gets no suggestions, with the button that helps."""
    lang = context.lang
    menu = _button(t(lang, "ms-btn-menu"), "mp:menu")
    match reason:
        case "none":
            text, rows = t(lang, "ms-no-profile"), [[_button(t(lang, "ms-btn-create"), "mp:edit")]]
        case "pending":
            text, rows = t(lang, "ms-pending"), [[menu]]
        case "changes":
            text, rows = t(lang, "ms-changes"), [[_button(t(lang, "ms-btn-edit"), "mp:edit")]]
        case "rejected":
            text, rows = t(lang, "ms-rejected"), [[menu]]
        case "hidden":
            text, rows = t(lang, "ms-hidden"), [[menu]]
        case "paused":
            text, rows = t(lang, "ms-paused"), [[_button(t(lang, "ms-btn-resume"), "mp:resume")]]
        case "matchmakers":
            text, rows = t(lang, "ms-matchmakers"), [[_button(t(lang, "ms-btn-edit"), "mp:edit")]]
        case _:  # no longer a verified member: the check again, then the matchmaking menu
            await ensure_verified(update, context, then="match")
            return
    await send_or_edit(update, context, text, InlineKeyboardMarkup(rows))


# --- showing suggestions ----------------------------------------------------------------------


async def show_next(update: Update, context: GongyouContext) -> None:
    """Show the member's next suggestion, or say why there is none now."""
    user = update.effective_user
    if user is None:
        return
    context.scope.service = SERVICE
    if not await ensure_verified(update, context, then="match"):
        return
    await context.db.commit()  # end the session's read before the choosing transaction
    settings = context.services.settings
    result = await context.services.db.transact(
        next_suggestion,
        user_id=user.id,
        today=context.today(),
        now=utcnow(),
        limit=settings.match_daily_limit,
    )
    lang = context.lang
    match result:
        case Suggestion():
            await _send_card(update, context, result)
        case Unavailable(reason=reason):
            await _explain(update, context, reason)
        case LimitReached(limit=limit):
            await send_or_edit(
                update, context, t(lang, "ms-limit", limit=limit), _later_keyboard(lang)
            )
        case NoneLeft():
            await send_or_edit(update, context, t(lang, "ms-none-left"), _later_keyboard(lang))


# --- decisions --------------------------------------------------------------------------------


async def _decide(
    update: Update, context: GongyouContext, profile_id: int, decision: str, reason: str = ""
) -> None:
    """Store the member's decision about a suggested profile and answer it."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    like = decision == "like"
    db = context.services.db
    result = await db.transact(
        decide,
        user_id=user.id,
        profile_id=profile_id,
        decision=decision,
        reason=reason,
        now=utcnow(),
        username=(user.username or "") if like else None,
        name=user.full_name if like else None,
    )
    lang = context.lang
    if isinstance(result, Refused):
        if result.reason == "stale":
            await stale_button(update, context)
        elif result.reason in ("final", "same"):
            note = t(lang, "ms-already-final") if result.reason == "final" else None
            await query.answer(note)
            await set_buttons(update, None)
        else:
            await query.answer()
            await _explain(update, context, result.reason)
        return
    assert isinstance(result, Decided)
    if decision == "skip":
        await query.answer(t(lang, "ms-skipped"))
        await set_buttons(update, None)
        await show_next(update, context)
        return
    await query.answer()
    await set_buttons(update, None)
    if like and result.paired:
        await announce_pair(context.application, db, a_id=user.id, b_id=result.target_id)
        return
    key = "ms-liked" if like else "ms-blocked" if decision == "block" else "ms-reported"
    await send_or_edit(update, context, t(lang, key), _after_keyboard(lang))
    if result.hidden:
        await announce_hidden(context.bot, context.services.settings, profile_id=profile_id)


async def _report_buttons(
    update: Update, context: GongyouContext, profile_id: int, *, back: bool
) -> None:
    """Turn the card's buttons into the report reasons (or back into the decisions)."""
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    state = await context.services.db.transact(
        report_state, user_id=user.id, profile_id=profile_id
    )
    lang = context.lang
    if state is None:
        await stale_button(update, context)
        return
    if state == "final":
        await query.answer(t(lang, "ms-already-final"))
        await set_buttons(update, None)
        return
    if back:
        await query.answer()
        await set_buttons(update, _card_keyboard(lang, profile_id))
        return
    await query.answer(t(lang, "ms-report-choose"))
    await set_buttons(update, _reasons_keyboard(lang, profile_id))


async def on_button(update: Update, context: GongyouContext) -> None:
    """Handle the suggestion buttons (only in the member's private chat with the bot)."""
    query = update.callback_query
    user = update.effective_user
    chat = update.effective_chat
    found = BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    if chat is None or chat.type != ChatType.PRIVATE:
        await query.answer(context.t("ms-private-only"), show_alert=True)
        return
    nxt, verb, number, report_number, reason = found.groups()
    if nxt:
        await query.answer()
        await show_next(update, context)
    elif verb in VERBS:
        await _decide(update, context, int(number), VERBS[verb])
    elif verb in ("r", "rb"):
        await _report_buttons(update, context, int(number), back=verb == "rb")
    else:
        await _decide(update, context, int(report_number), "report", reason)


def register(app: Application) -> None:
    """Register the suggestion buttons."""
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^ms:"))
