"""Legal cases after the intake: the volunteers' group, the relay both ways, follow-through.

A new case is posted to the volunteers' group (a forum topic of its own, or, in a group without
topics, a root message that volunteers reply to). The bot keeps its own map of Telegram messages
to cases (``legal_messages``), so a reply anywhere in the conversation finds its case without
relying on forwards, which hide the sender when the worker's privacy settings say so.

Claiming, releasing and closing are conditional UPDATEs: two volunteers pressing the same button
at the same moment cannot both win. Messages go out first and are recorded after they left, in
one commit per action; a failed delivery is logged and answered, never half written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.core.clock import today_in
from bot.core.models import AuditLog, Role, User, utcnow
from bot.core.notify import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    Attachment,
    Blocked,
    Button,
    DeliveryError,
    Notifier,
    Outgoing,
    Sent,
    fit,
)
from bot.core.users import SENDER_FACTS, audit, role_holders
from bot.db import Database
from bot.i18n import t
from bot.legal.core import case_label, case_summary, category_name
from bot.legal.models import (
    CaseOutcome,
    CaseStatus,
    LegalCase,
    LegalConsultation,
    LegalEvidence,
    LegalMessage,
)

log = logging.getLogger(__name__)

CASES: Table = LegalCase.__table__  # type: ignore[attr-defined]
MESSAGES: Table = LegalMessage.__table__  # type: ignore[attr-defined]
EVIDENCE: Table = LegalEvidence.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]
CONSULTATIONS: Table = LegalConsultation.__table__  # type: ignore[attr-defined]

#: A case still waiting for its first announcement this long is announced by the follow-up.
ANNOUNCE_GRACE = timedelta(minutes=2)
#: Cases listed by /cases, and by the worker's /my_cases.
LIST_LIMIT = 20
MY_LIMIT = 10
#: The longest text a worker can add to a case in one message.
MAX_WORKER_TEXT = 2000
#: Telegram's limit on topic names.
TOPIC_NAME_LIMIT = 128
#: The ratings a worker can give (1 worst, 5 best).
RATINGS = (1, 2, 3, 4, 5)
#: The worker's latest additions shown in a volunteer's view of the case.
RECENT_ADDITIONS = 3
#: Plain text a worker types this long after a volunteer's message (outside any flow) is taken
#: as their answer to it, while the case is open.
ANSWER_WINDOW = timedelta(hours=48)
#: Open cases: waiting for a volunteer, or being worked on.
ACTIVE = (CaseStatus.open.value, CaseStatus.claimed.value)
#: Direction of a message row (see LegalMessage).
FROM_WORKER = "worker"
TO_WORKER = "volunteer"
BOT_POST = "bot"

#: Button actions of the service (the Telegram side writes the callback data of each, once).
VIEW_CASE = "legal.case.view"
LIST_CASES = "legal.case.list"
CLAIM_CASE = "legal.case.claim"
RELEASE_CASE = "legal.case.release"
ASK_WORKER = "legal.case.ask"
CLOSE_CASE = "legal.case.close"
TOGGLE_NAME = "legal.case.name"
SHOW_EVIDENCE = "legal.case.evidence"
START_DRAFT = "legal.draft.start"
REPLY_TO_CASE = "legal.worker.reply"
RATE_CASE = "legal.worker.rate"

#: Buttons under a message, by rows.
Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Content:
    """One message to relay: text, or a photo or document (by Telegram file id) with a caption."""

    kind: str
    text: str = ""
    file_id: str = ""
    file_unique_id: str = ""
    file_name: str = ""
    size: int = 0


@dataclass(frozen=True)
class Relayed:
    """How a worker's message to their case went: ``result`` is 'delivered', 'saved' (kept, no
    one could be told now) or 'closed'; the ids are of the case's message rows (the worker's
    message, and the bot's copy for the volunteers if one was posted)."""

    result: str
    worker_row: int | None = None
    post_row: int | None = None


@dataclass(frozen=True)
class Retracted:
    """A worker's message taken back out of their case: its text, and where the volunteers'
    copy sits (chat id, message id), if one was posted."""

    case: LegalCase
    text: str
    copy: tuple[int, int] | None


@dataclass
class FollowUp:
    """What one follow-up run did."""

    announced: int = 0
    reannounced: int = 0
    escalated: int = 0


# --- reading ----------------------------------------------------------------------------------


async def get_case(session: AsyncSession, *, case_id: int) -> LegalCase | None:
    """A case as the database holds it now."""
    return await session.get(LegalCase, case_id, populate_existing=True)


async def evidence_of(session: AsyncSession, *, case_id: int) -> list[LegalEvidence]:
    """The files attached to a case, oldest first."""
    rows = await session.exec(
        select(LegalEvidence)
        .where(col(LegalEvidence.case_id) == case_id)
        .order_by(col(LegalEvidence.id))
    )
    return list(rows.all())


async def count_evidence(session: AsyncSession, *, case_id: int) -> int:
    """How many files are attached to a case."""
    rows = await session.exec(
        select(func.count())
        .select_from(LegalEvidence)
        .where(col(LegalEvidence.case_id) == case_id)
    )
    return int(rows.one())


