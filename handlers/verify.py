"""Proving union membership in the chat: card number and name, then the worker's own phone.

Any service that is for members only calls :func:`ensure_verified`; once the check succeeds
the worker is taken on to where they were going (see :func:`register_continuation`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application

from bot.context import GongyouContext
from bot.membership import is_verified

#: Where a worker goes once verified, by name (services register theirs).
Continuation = Callable[[Update, GongyouContext], Awaitable[None]]
CONTINUATIONS: dict[str, Continuation] = {}


def register_continuation(name: str, handler: Continuation) -> None:
    """Let ``ensure_verified(..., then=name)`` continue with ``handler`` after the check."""
    CONTINUATIONS[name] = handler


async def ensure_verified(update: Update, context: GongyouContext, *, then: str) -> bool:
    """True if the user is a verified member; otherwise start the check and return False."""
    user = update.effective_user
    if user is None:
        return False
    if await is_verified(context.db, user_id=user.id):
        return True
    await start_verification(update, context, then=then)
    return False


async def start_verification(update: Update, context: GongyouContext, *, then: str) -> None:
    """Explain the membership check and ask for the card number."""
    raise NotImplementedError


def register(app: Application) -> None:
    """Register the membership check's buttons, typed answers and shared contact."""
