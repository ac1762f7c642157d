"""The legal FAQ the bot answers from: the curated files plus entries staff approved from drafts.

Approved drafts live in the database, so every replica sees them; each process keeps the matcher
it built and rebuilds it when the set of approved drafts changes (checked at most every
``REFRESH_EVERY`` seconds, and at once in the process that approved one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import select

from bot.db import Database
from bot.legal.models import DraftStatus, LegalDraft
from knowledge.legal import LegalEntry, LegalKB, default_kb

#: How often (seconds) a process looks for newly approved drafts.
REFRESH_EVERY = 60.0
LANGS = ("zh", "en")


def draft_entry_id(draft_id: int) -> str:
    """The knowledge-entry id of an approved draft."""
    return f"draft.{draft_id}"


def draft_entry(draft: LegalDraft) -> LegalEntry:
    """An approved draft as a knowledge entry (in the language it was written in)."""
    assert draft.id is not None
    lang = draft.lang if draft.lang in LANGS else "zh"
    phrases = tuple(dict.fromkeys([draft.question, *draft.phrases]))
    return LegalEntry(
        id=draft_entry_id(draft.id),
        category=draft.category,
        title={lang: draft.question},
        answer={lang: draft.answer},
        phrases={lang: phrases},
        cites=(),
        related=(),
    )


@dataclass
class _Cache:
    kb: LegalKB | None = None
    signature: tuple[int, int] | None = None
    checked: float = 0.0


_cache = _Cache()


async def _signature(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        row = (
            await session.exec(
                select(func.count(), func.coalesce(func.max(LegalDraft.id), 0)).where(
                    LegalDraft.status == DraftStatus.approved
                )
            )
        ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def current_kb(db: Database, *, force: bool = False) -> LegalKB:
    """The knowledge base with every approved draft in it."""
    now = time.monotonic()
    if not force and _cache.kb is not None and now - _cache.checked < REFRESH_EVERY:
        return _cache.kb
    signature = await _signature(db)
    _cache.checked = now
    if _cache.kb is not None and signature == _cache.signature:
        return _cache.kb
    async with db.session() as session:
        drafts = (
            await session.exec(
                select(LegalDraft)
                .where(LegalDraft.status == DraftStatus.approved)
                .order_by(LegalDraft.id)  # type: ignore[arg-type]
            )
        ).all()
    base = default_kb()
    _cache.kb = base.with_entries(draft_entry(d) for d in drafts) if drafts else base
    _cache.signature = signature
    return _cache.kb


def forget_cached_kb() -> None:
    """Drop the cached knowledge base (after an approval, and between tests)."""
    _cache.kb = None
    _cache.signature = None
    _cache.checked = 0.0
