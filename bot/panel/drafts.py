"""Previewed broadcasts waiting for "send", kept in the database (``panel_drafts``).

A preview on one replica can be sent from any other, and a restart loses none: nothing about a
draft lives in one process's memory. The functions are plain synchronous SQLAlchemy Core, run
through ``Database.transact``.

- :func:`add_draft` stores a new draft under its one-time token, after forgetting expired ones.
- :func:`take_draft` is the "send": one conditional DELETE ... RETURNING hands the draft to its
  owner and spends the token; of two sends arriving together (on one replica or two) exactly
  one gets the draft, the other gets None, as for an expired draft or someone else's.
- :func:`drop_expired` forgets drafts past :data:`KEEP`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, insert
from sqlalchemy.engine import Connection

from bot.panel.models import PanelDraft

DRAFTS: Table = PanelDraft.__table__  # type: ignore[attr-defined]

#: A preview can be sent for this long.
KEEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Draft:
    """A previewed broadcast waiting for "send": who wrote it, to whom, and what."""

    user_id: int
    audience: dict[str, Any]
    kind: str
    text: str
    postings: tuple[int, ...]
    created_at: datetime


def drop_expired(conn: Connection, *, now: datetime) -> int:
    """Forget drafts whose time to be sent has passed; return how many went."""
    return int(conn.execute(delete(DRAFTS).where(DRAFTS.c.expires_at <= now)).rowcount or 0)


def add_draft(
    conn: Connection,
    *,
    token: str,
    user_id: int,
    audience: dict[str, Any],
    kind: str,
    text: str,
    postings: Iterable[int],
    now: datetime,
) -> None:
    """Store a new draft under ``token``, to be sent until ``now`` + :data:`KEEP`."""
    drop_expired(conn, now=now)
    conn.execute(
        insert(DRAFTS).values(
            token=token,
            user_id=user_id,
            audience=audience,
            kind=kind,
            text=text,
            postings=list(postings),
            created_at=now,
            expires_at=now + KEEP,
        )
    )


def take_draft(conn: Connection, *, token: str, user_id: int, now: datetime) -> Draft | None:
    """Spend the token and hand out its draft, once: None if it is someone else's, expired or
    already taken."""
    row = conn.execute(
        delete(DRAFTS)
        .where(DRAFTS.c.token == token, DRAFTS.c.user_id == user_id, DRAFTS.c.expires_at > now)
        .returning(
            DRAFTS.c.user_id,
            DRAFTS.c.audience,
            DRAFTS.c.kind,
            DRAFTS.c.text,
            DRAFTS.c.postings,
            DRAFTS.c.created_at,
        )
    ).first()
    if row is None:
        return None
    return Draft(
        user_id=row.user_id,
        audience=dict(row.audience),
        kind=row.kind,
        text=row.text,
        postings=tuple(int(posting) for posting in row.postings),
        created_at=row.created_at,
    )
