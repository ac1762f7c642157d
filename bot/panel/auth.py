"""Sign-in without passwords: one-time links and sessions of the staff panel (no web code).

A link is a random token sent to a staff member or volunteer (``/panel`` in the bot, or
``gongyou panel-link`` at the console); it can be used once, within ten minutes, and only by a
person who holds a panel role when it is used. Using it opens a session: a random id that
lives in an HttpOnly cookie, with a form token (CSRF) of its own. Tables keep only SHA-256
hashes of tokens and ids. Sessions end after ``GONGYOU_PANEL_IDLE_MINUTES`` without a request,
on sign-out, or all at once ("sign out everywhere"). Roles are read from the database on every
request (:func:`panel_roles`), so a revoked role takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import Role, User, utcnow
from bot.core.privacy import Export
from bot.core.users import audit, touch_user
from bot.panel.models import PanelDraft, PanelLink, PanelSession, PanelUpload

#: How long a sign-in link can be used.
LINK_LIFETIME = timedelta(minutes=10)
#: A session's last activity is written at most this often (not on every page view).
TOUCH_EVERY = timedelta(minutes=1)
#: Every role that has a page in the panel (a worker holds none of them). Matchmakers have none
#: yet: they review profiles in the bot, so `/panel` sends them no link.
PANEL_ROLES = frozenset({Role.admin, Role.staff, Role.volunteer_legal})

#: What the worker's copy (/mydata) shows of the panel's tables (hashes left out).
EXPORTS = (
    Export("mydata-panel", "panel_links", hide=("token_hash",)),
    Export("mydata-panel", "panel_sessions", hide=("id_hash", "csrf")),
    Export("mydata-panel", "panel_uploads", hide=("token", "data", "result")),
    Export("mydata-panel", "panel_drafts", hide=("token",)),
)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a token or session id is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def panel_roles(user: User | None, *, admin_ids: Iterable[int] = ()) -> frozenset[Role]:
    """The panel roles (:data:`PANEL_ROLES`) a user holds now (ids in GONGYOU_ADMIN_IDS are
    admins, as in the bot)."""
    if user is None:
        return frozenset()
    held = {Role(r) for r in user.roles if r in Role.__members__}
    if user.id in set(admin_ids):
        held.add(Role.admin)
    return frozenset(held) & PANEL_ROLES


def allowed(held: Iterable[Role], needed: Iterable[Role]) -> bool:
    """True if ``held`` covers one of ``needed`` (admins hold every role; no roles needed means
    any panel role)."""
    held = set(held)
    needed = set(needed)
    if not held:
        return False
    return Role.admin in held or not needed or bool(held & needed)


async def create_link(session: AsyncSession, *, user_id: int, now: datetime | None = None) -> str:
    """Store a new one-time link for ``user_id`` and return its token (committed)."""
    now = now or utcnow()
    if await session.get(User, user_id) is None:
        await touch_user(session, user_id=user_id, language="zh", now=now)
    token = secrets.token_urlsafe(32)
    session.add(
        PanelLink(
            token_hash=digest(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    await session.commit()
    return token


class LinkRefusal(StrEnum):
    """Why a sign-in link was not accepted (each has a catalog key ``panel-link-<value>``)."""

    invalid = "invalid"
    used = "used"
    expired = "expired"
    no_role = "no-role"


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie value and its form token (neither is stored in the clear)."""

    session_id: str
    csrf: str
    user_id: int
    language: str


