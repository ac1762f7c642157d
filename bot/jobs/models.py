"""Jobs: employers, postings, reports, contact views, seekers, alerts, broadcasts.

Every change here needs an Alembic revision in bot/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp


class EmploymentType(StrEnum):
    """How a job is offered."""

    full_time = "full_time"
    part_time = "part_time"
    daily = "daily"
    seasonal = "seasonal"


class PayUnit(StrEnum):
    """What a pay figure is per; a posting without a unit has pay 'to be agreed' (面议)."""

    hour = "hour"
    day = "day"
    month = "month"
    piece = "piece"


class PostingStatus(StrEnum):
    """Where a job posting is in its life; only ``published`` postings reach workers."""

    draft = "draft"
    pending = "pending"
    published = "published"
    expired = "expired"
    withdrawn = "withdrawn"
    rejected = "rejected"


class PostingSource(StrEnum):
    """Who put a posting into the bot."""

    staff_import = "staff_import"
    employer = "employer"


class Employer(SQLModel, table=True):
    # An employer offering jobs; `verified` means union staff have checked its registration.
    __tablename__ = "employers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    registration_no: str | None = Field(default=None, max_length=64, unique=True)
    contact: str = Field(default="", max_length=200)
    verified: bool = False
    owner_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    created_at: datetime = timestamp()


class JobPostingBase(SQLModel):
    # What an import row or an employer can say about a job.
    title: str = Field(max_length=100)
    employer_name: str = Field(max_length=200)
    city: str = Field(default="", max_length=64)
    district: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=300)
    metro_line: str = Field(default="", max_length=32)
    metro_station: str = Field(default="", max_length=64)
    industry: str = Field(default="other", max_length=32)
    employment_type: EmploymentType = Field(
        default=EmploymentType.full_time, sa_column=Column(String(16), nullable=False)
    )
    pay_min: float | None = None
    pay_max: float | None = None
    pay_unit: PayUnit | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    pay_text: str = Field(default="", max_length=64)
    hours: str = Field(default="", max_length=200)
    requirements: str = Field(default="", max_length=1000)
    tags: int = 0
    contact: str = Field(default="", max_length=200)
    expires_on: date | None = None


class JobPosting(JobPostingBase, table=True):
    # A job on offer. `dedupe_key` (employer + title + district, normalised) makes a re-imported
    # row update the posting instead of doubling it; `search_text` feeds keyword search.
    __tablename__ = "job_postings"
    __table_args__ = (
        Index("ix_job_postings_status_published", "status", "published_at"),
        Index("ix_job_postings_dedupe", "dedupe_key", "status"),
        # Search reads what was written since it last looked (bot/jobs/search.py).
        Index("ix_job_postings_updated", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("employers.id", ondelete="SET NULL"), nullable=True),
    )
    source: PostingSource = Field(sa_column=Column(String(16), nullable=False))
    status: PostingStatus = Field(sa_column=Column(String(16), nullable=False))
    owner_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    dedupe_key: str = Field(max_length=400)
    search_text: str = Field(default="", max_length=1400)
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    review_note: str = Field(default="", max_length=300)
    reviewed_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    contact_views: int = 0
    report_count: int = 0
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class JobSearchTerm(SQLModel, table=True):
    # Which postings hold a search term: a Chinese character or a letter/digit pair of their
    # search text, or a filter value ("d:金水区"). `bits` is a bit set of posting ids from
    # `block` * 16,384 on. Bits are only ever added (search checks every posting it reads), by
    # every write of a posting's search text or filters (bot/jobs/search.py, note_terms).
    __tablename__ = "job_search_terms"

    term: str = Field(sa_column=Column(String(80), primary_key=True))
    block: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    bits: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class JobReportKind(StrEnum):
    """What a worker can report about a posting."""

    scam = "scam"
    closed = "closed"
    other = "other"


class JobReport(SQLModel, table=True):
    # A worker's report about a posting; one per worker and posting.
    __tablename__ = "job_reports"
    __table_args__ = (UniqueConstraint("posting_id", "reporter_id"),)

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(
        sa_column=Column(
            ForeignKey("job_postings.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    reporter_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    kind: JobReportKind = Field(sa_column=Column(String(16), nullable=False))
    text: str = Field(default="", max_length=300)
    created_at: datetime = timestamp()
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class JobContactView(SQLModel, table=True):
    # A worker asked to see a posting's contact (counted once per worker, so staff see interest).
    __tablename__ = "job_contact_views"

    posting_id: int = Field(
        sa_column=Column(
            ForeignKey("job_postings.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    user_id: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False, index=True)
    )
    at: datetime = timestamp()


class JobSeeker(SQLModel, table=True):
    # A worker's job-seeker registration (求职登记): what they look for, and whether alerts go out.
    __tablename__ = "job_seekers"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    industries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    metro_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: int = 0
    min_pay: float | None = None
    min_pay_unit: PayUnit | None = Field(default=None, sa_column=Column(String(8), nullable=True))
    alerts: bool = True
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class JobAlert(SQLModel, table=True):
    # A published posting that matches a seeker, waiting for (or already in) an alert batch.
    __tablename__ = "job_alerts"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    posting_id: int = Field(
        sa_column=Column(
            ForeignKey("job_postings.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    created_at: datetime = timestamp()
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))


class BroadcastStatus(StrEnum):
    """A broadcast's life: composed, its ledger written (``preparing``, in chunks; nothing is
    sent yet), then sending (or paused) until done or cancelled."""

    draft = "draft"
    preparing = "preparing"
    running = "running"
    paused = "paused"
    done = "done"
    cancelled = "cancelled"


class Broadcast(SQLModel, table=True):
    # A staff broadcast: the text, who it goes to, and its progress (one row per recipient below).
    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: BroadcastStatus = Field(
        default=BroadcastStatus.draft, sa_column=Column(String(16), nullable=False, index=True)
    )
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    text: str = Field(max_length=4096)
    total: int = 0
    created_at: datetime = timestamp()
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    #: Nothing is sent before this moment (set when confirmed inside quiet hours).
    starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    #: Staff chose to send through quiet hours; otherwise the sender rests while they last.
    ignore_quiet: bool = False


class RecipientStatus(StrEnum):
    """One recipient of a broadcast. ``sending`` is written before the message leaves; a row a
    stopped sender left there (or whose send timed out) is sent once more and becomes
    ``resent`` (it may have arrived twice), never a third time.

    ``unconfirmed`` is no longer written: rows that ended there before resending existed keep
    it (maybe delivered, not sent again).
    """

    pending = "pending"
    sending = "sending"
    sent = "sent"
    resent = "resent"
    failed = "failed"
    blocked = "blocked"
    unconfirmed = "unconfirmed"


class BroadcastRecipient(SQLModel, table=True):
    # The ledger: what happened to one broadcast for one worker.
    __tablename__ = "broadcast_recipients"
    # Fits the sender's claim (a broadcast's pending rows in user order) and the status counts.
    __table_args__ = (Index("ix_broadcast_recipients_due", "broadcast_id", "status", "user_id"),)

    broadcast_id: int = Field(
        sa_column=Column(
            ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True, nullable=False
        )
    )
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    status: RecipientStatus = Field(
        default=RecipientStatus.pending, sa_column=Column(String(16), nullable=False)
    )
    attempts: int = 0
    error: str = Field(default="", max_length=200)
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    #: An earlier try may have arrived (a stopped sender, a timeout): sent once more, then
    #: ``resent``; never tried a third time.
    doubtful: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
