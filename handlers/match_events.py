"""Union socials: staff create events; verified members sign up, cancel, wait for a place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext


async def staff_command(update: Update, context: GongyouContext, args: list[str]) -> None:
    """`/match event|events|export ...` (staff only)."""
    raise NotImplementedError


def register(app: Application) -> None:
    """Register the socials' buttons and the staff's new-event flow."""


def schedule(application: Application) -> None:
    """Send the reminders of tomorrow's socials from the job queue."""