async def redeem_link(
    session: AsyncSession,
    *,
    token: str,
    admin_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> SignedIn | LinkRefusal:
    """Use a link once: open a session for its user if they hold a panel role now."""
    now = now or utcnow()
    if not token or len(token) > 128:
        return LinkRefusal.invalid
    token_hash = digest(token)
    link = await session.get(PanelLink, token_hash)
    if link is None:
        return LinkRefusal.invalid
    # Used exactly once, also when two requests bring the same link at the same moment.
    taken = await session.exec(
        update(PanelLink)
        .where(col(PanelLink.token_hash) == token_hash)
        .where(col(PanelLink.used_at).is_(None))
        .where(col(PanelLink.expires_at) > now)
        .values(used_at=now)
    )
    if taken.rowcount != 1:
        await session.commit()
        return LinkRefusal.used if link.used_at is not None else LinkRefusal.expired
    user = await session.get(User, link.user_id)
    if not panel_roles(user, admin_ids=admin_ids) or user is None:
        await audit(
            session,
            actor_id=link.user_id,
            action="panel.refused",
            subject=f"user:{link.user_id}",
            detail={"reason": "no role"},
        )
        await session.commit()
        return LinkRefusal.no_role
    opened = SignedIn(
        session_id=secrets.token_urlsafe(32),
        csrf=secrets.token_urlsafe(32),
        user_id=user.id,
        language=user.language if user.language in ("zh", "en") else "zh",
    )
    session.add(
        PanelSession(
            id_hash=digest(opened.session_id),
            user_id=user.id,
            csrf=opened.csrf,
            language=opened.language,
            created_at=now,
            last_seen=now,
        )
    )
    await audit(session, actor_id=user.id, action="panel.signin", subject=f"user:{user.id}")
    await session.commit()
    return opened


@dataclass(frozen=True)
class Visitor:
    """The signed-in person of a request, with the roles they hold at this moment."""

    user_id: int
    roles: frozenset[Role]
    csrf: str
    language: str
    session_hash: str


async def find_session(
    session: AsyncSession,
    *,
    session_id: str,
    idle: timedelta,
    admin_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Visitor | None:
    """The visitor behind a session cookie, or None (unknown or idle too long: then ended)."""
    now = now or utcnow()
    if not session_id or len(session_id) > 128:
        return None
    row = await session.get(PanelSession, digest(session_id))
    if row is None:
        return None
    if now - row.last_seen > idle:
        await session.delete(row)
        await session.commit()
        return None
    if now - row.last_seen >= TOUCH_EVERY:
        row.last_seen = now
        session.add(row)
        await session.commit()
    user = await session.get(User, row.user_id)
    return Visitor(
        user_id=row.user_id,
        roles=panel_roles(user, admin_ids=admin_ids),
        csrf=row.csrf,
        language=row.language,
        session_hash=row.id_hash,
    )


async def set_session_language(session: AsyncSession, *, session_hash: str, language: str) -> None:
    """Show the panel in ``language`` for this session."""
    row = await session.get(PanelSession, session_hash)
    if row is not None:
        row.language = language
        session.add(row)
        await session.commit()


async def sign_out(
    session: AsyncSession, *, user_id: int, session_hash: str, everywhere: bool = False
) -> int:
    """End this session (or every session of the user); audited; return how many ended."""
    statement = delete(PanelSession).where(col(PanelSession.user_id) == user_id)
    if not everywhere:
        statement = statement.where(col(PanelSession.id_hash) == session_hash)
    ended = (await session.exec(statement)).rowcount
    await audit(
        session,
        actor_id=user_id,
        action="panel.signout_all" if everywhere else "panel.signout",
        subject=f"user:{user_id}",
        detail={"sessions": int(ended or 0)},
    )
    await session.commit()
    return int(ended or 0)


async def forget_panel(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a user's sign-in links, sessions, uploads and broadcast previews (on /forget; the
    caller commits)."""
    links = await session.exec(select(PanelLink).where(col(PanelLink.user_id) == user_id))
    sessions = await session.exec(select(PanelSession).where(col(PanelSession.user_id) == user_id))
    rows = [*links.all(), *sessions.all()]
    for row in rows:
        await session.delete(row)
    uploads = await session.exec(delete(PanelUpload).where(col(PanelUpload.user_id) == user_id))
    drafts = await session.exec(delete(PanelDraft).where(col(PanelDraft.user_id) == user_id))
    return ["forget-item-panel"] if rows or uploads.rowcount or drafts.rowcount else []
