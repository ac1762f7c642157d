"""Job-seeker registration (求职登记) and the alerts that follow it.

A worker saves what they look for; ``bot.jobs.core.publish_postings`` queues an alert row for every
registration a newly published posting matches, and :func:`deliver_alerts` sends those rows out
in batches: at most one message per worker per run, never inside quiet hours. Each batch is
claimed and queued in the outbox (:mod:`bot.core.outbox`) in one transaction, then sent at once:
a crash between the commit and the send no longer loses it (at-least-once, at most one
duplicate after a crash).
Registration functions are synchronous SQLAlchemy Core, run through ``Database.transact``.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, exists, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import outbox
from bot.core.clock import parse_quiet_hours, quiet_until, today_in
from bot.core.models import OutboxState, User, utcnow
from bot.core.notify import MESSAGE_LIMIT, Button, Notifier, Outgoing
from bot.core.outbox import Transport
from bot.db import Database, dialect_insert
from bot.i18n import t
from bot.jobs.core import (
    ALERTS,
    INDUSTRIES,
    POSTINGS,
    SEEKERS,
    TAGS,
    PostingView,
    normalize,
    tag_mask,
    tag_names,
)
from bot.jobs.models import EmploymentType, PayUnit, PostingStatus
from bot.jobs.text import OPEN_POSTING, posting_line

log = logging.getLogger(__name__)

USERS: Table = User.__table__  # type: ignore[attr-defined]

#: Employment types in menu order.
TYPES = tuple(kind.value for kind in EmploymentType)
#: Units a minimum pay may be given in (piece rates cannot be compared).
MIN_PAY_UNITS = (PayUnit.month, PayUnit.day, PayUnit.hour)
#: At most this many districts and as many metro lines in one registration.
MAX_PLACES = 10
#: A district or metro line name is at most this long (characters, and UTF-8 bytes so that it
#: fits in a button's callback data).
MAX_PLACE_CHARS = 16
MAX_PLACE_BYTES = 48
#: The highest minimum pay accepted, per month (anything above is a typing slip).
MAX_MIN_PAY = 100_000.0
#: The parts of a registration that hold lists of choices.
LIST_PARTS = ("districts", "industries", "types", "metro_lines", "tags")
#: Button actions of an alert: the job search, turning alerts off, the registration menu.
SEARCH_POSTINGS = "jobs.search"
ALERTS_OFF = "alerts.off"
ALERTS_MENU = "alerts.menu"


#: Every reason a SeekerError may give (each has a ``ja-error-<reason>`` message).
SEEKER_ERRORS = (
    "place_empty",
    "place_too_long",
    "too_many",
    "unknown_industry",
    "unknown_type",
    "unknown_tag",
    "bad_pay",
    "unknown_part",
)


class SeekerError(ValueError):
    """A registration that cannot be saved; ``reason`` names why (a catalog key suffix)."""

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(f"{reason}: {value}" if value else reason)
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class Seeker:
    """A worker's registration: what they look for and whether alerts go out."""

    user_id: int
    districts: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    metro_lines: tuple[str, ...] = ()
    tags: int = 0
    min_pay: float | None = None
    min_pay_unit: PayUnit | None = None
    alerts: bool = True

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> Seeker:
        """Build from a ``job_seekers`` row."""
        unit = row["min_pay_unit"]
        return cls(
            user_id=int(row["user_id"]),
            districts=tuple(row["districts"] or ()),
            industries=tuple(row["industries"] or ()),
            types=tuple(row["types"] or ()),
            metro_lines=tuple(row["metro_lines"] or ()),
            tags=int(row["tags"]),
            min_pay=row["min_pay"],
            min_pay_unit=PayUnit(unit) if unit else None,
            alerts=bool(row["alerts"]),
        )

    @property
    def tag_names(self) -> list[str]:
        """The suitable-for tags chosen, in vocabulary order."""
        return tag_names(self.tags)

    def choices(self, part: str) -> tuple[str, ...]:
        """The values chosen for one list part (tags by name)."""
        if part == "tags":
            return tuple(self.tag_names)
        values: tuple[str, ...] = getattr(self, part)
        return values


# --- validation -------------------------------------------------------------------------------


