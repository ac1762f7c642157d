"""Daily suggestions: whom a member is shown, and what they decide about each profile.

:func:`next_suggestion` picks the best profile a member has not seen yet: every hard rule
(approved, visible to members, not paused or hidden, verified, both sides' gender, age and
district wishes, nothing decided or blocked between the two, not already a pair) is a WHERE
clause over the pool index (on SQLite, wishes wide enough to take in much of the pool read the
table instead), and only the profiles that pass are scored, in SQL too (10 points per shared
interest, 3 for the same district, 1 for the same education level). It records the
suggestion, which counts against the daily limit; an undecided suggestion is shown again
instead of a new one, so a double tap never uses two of the day's suggestions.

:func:`decide` stores a like, skip, block or report of a profile that was suggested to the
member. A like is private; when the other member liked back, the pair is made in the same
transaction (contacts are released afterwards by handlers.match.pairs.announce_pair). A report
is queued for the matchmakers, and HIDE_AFTER_REPORTS open reports hide the profile from
everyone until a matchmaker has looked. Nothing in this module talks to Telegram.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, case, exists, func, insert, literal, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlalchemy.sql.visitors import InternalTraversal

from bot.core.models import AuditLog
from bot.db import dialect_insert
from bot.i18n import t
from bot.match.core import GENDERS, age_of, unpack_districts
from bot.match.models import MatchDecision, MatchPair, MatchProfile, MatchReport, MatchSuggestion
from bot.match.pairs import make_pair
from bot.membership.models import MemberVerification

PROFILES: Table = MatchProfile.__table__  # type: ignore[attr-defined]
DECISIONS: Table = MatchDecision.__table__  # type: ignore[attr-defined]
SUGGESTIONS: Table = MatchSuggestion.__table__  # type: ignore[attr-defined]
PAIRS: Table = MatchPair.__table__  # type: ignore[attr-defined]
REPORTS: Table = MatchReport.__table__  # type: ignore[attr-defined]
VERIFICATIONS: Table = MemberVerification.__table__  # type: ignore[attr-defined]
AUDIT: Table = AuditLog.__table__  # type: ignore[attr-defined]

#: What a member can do with a suggested profile (stored in ``match_decisions.decision``).
DECISION_KINDS = ("like", "skip", "block", "report")
#: Decisions that cannot be changed afterwards.
FINAL_DECISIONS = ("block", "report")
#: Why a member reports a profile (button order; stored in ``match_reports.reason``).
REPORT_REASONS = ("fake", "rude", "money", "married", "other")
#: Open reports that hide a profile from everyone until a matchmaker has looked at it.
HIDE_AFTER_REPORTS = 3
#: Why a member gets no suggestions (and cannot like): no profile, the review, their choices.
UNAVAILABLE = (
    "none",
    "pending",
    "changes",
    "rejected",
    "hidden",
    "paused",
    "matchmakers",
    "unverified",
)
#: Points of the score.
SHARED_INTEREST_POINTS = 10
SAME_DISTRICT_POINTS = 3
SAME_EDUCATION_POINTS = 1
#: On SQLite, wishes that take in more than this share of all profiles are served by reading
#: the table rather than through the pool index (see :func:`wide_wishes`).
SCAN_SHARE = 0.2
#: How long a process keeps :func:`pool_histogram` before reading it again.
HISTOGRAM_SECONDS = 600.0
_histograms: dict[str, tuple[float, dict[tuple[str, int], int]]] = {}
#: The best candidates whose verification is looked up before asking for more.
TOP_CHECKED = 20
#: Undecided suggestions looked at when choosing which one to show again.
OPEN_LOOKBACK = 50


# --- what a member is and sees ------------------------------------------------------------------


@dataclass(frozen=True)
class Seeker:
    """The parts of a member's own profile that decide whom they are shown."""

    user_id: int
    gender: str
    birth_year: int
    district: str
    education: str
    want_gender: str
    want_age_min: int
    want_age_max: int
    want_districts: tuple[str, ...]
    interests: int


def seeker_of(row: Any) -> Seeker:
    """The seeker of a ``match_profiles`` row (or anything with its columns)."""
    return Seeker(
        user_id=int(row.user_id),
        gender=str(row.gender),
        birth_year=int(row.birth_year),
        district=str(row.district or ""),
        education=str(row.education or ""),
        want_gender=str(row.want_gender or ""),
        want_age_min=int(row.want_age_min),
        want_age_max=int(row.want_age_max),
        want_districts=tuple(unpack_districts(str(row.want_districts or ""))),
        interests=int(row.interests or 0),
    )


