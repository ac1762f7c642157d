"""The worker's side of legal help: FAQ consultations, and the intake that opens a case.

A worker's answers are collected step by step into a draft (a plain dict kept in the worker's
flow state under ``d``; dates as bot.core.when keys, "2025-03-05", "2025-03" or "2025", so a
date given only to the month or year keeps that precision); :func:`submit_intake` turns the
finished draft into a ``legal_cases`` row and its ``legal_evidence`` rows in one transaction
and ends the flow. Which steps a draft goes through depends on its category (the accident date
only for a work injury, the amount owed only where money is claimed, the phone number only if
the worker wants a call). Nothing in this module talks to Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import FlowState
from bot.core.text import TextError, checked_text
from bot.core.when import MAX_LENGTH as WHEN_MAX_LENGTH
from bot.core.when import When, WhenError, parse_date
from bot.legal.core import CATEGORIES, CONSENT_VERSION, INTAKE_FLOW
from bot.legal.models import CaseStatus, LegalCase, LegalConsultation, LegalEvidence
from bot.legal.rules import Deadline, deadline_for, is_urgent, parse_amount

CASES = LegalCase.__table__  # type: ignore[attr-defined]
EVIDENCE = LegalEvidence.__table__  # type: ignore[attr-defined]
FLOWS = FlowState.__table__  # type: ignore[attr-defined]
CONSULTATIONS = LegalConsultation.__table__  # type: ignore[attr-defined]

#: The questions of the intake, in order (also the flow steps); some depend on the draft.
STEPS = (
    "category",  # buttons
    "employer",  # optional
    "place",  # city and district
    "start",  # first day of work (optional)
    "end",  # last day of work, or "still working there" (optional)
    "incident",  # injury: accident/diagnosis date (required); dismissal: its date (optional)
    "amount",  # amount owed (optional; only where money is claimed)
    "story",  # what happened
    "evidence",  # photos and documents (optional)
    "contact",  # buttons: in the bot only, or a phone number
    "phone",  # only when the worker chose a phone number
    "consent",  # buttons
    "name",  # buttons: may the volunteer see the worker's name
)
#: The step where the finished draft waits for "submit".
SUMMARY = "summary"
#: Steps the worker may skip (the dismissal date too, see :func:`can_skip`).
OPTIONAL_STEPS = frozenset({"employer", "start", "end", "amount", "evidence"})
#: Steps answered with buttons only.
BUTTON_STEPS = frozenset({"category", "contact", "consent", "name"})
#: Steps that ask for a date.
DATE_STEPS = frozenset({"start", "end", "incident"})
#: Answers the worker can change from the summary ("start" goes on to "end").
EDITABLE = (
    "category",
    "employer",
    "place",
    "start",
    "incident",
    "amount",
    "story",
    "evidence",
    "contact",
    "name",
)
#: Categories asked for the date something happened; True where that date is required.
INCIDENT_REQUIRED = {"injury": True, "dismissal": False}
#: Categories asked for an amount owed.
AMOUNT_CATEGORIES = frozenset({"wages", "overtime", "dismissal", "injury", "insurance", "other"})
#: Most files one case can hold, and the largest a bot may fetch from Telegram.
MAX_EVIDENCE = 20
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Longest text read as a date.
MAX_DATE_LENGTH = WHEN_MAX_LENGTH
#: Shortest account of what happened that a volunteer can work with.
MIN_STORY = 10
#: Why an answer was not accepted.
INPUT_ERRORS = (
    "empty",
    "too_long",
    "too_short",
    "date",
    "date_future",
    "end_before_start",
    "amount",
    "phone",
    "evidence_full",
    "file_too_big",
)
CONTACTS = ("bot", "phone")


def _length(column: str) -> int:
    length = CASES.c[column].type.length
    assert isinstance(length, int)
    return length


#: Longest answer per column, read from the table so they can never disagree.
LIMITS: dict[str, int] = {
    "employer": _length("employer"),
    "place": _length("place"),
    "description": _length("description"),
    "phone": _length("phone"),
    "display_name": _length("display_name"),
    "file_name": EVIDENCE.c["file_name"].type.length,
    "file_id": EVIDENCE.c["file_id"].type.length,
    "file_unique_id": EVIDENCE.c["file_unique_id"].type.length,
}


class IntakeError(ValueError):
    """An answer that cannot be used; ``reason`` is one of INPUT_ERRORS."""

    def __init__(self, reason: str, *, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


# --- the draft --------------------------------------------------------------------------------


def story_from_question(question: str) -> str:
    """The worker's question as the story of a new case, or "" if it cannot serve as one."""
    try:
        return clean(question, limit=LIMITS["description"], minimum=MIN_STORY, multiline=True)
    except IntakeError:
        return ""


