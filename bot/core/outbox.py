"""The outbox: messages that must reach someone, queued in the transaction that decided them.

A service that commits something a person must hear about (a legal case's number, a new pair's
contacts, a batch of job alerts, a notice held through quiet hours) calls :func:`put` with the
same connection, so the message is stored exactly when the decision is. Each message has an
idempotency ``key`` ("case-opened:123"): queuing a key that exists does nothing, so a handler
that runs again after a failure never queues twice.

Delivery:

* Right after the commit, the handler delivers its own rows at once (:func:`deliver`), so a
  worker waits no longer than before. The :class:`OutboxSender` loop, run by the replica holding
  the ``outbox-sender`` lease, sends whatever else is due: retries, notices whose
  ``not_before`` (the end of quiet hours) has come, rows left behind by a restart.
* A row is marked ``sending`` in its own short transaction before the message leaves (one
  conditional UPDATE: two senders never take the same row), and ``sent`` right after.
  403 -> ``blocked`` (hooks registered with :func:`on_blocked` run in the same transaction);
  400 -> ``failed``; 429 -> back to ``pending`` until Telegram's ``retry_after`` (the sender
  waits as told); network errors and 5xx -> ``pending`` with backoff, ``failed`` after
  :data:`MAX_ATTEMPTS`.
* A row found in ``sending`` after its sender stopped (the lease changed hands from the
  replica that claimed it, or it has been there longer than :data:`STALE_AFTER`), or whose
  send timed out, is sent once more and then marked ``resent``. If that try too is cut off,
  the row is marked ``failed`` and not tried a third time.

The guarantee is at-least-once with at most one duplicate, and a duplicate only when a sender
stopped (or a request timed out) in the instant between the send and its mark.

Service functions are plain synchronous SQLAlchemy Core (run through ``Database.transact`` or
:func:`put_in` for a handler's session); the module knows nothing of Telegram: messages leave
through a :class:`Transport` (``handlers.notifier.TelegramNotifier``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy import Table, and_, delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.lease import default_owner, insert_for, release_lease, take_lease
from bot.core.models import OutboxMessage, OutboxState, utcnow
from bot.core.notify import (
    Blocked,
    Button,
    DeliveryError,
    Notifier,
    Outgoing,
    Rejected,
    RetryLater,
    Unconfirmed,
)

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]

LEASE_NAME = "outbox-sender"
#: Network errors and 5xx are tried this many times in all before a row is marked failed.
MAX_ATTEMPTS = 8
BACKOFF_FIRST = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)
#: A row in ``sending`` this long was left by a sender that stopped (a send times out well
#: before this): it is sent once more.
STALE_AFTER = timedelta(minutes=5)
#: How many due rows the sender takes at a time.
BATCH = 20
#: How long the sender rests when nothing is due (a wake-up ends the rest at once), and after
#: an unexpected error.
IDLE_SECONDS = 2.0
ERROR_PAUSE_SECONDS = 5.0
KEY_MAX = 128
#: Settled rows (their texts hold personal data: a case number, a pair's contacts) are kept this
#: long, for their idempotency keys and for looking into a complaint, then deleted.
KEEP_SETTLED = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
ERROR_MAX = 500

#: Who this process is when it claims rows (the sender and handlers' prompt deliveries alike):
#: after a restart, the new sender knows the rows the old process left in ``sending``.
PROCESS_OWNER = default_owner()

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[Any]]
#: Run in the transaction that marks a row ``blocked``: (connection, chat id).
BlockedHook = Callable[[Connection, int], None]
_BLOCKED_HOOKS: dict[str, list[BlockedHook]] = {}


@runtime_checkable
class Transport(Protocol):
    """Sends one stored message (implemented on the Telegram side).

    ``markup`` is Telegram's reply markup as JSON, or ``{"actions": ...}`` from
    :func:`buttons_markup` (service actions, turned into callback data when sent). Raises a
    :class:`~bot.core.notify.DeliveryError` kind when the message was not delivered.
    """

    async def send_stored(
        self,
        chat_id: int,
        text: str,
        *,
        markup: Mapping[str, Any] | None = None,
        parse_mode: str | None = None,
        preview: bool = True,
        bulk: bool = False,
    ) -> None: ...


class NotifierTransport:
    """A :class:`Transport` over any :class:`~bot.core.notify.Notifier`: for messages whose
    buttons are service actions and that need no parse mode (an alert batch, a notice)."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier

    async def send_stored(
        self,
        chat_id: int,
        text: str,
        *,
        markup: Mapping[str, Any] | None = None,
        parse_mode: str | None = None,
        preview: bool = True,
        bulk: bool = False,
    ) -> None:
        """Send through the notifier (Rejected for what it cannot carry)."""
        if parse_mode or (markup and "actions" not in markup):
            raise Rejected("this notifier sends neither parse modes nor raw reply markup")
        buttons = stored_buttons(markup) if markup else ()
        await self.notifier.send(chat_id, Outgoing(text, buttons, preview=preview), bulk=bulk)


