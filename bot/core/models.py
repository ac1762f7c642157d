"""Kernel tables: users and roles, flow state (and paused flows), the update inbox, the outbox,
audit log, leases, and the updates each service handled per day.

Also the shared column types every service's tables use. Every change to a table needs an
Alembic revision in bot/migrations/versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time in UTC (all stored times are UTC)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp(*, index: bool = False) -> Any:
    """A non-null UTC timestamp column that defaults to now."""
    return Field(
        default_factory=utcnow,
        sa_column=Column(UTCDateTime(), nullable=False, index=index),
    )


class Role(StrEnum):
    """Privileged roles; a worker has none."""

    admin = "admin"
    staff = "staff"
    volunteer_legal = "volunteer_legal"
    volunteer_match = "volunteer_match"


class UserBase(SQLModel):
    # What a person chose or agreed to: language, roles, consents.
    language: str = Field(default="zh", max_length=8)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    consents: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(UserBase, table=True):
    # A Telegram user who has talked to the bot (or was given a role before doing so).
    __tablename__ = "users"

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_seen: datetime = timestamp()
    last_seen: datetime = timestamp()

    def has_role(self, *roles: Role) -> bool:
        """Return True if the user holds any of ``roles`` (admins hold every role)."""
        held = set(self.roles)
        return Role.admin in held or any(r in held for r in roles)


class FlowState(SQLModel, table=True):
    # Where a user is in a multi-step flow; one row per user, deleted when the flow ends.
    __tablename__ = "flow_state"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = timestamp()


class PausedFlow(SQLModel, table=True):
    # A flow the user left unfinished for another service; one row per user, resumable a while.
    __tablename__ = "paused_flows"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    paused_at: datetime = timestamp()


class InboxState(StrEnum):
    """Where an update in the inbox is: waiting (or being handled), handled, failed, given up."""

    new = "new"
    done = "done"
    failed = "failed"
    parked = "parked"


class InboxItem(SQLModel, table=True):
    # An update from Telegram, stored before it is acknowledged and kept until it is handled.
    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_due", "state", "next_attempt_at"),
        # a sender's updates not yet taken, for handling them in order across replicas
        Index(
            "ix_inbox_sender_open",
            "user_key",
            "update_id",
            sqlite_where=text("state = 'new'"),
            postgresql_where=text("state = 'new'"),
        ),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    #: The sender (or chat) the update belongs to: one key's updates are handled in order.
    user_key: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: The update as Telegram sent it; cleared once it has been handled.
    raw: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = timestamp(index=True)
    state: str = Field(default=InboxState.new.value, max_length=8)
    attempts: int = Field(default=0)
    #: When the update may next be taken: now for a new one, later while one is handling it.
    next_attempt_at: datetime = timestamp()
    last_error: str | None = Field(default=None, max_length=500)


class OutboxState(StrEnum):
    """Where a message in the outbox is. ``sending`` is written before it leaves; ``resent``
    means it was sent again after an attempt whose outcome was unknown (it may have come twice).
    """

    pending = "pending"
    sending = "sending"
    sent = "sent"
    resent = "resent"
    failed = "failed"
    blocked = "blocked"


class OutboxMessage(SQLModel, table=True):
    # A message that must reach someone, queued in the transaction that decided it
    # (see bot.core.outbox).
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    #: Idempotency key ("case-opened:123"): queuing the same key again does nothing.
    key: str = Field(sa_column=Column(String(128), nullable=False, unique=True))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str = Field(max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    #: Buttons: Telegram's reply_markup, or service actions ({"actions": [[...]]}).
    reply_markup: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    parse_mode: str | None = Field(default=None, max_length=16)
    preview: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    #: Sent on the outbound limiter's slower bulk bucket (alert batches).
    bulk: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    state: str = Field(default=OutboxState.pending.value, max_length=8)
    attempts: int = Field(default=0)
    #: An earlier try may have arrived (its sender stopped, or it timed out): the next
    #: successful send makes the row ``resent``, and it is not tried a third time.
    doubtful: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    #: Not sent before this (the end of quiet hours, a retry's backoff, Telegram's retry_after).
    not_before: datetime = timestamp()
    #: Who marked it ``sending``, and when (to find what a stopped sender left behind).
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = timestamp()
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, max_length=500)


class AuditLog(SQLModel, table=True):
    # Who did what to whom: role changes and every staff/volunteer view of personal data.
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = timestamp(index=True)
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    action: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    subject: str = Field(default="", max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ServiceDay(SQLModel, table=True):
    # How many updates each service handled on a day of the union's calendar (bot.core.usage):
    # counts only, nobody's id, for the staff dashboard's "messages per day by service".
    __tablename__ = "service_days"

    day: date = Field(primary_key=True)
    service: str = Field(max_length=48, primary_key=True)
    updates: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class Lease(SQLModel, table=True):
    # A named lease so that among several replicas only one runs a job (e.g. the broadcast sender).
    __tablename__ = "leases"

    name: str = Field(max_length=64, primary_key=True)
    owner: str = Field(max_length=128)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
