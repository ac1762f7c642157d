"""Pieces every service module shares: the service record, the main menu, sending, role
checks, flows, and the answer to messages no handler wanted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, filters

from bot.context import GongyouContext, current_scope
from bot.core.models import FlowState, Role
from bot.core.notify import CAPTION_LIMIT as CAPTION_LIMIT  # re-exported for the handlers
from bot.core.notify import MESSAGE_LIMIT as MESSAGE_LIMIT
from bot.core.notify import fit
from bot.core.privacy import Export
from bot.core.users import Forgetter
from bot.i18n import t
from knowledge.router import Decision, Intent, IntentRouter, Routing

log = logging.getLogger(__name__)

#: The four services, in menu order, with the catalog key of their button label.
MENU = ("jobs", "legal", "match", "station")

#: Opens a service for the worker (from the menu, a deep link or the router's free text).
Enter = Callable[..., Awaitable[None]]
#: Follows a /start payload if it is the service's (``job_12``); False if it is not.
LinkOpener = Callable[[Update, GongyouContext, str], Awaitable[bool]]
#: Takes free text typed outside any flow before the router reads it (a worker answering a
#: volunteer's question in plain text); True if it took the text.
TextClaim = Callable[[Update, GongyouContext], Awaitable[bool]]
#: Reads ``text`` as a new message from the update's user, through the router (set by
#: ``handlers.router``): for a service that gives back text it had taken.
RouteText = Callable[[Update, GongyouContext, str], Awaitable[None]]
#: Hooks run with the application: registration, scheduling, background start and stop.
AppHook = Callable[[Application[Any, Any, Any, Any, Any, Any]], None]
AsyncAppHook = Callable[[Application[Any, Any, Any, Any, Any, Any]], Awaitable[None]]


@dataclass(frozen=True)
class FileImport:
    """A kind of file staff send the bot to import (a job list, a stations file)."""

    #: File name endings (lower case) this import reads.
    suffixes: tuple[str, ...]
    #: (lower-case file name, caption, content) -> whether the file is this import's.
    claims: Callable[[str, str, bytes], bool]
    #: Import it and reply with the report: (update, context, content, file name, caption).
    run: Callable[[Update, GongyouContext, bytes, str, str], Awaitable[None]]
    #: Endings only staff send (a worker who sends one is told it is for staff).
    staff_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """One service as the application wires it: each service package declares one.

    ``handlers.SERVICES`` lists them in registration order; ``bot/app.py`` loops over that
    list to register handlers, schedule jobs, start background work and gather what /mydata
    shows and /forget deletes, and the menu, deep links and router find a service's entry here.
    """

    name: str
    register: AppHook
    schedule: AppHook | None = None
    #: Background work beside a running bot (post_init / post_stop).
    start: AppHook | None = None
    stop: AsyncAppHook | None = None
    #: Delete a user's data of this service on /forget (catalog keys of what went).
    forgetters: tuple[Forgetter, ...] = ()
    #: The personal data this service keeps, as the worker's copy shows it (/mydata).
    exports: tuple[Export, ...] = ()
    #: Button actions of this service's notifications and their callback data.
    encoders: Mapping[str, Callable[..., str]] | None = None
    #: The menu key ("station" for the stations service) and how the service opens.
    menu: str | None = None
    enter: Enter | None = None
    #: /start payloads that open the service, and a follower for payloads with an id.
    links: tuple[str, ...] = ()
    open_link: LinkOpener | None = None
    #: Flows that may leave Telegram's "share my phone number" keyboard on screen.
    share_button_flows: frozenset[str] = frozenset()
    #: Files staff send that this service imports (asked in registry order).
    files: FileImport | None = None
    #: Free text outside any flow this service may take before the router (see TextClaim).
    claims_text: TextClaim | None = None


#: A flow step handler: gets the update, the context and the user's stored flow state. It
#: returns False to decline the text (the flow is over): the router then reads it afresh.
FlowHandler = Callable[[Update, GongyouContext, FlowState], Awaitable[bool | None]]
FLOW_HANDLERS: dict[str, FlowHandler] = {}


_ROUTE_TEXT: list[RouteText] = []
_ROUTER: list[IntentRouter] = []


def set_text_router(route: RouteText, router: IntentRouter | None = None) -> None:
    """Install the router's reader of free text and the knowledge router it reads with
    (``handlers.router`` does, on registration)."""
    _ROUTE_TEXT[:] = [route]
    _ROUTER[:] = [router] if router is not None else []


@dataclass(frozen=True)
class FlowPolicy:
    """How a worker's flow shares the conversation with the other services.

    While the flow waits for an answer, a message the router sends straight to another
    service is handled there and the flow is paused (taken up again from "continue"); the
    steps in ``keeps`` take any text as their answer (a story, a name).
    """

    #: The service the flow belongs to: its menu key ("station") or name ("union").
    service: str
    keeps: frozenset[str] = frozenset()
    #: Steps that only show results (nothing is asked): another service's message leaves
    #: them, with nothing to take up again.
    leaves: frozenset[str] = frozenset()


#: Worker flows that give way to another service's clear intent (``handlers`` fills it in).
FLOW_POLICIES: dict[str, FlowPolicy] = {}
#: Intents whose clear routing takes a message out of another service's flow.
YIELD_TO = frozenset({Intent.jobs, Intent.legal, Intent.match, Intent.station, Intent.union})


def clear_routing(text: str) -> Routing | None:
    """The router's reading of ``text`` when it goes straight to a service, else None (read
    once per update: kept in the update's scope)."""
    if not _ROUTER or not text or text.startswith("/"):
        return None
    try:
        notes = current_scope().notes
    except RuntimeError:
        notes = {}
    known = notes.get("routing")
    if known is not None and known[0] == text:
        routing: Routing = known[1]
    else:
        routing = _ROUTER[0].route(text)
        notes["routing"] = (text, routing)
    if routing.decision is Decision.go and routing.intent in YIELD_TO:
        return routing
    return None


