"""Staff job-list import: an Excel or CSV job list sent to the bot as a document.

The document handler of the stations service receives every document; it hands job lists
(.xlsx always, CSV files whose header or caption names jobs) to :func:`import_document`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext
from bot.core.models import Role
from bot.jobs.core import load_min_wages
from bot.jobs.imports import (
    JobFileError,
    caption_city,
    caption_wants_dry_run,
    import_jobs,
    render_file_error,
)
from handlers.base import require_role
from handlers.jobs.text import MESSAGE_LIMIT

SERVICE = "jobs"


async def import_document(
    update: Update, context: GongyouContext, data: bytes, filename: str, caption: str
) -> None:
    """Import a job list sent by staff and reply with the report (dry run if the caption asks)."""
    if not await require_role(update, context, Role.staff):
        return
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    context.scope.service = SERVICE
    settings = context.services.settings
    try:
        report = await import_jobs(
            context.services.db,
            data,
            filename=filename,
            dry_run=caption_wants_dry_run(caption),
            actor_id=user.id if user is not None else None,
            default_city=caption_city(caption),
            min_wages=load_min_wages(settings.min_wage_file),
            posting_days=settings.posting_days,
            timezone=settings.timezone,
        )
    except JobFileError as err:
        await message.reply_text(render_file_error(err, context.lang))
        return
    text = context.t("ji-done") + "\n" + report.render(context.lang)
    await message.reply_text(text[:MESSAGE_LIMIT])


def register(app: Application) -> None:
    """Register nothing: job lists arrive through the stations service's document handler."""
