"""Staff broadcasts: a durable job with one ledger row per recipient, sent at most once each.

A broadcast is written as ``broadcasts`` + ``broadcast_recipients`` (one row per worker). A launch
(:func:`launch`) writes the ledger in chunks of :data:`LAUNCH_CHUNK` rows, one transaction each,
so a 100,000-worker broadcast does not hold the database (SQLite's single writer) or the event
loop for seconds; meanwhile the broadcast is ``preparing`` and nothing of it is sent. The last
chunk sets it running. A launch cut off halfway (the process stopped) is finished by the replica
holding the sender's lease, from the cursor the last chunk left: no worker is left out or
written twice. :class:`BroadcastSender` works through the ledger at a fixed pace on the bulk path
of the outbound limiter, so replies to workers keep their room:

* Only the replica holding the ``broadcast-sender`` lease (table ``leases``) sends. The lease is
  taken or renewed by a conditional UPDATE (or INSERT) in the same transaction that claims the
  next batch, so it works the same on SQLite and PostgreSQL.
* Rows are marked ``sending`` and committed *before* any message leaves, and ``sent`` right
  after. A replica that takes the lease over from one that died sends rows left in ``sending``
  once more and marks them ``resent`` (confirmed, maybe twice); a row cut off a second time is
  marked failed and never tried a third time. So each worker gets a broadcast at least once,
  and at most one duplicate, only after a crash between a send and its mark.
* Quiet hours (``GONGYOU_QUIET_HOURS``): a broadcast confirmed inside them gets ``starts_at``,
  the moment they end, and the sender leaves it alone until then. A broadcast that is still
  sending when quiet hours begin rests until they end (its status stays ``running``; the
  status view says it waits for the morning), unless staff sent it with ``ignore_quiet``.
* The ledger is the bulk form of the outbox (:mod:`bot.core.outbox`, where single messages
  and notices held through quiet hours live). Broadcasts of kind ``notice`` (one recipient,
  held by another service before the outbox existed) are still read: never listed with the
  staff's broadcasts and never reported to their author.
* Outcomes: sent; 403 → blocked (and the worker's alerts are switched off); 400 → failed with
  the reason; 429 → back to pending and the whole sender waits as told; a timeout → sent once
  more after a backoff (it may have arrived), then ``resent``; other network errors → retried
  with backoff, failed after :data:`MAX_ATTEMPTS`. Rows marked ``unconfirmed`` before resending
  existed keep that state (maybe delivered) and are not sent again.

Service functions are plain synchronous SQLAlchemy Core, run through ``Database.transact``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiolimiter import AsyncLimiter
from sqlalchemy import (
    BigInteger,
    Table,
    and_,
    bindparam,
    exists,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import parse_quiet_hours, quiet_until
from bot.core.lease import default_owner, release_lease, take_lease
from bot.core.models import AuditLog, User, utcnow
from bot.core.notify import (
    MESSAGE_LIMIT,
    Blocked,
    Button,
    DeliveryError,
    Notifier,
    Outgoing,
    Rejected,
    RetryLater,
    Unconfirmed,
    Unreachable,
)
from bot.core.text import TextError, checked_text
from bot.i18n import t
from bot.jobs.alerts import SEARCH_POSTINGS
from bot.jobs.core import INDUSTRIES, POSTINGS, SEEKERS, PostingView
from bot.jobs.models import (
    Broadcast,
    BroadcastRecipient,
    BroadcastStatus,
    EmploymentType,
    PostingStatus,
    RecipientStatus,
)
from bot.jobs.text import OPEN_POSTING, posting_line

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

BROADCASTS: Table = Broadcast.__table__  # type: ignore[attr-defined]
RECIPIENTS: Table = BroadcastRecipient.__table__  # type: ignore[attr-defined]
USERS: Table = User.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]

LEASE_NAME = "broadcast-sender"
#: What staff may write (Telegram's limit is 4096; room is left for nothing else).
TEXT_MAX = 3500
#: A weekly digest lists at most this many postings (one button each).
WEEKLY_MAX = 10
WEEKLY_DAYS = 7
#: Network errors are retried this many times in all before a row is marked failed.
MAX_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)
#: How long the sender rests when there is nothing to send, and after an unexpected error.
IDLE_SECONDS = 0.5
ERROR_PAUSE_SECONDS = 5.0
#: Audience filters: the keys, and how many values a filter may hold.
FILTER_KEYS = ("districts", "industries", "types")
FILTER_MAX = 50
KIND_TEXT = "text"
KIND_WEEKLY = "weekly"
KIND_NOTICE = "notice"
#: A launch writes this many ledger rows per transaction.
LAUNCH_CHUNK = 5000
#: On PostgreSQL a ledger of at least this many rows is analysed when its launch completes.
ANALYZE_AFTER = 10_000
#: Where a preparing broadcast keeps the last user id its ledger has reached (in ``audience``),
#: and when its last chunk was written.
LAUNCH_CURSOR = "launch_after"
LAUNCH_BEAT = "launch_at"
#: A launch that wrote no chunk for this long is taken as cut off; the sender finishes it.
LAUNCH_STALE = timedelta(seconds=30)
#: Between chunks a launch rests this share of the time the last chunk took, so the database
#: (SQLite's one writer) goes to workers' updates at least as much as to the launch.
LAUNCH_REST = 1.0

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]


class BroadcastError(ValueError):
    """A broadcast that cannot be created or started; ``reason`` names why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- audience ---------------------------------------------------------------------------------


def normalize_audience(audience: Mapping[str, Any]) -> dict[str, list[str]]:
    """The audience's filters, checked: known industries and types, short district names.

    Raises :class:`BroadcastError` for anything else (the value came from a flow or a button).
    """
    found: dict[str, list[str]] = {}
    types = {kind.value for kind in EmploymentType}
    for key in FILTER_KEYS:
        raw = audience.get(key) or []
        if not isinstance(raw, list | tuple) or len(raw) > FILTER_MAX:
            raise BroadcastError("audience")
        values = list(dict.fromkeys(str(value) for value in raw))
        if key == "industries" and not set(values) <= set(INDUSTRIES):
            raise BroadcastError("audience")
        if key == "types" and not set(values) <= types:
            raise BroadcastError("audience")
        if key == "districts" and any(not value or len(value) > 64 for value in values):
            raise BroadcastError("audience")
        found[key] = values
    return found