def as_transport(notifier: Notifier | Transport) -> Transport:
    """``notifier`` itself if it sends stored messages, else a :class:`NotifierTransport`."""
    if isinstance(notifier, Transport):
        return notifier
    return NotifierTransport(notifier)


def on_blocked(kind: str, hook: BlockedHook) -> None:
    """Run ``hook`` when a message of ``kind`` finds its chat blocked (once per hook)."""
    hooks = _BLOCKED_HOOKS.setdefault(kind, [])
    if hook not in hooks:
        hooks.append(hook)


def buttons_markup(buttons: Sequence[Sequence[Button]]) -> dict[str, Any] | None:
    """Service buttons in the form the outbox stores (None when there are none)."""
    rows = [
        [{"label": b.label, "action": b.action, "args": list(b.args)} for b in row]
        for row in buttons
        if row
    ]
    return {"actions": rows} if rows else None


def stored_buttons(markup: Mapping[str, Any]) -> tuple[tuple[Button, ...], ...]:
    """The service buttons of a markup written by :func:`buttons_markup`."""
    return tuple(
        tuple(Button(str(b["label"]), str(b["action"]), tuple(b.get("args") or ())) for b in row)
        for row in markup.get("actions") or ()
    )


# --- queuing ----------------------------------------------------------------------------------


