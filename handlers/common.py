"""Start, help, menu, cancel, language, roles, and the free-text router."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import Role
from bot.core.users import (
    Member,
    clear_flow,
    forget_user,
    get_flow,
    grant_role,
    revoke_role,
    role_holders,
    set_language,
)
from bot.i18n import FLUENT_LOCALE, t
from bot.legal.core import INTAKE_FLOW
from bot.match.core import VERIFY_FLOW
from handlers import stations
from handlers.base import (
    FLOW_HANDLERS,
    SERVICES,
    back_to_menu,
    main_menu,
    require_role,
    stale_button,
)
from handlers.jobs import search as jobs
from handlers.legal import intake as legal
from handlers.match import profile as match
from knowledge.router import UNSURE, Decision, Intent, Routing

#: Flows that may show Telegram's "share my phone number" keyboard (removed on /cancel).
SHARE_BUTTON_FLOWS = frozenset({VERIFY_FLOW, INTAKE_FLOW})
#: Longest free text the router reads; longer messages get a polite request to shorten.
MAX_TEXT = 1000

Enter = Callable[..., Awaitable[None]]
ENTRIES: dict[str, Enter] = {
    "jobs": jobs.enter,
    "legal": legal.enter,
    "match": match.enter,
    "station": stations.enter,
}
DEEP_LINKS = {
    "jobs": "jobs",
    "legal": "legal",
    "match": "match",
    "stations": "station",
    "station": "station",
}
STATION_LINK = re.compile(r"^st_(\d{1,12})$")
JOB_LINK = re.compile(r"^job_(\d{1,12})$")


@dataclass(frozen=True)
class RouterReply:
    """What the bot answers to a routed message (used by the handler and `gongyou ask`)."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    service: str | None = None


def plan_reply(routing: Routing, lang: str) -> RouterReply:
    """Decide the reply to a routed message, without Telegram."""
    best = routing.best
    if routing.decision is Decision.go and best is not None:
        if best.intent in (Intent.faq, Intent.smalltalk):
            return RouterReply(best.entry.answer.get(lang) or best.entry.answer.get("zh", ""))
        service = best.intent.value
        if service == "station":
            # the station service asks for a location (or searches a place named in the text)
            return RouterReply(t(lang, "st-ask-where"), service=service)
        if service == "jobs":
            # the jobs service opens its menu (or searches for the job named in the text)
            return RouterReply(t(lang, "jobs-menu"), service=service)
        if service == "legal":
            # legal help answers the question from its FAQ (or offers to open a case)
            return RouterReply(t(lang, "lg-menu"), service=service)
        if service == "match":
            return RouterReply(t(lang, "mp-menu-title"), service=service)
        return RouterReply(
            t(
                lang,
                "service-soon",
                service=t(lang, f"btn-{service}"),
                about=t(lang, f"about-{service}"),
            ),
            service=service,
        )
    if (
        routing.decision is Decision.ask
        and best is not None
        and best.intent is Intent.legal
        and not any(c.score >= UNSURE for c in routing.candidates[1:])
    ):
        # only legal help is in the running: its FAQ search reads the whole question
        return RouterReply(t(lang, "lg-menu"), service="legal")
    if routing.decision is Decision.ask:
        buttons = []
        for candidate in routing.candidates[:3]:
            if candidate.score < 50:
                continue
            if candidate.intent in (Intent.faq, Intent.smalltalk):
                english = candidate.entry.phrases.get("en") or (candidate.phrase,)
                label = candidate.phrase if lang == "zh" else english[0]
                buttons.append((label[:40], f"a:{candidate.entry.id}"))
            else:
                buttons.append(
                    (t(lang, f"btn-{candidate.intent.value}"), f"m:{candidate.intent.value}")
                )
        buttons.append((t(lang, "btn-menu"), "m:menu"))
        return RouterReply(t(lang, "router-unsure"), tuple(buttons))
    return RouterReply(
        t(lang, "router-unknown"), tuple((t(lang, f"btn-{s}"), f"m:{s}") for s in SERVICES)
    )


def _keyboard(buttons: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
    )