@dataclass
class CardProfile:
    """What a suggestion card shows of a profile: no name, no contact, no Telegram id."""

    id: int | None
    gender: str
    birth_year: int
    city: str
    district: str
    education: str
    occupation: str
    height_cm: int | None
    intro: str
    want_gender: str
    want_age_min: int
    want_age_max: int
    want_districts: str
    want_other: str
    interests: int
    visibility: str
    photo_file_id: str


#: The columns a card is read from.
CARD_COLUMNS = tuple(PROFILES.c[name] for name in CardProfile.__dataclass_fields__)


def card_of(row: Any) -> CardProfile:
    """The card of a ``match_profiles`` row."""
    values = {name: getattr(row, name) for name in CardProfile.__dataclass_fields__}
    values["visibility"] = str(getattr(values["visibility"], "value", values["visibility"]))
    return CardProfile(**values)


@dataclass(frozen=True)
class Suggestion:
    """A profile to show: new (it counts against today's limit) or shown ``again`` undecided."""

    profile: CardProfile
    score: int
    #: Interest bits both profiles have.
    shared: int
    #: Suggestions made to the member today, this one included.
    shown_today: int
    limit: int
    again: bool = False


@dataclass(frozen=True)
class Unavailable:
    """The member cannot get suggestions now; ``reason`` is one of UNAVAILABLE."""

    reason: str


@dataclass(frozen=True)
class LimitReached:
    """Today's suggestions are used up."""

    limit: int


@dataclass(frozen=True)
class NoneLeft:
    """Nobody fits the member's wishes (and theirs) who has not been shown yet."""


@dataclass(frozen=True)
class Decided:
    """A decision stored; ``target_id`` is the other member's Telegram id (never shown)."""

    decision: str
    profile_id: int
    target_id: int
    #: A like that made a pair: both are told with each other's contact (after the commit).
    paired: bool = False
    #: A report that hid the profile from everyone until a matchmaker looks.
    hidden: bool = False


@dataclass(frozen=True)
class Refused:
    """A decision not stored: "stale" (not suggested to this member, or gone), "final"
    (already blocked or reported), "same" (already decided so), or one of UNAVAILABLE."""

    reason: str


# --- the rules, as SQL ------------------------------------------------------------------------


class _Unindexed(ColumnElement[Any]):
    """A column's same value, written so that the database will not use an index for it."""

    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("leading", InternalTraversal.dp_boolean),
    ]

    def __init__(self, column: Any, *, leading: bool) -> None:
        self.column = column
        self.leading = leading
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(
        compiler.process(
            UnaryExpression(element.column, operator=operators.custom_op("+"), type_=element.type),
            **kw,
        )
    )


