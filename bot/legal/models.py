"""Legal help: cases, evidence, messages, consultations, answer drafts.

Every change here needs an Alembic revision in bot/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp


class CaseStatus(StrEnum):
    """A legal case's life: open (waiting for a volunteer), claimed, closed."""

    open = "open"
    claimed = "claimed"
    closed = "closed"


class CaseOutcome(StrEnum):
    """How a legal case ended."""

    answered = "answered"
    mediation = "mediation"
    legal_aid = "legal_aid"
    withdrawn = "withdrawn"


class LegalCase(SQLModel, table=True):
    # A worker's legal-help case: what they told the intake, and how volunteers handled it.
    __tablename__ = "legal_cases"
    __table_args__ = (
        Index("ix_legal_cases_status_created", "status", "created_at"),
        # the statistics and the dashboard count the cases opened in a period
        Index("ix_legal_cases_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # None once the worker has asked the bot to forget them (the case is kept, anonymised).
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    lang: str = Field(default="zh", max_length=8)
    category: str = Field(max_length=16)
    employer: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=100)
    # A date the worker gave only roughly is kept as its first day, with its precision
    # ("day", "month" or "year", see bot/core/when.py) beside it.
    work_start: date | None = None
    work_start_precision: str = Field(default="day", max_length=8)
    work_end: date | None = None
    work_end_precision: str = Field(default="day", max_length=8)
    still_working: bool = False
    incident_on: date | None = None
    incident_precision: str = Field(default="day", max_length=8)
    amount: int | None = None
    description: str = Field(default="", max_length=2000)
    contact: str = Field(default="bot", max_length=8)
    phone: str = Field(default="", max_length=32)
    show_name: bool = False
    display_name: str = Field(default="", max_length=64)
    consent_at: datetime = timestamp()
    consent_version: str = Field(default="", max_length=16)
    status: CaseStatus = Field(
        default=CaseStatus.open, sa_column=Column(String(16), nullable=False)
    )
    urgent: bool = False
    deadline: date | None = None
    deadline_rule: str = Field(default="", max_length=32)
    # True when the deadline comes from a rough date (it is then the earliest it may be).
    deadline_approximate: bool = False
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    thread_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    root_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    announced_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    reannounced: int = 0
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    claimed_by: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    volunteer_named: bool = False
    first_reply_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    closed_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    outcome: CaseOutcome | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    rating: int | None = None
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class LegalEvidence(SQLModel, table=True):
    # A photo or document a worker attached to a case (Telegram keeps the file; we keep its id).
    __tablename__ = "legal_evidence"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(
            ForeignKey("legal_cases.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(max_length=16)
    file_id: str = Field(max_length=256)
    file_unique_id: str = Field(default="", max_length=128)
    file_name: str = Field(default="", max_length=200)
    size: int = 0
    added_at: datetime = timestamp()


class LegalMessage(SQLModel, table=True):
    # One message of a case's conversation, with where it sits in Telegram, so that a reply to
    # it (in the volunteers' group or in the worker's chat) can be traced back to its case.
    __tablename__ = "legal_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(
        sa_column=Column(
            ForeignKey("legal_cases.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # "worker" (from the worker), "volunteer" (to the worker), "bot" (the bot's own posts)
    direction: str = Field(max_length=16)
    author_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    text: str = Field(default="", max_length=4096)
    at: datetime = timestamp()


class LegalConsultation(SQLModel, table=True):
    # An answer the legal FAQ gave, and whether the worker said it helped (for statistics).
    __tablename__ = "legal_consultations"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    entry_id: str = Field(max_length=32)
    score: float = 0.0
    helped: bool | None = None
    lang: str = Field(default="zh", max_length=8)
    at: datetime = timestamp(index=True)


class DraftStatus(StrEnum):
    """A volunteer's draft FAQ entry waits for staff, who approve or reject it."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class LegalDraft(SQLModel, table=True):
    # A knowledge entry a volunteer drafted from a good answer; live in the FAQ once approved.
    __tablename__ = "legal_drafts"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("legal_cases.id", ondelete="SET NULL"), nullable=True),
    )
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    category: str = Field(max_length=16)
    lang: str = Field(default="zh", max_length=8)
    question: str = Field(max_length=300)
    phrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answer: str = Field(max_length=3000)
    status: DraftStatus = Field(
        default=DraftStatus.pending, sa_column=Column(String(16), nullable=False, index=True)
    )
    reviewed_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = timestamp()
