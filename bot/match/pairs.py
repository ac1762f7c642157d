"""Two members who both said yes: the one place a pair is made and contacts are released.

The announcement (each member gets the other's Telegram contact) is queued in the outbox in
the transaction that makes the pair, so it reaches both even if the bot stops right after the
commit; the handler delivers it at once (``handlers.match.pairs``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection

from bot.core import outbox
from bot.core.models import User
from bot.i18n import t
from bot.match.models import MatchPair, MatchProfile

PAIRS = MatchPair.__table__  # type: ignore[attr-defined]
PROFILES = MatchProfile.__table__  # type: ignore[attr-defined]
USERS: Table = User.__table__  # type: ignore[attr-defined]
#: The outbox kind of a pair announcement.
PAIR_KIND = "pair"


@dataclass(frozen=True)
class Contact:
    """How one member of a pair can be reached on Telegram."""

    user_id: int
    name: str
    username: str


def make_pair(conn: Connection, *, a_id: int, b_id: int, source: str, now: datetime) -> bool:
    """Record that ``a_id`` and ``b_id`` both said yes and queue each one's announcement with
    the other's contact; False if they were already a pair."""
    low, high = sorted((a_id, b_id))
    exists = conn.execute(
        select(PAIRS.c.id).where(PAIRS.c.a_id == low, PAIRS.c.b_id == high)
    ).first()
    if exists is not None:
        return False
    key = conn.execute(
        insert(PAIRS).values(a_id=low, b_id=high, source=source, at=now)
    ).inserted_primary_key
    assert key is not None
    queue_announcements(conn, pair_id=int(key[0]), a_id=a_id, b_id=b_id, source=source, now=now)
    return True


def announcement_key(pair_id: int, user_id: int) -> str:
    """The outbox key of the message that gives ``user_id`` their pair's contact."""
    return f"pair:{pair_id}:user:{user_id}"


def contact_html(lang: str, contact: Contact) -> str:
    """A member's contact as HTML: a link that opens the chat, and the @username if known."""
    name = html.escape(contact.name or t(lang, "match-pair-member"), quote=False)
    link = f'<a href="tg://user?id={contact.user_id}">{name}</a>'
    if contact.username:
        return f"{link} (@{html.escape(contact.username, quote=False)})"
    return link


def queue_announcements(
    conn: Connection, *, pair_id: int, a_id: int, b_id: int, source: str, now: datetime
) -> list[str]:
    """Queue, for each member of a new pair, the other's contact; return the outbox keys.

    ``source`` is "like" (mutual like) or "intro" (both accepted an introduction).
    """
    contacts = pair_contacts(conn, a_id=a_id, b_id=b_id)
    if contacts is None:
        return []
    languages = {
        int(row.id): str(row.language or "zh")
        for row in conn.execute(
            select(USERS.c.id, USERS.c.language).where(USERS.c.id.in_((a_id, b_id)))
        )
    }
    message = "match-pair-intro" if source == "intro" else "match-pair-like"
    keys = []
    for me, other in (contacts, contacts[::-1]):
        lang = languages.get(me.user_id, "zh")
        key = announcement_key(pair_id, me.user_id)
        outbox.put(
            conn,
            key=key,
            chat_id=me.user_id,
            kind=PAIR_KIND,
            text=t(lang, message, contact=contact_html(lang, other)),
            parse_mode="HTML",
            now=now,
        )
        keys.append(key)
    return keys


def announcement_keys(conn: Connection, *, a_id: int, b_id: int) -> list[str]:
    """The outbox keys of a pair's two announcements (none if the two are not a pair)."""
    low, high = sorted((a_id, b_id))
    pair_id = conn.execute(
        select(PAIRS.c.id).where(PAIRS.c.a_id == low, PAIRS.c.b_id == high)
    ).scalar()
    if pair_id is None:
        return []
    return [announcement_key(int(pair_id), user_id) for user_id in (a_id, b_id)]


def is_pair(conn: Connection, *, a_id: int, b_id: int) -> bool:
    """True if the two members are a pair (only then may one see the other's contact)."""
    low, high = sorted((a_id, b_id))
    found = conn.execute(select(PAIRS.c.id).where(PAIRS.c.a_id == low, PAIRS.c.b_id == high))
    return found.first() is not None


def pair_contacts(conn: Connection, *, a_id: int, b_id: int) -> tuple[Contact, Contact] | None:
    """The two members' Telegram contacts, only if they are a pair (else None)."""
    if not is_pair(conn, a_id=a_id, b_id=b_id):
        return None
    rows = conn.execute(
        select(PROFILES.c.user_id, PROFILES.c.tg_name, PROFILES.c.tg_username).where(
            PROFILES.c.user_id.in_((a_id, b_id))
        )
    ).all()
    found = {r.user_id: Contact(r.user_id, r.tg_name, r.tg_username) for r in rows}
    a = found.get(a_id, Contact(a_id, "", ""))
    b = found.get(b_id, Contact(b_id, "", ""))
    return a, b
