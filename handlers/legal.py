"""Legal help: answers with citations first, then a case for volunteer lawyers."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import GongyouContext
from handlers.base import coming_soon

SERVICE = "legal"


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open the service (it answers 'not available yet' until it lands)."""
    await coming_soon(update, context, SERVICE)


async def command(update: Update, context: GongyouContext) -> None:
    """Open the service from its command."""
    await enter(update, context)


def register(app: Application) -> None:
    """Register this service's handlers."""
    app.add_handler(CommandHandler("legal", command))