def clean_place(text: str) -> str:
    """A district or metro line name as stored: width folded, spaces collapsed, length checked."""
    value = " ".join(unicodedata.normalize("NFKC", str(text)).split())
    if not value or any(unicodedata.category(ch).startswith("C") for ch in value):
        raise SeekerError("place_empty")
    if len(value) > MAX_PLACE_CHARS or len(value.encode()) > MAX_PLACE_BYTES:
        raise SeekerError("place_too_long", value[:MAX_PLACE_CHARS])
    return value


def _places(values: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(clean_place(value) for value in values))
    if len(cleaned) > MAX_PLACES:
        raise SeekerError("too_many")
    return cleaned


def _known(values: Iterable[str], vocabulary: Sequence[str], reason: str) -> list[str]:
    chosen = list(dict.fromkeys(str(value) for value in values))
    for value in chosen:
        if value not in vocabulary:
            raise SeekerError(reason, value[:32])
    return [value for value in vocabulary if value in chosen]  # vocabulary order


def _min_pay(amount: float | None, unit: PayUnit | str | None) -> tuple[float | None, str | None]:
    if amount is None:
        return None, None
    try:
        pay_unit = PayUnit(unit) if unit is not None else None
    except ValueError:
        raise SeekerError("bad_pay") from None
    if pay_unit not in MIN_PAY_UNITS:
        raise SeekerError("bad_pay")
    amount = float(amount)
    limits = {PayUnit.month: MAX_MIN_PAY, PayUnit.day: MAX_MIN_PAY / 20, PayUnit.hour: 1_000.0}
    if not 0 < amount <= limits[pay_unit]:
        raise SeekerError("bad_pay")
    return amount, pay_unit.value


# --- registration -----------------------------------------------------------------------------


def get_seeker(conn: Connection, *, user_id: int) -> Seeker | None:
    """The worker's registration, if they have one."""
    row = conn.execute(select(SEEKERS).where(SEEKERS.c.user_id == user_id)).mappings().first()
    return Seeker.from_row(row) if row is not None else None


def save_seeker(
    conn: Connection,
    *,
    user_id: int,
    districts: Iterable[str],
    industries: Iterable[str],
    types: Iterable[str],
    metro_lines: Iterable[str],
    tags: Iterable[str],
    min_pay: float | None,
    min_pay_unit: PayUnit | str | None,
    alerts: bool,
    now: datetime | None = None,
) -> Seeker:
    """Create or replace the worker's registration; raises SeekerError on bad values.

    Districts and metro lines are free text (at most MAX_PLACES each, each at most
    MAX_PLACE_CHARS long); industries, types and tags must come from the jobs vocabulary.
    Turning alerts off drops the alerts not yet sent.
    """
    now = now or utcnow()
    pay, unit = _min_pay(min_pay, min_pay_unit)
    values: dict[str, Any] = {
        "districts": _places(districts),
        "industries": _known(industries, INDUSTRIES, "unknown_industry"),
        "types": _known(types, TYPES, "unknown_type"),
        "metro_lines": _places(metro_lines),
        "tags": tag_mask(_known(tags, TAGS, "unknown_tag")),
        "min_pay": pay,
        "min_pay_unit": unit,
        "alerts": bool(alerts),
        "updated_at": now,
    }
    insert = dialect_insert(conn.dialect.name)
    conn.execute(
        insert(SEEKERS)
        .values(user_id=user_id, created_at=now, **values)
        .on_conflict_do_update(index_elements=["user_id"], set_=values)
    )
    if not alerts:
        _drop_unsent(conn, user_id=user_id)
    found = get_seeker(conn, user_id=user_id)
    assert found is not None
    return found


def _save(conn: Connection, seeker: Seeker, now: datetime | None, **changes: Any) -> Seeker:
    current: dict[str, Any] = {
        "districts": seeker.districts,
        "industries": seeker.industries,
        "types": seeker.types,
        "metro_lines": seeker.metro_lines,
        "tags": seeker.tag_names,
        "min_pay": seeker.min_pay,
        "min_pay_unit": seeker.min_pay_unit,
        "alerts": seeker.alerts,
    }
    current.update(changes)
    return save_seeker(conn, user_id=seeker.user_id, now=now, **current)


def toggle_choice(
    conn: Connection, *, user_id: int, part: str, value: str, now: datetime | None = None
) -> Seeker:
    """Add ``value`` to one list part of the registration, or remove it if it was there.

    Creates the registration (alerts on) if the worker had none.
    """
    if part not in LIST_PARTS:
        raise SeekerError("unknown_part", part[:16])
    seeker = get_seeker(conn, user_id=user_id) or Seeker(user_id=user_id)
    chosen = list(seeker.choices(part))
    if part in ("districts", "metro_lines"):
        value = clean_place(value)
    chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    return _save(conn, seeker, now, **{part: chosen})


