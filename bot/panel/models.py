"""The staff panel's tables: one-time sign-in links and signed-in sessions.

Neither keeps a secret in the clear: a link's token and a session's id live only in the
person's hands (the message, the cookie); the tables hold their SHA-256 hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey
from sqlmodel import Field, SQLModel

from bot.core.models import UTCDateTime, timestamp


def _user_column() -> Column[int]:
    return Column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )


class PanelLink(SQLModel, table=True):
    # A one-time sign-in link: the hash of its token, whose it is, until when, when used.
    __tablename__ = "panel_links"

    token_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(sa_column=_user_column())
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class PanelSession(SQLModel, table=True):
    # A signed-in browser: the hash of its cookie, its form token, language and last activity.
    __tablename__ = "panel_sessions"

    id_hash: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(sa_column=_user_column())
    csrf: str = Field(max_length=64)
    language: str = Field(default="zh", max_length=8)
    created_at: datetime = timestamp()
    last_seen: datetime = timestamp()