async def recent_additions(session: AsyncSession, *, case_id: int) -> list[str]:
    """The texts of the worker's latest messages to the case (oldest of them first)."""
    rows = await session.exec(
        select(LegalMessage.text)
        .where(
            col(LegalMessage.case_id) == case_id,
            col(LegalMessage.direction) == FROM_WORKER,
            col(LegalMessage.text) != "",
        )
        .order_by(col(LegalMessage.id).desc())
        .limit(RECENT_ADDITIONS)
    )
    return list(reversed(rows.all()))


async def active_cases(session: AsyncSession, *, limit: int = LIST_LIMIT) -> list[LegalCase]:
    """Open and claimed cases: urgent first, then the longest waiting."""
    rows = await session.exec(
        select(LegalCase)
        .where(col(LegalCase.status).in_(ACTIVE))
        .order_by(col(LegalCase.urgent).desc(), col(LegalCase.created_at), col(LegalCase.id))
        .limit(limit)
    )
    return list(rows.all())


async def worker_cases(
    session: AsyncSession, *, user_id: int, limit: int = MY_LIMIT
) -> list[LegalCase]:
    """A worker's cases, newest first."""
    rows = await session.exec(
        select(LegalCase)
        .where(col(LegalCase.user_id) == user_id)
        .order_by(col(LegalCase.created_at).desc(), col(LegalCase.id).desc())
        .limit(limit)
    )
    return list(rows.all())


async def case_by_thread(
    session: AsyncSession, *, chat_id: int, thread_id: int
) -> LegalCase | None:
    """The case whose forum topic (or fallback thread root) is ``thread_id`` in ``chat_id``."""
    rows = await session.exec(
        select(LegalCase)
        .where(
            col(LegalCase.chat_id) == chat_id,
            or_(
                col(LegalCase.thread_id) == thread_id, col(LegalCase.root_message_id) == thread_id
            ),
        )
        .limit(1)
    )
    return rows.first()


async def case_by_message(
    session: AsyncSession, *, chat_id: int, message_id: int
) -> LegalCase | None:
    """The case a Telegram message belongs to, by the bot's own map of messages."""
    found = await session.exec(
        select(LegalMessage.case_id).where(
            col(LegalMessage.chat_id) == chat_id, col(LegalMessage.message_id) == message_id
        )
    )
    case_id = found.first()
    if case_id is not None:
        return await get_case(session, case_id=case_id)
    rows = await session.exec(
        select(LegalCase)
        .where(col(LegalCase.chat_id) == chat_id, col(LegalCase.root_message_id) == message_id)
        .limit(1)
    )
    return rows.first()


async def hinted(session: AsyncSession, *, case_id: int, user_id: int) -> bool:
    """True if the 'claim the case first' hint was already given to this person on this case."""
    rows = await session.exec(
        select(LegalMessage.id)
        .where(
            col(LegalMessage.case_id) == case_id,
            col(LegalMessage.direction) == BOT_POST,
            col(LegalMessage.author_id) == user_id,
        )
        .limit(1)
    )
    return rows.first() is not None


# --- texts and buttons ------------------------------------------------------------------------


def age_text(lang: str, delta: timedelta) -> str:
    """How long ago, e.g. '45 分钟', '5 小时', '2 天 3 小时'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return t(lang, "lc-age-minutes", n=minutes)
    hours = minutes // 60
    if hours < 24:
        return t(lang, "lc-age-hours", n=hours)
    return t(lang, "lc-age-days", days=hours // 24, hours=hours % 24)


def topic_name(lang: str, case: LegalCase) -> str:
    """The forum topic's name: number, category and an urgent mark; no personal data."""
    assert case.id is not None
    number, category = case_label(case.id), category_name(lang, case.category)
    if case.urgent:
        name = t(lang, "lc-topic-name-urgent", number=number, category=category)
    else:
        name = t(lang, "lc-topic-name", number=number, category=category)
    return name[:TOPIC_NAME_LIMIT]


def case_keyboard(
    lang: str,
    case: LegalCase,
    *,
    evidence: int,
    viewer_id: int | None,
    can_act: bool = True,
    listing: bool = False,
) -> Buttons:
    """The actions on a case (no rows: none). ``viewer_id`` None: the buttons everyone sees."""
    assert case.id is not None
    cid = case.id

    def button(text: str, action: str) -> Button:
        return Button(text, action, (cid,))

    mine = viewer_id is None or case.claimed_by == viewer_id
    claimed = case.status == CaseStatus.claimed
    rows: list[list[Button]] = []
    if can_act and case.status != CaseStatus.closed:
        first = []
        if case.status == CaseStatus.open:
            first.append(button(t(lang, "lc-btn-claim"), CLAIM_CASE))
        elif mine:
            first.append(button(t(lang, "lc-btn-release"), RELEASE_CASE))
        if viewer_id is None or (claimed and mine):
            first.append(button(t(lang, "lc-btn-ask"), ASK_WORKER))
        if mine or case.status == CaseStatus.open:
            first.append(button(t(lang, "lc-btn-close"), CLOSE_CASE))
        rows.append(first)
        if claimed and mine:
            label = "lc-btn-name-on" if case.volunteer_named else "lc-btn-name-off"
            rows.append([button(t(lang, label), TOGGLE_NAME)])
    extra = []
    if evidence:
        extra.append(button(t(lang, "lc-btn-evidence", count=evidence), SHOW_EVIDENCE))
    took_part = viewer_id is None or viewer_id in (case.claimed_by, case.closed_by)
    if can_act and case.status != CaseStatus.open and took_part:
        extra.append(button(t(lang, "lc-btn-draft"), START_DRAFT))
    if extra:
        rows.append(extra)
    if listing:
        rows.append([Button(t(lang, "lc-btn-list"), LIST_CASES)])
    return tuple(tuple(row) for row in rows if row)


