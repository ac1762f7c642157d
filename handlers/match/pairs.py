"""Telling both members of a new pair, each with the other's Telegram contact."""

from __future__ import annotations

import html
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.core.models import User
from bot.db import Database
from bot.i18n import t
from bot.match.pairs import Contact, pair_contacts

log = logging.getLogger(__name__)


def contact_html(lang: str, contact: Contact) -> str:
    """A member's contact as HTML: a link that opens the chat, and the @username if known."""
    name = html.escape(contact.name or t(lang, "match-pair-member"), quote=False)
    link = f'<a href="tg://user?id={contact.user_id}">{name}</a>'
    if contact.username:
        return f"{link} (@{html.escape(contact.username, quote=False)})"
    return link


async def announce_pair(bot: Bot, db: Database, *, a_id: int, b_id: int, source: str) -> int:
    """Send each member of a pair the other's contact; return how many messages went out.

    Reads the contacts through :func:`bot.match.pairs.pair_contacts`, which gives nothing
    unless the two really are a pair. ``source`` is "like" (mutual like) or "intro".
    """
    contacts = await db.transact(pair_contacts, a_id=a_id, b_id=b_id)
    if contacts is None:
        return 0
    sent = 0
    for me, other in (contacts, contacts[::-1]):
        async with db.session() as session:
            user = await session.get(User, me.user_id)
        lang = user.language if user is not None else "zh"
        key = "match-pair-intro" if source == "intro" else "match-pair-like"
        text = t(lang, key, contact=contact_html(lang, other))
        try:
            await bot.send_message(me.user_id, text, parse_mode=ParseMode.HTML)
            sent += 1
        except TelegramError:
            log.warning("could not tell member %s about their pair", me.user_id, exc_info=True)
    return sent
