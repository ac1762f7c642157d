"""Per-update scope (one database session, the user, their language) and the handler context."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.core import inbox
from bot.core.models import Role, utcnow
from bot.core.users import Member, seed_session
from bot.db import CURRENT, HOLD, NOT_JOINED, UpdateSession
from bot.i18n import t

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.notify import Notifier
    from bot.db import Database
    from knowledge.router import IntentRouter

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What handlers need besides Telegram: settings, the database, the knowledge router."""

    settings: Settings
    db: Database
    router: IntentRouter
    #: How services tell people things (set once the bot exists; see handlers.notifier).
    notifier: Notifier | None = None


@dataclass
class UpdateScope:
    """State that lives exactly as long as the handling of one update.

    The database session is opened on first use, so an update that needs nothing beyond the
    sender's row (loaded by the receive step) never checks out a second connection. The
    session starts out knowing the sender (their row exists; whether they are in a flow), so
    handlers do not read it again. Once the update is taken from the inbox (``taken``), the
    first commit of the session also marks it handled: the handler's writes and the inbox
    mark land in one transaction (``finished`` tells whether that happened).
    """

    db: Database
    language: str
    user: Member | None = None
    service: str = "none"
    notes: dict[str, Any] = field(default_factory=dict)
    #: The update being handled, once it is taken from the inbox.
    taken: int | None = None
    #: True once a commit of the session marked the taken update handled.
    finished: bool = False
    #: True while the session holds flushed changes back for the update's next commit.
    held: bool = False
    _session: AsyncSession | None = None
    #: The task handling the update (only it may commit or read through the session).
    _owner: asyncio.Task[Any] | None = None

    @property
    def session(self) -> AsyncSession:
        """The update's session (opened now if this is the first use)."""
        if self._session is None:
            self._session = self.db.sessionmaker()
            self._prepare(self._session.sync_session)
        return self._session

    def _prepare(self, sync: Session) -> None:
        """Tell the session what the receive step read about the sender, and let its commits
        mark the taken update handled."""
        if self.user is not None:
            row = self.user.flow_row
            seed_session(
                sync,
                user_id=self.user.id,
                in_flow=self.user.flow is not None,
                # the row read with the update, unless the flow changed since
                flow_row=row if row is not None and row.flow == self.user.flow else None,
            )
        if self.taken is not None:
            sync.info[SCOPE] = self  # heard by the listeners below
            sync.info[HOLD] = self._hold

    async def take(self, fn: Callable[..., Any], params: dict[str, Any]) -> Any:
        """Run ``fn(connection, **params)``, taking the update from the inbox, as the first
        statement of the update's own transaction: it commits with the handling. A pooled
        connection the server dropped fails on first use (the pool does not ping): being the
        first statement, it is run once more on a fresh connection."""

        def take(session: Session) -> Any:
            return fn(session.connection(), **params)

        try:
            return await self.session.run_sync(take)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.info("a pooled database connection was gone; trying again on a new one")
        await self.close()
        return await self.session.run_sync(take)

    def attach(self) -> None:
        """The update is taken: a session already open learns what :meth:`session` tells a
        new one (the sender; its commit marks the update handled)."""
        if self._session is not None:
            self._prepare(self._session.sync_session)

    async def _hold(self) -> None:
        """A commit of the update's session, held back (PostgreSQL: one transaction fewer)
        or made now (SQLite: a held write lock would stall the other updates' writers)."""
        session = self.session
        if self.db.is_sqlite or asyncio.current_task() is not self._owner:
            await session.commit()
            return
        await session.flush()
        self.held = True

    async def keep_held(self) -> None:
        """Commit the changes held back, without what the handler left unflushed (those are
        dropped, as they always were): when the update ends, well or not, a step it took is
        kept, as if it had been committed at once."""
        session = self._session
        if not self.held or session is None:
            return
        for obj in list(session.new) + list(session.deleted):
            session.expunge(obj)
        for obj in list(session.dirty):
            session.expire(obj)
        try:
            await session.commit()
        except Exception:  # noqa: BLE001 - the update failed in the database: nothing to keep
            log.warning("update %s: the changes held for its commit were lost", self.taken)
            await session.rollback()

    async def release(self) -> None:
        """Commit what the session holds back (before a Bot API call or another transaction)."""
        if self.held and self._session is not None and asyncio.current_task() is self._owner:
            await self._session.commit()

    async def read(self, fn: Callable[..., Any], params: dict[str, Any]) -> Any:
        """Run ``fn(connection, **params)`` in the update's own transaction (see Database.read)."""
        if self.taken is None or asyncio.current_task() is not self._owner:
            return NOT_JOINED
        return await self.session.run_sync(lambda session: fn(session.connection(), **params))

    def _dropped(self, _session: Session, _previous: Any) -> None:
        if self.held:
            log.warning("update %s: a rollback dropped changes held for its commit", self.taken)
        self.held = False

    def _finish_with(self, session: Session) -> None:
        if self.taken is not None and not self.finished:
            inbox.finish(session.connection(), update_id=self.taken)

    def _finished(self, _session: Session) -> None:
        if self.taken is not None:
            self.finished = True
        self.held = False

    @property
    def session_open(self) -> bool:
        """True once a handler has used the session."""
        return self._session is not None

    async def close(self) -> None:
        """Close the session; anything not committed is rolled back."""
        if self._session is not None:
            await self._session.close()
            self._session.sync_session.info.pop(SCOPE, None)
            self._session = None


