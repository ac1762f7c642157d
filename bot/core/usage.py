"""How many updates each service handled per day, for the staff dashboard.

Each replica counts the updates it takes for the first time in memory, by the union's calendar
day and the service that handled them (``UpdateScope.service``: ``legal``, ``jobs``,
``station``, ``match``, ``router:<intent>`` for what the router answered itself, ``none``…),
and adds its counts to ``service_days`` every minute and when it stops: one upsert per day and
service, so the update path writes nothing more and replicas add up. A replica that dies loses
at most its last minute of counts; a flush that fails keeps them for the next one. The table
holds counts only, nobody's id.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table

from bot.core.models import ServiceDay
from bot.db import dialect_insert

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

SERVICE_DAYS: Table = ServiceDay.__table__  # type: ignore[attr-defined]
#: Seconds between two flushes of a replica's counts.
FLUSH_EVERY = 60.0
#: The longest service name kept (the column's length).
SERVICE_LENGTH = 48


class UsageCounts:
    """A replica's counts not yet added to ``service_days``."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.counts: Counter[tuple[date, str]] = Counter()

    def note(self, service: str, now: datetime | None = None) -> None:
        """Count one update handled by ``service`` (today in the union's zone, or ``now``'s)."""
        day = (now or datetime.now(self.zone)).astimezone(self.zone).date()
        self.counts[(day, service[:SERVICE_LENGTH] or "none")] += 1

    async def flush(self, db: Database) -> int:
        """Add the counts to ``service_days``; return how many updates they held. On failure
        the counts are kept (with any noted meanwhile) for the next flush, and it raises."""
        if not self.counts:
            return 0
        taken, self.counts = self.counts, Counter()
        try:
            await db.transact(add_counts, counts=dict(taken))
        except BaseException:
            self.counts.update(taken)
            raise
        return sum(taken.values())

    async def flush_forever(self, db: Database, every: float = FLUSH_EVERY) -> None:
        """Flush every ``every`` seconds until cancelled (a failure is logged and retried)."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.flush(db)
            except Exception:  # noqa: BLE001 - kept for the next flush
                log.warning("could not write the usage counts; kept for later", exc_info=True)


def add_counts(conn: Connection, *, counts: dict[tuple[date, str], int]) -> None:
    """Add ``counts`` (by day and service) to ``service_days``, in one statement; the rows in
    key order, so replicas adding at the same time lock them in the same order."""
    rows = [
        {"day": day, "service": service, "updates": n}
        for (day, service), n in sorted(counts.items())
    ]
    insert: Any = dialect_insert(conn.dialect.name)(SERVICE_DAYS)
    conn.execute(
        insert.on_conflict_do_update(
            index_elements=["day", "service"],
            set_={"updates": SERVICE_DAYS.c.updates + insert.excluded.updates},
        ),
        rows,
    )


def updates_per_day(conn: Connection, *, first: date, last: date) -> dict[str, dict[date, int]]:
    """The updates each service handled on each day from ``first`` to ``last`` (inclusive)."""
    found: dict[str, dict[date, int]] = {}
    rows = conn.execute(
        SERVICE_DAYS.select().where(SERVICE_DAYS.c.day >= first, SERVICE_DAYS.c.day <= last)
    )
    for row in rows:
        found.setdefault(str(row.service), {})[row.day] = int(row.updates)
    return found