def put(
    conn: Connection,
    *,
    key: str,
    chat_id: int,
    kind: str,
    text: str,
    markup: Mapping[str, Any] | None = None,
    parse_mode: str | None = None,
    preview: bool = True,
    bulk: bool = False,
    not_before: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    """Queue a message in the caller's transaction; False (nothing done) if ``key`` exists."""
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"an outbox key has 1 to {KEY_MAX} characters: {key!r}")
    now = now or utcnow()
    result = conn.execute(
        insert_for(conn, OUTBOX)
        .values(
            key=key,
            chat_id=chat_id,
            kind=kind[:32],
            text=text,
            reply_markup=dict(markup) if markup is not None else None,
            parse_mode=parse_mode,
            preview=preview,
            bulk=bulk,
            state=OutboxState.pending.value,
            attempts=0,
            doubtful=False,
            not_before=not_before or now,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(result.rowcount)


async def put_in(session: AsyncSession, **fields: Any) -> bool:
    """:func:`put` in the transaction of an ORM session (commit it to queue the message)."""

    def run(sync_session: Any) -> bool:
        return put(sync_session.connection(), **fields)

    return bool(await session.run_sync(run))


def state_of(conn: Connection, *, key: str) -> OutboxState | None:
    """The state of the message queued under ``key`` (None if there is none)."""
    found = conn.execute(select(OUTBOX.c.state).where(OUTBOX.c.key == key)).scalar()
    return OutboxState(found) if found is not None else None


async def forget_chat(session: AsyncSession, user_id: int) -> list[str]:
    """Delete the messages kept for a user (on /forget): those not sent yet never go.

    A row being sent right now is left to its sender (it is pruned with the settled rows).
    """
    result = await session.exec(
        delete(OUTBOX).where(
            OUTBOX.c.chat_id == user_id,
            OUTBOX.c.state != OutboxState.sending.value,
        )
    )
    return ["ob-forget-item"] if result.rowcount else []


def prune(conn: Connection, *, now: datetime, keep: timedelta = KEEP_SETTLED) -> int:
    """Delete settled rows (sent, resent, failed, blocked) older than ``keep``; how many."""
    settled = [
        OutboxState.sent.value,
        OutboxState.resent.value,
        OutboxState.failed.value,
        OutboxState.blocked.value,
    ]
    result = conn.execute(
        delete(OUTBOX).where(OUTBOX.c.state.in_(settled), OUTBOX.c.created_at < now - keep)
    )
    return int(result.rowcount)


# --- taking and settling rows -----------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """A row marked ``sending``: what to send, and what its earlier tries were."""

    id: int
    key: str
    chat_id: int
    kind: str
    text: str
    markup: dict[str, Any] | None
    parse_mode: str | None
    preview: bool
    bulk: bool
    attempts: int
    doubtful: bool


def claim(
    conn: Connection,
    *,
    owner: str,
    now: datetime,
    limit: int = BATCH,
    keys: Collection[str] | None = None,
    kinds: Collection[str] | None = None,
) -> list[Claimed]:
    """Mark due ``pending`` rows (only those of ``keys`` or ``kinds`` if given) ``sending``;
    return them.

    One conditional UPDATE ... RETURNING, committed before anything is sent: two senders
    never take the same row.
    """
    due = [OUTBOX.c.state == OutboxState.pending.value, OUTBOX.c.not_before <= now]
    if kinds is not None:
        due.append(OUTBOX.c.kind.in_(list(kinds)))
    if keys is not None:
        if not keys:
            return []
        due.append(OUTBOX.c.key.in_(list(keys)))
    ids = [
        int(i)
        for i in conn.execute(
            select(OUTBOX.c.id).where(*due).order_by(OUTBOX.c.not_before, OUTBOX.c.id).limit(limit)
        ).scalars()
    ]
    if not ids:
        return []
    rows = conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id.in_(ids), OUTBOX.c.state == OutboxState.pending.value)
        .values(state=OutboxState.sending.value, claimed_by=owner, claimed_at=now)
        .returning(
            OUTBOX.c.id,
            OUTBOX.c.key,
            OUTBOX.c.chat_id,
            OUTBOX.c.kind,
            OUTBOX.c.text,
            OUTBOX.c.reply_markup,
            OUTBOX.c.parse_mode,
            OUTBOX.c.preview,
            OUTBOX.c.bulk,
            OUTBOX.c.attempts,
            OUTBOX.c.doubtful,
        )
    ).all()
    claimed = [
        Claimed(
            id=int(row.id),
            key=str(row.key),
            chat_id=int(row.chat_id),
            kind=str(row.kind),
            text=str(row.text),
            markup=dict(row.reply_markup) if row.reply_markup else None,
            parse_mode=row.parse_mode,
            preview=bool(row.preview),
            bulk=bool(row.bulk),
            attempts=int(row.attempts),
            doubtful=bool(row.doubtful),
        )
        for row in rows
    ]
    claimed.sort(key=lambda c: ids.index(c.id))
    return claimed


