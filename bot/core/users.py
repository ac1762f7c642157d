"""Users, roles, flow state, taking updates from the inbox, the audit log: typed functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Table, bindparam, case, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core import inbox
from bot.core.audit import pseudonym, pseudonymise
from bot.core.inbox import INBOX, storable
from bot.core.models import AuditLog, FlowState, InboxState, PausedFlow, Role, User, utcnow
from bot.db import TRANSACTS, commit_soon, dialect_insert

#: last_seen is written at most this often per user, to keep the hot path cheap.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


USERS: Table = User.__table__  # type: ignore[attr-defined]
FLOWS: Table = FlowState.__table__  # type: ignore[attr-defined]

#: Session info keys: ids whose user row is known to exist, and ids known to have no flow.
KNOWN_USERS = "gongyou.known_users"
NO_FLOW = "gongyou.no_flow"
FLOW_ROWS = "gongyou.flow_rows"


def seed_session(
    session: Session, *, user_id: int, in_flow: bool, flow_row: FlowRow | None = None
) -> None:
    """Tell a new session what the receive step already read about the update's sender: their
    row exists, and whether they are in a flow (and the flow's row, when it was read), so flow
    reads and writes skip those queries."""
    session.info.setdefault(KNOWN_USERS, set()).add(user_id)
    if not in_flow:
        session.info.setdefault(NO_FLOW, set()).add(user_id)
    elif flow_row is not None:
        # the row as a persistent object, exactly as stored: session.get() finds it without
        # a query, and a change to it is flushed as an UPDATE like any loaded row
        state = FlowState(
            user_id=user_id,
            flow=flow_row.flow,
            step=flow_row.step,
            data=dict(flow_row.data),
            updated_at=flow_row.updated_at,
        )
        make_transient_to_detached(state)
        session.add(state)
        # the identity map holds clean rows weakly: kept here until the first read takes it
        session.info.setdefault(FLOW_ROWS, {})[user_id] = (state, TRANSACTS.get())


def _flow_known_absent(session: AsyncSession, user_id: int) -> bool:
    return user_id in session.sync_session.info.get(NO_FLOW, ())


def _take_seeded(session: AsyncSession, user_id: int) -> FlowState | None:
    """Before the first read of the user's flow row: let go of the row the receive step read
    (:func:`seed_session`). It stays in the identity map for ``session.get`` to find as long
    as the caller holds it, like any row read, unless a ``Database.transact`` of this update
    ran since it was read: that may have changed the row, so it is read again."""
    seeded: dict[int, tuple[FlowState, int]] = session.sync_session.info.get(FLOW_ROWS, {})
    held = seeded.pop(user_id, None)
    if held is None:
        return None
    if held[1] != TRANSACTS.get():
        if held[0] in session.sync_session:
            session.sync_session.expunge(held[0])
        return None
    return held[0]  # the caller keeps it alive until its session.get() has found it


def _flow_changed(session: AsyncSession, user_id: int, *, present: bool) -> None:
    absent: set[int] = session.sync_session.info.setdefault(NO_FLOW, set())
    if present:
        absent.discard(user_id)
    else:
        absent.add(user_id)


async def _ensure_user(session: AsyncSession, user_id: int) -> None:
    if user_id not in session.sync_session.info.get(KNOWN_USERS, ()):
        await touch_user(session, user_id=user_id, language="zh")


def _insert(session: AsyncSession, table: Any) -> Any:
    bind = session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    return dialect_insert(dialect)(table)


@dataclass(frozen=True)
class FlowRow:
    """A flow row read with the update: ``flow_state`` as stored when the update was taken."""

    flow: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class Member:
    """What an update needs to know about its sender, loaded once per update.

    ``facts`` holds what services asked the receive step to read with the same statement
    (:data:`SENDER_FACTS`), by name.
    """

    id: int
    language: str
    roles: tuple[str, ...] = ()
    flow: str | None = None
    facts: dict[str, Any] = field(default_factory=dict, compare=False)
    #: The sender's flow row as the receive step read it (None if not read, or no flow).
    flow_row: FlowRow | None = field(default=None, compare=False)
    #: What :func:`admit_update` left for :func:`touch_sender` to write (``defer_sender``):
    #: "new" (the sender's row), "seen" (``last_seen``) or None.
    unwritten: str | None = field(default=None, compare=False)

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user holds any of ``roles`` (admins hold every role)."""
        return Role.admin in self.roles or any(r in self.roles for r in roles)


#: A fact about the sender a service wants read with the update (one scalar subquery of the
#: sender's id bind parameter; None when there is nothing to know).
SenderFact = Callable[[Any], Any]
#: Services add their facts here at import (name -> fact); the handlers find them in
#: ``Member.facts``, read by the same statement that takes the update: no extra round trip.
SENDER_FACTS: dict[str, SenderFact] = {}


def _claim_statements(dialect: str) -> tuple[Any, Any, Any]:
    return _claim_statements_for(dialect, tuple(SENDER_FACTS))


@cache
def _claim_statements_for(dialect: str, facts: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """The claim-and-read statements (inbox row already stored, or not) and the new-user one."""
    insert = dialect_insert(dialect)
    uid = bindparam("user_id", type_=BigInteger())
    by_id = USERS.c.id == uid
    sender = (
        INBOX.c.attempts,
        sa_select(USERS.c.language).where(by_id).scalar_subquery().label("language"),
        sa_select(USERS.c.roles).where(by_id).scalar_subquery().label("roles"),
        sa_select(USERS.c.last_seen).where(by_id).scalar_subquery().label("last_seen"),
        sa_select(FLOWS.c.flow).where(FLOWS.c.user_id == uid).scalar_subquery().label("flow"),
        sa_select(FLOWS.c.step).where(FLOWS.c.user_id == uid).scalar_subquery().label("step"),
        sa_select(FLOWS.c.data).where(FLOWS.c.user_id == uid).scalar_subquery().label("data"),
        sa_select(FLOWS.c.updated_at)
        .where(FLOWS.c.user_id == uid)
        .scalar_subquery()
        .label("flow_at"),
        *(SENDER_FACTS[name](uid).label(f"fact_{index}") for index, name in enumerate(facts)),
    )
    claim = (
        update(INBOX)
        .where(
            INBOX.c.update_id == bindparam("claim_id"),
            inbox.is_open(),
            INBOX.c.next_attempt_at <= bindparam("now"),
            ~_earlier_open(),
        )
        .values(attempts=INBOX.c.attempts + 1, next_attempt_at=bindparam("lease_until"))
        .returning(*sender)
    )
    # An update handed to the application directly (not through the webhook or polling).
    claim_new = (
        insert(INBOX)
        .values(
            update_id=bindparam("claim_id"),
            user_key=bindparam("user_key"),
            raw=bindparam("raw", type_=INBOX.c.raw.type),
            received_at=bindparam("now"),
            state=InboxState.new.value,
            attempts=1,
            next_attempt_at=bindparam("lease_until"),
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(*sender)
    )
    new_user = (
        insert(USERS)
        .values(
            id=bindparam("user_id"),
            language=bindparam("language"),
            roles=[],
            consents={},
            first_seen=bindparam("now"),
            last_seen=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return claim, claim_new, new_user


#: ``admit_update``'s attempt when the sender has an earlier update not yet handled (on
#: another replica, say): wait a moment and ask again.
WAIT = -1


def _earlier_open() -> Any:
    """An earlier update of the same sender still new: taken elsewhere, or about to be."""
    earlier = INBOX.alias("earlier")
    return (
        sa_select(earlier.c.update_id)
        .where(
            earlier.c.user_key == INBOX.c.user_key,
            earlier.c.update_id < INBOX.c.update_id,
            earlier.c.state == InboxState.new.value,
        )
        .exists()
    )


@cache
def _waiting_statement() -> Any:
    """The update, if it is open and nobody holds it: the claim failed only because an
    earlier update of its sender was open. That update may have been finished between the
    two statements (each sees the latest commits), so this does not look for it again: the
    caller tries once more shortly and the claim then succeeds."""
    return sa_select(INBOX.c.update_id).where(
        INBOX.c.update_id == bindparam("claim_id"),
        inbox.is_open(),
        INBOX.c.next_attempt_at <= bindparam("now"),
    )


def admit_update(
    conn: Connection,
    *,
    update_id: int,
    user_id: int | None,
    language: str,
    raw: Callable[[], dict[str, Any]] | None = None,
    user_key: int | None = None,
    stored: bool = True,
    lease: timedelta | None = None,
    now: datetime | None = None,
    defer_sender: bool = False,
) -> tuple[int, Member | None]:
    """Take the update from the inbox and load its sender, creating them on first contact.

    Returns ``(attempt, member)``: which try this is (1 for the first), or ``(0, None)`` when
    the update may not be taken (handled already, parked, or held by another worker: ignore
    it), or ``(WAIT, None)`` while an earlier update of the same sender is open (a sender's
    updates are taken in order, whichever replica received them). One statement takes the
    update, leasing it for ``lease``, and reads the sender's row, flow and the services' facts
    about them (:data:`SENDER_FACTS`); an update not in the inbox yet is stored (its JSON from
    ``raw()``) and taken in a second one (``stored=False``, for an update handed to the
    application directly, tries that one first). The transaction (``Database.transact``)
    commits the lease, a new user row and
    ``last_seen`` at once. This is the only database work before an ordinary message's handler.

    ``defer_sender``: the sender's row is not written here but named in ``Member.unwritten``
    for :func:`touch_sender` to write in a transaction of its own. For a transaction that goes
    on into the handling: an uncommitted new row would hold up every other transaction of the
    update that refers to the sender (a case, a consultation) until the handling commits, which
    waits for them.
    """
    now = now or utcnow()
    lease = lease if lease is not None else inbox.LEASE
    claim, claim_new, new_user = _claim_statements(conn.dialect.name)
    params = {
        "claim_id": update_id,
        "user_id": user_id or 0,
        "now": now,
        "lease_until": now + lease,
    }

    def take_new() -> Any:
        payload = storable(raw()) if raw is not None else {"update_id": update_id}
        return conn.execute(claim_new, {**params, "raw": payload, "user_key": user_key}).first()

    if stored:
        found = conn.execute(claim, params).first() or take_new()
    else:
        found = take_new() or conn.execute(claim, params).first()
    if found is None:
        waiting = conn.execute(_waiting_statement(), params).first()
        return (WAIT if waiting is not None else 0), None
    attempt = int(found.attempts)
    if user_id is None:
        return attempt, None
    facts = {name: found._mapping[f"fact_{index}"] for index, name in enumerate(SENDER_FACTS)}
    if found.language is None:
        if not defer_sender:
            conn.execute(new_user, {"user_id": user_id, "language": language, "now": now})
        member = Member(
            id=user_id,
            language=language,
            flow=found.flow,
            facts=facts,
            unwritten="new" if defer_sender else None,
        )
        return attempt, member
    unwritten = None
    if now - found.last_seen >= LAST_SEEN_RESOLUTION:
        if defer_sender:
            unwritten = "seen"
        else:
            conn.execute(update(USERS).where(USERS.c.id == user_id).values(last_seen=now))
    flow_row = None
    if found.flow is not None and found.step is not None and found.flow_at is not None:
        flow_row = FlowRow(found.flow, found.step, dict(found.data or {}), found.flow_at)
    member = Member(
        id=user_id,
        language=found.language,
        roles=tuple(found.roles),
        flow=found.flow,
        facts=facts,
        flow_row=flow_row,
        unwritten=unwritten,
    )
    return attempt, member


def touch_sender(conn: Connection, *, member: Member, now: datetime | None = None) -> None:
    """Write what :func:`admit_update` left unwritten about the sender (``defer_sender``)."""
    now = now or utcnow()
    if member.unwritten == "new":
        _claim, _claim_new, new_user = _claim_statements(conn.dialect.name)
        conn.execute(new_user, {"user_id": member.id, "language": member.language, "now": now})
    elif member.unwritten == "seen":
        conn.execute(update(USERS).where(USERS.c.id == member.id).values(last_seen=now))


async def touch_user(
    session: AsyncSession, *, user_id: int, language: str, now: datetime | None = None
) -> User:
    """Return the user's row, creating it on first contact and refreshing ``last_seen``.

    Does not commit; the caller commits.
    """
    now = now or utcnow()
    user = await session.get(User, user_id)
    if user is None:
        await session.exec(
            _insert(session, User)
            .values(
                id=user_id, language=language, roles=[], consents={}, first_seen=now, last_seen=now
            )
            .on_conflict_do_nothing(index_elements=["id"])
        )
        user = await session.get(User, user_id)
        assert user is not None
    elif now - user.last_seen >= LAST_SEEN_RESOLUTION:
        user.last_seen = now
        session.add(user)
    return user


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    """Return a user by Telegram id."""
    return await session.get(User, user_id)


async def set_language(session: AsyncSession, *, user_id: int, language: str) -> User:
    """Store the user's chosen language."""
    user = await touch_user(session, user_id=user_id, language=language)
    user.language = language
    session.add(user)
    await session.commit()
    return user


async def audit(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit record to the session (committed with the action it records)."""
    session.add(AuditLog(actor_id=actor_id, action=action, subject=subject, detail=detail or {}))


async def grant_role(
    session: AsyncSession, *, actor_id: int | None, user_id: int, role: Role
) -> bool:
    """Give ``role`` to ``user_id``; return False if they already had it."""
    return await _change_role(session, actor_id=actor_id, user_id=user_id, role=role, give=True)


async def revoke_role(
    session: AsyncSession, *, actor_id: int | None, user_id: int, role: Role
) -> bool:
    """Take ``role`` from ``user_id``; return False if they did not have it."""
    return await _change_role(session, actor_id=actor_id, user_id=user_id, role=role, give=False)


async def _change_role(
    session: AsyncSession, *, actor_id: int | None, user_id: int, role: Role, give: bool
) -> bool:
    if give:
        user: User | None = await touch_user(session, user_id=user_id, language="zh")
    else:
        user = await session.get(User, user_id)
    if user is None or (role.value in user.roles) == give:
        await session.commit()
        return False
    held = set(user.roles)
    user.roles = sorted(held | {role.value} if give else held - {role.value})
    session.add(user)
    await audit(
        session,
        actor_id=actor_id,
        action="role.grant" if give else "role.revoke",
        subject=f"user:{user_id}",
        detail={"role": role.value},
    )
    await session.commit()
    return True


async def role_holders(session: AsyncSession) -> list[User]:
    """Return every user holding at least one role, by id."""
    users = (await session.exec(select(User).order_by(User.id))).all()  # type: ignore[arg-type]
    return [u for u in users if u.roles]


async def bootstrap_admins(session: AsyncSession, *, admin_ids: Iterable[int]) -> list[int]:
    """Make sure every configured admin id holds the admin role; return the ids changed."""
    changed = []
    for admin_id in admin_ids:
        if await grant_role(session, actor_id=None, user_id=admin_id, role=Role.admin):
            changed.append(admin_id)
    return changed


async def get_flow(session: AsyncSession, *, user_id: int) -> FlowState | None:
    """Return the user's current flow, if any."""
    if _flow_known_absent(session, user_id):
        return None
    seeded = _take_seeded(session, user_id)
    state = await session.get(FlowState, user_id)
    del seeded
    return state


#: Flows a worker may leave for another service and come back to (handlers register them):
#: starting another flow over one of these keeps it as the user's paused flow.
PAUSABLE: set[str] = set()
#: How long a paused flow can be taken up again.
PAUSE_KEPT = timedelta(hours=24)


async def set_flow(
    session: AsyncSession, *, user_id: int, flow: str, step: str, data: dict[str, Any]
) -> FlowState:
    """Start or advance the user's flow (replacing any other; a pausable flow replaced by
    another one is kept as the user's paused flow)."""
    await _ensure_user(session, user_id)
    state = None if _flow_known_absent(session, user_id) else await get_flow_row(session, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=flow, step=step, data=data)
    else:
        if state.flow != flow and state.flow in PAUSABLE:
            await _keep_paused(session, state)
        state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), utcnow()
    session.add(state)
    await commit_soon(session)
    _flow_changed(session, user_id, present=True)
    return state


async def get_flow_row(session: AsyncSession, user_id: int) -> FlowState | None:
    """The user's flow row as stored (no shortcut)."""
    seeded = _take_seeded(session, user_id)
    state = await session.get(FlowState, user_id)
    del seeded
    return state


async def _keep_paused(session: AsyncSession, state: FlowState) -> None:
    paused = await session.get(PausedFlow, state.user_id)
    if paused is None:
        paused = PausedFlow(user_id=state.user_id, flow=state.flow, step=state.step)
    paused.flow, paused.step, paused.data = state.flow, state.step, dict(state.data or {})
    paused.paused_at = utcnow()
    session.add(paused)


async def pause_flow(session: AsyncSession, *, user_id: int) -> FlowState | None:
    """Put the user's current flow aside (resumable with :func:`resume_flow`); return it."""
    state = await get_flow(session, user_id=user_id)
    if state is None:
        return None
    await _keep_paused(session, state)
    await session.delete(state)
    await commit_soon(session)
    _flow_changed(session, user_id, present=False)
    return state


async def paused_flow(
    session: AsyncSession, *, user_id: int, now: datetime | None = None
) -> PausedFlow | None:
    """The flow the user left unfinished, if it is recent enough to take up again."""
    paused = await session.get(PausedFlow, user_id)
    if paused is None:
        return None
    if (now or utcnow()) - paused.paused_at > PAUSE_KEPT:
        await session.delete(paused)
        await session.commit()
        return None
    return paused


async def resume_flow(
    session: AsyncSession, *, user_id: int, now: datetime | None = None
) -> FlowState | None:
    """Make the paused flow the user's current flow again (whatever is current ends)."""
    paused = await paused_flow(session, user_id=user_id, now=now)
    if paused is None:
        return None
    await _ensure_user(session, user_id)
    state = await get_flow_row(session, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=paused.flow, step=paused.step)
    state.flow, state.step, state.data = paused.flow, paused.step, dict(paused.data or {})
    state.updated_at = utcnow()
    session.add(state)
    await session.delete(paused)
    await commit_soon(session)
    _flow_changed(session, user_id, present=True)
    return state


async def clear_flow(session: AsyncSession, *, user_id: int) -> str | None:
    """End the user's flow; return the name of the flow that was left, if any."""
    state = await get_flow(session, user_id=user_id)
    if state is None:
        return None
    await session.delete(state)
    await commit_soon(session)
    _flow_changed(session, user_id, present=False)
    return state.flow


#: Services add a function here that deletes a user's data of theirs and returns catalog keys
#: naming what it deleted; `forget_user` runs them all in the same transaction.
Forgetter = Callable[[AsyncSession, int], Awaitable[list[str]]]
FORGETTERS: list[Forgetter] = []


async def forget_user(session: AsyncSession, *, user_id: int, audit_key: bytes) -> list[str]:
    """Delete everything kept about a user in one transaction; return what was deleted.

    Roles the user held are removed, each with its ``role.revoke`` record. The audit log keeps
    its records, and one that the deletion happened, but the id in them is replaced by a keyed
    pseudonym (:mod:`bot.core.audit`; ``audit_key`` is the key). Configured admins are not
    forgotten: the caller refuses them (an id in GONGYOU_ADMIN_IDS is made admin again at start).
    """
    deleted: list[str] = []
    for forget in FORGETTERS:
        deleted.extend(await forget(session, user_id))
    seeded = _take_seeded(session, user_id)
    state = await session.get(FlowState, user_id)
    del seeded
    paused = await session.get(PausedFlow, user_id)
    if paused is not None:
        await session.delete(paused)
    if state is not None or paused is not None:
        if state is not None:
            await session.delete(state)
        deleted.append("forget-item-flow")
    user = await session.get(User, user_id)
    if user is not None:
        for role in sorted(user.roles):
            await audit(
                session,
                actor_id=user_id,
                action="role.revoke",
                subject=f"user:{user_id}",
                detail={"role": role, "by": "forget"},
            )
        if user.roles:
            deleted.append("forget-item-roles")
        await session.delete(user)
        deleted.append("forget-item-profile")
    await audit(
        session,
        actor_id=user_id,
        action="user.forget",
        subject=f"user:{user_id}",
        detail={"deleted": deleted},
    )
    await pseudonymise(session, user_id=user_id, alias=pseudonym(audit_key, user_id))
    # the inbox keeps each update's id (a redelivery is still recognised) but no longer whose
    # it was, nor, once handled or given up on, what it said; ones still to handle still run
    settled = INBOX.c.state.in_((InboxState.done.value, InboxState.parked.value))
    await session.exec(
        update(INBOX)
        .where(INBOX.c.user_key == user_id)
        .values(user_key=None, raw=case((settled, None), else_=INBOX.c.raw))
    )
    await session.commit()
    return deleted
