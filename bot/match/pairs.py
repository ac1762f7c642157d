"""Two members who both said yes: the one place a pair is made and contacts are released."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from bot.match.models import MatchPair, MatchProfile

PAIRS = MatchPair.__table__  # type: ignore[attr-defined]
PROFILES = MatchProfile.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Contact:
    """How one member of a pair can be reached on Telegram."""

    user_id: int
    name: str
    username: str


def make_pair(conn: Connection, *, a_id: int, b_id: int, source: str, now: datetime) -> bool:
    """Record that ``a_id`` and ``b_id`` both said yes; False if they were already a pair."""
    low, high = sorted((a_id, b_id))
    exists = conn.execute(
        select(PAIRS.c.id).where(PAIRS.c.a_id == low, PAIRS.c.b_id == high)
    ).first()
    if exists is not None:
        return False
    conn.execute(insert(PAIRS).values(a_id=low, b_id=high, source=source, at=now))
    return True


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
