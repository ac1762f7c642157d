"""Staff job-list import: an Excel or CSV job list sent to the bot as a document.

The router's document handler asks each service in turn whether a file is its own; job lists
(Excel always, CSV files whose header or caption names jobs) come to :func:`import_document`.
"""

from __future__ import annotations

from telegram import Update

from bot.context import GongyouContext
from bot.core.models import Role
from bot.core.tables import TableFileError
from bot.jobs.core import load_min_wages
from handlers.base import require_role
from handlers.jobs.text import MESSAGE_LIMIT

SERVICE = "jobs"
#: Job lists: spreadsheets always go to the jobs import, text files when they name jobs.
SPREADSHEETS = (".xlsx", ".xlsm", ".xls")
TEXT_SUFFIXES = (".csv", ".txt")


def is_job_list(name: str, caption: str, data: bytes) -> bool:
    """A spreadsheet, or a text file whose caption or header names jobs."""
    # imported here (and below): a replica loads the import when a file arrives, not at start
    from bot.jobs.imports import caption_says_jobs, looks_like_job_file

    return name.endswith(SPREADSHEETS) or (
        name.endswith(TEXT_SUFFIXES)
        and (caption_says_jobs(caption) or looks_like_job_file(data, name))
    )


async def import_document(
    update: Update, context: GongyouContext, data: bytes, filename: str, caption: str
) -> None:
    """Import a job list sent by staff and reply with the report (dry run if the caption asks)."""
    from bot.jobs.imports import (
        caption_city,
        caption_wants_dry_run,
        import_jobs,
        render_file_error,
    )

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
    except TableFileError as err:
        await message.reply_text(render_file_error(err, context.lang))
        return
    text = context.t("ji-done") + "\n" + report.render(context.lang)
    await message.reply_text(text[:MESSAGE_LIMIT])
