"""`/panel` for staff and volunteers: a one-time sign-in link to the web panel (bot.panel)."""

from __future__ import annotations

from telegram import LinkPreviewOptions, Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler

from bot.context import GongyouContext
from bot.core.models import Role
from bot.panel.auth import EXPORTS, PANEL_ROLES, create_link, forget_panel
from handlers.base import Service


async def panel_link(update: Update, context: GongyouContext) -> None:
    """Send a staff member or volunteer a one-time link to the web panel."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await context.reply(update, "panel-cmd-private")
        return
    settings = context.services.settings
    if not (context.has_role(*PANEL_ROLES) or user.id in settings.admin_ids):
        key = "panel-cmd-no-pages" if context.has_role(*Role) else "panel-cmd-refused"
        await context.reply(update, key)
        return
    token = await create_link(context.db, user_id=user.id)
    link = f"{settings.panel_base_url()}/signin/{token}"
    await context.bot.send_message(
        chat.id,
        context.t("panel-cmd-link", link=link),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


def register(app: Application) -> None:
    """Register `/panel`."""
    app.add_handler(CommandHandler("panel", panel_link))


SPEC = Service(name="panel", register=register, forgetters=(forget_panel,), exports=EXPORTS)
