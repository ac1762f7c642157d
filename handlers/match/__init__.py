"""Matchmaking on Telegram: profile, matchmakers' review, suggestions, pairs, socials."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.core.privacy import Export
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
    exports=(
        Export("mydata-match-profile", "match_profiles", hide=("reviewed_by",)),
        # whom the member was shown and what they answered; the other person stays unnamed
        Export("mydata-match-decisions", "match_decisions", hide=("target_id",)),
        Export("mydata-match-decisions", "match_suggestions", hide=("target_id",)),
        Export(
            "mydata-match-pairs", "match_pairs", columns=("a_id", "b_id"), hide=("a_id", "b_id")
        ),
        Export(
            "mydata-match-pairs",
            "match_intros",
            columns=("a_id", "b_id"),
            hide=("a_id", "b_id", "proposer_id", "note"),
        ),
        Export(
            "mydata-match-reports",
            "match_reports",
            columns=("reporter_id",),
            hide=("target_id", "resolved_by"),
        ),
        Export("mydata-match-events", "match_signups"),
    ),
    encoders=callbacks.ENCODE,
    menu="match",
    enter=profile.enter,
    links=("match",),
)
