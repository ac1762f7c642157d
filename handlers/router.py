"""Free text and files -> service: the worker's flow first, then the knowledge router.

A text message that no service's flow filter took lands here. If the worker is in a flow, the
flow's step handler answers it (a handler that declines, by returning False, lets the text be
routed as a new question). Otherwise the knowledge router decides: answer from the FAQ, open a
service, or offer choices. A document staff send goes to the first service whose import claims
it (a job list, a stations file). The catch-alls (unknown commands, stickers and the like, stale
buttons) are registered here too, after every service.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.context import GongyouContext
from bot.core.models import FlowState, Role
from bot.core.text import short_label
from bot.core.users import clear_flow, get_flow, pause_flow, resume_flow, set_flow
from bot.i18n import t
from handlers import SERVICES
from handlers.base import (
    FLOW_HANDLERS,
    FLOW_POLICIES,
    MENU,
    Enter,
    drop_buttons,
    main_menu,
    on_other_message,
    register_flow,
    require_role,
    set_text_router,
    stale_button,
    yields,
)
from knowledge.router import UNSURE, Decision, Intent, Routing

#: Longest label of an FAQ button among the router's choices (cut between words in English).
LABEL_LIMIT = 40
#: Longest free text the router reads; longer messages get a polite request to shorten.
MAX_TEXT = 1000
#: Telegram's Bot API lets bots download files up to 20 MB.
FILE_MAX_BYTES = 20 * 1024 * 1024
#: What staff may import, in registry order (the first that claims a file takes it).
FILE_IMPORTS = tuple(s.files for s in SERVICES if s.files is not None)
#: How each service opens, by its menu key or (off the menu) its name: the router's intents.
ENTRIES: dict[str, Enter] = {s.menu or s.name: s.enter for s in SERVICES if s.enter is not None}
#: The words typed before the router's "which service?" buttons, kept until the next message.
TYPED_FLOW = "typed"
#: Services that may take free text before the router reads it, in registry order.
TEXT_CLAIMS = tuple(s.claims_text for s in SERVICES if s.claims_text is not None)


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
        if service == "union":
            # the union services answer the question or list what the union offers
            return RouterReply(t(lang, "un-list"), service=service)
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
                buttons.append((short_label(label, LABEL_LIMIT), f"a:{candidate.entry.id}"))
            else:
                buttons.append(
                    (t(lang, f"btn-{candidate.intent.value}"), f"m:{candidate.intent.value}")
                )
        buttons.append((t(lang, "btn-menu"), "m:menu"))
        return RouterReply(t(lang, "router-unsure"), tuple(buttons))
    return RouterReply(
        t(lang, "router-unknown"), tuple((t(lang, f"btn-{s}"), f"m:{s}") for s in MENU)
    )


def _keyboard(buttons: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data)] for label, data in buttons]
    )


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
            if handler is None:
                await clear_flow(context.db, user_id=user.id)
            elif yields(state.flow, state.step, message.text) is not None:
                # clearly meant for another service: that service answers, the flow waits
                policy = FLOW_POLICIES[state.flow]
                if state.step in policy.leaves:
                    await clear_flow(context.db, user_id=user.id)
                    await route_text(update, context, message.text)
                    return
                await pause_flow(context.db, user_id=user.id)
                await route_text(update, context, message.text)
                await offer_resume(update, context, state.flow)
                return
            elif await handler(update, context, state) is not False:
                return
    if len(message.text) > MAX_TEXT:
        await context.reply(update, "text-too-long", limit=MAX_TEXT)
        return
    for claim in TEXT_CLAIMS:
        if await claim(update, context):
            return
    await route_text(update, context, message.text)


async def route_text(update: Update, context: GongyouContext, text: str) -> None:
    """Route ``text`` to a service, or answer it with choices."""
    message = update.effective_message
    if message is None:
        return
    known = context.scope.notes.get("routing")
    routing = known[1] if known is not None and known[0] == text else None
    routing = routing or context.services.router.route(text)
    context.scope.service = f"router:{routing.intent.value}"
    reply = plan_reply(routing, context.lang)
    if reply.service is not None:
        await ENTRIES[reply.service](update, context, text=text)
        return
    user = update.effective_user
    keep = False
    if reply.buttons and user is not None:
        keep = await get_flow(context.db, user_id=user.id) is None
    await message.reply_text(reply.text, reply_markup=_keyboard(reply.buttons))
    if keep and user is not None:
        # the worker's words go with the service they pick (a search for 送快递, not a menu);
        # kept once the question has left, so a crash in between asks again, never loses it
        await set_flow(
            context.db, user_id=user.id, flow=TYPED_FLOW, step="asked", data={"q": text}
        )


async def typed_text(update: Update, context: GongyouContext) -> str | None:
    """Take the words the worker typed before choosing among the router's buttons, if any."""
    user = update.effective_user
    state = await get_flow(context.db, user_id=user.id) if user is not None else None
    if state is None or state.flow != TYPED_FLOW or user is None:
        return None
    await clear_flow(context.db, user_id=user.id)
    text = (state.data or {}).get("q")
    return text if isinstance(text, str) and text else None