def view_button(lang: str, case_id: int) -> Buttons:
    """A single button that opens the case."""
    label = t(lang, "lc-btn-view", number=case_label(case_id))
    return ((Button(label, VIEW_CASE, (case_id,)),),)


def rating_keyboard(case_id: int) -> Buttons:
    """Five buttons for the worker's rating."""
    return (
        tuple(Button("⭐" * n, RATE_CASE, (case_id, n)) for n in RATINGS[:3]),
        tuple(Button("⭐" * n, RATE_CASE, (case_id, n)) for n in RATINGS[3:]),
    )


def placement(case: LegalCase) -> tuple[int | None, int | None]:
    """Where in the volunteers' group a post about ``case`` goes: (thread id, message replied to).

    Its topic, or under its root message; neither before it was announced.
    """
    if case.thread_id is not None:
        return case.thread_id, None
    return None, case.root_message_id


def _headed(header: str, content: Content) -> str:
    """A relayed text under its header, cut to what Telegram accepts."""
    limit = MESSAGE_LIMIT if content.kind == "text" else CAPTION_LIMIT
    body = content.text.strip()
    return fit(f"{header}\n{body}" if body else header, limit)


def remember(
    session: AsyncSession,
    *,
    case_id: int,
    chat_id: int,
    message_id: int,
    direction: str,
    author_id: int | None = None,
    text: str = "",
) -> LegalMessage:
    """Add a message row to the session, so that a reply to that message finds the case."""
    row = LegalMessage(
        case_id=case_id,
        chat_id=chat_id,
        message_id=message_id,
        direction=direction,
        author_id=author_id,
        text=fit(text, MESSAGE_LIMIT),
    )
    session.add(row)
    return row


def _outgoing(
    content: Content,
    text: str,
    buttons: Buttons = (),
    *,
    thread_id: int | None = None,
    reply_to: int | None = None,
) -> Outgoing:
    """``content`` as a new message of the bot with ``text`` as its text or caption."""
    attachment: Attachment | None = None
    if content.kind == "photo":
        attachment = Attachment("photo", content.file_id)
    elif content.kind == "document":
        attachment = Attachment("document", content.file_id)
    return Outgoing(
        text, buttons=buttons, attachment=attachment, thread_id=thread_id, reply_to=reply_to
    )


# --- announcing -------------------------------------------------------------------------------


async def announce_case(
    notifier: Notifier, db: Database, settings: Settings, *, case_id: int, now: datetime
) -> None:
    """Post a new case to the volunteers' group: its own topic, the summary, the evidence.

    Without topics the summary becomes the case's thread root. Without a volunteers' group there
    is nothing to post (volunteers use /cases). A delivery error is logged and the case stays
    unannounced: the follow-up tries again.
    """
    async with db.session() as session:
        case = await get_case(session, case_id=case_id)
        if case is None or case.announced_at is not None or case.status == CaseStatus.closed:
            return
        assert case.id is not None
        chat_id = settings.volunteers_chat_id
        if chat_id is None:
            case.announced_at = now
            session.add(case)
            await audit(
                session, actor_id=None, action="legal.case.announce", subject=f"case:{case.id}"
            )
            await session.commit()
            return
        lang = settings.default_language
        try:
            if case.chat_id != chat_id:
                await _open_topic(notifier, session, case, chat_id, lang)
            await _post_case(notifier, session, case, settings, now=now)
        except DeliveryError:
            log.warning("case %s could not be announced; retried later", case.id, exc_info=True)
            return
        log.info("case %s announced in chat %s", case.id, chat_id)


async def _open_topic(
    notifier: Notifier, session: AsyncSession, case: LegalCase, chat_id: int, lang: str
) -> None:
    """Create the case's forum topic (kept at once, so a retry does not create a second one)."""
    thread_id = await notifier.open_topic(chat_id, topic_name(lang, case))
    if thread_id is None:
        log.info("chat %s has no topics: case %s gets a thread", chat_id, case.id)
    case.chat_id, case.thread_id, case.root_message_id = chat_id, thread_id, None
    session.add(case)
    await session.commit()


async def _post_case(
    notifier: Notifier,
    session: AsyncSession,
    case: LegalCase,
    settings: Settings,
    *,
    now: datetime,
) -> None:
    """Post the summary and the evidence into the case's topic or thread; mark it announced."""
    assert case.id is not None
    assert case.chat_id is not None
    lang = settings.default_language
    files = await evidence_of(session, case_id=case.id)
    summary = case_summary(lang, case, evidence=len(files), today=today_in(settings.timezone, now))
    hint = "lc-announce-hint-topic" if case.thread_id is not None else "lc-announce-hint-thread"
    text = "\n\n".join([t(lang, "lc-announce-header"), summary, t(lang, hint)])
    buttons = case_keyboard(lang, case, evidence=len(files), viewer_id=None)
    root = await notifier.send(
        case.chat_id, Outgoing(text, buttons=buttons, thread_id=case.thread_id)
    )
    posts = [root]
    if case.thread_id is None:
        case.root_message_id = root.message_id
    thread_id, reply_to = placement(case)
    for index, item in enumerate(files, start=1):
        caption = t(
            lang, "lc-evidence-caption", number=case_label(case.id), index=index, total=len(files)
        )
        content = Content(
            kind="document" if item.kind == "document" else "photo", file_id=item.file_id
        )
        message = _outgoing(content, caption, thread_id=thread_id, reply_to=reply_to)
        try:
            posts.append(await notifier.send(case.chat_id, message))
        except DeliveryError:
            log.warning("evidence %s of case %s could not be posted", item.id, case.id)
    for post in posts:
        remember(
            session,
            case_id=case.id,
            chat_id=post.chat_id,
            message_id=post.message_id,
            direction=BOT_POST,
        )
    case.announced_at = now
    session.add(case)
    await audit(
        session,
        actor_id=None,
        action="legal.case.announce",
        subject=f"case:{case.id}",
        detail={"chat": case.chat_id, "thread": case.thread_id, "root": case.root_message_id},
    )
    await session.commit()