_scope: ContextVar[UpdateScope | None] = ContextVar("gongyou_update_scope", default=None)
#: ``Session.info`` key: the update scope whose taken update the session's commit marks handled.
SCOPE = "gongyou_scope"


@event.listens_for(UpdateSession, "before_commit")
def _before_commit(session: Session) -> None:
    scope: UpdateScope | None = session.info.get(SCOPE)
    if scope is not None:
        scope._finish_with(session)


@event.listens_for(UpdateSession, "after_commit")
def _after_commit(session: Session) -> None:
    scope: UpdateScope | None = session.info.get(SCOPE)
    if scope is not None:
        scope._finished(session)


@event.listens_for(UpdateSession, "after_soft_rollback")
def _after_soft_rollback(session: Session, previous: Any) -> None:
    scope: UpdateScope | None = session.info.get(SCOPE)
    if scope is not None:
        scope._dropped(session, previous)


def current_scope() -> UpdateScope:
    """The scope of the update being handled (raises outside update handling)."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("no update is being handled")
    return scope


class GongyouContext(
    CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
):
    """CallbackContext with the update's database session, user, language and translations."""

    @property
    def services(self) -> Services:
        """The application's services."""
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def notifier(self) -> Notifier:
        """How service functions send messages (the application's Telegram notifier)."""
        notifier = self.services.notifier
        if notifier is None:
            raise RuntimeError("the application has no notifier yet")
        return notifier

    @property
    def scope(self) -> UpdateScope:
        """The current update's scope."""
        return current_scope()

    @property
    def db(self) -> AsyncSession:
        """The current update's database session."""
        return current_scope().session

    @property
    def user(self) -> Member | None:
        """The current user (None for updates without a user)."""
        return current_scope().user

    @property
    def lang(self) -> str:
        """The current user's language."""
        scope = _scope.get()
        return scope.language if scope else self.services.settings.default_language

    def t(self, key: str, **args: Any) -> str:
        """Translate a catalog key into the current user's language."""
        return t(self.lang, key, **args)

    def today(self) -> date:
        """Today's date in the union's time zone (``GONGYOU_TIMEZONE``)."""
        from bot.core.clock import today_in

        return today_in(self.services.settings.timezone, utcnow())

    def has_role(self, *roles: Role) -> bool:
        """True if the current user holds one of ``roles`` (admins hold all)."""
        user = self.user
        return user is not None and user.has_role(*roles)

    async def reply(
        self,
        update: Update,
        key: str,
        *,
        keyboard: InlineKeyboardMarkup | None = None,
        **args: Any,
    ) -> Message | None:
        """Send a translated message to the chat the update came from."""
        chat = update.effective_chat
        if chat is None:
            return None
        thread = None
        if update.effective_message is not None and update.effective_message.is_topic_message:
            thread = update.effective_message.message_thread_id
        return await self.bot.send_message(
            chat.id, self.t(key, **args), reply_markup=keyboard, message_thread_id=thread
        )


def bind_scope(scope: UpdateScope) -> Any:
    """Make ``scope`` current (for this task); returns the token for :func:`unbind_scope`."""
    scope._owner = asyncio.current_task()
    return _scope.set(scope), CURRENT.set(scope)


def unbind_scope(token: Any) -> None:
    """Restore the previous scope."""
    scope_token, current_token = token
    CURRENT.reset(current_token)
    _scope.reset(scope_token)


AppType = Application[
    ExtBot[None], GongyouContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
