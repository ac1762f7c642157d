"""SQLModel tables. Every change here needs an Alembic revision in bot/migrations/versions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
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


def _ts(*, index: bool = False) -> Any:
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
    first_seen: datetime = _ts()
    last_seen: datetime = _ts()

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
    updated_at: datetime = _ts()


class ProcessedUpdate(SQLModel, table=True):
    # Telegram update ids already handled, so a redelivered update is ignored.
    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = _ts(index=True)


class AuditLog(SQLModel, table=True):
    # Who did what to whom: role changes and every staff/volunteer view of personal data.
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    action: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    subject: str = Field(default="", max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StationStatus(StrEnum):
    """Whether a post station is receiving workers."""

    open = "open"
    temporarily_closed = "temporarily_closed"
    closed = "closed"


class StationBase(SQLModel):
    # What an import file or staff can say about a union post station.
    external_id: str | None = Field(default=None, max_length=64, unique=True)
    name: str = Field(max_length=200, index=True)
    address: str = Field(default="", max_length=300)
    city: str = Field(default="", max_length=64)
    district: str = Field(default="", max_length=64, index=True)
    lat: float = Field(index=True)
    lon: float
    source_crs: str = Field(default="wgs84", max_length=8)
    amenities: int = Field(default=0)
    hours: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    hours_text: str = Field(default="", max_length=200)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    phone: str | None = Field(default=None, max_length=64)
    managing_union: str | None = Field(default=None, max_length=200)
    status: StationStatus = Field(
        default=StationStatus.open, sa_column=Column(String(24), nullable=False)
    )
    verified_on: date | None = None
    demo: bool = False


class Station(StationBase, table=True):
    # A union post station (工会驿站); coordinates are WGS-84, `cell` is the grid-cell index key.
    __tablename__ = "stations"
    # The nearest query reads candidates from this index alone (no table rows).
    __table_args__ = (
        Index("ix_stations_cell_cover", "cell", "amenities", "status", "lat", "lon", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cell: int = Field(sa_column=Column(BigInteger, nullable=False))
    flagged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ReportKind(StrEnum):
    """What a worker can report about a station."""

    closed = "closed"
    no_water = "no_water"
    charging_broken = "charging_broken"
    other = "other"


class StationReport(SQLModel, table=True):
    # A worker's report that a station is not as listed; one per worker, station and day.
    __tablename__ = "station_reports"
    __table_args__ = (UniqueConstraint("station_id", "reporter_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(
        sa_column=Column(ForeignKey("stations.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reporter_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    kind: ReportKind = Field(sa_column=Column(String(24), nullable=False))
    text: str = Field(default="", max_length=300)
    day: date
    created_at: datetime = _ts(index=True)
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolved_by: int | None = Field(default=None, sa_column=Column(BigInteger))


# --- jobs -------------------------------------------------------------------------------------


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
    created_at: datetime = _ts()


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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


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
    created_at: datetime = _ts()
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
    at: datetime = _ts()


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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


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
    created_at: datetime = _ts()
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))


class BroadcastStatus(StrEnum):
    """A broadcast's life: composed, then sending (or paused) until done or cancelled."""

    draft = "draft"
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
    created_at: datetime = _ts()
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class RecipientStatus(StrEnum):
    """One recipient of a broadcast. ``sending`` is written before the message leaves, so after
    a crash such a row is never sent again (it becomes ``unconfirmed``)."""

    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    blocked = "blocked"
    unconfirmed = "unconfirmed"


class BroadcastRecipient(SQLModel, table=True):
    # The ledger: what happened to one broadcast for one worker.
    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_state", "broadcast_id", "status"),)

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


