"""Jobs service: placeholder module (filled in as the jobs service lands)."""

from __future__ import annotations

from telegram.ext import Application


def register(app: Application) -> None:
    """Register this module's handlers."""