def add_place(
    conn: Connection, *, user_id: int, part: str, text: str, now: datetime | None = None
) -> tuple[Seeker, str]:
    """Add a typed district or metro line (matched to how published postings spell it).

    Returns the registration and the value as stored.
    """
    if part not in ("districts", "metro_lines"):
        raise SeekerError("unknown_part", part[:16])
    value = resolve_place(conn, part=part, text=text)
    seeker = get_seeker(conn, user_id=user_id) or Seeker(user_id=user_id)
    chosen = list(seeker.choices(part))
    if value in chosen:
        return seeker, value
    return _save(conn, seeker, now, **{part: [*chosen, value]}), value


def set_min_pay(
    conn: Connection,
    *,
    user_id: int,
    amount: float | None,
    unit: PayUnit | str | None,
    now: datetime | None = None,
) -> Seeker:
    """Set (or with ``amount=None`` clear) the lowest pay the worker wants."""
    seeker = get_seeker(conn, user_id=user_id) or Seeker(user_id=user_id)
    return _save(conn, seeker, now, min_pay=amount, min_pay_unit=unit if amount else None)


def set_alerts(
    conn: Connection, *, user_id: int, on: bool, now: datetime | None = None
) -> Seeker | None:
    """Turn alerts on (registering the worker if needed) or off; None if off and unregistered.

    Turning alerts off also drops the alerts not yet sent, so none goes out afterwards.
    """
    seeker = get_seeker(conn, user_id=user_id)
    if seeker is None and not on:
        return None
    return _save(conn, seeker or Seeker(user_id=user_id), now, alerts=on)


def delete_seeker(conn: Connection, *, user_id: int) -> bool:
    """Delete the worker's registration and their alert rows; False if there was none."""
    conn.execute(delete(ALERTS).where(ALERTS.c.user_id == user_id))
    result = conn.execute(delete(SEEKERS).where(SEEKERS.c.user_id == user_id))
    return bool(result.rowcount)


def _drop_unsent(conn: Connection, *, user_id: int) -> int:
    result = conn.execute(
        delete(ALERTS).where(ALERTS.c.user_id == user_id, ALERTS.c.sent_at.is_(None))
    )
    return int(result.rowcount)


async def forget_seeker(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a worker's registration and alert history (for /forget)."""
    alerts = await session.exec(delete(ALERTS).where(ALERTS.c.user_id == user_id))
    seeker = await session.exec(delete(SEEKERS).where(SEEKERS.c.user_id == user_id))
    return ["ja-forget-item"] if alerts.rowcount or seeker.rowcount else []


# --- places offered as buttons ----------------------------------------------------------------


def _place_column(part: str) -> Any:
    if part == "districts":
        return POSTINGS.c.district
    if part == "metro_lines":
        return POSTINGS.c.metro_line
    raise SeekerError("unknown_part", part[:16])


def offered_places(conn: Connection, *, part: str, limit: int = 12) -> list[str]:
    """Districts (or metro lines) of published postings, most postings first, that fit a button."""
    column = _place_column(part)
    rows = conn.execute(
        select(column, func.count().label("n"))
        .where(POSTINGS.c.status == PostingStatus.published.value, column != "")
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit * 3)
    )
    found = []
    for row in rows:
        try:
            value = clean_place(row[0])
        except SeekerError:
            continue
        if value == row[0] and value not in found:
            found.append(value)
    return found[:limit]


def resolve_place(conn: Connection, *, part: str, text: str) -> str:
    """A typed place as postings spell it: "金水" becomes "金水区" if that is the only match."""
    value = clean_place(text)
    column = _place_column(part)
    known = [
        row[0]
        for row in conn.execute(
            select(column)
            .where(POSTINGS.c.status == PostingStatus.published.value, column != "")
            .distinct()
            .limit(2000)
        )
    ]
    if value in known:
        return value
    wanted = normalize(value)
    same = [name for name in known if normalize(name) == wanted]
    if len(same) == 1:
        return clean_place(same[0])
    containing = [name for name in known if wanted and wanted in normalize(name)]
    if len(containing) == 1:
        try:
            return clean_place(containing[0])
        except SeekerError:
            return value
    return value


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    """What one delivery run did."""

    messages: int = 0
    alerts: int = 0
    dropped: int = 0
    blocked: int = 0
    failed: int = 0
    delayed_until: datetime | None = None
    workers: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Batch:
    """The alerts of one worker claimed for one message (newest first)."""

    user_id: int
    language: str
    postings: tuple[PostingView, ...]
    more: int
    posting_ids: tuple[int, ...]