@compiles(_Unindexed, "postgresql")
def _unindexed_postgresql(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    # PostgreSQL uses a B-tree only through its leading columns: hiding those is enough, and
    # the others stay plain (an expression per row and column costs time on a table scan).
    inner = str(compiler.process(element.column, **kw))
    if not element.leading:
        return inner
    if element.type._type_affinity is Integer:
        return f"({inner} + 0)"
    return f"({inner} || '')"


def _no_index(column: Any, *, leading: bool = True) -> Any:
    """The same value, but the database will not use an index for it (``+column`` on SQLite,
    ``column || ''`` on PostgreSQL, which needs it only for an index's ``leading`` columns)."""
    return _Unindexed(column, leading=leading)


def index_conditions(me: Seeker, *, today: date, use_index: bool = True) -> list[Any]:
    """The rules the pool index answers: a gender and birth years ``me`` wants, approved,
    visible to members. With ``use_index`` False they are written so that the database
    reads the table instead of the index (see :func:`wide_wishes`); they select the same rows.
    """
    p = PROFILES.c
    gender, birth_year, status, visibility = p.gender, p.birth_year, p.status, p.visibility
    if not use_index:
        # The pool index is (status, visibility, gender, birth_year).
        status, visibility = _no_index(status), _no_index(visibility)
        gender = _no_index(gender, leading=False)
        birth_year = _no_index(birth_year, leading=False)
    genders = (me.want_gender,) if me.want_gender in GENDERS else GENDERS
    return [
        gender.in_(genders),
        birth_year.between(today.year - me.want_age_max, today.year - me.want_age_min),
        status == "approved",
        visibility == "members",
    ]


def pool_conditions(
    me: Seeker, *, today: date, use_index: bool = True, verified: bool = True
) -> list[Any]:
    """The hard rules a profile must pass to be shown to ``me`` (not counting what ``me`` has
    been shown already), the most selective first: wanted gender and age, ``me``'s age within
    their wishes, then the rest of the row, then what lies between the two members (each a
    short list SQL reads once per query) and their verification (left out with ``verified``
    False, for a caller that checks it on the few best rows only)."""
    p = PROFILES.c
    d = DECISIONS.c
    my_age = age_of(me.birth_year, today)
    gender, birth_year, status, visibility = index_conditions(me, today=today, use_index=use_index)
    conditions = [
        gender,
        birth_year,
        p.want_age_min <= my_age,
        p.want_age_max >= my_age,
        p.want_gender.in_(("a", "", me.gender)),
        status,
        visibility,
        p.paused.is_(False),
        p.hidden.is_(False),
        (p.want_districts == "") | p.want_districts.contains(f"|{me.district}|", autoescape=True),
    ]
    if me.want_districts:
        conditions.append(p.district.in_(me.want_districts))
    conditions += [
        p.user_id != me.user_id,
        p.user_id.not_in(select(d.target_id).where(d.user_id == me.user_id)),
        p.user_id.not_in(
            select(d.user_id).where(d.target_id == me.user_id, d.decision.in_(FINAL_DECISIONS))
        ),
        p.user_id.not_in(select(PAIRS.c.b_id).where(PAIRS.c.a_id == me.user_id)),
        p.user_id.not_in(select(PAIRS.c.a_id).where(PAIRS.c.b_id == me.user_id)),
    ]
    if verified:
        conditions.append(exists().where(VERIFICATIONS.c.user_id == p.user_id))
    return conditions


def not_suggested(me: Seeker) -> Any:
    """The profile has not been suggested to ``me`` before (on any day)."""
    s = SUGGESTIONS.c
    return PROFILES.c.user_id.not_in(select(s.target_id).where(s.user_id == me.user_id))


def pool_histogram(conn: Connection, *, now: float | None = None) -> dict[tuple[str, int], int]:
    """How many approved profiles visible to members there are per (gender, birth year).

    Read at most once every :data:`HISTOGRAM_SECONDS` per process and database: it only
    steers how the pool is read (see :func:`wide_wishes`), never which profiles are chosen.
    """
    clock = time.monotonic() if now is None else now
    key = str(conn.engine.url)
    cached = _histograms.get(key)
    if cached is not None and clock - cached[0] < HISTOGRAM_SECONDS:
        return cached[1]
    p = PROFILES.c
    rows = conn.execute(
        select(p.gender, p.birth_year, func.count())
        .where(p.status == "approved", p.visibility == "members")
        .group_by(p.gender, p.birth_year)
    ).all()
    counts = {(str(gender), int(year)): int(number) for gender, year, number in rows}
    _histograms[key] = (clock, counts)
    return counts


def wide_wishes(conn: Connection, me: Seeker, *, today: date) -> bool:
    """True when the pool index would give more than SCAN_SHARE of all profiles.

    Then reading the table once is cheaper than seeking each row the index points at (about
    twice as fast for the widest wishes). On SQLite the index rows are counted, only up to
    that share. On PostgreSQL, whose planner would choose the same way from statistics but has
    none for a table autovacuum has not analysed yet, the share is read from
    :func:`pool_histogram` (no query per call).
    """
    if conn.dialect.name != "sqlite":
        counts = pool_histogram(conn)
        genders = (me.want_gender,) if me.want_gender in GENDERS else GENDERS
        years = range(today.year - me.want_age_max, today.year - me.want_age_min + 1)
        wanted = sum(counts.get((gender, year), 0) for gender in genders for year in years)
        return wanted > SCAN_SHARE * sum(counts.values())
    newest = conn.execute(select(func.max(PROFILES.c.id))).scalar() or 0
    cap = int(newest * SCAN_SHARE) + 1
    rows = select(PROFILES.c.id).where(*index_conditions(me, today=today)).limit(cap).subquery()
    return int(conn.execute(select(func.count()).select_from(rows)).scalar_one()) >= cap


def score_expression(me: Seeker) -> ColumnElement[int]:
    """The score of a profile for ``me`` in SQL (the same as :func:`score`)."""
    p = PROFILES.c
    terms: list[ColumnElement[int]] = [
        case((p.interests.bitwise_and(1 << bit) != 0, SHARED_INTEREST_POINTS), else_=0)
        for bit in range(me.interests.bit_length())
        if me.interests >> bit & 1
    ]
    if me.district:
        terms.append(case((p.district == me.district, SAME_DISTRICT_POINTS), else_=0))
    if me.education:
        terms.append(case((p.education == me.education, SAME_EDUCATION_POINTS), else_=0))
    if not terms:
        return literal(0)
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def score(me: Seeker, *, interests: int, district: str, education: str) -> int:
    """How well a profile fits ``me``: shared interests first, then district and education."""
    points = SHARED_INTEREST_POINTS * (me.interests & interests).bit_count()
    if me.district and district == me.district:
        points += SAME_DISTRICT_POINTS
    if me.education and education == me.education:
        points += SAME_EDUCATION_POINTS
    return points


# --- the member's own state -------------------------------------------------------------------


def _own_profile(conn: Connection, user_id: int) -> Row[Any] | None:
    """The member's profile row, locked so that their presses are decided one at a time."""
    return conn.execute(
        select(PROFILES).where(PROFILES.c.user_id == user_id).with_for_update()
    ).first()


def _verified(conn: Connection, user_id: int) -> bool:
    found = conn.execute(select(VERIFICATIONS.c.user_id).where(VERIFICATIONS.c.user_id == user_id))
    return found.first() is not None


def _status(row: Any) -> str:
    return str(getattr(row.status, "value", row.status))


def unavailable_reason(conn: Connection, row: Row[Any] | None) -> str | None:
    """Why the member of ``row`` gets no suggestions (one of UNAVAILABLE), or None."""
    if row is None:
        return "none"
    status = _status(row)
    if status != "approved":
        return status if status in UNAVAILABLE else "pending"
    if row.hidden:
        return "hidden"
    if row.paused:
        return "paused"
    if str(getattr(row.visibility, "value", row.visibility)) != "members":
        return "matchmakers"
    if not _verified(conn, int(row.user_id)):
        return "unverified"
    return None


def _may_pair(conn: Connection, row: Row[Any] | None) -> bool:
    """True if the member of ``row`` may be given a contact: approved, not hidden, verified."""
    return (
        row is not None
        and _status(row) == "approved"
        and not row.hidden
        and _verified(conn, int(row.user_id))
    )


# --- choosing ---------------------------------------------------------------------------------


def shown_on(conn: Connection, *, user_id: int, day: date) -> int:
    """How many suggestions the member was given on ``day``."""
    s = SUGGESTIONS.c
    found = conn.execute(
        select(func.count()).select_from(SUGGESTIONS).where(s.user_id == user_id, s.day == day)
    )
    return int(found.scalar_one())


def _card(conn: Connection, profile_id: int) -> CardProfile:
    row = conn.execute(select(*CARD_COLUMNS).where(PROFILES.c.id == profile_id)).one()
    return card_of(row)


def _open_suggestion(conn: Connection, me: Seeker, *, today: date) -> Row[Any] | None:
    """The latest suggestion the member has not decided about and may still be shown."""
    s = SUGGESTIONS.c
    d = DECISIONS.c
    undecided = conn.execute(
        select(s.target_id)
        .where(
            s.user_id == me.user_id,
            ~exists().where(d.user_id == me.user_id, d.target_id == s.target_id),
        )
        .order_by(s.at.desc(), s.id.desc())
        .limit(OPEN_LOOKBACK)
    ).scalars()
    order = {int(target): rank for rank, target in enumerate(undecided)}
    if not order:
        return None
    p = PROFILES.c
    rows = conn.execute(
        select(p.id, p.user_id, score_expression(me).label("score")).where(
            p.user_id.in_(order), *pool_conditions(me, today=today)
        )
    ).all()
    return min(rows, key=lambda r: order[int(r.user_id)], default=None)


def best_candidate(conn: Connection, me: Seeker, *, today: date) -> Row[Any] | None:
    """The best profile for ``me`` not shown before: (id, user_id, score), or None."""
    p = PROFILES.c
    points = score_expression(me).label("score")
    use_index = not wide_wishes(conn, me, today=today)
    order = (points.desc(), p.updated_at.desc(), p.id.desc())
    # The verification is looked up for the TOP_CHECKED best rows only, not for every profile
    # that passes the other rules (thousands for wide wishes): the first verified one among
    # them is the answer. Only when none of a full set of them is verified, ask again with
    # the verification as a rule of its own.
    conditions = pool_conditions(me, today=today, use_index=use_index, verified=False)
    best = (
        select(p.id, p.user_id, points, p.updated_at)
        .where(*conditions, not_suggested(me))
        .order_by(*order)
        .limit(TOP_CHECKED)
        .subquery()
    )
    checked = exists().where(VERIFICATIONS.c.user_id == best.c.user_id).label("verified")
    rows = conn.execute(
        select(best.c.id, best.c.user_id, best.c.score, checked).order_by(
            best.c.score.desc(), best.c.updated_at.desc(), best.c.id.desc()
        )
    ).all()
    if len(rows) < TOP_CHECKED or any(row.verified for row in rows):
        return next((row for row in rows if row.verified), None)
    return conn.execute(
        select(p.id, p.user_id, points)
        .where(*pool_conditions(me, today=today, use_index=use_index), not_suggested(me))
        .order_by(*order)
        .limit(1)
    ).first()


def _record(
    conn: Connection, *, user_id: int, target_id: int, day: date, points: int, now: datetime
) -> bool:
    """Store a suggestion; False if it was stored already (a press racing another)."""
    result = conn.execute(
        dialect_insert(conn.dialect.name)(SUGGESTIONS)
        .values(user_id=user_id, target_id=target_id, day=day, score=points, at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "target_id"])
    )
    return result.rowcount == 1


