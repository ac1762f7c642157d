"""The staff panel's tables: one-time sign-in links, signed-in sessions, pending uploads.

Links and sessions keep no secret in the clear: a link's token and a session's id live only in the
person's hands (the message, the cookie); the tables hold their SHA-256 hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Float, ForeignKey, LargeBinary
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


class PanelUpload(SQLModel, table=True):
    # A file uploaded on the imports page on its way: checked (dry run), then imported once.
    # Kept in the database, so any replica can show it and take its confirmation; the token
    # is not a credential (only its owner may open or confirm it).
    __tablename__ = "panel_uploads"

    token: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(sa_column=_user_column())
    kind: str = Field(max_length=16)
    filename: str = Field(max_length=200)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The file itself, until it is imported, refused or dropped.
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    #: checking -> checked -> importing -> imported; or refused / failed.
    state: str = Field(max_length=16)
    #: Rows in the file: estimated from its bytes at upload, counted by the check.
    rows: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    #: Rows the running check or import has done, as it counts them (of ``rows``, which it
    #: then also counts); None until its first count arrives.
    rows_done: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: Rows the running check or import has read from the file so far, before it knows the
    #: file's total and counts rows done; None until the first is read.
    rows_read: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    #: How long the check took (seconds): until the import's first count arrives, its progress
    #: is estimated against it.
    check_seconds: float | None = Field(default=None, sa_column=Column(Float, nullable=True))
    #: What the page shows once a run is done: figures, rows by language, or the error.
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp()
    started_at: datetime = timestamp()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class PanelDraft(SQLModel, table=True):
    # A previewed broadcast waiting for "send": whose, to whom, what; sent once, by its owner.
    # Kept in the database, so the "send" may reach any replica; like an upload's, the token is
    # not a credential (only its owner may send it).
    __tablename__ = "panel_drafts"

    token: str = Field(max_length=64, primary_key=True)
    user_id: int = Field(sa_column=_user_column())
    #: The audience filters, as the bot's ``normalize_audience`` returns them.
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: ``text`` or ``weekly``.
    kind: str = Field(max_length=16)
    #: The message (empty for this week's postings).
    text: str = Field(default="", max_length=4096)
    #: The postings a weekly digest lists (ids, as previewed).
    postings: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