def seeker_in_audience(seeker: Mapping[Any, Any], audience: Mapping[str, Sequence[str]]) -> bool:
    """True if a subscriber belongs to the audience.

    Each filter is any-of: the worker registered one of the chosen values, or registered no
    preference for it (a worker who takes any district hears about jobs in every district).
    An audience without filters is every subscriber. :func:`audience_where` says the same in
    SQL, which is what the counts and the launch use.
    """
    for key in FILTER_KEYS:
        wanted = audience.get(key) or ()
        have = seeker.get(key) or ()
        if wanted and have and not set(have) & set(wanted):
            return False
    return True


def _elements(conn: Connection, column: Any) -> Any:
    """The strings of a JSON list column, as a table (one row, column ``value``, each)."""
    name = "json_array_elements_text" if conn.dialect.name == "postgresql" else "json_each"
    return getattr(func, name)(column).table_valued("value", joins_implicitly=True)


def audience_where(conn: Connection, filters: Mapping[str, Sequence[str]]) -> list[Any]:
    """The subscribers in the audience (``filters`` normalised), as SQL conditions on the
    seekers' table: alerts on, and for each filter, no preference or one of its values (as
    :func:`seeker_in_audience`). The database reads each registration's lists itself, so an
    audience of 100,000 is counted and launched without a row per worker in Python."""
    where = [SEEKERS.c.alerts.is_(True)]
    for key in FILTER_KEYS:
        wanted = list(filters.get(key) or ())
        if not wanted:
            continue
        column = SEEKERS.c[key]
        each = _elements(conn, column)
        held = select(literal(1)).select_from(each).where(each.c.value.in_(wanted)).exists()
        where.append(or_(func.json_array_length(column) == 0, held))
    return where


def audience_ids(conn: Connection, *, audience: Mapping[str, Any]) -> list[int]:
    """The user ids of every subscriber (alerts on) in the audience, in id order."""
    where = audience_where(conn, normalize_audience(audience))
    rows = conn.execute(select(SEEKERS.c.user_id).where(*where).order_by(SEEKERS.c.user_id))
    return [int(user_id) for user_id in rows.scalars()]


def audience_count(conn: Connection, *, audience: Mapping[str, Any]) -> int:
    """How many subscribers a broadcast to ``audience`` would reach now (counted by the
    database, not row by row)."""
    where = audience_where(conn, normalize_audience(audience))
    return int(conn.execute(select(func.count()).select_from(SEEKERS).where(*where)).scalar_one())


@dataclass(frozen=True)
class AudienceOptions:
    """What staff can filter on: the values that appear in subscribers' registrations."""

    districts: tuple[str, ...]
    industries: tuple[str, ...]
    types: tuple[str, ...]
    subscribers: int


