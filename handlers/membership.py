"""Proving union membership in the chat: card number and name, then the worker's own phone.

Any service that is for members only calls :func:`ensure_verified`; once the check succeeds
the worker is taken on to where they were going (see :func:`register_continuation`). The
steps are kept in the database (flow ``VERIFY_FLOW``): the card number is typed, then the
name, which is checked against the roster's hash (a few tries a day); a match asks for the
worker's own phone through Telegram's contact button. Buttons: ``mv:x`` cancels, ``mv:b``
goes back from the name to the card number.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import FlowState, utcnow
from bot.core.privacy import Export
from bot.core.users import clear_flow, get_flow, set_flow
from bot.i18n import t
from bot.membership.roster import (
    CARD_LIMIT,
    CARD_STEP,
    NAME_STEP,
    PHONE_STEP,
    STEPS,
    TRIES_KEPT,
    TYPED_LIMIT,
    VERIFY_FLOW,
    CardCheck,
    Confirmed,
    check_card,
    confirm_member,
    day_start,
    drop_old_attempts,
    drop_stale_checks,
    forget_membership,
    is_latin_name,
    is_verified,
    member_key,
    normalize_card,
    normalize_name,
    tries_left,
)
from handlers.base import InFlow, Service, main_menu, register_flow, stale_button

log = logging.getLogger(__name__)

SERVICE = "membership"
#: ``mv:x`` (cancel the check) or ``mv:b`` (back from the name to the card number).
VERIFY_BUTTON = re.compile(r"^mv:([xb])$")

#: Where a worker goes once verified, by name (services register theirs).
Continuation = Callable[[Update, GongyouContext], Awaitable[None]]
CONTINUATIONS: dict[str, Continuation] = {}


def register_continuation(name: str, handler: Continuation) -> None:
    """Let ``ensure_verified(..., then=name)`` continue with ``handler`` after the check."""
    CONTINUATIONS[name] = handler


async def ensure_verified(update: Update, context: GongyouContext, *, then: str) -> bool:
    """True if the user is a verified member; otherwise start the check and return False."""
    user = update.effective_user
    if user is None:
        return False
    if await is_verified(context.db, user_id=user.id):
        return True
    await start_verification(update, context, then=then)
    return False


# --- asking -----------------------------------------------------------------------------------


def _keyboard(lang: str, step: str) -> InlineKeyboardMarkup:
    """Cancel at every step; back to the card number at the name step."""
    cancel = InlineKeyboardButton(t(lang, "mv-btn-cancel"), callback_data="mv:x")
    if step == NAME_STEP:
        back = InlineKeyboardButton(t(lang, "mv-btn-back"), callback_data="mv:b")
        return InlineKeyboardMarkup([[back, cancel]])
    return InlineKeyboardMarkup([[cancel]])


def _question(lang: str, step: str) -> str:
    match step:
        case "card":
            return t(lang, "mv-ask-card")
        case "name":
            return t(lang, "mv-ask-name")
        case _:
            return t(lang, "mv-ask-phone")


def _hint(lang: str, step: str) -> str:
    """What the step needs, for a message of the wrong kind."""
    match step:
        case "card":
            return t(lang, "mv-hint-card")
        case "name":
            return t(lang, "mv-hint-name")
        case _:
            return t(lang, "mv-hint-phone")


async def _ask(
    update: Update,
    context: GongyouContext,
    step: str,
    *,
    note: str | None = None,
    edit: bool = False,
) -> None:
    """Ask the question of ``step`` after an optional note; the phone step adds its button."""
    lang = context.lang
    text = "\n\n".join(part for part in (note, _question(lang, step)) if part)
    keyboard = _keyboard(lang, step)
    query = update.callback_query
    sent = False
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            sent = True
        except BadRequest as exc:
            log.info("could not edit message, sending a new one: %s", exc)
    chat = update.effective_chat
    if chat is None:
        return
    if not sent:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)
    if step == PHONE_STEP:
        share = ReplyKeyboardMarkup(
            [[KeyboardButton(t(lang, "mv-btn-share"), request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await context.bot.send_message(chat.id, t(lang, "mv-phone-keyboard"), reply_markup=share)


async def _say(update: Update, context: GongyouContext, text: str, *, close: bool) -> None:
    """Send one message; ``close`` takes the phone-sharing keyboard away with it."""
    chat = update.effective_chat
    if chat is None:
        return
    markup = ReplyKeyboardRemove() if close else None
    await context.bot.send_message(chat.id, text, reply_markup=markup)


async def start_verification(update: Update, context: GongyouContext, *, then: str) -> None:
    """Explain the membership check and ask for the card number."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.reply(update, "mv-private-only")
        return
    state = await get_flow(context.db, user_id=user.id)
    if state is not None and state.flow == VERIFY_FLOW and state.step in STEPS:
        data = {**(state.data or {}), "then": then}
        await set_flow(context.db, user_id=user.id, flow=VERIFY_FLOW, step=state.step, data=data)
        await _ask(update, context, state.step, note=context.t("mv-resume"))
        return
    settings = context.services.settings
    left = await tries_left(
        context.db,
        user_id=user.id,
        since=day_start(settings.timezone, utcnow()),
        limit=settings.verify_attempts_per_day,
    )
    if left <= 0:
        await context.reply(update, "mv-limit")
        return
    await set_flow(
        context.db, user_id=user.id, flow=VERIFY_FLOW, step=CARD_STEP, data={"then": then}
    )
    await _ask(update, context, CARD_STEP, note=context.t("mv-intro"))