async def _typed_flow(update: Update, context: GongyouContext, state: FlowState) -> bool:
    """A new message after the router's buttons: the earlier words are dropped, the new ones
    routed."""
    user = update.effective_user
    if user is not None:
        await clear_flow(context.db, user_id=user.id)
    return False


async def offer_resume(update: Update, context: GongyouContext, flow: str) -> None:
    """Say the unfinished flow is waiting, with a button to take it up again."""
    policy = FLOW_POLICIES.get(flow)
    chat = update.effective_chat
    if policy is None or chat is None:
        return
    service = context.t(f"btn-{policy.service}")
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(context.t("btn-resume", service=service), callback_data="rs")]]
    )
    await context.bot.send_message(
        chat.id, context.t("flow-paused", service=service), reply_markup=keyboard
    )


async def resume(update: Update, context: GongyouContext) -> None:
    """Take up the flow the worker left for another service."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    state = await resume_flow(context.db, user_id=user.id)
    policy = FLOW_POLICIES.get(state.flow) if state is not None else None
    if state is None or policy is None or policy.service not in ENTRIES:
        await query.answer(context.t("flow-resume-gone"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    context.scope.user = replace(context.user, flow=state.flow) if context.user else None
    await ENTRIES[policy.service](update, context)


async def on_unknown_command(update: Update, context: GongyouContext) -> None:
    """Point to /help for a command the bot does not know."""
    await context.reply(update, "unknown-command")


async def on_document(update: Update, context: GongyouContext) -> None:
    """Staff: hand a document to the service that imports it; others get a hint."""
    message = update.effective_message
    document = message.document if message is not None else None
    if message is None or document is None:
        return
    name = (document.file_name or "").lower()
    if not context.has_role(Role.staff):
        if any(name.endswith(files.staff_suffixes) for files in FILE_IMPORTS):
            await require_role(update, context, Role.staff)
        else:
            await context.reply(update, "hint-other", keyboard=main_menu(context.lang))
        return
    context.scope.service = "import"
    if not any(name.endswith(files.suffixes) for files in FILE_IMPORTS):
        await context.reply(update, "st-import-unsupported")
        return
    if (document.file_size or 0) > FILE_MAX_BYTES:
        await context.reply(update, "st-import-too-big")
        return
    caption = message.caption or ""
    data = bytes(await (await document.get_file()).download_as_bytearray())
    for files in FILE_IMPORTS:
        if name.endswith(files.suffixes) and files.claims(name, caption, data):
            await files.run(update, context, data, document.file_name or name, caption)
            return
    await context.reply(update, "st-import-unsupported")


def register(app: Application) -> None:
    """Register the document hand-off, the router and the catch-alls; runs after every
    service."""
    private = filters.ChatType.PRIVATE
    services = app.bot_data.get("services")
    set_text_router(route_text, services.router if services is not None else None)
    register_flow(TYPED_FLOW, _typed_flow)
    app.add_handler(CallbackQueryHandler(resume, pattern=r"^rs$"))
    app.add_handler(MessageHandler(filters.Document.ALL & private, on_document))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(MessageHandler(private & filters.COMMAND, on_unknown_command))
    app.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_other_message)
    )
    app.add_handler(CallbackQueryHandler(stale_button))
