"""Matchmaking sign-up for verified single members: consent, profile, pause and delete.

`/match` opens the member's menu; `/match <word>` is for matchmakers and staff (review,
reports, introductions, socials) and is handed to handlers/match_review.py and
handlers/match_events.py.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import GongyouContext
from bot.match_core import SERVICE
from handlers import match_events, match_review

#: `/match <word>` for matchmakers (review, reports, introductions).
REVIEW_WORDS = frozenset({"review", "reports", "intro"})
#: `/match <word>` for staff (socials).
EVENT_WORDS = frozenset({"event", "events", "export"})


async def enter(update: Update, context: GongyouContext, *, text: str | None = None) -> None:
    """Open matchmaking: membership check, consent, then the member's menu."""
    context.scope.service = SERVICE
    raise NotImplementedError


async def match_command(update: Update, context: GongyouContext) -> None:
    """`/match`: the member's menu, or a matchmaker's or staff word."""
    args = list(context.args or [])
    word = args[0].lower() if args else ""
    if word in REVIEW_WORDS:
        await match_review.command(update, context, args)
        return
    if word in EVENT_WORDS:
        await match_events.staff_command(update, context, args)
        return
    await enter(update, context)


def register(app: Application) -> None:
    """Register matchmaking's command, buttons, profile flow and photo upload."""
    app.add_handler(CommandHandler("match", match_command))
