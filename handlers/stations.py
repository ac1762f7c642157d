"""Post-station lookup: the nearest union rest stations to a shared location."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.context import GongyouContext
from handlers.base import coming_soon

SERVICE = "station"


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open station lookup (it answers 'not available yet' until it lands)."""
    await coming_soon(update, context, SERVICE)


async def command(update: Update, context: GongyouContext) -> None:
    """Open station lookup from its command."""
    await enter(update, context)


async def on_location(update: Update, context: GongyouContext) -> None:
    """Look up stations near a shared location."""
    await enter(update, context)


async def open_station(update: Update, context: GongyouContext, *, station_id: int) -> None:
    """Show one station's card (deep link ``/start st_<id>``)."""
    await enter(update, context)


def register(app: Application) -> None:
    """Register this service's handlers."""
    app.add_handler(CommandHandler("stations", command))
    app.add_handler(MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, on_location))