def audience_options(conn: Connection, *, limit: int = 24) -> AudienceOptions:
    """Districts, industries and types subscribers registered for (most common first), each
    counted by the database."""
    counts: dict[str, dict[str, int]] = {}
    for key in FILTER_KEYS:
        each = _elements(conn, SEEKERS.c[key])
        rows = conn.execute(
            select(each.c.value, func.count())
            .select_from(SEEKERS)
            .join(each, true())
            .where(SEEKERS.c.alerts.is_(True))
            .group_by(each.c.value)
        )
        counts[key] = {str(value): int(n) for value, n in rows if value is not None}
    subscribers = int(
        conn.execute(
            select(func.count()).select_from(SEEKERS).where(SEEKERS.c.alerts.is_(True))
        ).scalar_one()
    )
    known_types = [kind.value for kind in EmploymentType]

    def ranked(key: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
        values = [v for v in counts[key] if allowed is None or v in allowed]
        values.sort(key=lambda v: (-counts[key][v], v))
        return tuple(v for v in values if 0 < len(v) <= 64)[:limit]

    return AudienceOptions(
        districts=ranked("districts"),
        industries=ranked("industries", INDUSTRIES),
        types=ranked("types", known_types),
        subscribers=subscribers,
    )


# --- weekly digest ----------------------------------------------------------------------------


def _weekly_where(audience: Mapping[str, Any], now: datetime) -> list[Any]:
    filters = normalize_audience(audience)
    where = [
        POSTINGS.c.status == PostingStatus.published.value,
        POSTINGS.c.published_at >= now - timedelta(days=WEEKLY_DAYS),
    ]
    if filters["districts"]:
        where.append(POSTINGS.c.district.in_(filters["districts"]))
    if filters["industries"]:
        where.append(POSTINGS.c.industry.in_(filters["industries"]))
    if filters["types"]:
        where.append(POSTINGS.c.employment_type.in_(filters["types"]))
    return where


def weekly_postings(
    conn: Connection, *, audience: Mapping[str, Any], now: datetime
) -> list[PostingView]:
    """The newest :data:`WEEKLY_MAX` postings of the last 7 days that fit the audience."""
    query = (
        select(POSTINGS)
        .where(*_weekly_where(audience, now))
        .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
        .limit(WEEKLY_MAX)
    )
    return [PostingView.from_row(row) for row in conn.execute(query).mappings().all()]


def weekly_total(conn: Connection, *, audience: Mapping[str, Any], now: datetime) -> int:
    """How many postings of the last 7 days fit the audience (the digest lists the newest)."""
    query = select(func.count()).select_from(POSTINGS).where(*_weekly_where(audience, now))
    return int(conn.execute(query).scalar_one())


def postings_by_id(conn: Connection, *, posting_ids: Sequence[int]) -> list[PostingView]:
    """The postings of a digest that are still published, in the digest's order."""
    if not posting_ids:
        return []
    rows = conn.execute(
        select(POSTINGS).where(
            POSTINGS.c.id.in_(list(posting_ids)),
            POSTINGS.c.status == PostingStatus.published.value,
        )
    ).mappings()
    views = {int(row["id"]): PostingView.from_row(row) for row in rows}
    return [views[pid] for pid in posting_ids if pid in views]


def render_weekly(lang: str, views: Sequence[PostingView], total: int = 0) -> Outgoing:
    """The weekly digest in ``lang``: a numbered line per posting and a button per posting.

    ``total`` is how many postings the week had; when it is more than the digest lists, the
    header says so honestly and a last button opens the job search (newest first).
    """
    shown = list(views)[:WEEKLY_MAX]
    more = max(0, total - len(shown))
    if more:
        header = t(lang, "bc-weekly-header-more", total=total, count=len(shown))
    else:
        header = t(lang, "bc-weekly-header", count=len(shown))
    lines = [header, ""]
    lines += [posting_line(lang, number, view) for number, view in enumerate(shown, start=1)]
    lines.append("")
    if more:
        lines.append(t(lang, "bc-weekly-more", more=more))
    lines.append(t(lang, "bc-weekly-footer"))
    buttons = tuple(
        (Button(f"{number}. {view.title}"[:40], OPEN_POSTING, (view.id,)),)
        for number, view in enumerate(shown, start=1)
    )
    if more:
        buttons += ((Button(t(lang, "bc-btn-all-jobs", total=total), SEARCH_POSTINGS),),)
    return Outgoing("\n".join(lines)[:MESSAGE_LIMIT], buttons)


def render_text(text: str) -> Outgoing:
    """A staff-written broadcast: the text exactly as written."""
    return Outgoing(text)


# --- quiet hours ------------------------------------------------------------------------------


def audience_text(lang: str, audience: Mapping[str, Any]) -> str:
    """The audience in words: all subscribers, or the chosen filters."""
    joiner = "、" if lang == "zh" else ", "
    parts = []
    if audience.get("districts"):
        parts.append(joiner.join(audience["districts"]))
    if audience.get("industries"):
        parts.append(
            joiner.join(
                t(lang, f"industry-{bc_industry}") for bc_industry in audience["industries"]
            )
        )
    if audience.get("types"):
        parts.append(joiner.join(t(lang, f"type-{bc_type}") for bc_type in audience["types"]))
    return " / ".join(parts) if parts else t(lang, "bc-audience-all")


def status_label(lang: str, status: BroadcastStatus) -> str:
    """The broadcast status in words."""
    key = (
        "bc-status-running"
        if status is BroadcastStatus.running
        else "bc-status-paused"
        if status is BroadcastStatus.paused
        else "bc-status-done"
        if status is BroadcastStatus.done
        else "bc-status-cancelled"
        if status is BroadcastStatus.cancelled
        else "bc-status-preparing"
        if status is BroadcastStatus.preparing
        else "bc-status-draft"
    )
    return t(lang, key)


def quiet_end(now: datetime, *, quiet_hours: str, timezone: str) -> datetime | None:
    """When quiet hours end if ``now`` is inside them (a broadcast waits until then), else None.

    ``quiet_hours`` reads like ``"22:00-07:00"`` or ``"off"`` (``GONGYOU_QUIET_HOURS``).
    """
    quiet = parse_quiet_hours(quiet_hours)
    if quiet is None:
        raise ValueError(f"quiet hours must read like 22:00-07:00 or off, not {quiet_hours!r}")
    return quiet_until(now, quiet, timezone)


# --- creating and steering broadcasts ---------------------------------------------------------


def _audit(
    conn: Connection, *, actor_id: int | None, action: str, broadcast_id: int, now: datetime
) -> None:
    conn.execute(
        insert(AUDIT).values(
            at=now,
            actor_id=actor_id,
            action=action,
            subject=f"broadcast:{broadcast_id}",
            detail={},
        )
    )


def create_broadcast(
    conn: Connection,
    *,
    created_by: int,
    audience: Mapping[str, Any],
    kind: str,
    text: str = "",
    now: datetime | None = None,
    starts_at: datetime | None = None,
    ignore_quiet: bool = False,
) -> int:
    """Write a draft broadcast and return its id.

    ``kind`` is ``"text"`` (``text`` is sent verbatim) or ``"weekly"`` (the postings of the
    last 7 days that fit the audience; their ids are kept in ``audience["postings"]``, or taken
    from there when given, and each worker gets them rendered in their language, with the
    week's total kept in ``audience["total"]``). Nothing is sent before ``starts_at``; with
    ``ignore_quiet`` the sender goes on through quiet hours.
    """
    now = now or utcnow()
    filters: dict[str, Any] = normalize_audience(audience)
    if kind == KIND_TEXT:
        try:
            body = checked_text(text, limit=TEXT_MAX, layout="ends", form=None)
        except TextError as error:
            raise BroadcastError(error.reason) from error
    elif kind == KIND_WEEKLY:
        given = audience.get("postings")
        if given:
            ids = [int(pid) for pid in given][:WEEKLY_MAX]
            views = postings_by_id(conn, posting_ids=ids)
        else:
            views = weekly_postings(conn, audience=filters, now=now)
        if not views:
            raise BroadcastError("no_postings")
        total = max(len(views), weekly_total(conn, audience=filters, now=now))
        filters["postings"] = [view.id for view in views]
        filters["total"] = total
        body = render_weekly("zh", views, total).text
    else:
        raise BroadcastError("kind")
    filters["kind"] = kind
    result = conn.execute(
        insert(BROADCASTS).values(
            created_by=created_by,
            status=BroadcastStatus.draft.value,
            audience=filters,
            text=body,
            total=0,
            created_at=now,
            starts_at=starts_at,
            ignore_quiet=ignore_quiet,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def begin_launch(conn: Connection, *, broadcast_id: int, now: datetime | None = None) -> None:
    """Turn a draft into a ``preparing`` broadcast whose ledger :func:`prepare_chunk` writes.

    Nothing is sent while a broadcast is preparing: the sender only takes running ones.
    """
    now = now or utcnow()
    row = conn.execute(
        select(BROADCASTS.c.audience, BROADCASTS.c.created_by).where(
            BROADCASTS.c.id == broadcast_id, BROADCASTS.c.status == BroadcastStatus.draft.value
        )
    ).first()
    if row is None:
        raise BroadcastError("not_draft")
    audience = {k: v for k, v in (row.audience or {}).items() if k != LAUNCH_CURSOR}
    audience[LAUNCH_BEAT] = utcnow().isoformat()
    changed = conn.execute(
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id, BROADCASTS.c.status == BroadcastStatus.draft.value)
        .values(status=BroadcastStatus.preparing.value, total=0, audience=audience)
    ).rowcount
    if not changed:
        raise BroadcastError("not_draft")
    _audit(
        conn, actor_id=row.created_by, action="broadcast.start", broadcast_id=broadcast_id, now=now
    )


@dataclass(frozen=True)
class LaunchStep:
    """What one :func:`prepare_chunk` did: rows written, and whether the ledger is complete."""

    written: int
    done: bool
    #: Ledger rows so far (all of them once ``done``).
    total: int


def prepare_chunk(
    conn: Connection,
    *,
    broadcast_id: int,
    limit: int = LAUNCH_CHUNK,
    now: datetime | None = None,
    at: datetime | None = None,
    stale_before: datetime | None = None,
) -> LaunchStep:
    """Write the next ``limit`` subscribers' ledger rows of a preparing broadcast.

    The subscribers are read in user-id order after a cursor kept in the broadcast's audience,
    so a chunk is never written twice: the first statement updates the broadcast's row, which
    makes chunks of the same broadcast (the launching handler's and a sender finishing a launch
    whose process stopped) wait for one another, and each reads the cursor the last one left.
    When the subscribers are through, the broadcast is set running with its total; on
    PostgreSQL a big ledger is analysed at once, so the claim's plan does not wait for
    autovacuum's statistics. A broadcast no longer preparing (finished, or cancelled by staff)
    is left alone (``done``).

    ``now`` becomes the broadcast's ``started_at``; ``at`` (the current time) is kept as the
    launch's heartbeat. With ``stale_before``, nothing is written unless the last chunk is
    older than that (a sender finishing only launches that were cut off).
    """
    now = now or utcnow()
    at = at or utcnow()
    preparing = BROADCASTS.c.status == BroadcastStatus.preparing.value
    held = conn.execute(
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id, preparing)
        .values(status=BroadcastStatus.preparing.value)
    ).rowcount
    row = conn.execute(
        select(BROADCASTS.c.audience, BROADCASTS.c.total).where(BROADCASTS.c.id == broadcast_id)
    ).first()
    if not held or row is None:
        return LaunchStep(0, True, int(row.total) if row is not None else 0)
    audience = dict(row.audience or {})
    beat = audience.pop(LAUNCH_BEAT, None)
    if stale_before is not None and beat and datetime.fromisoformat(beat) > stale_before:
        return LaunchStep(0, False, int(row.total))
    after = audience.pop(LAUNCH_CURSOR, None)
    where = audience_where(conn, normalize_audience(audience))
    if after is not None:
        where.append(SEEKERS.c.user_id > int(after))
    # The chunk's last subscriber (None: fewer than ``limit`` are left, this is the last chunk).
    upto = conn.execute(
        select(SEEKERS.c.user_id)
        .where(*where)
        .order_by(SEEKERS.c.user_id)
        .offset(limit - 1)
        .limit(1)
    ).scalar()
    if upto is not None:
        where.append(SEEKERS.c.user_id <= int(upto))
    # The rows are copied inside the database, the audience's filters too: no Python per worker.
    written = conn.execute(
        insert(RECIPIENTS).from_select(
            [
                "broadcast_id",
                "user_id",
                "status",
                "attempts",
                "error",
                "next_attempt_at",
                "sent_at",
                "doubtful",
            ],
            select(
                literal(broadcast_id, BigInteger),
                SEEKERS.c.user_id,
                literal(RecipientStatus.pending.value),
                literal(0),
                literal(""),
                null(),
                null(),
                false(),
            ).where(*where),
        )
    ).rowcount
    if upto is not None:
        audience[LAUNCH_CURSOR] = int(upto)
        audience[LAUNCH_BEAT] = at.isoformat()
        total = int(row.total) + written
        conn.execute(
            update(BROADCASTS)
            .where(BROADCASTS.c.id == broadcast_id)
            .values(audience=audience, total=total)
        )
        return LaunchStep(written, False, total)
    total = int(
        conn.execute(
            select(func.count())
            .select_from(RECIPIENTS)
            .where(RECIPIENTS.c.broadcast_id == broadcast_id)
        ).scalar_one()
    )
    conn.execute(
        update(BROADCASTS)
        .where(BROADCASTS.c.id == broadcast_id)
        .values(
            status=BroadcastStatus.running.value, audience=audience, total=total, started_at=now
        )
    )
    if total >= ANALYZE_AFTER and conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {RECIPIENTS.name}")
    return LaunchStep(written, True, total)


def start_broadcast(conn: Connection, *, broadcast_id: int, now: datetime | None = None) -> int:
    """Write the whole ledger of a draft in this one transaction and set it running.

    For small audiences and tests; the staff's launch uses :func:`launch`, which writes the
    ledger in chunks of its own transactions. The audience is read now, so a worker who
    unsubscribed since the preview is left out. Returns the total.
    """
    begin_launch(conn, broadcast_id=broadcast_id, now=now)
    while not (step := prepare_chunk(conn, broadcast_id=broadcast_id, now=now)).done:
        pass
    return step.total


def launch_broadcast(
    conn: Connection,
    *,
    created_by: int,
    audience: Mapping[str, Any],
    kind: str,
    text: str = "",
    now: datetime | None = None,
    starts_at: datetime | None = None,
    ignore_quiet: bool = False,
) -> tuple[int, int]:
    """Create and start a broadcast in one transaction; returns (broadcast id, recipients).

    The recipients are written now; the sender begins at ``starts_at`` (None: at once).
    """
    broadcast_id = create_broadcast(
        conn,
        created_by=created_by,
        audience=audience,
        kind=kind,
        text=text,
        now=now,
        starts_at=starts_at,
        ignore_quiet=ignore_quiet,
    )
    return broadcast_id, start_broadcast(conn, broadcast_id=broadcast_id, now=now)


def _create_and_begin(conn: Connection, **params: Any) -> int:
    broadcast_id = create_broadcast(conn, **params)
    begin_launch(conn, broadcast_id=broadcast_id, now=params.get("now"))
    return broadcast_id


async def launch(
    db: Database,
    *,
    created_by: int,
    audience: Mapping[str, Any],
    kind: str,
    text: str = "",
    now: datetime | None = None,
    starts_at: datetime | None = None,
    ignore_quiet: bool = False,
    chunk: int | None = None,
) -> tuple[int, int]:
    """Create a broadcast and write its ledger in chunks; returns (broadcast id, recipients).

    The broadcast is ``preparing`` (never sent from) until the last chunk sets it running.
    Each chunk is a transaction of its own and the event loop is given back between chunks,
    and the launch rests between chunks (:data:`LAUNCH_REST`), so workers' updates go on while
    100,000 rows are written. If this process stops halfway, the replica holding the sender's
    lease writes the rest once the launch is :data:`LAUNCH_STALE` (see
    :meth:`BroadcastSender.step`).
    """
    now = now or utcnow()
    chunk = chunk or LAUNCH_CHUNK
    broadcast_id = await db.transact(
        _create_and_begin,
        created_by=created_by,
        audience=audience,
        kind=kind,
        text=text,
        now=now,
        starts_at=starts_at,
        ignore_quiet=ignore_quiet,
    )
    loop = asyncio.get_running_loop()
    while True:
        began = loop.time()
        step = await db.transact(
            prepare_chunk, broadcast_id=broadcast_id, limit=chunk, now=now, at=utcnow()
        )
        if step.done:
            return broadcast_id, step.total
        await asyncio.sleep((loop.time() - began) * LAUNCH_REST)  # others' updates go first


def preparing_broadcast(conn: Connection) -> int | None:
    """The oldest broadcast whose ledger is being written, if any."""
    found = conn.execute(
        select(BROADCASTS.c.id)
        .where(BROADCASTS.c.status == BroadcastStatus.preparing.value)
        .order_by(BROADCASTS.c.id)
        .limit(1)
    ).scalar()
    return int(found) if found is not None else None


def _change_status(
    conn: Connection,
    *,
    broadcast_id: int,
    actor_id: int | None,
    allowed: Iterable[BroadcastStatus],
    to: BroadcastStatus,
    now: datetime | None,
) -> bool:
    now = now or utcnow()
    values: dict[str, Any] = {"status": to.value}
    if to is BroadcastStatus.cancelled:
        values["finished_at"] = now
    result = conn.execute(
        update(BROADCASTS)
        .where(
            BROADCASTS.c.id == broadcast_id,
            BROADCASTS.c.status.in_([status.value for status in allowed]),
        )
        .values(**values)
    )
    if not result.rowcount:
        return False
    _audit(
        conn, actor_id=actor_id, action=f"broadcast.{to.value}", broadcast_id=broadcast_id, now=now
    )
    return True


def pause_broadcast(
    conn: Connection, *, broadcast_id: int, actor_id: int | None, now: datetime | None = None
) -> bool:
    """Pause a running broadcast (the sender stops after its current batch)."""
    return _change_status(
        conn,
        broadcast_id=broadcast_id,
        actor_id=actor_id,
        allowed=(BroadcastStatus.running,),
        to=BroadcastStatus.paused,
        now=now,
    )


def resume_broadcast(
    conn: Connection, *, broadcast_id: int, actor_id: int | None, now: datetime | None = None
) -> bool:
    """Let a paused broadcast continue where it stopped."""
    return _change_status(
        conn,
        broadcast_id=broadcast_id,
        actor_id=actor_id,
        allowed=(BroadcastStatus.paused,),
        to=BroadcastStatus.running,
        now=now,
    )


def cancel_broadcast(
    conn: Connection, *, broadcast_id: int, actor_id: int | None, now: datetime | None = None
) -> bool:
    """Stop a broadcast for good; workers not reached yet will not get it."""
    return _change_status(
        conn,
        broadcast_id=broadcast_id,
        actor_id=actor_id,
        allowed=(
            BroadcastStatus.draft,
            BroadcastStatus.preparing,
            BroadcastStatus.running,
            BroadcastStatus.paused,
        ),
        to=BroadcastStatus.cancelled,
        now=now,
    )


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastProgress:
    """Where a broadcast stands: ledger counts, the pace of the last minute, the time left."""

    id: int
    status: BroadcastStatus
    kind: str
    text: str
    created_by: int
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    last_minute: int = 0
    #: Nothing is sent before this (confirmed inside quiet hours).
    starts_at: datetime | None = None
    #: Sent through quiet hours (staff chose "send now anyway").
    ignore_quiet: bool = False

    def waits_until(self, now: datetime, quiet_end: datetime | None) -> datetime | None:
        """When a running broadcast goes on if it waits now (for its start or the morning)."""
        if self.status is not BroadcastStatus.running or self.pending == 0:
            return None
        if self.starts_at is not None and self.starts_at > now:
            return self.starts_at
        if quiet_end is not None and not self.ignore_quiet:
            return quiet_end
        return None

    def count(self, status: RecipientStatus) -> int:
        """Ledger rows in ``status``."""
        return self.counts.get(status.value, 0)

    @property
    def sent(self) -> int:
        """Delivered."""
        return self.count(RecipientStatus.sent)

    @property
    def pending(self) -> int:
        """Not sent yet (including rows being sent right now)."""
        return self.count(RecipientStatus.pending) + self.count(RecipientStatus.sending)

    @property
    def failed(self) -> int:
        """Failed for good (with a reason in the ledger)."""
        return self.count(RecipientStatus.failed)

    @property
    def blocked(self) -> int:
        """The worker blocked the bot."""
        return self.count(RecipientStatus.blocked)

    @property
    def resent(self) -> int:
        """Delivered after one more try, when an earlier one may have arrived (a crash or a
        timeout while sending): the worker may have it twice."""
        return self.count(RecipientStatus.resent)

    @property
    def unconfirmed(self) -> int:
        """Maybe delivered, never sent again: rows from before resending existed."""
        return self.count(RecipientStatus.unconfirmed)

    @property
    def rate(self) -> float:
        """Messages a second over the last minute."""
        return self.last_minute / 60.0

    @property
    def eta_seconds(self) -> float | None:
        """Seconds until done at the current pace (None when nothing is moving)."""
        if self.pending == 0:
            return 0.0
        if self.status is not BroadcastStatus.running or self.rate <= 0:
            return None
        return self.pending / self.rate


def broadcast_status(
    conn: Connection, *, broadcast_id: int, now: datetime | None = None
) -> BroadcastProgress | None:
    """The progress of one broadcast, or None if there is no such broadcast."""
    now = now or utcnow()
    row = (
        conn.execute(select(BROADCASTS).where(BROADCASTS.c.id == broadcast_id)).mappings().first()
    )
    if row is None:
        return None
    counts = {
        str(status): int(number)
        for status, number in conn.execute(
            select(RECIPIENTS.c.status, func.count())
            .where(RECIPIENTS.c.broadcast_id == broadcast_id)
            .group_by(RECIPIENTS.c.status)
        )
    }
    last_minute = 0
    if row["status"] == BroadcastStatus.running.value:
        last_minute = int(
            conn.execute(
                select(func.count()).where(
                    RECIPIENTS.c.broadcast_id == broadcast_id,
                    RECIPIENTS.c.status == RecipientStatus.sent.value,
                    RECIPIENTS.c.sent_at >= now - timedelta(minutes=1),
                )
            ).scalar_one()
        )
    audience = row["audience"] or {}
    return BroadcastProgress(
        id=int(row["id"]),
        status=BroadcastStatus(row["status"]),
        kind=str(audience.get("kind", KIND_TEXT)),
        text=row["text"],
        created_by=int(row["created_by"]),
        total=int(row["total"]),
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        counts=counts,
        last_minute=last_minute,
        starts_at=row["starts_at"],
        ignore_quiet=bool(row["ignore_quiet"]),
    )


def recent_broadcasts(
    conn: Connection, *, limit: int = 5, now: datetime | None = None
) -> list[BroadcastProgress]:
    """The latest broadcasts that were started, newest first, with their progress.

    Notices held for one person (kind ``notice``, from before the outbox) are not broadcasts
    staff steer: left out.
    """
    kind = BROADCASTS.c.audience["kind"].as_string()
    ids = conn.execute(
        select(BROADCASTS.c.id)
        .where(
            BROADCASTS.c.status != BroadcastStatus.draft.value,
            or_(kind.is_(None), kind != KIND_NOTICE),
        )
        .order_by(BROADCASTS.c.id.desc())
        .limit(limit)
    ).scalars()
    found = [broadcast_status(conn, broadcast_id=int(bid), now=now) for bid in list(ids)]
    return [progress for progress in found if progress is not None]


async def forget_recipient(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a worker's rows in broadcast ledgers (they will not get pending broadcasts)."""
    from sqlalchemy import delete

    result = await session.exec(delete(RECIPIENTS).where(RECIPIENTS.c.user_id == user_id))
    return ["bc-forget-item"] if result.rowcount else []


# --- the sender -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    user_id: int
    language: str
    attempts: int
    #: An earlier try may have arrived: a successful send makes the row ``resent``.
    doubtful: bool = False


@dataclass
class _Batch:
    holding: bool
    broadcast_id: int | None = None
    kind: str = KIND_TEXT
    text: str = ""
    postings: list[PostingView] = field(default_factory=list)
    weekly_total: int = 0
    rows: list[_Claimed] = field(default_factory=list)
    finished: list[_Finished] = field(default_factory=list)
    recovered: int = 0
    #: A broadcast whose ledger is being written (the sender writes a chunk of it).
    preparing: int | None = None


@dataclass(frozen=True)
class _Finished:
    broadcast_id: int
    created_by: int
    language: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class _Outcome:
    user_id: int
    status: RecipientStatus
    error: str = ""
    #: 1 when a message was attempted (not for rows given back before sending or after a 429).
    attempted: int = 1
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    doubtful: bool = False


def _finish_done(conn: Connection, *, now: datetime) -> list[_Finished]:
    """Mark running broadcasts with nothing pending or sending as done; return them."""
    open_rows = exists().where(
        RECIPIENTS.c.broadcast_id == BROADCASTS.c.id,
        RECIPIENTS.c.status.in_([RecipientStatus.pending.value, RecipientStatus.sending.value]),
    )
    candidates = conn.execute(
        select(
            BROADCASTS.c.id, BROADCASTS.c.created_by, BROADCASTS.c.total, BROADCASTS.c.audience
        ).where(BROADCASTS.c.status == BroadcastStatus.running.value, ~open_rows)
    ).all()
    finished = []
    for candidate in candidates:
        changed = conn.execute(
            update(BROADCASTS)
            .where(
                BROADCASTS.c.id == candidate.id,
                BROADCASTS.c.status == BroadcastStatus.running.value,
            )
            .values(status=BroadcastStatus.done.value, finished_at=now)
        ).rowcount
        if not changed or (candidate.audience or {}).get("kind") == KIND_NOTICE:
            continue
        counts = {
            str(status): int(number)
            for status, number in conn.execute(
                select(RECIPIENTS.c.status, func.count())
                .where(RECIPIENTS.c.broadcast_id == candidate.id)
                .group_by(RECIPIENTS.c.status)
            )
        }
        language = conn.execute(
            select(USERS.c.language).where(USERS.c.id == candidate.created_by)
        ).scalar()
        finished.append(
            _Finished(
                broadcast_id=int(candidate.id),
                created_by=int(candidate.created_by),
                language=str(language or "zh"),
                counts=counts,
                total=int(candidate.total),
            )
        )
    return finished


def claim_batch(
    conn: Connection,
    *,
    owner: str,
    holding: bool,
    now: datetime,
    lease_until: datetime,
    limit: int,
    quiet: bool = False,
) -> _Batch:
    """Take the lease, finish what is done, and mark the next due rows ``sending``.

    Everything happens in one transaction, committed before any message leaves. When the
    lease is newly ours, rows a previous owner left in ``sending`` are due once more (and
    ``resent`` when sent), or failed if they had had their one more try already.
    A broadcast is due once its ``starts_at`` has come; while ``quiet`` (inside quiet hours)
    only broadcasts staff sent with ``ignore_quiet`` are.
    """
    held, previous = take_lease(conn, name=LEASE_NAME, owner=owner, now=now, until=lease_until)
    if not held:
        return _Batch(holding=False)
    batch = _Batch(holding=True)
    if previous != owner or not holding:
        left = RECIPIENTS.c.status == RecipientStatus.sending.value
        batch.recovered = conn.execute(
            update(RECIPIENTS)
            .where(left, RECIPIENTS.c.doubtful.is_(False))
            .values(
                status=RecipientStatus.pending.value,
                doubtful=True,
                next_attempt_at=None,
                error="sender stopped while sending",
            )
        ).rowcount
        given_up = conn.execute(
            update(RECIPIENTS)
            .where(left, RECIPIENTS.c.doubtful.is_(True))
            .values(
                status=RecipientStatus.failed.value,
                error="sender stopped twice while sending (it may have arrived)",
            )
        ).rowcount
        if batch.recovered or given_up:
            log.warning(
                "%d broadcast message(s) left in sending by a stopped sender are sent once "
                "more, %d given up",
                batch.recovered,
                given_up,
            )
    batch.finished = _finish_done(conn, now=now)
    batch.preparing = preparing_broadcast(conn)
    due = and_(
        RECIPIENTS.c.status == RecipientStatus.pending.value,
        or_(RECIPIENTS.c.next_attempt_at.is_(None), RECIPIENTS.c.next_attempt_at <= now),
    )
    startable = [
        BROADCASTS.c.status == BroadcastStatus.running.value,
        or_(BROADCASTS.c.starts_at.is_(None), BROADCASTS.c.starts_at <= now),
    ]
    if quiet:
        startable.append(BROADCASTS.c.ignore_quiet.is_(True))
    found = conn.execute(
        select(BROADCASTS.c.id, BROADCASTS.c.text, BROADCASTS.c.audience)
        .where(*startable, exists().where(RECIPIENTS.c.broadcast_id == BROADCASTS.c.id, due))
        .order_by(BROADCASTS.c.started_at, BROADCASTS.c.id)
        .limit(1)
    ).first()
    if found is None:
        return batch
    rows = conn.execute(
        select(
            RECIPIENTS.c.user_id, RECIPIENTS.c.attempts, RECIPIENTS.c.doubtful, USERS.c.language
        )
        .select_from(RECIPIENTS.outerjoin(USERS, USERS.c.id == RECIPIENTS.c.user_id))
        .where(RECIPIENTS.c.broadcast_id == found.id, due)
        .order_by(RECIPIENTS.c.user_id)
        .limit(limit)
    ).all()
    ids = [int(row.user_id) for row in rows]
    conn.execute(
        update(RECIPIENTS)
        .where(
            RECIPIENTS.c.broadcast_id == found.id,
            RECIPIENTS.c.user_id.in_(ids),
            RECIPIENTS.c.status == RecipientStatus.pending.value,
        )
        .values(status=RecipientStatus.sending.value)
    )
    audience = found.audience or {}
    batch.broadcast_id = int(found.id)
    batch.kind = str(audience.get("kind", KIND_TEXT))
    batch.text = found.text
    if batch.kind == KIND_WEEKLY:
        batch.postings = postings_by_id(
            conn, posting_ids=[int(pid) for pid in audience.get("postings", [])]
        )
        batch.weekly_total = int(audience.get("total") or 0)
    batch.rows = [
        _Claimed(
            int(row.user_id), str(row.language or "zh"), int(row.attempts), bool(row.doubtful)
        )
        for row in rows
    ]
    return batch


def record_outcomes(conn: Connection, *, broadcast_id: int, outcomes: Sequence[_Outcome]) -> None:
    """Write what happened to each claimed row; blocked workers stop getting alerts."""
    if not outcomes:
        return
    statement = (
        update(RECIPIENTS)
        .where(
            RECIPIENTS.c.broadcast_id == bindparam("b_id"),
            RECIPIENTS.c.user_id == bindparam("u_id"),
            RECIPIENTS.c.status == RecipientStatus.sending.value,
        )
        .values(
            status=bindparam("new_status"),
            error=bindparam("new_error"),
            attempts=RECIPIENTS.c.attempts + bindparam("attempted"),
            next_attempt_at=bindparam("next_at"),
            sent_at=bindparam("at"),
            doubtful=bindparam("doubt"),
        )
    )
    conn.execute(
        statement,
        [
            {
                "b_id": broadcast_id,
                "u_id": outcome.user_id,
                "new_status": outcome.status.value,
                "new_error": outcome.error[:200],
                "attempted": outcome.attempted,
                "next_at": outcome.next_attempt_at,
                "at": outcome.sent_at,
                "doubt": outcome.doubtful,
            }
            for outcome in outcomes
        ],
    )
    blocked = [o.user_id for o in outcomes if o.status is RecipientStatus.blocked]
    if blocked:
        conn.execute(
            update(SEEKERS)
            .where(SEEKERS.c.user_id.in_(blocked))
            .values(alerts=False, updated_at=utcnow())
        )


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** (attempts - 1)), BACKOFF_MAX)