async def post_note(
    notifier: Notifier,
    session: AsyncSession,
    settings: Settings,
    case: LegalCase,
    text: str,
    *,
    buttons: Buttons = (),
    hint_for: int | None = None,
) -> Sent | None:
    """Post a note about ``case`` in its topic or thread (or the group); None if not posted.

    ``hint_for`` marks the note as the 'claim first' hint given to that person.
    """
    assert case.id is not None
    if case.chat_id is not None:
        chat_id = case.chat_id
        thread_id, reply_to = placement(case)
    elif settings.volunteers_chat_id is not None:
        chat_id, thread_id, reply_to = settings.volunteers_chat_id, None, None
    else:
        return None
    message = Outgoing(text, buttons=buttons, thread_id=thread_id, reply_to=reply_to)
    try:
        posted = await notifier.send(chat_id, message)
    except DeliveryError:
        log.warning("note on case %s could not be posted", case.id, exc_info=True)
        return None
    remember(
        session,
        case_id=case.id,
        chat_id=posted.chat_id,
        message_id=posted.message_id,
        direction=BOT_POST,
        author_id=hint_for,
    )
    await session.commit()
    return posted


async def close_topic(notifier: Notifier, case: LegalCase) -> None:
    """Close the case's forum topic, if it has one."""
    if case.chat_id is None or case.thread_id is None:
        return
    try:
        await notifier.close_topic(case.chat_id, case.thread_id)
    except DeliveryError:
        log.info("topic of case %s could not be closed", case.id, exc_info=True)


async def notify_worker(
    notifier: Notifier, case: LegalCase, text: str, buttons: Buttons = ()
) -> bool:
    """Tell the case's worker something; False if they are gone or could not be reached."""
    if case.user_id is None:
        return False
    try:
        await notifier.send(case.user_id, Outgoing(text, buttons=buttons))
    except DeliveryError:
        log.info("worker of case %s could not be told", case.id, exc_info=True)
        return False
    return True


# --- volunteer actions ------------------------------------------------------------------------


