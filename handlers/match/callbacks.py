"""Matchmaking: the callback data of the service's buttons, built here and nowhere else.

``ENCODE`` maps each button action the service names (see :class:`bot.core.notify.Button`) to
the function that writes its callback data (64 bytes at most).
"""

from __future__ import annotations

from bot.match.events import CANCEL_SIGNUP
from handlers.notifier import Encoder


def cancel_signup(event_id: int) -> str:
    """A member cancels their sign-up for a social (``me:c:<event>``)."""
    return f"me:c:{event_id}"


ENCODE: dict[str, Encoder] = {CANCEL_SIGNUP: cancel_signup}