def recover(
    conn: Connection, *, now: datetime, previous: str | None = None, stale_after: timedelta
) -> int:
    """Give rows a stopped sender left in ``sending`` one more try; return how many.

    A row is left behind when the replica that claimed it was ``previous`` (the lease's last
    holder, now gone) or when it was claimed ``stale_after`` ago or more. Rows that had been
    given their one more try already are marked ``failed`` (they may have arrived).
    """
    left = [OUTBOX.c.state == OutboxState.sending.value]
    stale = OUTBOX.c.claimed_at <= now - stale_after
    left.append(or_(stale, OUTBOX.c.claimed_by == previous) if previous is not None else stale)
    again = conn.execute(
        update(OUTBOX)
        .where(*left, OUTBOX.c.doubtful.is_(False))
        .values(
            state=OutboxState.pending.value,
            doubtful=True,
            not_before=now,
            last_error="sender stopped while sending",
        )
    ).rowcount
    given_up = conn.execute(
        update(OUTBOX)
        .where(*left, OUTBOX.c.doubtful.is_(True))
        .values(
            state=OutboxState.failed.value,
            last_error="sender stopped twice while sending (it may have arrived)",
        )
    ).rowcount
    if again or given_up:
        log.warning(
            "outbox: %d message(s) left in sending by a stopped sender are sent once more, "
            "%d given up",
            again,
            given_up,
        )
    return int(again)


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed row."""

    state: OutboxState
    error: str | None = None
    #: 1 when the try counts against MAX_ATTEMPTS.
    attempted: int = 1
    not_before: datetime | None = None
    doubtful: bool = False
    sent_at: datetime | None = None
    #: Telegram asked to wait this long before sending anything more.
    hold_seconds: float = 0.0


def settle(conn: Connection, *, row: Claimed, outcome: Outcome) -> bool:
    """Write ``outcome`` for a row still ``sending``; run the blocked hooks. False if the row
    had moved meanwhile (deleted by /forget, or taken back by a recovery)."""
    values: dict[str, Any] = {
        "state": outcome.state.value,
        "attempts": OUTBOX.c.attempts + outcome.attempted,
        "doubtful": outcome.doubtful or row.doubtful,
        "last_error": outcome.error[:ERROR_MAX] if outcome.error else None,
    }
    if outcome.not_before is not None:
        values["not_before"] = outcome.not_before
    if outcome.sent_at is not None:
        values["sent_at"] = outcome.sent_at
    changed = conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == row.id, OUTBOX.c.state == OutboxState.sending.value)
        .values(**values)
    ).rowcount
    if changed and outcome.state is OutboxState.blocked:
        for hook in _BLOCKED_HOOKS.get(row.kind, ()):
            hook(conn, row.chat_id)
    return bool(changed)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempts - 1)), BACKOFF_MAX)


async def send_row(transport: Transport, row: Claimed, now: Clock) -> Outcome:
    """Send one claimed row; what became of it (never raises for a failed delivery)."""
    try:
        await transport.send_stored(
            row.chat_id,
            row.text,
            markup=row.markup,
            parse_mode=row.parse_mode,
            preview=row.preview,
            bulk=row.bulk,
        )
    except RetryLater as exc:
        return Outcome(
            OutboxState.pending,
            error=str(exc),
            attempted=0,
            not_before=now() + timedelta(seconds=exc.seconds),
            hold_seconds=exc.seconds,
        )
    except Blocked as exc:
        return Outcome(OutboxState.blocked, error=str(exc))
    except Rejected as exc:
        return Outcome(OutboxState.failed, error=str(exc))
    except Unconfirmed as exc:
        return _doubtful(row, f"timed out: {exc}", now)
    except DeliveryError as exc:  # network errors, 5xx: safe to try again
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            return Outcome(OutboxState.failed, error=str(exc))
        return Outcome(OutboxState.pending, error=str(exc), not_before=now() + backoff(attempts))
    except Exception as exc:  # noqa: BLE001 - unknown: it may have left
        log.exception("outbox message %s ended in an unexpected error", row.key)
        return _doubtful(row, type(exc).__name__, now)
    state = OutboxState.resent if row.doubtful else OutboxState.sent
    return Outcome(state, sent_at=now())


def _doubtful(row: Claimed, error: str, now: Clock) -> Outcome:
    """The try may have arrived: once more if it is the first such try, else give up."""
    if row.doubtful:
        return Outcome(OutboxState.failed, error=f"{error} (it may have arrived)")
    return Outcome(
        OutboxState.pending,
        error=error,
        doubtful=True,
        not_before=now() + backoff(row.attempts + 1),
    )


async def deliver(
    db: Database,
    transport: Transport,
    keys: Collection[str] | None,
    *,
    kinds: Collection[str] | None = None,
    limit: int = BATCH,
    owner: str = PROCESS_OWNER,
    clock: Clock = utcnow,
) -> dict[str, OutboxState]:
    """Send the due rows of ``keys`` now (right after the commit that queued them).

    With ``keys`` None, the due rows of ``kinds`` (``limit`` at most) instead: a service may
    flush its own kind. Rows not due yet (held for quiet hours), already taken or sent are left
    alone. Returns the state each row sent here ended in; what could not be sent stays for the
    sender. After a 429 the rest is left for later.
    """
    if keys is not None:
        if not keys:
            return {}
        limit = len(keys)
    rows = await db.transact(claim, owner=owner, now=clock(), limit=limit, keys=keys, kinds=kinds)
    states: dict[str, OutboxState] = {}
    hold = False
    for row in rows:
        if hold:
            outcome = Outcome(OutboxState.pending, attempted=0)
        else:
            outcome = await send_row(transport, row, clock)
            hold = outcome.hold_seconds > 0
        await db.transact(settle, row=row, outcome=outcome)
        states[row.key] = outcome.state
    return states


# --- the sender -------------------------------------------------------------------------------


class OutboxSender:
    """Sends what is due in the outbox while this replica holds the ``outbox-sender`` lease."""

    def __init__(
        self,
        transport: Transport,
        db: Database,
        *,
        owner: str = PROCESS_OWNER,
        lease_seconds: float = 30,
        stale_after: timedelta = STALE_AFTER,
        idle_seconds: float = IDLE_SECONDS,
        clock: Clock = utcnow,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.transport = transport
        self.db = db
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self.stale_after = stale_after
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.sleep = sleep
        self.holding = False
        self._wake = asyncio.Event()
        self._pruned: datetime | None = None

    def wake(self) -> None:
        """Look for due rows now instead of after the rest (a message was just queued)."""
        self._wake.set()

    def _take(self, conn: Connection, *, now: datetime) -> tuple[bool, list[Claimed]]:
        held, previous = take_lease(
            conn, name=LEASE_NAME, owner=self.owner, now=now, until=now + self.lease
        )
        if not held:
            return False, []
        gone = previous if previous is not None and previous != self.owner else None
        recover(conn, now=now, previous=gone, stale_after=self.stale_after)
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            self._pruned = now
            if removed := prune(conn, now=now):
                log.info("outbox: pruned %d settled message(s)", removed)
        return True, claim(conn, owner=self.owner, now=now)

    async def step(self) -> int:
        """Send one batch of due rows if this sender holds the lease; how many it worked on."""
        now = self.clock()
        self.holding, rows = await self.db.transact(self._take, now=now)
        hold = 0.0
        for row in rows:
            if hold > 0:
                # Never attempted: back to pending, as if it had not been claimed.
                await self.db.transact(
                    settle,
                    row=row,
                    outcome=Outcome(OutboxState.pending, attempted=0),
                )
                continue
            outcome = await send_row(self.transport, row, self.clock)
            await self.db.transact(settle, row=row, outcome=outcome)
            hold = max(hold, outcome.hold_seconds)
        if hold > 0:
            log.warning("outbox sender waits %.1f s as Telegram asked", hold)
            await self.sleep(hold)
        return len(rows)

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set, resting when nothing is due (or until woken)."""
        log.info("outbox sender %s started", self.owner)
        try:
            while not stop.is_set():
                try:
                    worked = await self.step()
                    pause = 0.0 if worked else self.idle_seconds
                except Exception:
                    log.exception("outbox sender step failed")
                    self.holding = False
                    pause = ERROR_PAUSE_SECONDS
                if pause:
                    await self._rest(stop, pause)
        finally:
            if self.holding:
                with contextlib.suppress(Exception):
                    await self.db.transact(
                        release_lease, name=LEASE_NAME, owner=self.owner, now=self.clock()
                    )
                self.holding = False
            log.info("outbox sender %s stopped", self.owner)

    async def _rest(self, stop: asyncio.Event, seconds: float) -> None:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            self._wake.clear()


def pending_count(conn: Connection, *, kinds: Collection[str] | None = None) -> int:
    """How many rows wait to be sent (of ``kinds`` if given)."""
    where = [OUTBOX.c.state.in_([OutboxState.pending.value, OutboxState.sending.value])]
    if kinds is not None:
        where.append(OUTBOX.c.kind.in_(list(kinds)))
    return int(conn.execute(select(func.count()).where(and_(*where))).scalar_one())