def new_draft(category: str | None = None, *, story: str = "") -> dict[str, Any]:
    """An empty draft (with the category already chosen, if given and known); ``story`` is
    the question the worker already typed (the story step is then skipped: it can be changed
    from the summary)."""
    return {
        "asked": bool(story),
        "category": category if category in CATEGORIES else "",
        "employer": "",
        "place": "",
        "start": None,
        "end": None,
        "still": False,
        "incident": None,
        "amount": None,
        "story": story,
        "evidence": [],
        "contact": "",
        "phone": "",
        "consent": False,
        "show_name": None,
        "name": "",
    }


def draft_of(data: dict[str, Any]) -> dict[str, Any]:
    """The full draft kept in a flow's data (missing answers blank)."""
    return {**new_draft(), **dict(data.get("d") or {})}


def applies(draft: dict[str, Any], step: str) -> bool:
    """True if the draft goes through ``step`` (it depends on the category and contact)."""
    if step == "incident":
        return draft.get("category") in INCIDENT_REQUIRED
    if step == "amount":
        return draft.get("category") in AMOUNT_CATEGORIES
    if step == "phone":
        return draft.get("contact") == "phone"
    if step == "story":
        return not draft.get("asked")
    return step in STEPS


def editable(draft: dict[str, Any], step: str) -> bool:
    """True if the summary offers to change ``step`` (the story always: it may come from the
    question the worker asked first)."""
    return step == "story" or applies(draft, step)


def steps_for(draft: dict[str, Any]) -> tuple[str, ...]:
    """The steps this draft goes through, in order."""
    return tuple(step for step in STEPS if applies(draft, step))


def can_skip(draft: dict[str, Any], step: str) -> bool:
    """True if ``step`` may be left unanswered."""
    if step == "incident":
        return not INCIDENT_REQUIRED.get(str(draft.get("category")), True)
    return step in OPTIONAL_STEPS


def next_step(draft: dict[str, Any], step: str) -> str:
    """The step after ``step`` for this draft (the summary after the last)."""
    position = STEPS.index(step) if step in STEPS else len(STEPS)
    for later in STEPS[position + 1 :]:
        if applies(draft, later):
            return later
    return SUMMARY


def previous_step(draft: dict[str, Any], step: str) -> str | None:
    """The step before ``step`` for this draft (None before the first)."""
    position = STEPS.index(step) if step in STEPS else len(STEPS)
    for earlier in reversed(STEPS[:position]):
        if applies(draft, earlier):
            return earlier
    return None


def missing_step(draft: dict[str, Any]) -> str | None:
    """The first required step this draft has not answered (None when it is complete)."""
    checks = {
        "category": draft.get("category") in CATEGORIES,
        "place": bool(draft.get("place")),
        "incident": not INCIDENT_REQUIRED.get(str(draft.get("category")), False)
        or bool(draft.get("incident")),
        "story": bool(draft.get("story")),
        "contact": draft.get("contact") in CONTACTS,
        "phone": draft.get("contact") != "phone" or bool(draft.get("phone")),
        "consent": draft.get("consent") is True,
        "name": draft.get("show_name") is not None,
    }
    for step in STEPS:
        if not checks.get(step, True):
            return step
    return None


def step_after(draft: dict[str, Any], step: str, *, editing: bool) -> str:
    """Where to go once ``step`` is answered: on, or back to the summary when editing."""
    if not editing:
        return next_step(draft, step)
    if step == "start":
        return "end"
    if step == "contact" and draft.get("contact") == "phone":
        return "phone"
    return missing_step(draft) or SUMMARY