# --- answers ----------------------------------------------------------------------------------


async def on_verify_text(update: Update, context: GongyouContext, state: FlowState) -> None:
    """Take the typed card number or name; at the phone step, point to the button."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    context.scope.service = SERVICE
    step = state.step if state.step in STEPS else CARD_STEP
    text = message.text.strip()
    if step == PHONE_STEP:
        await _ask(update, context, step, note=context.t("mv-phone-typed"))
        return
    if len(text) > TYPED_LIMIT:
        await _ask(update, context, step, note=context.t("mv-bad-too-long", limit=TYPED_LIMIT))
        return
    then = str((state.data or {}).get("then") or "")
    if step == CARD_STEP:
        card = normalize_card(text)
        if not card:
            await _ask(update, context, step, note=context.t("mv-bad-card-empty"))
            return
        if len(card) > CARD_LIMIT:
            note = context.t("mv-bad-card-long", limit=CARD_LIMIT)
            await _ask(update, context, step, note=note)
            return
        data = {"then": then, "card": card}
        await set_flow(context.db, user_id=user.id, flow=VERIFY_FLOW, step=NAME_STEP, data=data)
        await _ask(update, context, NAME_STEP)
        return
    if not normalize_name(text):
        await _ask(update, context, step, note=context.t("mv-bad-name-empty"))
        return
    await _check(update, context, user.id, text)


async def _check(update: Update, context: GongyouContext, user_id: int, name: str) -> None:
    """Check card number and name against the roster and say what comes next."""
    settings = context.services.settings
    now = utcnow()
    await context.db.commit()  # end the session's read before the check's transaction
    result: CardCheck = await context.services.db.transact(
        check_card,
        user_id=user_id,
        name=name,
        key=member_key(settings, warn=False),
        limit=settings.verify_attempts_per_day,
        since=day_start(settings.timezone, now),
        now=now,
    )
    match result.outcome:
        case "matched":
            await _ask(update, context, PHONE_STEP, note=context.t("mv-matched"))
        case "no_match" if result.left > 0:
            note = context.t("mv-no-match", left=result.left)
            if is_latin_name(name):
                note = "\n".join((note, context.t("mv-name-latin")))
            await _ask(update, context, CARD_STEP, note=note)
        case "no_match":
            parts = [context.t("mv-no-match-last")]
            if is_latin_name(name):
                parts.append(context.t("mv-name-latin"))
            text = "\n\n".join((*parts, context.t("mv-limit")))
            await _say(update, context, text, close=False)
        case "limit":
            await _say(update, context, context.t("mv-limit"), close=False)
        case "in_use":
            await _say(update, context, context.t("mv-card-in-use"), close=False)
        case _:
            await _resume(update, context, user_id)


async def _resume(update: Update, context: GongyouContext, user_id: int) -> None:
    """Ask the question of the step the worker is at (after an answer that came too late)."""
    state = await get_flow(context.db, user_id=user_id)
    if state is not None and state.flow == VERIFY_FLOW and state.step in STEPS:
        await _ask(update, context, state.step)


async def on_verify_media(update: Update, context: GongyouContext) -> None:
    """Take the shared contact at the phone step; answer anything else with a hint."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != VERIFY_FLOW:
        await context.reply(update, "hint-other", keyboard=main_menu(context.lang))
        return
    step = state.step if state.step in STEPS else CARD_STEP
    contact = message.contact
    if step != PHONE_STEP or contact is None:
        await _ask(update, context, step, note=_hint(context.lang, step))
        return
    if contact.user_id != user.id:
        await _ask(update, context, step, note=context.t("mv-phone-other"))
        return
    await context.db.commit()  # end the session's read before the verification's transaction
    confirmed: Confirmed = await context.services.db.transact(
        confirm_member, user_id=user.id, now=utcnow()
    )
    if confirmed.outcome == "in_use":
        await _say(update, context, context.t("mv-card-in-use"), close=True)
        return
    if confirmed.outcome != "verified":
        await _resume(update, context, user.id)
        return
    await _say(update, context, context.t("mv-verified"), close=True)
    handler = CONTINUATIONS.get(confirmed.then)
    if handler is None:
        await context.reply(update, "menu", keyboard=main_menu(context.lang))
        return
    await handler(update, context)


