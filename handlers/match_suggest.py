"""Daily suggestions: cards without contacts, like / skip / report, mutual likes."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Register the suggestion buttons."""
