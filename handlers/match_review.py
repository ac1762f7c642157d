"""Volunteer matchmakers: review profiles, handle reports, propose introductions."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext


async def command(update: Update, context: GongyouContext, args: list[str]) -> None:
    """`/match review|reports|intro ...` (matchmakers only)."""
    raise NotImplementedError


def register(app: Application) -> None:
    """Register the review buttons, the reason flow and introduction answers."""
