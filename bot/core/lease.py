"""Named leases: among several replicas on one database, only the holder runs a job.

The broadcast sender and the socials' reminders each take a lease before working, so two webhook
replicas never send the same message twice.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime
from typing import Any

from sqlalchemy import Table, or_, select, update
from sqlalchemy.engine import Connection

from bot.core.models import Lease
from bot.db import dialect_insert

LEASES: Table = Lease.__table__  # type: ignore[attr-defined]


def insert_for(conn: Connection, table: Table) -> Any:
    """An INSERT that can do nothing on a conflict, in the dialect of ``conn``."""
    return dialect_insert(conn.dialect.name)(table)


def take_lease(
    conn: Connection, *, name: str, owner: str, now: datetime, until: datetime
) -> tuple[bool, str | None]:
    """Take or renew lease ``name`` for ``owner`` until ``until`` if it is free, expired or ours.

    Returns (held, previous owner). A conditional UPDATE (or an INSERT that does nothing on a
    conflict) decides, so two replicas racing for it cannot both win, on SQLite or PostgreSQL.
    """
    previous = conn.execute(select(LEASES.c.owner).where(LEASES.c.name == name)).scalar()
    if previous is None:
        result = conn.execute(
            insert_for(conn, LEASES)
            .values(name=name, owner=owner, expires_at=until)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return bool(result.rowcount), None
    result = conn.execute(
        update(LEASES)
        .where(
            LEASES.c.name == name,
            or_(LEASES.c.owner == owner, LEASES.c.expires_at <= now),
        )
        .values(owner=owner, expires_at=until)
    )
    return bool(result.rowcount), str(previous)


def release_lease(conn: Connection, *, name: str, owner: str, now: datetime) -> bool:
    """Give the lease up at once if ``owner`` holds it (so another replica can take over)."""
    result = conn.execute(
        update(LEASES).where(LEASES.c.name == name, LEASES.c.owner == owner).values(expires_at=now)
    )
    return bool(result.rowcount)


def default_owner() -> str:
    """A name for this sender that no other process shares: host, pid and a random tag."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"