def next_suggestion(
    conn: Connection, *, user_id: int, today: date, now: datetime, limit: int
) -> Suggestion | Unavailable | LimitReached | NoneLeft:
    """The profile to show the member now, recorded as suggested to them today.

    An undecided earlier suggestion that still fits is shown again (it does not count twice),
    so pressing "next" twice in a row shows one card. Otherwise, below ``limit`` suggestions
    today, the best profile not shown before is chosen and recorded.
    """
    row = _own_profile(conn, user_id)
    reason = unavailable_reason(conn, row)
    if reason is not None:
        return Unavailable(reason)
    me = seeker_of(row)
    shown = shown_on(conn, user_id=user_id, day=today)
    again = _open_suggestion(conn, me, today=today)
    if again is not None:
        card = _card(conn, int(again.id))
        return Suggestion(
            profile=card,
            score=int(again.score),
            shared=me.interests & card.interests,
            shown_today=shown,
            limit=limit,
            again=True,
        )
    if shown >= limit:
        return LimitReached(limit)
    chosen = best_candidate(conn, me, today=today)
    if chosen is None:
        return NoneLeft()
    new = _record(
        conn,
        user_id=user_id,
        target_id=int(chosen.user_id),
        day=today,
        points=int(chosen.score),
        now=now,
    )
    card = _card(conn, int(chosen.id))
    return Suggestion(
        profile=card,
        score=int(chosen.score),
        shared=me.interests & card.interests,
        shown_today=shown + 1 if new else shown,
        limit=limit,
        again=not new,
    )