async def on_verify_button(update: Update, context: GongyouContext) -> None:
    """Cancel the check, or go back from the name to the card number."""
    query = update.callback_query
    user = update.effective_user
    found = VERIFY_BUTTON.match(query.data or "") if query is not None else None
    if query is None or user is None or found is None:
        await stale_button(update, context)
        return
    context.scope.service = SERVICE
    state = await get_flow(context.db, user_id=user.id)
    if state is None or state.flow != VERIFY_FLOW:
        await stale_button(update, context)
        return
    lang = context.lang
    if found.group(1) == "x":
        await clear_flow(context.db, user_id=user.id)
        await query.answer()
        if state.step == PHONE_STEP:
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as exc:
                log.info("could not remove buttons: %s", exc)
            await _say(update, context, context.t("mv-cancelled"), close=True)
            return
        try:
            await query.edit_message_text(t(lang, "mv-cancelled"), reply_markup=main_menu(lang))
        except BadRequest as exc:
            log.info("could not edit message, sending a new one: %s", exc)
            await context.reply(update, "mv-cancelled", keyboard=main_menu(lang))
        return
    if state.step != NAME_STEP:
        await stale_button(update, context)
        return
    data = {"then": str((state.data or {}).get("then") or "")}
    await set_flow(context.db, user_id=user.id, flow=VERIFY_FLOW, step=CARD_STEP, data=data)
    await query.answer()
    await _ask(update, context, CARD_STEP, edit=True)


def register(app: Application) -> None:
    """Register the membership check's buttons, typed answers and shared contact."""
    register_flow(VERIFY_FLOW, on_verify_text)
    app.add_handler(CallbackQueryHandler(on_verify_button, pattern=r"^mv:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & ~filters.TEXT
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & InFlow(VERIFY_FLOW),
            on_verify_media,
        )
    )


#: A check left unfinished this long is dropped (the typed card number waits in it).
STALE_CHECK = timedelta(hours=1)


async def _drop_stale_checks(context: GongyouContext) -> None:
    db = context.services.db
    dropped = await db.transact(drop_stale_checks, before=utcnow() - STALE_CHECK)
    if dropped:
        log.info("dropped %d unfinished membership checks", dropped)
    await db.transact(drop_old_attempts, before=utcnow() - TRIES_KEPT)


def schedule(application: Application) -> None:
    """Every hour drop unfinished membership checks (typed card numbers must not linger) and
    the record of tries older than two days."""
    jobs = application.job_queue
    if jobs is not None and not jobs.get_jobs_by_name("membership-stale-checks"):
        jobs.run_repeating(
            _drop_stale_checks, interval=3600, first=300, name="membership-stale-checks"
        )


SPEC = Service(
    name="membership",
    register=register,
    schedule=schedule,
    forgetters=(forget_membership,),
    exports=(
        Export("mydata-membership", "member_verifications", hide=("card_hash",)),
        Export("mydata-membership", "member_verify_attempts"),
    ),
    share_button_flows=frozenset({VERIFY_FLOW}),
)
