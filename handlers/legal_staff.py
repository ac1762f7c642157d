"""(placeholder: being written)"""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Register this module's handlers."""