# --- deciding ---------------------------------------------------------------------------------


def suggested_target(conn: Connection, *, user_id: int, profile_id: int) -> int | None:
    """The Telegram id behind ``profile_id`` if that profile was suggested to the member."""
    p = PROFILES.c
    s = SUGGESTIONS.c
    found = conn.execute(
        select(p.user_id)
        .join(SUGGESTIONS, and_(s.user_id == user_id, s.target_id == p.user_id))
        .where(p.id == profile_id, p.user_id != user_id)
    ).first()
    return int(found.user_id) if found is not None else None


def decision_about(conn: Connection, *, user_id: int, target_id: int) -> str | None:
    """What the member decided about ``target_id`` (None: nothing yet)."""
    d = DECISIONS.c
    found = conn.execute(
        select(d.decision).where(d.user_id == user_id, d.target_id == target_id)
    ).first()
    return str(found.decision) if found is not None else None


def report_state(conn: Connection, *, user_id: int, profile_id: int) -> str | None:
    """Whether the member may report a profile: None if it was not suggested to them,
    "final" if they already blocked or reported it, else ""."""
    target = suggested_target(conn, user_id=user_id, profile_id=profile_id)
    if target is None:
        return None
    current = decision_about(conn, user_id=user_id, target_id=target)
    return "final" if current in FINAL_DECISIONS else ""


def _likes(conn: Connection, *, user_id: int, target_id: int) -> bool:
    return decision_about(conn, user_id=user_id, target_id=target_id) == "like"


