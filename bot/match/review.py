"""Volunteer matchmakers' work: the review queue, the reports queue and introductions.

Every function here is plain SQLAlchemy Core run in one transaction (``Database.transact``):
the decision, its audit record and anything it ends (the matchmaker's reason flow, open
reports) are committed together. Decisions lock the row they decide on and update it only
while it is still in the state the matchmaker saw, so a double press, or two matchmakers on
the same profile, change it once. User ids are Telegram ids; matchmakers work with profile
numbers (``match_profiles.id``) and never see a member's Telegram identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Row

from bot.core.models import AuditLog, FlowState, User
from bot.i18n import t
from bot.match.core import REVIEW_FLOW
from bot.match.models import (
    MatchDecision,
    MatchIntro,
    MatchProfile,
    MatchReport,
    ProfileStatus,
    Visibility,
)
from bot.match.pairs import is_pair, make_pair

PROFILES: Table = MatchProfile.__table__  # type: ignore[attr-defined]
REPORTS: Table = MatchReport.__table__  # type: ignore[attr-defined]
INTROS: Table = MatchIntro.__table__  # type: ignore[attr-defined]
DECISIONS: Table = MatchDecision.__table__  # type: ignore[attr-defined]
USERS: Table = User.__table__  # type: ignore[attr-defined]
FLOWS: Table = FlowState.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]

#: The reasons a member can give when reporting a profile (anything else counts as "other").
REPORT_REASONS = ("fake", "rude", "money", "married", "other")
#: Decisions that keep two members apart for good (no suggestion, no introduction).
KEEP_APART = ("block", "report")
#: Profiles with open reports shown by one `/match reports`.
REPORTS_SHOWN = 5
#: The longest note a matchmaker adds to an introduction (the column's length).
NOTE_LIMIT = 300
#: Why an introduction cannot be proposed (catalog ``mr-intro-<reason>``).
INTRO_ERRORS = ("missing", "same", "own", "unavailable", "pair", "open", "blocked")
#: Telegram dates have whole seconds: a profile saved within this of the card counts as seen.
SHOWN_SLACK = timedelta(seconds=1)
#: What a decision sets a pending profile to, with the audit action it records.
DECISIONS_ACTIONS = {
    ProfileStatus.approved: "match.review.approve",
    ProfileStatus.changes: "match.review.changes",
    ProfileStatus.rejected: "match.review.reject",
}


# --- shared pieces ------------------------------------------------------------------------------


def _audit(
    conn: Connection,
    *,
    actor_id: int | None,
    action: str,
    subject: str,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(AUDIT).values(
            at=now, actor_id=actor_id, action=action, subject=subject, detail=detail or {}
        )
    )


def _profile(row: Row[Any]) -> MatchProfile:
    """A profile row as a ``MatchProfile`` (for render_card; not attached to a session)."""
    return MatchProfile(**{c.name: row._mapping[c.name] for c in PROFILES.columns})


def _language(conn: Connection, user_id: int) -> str:
    found = conn.execute(select(USERS.c.language).where(USERS.c.id == user_id)).scalar()
    return str(found) if found else "zh"


def _end_review_flow(conn: Connection, user_id: int) -> None:
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == REVIEW_FLOW))


# --- the review queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    """A profile waiting for review, and how many wait in all (this one included)."""

    profile: MatchProfile
    waiting: int


def pending_count(conn: Connection) -> int:
    """How many profiles wait for a matchmaker."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(PROFILES)
            .where(PROFILES.c.status == ProfileStatus.pending.value)
        ).scalar_one()
    )


