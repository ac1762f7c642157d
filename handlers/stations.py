"""Post-station lookup: the nearest union rest stations to a shared location."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.context import GongyouContext
from handlers.base import ServiceStub

SERVICE = "station"
_stub = ServiceStub(SERVICE, command="stations")
enter = _stub.enter


async def on_location(update: Update, context: GongyouContext) -> None:
    """Look up stations near a shared location."""
    await enter(update, context)


async def open_station(update: Update, context: GongyouContext, *, station_id: int) -> None:
    """Show one station's card (deep link ``/start st_<id>``)."""
    await enter(update, context)


def register(app: Application) -> None:
    """Register this service's handlers."""
    _stub.register(app)
    app.add_handler(MessageHandler(filters.LOCATION & filters.ChatType.PRIVATE, on_location))
