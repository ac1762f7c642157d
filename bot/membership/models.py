"""The union roster (keyed hashes only), verifications and attempts.

Every change here needs an Alembic revision in bot/migrations/versions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    String,
)
from sqlmodel import Field, SQLModel

from bot.core.models import timestamp


class MemberCard(SQLModel, table=True):
    # One member of the union's roster, kept only as a keyed hash of card number and name.
    __tablename__ = "member_roster"

    card_hash: str = Field(max_length=64, primary_key=True)
    batch: str = Field(default="", max_length=64)
    imported_at: datetime = timestamp()


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
    verified_at: datetime = timestamp()


class VerifyAttempt(SQLModel, table=True):
    # A try at proving membership (card number and name), counted against the daily limit.
    __tablename__ = "member_verify_attempts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    ok: bool = False
    at: datetime = timestamp()
