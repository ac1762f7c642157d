"""Telling both members of a new pair, each with the other's Telegram contact.

The two messages were queued in the outbox when the pair was made (``bot.match.pairs``); this
delivers them at once, and the outbox sender sends whatever could not go now.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.core.models import OutboxState
from bot.db import Database
from bot.match.pairs import announcement_keys
from handlers.outbox import deliver


async def announce_pair(
    application: Application[Any, Any, Any, Any, Any, Any], db: Database, *, a_id: int, b_id: int
) -> int:
    """Deliver each member of a pair the other's contact; return how many messages went out.

    Nothing is sent unless the two really are a pair (the messages exist only then).
    """
    keys = await db.transact(announcement_keys, a_id=a_id, b_id=b_id)
    states = await deliver(application, *keys)
    return sum(1 for state in states.values() if state in (OutboxState.sent, OutboxState.resent))
