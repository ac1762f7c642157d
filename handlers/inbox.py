"""`/inbox` for staff: how many updates wait, are retried or were given up on, and why."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import GongyouContext
from bot.core import inbox
from bot.core.models import Role
from handlers.base import require_role


async def show_inbox(update: Update, context: GongyouContext) -> None:
    """Show staff the inbox's counts and the latest parked updates with their errors."""
    if not await require_role(update, context, Role.staff):
        return
    summary = await context.services.db.transact(inbox.summary)
    counts = summary.counts
    lines = [
        context.t(
            "inbox-parked-line",
            update=str(p.update_id),
            when=p.received_at.strftime("%Y-%m-%d %H:%M UTC"),
            tries=p.attempts,
            error=p.last_error,
        )
        for p in summary.parked
    ]
    await context.reply(
        update,
        "inbox-summary",
        new=counts["new"],
        failed=counts["failed"],
        parked=counts["parked"],
        done=counts["done"],
        latest="\n".join(lines) or context.t("inbox-none-parked"),
    )


def register(app: Application) -> None:
    """Register `/inbox`."""
    app.add_handler(CommandHandler("inbox", show_inbox))
