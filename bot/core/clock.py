"""Time in the union's zone: today's date there and quiet hours (when no alert may be sent)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_quiet_hours(text: str) -> tuple[time, time] | tuple[()] | None:
    """``"22:00-07:00"`` → (22:00, 07:00); ``"off"`` → (); anything else → None."""
    value = text.strip().lower()
    if value in ("off", "none", "no", ""):
        return ()
    found = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value)
    if not found:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        return None
    return time(h1, m1), time(h2, m2)


def quiet_until(now: datetime, quiet: tuple[time, time] | tuple[()], zone: str) -> datetime | None:
    """When quiet hours end if ``now`` falls inside them (UTC), else None."""
    if not quiet:
        return None
    start, end = quiet
    local = now.astimezone(ZoneInfo(zone))
    clock = local.time().replace(tzinfo=None)
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def today_in(zone: str, now: datetime) -> date:
    """The local calendar date at ``now``."""
    return now.astimezone(ZoneInfo(zone)).date()