async def claim_case(
    session: AsyncSession, *, case_id: int, volunteer_id: int, now: datetime
) -> LegalCase | None:
    """Give an open case to ``volunteer_id``; None if it is not open (someone else was faster)."""
    await session.commit()  # end any read, so the claim starts a fresh transaction
    result = await session.exec(
        update(CASES)
        .where(CASES.c.id == case_id, CASES.c.status == CaseStatus.open.value)
        .values(
            status=CaseStatus.claimed.value,
            claimed_by=volunteer_id,
            claimed_at=now,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        await session.commit()  # nothing changed; keeps loaded rows usable
        return None
    await audit(
        session, actor_id=volunteer_id, action="legal.case.claim", subject=f"case:{case_id}"
    )
    await session.commit()
    return await get_case(session, case_id=case_id)


async def release_case(
    session: AsyncSession, *, case_id: int, actor_id: int, now: datetime
) -> LegalCase | None:
    """Put a claimed case back to open; None unless ``actor_id`` claimed it.

    Only the claimer gives a case back: staff may look at cases but not act on them, and an
    admin who must end someone else's claim closes the case instead.
    """
    await session.commit()
    result = await session.exec(
        update(CASES)
        .where(
            CASES.c.id == case_id,
            CASES.c.status == CaseStatus.claimed.value,
            CASES.c.claimed_by == actor_id,
        )
        .values(
            status=CaseStatus.open.value,
            claimed_by=None,
            claimed_at=None,
            volunteer_named=False,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        await session.commit()  # nothing changed; keeps loaded rows usable
        return None
    await audit(session, actor_id=actor_id, action="legal.case.release", subject=f"case:{case_id}")
    await session.commit()
    return await get_case(session, case_id=case_id)


async def claimed_cases(session: AsyncSession, *, volunteer_id: int) -> list[LegalCase]:
    """The cases ``volunteer_id`` has claimed and not closed, oldest first."""
    found = await session.exec(
        select(LegalCase)
        .where(
            col(LegalCase.claimed_by) == volunteer_id,
            col(LegalCase.status) == CaseStatus.claimed.value,
        )
        .order_by(col(LegalCase.id))
    )
    return list(found.all())


async def hand_over_cases(
    notifier: Notifier | None,
    session: AsyncSession,
    settings: Settings,
    *,
    volunteer_id: int,
    now: datetime,
    lost_role: bool = False,
) -> list[LegalCase]:
    """Give every case ``volunteer_id`` claimed back to the queue (a volunteer leaving with
    /forget, or losing the role), each released and audited as its claimer would, and tell the
    volunteers' group under each case, with the claim button (when the bot runs here: with no
    ``notifier`` the cases wait in the queue and the volunteers' list); return the cases
    released."""
    released = []
    for claimed in await claimed_cases(session, volunteer_id=volunteer_id):
        assert claimed.id is not None
        case = await release_case(session, case_id=claimed.id, actor_id=volunteer_id, now=now)
        if case is None:
            continue  # closed or released in the meantime
        released.append(case)
        if notifier is None:
            continue
        lang = settings.default_language
        evidence = await count_evidence(session, case_id=claimed.id)
        buttons = case_keyboard(lang, case, evidence=evidence, viewer_id=None)
        note = t(lang, "lc-note-released-role" if lost_role else "lc-note-released-left")
        await post_note(notifier, session, settings, case, note, buttons=buttons)
    return released


#: Roles that may act on legal cases (admins hold every role).
CASE_ROLES = frozenset({Role.volunteer_legal.value, Role.admin.value})


async def after_role_revoked(
    notifier: Notifier | None,
    session: AsyncSession,
    settings: Settings,
    *,
    user_id: int,
    now: datetime,
) -> list[LegalCase]:
    """Once a role is taken from ``user_id``: if they may no longer act on legal cases, every
    case they claimed goes back to the queue (:func:`hand_over_cases`), instead of waiting for
    a claimer who can no longer answer; return the cases released."""
    user = await session.get(User, user_id)
    if user_id in settings.admin_ids or (user is not None and CASE_ROLES & set(user.roles)):
        return []
    return await hand_over_cases(
        notifier,
        session,
        settings,
        volunteer_id=user_id,
        now=now,
        lost_role=True,
    )


async def close_case(
    session: AsyncSession,
    *,
    case_id: int,
    actor_id: int,
    outcome: CaseOutcome,
    now: datetime,
    anyone: bool = False,
    owner_id: int | None = None,
) -> LegalCase | None:
    """Close a case with ``outcome``; None if it was closed already or is not the actor's.

    A volunteer closes an open case or one they claimed (``anyone``: any case, for admins); a
    worker (``owner_id``) closes their own case as withdrawn.
    """
    await session.commit()
    condition = [CASES.c.id == case_id, CASES.c.status.in_(ACTIVE)]
    if owner_id is not None:
        condition.append(CASES.c.user_id == owner_id)
    elif not anyone:
        condition.append(
            or_(CASES.c.status == CaseStatus.open.value, CASES.c.claimed_by == actor_id)
        )
    result = await session.exec(
        update(CASES)
        .where(*condition)
        .values(
            status=CaseStatus.closed.value,
            outcome=outcome.value,
            closed_at=now,
            closed_by=actor_id,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        await session.commit()  # nothing changed; keeps loaded rows usable
        return None
    await audit(
        session,
        actor_id=actor_id,
        action="legal.case.close",
        subject=f"case:{case_id}",
        detail={"outcome": outcome.value},
    )
    await session.commit()
    return await get_case(session, case_id=case_id)


async def toggle_named(
    session: AsyncSession, *, case_id: int, volunteer_id: int, now: datetime
) -> LegalCase | None:
    """Switch whether the worker sees the claimer's first name; None if not the claimer's."""
    await session.commit()
    result = await session.exec(
        update(CASES)
        .where(
            CASES.c.id == case_id,
            CASES.c.status == CaseStatus.claimed.value,
            CASES.c.claimed_by == volunteer_id,
        )
        .values(volunteer_named=~CASES.c.volunteer_named, updated_at=now)
    )
    if result.rowcount != 1:
        await session.commit()  # nothing changed; keeps loaded rows usable
        return None
    await session.commit()
    return await get_case(session, case_id=case_id)


async def rate_case(session: AsyncSession, *, case_id: int, user_id: int, rating: int) -> str:
    """Store the worker's rating once: 'rated', 'already' (rated before) or 'stale'."""
    if rating not in RATINGS:
        return "stale"
    await session.commit()
    result = await session.exec(
        update(CASES)
        .where(
            CASES.c.id == case_id,
            CASES.c.user_id == user_id,
            CASES.c.status == CaseStatus.closed.value,
            CASES.c.rating.is_(None),
        )
        .values(rating=rating)
    )
    if result.rowcount == 1:
        await session.commit()
        return "rated"
    await session.commit()  # nothing changed; keeps loaded rows usable
    case = await get_case(session, case_id=case_id)
    if case is not None and case.user_id == user_id and case.rating is not None:
        return "already"
    return "stale"


# --- the relay --------------------------------------------------------------------------------


async def relay_to_worker(
    notifier: Notifier,
    session: AsyncSession,
    *,
    case: LegalCase,
    volunteer_id: int,
    volunteer_name: str,
    content: Content,
    now: datetime,
) -> str:
    """Send a volunteer's message to the worker as a new message of the bot, under the case.

    Returns 'sent', 'closed', 'gone' (the worker asked to be forgotten), 'blocked' or 'failed'.
    """
    assert case.id is not None
    if case.status == CaseStatus.closed:
        return "closed"
    if case.user_id is None:
        return "gone"
    lang, number = case.lang, case_label(case.id)
    if case.volunteer_named and volunteer_name:
        header = t(lang, "lw-from-volunteer-named", number=number, name=volunteer_name[:64])
    else:
        header = t(lang, "lw-from-volunteer", number=number)
    buttons = ((Button(t(lang, "lw-btn-reply"), REPLY_TO_CASE, (case.id,)),),)
    await session.commit()  # end any read before the message leaves and its rows are written
    try:
        sent = await notifier.send(
            case.user_id, _outgoing(content, _headed(header, content), buttons)
        )
    except Blocked:
        log.info("worker of case %s blocked the bot", case.id)
        return "blocked"
    except DeliveryError:
        log.warning("message to the worker of case %s failed", case.id, exc_info=True)
        return "failed"
    remember(
        session,
        case_id=case.id,
        chat_id=sent.chat_id,
        message_id=sent.message_id,
        direction=TO_WORKER,
        author_id=volunteer_id,
        text=content.text,
    )
    await session.exec(
        update(CASES)
        .where(CASES.c.id == case.id, CASES.c.first_reply_at.is_(None))
        .values(first_reply_at=now)
    )
    await session.commit()
    return "sent"


async def relay_to_case(
    notifier: Notifier,
    session: AsyncSession,
    settings: Settings,
    *,
    case: LegalCase,
    worker_chat_id: int,
    worker_message_id: int,
    content: Content,
    now: datetime,
) -> Relayed:
    """Add a worker's message to their case and pass it on to the volunteers.

    It goes into the case's topic (or thread), or without a group privately to the claimer, as a
    new message of the bot headed with the case number (never a forward). Photos and documents
    become evidence too. The result says 'delivered', 'saved' (kept, but no one could be told
    now) or 'closed'.
    """
    assert case.id is not None
    if case.status == CaseStatus.closed:
        return Relayed("closed")
    number = case_label(case.id)
    posted: Sent | None = None
    await session.commit()
    if case.chat_id is not None or settings.volunteers_chat_id is not None:
        lang = settings.default_language
        header = t(lang, "lc-from-worker", number=number)
        chat_id = case.chat_id if case.chat_id is not None else settings.volunteers_chat_id
        assert chat_id is not None
        thread_id, reply_to = placement(case) if case.chat_id is not None else (None, None)
        message = _outgoing(
            content, _headed(header, content), thread_id=thread_id, reply_to=reply_to
        )
        try:
            posted = await notifier.send(chat_id, message)
        except DeliveryError:
            log.warning("message of case %s could not be posted", case.id, exc_info=True)
    elif case.claimed_by is not None:
        lang = await language_of(session, user_id=case.claimed_by)
        header = t(lang, "lc-from-worker", number=number)
        buttons = ((Button(t(lang, "lc-btn-answer"), ASK_WORKER, (case.id,)),),)
        message = _outgoing(content, _headed(header, content), buttons)
        try:
            posted = await notifier.send(case.claimed_by, message)
        except DeliveryError:
            log.warning("message of case %s could not reach its claimer", case.id, exc_info=True)
    mine = remember(
        session,
        case_id=case.id,
        chat_id=worker_chat_id,
        message_id=worker_message_id,
        direction=FROM_WORKER,
        author_id=case.user_id,
        text=content.text,
    )
    copy = None
    if posted is not None:
        copy = remember(
            session,
            case_id=case.id,
            chat_id=posted.chat_id,
            message_id=posted.message_id,
            direction=BOT_POST,
            text=content.text,
        )
    if content.kind in ("photo", "document"):
        session.add(
            LegalEvidence(
                case_id=case.id,
                kind=content.kind,
                file_id=content.file_id[:256],
                file_unique_id=content.file_unique_id[:128],
                file_name=content.file_name[:200],
                size=content.size,
                added_at=now,
            )
        )
    await session.exec(update(CASES).where(CASES.c.id == case.id).values(updated_at=now))
    await session.commit()
    return Relayed(
        "delivered" if posted is not None else "saved",
        worker_row=mine.id,
        post_row=copy.id if copy is not None else None,
    )


#: The sender fact the receive step reads for :func:`may_await_answer`.
LAST_ANSWER_FACT = "legal.last_volunteer_message"


def _last_volunteer_message(user_id: Any) -> Any:
    """When a volunteer last wrote to the worker on a case still open (a scalar subquery)."""
    # one table per SELECT: inside RETURNING, SQLite leaves every column name unqualified;
    # the statuses as comparisons, not IN (...): SQLAlchemy would write an expanded list into
    # the SQL text again at each execution of the statement that takes every update
    active = or_(*(CASES.c.status == status for status in ACTIVE))
    open_cases = select(CASES.c.id).where(CASES.c.user_id == user_id, active)
    return (
        select(func.max(MESSAGES.c.at))
        .where(MESSAGES.c.direction == TO_WORKER, MESSAGES.c.case_id.in_(open_cases))
        .scalar_subquery()
    )


SENDER_FACTS[LAST_ANSWER_FACT] = _last_volunteer_message


def may_await_answer(
    facts: dict[str, Any], *, now: datetime, window: timedelta = ANSWER_WINDOW
) -> bool:
    """False when the facts read with the update show no volunteer wrote to the worker within
    ``window`` on an open case (so :func:`awaiting_answer` need not be asked)."""
    if LAST_ANSWER_FACT not in facts:
        return True
    last = facts[LAST_ANSWER_FACT]
    return last is not None and last >= now - window


async def awaiting_answer(
    session: AsyncSession, *, user_id: int, now: datetime, window: timedelta = ANSWER_WINDOW
) -> LegalCase | None:
    """The worker's open case with the latest volunteer message of the last ``window``; None
    if no volunteer wrote to them in that time on a case still open."""
    rows = await session.exec(
        select(LegalCase)
        .join(LegalMessage, col(LegalMessage.case_id) == col(LegalCase.id))
        .where(
            col(LegalCase.user_id) == user_id,
            col(LegalCase.status).in_(ACTIVE),
            col(LegalMessage.direction) == TO_WORKER,
            col(LegalMessage.at) >= now - window,
        )
        .order_by(col(LegalMessage.at).desc(), col(LegalMessage.id).desc())
        .limit(1)
    )
    return rows.first()


async def retract_from_case(
    session: AsyncSession, *, user_id: int, worker_row: int, post_row: int | None
) -> Retracted | None:
    """Take a worker's text message back out of their case (it was not meant for the lawyer).

    ``worker_row`` is the row of the worker's message, ``post_row`` that of the bot's copy for
    the volunteers (as :class:`Relayed` gave them). Both rows go, with an audit record; the
    caller deletes the copy in Telegram. None if the rows are not this worker's (or are gone:
    taken back already).
    """
    await session.commit()
    mine = await session.get(LegalMessage, worker_row, populate_existing=True)
    if (
        mine is None
        or mine.direction != FROM_WORKER
        or mine.author_id != user_id
        or mine.chat_id != user_id
    ):
        return None
    case = await get_case(session, case_id=mine.case_id)
    if case is None or case.id is None or case.user_id != user_id:
        return None
    copy = None
    if post_row is not None:
        copy = await session.get(LegalMessage, post_row, populate_existing=True)
        if (
            copy is None
            or copy.case_id != case.id
            or copy.direction != BOT_POST
            or copy.id is None
            or copy.id < worker_row
            or copy.text != mine.text
        ):
            return None
    text = mine.text
    where = (copy.chat_id, copy.message_id) if copy is not None else None
    taken = await session.exec(delete(MESSAGES).where(MESSAGES.c.id == worker_row))
    if taken.rowcount != 1:
        await session.commit()  # taken back by a press a moment ago
        return None
    if copy is not None:
        await session.exec(delete(MESSAGES).where(MESSAGES.c.id == copy.id))
    await audit(
        session,
        actor_id=user_id,
        action="legal.case.retract",
        subject=f"case:{case.id}",
        detail={"posted": where is not None},
    )
    await session.commit()
    return Retracted(case=case, text=text, copy=where)


async def language_of(session: AsyncSession, *, user_id: int) -> str:
    """The language a user chose (Chinese for someone the bot does not know)."""
    user = await session.get(User, user_id)
    return user.language if user is not None else "zh"


# --- follow-up --------------------------------------------------------------------------------


async def follow_up(
    notifier: Notifier, db: Database, settings: Settings, *, now: datetime
) -> FollowUp:
    """Announce what failed to be announced, remind the group of waiting cases, escalate.

    An open case is announced again every ``legal_reannounce_hours`` while no one claims it, and
    once ``legal_escalate_hours`` after it was opened every staff member is told (no personal
    data: number, category, age, urgency). Each reminder and escalation is claimed with a
    conditional UPDATE before it is sent, so two replicas never send the same one twice.
    """
    done = FollowUp()
    async with db.session() as session:
        pending = await session.exec(
            select(LegalCase.id).where(
                col(LegalCase.announced_at).is_(None),
                col(LegalCase.status).in_(ACTIVE),
                col(LegalCase.created_at) <= now - ANNOUNCE_GRACE,
            )
        )
        unannounced = [int(case_id) for case_id in pending.all() if case_id is not None]
    for case_id in unannounced:
        await announce_case(notifier, db, settings, case_id=case_id, now=now)
        async with db.session() as session:
            case = await get_case(session, case_id=case_id)
            if case is not None and case.announced_at is not None:
                done.announced += 1
    reannounce = timedelta(hours=settings.legal_reannounce_hours)
    escalate = timedelta(hours=settings.legal_escalate_hours)
    async with db.session() as session:
        due = await session.exec(
            select(LegalCase.id).where(
                col(LegalCase.status) == CaseStatus.open.value,
                col(LegalCase.announced_at) <= now - reannounce,
            )
        )
        reminders = [int(case_id) for case_id in due.all() if case_id is not None]
        due = await session.exec(
            select(LegalCase.id).where(
                col(LegalCase.status) == CaseStatus.open.value,
                col(LegalCase.escalated_at).is_(None),
                col(LegalCase.created_at) <= now - escalate,
            )
        )
        escalations = [int(case_id) for case_id in due.all() if case_id is not None]
    if settings.volunteers_chat_id is not None:
        for case_id in reminders:
            if await _remind(notifier, db, settings, case_id=case_id, now=now, after=reannounce):
                done.reannounced += 1
    for case_id in escalations:
        if await _escalate(notifier, db, case_id=case_id, now=now, after=escalate):
            done.escalated += 1
    return done


async def _remind(
    notifier: Notifier,
    db: Database,
    settings: Settings,
    *,
    case_id: int,
    now: datetime,
    after: timedelta,
) -> bool:
    """Claim one reminder (announced_at moves to now) and post it in the case's topic."""
    async with db.session() as session:
        result = await session.exec(
            update(CASES)
            .where(
                CASES.c.id == case_id,
                CASES.c.status == CaseStatus.open.value,
                CASES.c.announced_at <= now - after,
            )
            .values(announced_at=now, reannounced=CASES.c.reannounced + 1)
        )
        if result.rowcount != 1:
            return False
        await session.commit()
        case = await get_case(session, case_id=case_id)
        assert case is not None
        assert case.id is not None
        lang = settings.default_language
        key = "lc-reminder-urgent" if case.urgent else "lc-reminder"
        text = t(
            lang,
            key,
            number=case_label(case.id),
            category=category_name(lang, case.category),
            age=age_text(lang, now - case.created_at),
        )
        evidence = await count_evidence(session, case_id=case.id)
        buttons = case_keyboard(lang, case, evidence=evidence, viewer_id=None)
        posted = await post_note(notifier, session, settings, case, text, buttons=buttons)
        return posted is not None


async def _escalate(
    notifier: Notifier, db: Database, *, case_id: int, now: datetime, after: timedelta
) -> bool:
    """Claim the escalation of one case and tell every staff member."""
    async with db.session() as session:
        result = await session.exec(
            update(CASES)
            .where(
                CASES.c.id == case_id,
                CASES.c.status == CaseStatus.open.value,
                CASES.c.escalated_at.is_(None),
                CASES.c.created_at <= now - after,
            )
            .values(escalated_at=now)
        )
        if result.rowcount != 1:
            return False
        await session.commit()
        case = await get_case(session, case_id=case_id)
        staff = [user for user in await role_holders(session) if user.has_role(Role.staff)]
    assert case is not None
    assert case.id is not None
    for member in staff:
        lang = member.language
        key = "lc-escalation-urgent" if case.urgent else "lc-escalation"
        text = t(
            lang,
            key,
            number=case_label(case.id),
            category=category_name(lang, case.category),
            age=age_text(lang, now - case.created_at),
        )
        try:
            await notifier.send(member.id, Outgoing(text, buttons=view_button(lang, case.id)))
        except DeliveryError:
            log.info("staff member %s could not be told about case %s", member.id, case.id)
    log.info("case %s escalated to %d staff members", case.id, len(staff))
    return True


# --- forgetting -------------------------------------------------------------------------------

#: What an anonymised case keeps of the person: nothing (category, dates, outcome stay).
ANONYMOUS = {
    "user_id": None,
    "employer": "",
    "place": "",
    "description": "",
    "phone": "",
    "contact": "bot",
    "display_name": "",
    "show_name": False,
}


async def forget_legal_user(session: AsyncSession, user_id: int) -> list[str]:
    """Anonymise a worker's cases and consultations (for /forget); keep what statistics need.

    Personal fields are cleared, evidence and conversation rows deleted, open cases closed as
    withdrawn; category, dates, outcome and rating stay, no longer linked to the person.
    """
    owned = await session.exec(select(LegalCase.id).where(col(LegalCase.user_id) == user_id))
    case_ids = [int(case_id) for case_id in owned.all() if case_id is not None]
    consulted = await session.exec(
        update(CONSULTATIONS).where(CONSULTATIONS.c.user_id == user_id).values(user_id=None)
    )
    if not case_ids and not consulted.rowcount:
        return []
    if case_ids:
        now = utcnow()
        await session.exec(delete(EVIDENCE).where(EVIDENCE.c.case_id.in_(case_ids)))
        await session.exec(delete(MESSAGES).where(MESSAGES.c.case_id.in_(case_ids)))
        await session.exec(
            update(CASES)
            .where(CASES.c.id.in_(case_ids), CASES.c.status.in_(ACTIVE))
            .values(
                status=CaseStatus.closed.value,
                outcome=CaseOutcome.withdrawn.value,
                closed_at=now,
                closed_by=None,
            )
        )
        await session.exec(
            update(CASES).where(CASES.c.id.in_(case_ids)).values(**ANONYMOUS, updated_at=now)
        )
    return ["forget-item-legal"]


def anonymise_closed_cases(conn: Connection, *, months: int, now: datetime) -> int:
    """Anonymise cases closed more than ``months`` months (of 30 days) ago, as /forget would:
    evidence and conversation rows deleted, personal fields cleared; return how many."""
    cutoff = now - timedelta(days=30 * months)
    due = sa_select(CASES.c.id).where(
        CASES.c.status == CaseStatus.closed.value,
        CASES.c.closed_at < cutoff,
        CASES.c.user_id.is_not(None),
    )
    case_ids = [int(case_id) for case_id in conn.execute(due).scalars()]
    if not case_ids:
        return 0
    conn.execute(delete(EVIDENCE).where(EVIDENCE.c.case_id.in_(case_ids)))
    conn.execute(delete(MESSAGES).where(MESSAGES.c.case_id.in_(case_ids)))
    conn.execute(update(CASES).where(CASES.c.id.in_(case_ids)).values(**ANONYMOUS, updated_at=now))
    conn.execute(
        AUDIT.insert().values(
            actor_id=None,
            action="legal.retention",
            subject="legal_cases",
            detail={"cases": len(case_ids), "months": months},
            at=now,
        )
    )
    return len(case_ids)
