"""Matchmaking on Telegram: profile, matchmakers' review, suggestions, pairs, socials."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.match.events import forget_signups
from bot.match.profile import forget_match_user
from handlers.base import Service
from handlers.match import callbacks, events, profile, review, suggest


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the member's profile, suggestions, the matchmakers' review and socials."""
    for module in (profile, suggest, review, events):
        module.register(app)


SPEC = Service(
    name="match",
    register=register,
    schedule=events.schedule,
    forgetters=(forget_match_user, forget_signups),
    encoders=callbacks.ENCODE,
    menu="match",
    enter=profile.enter,
    links=("match",),
)