# --- reading answers --------------------------------------------------------------------------


def clean(text: str, *, limit: int, minimum: int = 0, multiline: bool = False) -> str:
    """Trim an answer and check its length (``minimum`` to ``limit`` characters)."""
    try:
        return checked_text(
            text, limit=limit, minimum=minimum, layout="lines" if multiline else "line"
        )
    except TextError as error:
        raise IntakeError(error.reason, limit=error.limit) from error


_PHONE = re.compile(r"^\+?[0-9][0-9 \-]*$")


def parse_phone(text: str) -> str:
    """A phone number: 7 to 20 digits, with an optional +, dashes and spaces (kept: + digits)."""
    value = unicodedata.normalize("NFKC", text).strip()
    digits = re.sub(r"\D", "", value)
    if not _PHONE.match(value) or not 7 <= len(digits) <= 20:
        raise IntakeError("phone")
    return ("+" if value.startswith("+") else "") + digits


def draft_when(draft: dict[str, Any], step: str) -> When | None:
    """A date the draft holds ("start", "end" or "incident"), with its precision."""
    return When.from_key(draft.get(step))


def _date(text: str, today: date) -> When:
    try:
        return parse_date(text, today=today)
    except WhenError as error:
        if error.reason == "too_long":
            raise IntakeError("too_long", limit=MAX_DATE_LENGTH) from error
        raise IntakeError("date_future" if error.reason == "future" else "date") from error


def answer_text(draft: dict[str, Any], step: str, text: str, *, today: date) -> dict[str, Any]:
    """The draft with the typed answer to ``step``; raises IntakeError if it cannot be used."""
    changed = dict(draft)
    match step:
        case "employer":
            changed["employer"] = clean(text, limit=LIMITS["employer"])
        case "place":
            changed["place"] = clean(text, limit=LIMITS["place"])
        case "start":
            changed["start"] = _date(text, today).key
        case "end":
            end = _date(text, today)
            start = draft_when(draft, "start")
            if start is not None and end.latest < start.earliest:
                raise IntakeError("end_before_start")
            changed["end"], changed["still"] = end.key, False
        case "incident":
            changed["incident"] = _date(text, today).key
        case "amount":
            amount = parse_amount(text)
            if amount is None:
                raise IntakeError("amount")
            changed["amount"] = amount
        case "story":
            story = clean(text, limit=LIMITS["description"], minimum=MIN_STORY, multiline=True)
            changed["story"] = story
        case "phone":
            changed["phone"] = parse_phone(text)
        case _:
            raise ValueError(f"step {step!r} is not answered with text")
    return changed


def skip(draft: dict[str, Any], step: str) -> dict[str, Any]:
    """The draft with ``step`` left unanswered (evidence already sent is kept)."""
    changed = dict(draft)
    match step:
        case "employer":
            changed["employer"] = ""
        case "start":
            changed["start"] = None
        case "end":
            changed["end"], changed["still"] = None, False
        case "incident":
            changed["incident"] = None
        case "amount":
            changed["amount"] = None
    return changed


def choose_category(draft: dict[str, Any], category: str) -> dict[str, Any]:
    """The draft with its problem category."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    return {**draft, "category": category}


def still_working(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft of a worker who still works there (no end date)."""
    return {**draft, "end": None, "still": True}


def choose_contact(draft: dict[str, Any], contact: str) -> dict[str, Any]:
    """The draft with how the worker wants to be contacted (a phone number is asked next)."""
    if contact not in CONTACTS:
        raise ValueError(f"unknown contact {contact!r}")
    phone = draft.get("phone", "") if contact == "phone" else ""
    return {**draft, "contact": contact, "phone": phone}


def choose_name(draft: dict[str, Any], *, show: bool, full_name: str) -> dict[str, Any]:
    """The draft with the worker's choice about showing their name to the volunteer."""
    name = " ".join(full_name.split())[: LIMITS["display_name"]] if show else ""
    return {**draft, "show_name": show and bool(name), "name": name}