class BroadcastSender:
    """Works through running broadcasts at ``rate`` messages a second, one batch per step."""

    def __init__(
        self,
        notifier: Notifier,
        db: Database,
        *,
        rate: float,
        owner: str | None = None,
        lease_seconds: float = 30,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
        quiet_hours: str = "off",
        timezone: str = "Asia/Shanghai",
    ) -> None:
        self.notifier = notifier
        self.db = db
        self.rate = max(0.1, float(rate))
        self.batch_size = max(1, int(round(self.rate)))
        self.owner = owner or default_owner()
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.sleep = sleep
        self.quiet_hours = quiet_hours
        self.timezone = timezone
        quiet_end(utcnow(), quiet_hours=quiet_hours, timezone=timezone)  # a bad value fails now
        self.limiter = AsyncLimiter(self.rate, 1)
        self.holding = False
        self._hold_seconds = 0.0
        self._stop: asyncio.Event | None = None

    async def step(self) -> int:
        """Send one batch if this sender holds the lease; return how many rows it worked on."""
        now = self.clock()
        quiet = quiet_end(now, quiet_hours=self.quiet_hours, timezone=self.timezone)
        batch = await self.db.transact(
            claim_batch,
            owner=self.owner,
            holding=self.holding,
            now=now,
            lease_until=now + self.lease,
            limit=self.batch_size,
            quiet=quiet is not None,
        )
        self.holding = batch.holding
        if batch.holding and batch.broadcast_id is not None and batch.rows:
            try:
                outcomes = await self._deliver(batch)
                await self.db.transact(
                    record_outcomes, broadcast_id=batch.broadcast_id, outcomes=outcomes
                )
            except Exception:
                # Claimed rows may stay in `sending`; the next lease taking sends them once more.
                self.holding = False
                raise
        prepared = 0
        if batch.holding and batch.preparing is not None:
            # A launch whose process stopped halfway is finished here (chunks wait for one
            # another, so a launch that was only slow loses nothing either).
            launched = await self.db.transact(
                prepare_chunk,
                broadcast_id=batch.preparing,
                limit=LAUNCH_CHUNK,
                now=now,
                at=now,
                stale_before=now - LAUNCH_STALE,
            )
            prepared = launched.written
        for finished in batch.finished:
            await self._report(finished)
        if self._hold_seconds > 0:
            seconds, self._hold_seconds = self._hold_seconds, 0.0
            log.warning("broadcast sender waits %.1f s as Telegram asked", seconds)
            await self.sleep(seconds)
        return len(batch.rows) + prepared

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set, resting briefly when there is nothing to do."""
        self._stop = stop
        log.info("broadcast sender %s started at %.1f messages/s", self.owner, self.rate)
        try:
            while not stop.is_set():
                try:
                    worked = await self.step()
                    pause = 0.0 if worked else IDLE_SECONDS
                except Exception:
                    log.exception("broadcast sender step failed")
                    pause = ERROR_PAUSE_SECONDS
                if pause:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), pause)
        finally:
            if self.holding:
                with contextlib.suppress(Exception):
                    await self.db.transact(
                        release_lease, name=LEASE_NAME, owner=self.owner, now=self.clock()
                    )
                self.holding = False
            log.info("broadcast sender %s stopped", self.owner)

    def _stopping(self) -> bool:
        return self._hold_seconds > 0 or (self._stop is not None and self._stop.is_set())

    async def _deliver(self, batch: _Batch) -> list[_Outcome]:
        rendered: dict[str, Outgoing | None] = {}
        outcomes: list[_Outcome] = []
        tasks: list[asyncio.Task[_Outcome]] = []
        for row in batch.rows:
            if not self._stopping():
                await self.limiter.acquire()
            if self._stopping():
                # Never attempted: back to pending, as if it had not been claimed.
                outcomes.append(
                    _Outcome(
                        row.user_id, RecipientStatus.pending, attempted=0, doubtful=row.doubtful
                    )
                )
                continue
            if row.language not in rendered:
                rendered[row.language] = self._render(batch, row.language)
            message = rendered[row.language]
            if message is None:
                outcomes.append(
                    _Outcome(
                        row.user_id,
                        RecipientStatus.failed,
                        error="nothing to send",
                        doubtful=row.doubtful,
                    )
                )
                continue
            tasks.append(asyncio.create_task(self._send_one(row, message)))
        outcomes.extend(await asyncio.gather(*tasks))
        return outcomes

    @staticmethod
    def _render(batch: _Batch, language: str) -> Outgoing | None:
        if batch.kind == KIND_WEEKLY:
            if not batch.postings:
                return None
            rendered = render_weekly(language, batch.postings, batch.weekly_total)
            return replace(rendered, preview=False)
        return replace(render_text(batch.text), preview=False)

    async def _send_one(self, row: _Claimed, message: Outgoing) -> _Outcome:
        outcome = await self._try_one(row, message)
        return replace(outcome, doubtful=outcome.doubtful or row.doubtful)

    async def _try_one(self, row: _Claimed, message: Outgoing) -> _Outcome:
        try:
            # Bulk sends take the limiter's slower bucket, so replies to workers keep their room.
            await self.notifier.send(row.user_id, message, bulk=True)
        except RetryLater as exc:
            self._hold_seconds = max(self._hold_seconds, exc.seconds)
            return _Outcome(row.user_id, RecipientStatus.pending, attempted=0)
        except Blocked as exc:
            return _Outcome(row.user_id, RecipientStatus.blocked, error=str(exc))
        except Unconfirmed as exc:
            return self._doubtful(row, str(exc))
        except Rejected as exc:
            return _Outcome(row.user_id, RecipientStatus.failed, error=str(exc))
        except Unreachable as exc:
            attempts = row.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                return _Outcome(row.user_id, RecipientStatus.failed, error=str(exc))
            return _Outcome(
                row.user_id,
                RecipientStatus.pending,
                error=str(exc),
                next_attempt_at=self.clock() + _backoff(attempts),
            )
        except DeliveryError as exc:
            return _Outcome(row.user_id, RecipientStatus.failed, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - unknown: it may have left
            log.exception("broadcast message to %s ended in an unexpected error", row.user_id)
            return self._doubtful(row, type(exc).__name__)
        status = RecipientStatus.resent if row.doubtful else RecipientStatus.sent
        return _Outcome(row.user_id, status, sent_at=self.clock())

    def _doubtful(self, row: _Claimed, error: str) -> _Outcome:
        """The try may have arrived: once more after a backoff, unless it was the one more."""
        if row.doubtful:
            return _Outcome(
                row.user_id, RecipientStatus.failed, error=f"{error} (it may have arrived)"
            )
        return _Outcome(
            row.user_id,
            RecipientStatus.pending,
            error=error,
            next_attempt_at=self.clock() + _backoff(row.attempts + 1),
            doubtful=True,
        )

    async def _report(self, finished: _Finished) -> None:
        """Tell the staff member who started a broadcast how it went."""
        counts = finished.counts
        text = t(
            finished.language,
            "bc-done-summary",
            id=str(finished.broadcast_id),
            total=finished.total,
            sent=counts.get(RecipientStatus.sent.value, 0),
            failed=counts.get(RecipientStatus.failed.value, 0),
            blocked=counts.get(RecipientStatus.blocked.value, 0),
            resent=counts.get(RecipientStatus.resent.value, 0),
        )
        if old := counts.get(RecipientStatus.unconfirmed.value, 0):
            text += "\n" + t(finished.language, "bc-unconfirmed-old", unconfirmed=old)
        try:
            await self.notifier.send(finished.created_by, Outgoing(text), bulk=True)
        except DeliveryError:
            log.warning(
                "could not tell %s that broadcast %s is done",
                finished.created_by,
                finished.broadcast_id,
                exc_info=True,
            )
