"""Users, roles, flow state, processed updates and the audit log: typed service functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Connection, Table, bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import AuditLog, FlowState, PausedFlow, ProcessedUpdate, Role, User, utcnow

#: last_seen is written at most this often per user, to keep the hot path cheap.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


USERS: Table = User.__table__  # type: ignore[attr-defined]
FLOWS: Table = FlowState.__table__  # type: ignore[attr-defined]
PROCESSED: Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]


def _insert(session: AsyncSession, table: Any) -> Any:
    bind = session.bind
    dialect = bind.dialect.name if bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


@dataclass(frozen=True)
class Member:
    """What an update needs to know about its sender, loaded once per update."""

    id: int
    language: str
    roles: tuple[str, ...] = ()
    flow: str | None = None

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user holds any of ``roles`` (admins hold every role)."""
        return Role.admin in self.roles or any(r in self.roles for r in roles)


@cache
def _claim_statements(dialect: str) -> tuple[Any, Any]:
    """The claim-and-read and new-user statements, built once per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    uid = bindparam("user_id", type_=BigInteger())
    by_id = USERS.c.id == uid
    claim = (
        insert(PROCESSED)
        .values(update_id=bindparam("update_id"), received_at=bindparam("now"))
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(
            sa_select(USERS.c.language).where(by_id).scalar_subquery().label("language"),
            sa_select(USERS.c.roles).where(by_id).scalar_subquery().label("roles"),
            sa_select(USERS.c.last_seen).where(by_id).scalar_subquery().label("last_seen"),
            sa_select(FLOWS.c.flow).where(FLOWS.c.user_id == uid).scalar_subquery().label("flow"),
        )
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
    return claim, new_user


def admit_update(
    conn: Connection,
    *,
    update_id: int,
    user_id: int | None,
    language: str,
    now: datetime | None = None,
) -> tuple[bool, Member | None]:
    """Record the update as processed and load its sender, creating them on first contact.

    Returns ``(False, None)`` for an update id seen before (a redelivery: ignore it). One
    statement claims the update id and reads the sender's row and flow; the transaction
    (``Database.transact``) commits the processed mark, a new user row and ``last_seen`` at
    once. This is the only database work on the path of an ordinary message.
    """
    now = now or utcnow()
    claim, new_user = _claim_statements(conn.dialect.name)
    row = conn.execute(claim, {"update_id": update_id, "user_id": user_id or 0, "now": now})
    found = row.first()
    if found is None:
        return False, None
    if user_id is None:
        return True, None
    if found.language is None:
        conn.execute(new_user, {"user_id": user_id, "language": language, "now": now})
        return True, Member(id=user_id, language=language, flow=found.flow)
    if now - found.last_seen >= LAST_SEEN_RESOLUTION:
        conn.execute(update(USERS).where(USERS.c.id == user_id).values(last_seen=now))
    member = Member(id=user_id, language=found.language, roles=tuple(found.roles), flow=found.flow)
    return True, member


async def prune_processed_updates(session: AsyncSession, *, older_than: timedelta) -> int:
    """Forget processed update ids older than ``older_than``; return how many were removed."""
    stmt = delete(ProcessedUpdate).where(
        ProcessedUpdate.received_at < utcnow() - older_than  # type: ignore[arg-type]
    )
    result = await session.exec(stmt)
    await session.commit()
    return int(result.rowcount)


async def touch_user(
    session: AsyncSession, *, user_id: int, language: str, now: datetime | None = None
) -> User:
    """Return the user's row, creating it on first contact and refreshing ``last_seen``.

    Does not commit; the caller commits together with the processed-update mark.
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
    return await session.get(FlowState, user_id)


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
    await touch_user(session, user_id=user_id, language="zh")
    state = await session.get(FlowState, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=flow, step=step, data=data)
    else:
        if state.flow != flow and state.flow in PAUSABLE:
            await _keep_paused(session, state)
        state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), utcnow()
    session.add(state)
    await session.commit()
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
    state = await session.get(FlowState, user_id)
    if state is None:
        return None
    await _keep_paused(session, state)
    await session.delete(state)
    await session.commit()
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
    await touch_user(session, user_id=user_id, language="zh")
    state = await session.get(FlowState, user_id)
    if state is None:
        state = FlowState(user_id=user_id, flow=paused.flow, step=paused.step)
    state.flow, state.step, state.data = paused.flow, paused.step, dict(paused.data or {})
    state.updated_at = utcnow()
    session.add(state)
    await session.delete(paused)
    await session.commit()
    return state


async def clear_flow(session: AsyncSession, *, user_id: int) -> str | None:
    """End the user's flow; return the name of the flow that was left, if any."""
    state = await session.get(FlowState, user_id)
    if state is None:
        return None
    await session.delete(state)
    await session.commit()
    return state.flow


#: Services add a function here that deletes a user's data of theirs and returns catalog keys
#: naming what it deleted; `forget_user` runs them all in the same transaction.
Forgetter = Callable[[AsyncSession, int], Awaitable[list[str]]]
FORGETTERS: list[Forgetter] = []


async def forget_user(session: AsyncSession, *, user_id: int) -> list[str]:
    """Delete everything kept about a user in one transaction; return what was deleted.

    The audit log keeps one record that the deletion happened (with the id, nothing else).
    """
    deleted: list[str] = []
    for forget in FORGETTERS:
        deleted.extend(await forget(session, user_id))
    state = await session.get(FlowState, user_id)
    paused = await session.get(PausedFlow, user_id)
    if paused is not None:
        await session.delete(paused)
    if state is not None or paused is not None:
        if state is not None:
            await session.delete(state)
        deleted.append("forget-item-flow")
    user = await session.get(User, user_id)
    if user is not None:
        await session.delete(user)
        deleted.append("forget-item-profile")
    await audit(
        session,
        actor_id=user_id,
        action="user.forget",
        subject=f"user:{user_id}",
        detail={"deleted": deleted},
    )
    await session.commit()
    return deleted