def evidence_item(
    *, kind: str, file_id: str, file_unique_id: str, file_name: str = "", size: int = 0
) -> dict[str, Any]:
    """A photo or document as the draft keeps it; raises IntakeError for a file too big."""
    if size > MAX_FILE_BYTES:
        raise IntakeError("file_too_big", limit=MAX_FILE_BYTES // (1024 * 1024))
    return {
        "kind": kind,
        "file_id": file_id[: LIMITS["file_id"]],
        "file_unique_id": file_unique_id[: LIMITS["file_unique_id"]],
        "file_name": " ".join(file_name.split())[: LIMITS["file_name"]],
        "size": max(int(size), 0),
    }


def add_evidence(conn: Connection, *, user_id: int, item: dict[str, Any]) -> int | None:
    """Add a file to the draft waiting at the evidence step; return how many it now holds.

    Returns None when the worker is not at that step. The same file sent twice is kept once.
    Raises IntakeError("evidence_full") past MAX_EVIDENCE. The flow row is locked while it is
    changed, so files of an album arriving together are all kept.
    """
    row = conn.execute(
        select(FLOWS.c.data)
        .where(
            FLOWS.c.user_id == user_id,
            FLOWS.c.flow == INTAKE_FLOW,
            FLOWS.c.step == "evidence",
        )
        .with_for_update()
    ).first()
    if row is None:
        return None
    data = dict(row.data or {})
    draft = draft_of(data)
    files = list(draft.get("evidence") or [])
    if any(f.get("file_unique_id") == item["file_unique_id"] for f in files):
        return len(files)
    if len(files) >= MAX_EVIDENCE:
        raise IntakeError("evidence_full", limit=MAX_EVIDENCE)
    files.append(item)
    draft["evidence"] = files
    data["d"] = draft
    conn.execute(update(FLOWS).where(FLOWS.c.user_id == user_id).values(data=data))
    return len(files)


# --- the case ---------------------------------------------------------------------------------


def _case_dates(draft: dict[str, Any]) -> tuple[When | None, When | None]:
    """The end of work and the date it happened, as a case keeps them (a dismissal without its
    own date: the end date)."""
    category = str(draft.get("category") or "other")
    end = None if draft.get("still") else draft_when(draft, "end")
    incident = draft_when(draft, "incident") if category in INCIDENT_REQUIRED else None
    if incident is None and category == "dismissal":
        incident = end
    return end, incident


def draft_deadline(draft: dict[str, Any]) -> Deadline | None:
    """The time limit the draft's dates give, from the earliest day each date may be."""
    end, incident = _case_dates(draft)
    return deadline_for(
        category=str(draft.get("category") or "other"),
        work_end=end.earliest if end else None,
        still_working=bool(draft.get("still")),
        incident_on=incident.earliest if incident else None,
        rough_end=end is not None and not end.exact,
        rough_incident=incident is not None and not incident.exact,
    )


def case_values(
    draft: dict[str, Any], *, user_id: int, lang: str, now: datetime, today: date
) -> dict[str, Any]:
    """The ``legal_cases`` columns of a finished draft (a rough date as its first day, with
    its precision)."""
    category = str(draft["category"])
    deadline = draft_deadline(draft)
    start = draft_when(draft, "start")
    end, incident = _case_dates(draft)
    show_name = bool(draft.get("show_name")) and bool(draft.get("name"))
    phone = str(draft.get("phone") or "") if draft.get("contact") == "phone" else ""
    amount = draft.get("amount") if category in AMOUNT_CATEGORIES else None
    return {
        "user_id": user_id,
        "lang": lang,
        "category": category,
        "employer": str(draft.get("employer") or ""),
        "place": str(draft.get("place") or ""),
        "work_start": start.earliest if start else None,
        "work_start_precision": start.precision if start else "day",
        "work_end": end.earliest if end else None,
        "work_end_precision": end.precision if end else "day",
        "still_working": bool(draft.get("still")),
        "incident_on": incident.earliest if incident else None,
        "incident_precision": incident.precision if incident else "day",
        "amount": int(amount) if amount else None,
        "description": str(draft.get("story") or ""),
        "contact": "phone" if phone else "bot",
        "phone": phone,
        "show_name": show_name,
        "display_name": str(draft.get("name") or "") if show_name else "",
        "consent_at": now,
        "consent_version": CONSENT_VERSION,
        "status": CaseStatus.open.value,
        "urgent": is_urgent(deadline, today),
        "deadline": deadline.due if deadline else None,
        "deadline_rule": deadline.rule.value if deadline else "",
        "deadline_approximate": deadline.approximate if deadline else False,
        "created_at": now,
        "updated_at": now,
    }


def draft_case(
    draft: dict[str, Any], *, user_id: int, lang: str, now: datetime, today: date
) -> LegalCase:
    """The case a draft would open (not stored), for the worker's summary."""
    values = case_values(draft, user_id=user_id, lang=lang, now=now, today=today)
    values["status"] = CaseStatus.open
    return LegalCase(**values)


@dataclass(frozen=True)
class Submitted:
    """A case the intake opened."""

    case_id: int
    deadline: Deadline | None
    urgent: bool
    evidence: int


def submit_intake(
    conn: Connection, *, user_id: int, lang: str, now: datetime, today: date
) -> Submitted | None:
    """Open the case of the draft waiting at the summary, store its evidence, end the flow.

    All in one transaction. Returns None when there is no complete draft at the summary
    (already submitted, cancelled, never made, or consent missing), so pressing "submit"
    twice never opens two cases.
    """
    row = conn.execute(
        select(FLOWS.c.data)
        .where(
            FLOWS.c.user_id == user_id,
            FLOWS.c.flow == INTAKE_FLOW,
            FLOWS.c.step == SUMMARY,
        )
        .with_for_update()
    ).first()
    if row is None:
        return None
    draft = draft_of(dict(row.data or {}))
    if missing_step(draft) is not None:
        return None
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == INTAKE_FLOW))
    values = case_values(draft, user_id=user_id, lang=lang, now=now, today=today)
    key = conn.execute(insert(CASES).values(**values)).inserted_primary_key
    assert key is not None
    case_id = int(key[0])
    files = list(draft.get("evidence") or [])[:MAX_EVIDENCE]
    if files:
        conn.execute(
            insert(EVIDENCE),
            [
                {
                    "case_id": case_id,
                    "kind": str(f.get("kind") or "document"),
                    "file_id": str(f["file_id"]),
                    "file_unique_id": str(f.get("file_unique_id") or ""),
                    "file_name": str(f.get("file_name") or ""),
                    "size": int(f.get("size") or 0),
                    "added_at": now,
                }
                for f in files
            ],
        )
    deadline = draft_deadline(draft)
    return Submitted(
        case_id=case_id,
        deadline=deadline,
        urgent=bool(values["urgent"]),
        evidence=len(files),
    )


