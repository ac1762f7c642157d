"""Volunteers' drafts of FAQ entries and their review by staff: typed service functions.

A volunteer turns a good answer into a draft (question, more phrasings, answer, category); staff
approve or reject it. Approved drafts join the FAQ (bot.legal.kb builds them in). An FAQ answer
is read by anyone, so a draft must not carry a worker's personal data: text holding a mainland
mobile number or an ID-card number is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import FlowState, User
from bot.core.users import audit
from bot.legal.core import CATEGORIES
from bot.legal.models import DraftStatus, LegalCase, LegalDraft, LegalMessage

QUESTION_MIN, QUESTION_MAX = 5, 300
PHRASE_MAX, PHRASES_MAX = 100, 10
ANSWER_MIN, ANSWER_MAX = 20, 3000
#: Pending drafts `/legal drafts` lists at once.
LIST_LIMIT = 10

#: An 11-digit mainland mobile number.
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
#: A resident ID-card number: 17 digits and a check digit or X.
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)", re.IGNORECASE)
#: Spaces and dashes between digits ("138 0013 8000") are read through.
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\-]+(?=\d)")

DraftError = Literal["short", "long", "many", "phone", "id_card"]


class DraftInputError(ValueError):
    """A volunteer's answer that cannot be taken; ``limit`` is the bound it broke, if any."""

    def __init__(self, reason: DraftError, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason: DraftError = reason
        self.limit = limit


def personal_data(text: str) -> DraftError | None:
    """``"id_card"`` or ``"phone"`` if ``text`` holds such a number, else None."""
    compact = _DIGIT_GAP.sub("", unicodedata.normalize("NFKC", text))
    if ID_CARD.search(compact):
        return "id_card"
    if PHONE.search(compact):
        return "phone"
    return None


def _clean(text: str, *, low: int, high: int) -> str:
    value = text.strip()
    if len(value) < low:
        raise DraftInputError("short", low)
    if len(value) > high:
        raise DraftInputError("long", high)
    if found := personal_data(value):
        raise DraftInputError(found)
    return value


def clean_question(text: str) -> str:
    """The question as a worker would ask it (5-300 characters, no personal data)."""
    return _clean(text, low=QUESTION_MIN, high=QUESTION_MAX)


def clean_phrases(text: str) -> list[str]:
    """Other ways to ask, one per line (at most 10, each at most 100 characters)."""
    lines = [line.strip() for line in text.splitlines()]
    phrases = list(dict.fromkeys(line for line in lines if line))
    if len(phrases) > PHRASES_MAX:
        raise DraftInputError("many", PHRASES_MAX)
    return [_clean(phrase, low=1, high=PHRASE_MAX) for phrase in phrases]


def clean_answer(text: str) -> str:
    """The answer (20-3000 characters, no personal data)."""
    return _clean(text, low=ANSWER_MIN, high=ANSWER_MAX)


# --- drafting ---------------------------------------------------------------------------------


async def get_case(session: AsyncSession, *, case_id: int) -> LegalCase | None:
    """A case by id."""
    return await session.get(LegalCase, case_id)


def may_draft_from(case: LegalCase, *, user_id: int, staff: bool) -> bool:
    """True if ``user_id`` may draft from the case: they claimed or closed it, or are staff."""
    return staff or user_id in (case.claimed_by, case.closed_by)


async def last_volunteer_message(
    session: AsyncSession, *, case_id: int, author_id: int
) -> str | None:
    """The text of the last message ``author_id`` sent the worker on a case, if any."""
    found = await session.exec(
        select(LegalMessage.text)
        .where(
            LegalMessage.case_id == case_id,
            LegalMessage.direction == "volunteer",
            LegalMessage.author_id == author_id,
            LegalMessage.text != "",
        )
        .order_by(col(LegalMessage.at).desc(), col(LegalMessage.id).desc())
        .limit(1)
    )
    return found.first()


@dataclass(frozen=True)
class DraftInput:
    """A finished draft, as the volunteer previewed it."""

    case_id: int | None
    category: str
    question: str
    phrases: list[str]
    answer: str


async def submit_draft(
    session: AsyncSession, *, author_id: int, lang: str, draft: DraftInput, now: datetime
) -> LegalDraft:
    """Store the draft for review and end the author's draft flow (one transaction)."""
    case_id = draft.case_id
    if case_id is not None and await session.get(LegalCase, case_id) is None:
        case_id = None  # the case is gone; the draft stands on its own
    row = LegalDraft(
        case_id=case_id,
        author_id=author_id,
        category=draft.category if draft.category in CATEGORIES else "other",
        lang=lang,
        question=draft.question,
        phrases=list(draft.phrases),
        answer=draft.answer,
        status=DraftStatus.pending,
        created_at=now,
    )
    session.add(row)
    state = await session.get(FlowState, author_id)
    if state is not None:
        await session.delete(state)
    await session.commit()
    await session.refresh(row)
    return row


# --- review -----------------------------------------------------------------------------------


async def pending_drafts(session: AsyncSession, *, limit: int = LIST_LIMIT) -> list[LegalDraft]:
    """The oldest drafts waiting for review."""
    found = await session.exec(
        select(LegalDraft)
        .where(LegalDraft.status == DraftStatus.pending)
        .order_by(col(LegalDraft.created_at), col(LegalDraft.id))
        .limit(limit)
    )
    return list(found.all())


async def pending_count(session: AsyncSession) -> int:
    """How many drafts wait for review."""
    found = await session.exec(
        select(func.count())
        .select_from(LegalDraft)
        .where(LegalDraft.status == DraftStatus.pending)
    )
    return int(found.one())


async def get_draft(session: AsyncSession, *, draft_id: int) -> LegalDraft | None:
    """A draft by id."""
    return await session.get(LegalDraft, draft_id)


ReviewOutcome = Literal["done", "missing", "reviewed"]


@dataclass(frozen=True)
class Review:
    """What came of a staff decision: ``done``, or why not (no such draft, already reviewed)."""

    outcome: ReviewOutcome
    draft: LegalDraft | None = None
    author_language: str = "zh"


async def review_draft(
    session: AsyncSession, *, draft_id: int, staff_id: int, approve: bool, now: datetime
) -> Review:
    """Approve or reject a pending draft, with its audit record, in one transaction.

    Only a draft still pending changes, so of two staff pressing at once one decides and the
    other is told it was already reviewed.
    """
    status = DraftStatus.approved if approve else DraftStatus.rejected
    result = await session.exec(
        update(LegalDraft)
        .where(col(LegalDraft.id) == draft_id, col(LegalDraft.status) == DraftStatus.pending)
        .values(status=status, reviewed_by=staff_id, reviewed_at=now)
    )
    if result.rowcount != 1:  # nothing changed
        draft = await session.get(LegalDraft, draft_id)
        return Review("missing" if draft is None else "reviewed", draft)
    await audit(
        session,
        actor_id=staff_id,
        action="legal.draft.approve" if approve else "legal.draft.reject",
        subject=f"draft:{draft_id}",
    )
    await session.commit()
    draft = await session.get(LegalDraft, draft_id, populate_existing=True)
    assert draft is not None
    author = await session.get(User, draft.author_id)
    return Review("done", draft, author.language if author is not None else draft.lang)
