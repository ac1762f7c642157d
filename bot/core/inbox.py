"""The update inbox: every update is stored before Telegram is told it arrived.

An update is written here (``accept``) before the webhook answers 200 or the next getUpdates
confirms its offset, so a crash or a database outage never loses one. A worker takes an update
with one statement (``bot.core.users.admit_update``) that also gives it a lease; the update is
then marked ``done`` (``finish``), or ``failed`` and tried again later with backoff, and after
``MAX_ATTEMPTS`` tries ``parked`` with its error (``fail``). Updates still due after a restart,
a crash or an expired lease are found by ``due``. Handled rows keep only their id (to recognise
a redelivery) and are pruned after ``RETENTION``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, or_, select, update

from bot.core.models import InboxItem, InboxState, utcnow
from bot.db import dialect_insert

INBOX: Table = InboxItem.__table__  # type: ignore[attr-defined]

#: How many times an update is tried before it is parked.
MAX_ATTEMPTS = 3
#: The wait before the first retry; each later retry waits four times as long.
RETRY_AFTER = timedelta(seconds=15)
#: How long a worker holds an update it took; after that another worker may take it again.
LEASE = timedelta(minutes=5)
#: A new update is left this long to the worker that received it before others take it.
GRACE = timedelta(seconds=30)
#: Handled updates are remembered this long (Telegram retries an update for at most 24 hours).
RETENTION = timedelta(days=7)
#: Parked updates are kept this long for staff to look at.
PARKED_RETENTION = timedelta(days=30)
#: Stored error texts are cut to this length.
ERROR_LENGTH = 500
#: States in which an update is still to be handled.
OPEN = (InboxState.new.value, InboxState.failed.value)


def is_open(table: Any = None) -> Any:
    """The update is open (``OPEN``), as two comparisons: a list in ``IN`` is expanded into the
    SQL text again at every execution, which the statements run for every update avoid."""
    state = (INBOX if table is None else table).c.state
    return or_(*(state == value for value in OPEN))


@dataclass(frozen=True)
class Incoming:
    """An update as it arrived: its id, whose it is, and its JSON."""

    update_id: int
    user_key: int | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class Due:
    """An unfinished update to hand to a worker (``raw`` is None if it was never stored)."""

    update_id: int
    raw: dict[str, Any] | None


@dataclass(frozen=True)
class Parked:
    """An update given up on, for staff."""

    update_id: int
    received_at: datetime
    attempts: int
    last_error: str


@dataclass(frozen=True)
class InboxSummary:
    """How many updates are in each state, and the latest parked ones."""

    counts: dict[str, int]
    parked: list[Parked]


def storable(value: Any) -> Any:
    """``value`` with every NaN and infinite number written as text ("nan", "inf", "-inf"):
    PostgreSQL's json refuses them, and ``float()`` reads the text back the same."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {key: storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def accept(
    conn: Connection, *, items: Sequence[Incoming], now: datetime | None = None
) -> set[int]:
    """Store the updates not seen before, in one statement; return the ids that were new.

    The statement is built once per database: its rows go as parameters, which SQLAlchemy
    sends as one multi-row INSERT (``insertmanyvalues``) instead of compiling a new statement
    for every batch size and set of values."""
    now = now or utcnow()
    unique = {item.update_id: item for item in items}
    if not unique:
        return set()
    rows = [
        {
            "update_id": item.update_id,
            "user_key": item.user_key,
            "raw": storable(item.raw),
            "received_at": now,
            "next_attempt_at": now,
        }
        for item in unique.values()
    ]
    return {row[0] for row in conn.execute(_accept_statement(conn.dialect.name), rows)}


@cache
def _accept_statement(dialect: str) -> Any:
    insert = dialect_insert(dialect)
    return (
        insert(INBOX)
        .values(state=InboxState.new.value, attempts=0)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(INBOX.c.update_id)
    )


@cache
def _finish_statement() -> Any:
    return (
        update(INBOX)
        .where(INBOX.c.update_id == bindparam("done_id"), is_open())
        .values(state=InboxState.done.value, raw=None)
    )


def finish(conn: Connection, *, update_id: int) -> None:
    """Mark the update handled; its JSON is no longer needed and is dropped."""
    conn.execute(_finish_statement(), {"done_id": update_id})


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the ``attempt``-th failed try (1, 2, ...) before the next."""
    return RETRY_AFTER * 4 ** max(attempt - 1, 0)


def fail(
    conn: Connection,
    *,
    update_id: int,
    attempt: int,
    error: str,
    now: datetime | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> InboxState:
    """Record a failed try: the update is tried again later, or parked after the last try."""
    now = now or utcnow()
    state = InboxState.parked if attempt >= max_attempts else InboxState.failed
    conn.execute(
        update(INBOX)
        .where(INBOX.c.update_id == update_id, is_open())
        .values(
            state=state.value,
            attempts=attempt,
            next_attempt_at=now + retry_delay(attempt),
            last_error=error[:ERROR_LENGTH],
        )
    )
    return state


def park(conn: Connection, *, update_id: int, error: str) -> None:
    """Give up on an update at once (it cannot be read back, say)."""
    conn.execute(
        update(INBOX)
        .where(INBOX.c.update_id == update_id, is_open())
        .values(state=InboxState.parked.value, last_error=error[:ERROR_LENGTH])
    )


def due(
    conn: Connection,
    *,
    now: datetime | None = None,
    grace: timedelta = GRACE,
    skip: Iterable[int] = (),
    limit: int = 500,
) -> list[Due]:
    """Unfinished updates that may be taken now, oldest first.

    A new update received less than ``grace`` ago is left to the worker that received it.
    """
    now = now or utcnow()
    skipped = set(skip)
    rows = conn.execute(
        select(INBOX.c.update_id, INBOX.c.raw)
        .where(
            is_open(),
            INBOX.c.next_attempt_at <= now,
            or_(
                INBOX.c.state == InboxState.failed.value,
                INBOX.c.received_at <= now - grace,
            ),
        )
        .order_by(INBOX.c.update_id)
        .limit(limit + len(skipped))
    )
    found = [Due(row.update_id, row.raw) for row in rows if row.update_id not in skipped]
    return found[:limit]


def prune(conn: Connection, *, now: datetime | None = None) -> int:
    """Delete handled updates older than ``RETENTION`` and parked ones older than
    ``PARKED_RETENTION``; return how many were deleted."""
    now = now or utcnow()
    result = conn.execute(
        delete(INBOX).where(
            or_(
                (INBOX.c.state == InboxState.done.value) & (INBOX.c.received_at < now - RETENTION),
                (INBOX.c.state == InboxState.parked.value)
                & (INBOX.c.received_at < now - PARKED_RETENTION),
            )
        )
    )
    return int(result.rowcount)


def summary(conn: Connection, *, latest: int = 5) -> InboxSummary:
    """Counts by state and the latest parked updates with their errors."""
    counts = {state.value: 0 for state in InboxState}
    for state, count in conn.execute(select(INBOX.c.state, func.count()).group_by(INBOX.c.state)):
        counts[state] = int(count)
    parked = [
        Parked(row.update_id, row.received_at, row.attempts, row.last_error or "")
        for row in conn.execute(
            select(INBOX.c.update_id, INBOX.c.received_at, INBOX.c.attempts, INBOX.c.last_error)
            .where(INBOX.c.state == InboxState.parked.value)
            .order_by(INBOX.c.update_id.desc())
            .limit(latest)
        )
    ]
    return InboxSummary(counts, parked)