class Lease(SQLModel, table=True):
    # A named lease so that among several replicas only one runs a job (e.g. the broadcast sender).
    __tablename__ = "leases"

    name: str = Field(max_length=64, primary_key=True)
    owner: str = Field(max_length=128)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


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
    __table_args__ = (Index("ix_legal_cases_status_created", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # None once the worker has asked the bot to forget them (the case is kept, anonymised).
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    lang: str = Field(default="zh", max_length=8)
    category: str = Field(max_length=16)
    employer: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=100)
    work_start: date | None = None
    work_end: date | None = None
    still_working: bool = False
    incident_on: date | None = None
    amount: int | None = None
    description: str = Field(default="", max_length=2000)
    contact: str = Field(default="bot", max_length=8)
    phone: str = Field(default="", max_length=32)
    show_name: bool = False
    display_name: str = Field(default="", max_length=64)
    consent_at: datetime = _ts()
    consent_version: str = Field(default="", max_length=16)
    status: CaseStatus = Field(
        default=CaseStatus.open, sa_column=Column(String(16), nullable=False)
    )
    urgent: bool = False
    deadline: date | None = None
    deadline_rule: str = Field(default="", max_length=32)
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
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


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
    added_at: datetime = _ts()


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
    at: datetime = _ts()


class LegalConsultation(SQLModel, table=True):
    # An answer the legal FAQ gave, and whether the worker said it helped (for statistics).
    __tablename__ = "legal_consultations"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    entry_id: str = Field(max_length=32)
    score: float = 0.0
    helped: bool | None = None
    lang: str = Field(default="zh", max_length=8)
    at: datetime = _ts(index=True)


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
    created_at: datetime = _ts()


class MemberCard(SQLModel, table=True):
    # One member of the union's roster, kept only as a keyed hash of card number and name.
    __tablename__ = "member_roster"

    card_hash: str = Field(max_length=64, primary_key=True)
    batch: str = Field(default="", max_length=64)
    imported_at: datetime = _ts()


class MemberVerification(SQLModel, table=True):
    # A Telegram account proved to belong to a roster member (card, name and own phone).
    __tablename__ = "member_verifications"

    user_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    card_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    verified_at: datetime = _ts()


class VerifyAttempt(SQLModel, table=True):
    # A try at proving membership (card number and name), counted against the daily limit.
    __tablename__ = "member_verify_attempts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    ok: bool = False
    at: datetime = _ts()


class ProfileStatus(StrEnum):
    """A matchmaking profile waits for a matchmaker, who approves it, asks for changes or not."""

    pending = "pending"
    approved = "approved"
    changes = "changes"
    rejected = "rejected"


class Visibility(StrEnum):
    """Who may see a matchmaking profile."""

    matchmakers = "matchmakers"
    members = "members"


class MatchProfile(SQLModel, table=True):
    # A member's matchmaking profile (no name, no contact details: those stay with Telegram).
    __tablename__ = "match_profiles"
    __table_args__ = (
        Index("ix_match_profiles_pool", "status", "visibility", "gender", "birth_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    status: ProfileStatus = Field(
        default=ProfileStatus.pending, sa_column=Column(String(16), nullable=False)
    )
    paused: bool = False
    # True while 3 or more reports wait for a matchmaker.
    hidden: bool = False
    gender: str = Field(max_length=1)
    birth_year: int
    city: str = Field(default="", max_length=32)
    district: str = Field(default="", max_length=32)
    education: str = Field(default="", max_length=16)
    occupation: str = Field(default="", max_length=40)
    height_cm: int | None = None
    intro: str = Field(default="", max_length=300)
    want_gender: str = Field(default="", max_length=1)
    want_age_min: int = 18
    want_age_max: int = 99
    # "|二七区|金水区|" (empty: any district), so one LIKE can test membership in SQL.
    want_districts: str = Field(default="", max_length=400)
    want_other: str = Field(default="", max_length=200)
    # One bit per entry of bot.match_core.INTERESTS.
    interests: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    photo_file_id: str = Field(default="", max_length=256)
    visibility: Visibility = Field(
        default=Visibility.members, sa_column=Column(String(16), nullable=False)
    )
    consent_at: datetime = _ts()
    consent_version: str = Field(default="", max_length=16)
    review_note: str = Field(default="", max_length=300)
    reviewed_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The member's Telegram @username and first name, refreshed when they use the service;
    # given to the other member only after both said yes.
    tg_username: str = Field(default="", max_length=64)
    tg_name: str = Field(default="", max_length=64)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class MatchDecision(SQLModel, table=True):
    # What a member did with a suggested profile: like, skip, block or report (remembered).
    __tablename__ = "match_decisions"
    __table_args__ = (Index("ix_match_decisions_target", "target_id", "decision"),)

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    target_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    decision: str = Field(max_length=8)
    at: datetime = _ts()


class MatchSuggestion(SQLModel, table=True):
    # A profile shown to a member as a suggestion, on a given day (for the daily limit).
    __tablename__ = "match_suggestions"
    __table_args__ = (
        UniqueConstraint("user_id", "target_id"),
        Index("ix_match_suggestions_user_day", "user_id", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    day: date
    score: int = 0
    at: datetime = _ts()


class MatchPair(SQLModel, table=True):
    # Two members who both said yes (a mutual like, or an accepted introduction).
    __tablename__ = "match_pairs"
    __table_args__ = (UniqueConstraint("a_id", "b_id"),)

    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    b_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    source: str = Field(default="like", max_length=8)
    at: datetime = _ts()


class MatchIntro(SQLModel, table=True):
    # An introduction a matchmaker proposed between two members; both must accept.
    __tablename__ = "match_intros"

    id: int | None = Field(default=None, primary_key=True)
    proposer_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    a_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    b_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    note: str = Field(default="", max_length=300)
    a_answer: bool | None = None
    b_answer: bool | None = None
    created_at: datetime = _ts()
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MatchReport(SQLModel, table=True):
    # A member's report of a profile, waiting for a matchmaker.
    __tablename__ = "match_reports"

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    reason: str = Field(default="", max_length=16)
    at: datetime = _ts()
    resolved_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    resolution: str = Field(default="", max_length=16)


class MatchEvent(SQLModel, table=True):
    # A union social (联谊活动) members can sign up for.
    __tablename__ = "match_events"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    place: str = Field(max_length=200)
    capacity: int
    # When set, at most half the places (rounded up) go to each gender.
    balanced: bool = False
    signup_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    cancelled: bool = False
    reminded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = _ts()


class SignupStatus(StrEnum):
    """A member's place at a social: going, or on the waiting list."""

    going = "going"
    waiting = "waiting"


class MatchSignup(SQLModel, table=True):
    # A member signed up for a social (a cancelled sign-up is deleted).
    __tablename__ = "match_signups"
    __table_args__ = (Index("ix_match_signups_event_status", "event_id", "status", "at"),)

    event_id: int = Field(
        sa_column=Column(
            ForeignKey("match_events.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The Telegram name the member signed up with, for the staff's check-in list.
    name: str = Field(default="", max_length=64)
    gender: str = Field(default="", max_length=1)
    status: SignupStatus = Field(
        default=SignupStatus.going, sa_column=Column(String(16), nullable=False)
    )
    at: datetime = _ts()