def view_pending(
    conn: Connection,
    *,
    actor_id: int,
    now: datetime,
    after: int | None = None,
    profile_id: int | None = None,
) -> Queued | None:
    """The profile a matchmaker reviews next; its view is audited. None if nothing waits.

    The queue is first come, first served (oldest ``updated_at`` first). ``after`` gives the
    one after that profile (starting over at the oldest when it was the last);
    ``profile_id`` gives that profile itself, if it still waits. A matchmaker's own profile
    is left for another matchmaker.
    """
    pending = select(PROFILES).where(
        PROFILES.c.status == ProfileStatus.pending.value, PROFILES.c.user_id != actor_id
    )
    order = (PROFILES.c.updated_at, PROFILES.c.id)
    row: Row[Any] | None = None
    if profile_id is not None:
        row = conn.execute(pending.where(PROFILES.c.id == profile_id)).first()
    elif after is not None:
        ref = conn.execute(
            select(PROFILES.c.updated_at, PROFILES.c.id).where(PROFILES.c.id == after)
        ).first()
        if ref is not None:
            later = or_(
                PROFILES.c.updated_at > ref.updated_at,
                and_(PROFILES.c.updated_at == ref.updated_at, PROFILES.c.id > ref.id),
            )
            row = conn.execute(pending.where(later).order_by(*order).limit(1)).first()
        if row is None:
            row = conn.execute(
                pending.where(PROFILES.c.id != after).order_by(*order).limit(1)
            ).first()
    else:
        row = conn.execute(pending.order_by(*order).limit(1)).first()
    if row is None:
        return None
    _audit(
        conn, actor_id=actor_id, action="match.review.view", subject=f"profile:{row.id}", now=now
    )
    return Queued(profile=_profile(row), waiting=pending_count(conn))


@dataclass(frozen=True)
class Decided:
    """What became of a review decision.

    ``outcome``: "done", "handled" (not pending any more: someone else decided, or the
    member withdrew it), "changed" (the member edited it after the card was shown), "own"
    (the matchmaker's own profile) or "missing" (no such profile).
    """

    outcome: str
    user_id: int = 0
    language: str = "zh"


def decide(
    conn: Connection,
    *,
    profile_id: int,
    actor_id: int,
    status: ProfileStatus,
    note: str,
    now: datetime,
    shown_at: datetime | None = None,
    end_flow: bool = False,
) -> Decided:
    """Approve a pending profile, ask for changes, or reject it, with the note the member sees.

    Only a profile still pending is decided; with ``shown_at`` (when the matchmaker's card was
    sent) also only one not edited since. ``end_flow`` ends the matchmaker's reason flow in
    the same transaction, whatever the outcome.
    """
    if status not in DECISIONS_ACTIONS:
        raise ValueError(f"not a review decision: {status!r}")
    if end_flow:
        _end_review_flow(conn, actor_id)
    row = conn.execute(
        select(PROFILES.c.user_id, PROFILES.c.status, PROFILES.c.updated_at)
        .where(PROFILES.c.id == profile_id)
        .with_for_update()
    ).first()
    if row is None:
        return Decided("missing")
    if row.user_id == actor_id:
        return Decided("own")
    if row.status != ProfileStatus.pending.value:
        return Decided("handled")
    if shown_at is not None and row.updated_at >= shown_at + SHOWN_SLACK:
        return Decided("changed")
    result = conn.execute(
        update(PROFILES)
        .where(PROFILES.c.id == profile_id, PROFILES.c.status == ProfileStatus.pending.value)
        .values(status=status.value, review_note=note, reviewed_by=actor_id, reviewed_at=now)
    )
    if result.rowcount != 1:
        return Decided("handled")
    _audit(
        conn,
        actor_id=actor_id,
        action=DECISIONS_ACTIONS[status],
        subject=f"profile:{profile_id}",
        now=now,
    )
    return Decided("done", row.user_id, _language(conn, row.user_id))


# --- the reports queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """A profile with open reports: how many, and how many per reason (never who reported)."""

    profile: MatchProfile
    reports: int
    reasons: dict[str, int] = field(default_factory=dict)