async def start(update: Update, context: GongyouContext) -> None:
    """Welcome the worker and show the main menu, or follow a deep link."""
    payload = context.args[0] if context.args else ""
    if payload in DEEP_LINKS:
        await ENTRIES[DEEP_LINKS[payload]](update, context)
        return
    if found := STATION_LINK.match(payload):
        await stations.open_station(update, context, station_id=int(found.group(1)))
        return
    if found := JOB_LINK.match(payload):
        await jobs.open_posting(update, context, posting_id=int(found.group(1)))
        return
    if payload.startswith("lang_") and payload[5:] in FLUENT_LOCALE:
        await _set_language(update, context, payload[5:])
        return
    await context.reply(update, "welcome", keyboard=main_menu(context.lang))


async def show_menu(update: Update, context: GongyouContext) -> None:
    """Show the main menu."""
    await context.reply(update, "menu", keyboard=main_menu(context.lang))


async def show_help(update: Update, context: GongyouContext) -> None:
    """Explain what the bot does and list the commands this user may use."""
    parts = [context.t("help")]
    if context.has_role(Role.volunteer_legal):
        parts.append(context.t("help-volunteer-legal"))
    if context.has_role(Role.volunteer_match):
        parts.append(context.t("help-volunteer-match"))
    if context.has_role(Role.staff):
        parts.append(context.t("help-staff"))
    if context.has_role(Role.admin):
        parts.append(context.t("help-admin"))
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, "\n\n".join(parts), reply_markup=back_to_menu(context.lang)
        )


async def cancel(update: Update, context: GongyouContext) -> None:
    """Leave whatever flow the worker is in."""
    user = update.effective_user
    left = await clear_flow(context.db, user_id=user.id) if user else None
    key = "cancel-done" if left else "cancel-nothing"
    if left in SHARE_BUTTON_FLOWS and update.effective_chat is not None:
        # these flows may have left Telegram's "share my phone number" keyboard on screen
        await context.bot.send_message(
            update.effective_chat.id, context.t(key), reply_markup=ReplyKeyboardRemove()
        )
        return
    await context.reply(update, key, keyboard=main_menu(context.lang))


async def language(update: Update, context: GongyouContext) -> None:
    """Change the language: `/lang en` directly, or pick from buttons."""
    choice = (context.args[0].lower() if context.args else "").split("-")[0]
    if choice in FLUENT_LOCALE:
        await _set_language(update, context, choice)
        return
    await context.reply(update, "lang-choose", keyboard=_language_keyboard())


def _language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("中文", callback_data="lang:zh"),
                InlineKeyboardButton("English", callback_data="lang:en"),
            ]
        ]
    )


async def _set_language(update: Update, context: GongyouContext, lang: str) -> None:
    user = update.effective_user
    if user is None:
        return
    await set_language(context.db, user_id=user.id, language=lang)
    member = context.user or Member(id=user.id, language=lang)
    context.scope.user = replace(member, language=lang)
    context.scope.language = lang
    await context.reply(update, "lang-set", keyboard=main_menu(lang))


ROLE_USAGE = re.compile(r"^(add|remove)\s+(\d{1,16})\s+(\w+)$")


async def role(update: Update, context: GongyouContext) -> None:
    """Admins: `/role add|remove <user id> <role>` or `/role list`."""
    if not await require_role(update, context, Role.admin):
        return
    actor = update.effective_user
    args = " ".join(context.args or [])
    if args.strip() == "list":
        holders = await role_holders(context.db)
        lines = [f"{u.id}: {', '.join(u.roles)}" for u in holders]
        await context.reply(update, "role-list", holders="\n".join(lines) or "-")
        return
    found = ROLE_USAGE.match(args.strip())
    roles = ", ".join(r.value for r in Role)
    if not found or found.group(3) not in Role.__members__:
        await context.reply(update, "role-usage", roles=roles)
        return
    action, user_id, role_name = found.group(1), int(found.group(2)), Role(found.group(3))
    actor_id = actor.id if actor else None
    if action == "add":
        changed = await grant_role(context.db, actor_id=actor_id, user_id=user_id, role=role_name)
    else:
        changed = await revoke_role(context.db, actor_id=actor_id, user_id=user_id, role=role_name)
    key = f"role-{action}-{'done' if changed else 'unchanged'}"
    await context.reply(update, key, user=str(user_id), role=role_name.value)


