"""Pieces every service module shares: the main menu, role checks, flows, 'coming soon'."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CommandHandler

from bot.context import GongyouContext
from bot.i18n import t
from bot.models import FlowState, Role

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


async def coming_soon(update: Update, context: GongyouContext, service: str) -> None:
    """Tell the worker what the service will do and that it is not available yet."""
    context.scope.service = service
    await context.reply(
        update,
        "service-soon",
        keyboard=back_to_menu(context.lang),
        service=context.t(f"btn-{service}"),
        about=context.t(f"about-{service}"),
    )


class ServiceStub:
    """A service that is announced but not built yet: its command and entry say 'coming soon'."""

    def __init__(self, service: str, *, command: str) -> None:
        self.service = service
        self.command_name = command

    async def enter(
        self, update: Update, context: GongyouContext, *, text: str | None = None
    ) -> None:
        """Open the service (it answers 'not available yet' until it lands)."""
        await coming_soon(update, context, self.service)

    async def command(self, update: Update, context: GongyouContext) -> None:
        """Open the service from its command."""
        await self.enter(update, context)

    def register(self, app: Application) -> None:
        """Register the service's command."""
        app.add_handler(CommandHandler(self.command_name, self.command))