def report_queue(
    conn: Connection, *, actor_id: int, now: datetime, limit: int = REPORTS_SHOWN
) -> tuple[int, list[Reported]]:
    """Profiles with open reports, most reported first (then the longest waiting).

    Returns how many profiles have open reports and the first ``limit`` of them; each one
    shown is audited as viewed. A matchmaker's own profile is left for another matchmaker.
    """
    open_reports = REPORTS.c.resolved_at.is_(None)
    counts = (
        select(
            REPORTS.c.target_id,
            func.count().label("reports"),
            func.min(REPORTS.c.at).label("first_at"),
        )
        .where(open_reports)
        .group_by(REPORTS.c.target_id)
        .subquery()
    )
    joined = PROFILES.join(
        counts,
        and_(PROFILES.c.user_id == counts.c.target_id, PROFILES.c.user_id != actor_id),
    )
    total = int(conn.execute(select(func.count()).select_from(joined)).scalar_one())
    rows = conn.execute(
        select(PROFILES, counts.c.reports)
        .select_from(joined)
        .order_by(counts.c.reports.desc(), counts.c.first_at, PROFILES.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return total, []
    targets = [row.user_id for row in rows]
    reasons: dict[int, dict[str, int]] = {target: {} for target in targets}
    for target, reason, count in conn.execute(
        select(REPORTS.c.target_id, REPORTS.c.reason, func.count())
        .where(open_reports, REPORTS.c.target_id.in_(targets))
        .group_by(REPORTS.c.target_id, REPORTS.c.reason)
    ).all():
        key = reason if reason in REPORT_REASONS else "other"
        reasons[target][key] = reasons[target].get(key, 0) + int(count)
    queue = []
    for row in rows:
        _audit(
            conn,
            actor_id=actor_id,
            action="match.reports.view",
            subject=f"profile:{row.id}",
            now=now,
            detail={"reports": int(row.reports)},
        )
        ordered = {r: reasons[row.user_id][r] for r in REPORT_REASONS if r in reasons[row.user_id]}
        queue.append(Reported(_profile(row), int(row.reports), ordered))
    return total, queue


@dataclass(frozen=True)
class Resolved:
    """What became of keeping or suspending a reported profile.

    ``outcome``: "done", "handled" (no open reports left: someone else resolved them), "own"
    (the matchmaker's own profile) or "missing" (no such profile). ``reports`` is how many
    reports were resolved.
    """

    outcome: str
    user_id: int = 0
    language: str = "zh"
    reports: int = 0


def resolve_reports(
    conn: Connection, *, profile_id: int, actor_id: int, suspend: bool, now: datetime
) -> Resolved:
    """Resolve every open report about a profile: keep it, or suspend it (status rejected).

    Either way the profile is no longer hidden because of reports; a suspended profile gets
    a standard note in the member's language and is shown to nobody until reviewed again.
    """
    row = conn.execute(
        select(PROFILES.c.user_id).where(PROFILES.c.id == profile_id).with_for_update()
    ).first()
    if row is None:
        return Resolved("missing")
    if row.user_id == actor_id:
        return Resolved("own")
    resolution = "suspended" if suspend else "kept"
    result = conn.execute(
        update(REPORTS)
        .where(REPORTS.c.target_id == row.user_id, REPORTS.c.resolved_at.is_(None))
        .values(resolved_by=actor_id, resolved_at=now, resolution=resolution)
    )
    if result.rowcount == 0:
        return Resolved("handled")
    language = _language(conn, row.user_id)
    values: dict[str, Any] = {"hidden": False}
    if suspend:
        values.update(
            status=ProfileStatus.rejected.value,
            review_note=t(language, "mr-suspended-note"),
            reviewed_by=actor_id,
            reviewed_at=now,
        )
    conn.execute(update(PROFILES).where(PROFILES.c.id == profile_id).values(**values))
    _audit(
        conn,
        actor_id=actor_id,
        action="match.report.suspend" if suspend else "match.report.keep",
        subject=f"profile:{profile_id}",
        now=now,
        detail={"reports": int(result.rowcount)},
    )
    return Resolved("done", row.user_id, language, int(result.rowcount))


# --- introductions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntroMember:
    """One member of an introduction: who to write to, in which language, their profile."""

    user_id: int
    language: str
    profile: MatchProfile

    @property
    def shown_to_members(self) -> bool:
        """True if the member lets other verified members see their card."""
        return str(self.profile.visibility) == Visibility.members.value


@dataclass(frozen=True)
class Proposed:
    """An introduction stored and ready to be sent to both members."""

    intro_id: int
    a: IntroMember
    b: IntroMember
    note: str


@dataclass(frozen=True)
class NotProposed:
    """Why an introduction was not proposed (one of INTRO_ERRORS), and about which number."""

    reason: str
    number: int = 0


def _available(row: Row[Any]) -> bool:
    return bool(row.status == ProfileStatus.approved.value and not row.paused and not row.hidden)


def _kept_apart(conn: Connection, a_id: int, b_id: int) -> bool:
    """True if either member blocked or reported the other."""
    found = conn.execute(
        select(DECISIONS.c.user_id)
        .where(
            or_(
                and_(DECISIONS.c.user_id == a_id, DECISIONS.c.target_id == b_id),
                and_(DECISIONS.c.user_id == b_id, DECISIONS.c.target_id == a_id),
            ),
            DECISIONS.c.decision.in_(KEEP_APART),
        )
        .limit(1)
    ).first()
    return found is not None


def _open_intro(conn: Connection, a_id: int, b_id: int) -> bool:
    found = conn.execute(
        select(INTROS.c.id)
        .where(
            INTROS.c.closed_at.is_(None),
            or_(
                and_(INTROS.c.a_id == a_id, INTROS.c.b_id == b_id),
                and_(INTROS.c.a_id == b_id, INTROS.c.b_id == a_id),
            ),
        )
        .limit(1)
    ).first()
    return found is not None


def propose_intro(
    conn: Connection, *, proposer_id: int, a_number: int, b_number: int, note: str, now: datetime
) -> Proposed | NotProposed:
    """Store a matchmaker's introduction of profiles ``a_number`` and ``b_number``.

    Both must be approved, not paused, not hidden; not the same member, neither of them the
    matchmaker, not already a pair,
    without an open introduction between them, and neither blocked or reported the other.
    The two profile rows are locked, so two matchmakers cannot introduce the same two twice.
    """
    if a_number == b_number:
        return NotProposed("same", a_number)
    rows = {
        row.id: row
        for row in conn.execute(
            select(PROFILES)
            .where(PROFILES.c.id.in_((a_number, b_number)))
            .order_by(PROFILES.c.id)
            .with_for_update()
        ).all()
    }
    for number in (a_number, b_number):
        if number not in rows:
            return NotProposed("missing", number)
    for number in (a_number, b_number):
        if not _available(rows[number]):
            return NotProposed("unavailable", number)
    a_row, b_row = rows[a_number], rows[b_number]
    a_id, b_id = int(a_row.user_id), int(b_row.user_id)
    if proposer_id in (a_id, b_id):
        return NotProposed("own")
    if is_pair(conn, a_id=a_id, b_id=b_id):
        return NotProposed("pair")
    if _open_intro(conn, a_id, b_id):
        return NotProposed("open")
    if _kept_apart(conn, a_id, b_id):
        return NotProposed("blocked")
    key = conn.execute(
        insert(INTROS).values(
            proposer_id=proposer_id,
            a_id=a_id,
            b_id=b_id,
            note=note,
            a_answer=None,
            b_answer=None,
            created_at=now,
            closed_at=None,
        )
    ).inserted_primary_key
    assert key is not None
    intro_id = int(key[0])
    _audit(
        conn,
        actor_id=proposer_id,
        action="match.intro.propose",
        subject=f"intro:{intro_id}",
        now=now,
        detail={"a": a_number, "b": b_number},
    )
    return Proposed(
        intro_id=intro_id,
        a=IntroMember(a_id, _language(conn, a_id), _profile(a_row)),
        b=IntroMember(b_id, _language(conn, b_id), _profile(b_row)),
        note=note,
    )


def withdraw_intro(conn: Connection, *, intro_id: int, now: datetime) -> bool:
    """Close an introduction nobody can answer any more; False if it was closed already."""
    result = conn.execute(
        update(INTROS)
        .where(INTROS.c.id == intro_id, INTROS.c.closed_at.is_(None))
        .values(closed_at=now)
    )
    return bool(result.rowcount == 1)


@dataclass(frozen=True)
class IntroAnswer:
    """What became of a member's answer to an introduction.

    ``outcome``: "stale" (no such introduction, or not addressed to this member), "closed"
    (over already), "already" (this member answered before), "waiting" (accepted; the other
    has not answered), "paired" (both accepted: a pair; ``new_pair`` False if they were one
    already), "declined" (this member said no) or "failed" (both accepted but one of them is
    no longer available, or they now keep apart).
    """

    outcome: str
    intro_id: int = 0
    proposer_id: int = 0
    proposer_language: str = "zh"
    other_id: int = 0
    other_language: str = "zh"
    other_accepted: bool | None = None
    new_pair: bool = False


def answer_intro(
    conn: Connection, *, intro_id: int, user_id: int, accept: bool, now: datetime
) -> IntroAnswer:
    """Record one member's answer to an introduction; pair the two when both accepted.

    The introduction row is locked, so the two answers arriving at once pair them once.
    """
    row = conn.execute(select(INTROS).where(INTROS.c.id == intro_id).with_for_update()).first()
    if row is None or user_id not in (row.a_id, row.b_id):
        return IntroAnswer("stale")
    mine, theirs = ("a", "b") if user_id == row.a_id else ("b", "a")
    other_id = int(getattr(row, f"{theirs}_id"))
    other_answer = getattr(row, f"{theirs}_answer")
    facts: dict[str, Any] = {
        "intro_id": intro_id,
        "proposer_id": int(row.proposer_id),
        "proposer_language": _language(conn, row.proposer_id),
        "other_id": other_id,
        "other_language": _language(conn, other_id),
        "other_accepted": other_answer,
    }
    if row.closed_at is not None:
        return IntroAnswer("closed", **facts)
    if getattr(row, f"{mine}_answer") is not None:
        return IntroAnswer("already", **facts)
    answer_column = INTROS.c[f"{mine}_answer"]
    values: dict[str, Any] = {answer_column.name: accept}
    outcome = "waiting"
    new_pair = False
    if not accept:
        values["closed_at"] = now
        outcome = "declined"
    elif other_answer:
        values["closed_at"] = now
        if _still_available(conn, row.a_id, row.b_id):
            new_pair = make_pair(conn, a_id=row.a_id, b_id=row.b_id, source="intro", now=now)
            outcome = "paired"
        else:
            outcome = "failed"
    conn.execute(
        update(INTROS)
        .where(INTROS.c.id == intro_id, answer_column.is_(None), INTROS.c.closed_at.is_(None))
        .values(**values)
    )
    return IntroAnswer(outcome, new_pair=new_pair, **facts)


def _still_available(conn: Connection, a_id: int, b_id: int) -> bool:
    """True if both members still have an approved, visible profile and do not keep apart."""
    rows = conn.execute(
        select(PROFILES.c.status, PROFILES.c.hidden).where(PROFILES.c.user_id.in_((a_id, b_id)))
    ).all()
    ready = [r for r in rows if r.status == ProfileStatus.approved.value and not r.hidden]
    return len(ready) == 2 and not _kept_apart(conn, a_id, b_id)