async def on_text(update: Update, context: GongyouContext) -> None:
    """Continue the worker's flow, or route free text to a service."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None:
        return
    member = context.user
    if member is not None and member.flow is not None:
        state = await get_flow(context.db, user_id=user.id)
        if state is not None:
            handler = FLOW_HANDLERS.get(state.flow)
            if handler is not None:
                await handler(update, context, state)
                return
            await clear_flow(context.db, user_id=user.id)
    if len(message.text) > MAX_TEXT:
        await context.reply(update, "text-too-long", limit=MAX_TEXT)
        return
    routing = context.services.router.route(message.text)
    context.scope.service = f"router:{routing.intent.value}"
    reply = plan_reply(routing, context.lang)
    if reply.service is not None:
        await ENTRIES[reply.service](update, context, text=message.text)
        return
    await message.reply_text(reply.text, reply_markup=_keyboard(reply.buttons))


async def on_other_message(update: Update, context: GongyouContext) -> None:
    """Answer stickers, voice, photos and the like outside a flow with a short hint."""
    await context.reply(update, "hint-other", keyboard=main_menu(context.lang))


async def on_unknown_command(update: Update, context: GongyouContext) -> None:
    """Point to /help for a command the bot does not know."""
    await context.reply(update, "unknown-command")


async def forget(update: Update, context: GongyouContext) -> None:
    """Ask the worker to confirm deleting everything the bot keeps about them."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(context.t("btn-forget-yes"), callback_data="forget:yes"),
                InlineKeyboardButton(context.t("btn-forget-no"), callback_data="forget:no"),
            ]
        ]
    )
    await context.reply(update, "forget-ask", keyboard=keyboard)


async def _forget_confirmed(update: Update, context: GongyouContext) -> None:
    user = update.effective_user
    if user is None:
        return
    lang = context.lang
    deleted = await forget_user(context.db, user_id=user.id)
    context.scope.user = None
    items = "\n".join("· " + t(lang, key) for key in deleted) or "-"
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, t(lang, "forget-done", items=items))


CALLBACK = re.compile(r"^(m|a|lang|forget)(?::([a-z0-9_.]{1,40}))?$")


async def on_callback(update: Update, context: GongyouContext) -> None:
    """Handle main-menu, answer and language buttons; anything else is refused."""
    query = update.callback_query
    if query is None:
        return
    found = CALLBACK.match(query.data or "")
    kind, value = (found.group(1), found.group(2)) if found else ("", None)
    if kind == "m" and value in ENTRIES:
        await query.answer()
        await ENTRIES[value](update, context)
    elif kind == "m" and value == "menu":
        await query.answer()
        await show_menu(update, context)
    elif kind == "lang" and value is None:
        await query.answer()
        await context.reply(update, "lang-choose", keyboard=_language_keyboard())
    elif kind == "lang" and value in FLUENT_LOCALE:
        await query.answer()
        await _set_language(update, context, value)
    elif kind == "forget" and value == "yes":
        await query.answer()
        await _forget_confirmed(update, context)
    elif kind == "forget" and value == "no":
        await query.answer()
        await context.reply(update, "forget-kept", keyboard=main_menu(context.lang))
    elif (
        kind == "a"
        and value
        and (entry := context.services.router.entry(value))
        and (entry.answer)
    ):
        await query.answer()
        await context.bot.send_message(
            query.message.chat.id if query.message else query.from_user.id,
            entry.answer.get(context.lang) or entry.answer["zh"],
        )
    else:
        await on_stale_callback(update, context)


async def on_help_button(update: Update, context: GongyouContext) -> None:
    """Show help from the menu button."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await show_help(update, context)


on_stale_callback = stale_button


def register_commands(app: Application) -> None:
    """Register the commands every user has; runs before the services register."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", show_menu))
    app.add_handler(CommandHandler("help", show_help))
    app.add_handler(CommandHandler("cancel", cancel))
    app.add_handler(CommandHandler("lang", language))
    app.add_handler(CommandHandler("role", role))
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CallbackQueryHandler(on_help_button, pattern=r"^help$"))
    app.add_handler(CallbackQueryHandler(on_callback, pattern=r"^(m|a|lang|forget)(:|$)"))


def register(app: Application) -> None:
    """Register the router and the catch-alls; runs after every service."""
    private = filters.ChatType.PRIVATE
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(private & filters.COMMAND, on_unknown_command))
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_other_message)
    )
    app.add_handler(CallbackQueryHandler(on_stale_callback))
