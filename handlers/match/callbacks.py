"""Matchmaking: the callback data of the service's buttons, built here and nowhere else.

``ENCODE`` maps each button action the service names (see :class:`bot.core.notify.Button`) to
the function that writes its callback data (64 bytes at most).
"""

from __future__ import annotations

from handlers.notifier import Encoder

ENCODE: dict[str, Encoder] = {}