#: Shorter messages are read as answers to the flow's question (an option, a name, a place):
#: a request for another service has at least this many Chinese characters, or English words.
YIELD_MIN_CHARS = 4
YIELD_MIN_WORDS = 3


def _short(text: str) -> bool:
    chinese = sum(1 for char in text if "\u4e00" <= char <= "\u9fff")
    return chinese < YIELD_MIN_CHARS and len(text.split()) < YIELD_MIN_WORDS


def yields(flow: str | None, step: str | None, text: str) -> Routing | None:
    """The routing that takes ``text`` out of ``flow`` (at ``step``, if known) to another
    service, or None when the flow should read the text as its answer."""
    policy = FLOW_POLICIES.get(flow or "")
    if policy is None or (step is not None and step in policy.keeps) or _short(text):
        return None
    routing = clear_routing(text)
    if routing is None or routing.intent.value == policy.service:
        return None
    return routing


async def route_again(update: Update, context: GongyouContext, text: str) -> None:
    """Read ``text`` afresh as the user's new message, as the router would."""
    if _ROUTE_TEXT:
        await _ROUTE_TEXT[0](update, context, text)


def register_flow(name: str, handler: FlowHandler) -> None:
    """Route free text of users in flow ``name`` to ``handler`` (services call this)."""
    FLOW_HANDLERS[name] = handler


def main_menu(lang: str) -> InlineKeyboardMarkup:
    """The main menu: the four services, then language and help."""
    buttons = [InlineKeyboardButton(t(lang, f"btn-{s}"), callback_data=f"m:{s}") for s in MENU]
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


async def on_other_message(update: Update, context: GongyouContext) -> None:
    """Answer stickers, voice, photos and the like outside a flow with a short hint."""
    await context.reply(update, "hint-other", keyboard=main_menu(context.lang))


class InFlow(filters.MessageFilter):
    """Messages from a user who is in one of the given flows (known from the update's scope)."""

    def __init__(self, *flows: str) -> None:
        super().__init__(name=f"InFlow{flows}")
        self.flows = flows

    def filter(self, message: Message) -> bool:
        """True when the sender is in one of the flows (and the text, if any, is not clearly
        meant for another service: the router takes that, see :func:`yields`)."""
        try:
            member = current_scope().user
        except RuntimeError:
            return False
        if member is None or member.flow not in self.flows:
            return False
        text = message.text
        return not text or yields(member.flow, None, text) is None