def open_reports(conn: Connection, *, target_id: int) -> int:
    """Reports about a member no matchmaker has resolved yet."""
    r = REPORTS.c
    found = conn.execute(
        select(func.count())
        .select_from(REPORTS)
        .where(r.target_id == target_id, r.resolved_at.is_(None))
    )
    return int(found.scalar_one())


def _refresh_contact(conn: Connection, *, user_id: int, username: str, name: str) -> None:
    """Keep the member's Telegram username and name current (given out only to a pair)."""
    p = PROFILES.c
    username, name = username[:64], name[:64]
    conn.execute(
        update(PROFILES)
        .where(p.user_id == user_id, (p.tg_username != username) | (p.tg_name != name))
        .values(tg_username=username, tg_name=name)
    )


def decide(
    conn: Connection,
    *,
    user_id: int,
    profile_id: int,
    decision: str,
    now: datetime,
    reason: str = "",
    username: str | None = None,
    name: str | None = None,
) -> Decided | Refused:
    """Store what the member decided about a profile that was suggested to them.

    The last decision wins, except that a block or report is final. Both members' profile rows
    are locked (in id order), so two likes of each other at the same moment make one pair. A
    like's ``username``/``name`` refresh the liker's own contact details before a pair is made.
    A report needs a ``reason`` from REPORT_REASONS and is written to the audit log.
    """
    if decision not in DECISION_KINDS:
        raise ValueError(f"unknown decision {decision!r}")
    if (decision == "report") != (reason in REPORT_REASONS):
        raise ValueError(f"decision {decision!r} with reason {reason!r}")
    target_id = suggested_target(conn, user_id=user_id, profile_id=profile_id)
    if target_id is None:
        return Refused("stale")
    p = PROFILES.c
    rows = conn.execute(
        select(PROFILES)
        .where(p.user_id.in_((user_id, target_id)))
        .order_by(p.user_id)
        .with_for_update()
    ).all()
    found = {int(r.user_id): r for r in rows}
    mine, theirs = found.get(user_id), found.get(target_id)
    if theirs is None or int(theirs.id) != profile_id:
        return Refused("stale")
    current = decision_about(conn, user_id=user_id, target_id=target_id)
    if current in FINAL_DECISIONS:
        return Refused("final")
    if current == decision:
        return Refused("same")
    if decision == "like" and not _may_pair(conn, mine):
        return Refused(unavailable_reason(conn, mine) or "unverified")
    d = DECISIONS.c
    if current is None:
        conn.execute(
            insert(DECISIONS).values(
                user_id=user_id, target_id=target_id, decision=decision, at=now
            )
        )
    else:
        conn.execute(
            update(DECISIONS)
            .where(d.user_id == user_id, d.target_id == target_id)
            .values(decision=decision, at=now)
        )
    paired = hidden = False
    if decision == "like":
        if username is not None or name is not None:
            _refresh_contact(conn, user_id=user_id, username=username or "", name=name or "")
        if _likes(conn, user_id=target_id, target_id=user_id) and _may_pair(conn, theirs):
            paired = make_pair(conn, a_id=user_id, b_id=target_id, source="like", now=now)
    elif decision == "report":
        conn.execute(
            insert(REPORTS).values(reporter_id=user_id, target_id=target_id, reason=reason, at=now)
        )
        count = open_reports(conn, target_id=target_id)
        if count >= HIDE_AFTER_REPORTS:
            hid = conn.execute(
                update(PROFILES).where(p.id == profile_id, p.hidden.is_(False)).values(hidden=True)
            )
            hidden = hid.rowcount == 1
        conn.execute(
            insert(AUDIT).values(
                at=now,
                actor_id=user_id,
                action="match.report",
                subject=f"profile:{profile_id}",
                detail={"reason": reason, "open_reports": count, "hidden": hidden},
            )
        )
    return Decided(
        decision=decision,
        profile_id=profile_id,
        target_id=target_id,
        paired=paired,
        hidden=hidden,
    )


def report_reason_label(lang: str, reason: str) -> str:
    """The label of a report reason (for the report buttons and the matchmakers' queue)."""
    match reason:
        case "fake":
            return t(lang, "ms-reason-fake")
        case "rude":
            return t(lang, "ms-reason-rude")
        case "money":
            return t(lang, "ms-reason-money")
        case "married":
            return t(lang, "ms-reason-married")
        case "other":
            return t(lang, "ms-reason-other")
    raise ValueError(f"unknown report reason {reason!r}")
