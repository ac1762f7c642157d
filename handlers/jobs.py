"""Jobs: union job lists, worker search and alerts, staff broadcasts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext
from handlers.base import ServiceStub

SERVICE = "jobs"
_stub = ServiceStub(SERVICE, command="jobs")
enter = _stub.enter


async def open_posting(update: Update, context: GongyouContext, *, posting_id: int) -> None:
    """Show one posting's card (deep link ``/start job_<id>``)."""
    await _stub.enter(update, context)


def register(app: Application) -> None:
    """Register this service's handlers."""
    _stub.register(app)
