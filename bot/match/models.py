"""Matchmaking: profiles, decisions, suggestions, pairs, introductions, reports, socials.

Every change here needs an Alembic revision in bot/migrations/versions.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp


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
    # One bit per entry of bot.match.core.INTERESTS.
    interests: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    photo_file_id: str = Field(default="", max_length=256)
    visibility: Visibility = Field(
        default=Visibility.members, sa_column=Column(String(16), nullable=False)
    )
    consent_at: datetime = timestamp()
    consent_version: str = Field(default="", max_length=16)
    review_note: str = Field(default="", max_length=300)
    reviewed_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The member's Telegram @username and first name, refreshed when they use the service;
    # given to the other member only after both said yes.
    tg_username: str = Field(default="", max_length=64)
    tg_name: str = Field(default="", max_length=64)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class MatchDecision(SQLModel, table=True):
    # What a member did with a suggested profile: like, skip, block or report (remembered).
    __tablename__ = "match_decisions"
    __table_args__ = (Index("ix_match_decisions_target", "target_id", "decision"),)

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    target_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    decision: str = Field(max_length=8)
    at: datetime = timestamp()


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
    at: datetime = timestamp()


class MatchPair(SQLModel, table=True):
    # Two members who both said yes (a mutual like, or an accepted introduction).
    __tablename__ = "match_pairs"
    __table_args__ = (UniqueConstraint("a_id", "b_id"),)

    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    b_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    source: str = Field(default="like", max_length=8)
    at: datetime = timestamp()


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
    created_at: datetime = timestamp()
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MatchReport(SQLModel, table=True):
    # A member's report of a profile, waiting for a matchmaker.
    __tablename__ = "match_reports"

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    target_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    reason: str = Field(default="", max_length=16)
    at: datetime = timestamp()
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
    created_at: datetime = timestamp()


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
    at: datetime = timestamp()