# --- FAQ consultations ------------------------------------------------------------------------


async def record_consultation(
    session: AsyncSession,
    *,
    user_id: int | None,
    entry_id: str,
    score: float,
    lang: str,
    now: datetime,
    commit: bool = True,
) -> int:
    """Store an answer the FAQ gave; return its id (for the "did this help?" buttons).

    ``commit=False`` only flushes (the id is known): the caller commits once the answer has
    left, so a crash in between runs the handler again rather than losing the answer.
    """
    consultation = LegalConsultation(
        user_id=user_id, entry_id=entry_id, score=round(score, 1), lang=lang, at=now
    )
    session.add(consultation)
    if commit:
        await session.commit()
    else:
        await session.flush()
    assert consultation.id is not None
    return consultation.id


async def mark_helped(
    session: AsyncSession, *, consultation_id: int, user_id: int, helped: bool
) -> str | None:
    """Record whether an answer helped; return its entry id.

    Returns None unless the consultation exists, was given to ``user_id`` and has not been
    rated yet, so only the worker who got the answer can rate it, and only once.
    """
    result = await session.exec(
        update(CONSULTATIONS)
        .where(
            CONSULTATIONS.c.id == consultation_id,
            CONSULTATIONS.c.user_id == user_id,
            CONSULTATIONS.c.helped.is_(None),
        )
        .values(helped=helped)
    )
    if result.rowcount != 1:
        return None  # nothing changed
    await session.commit()
    consultation = await session.get(LegalConsultation, consultation_id)
    return consultation.entry_id if consultation is not None else None