def _live(today: date) -> Any:
    """Alert rows whose posting is published and not past its date."""
    return exists().where(
        POSTINGS.c.id == ALERTS.c.posting_id,
        POSTINGS.c.status == PostingStatus.published.value,
        or_(POSTINGS.c.expires_on.is_(None), POSTINGS.c.expires_on >= today),
    )


def _subscribed() -> Any:
    return exists().where(SEEKERS.c.user_id == ALERTS.c.user_id, SEEKERS.c.alerts.is_(True))


def drop_dead_alerts(conn: Connection, *, now: datetime, today: date) -> int:
    """Mark unsent alerts of postings no longer on offer as done, without a message."""
    result = conn.execute(
        update(ALERTS).where(ALERTS.c.sent_at.is_(None), ~_live(today)).values(sent_at=now)
    )
    return int(result.rowcount)


def workers_due(conn: Connection, *, today: date, limit: int = 10_000) -> list[int]:
    """Workers with alerts on and at least one unsent alert of a live posting."""
    rows = conn.execute(
        select(ALERTS.c.user_id)
        .where(ALERTS.c.sent_at.is_(None), _live(today), _subscribed())
        .group_by(ALERTS.c.user_id)
        .order_by(ALERTS.c.user_id)
        .limit(limit)
    )
    return [int(row[0]) for row in rows]


def claim_batch(
    conn: Connection, *, user_id: int, now: datetime, today: date, limit: int
) -> Batch | None:
    """Mark every unsent live alert of one worker as sent and return them for one message.

    The claim is a single UPDATE ... RETURNING, so two senders running at once never claim the
    same row: the second finds ``sent_at`` already set.
    """
    claimed = conn.execute(
        update(ALERTS)
        .where(
            ALERTS.c.user_id == user_id,
            ALERTS.c.sent_at.is_(None),
            _live(today),
            _subscribed(),
        )
        .values(sent_at=now)
        .returning(ALERTS.c.posting_id)
    )
    ids = [int(row[0]) for row in claimed]
    if not ids:
        return None
    rows = (
        conn.execute(
            select(POSTINGS)
            .where(POSTINGS.c.id.in_(ids))
            .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
        )
        .mappings()
        .all()
    )
    language = conn.execute(select(USERS.c.language).where(USERS.c.id == user_id)).scalar()
    views = tuple(PostingView.from_row(row) for row in rows)
    return Batch(
        user_id=user_id,
        language=language or "zh",
        postings=views[:limit],
        more=max(0, len(views) - limit),
        posting_ids=tuple(ids),
    )


def unsubscribe_blocked(conn: Connection, *, user_id: int, now: datetime) -> None:
    """The worker blocked the bot: turn their alerts off and drop what is still unsent."""
    conn.execute(
        update(SEEKERS).where(SEEKERS.c.user_id == user_id).values(alerts=False, updated_at=now)
    )
    _drop_unsent(conn, user_id=user_id)


def alert_message(batch: Batch) -> Outgoing:
    """The text and buttons of one alert message."""
    lang = batch.language
    count = len(batch.postings) + batch.more
    lines = [t(lang, "ja-alert-header", count=count), ""]
    lines += [posting_line(lang, n, view) for n, view in enumerate(batch.postings, start=1)]
    if batch.more:
        lines += ["", t(lang, "ja-alert-more", more=batch.more)]
    lines += ["", t(lang, "ja-alert-footer")]
    rows: list[tuple[Button, ...]] = [
        (Button(f"{n}. {view.title[:30]}", OPEN_POSTING, (view.id,)),)
        for n, view in enumerate(batch.postings, start=1)
    ]
    if batch.more:
        # The job search lists every published posting, newest first.
        rows.append((Button(t(lang, "ja-btn-search"), SEARCH_POSTINGS),))
    rows.append(
        (
            Button(t(lang, "ja-btn-unsubscribe"), ALERTS_OFF),
            Button(t(lang, "ja-btn-settings"), ALERTS_MENU),
        )
    )
    return Outgoing("\n".join(lines)[:MESSAGE_LIMIT], tuple(rows))


