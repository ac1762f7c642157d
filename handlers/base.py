"""Pieces every service module shares: the main menu, sending, role checks, flows."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError

from bot.context import GongyouContext
from bot.core.models import FlowState, Role
from bot.i18n import t

log = logging.getLogger(__name__)

#: Longest message text and photo caption Telegram delivers.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

#: The four services, in menu order, with the catalog key of their button label.
SERVICES = ("jobs", "legal", "match", "station")

#: A flow step handler: gets the update, the context and the user's stored flow state.
FlowHandler = Callable[[Update, GongyouContext, FlowState], Awaitable[None]]
FLOW_HANDLERS: dict[str, FlowHandler] = {}


def register_flow(name: str, handler: FlowHandler) -> None:
    """Route free text of users in flow ``name`` to ``handler`` (services call this)."""
    FLOW_HANDLERS[name] = handler


def main_menu(lang: str) -> InlineKeyboardMarkup:
    """The main menu: the four services, then language and help."""
    buttons = [InlineKeyboardButton(t(lang, f"btn-{s}"), callback_data=f"m:{s}") for s in SERVICES]
    return InlineKeyboardMarkup(
        [
            buttons[:2],
            buttons[2:],
            [
                InlineKeyboardButton(t(lang, "btn-lang"), callback_data="lang"),
                InlineKeyboardButton(t(lang, "btn-help"), callback_data="help"),
            ],
        ]
    )


def back_to_menu(lang: str) -> InlineKeyboardMarkup:
    """A single 'main menu' button."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, "btn-menu"), callback_data="m:menu")]]
    )


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut ``text`` to what one message (or, with CAPTION_LIMIT, one caption) can hold."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def send_or_edit(
    update: Update,
    context: GongyouContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> None:
    """Send ``text`` to the update's chat, or with ``edit`` put it in place of the pressed
    button's message (sending it anew if Telegram will not edit that message)."""
    text = fit(text)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message, sending a new one: %s", exc)
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, text, reply_markup=keyboard)


async def tell(
    bot: Bot, user_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> bool:
    """Write to someone in their private chat; False if Telegram will not deliver it."""
    try:
        await bot.send_message(user_id, fit(text), reply_markup=keyboard)
    except TelegramError:
        log.info("could not write to user %s", user_id, exc_info=True)
        return False
    return True


async def set_buttons(update: Update, keyboard: InlineKeyboardMarkup | None) -> None:
    """Put ``keyboard`` on the pressed message (None takes its buttons off)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_reply_markup(keyboard)
    except BadRequest as exc:
        log.info("could not change the buttons: %s", exc)


async def drop_buttons(update: Update) -> None:
    """Take the buttons off the pressed message (it has been answered)."""
    await set_buttons(update, None)


async def require_role(update: Update, context: GongyouContext, *roles: Role) -> bool:
    """Return True if the user holds one of ``roles``; otherwise refuse politely."""
    if context.has_role(*roles):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("role-refused"), show_alert=True)
    else:
        await context.reply(update, "role-refused")
    return False


async def stale_button(update: Update, context: GongyouContext) -> None:
    """Tell the user a button is no longer valid (old, forged or from another version)."""
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("button-stale"), show_alert=True)
