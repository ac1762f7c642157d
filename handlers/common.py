"""What every user has: start and deep links, menu, help, cancel, language, roles, their own
data (a copy, what is kept and why, deleting it)."""

from __future__ import annotations

import re
from dataclasses import replace

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import GongyouContext
from bot.core import inbox
from bot.core.models import Role, utcnow
from bot.core.privacy import as_json, as_text, export_user
from bot.core.users import (
    Member,
    audit,
    clear_flow,
    forget_user,
    grant_role,
    revoke_role,
    role_holders,
    set_language,
)
from bot.i18n import FLUENT_LOCALE, t
from bot.legal.cases import after_role_revoked, claimed_cases, hand_over_cases
from bot.legal.core import case_label
from handlers import SERVICES
from handlers.base import Enter, back_to_menu, main_menu, require_role, stale_button
from handlers.router import ENTRIES, typed_text

#: Flows that may show Telegram's "share my phone number" keyboard (removed on /cancel).
SHARE_BUTTON_FLOWS = frozenset().union(*(s.share_button_flows for s in SERVICES))
#: /start payloads that open a service.
DEEP_LINKS: dict[str, Enter] = {
    link: s.enter for s in SERVICES if s.enter is not None for link in s.links
}


async def start(update: Update, context: GongyouContext) -> None:
    """Welcome the worker and show the main menu, or follow a deep link."""
    payload = context.args[0] if context.args else ""
    if payload in DEEP_LINKS:
        await DEEP_LINKS[payload](update, context)
        return
    for service in SERVICES:
        if service.open_link is not None and await service.open_link(update, context, payload):
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
        # these flows may have left Telegram's "share my phone number" keyboard on screen:
        # one message takes it away, the next brings the menu
        await context.bot.send_message(
            update.effective_chat.id, context.t(key), reply_markup=ReplyKeyboardRemove()
        )
        await context.reply(update, "menu", keyboard=main_menu(context.lang))
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
    if changed and action == "remove":
        released = await after_role_revoked(
            context.notifier, context.db, context.services.settings, user_id=user_id, now=utcnow()
        )
        if released:
            labels = ", ".join(case_label(case.id) for case in released if case.id is not None)
            await context.reply(update, "role-remove-cases", cases=labels)


#: How each role is named to the person who holds it (the /forget hand-over).
ROLE_NAMES = {
    Role.admin: "role-name-admin",
    Role.staff: "role-name-staff",
    Role.volunteer_legal: "role-name-volunteer_legal",
    Role.volunteer_match: "role-name-volunteer_match",
}


async def forget(update: Update, context: GongyouContext) -> None:
    """Ask the worker to confirm deleting everything the bot keeps about them; a role holder
    is first told which roles go and which claimed cases go back to the queue."""
    user = update.effective_user
    if user is None:
        return
    if user.id in context.services.settings.admin_ids:
        await context.reply(update, "forget-admin-configured")
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(context.t("btn-forget-yes"), callback_data="forget:yes"),
                InlineKeyboardButton(context.t("btn-forget-no"), callback_data="forget:no"),
            ]
        ]
    )
    parts = []
    held = set(context.user.roles if context.user else ())
    names = [context.t(key) for role, key in ROLE_NAMES.items() if role.value in held]
    if names:
        joined = ("、" if context.lang == "zh" else ", ").join(names)
        parts.append(context.t("forget-ask-roles", roles=joined))
    claimed = await claimed_cases(context.db, volunteer_id=user.id)
    if claimed:
        labels = ", ".join(case_label(case.id) for case in claimed if case.id is not None)
        parts.append(context.t("forget-ask-cases", count=len(claimed), cases=labels))
    parts.append(context.t("forget-ask"))
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, "\n\n".join(parts), reply_markup=keyboard)


async def my_data(update: Update, context: GongyouContext) -> None:
    """Send the worker a copy of everything kept about them: readable text and JSON."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.reply(update, "mydata-private-only")
        return
    data = await export_user(context.db, user.id)
    await audit(
        context.db,
        actor_id=user.id,
        action="user.export",
        subject=f"user:{user.id}",
        detail={"sections": sorted(data)},
    )
    await context.db.commit()
    now = utcnow()
    day = now.date().isoformat()
    sections = [(context.t(key), tables) for key, tables in data.items()]
    readable = as_text(context.t("mydata-file-title", date=day), sections)
    await context.bot.send_document(
        chat.id,
        InputFile(readable.encode(), filename=f"gongyou-mydata-{day}.txt"),
        caption=context.t("mydata-caption"),
    )
    await context.bot.send_document(
        chat.id,
        InputFile(as_json(user.id, now, data).encode(), filename=f"gongyou-mydata-{day}.json"),
    )


async def privacy(update: Update, context: GongyouContext) -> None:
    """Say in plain words what is kept, why, for how long and who can see it."""
    settings = context.services.settings
    await context.reply(
        update,
        "privacy",
        inbox_days=inbox.RETENTION.days,
        case_months=settings.legal_case_retention_months,
    )


async def _forget_confirmed(update: Update, context: GongyouContext) -> None:
    user = update.effective_user
    if user is None:
        return
    settings = context.services.settings
    if user.id in settings.admin_ids:
        await context.reply(update, "forget-admin-configured")
        return
    lang = context.lang
    released = await hand_over_cases(
        context.notifier, context.db, settings, volunteer_id=user.id, now=utcnow()
    )
    deleted = await forget_user(context.db, user_id=user.id, audit_key=settings.audit_secret())
    context.scope.user = None
    lines = ["· " + t(lang, key) for key in deleted]
    if released:
        labels = ", ".join(case_label(case.id) for case in released if case.id is not None)
        lines.append("· " + t(lang, "forget-item-cases", cases=labels))
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(
            chat.id, t(lang, "forget-done", items="\n".join(lines) or "-")
        )


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
        typed = await typed_text(update, context)
        if typed is not None:
            await ENTRIES[value](update, context, text=typed)
        else:
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
        await stale_button(update, context)


async def on_help_button(update: Update, context: GongyouContext) -> None:
    """Show help from the menu button."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await show_help(update, context)


def register_commands(app: Application) -> None:
    """Register the commands every user has; runs before the services register."""
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", show_menu))
    app.add_handler(CommandHandler("help", show_help))
    app.add_handler(CommandHandler("cancel", cancel))
    app.add_handler(CommandHandler("lang", language))
    app.add_handler(CommandHandler("role", role))
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CommandHandler("mydata", my_data))
    app.add_handler(CommandHandler("privacy", privacy))
    app.add_handler(CallbackQueryHandler(on_help_button, pattern=r"^help$"))
    app.add_handler(CallbackQueryHandler(on_callback, pattern=r"^(m|a|lang|forget)(:|$)"))
