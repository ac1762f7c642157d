"""Jobs on Telegram: menu, search, posting cards, employer posts, alerts, broadcasts, imports."""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext
from bot.core.privacy import Export
from bot.jobs.alerts import forget_seeker
from bot.jobs.broadcast import forget_recipient
from bot.jobs.review import forget_submitter
from bot.jobs.search import forget_job_user
from handlers.base import FileImport, Service
from handlers.jobs import alerts, broadcast, callbacks, imports, post, search

#: ``/start job_12`` opens posting 12 (the link a shared posting card carries).
JOB_LINK = re.compile(r"^job_(\d{1,12})$")


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register search and cards, employer posts, broadcasts and alerts (job lists come
    through the router's document handler: ``files`` below)."""
    for module in (search, post, broadcast, alerts):
        module.register(app)


def schedule(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Expire postings daily and deliver alerts."""
    alerts.schedule(app)
    search.schedule(app)


async def open_link(update: Update, context: GongyouContext, payload: str) -> bool:
    """Open the posting a ``job_<id>`` deep link names."""
    found = JOB_LINK.match(payload)
    if found is None:
        return False
    await search.open_posting(update, context, posting_id=int(found.group(1)))
    return True


SPEC = Service(
    name="jobs",
    register=register,
    schedule=schedule,
    start=broadcast.start_sender,
    stop=broadcast.stop_sender,
    forgetters=(forget_job_user, forget_submitter, forget_recipient, forget_seeker),
    exports=(
        Export("mydata-jobs-seeker", "job_seekers"),
        Export("mydata-jobs-alerts", "job_alerts"),
        Export("mydata-jobs-views", "job_contact_views"),
        Export("mydata-jobs-reports", "job_reports", columns=("reporter_id",)),
        Export(
            "mydata-jobs-postings",
            "job_postings",
            columns=("owner_id",),
            hide=("reviewed_by", "search_text", "dedupe_key"),
        ),
        Export("mydata-jobs-postings", "employers", columns=("owner_id",)),
        Export("mydata-jobs-broadcasts", "broadcast_recipients"),
    ),
    encoders=callbacks.ENCODE,
    menu="jobs",
    enter=search.enter,
    links=("jobs",),
    open_link=open_link,
    files=FileImport(
        suffixes=imports.SPREADSHEETS + imports.TEXT_SUFFIXES,
        claims=imports.is_job_list,
        run=imports.import_document,
        staff_suffixes=imports.SPREADSHEETS,
    ),
)