#: The outbox kind of an alert batch.
ALERTS_KIND = "job-alerts"


def alert_key(batch: Batch, today: date) -> str:
    """The outbox key of one batch: each posting is alerted to a worker once, so the batch's
    first posting names it."""
    return f"alerts:{batch.user_id}:{today.isoformat()}:{min(batch.posting_ids)}"


def queue_batch(
    conn: Connection, *, user_id: int, now: datetime, today: date, limit: int
) -> tuple[str, int] | None:
    """Claim a worker's unsent live alerts and queue their message in the outbox, in one
    transaction; the outbox key and how many alerts it carries (None if nothing is due)."""
    batch = claim_batch(conn, user_id=user_id, now=now, today=today, limit=limit)
    if batch is None:
        return None
    message = alert_message(batch)
    key = alert_key(batch, today)
    outbox.put(
        conn,
        key=key,
        chat_id=user_id,
        kind=ALERTS_KIND,
        text=message.text,
        markup=outbox.buttons_markup(message.buttons),
        preview=message.preview,
        bulk=True,  # the slower bucket, so replies to workers keep flowing
        now=now,
    )
    return key, len(batch.posting_ids)


def _unsubscribe(conn: Connection, user_id: int) -> None:
    log.info("worker %s blocked the bot; job alerts turned off", user_id)
    unsubscribe_blocked(conn, user_id=user_id, now=utcnow())


# A worker who blocked the bot gets no more alerts (in the transaction that marks it blocked).
outbox.on_blocked(ALERTS_KIND, _unsubscribe)


def _count(result: DeliveryResult, state: OutboxState, alerts: int, user_id: int) -> bool:
    """Add one batch's outcome to ``result``; False when the run should stop (rate limited or
    the network is down: the outbox sends it later)."""
    if state in (OutboxState.sent, OutboxState.resent):
        result.messages += 1
        result.alerts += alerts
        result.workers.append(user_id)
        return True
    if state is OutboxState.blocked:
        result.blocked += 1
        return True
    result.failed += 1
    if state is OutboxState.pending:
        log.warning("job alert to %s could not go now; the outbox sends it later", user_id)
        return False
    log.warning("job alert to %s was refused", user_id)
    return True


async def deliver_alerts(
    notifier: Notifier | Transport,
    db: Database,
    *,
    now: datetime,
    quiet_hours: str,
    timezone: str,
    max_per_message: int = 10,
) -> DeliveryResult:
    """Send every worker one message listing their new matching postings (outside quiet hours).

    During quiet hours nothing is sent and nothing is marked: the alerts wait for the next run
    after the quiet hours end. Alerts of postings that were withdrawn or expired meanwhile are
    marked done without a message. Batches an earlier run could not send (rate limited, the
    network down) go first; the outbox sender sends them too.
    """
    quiet = parse_quiet_hours(quiet_hours)
    if quiet is None:
        raise ValueError(f"quiet hours must read like 22:00-07:00 or off, not {quiet_hours!r}")
    result = DeliveryResult()
    result.delayed_until = quiet_until(now, quiet, timezone)
    if result.delayed_until is not None:
        return result
    today = today_in(timezone, now)
    transport = outbox.as_transport(notifier)

    def clock() -> datetime:
        return now

    earlier = await outbox.deliver(db, transport, None, kinds=(ALERTS_KIND,), clock=clock)
    for state in earlier.values():
        if state in (OutboxState.sent, OutboxState.resent):
            result.messages += 1
        elif state is OutboxState.blocked:
            result.blocked += 1
        else:
            result.failed += 1
    if any(state is OutboxState.pending for state in earlier.values()):
        return result
    result.dropped = await db.transact(drop_dead_alerts, now=now, today=today)
    limit = max(1, max_per_message)
    for user_id in await db.transact(workers_due, today=today):
        # The alerts are marked sent in the transaction that queues their message in the
        # outbox, and the message is sent right after the commit.
        queued = await db.transact(queue_batch, user_id=user_id, now=now, today=today, limit=limit)
        if queued is None:
            continue
        key, alerts = queued
        states = await outbox.deliver(db, transport, (key,), clock=clock)
        state = states.get(key, OutboxState.pending)
        if not _count(result, state, alerts, user_id):
            break
    return result
