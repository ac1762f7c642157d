"""Union socials (联谊活动): staff's new events, members' sign-ups, the waiting list, reminders.

Staff answer a few questions (kept in their flow state, see :func:`draft_text`) and
:func:`create_event` turns the finished answers into a ``match_events`` row. Members sign up
with :func:`sign_up` and leave with :func:`leave_event`; both lock the event's row first, so
two members pressing for the last place cannot both get it, and a place given back goes to the
first member on the waiting list who fits (:func:`fill_places`). With gender balance each
gender has at most half the places (rounded up). :func:`send_reminders` tells the members who
are going a day before. Nothing here handles Telegram updates; the reminders go out through a
:class:`~bot.core.notify.Notifier`.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.lease import default_owner, take_lease
from bot.core.models import AuditLog, FlowState, User, utcnow
from bot.core.notify import Button, DeliveryError, Notifier, Outgoing
from bot.core.text import TextError, checked_text
from bot.core.when import WhenError, parse_moment
from bot.db import Database
from bot.i18n import t
from bot.match.core import EVENT_FLOW, GENDERS, option_label
from bot.match.models import MatchEvent, MatchProfile, MatchSignup, SignupStatus

log = logging.getLogger(__name__)

EVENTS = MatchEvent.__table__  # type: ignore[attr-defined]
SIGNUPS = MatchSignup.__table__  # type: ignore[attr-defined]
PROFILES = MatchProfile.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
FLOWS = FlowState.__table__  # type: ignore[attr-defined]
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]

GOING = SignupStatus.going.value
WAITING = SignupStatus.waiting.value

#: The questions of a new social, in order (also the flow steps); "summary" waits for "create".
STEPS = ("title", "start", "place", "capacity", "balance", "deadline", "summary")
#: Steps answered with buttons only.
BUTTON_STEPS = frozenset({"balance", "summary"})
TITLE_LIMIT = int(EVENTS.c.title.type.length)
PLACE_LIMIT = int(EVENTS.c.place.type.length)
NAME_LIMIT = int(SIGNUPS.c.name.type.length)
MIN_CAPACITY = 1
MAX_CAPACITY = 1000
#: The sign-up deadline the button offers: the day before the social, at this local time.
DAY_BEFORE_AT = time(20, 0)
#: Staff's list keeps a social for a day after it started (to export the attendees).
STAFF_LIST_AFTER = timedelta(days=1)
#: Most socials one list shows.
LIST_LIMIT = 10
#: Reminders go out this long before a social starts.
REMIND_BEFORE = timedelta(hours=24)
#: The lease that lets one replica send the reminders, and how long one run holds it.
REMINDER_LEASE = "match-reminders"
REMINDER_HOLD = timedelta(minutes=14)
#: The button that cancels a member's sign-up (args: the social's id).
CANCEL_SIGNUP = "match.event.cancel"
#: Why an answer of the new-social questions was not accepted.
INPUT_ERRORS = ("empty", "too_long", "time", "past", "after_start", "capacity")
#: A CSV cell starting with one of these would be read as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: The union's time zone when the caller does not give one (settings.timezone's default).
DEFAULT_ZONE = "Asia/Shanghai"

_OWNER = default_owner()


class EventInputError(ValueError):
    """An answer that cannot be used; ``reason`` is one of INPUT_ERRORS."""

    def __init__(self, reason: str, *, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


# --- reading the staff's answers --------------------------------------------------------------


def clean_text(text: str, *, limit: int) -> str:
    """A title or place: one line (NFKC), spaces tidied, at most ``limit`` characters."""
    try:
        return checked_text(text, limit=limit, form="NFKC")
    except TextError as error:
        raise EventInputError(error.reason, limit=error.limit) from error


def parse_capacity(text: str) -> int:
    """The number of places (MIN_CAPACITY to MAX_CAPACITY)."""
    value = unicodedata.normalize("NFKC", text).strip().rstrip("人个位名")
    if not value.isascii() or not value.isdigit():
        raise EventInputError("capacity")
    number = int(value)
    if not MIN_CAPACITY <= number <= MAX_CAPACITY:
        raise EventInputError("capacity")
    return number


def parse_when(text: str, *, now: datetime, zone: str) -> datetime | None:
    """Read a local date and time the way staff write it; the moment in UTC, or None.

    Read by bot/core/when.py: 2026-12-05 19:00 (also with / . or 年月日), 12月5日 19:00 and
    12-05 19:00 (this year, or next year if that moment has passed), 明天下午三点, 下周六晚上7点,
    周五 19:30, Sat 7pm, tomorrow 3pm. The local time is in ``zone``.
    """
    try:
        return parse_moment(text, now=now, zone=zone)
    except WhenError:
        return None


def parse_start(text: str, *, now: datetime, zone: str) -> datetime:
    """When the social starts (in the future), in UTC."""
    moment = parse_when(text, now=now, zone=zone)
    if moment is None:
        raise EventInputError("time")
    if moment <= now:
        raise EventInputError("past")
    return moment


def check_deadline(deadline: datetime, *, start: datetime, now: datetime) -> datetime:
    """A sign-up deadline: after now, not after the start."""
    if deadline <= now:
        raise EventInputError("past")
    if deadline > start:
        raise EventInputError("after_start")
    return deadline


def parse_deadline(text: str, *, start: datetime, now: datetime, zone: str) -> datetime:
    """The sign-up deadline staff typed, in UTC."""
    moment = parse_when(text, now=now, zone=zone)
    if moment is None:
        raise EventInputError("time")
    return check_deadline(moment, start=start, now=now)


def day_before(start: datetime, *, zone: str) -> datetime:
    """The day before ``start`` at DAY_BEFORE_AT local time, in UTC."""
    tz = ZoneInfo(zone)
    day = start.astimezone(tz).date() - timedelta(days=1)
    return datetime.combine(day, DAY_BEFORE_AT, tzinfo=tz).astimezone(UTC)


def day_before_ok(start: datetime, *, now: datetime, zone: str) -> bool:
    """True if "the day before at 20:00" is still ahead (so the button may be offered)."""
    return day_before(start, zone=zone) > now


@dataclass(frozen=True)
class Draft:
    """A new social's answers as the flow keeps them (times in UTC)."""

    title: str
    starts_at: datetime
    place: str
    capacity: int
    balanced: bool
    signup_until: datetime


def draft_data(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The flow data with ``changes``; datetimes are kept as ISO strings."""
    values = dict(data)
    for key, value in changes.items():
        values[key] = value.isoformat() if isinstance(value, datetime) else value
    return values


def draft_time(data: dict[str, Any], key: str) -> datetime | None:
    """A time kept in the flow data (None if not answered yet)."""
    value = data.get(key)
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def complete_draft(data: dict[str, Any], *, now: datetime) -> Draft:
    """The finished answers, checked again (time has passed since they were given)."""
    start = draft_time(data, "start")
    until = draft_time(data, "until")
    title, place, capacity = data.get("title"), data.get("place"), data.get("capacity")
    if (
        start is None
        or until is None
        or not isinstance(title, str)
        or not isinstance(place, str)
        or not isinstance(capacity, int)
        or "balanced" not in data
    ):
        raise EventInputError("empty")
    if start <= now:
        raise EventInputError("past")
    check_deadline(until, start=start, now=now)
    return Draft(
        title=title,
        starts_at=start,
        place=place,
        capacity=capacity,
        balanced=bool(data["balanced"]),
        signup_until=until,
    )


# --- what members and staff see ---------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    """A social with its places counted."""

    id: int
    title: str
    starts_at: datetime
    place: str
    capacity: int
    balanced: bool
    signup_until: datetime
    cancelled: bool
    going: int = 0
    waiting: int = 0
    going_by_gender: tuple[tuple[str, int], ...] = ()

    @property
    def half(self) -> int:
        """The most places one gender has at a balanced social."""
        return math.ceil(self.capacity / 2)

    @property
    def left(self) -> int:
        """Places not taken."""
        return max(self.capacity - self.going, 0)

    def left_for(self, gender: str) -> int:
        """Places a member of ``gender`` could still take."""
        if not self.balanced:
            return self.left
        taken = dict(self.going_by_gender).get(gender, 0)
        return max(min(self.half - taken, self.left), 0)


@dataclass(frozen=True)
class MemberEvent:
    """A social as one member sees it: with their sign-up (status None if not signed up)."""

    event: EventView
    status: str | None = None
    position: int = 0


def _view(row: Row[Any] | Any, counts: dict[str, Counter[str]] | None = None) -> EventView:
    going = counts.get(GOING, Counter()) if counts else Counter()
    waiting = counts.get(WAITING, Counter()) if counts else Counter()
    return EventView(
        id=int(row.id),
        title=str(row.title),
        starts_at=row.starts_at,
        place=str(row.place),
        capacity=int(row.capacity),
        balanced=bool(row.balanced),
        signup_until=row.signup_until,
        cancelled=bool(row.cancelled),
        going=sum(going.values()),
        waiting=sum(waiting.values()),
        going_by_gender=tuple(sorted(going.items())),
    )


def _counts(rows: list[Row[Any]]) -> dict[int, dict[str, Counter[str]]]:
    counts: dict[int, dict[str, Counter[str]]] = {}
    for row in rows:
        per_status = counts.setdefault(int(row.event_id), {})
        per_status.setdefault(str(row.status), Counter())[str(row.gender)] += int(row.n)
    return counts


def _count_query(event_ids: list[int]) -> Any:
    return (
        select(SIGNUPS.c.event_id, SIGNUPS.c.status, SIGNUPS.c.gender, func.count().label("n"))
        .where(SIGNUPS.c.event_id.in_(event_ids))
        .group_by(SIGNUPS.c.event_id, SIGNUPS.c.status, SIGNUPS.c.gender)
    )


def _views(conn: Connection, rows: list[Row[Any]]) -> list[EventView]:
    ids = [int(row.id) for row in rows]
    counts = _counts(list(conn.execute(_count_query(ids)).all())) if ids else {}
    return [_view(row, counts.get(int(row.id))) for row in rows]


def _position(conn: Connection, *, event_id: int, at: datetime, user_id: int) -> int:
    """A waiting member's place in the queue (1 = next to get a place)."""
    ahead = conn.execute(
        select(func.count())
        .select_from(SIGNUPS)
        .where(
            SIGNUPS.c.event_id == event_id,
            SIGNUPS.c.status == WAITING,
            or_(SIGNUPS.c.at < at, and_(SIGNUPS.c.at == at, SIGNUPS.c.user_id < user_id)),
        )
    ).scalar_one()
    return int(ahead) + 1


def member_events(conn: Connection, *, user_id: int, now: datetime) -> list[MemberEvent]:
    """Upcoming socials (not cancelled, not started), soonest first, with the member's place."""
    rows = list(
        conn.execute(
            select(EVENTS)
            .where(EVENTS.c.cancelled.is_(False), EVENTS.c.starts_at > now)
            .order_by(EVENTS.c.starts_at, EVENTS.c.id)
            .limit(LIST_LIMIT)
        ).all()
    )
    views = _views(conn, rows)
    mine = {
        int(row.event_id): row
        for row in conn.execute(
            select(SIGNUPS).where(
                SIGNUPS.c.user_id == user_id,
                SIGNUPS.c.event_id.in_([view.id for view in views]),
            )
        ).all()
    }
    listed = []
    for view in views:
        signup = mine.get(view.id)
        if signup is None:
            listed.append(MemberEvent(view))
            continue
        position = 0
        if signup.status == WAITING:
            position = _position(conn, event_id=view.id, at=signup.at, user_id=user_id)
        listed.append(MemberEvent(view, status=str(signup.status), position=position))
    return listed


def staff_events(conn: Connection, *, now: datetime) -> list[EventView]:
    """Socials staff manage: not cancelled, started at most a day ago; soonest first."""
    rows = list(
        conn.execute(
            select(EVENTS)
            .where(EVENTS.c.cancelled.is_(False), EVENTS.c.starts_at > now - STAFF_LIST_AFTER)
            .order_by(EVENTS.c.starts_at, EVENTS.c.id)
            .limit(LIST_LIMIT)
        ).all()
    )
    return _views(conn, rows)


def get_event(conn: Connection, *, event_id: int) -> EventView | None:
    """One social with its places counted (None if there is no such social)."""
    rows = list(conn.execute(select(EVENTS).where(EVENTS.c.id == event_id)).all())
    views = _views(conn, rows)
    return views[0] if views else None


# --- creating and cancelling (staff) ----------------------------------------------------------


def create_event(conn: Connection, *, user_id: int, now: datetime) -> int | None:
    """Turn the staff member's finished answers into a social; end their flow; return its id.

    None if there is no finished new social in their flow (a second press of "create").
    Raises EventInputError when a time given has passed in the meantime.
    """
    row = conn.execute(
        select(FLOWS.c.data)
        .where(FLOWS.c.user_id == user_id, FLOWS.c.flow == EVENT_FLOW, FLOWS.c.step == "summary")
        .with_for_update()
    ).first()
    if row is None:
        return None
    draft = complete_draft(dict(row.data or {}), now=now)
    event_id = conn.execute(
        insert(EVENTS)
        .values(
            title=draft.title,
            starts_at=draft.starts_at,
            place=draft.place,
            capacity=draft.capacity,
            balanced=draft.balanced,
            signup_until=draft.signup_until,
            created_by=user_id,
            cancelled=False,
            reminded_at=None,
            created_at=now,
        )
        .returning(EVENTS.c.id)
    ).scalar_one()
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == user_id, FLOWS.c.flow == EVENT_FLOW))
    _audit(conn, actor_id=user_id, action="match.event.create", event_id=event_id, now=now)
    return int(event_id)


@dataclass(frozen=True)
class Notice:
    """A member to tell something, in their language."""

    user_id: int
    language: str


@dataclass(frozen=True)
class Cancelled:
    """A cancelled social and the members signed up for it."""

    event: EventView
    members: list[Notice]


def cancel_event(
    conn: Connection, *, event_id: int, actor_id: int, now: datetime
) -> Cancelled | None:
    """Cancel a social (once); return it and everyone signed up (None if gone or cancelled)."""
    changed = conn.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id, EVENTS.c.cancelled.is_(False))
        .values(cancelled=True)
    ).rowcount
    if not changed:
        return None
    event = get_event(conn, event_id=event_id)
    assert event is not None
    members = [
        Notice(int(row.user_id), str(row.language or "zh"))
        for row in conn.execute(
            select(SIGNUPS.c.user_id, USERS.c.language)
            .select_from(SIGNUPS.outerjoin(USERS, USERS.c.id == SIGNUPS.c.user_id))
            .where(SIGNUPS.c.event_id == event_id)
            .order_by(SIGNUPS.c.at, SIGNUPS.c.user_id)
        ).all()
    ]
    _audit(
        conn,
        actor_id=actor_id,
        action="match.event.cancel",
        event_id=event_id,
        now=now,
        detail={"going": event.going, "waiting": event.waiting},
    )
    return Cancelled(event=event, members=members)


def _audit(
    conn: Connection,
    *,
    actor_id: int | None,
    action: str,
    event_id: int,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        insert(AUDIT).values(
            at=now,
            actor_id=actor_id,
            action=action,
            subject=f"match_event:{event_id}",
            detail=detail or {},
        )
    )


# --- signing up and leaving (members) ---------------------------------------------------------


@dataclass(frozen=True)
class Promoted:
    """A member who moved from the waiting list to a place."""

    user_id: int
    language: str


@dataclass(frozen=True)
class SignUp:
    """What became of a sign-up.

    ``outcome``: "going", "waiting" (``position`` in the queue), "already" (``status`` and
    ``position`` of the earlier sign-up), "gender" (a balanced social needs the member's
    gender), "closed" (after the deadline), "gone" (cancelled or started), "missing".
    """

    outcome: str
    event: EventView | None = None
    status: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Left:
    """What became of giving a place back.

    ``outcome``: "left" (``was`` going or waiting; ``promoted`` got the place), "not_signed_up"
    (nothing to cancel: a second press) or "missing".
    """

    outcome: str
    event: EventView | None = None
    was: str | None = None
    promoted: list[Promoted] | None = None


def _locked_event(conn: Connection, event_id: int) -> Row[Any] | None:
    return conn.execute(select(EVENTS).where(EVENTS.c.id == event_id).with_for_update()).first()


def _going_by_gender(conn: Connection, event_id: int) -> Counter[str]:
    rows = conn.execute(
        select(SIGNUPS.c.gender, func.count().label("n"))
        .where(SIGNUPS.c.event_id == event_id, SIGNUPS.c.status == GOING)
        .group_by(SIGNUPS.c.gender)
    ).all()
    return Counter({str(row.gender): int(row.n) for row in rows})


def _fits(event: Row[Any], going: Counter[str], gender: str) -> bool:
    """True if a member of ``gender`` can have a place now."""
    if sum(going.values()) >= event.capacity:
        return False
    return not event.balanced or going[gender] < math.ceil(event.capacity / 2)


def clean_name(full_name: str) -> str:
    """The Telegram name a sign-up keeps for the attendee list (one line, NAME_LIMIT long)."""
    return " ".join(full_name.split())[:NAME_LIMIT]


def profile_gender(conn: Connection, *, user_id: int) -> str | None:
    """The gender on the member's matchmaking profile, if they have one."""
    value = conn.execute(select(PROFILES.c.gender).where(PROFILES.c.user_id == user_id)).scalar()
    return str(value) if value in GENDERS else None


def sign_up(
    conn: Connection,
    *,
    event_id: int,
    user_id: int,
    name: str,
    gender: str | None,
    now: datetime,
) -> SignUp:
    """Give the member a place, or a place on the waiting list, deciding under the event lock.

    The gender comes from the member's matchmaking profile when they have one, else from
    ``gender`` (asked only when the social is balanced).
    """
    event = _locked_event(conn, event_id)
    if event is None:
        return SignUp("missing")
    if event.cancelled or event.starts_at <= now:
        return SignUp("gone", _view(event))
    earlier = conn.execute(
        select(SIGNUPS.c.status, SIGNUPS.c.at).where(
            SIGNUPS.c.event_id == event_id, SIGNUPS.c.user_id == user_id
        )
    ).first()
    if earlier is not None:
        position = 0
        if earlier.status == WAITING:
            position = _position(conn, event_id=event_id, at=earlier.at, user_id=user_id)
        view = get_event(conn, event_id=event_id)
        return SignUp("already", view, status=str(earlier.status), position=position)
    if event.signup_until < now:
        return SignUp("closed", _view(event))
    chosen = profile_gender(conn, user_id=user_id) or (gender if gender in GENDERS else None)
    if event.balanced and chosen is None:
        return SignUp("gender", _view(event))
    going = _going_by_gender(conn, event_id)
    status = GOING if _fits(event, going, chosen or "") else WAITING
    conn.execute(
        insert(SIGNUPS).values(
            event_id=event_id,
            user_id=user_id,
            name=clean_name(name),
            gender=chosen or "",
            status=status,
            at=now,
        )
    )
    view = get_event(conn, event_id=event_id)
    if status == GOING:
        return SignUp("going", view, status=status)
    position = _position(conn, event_id=event_id, at=now, user_id=user_id)
    return SignUp("waiting", view, status=status, position=position)


def fill_places(conn: Connection, *, event_id: int, now: datetime) -> list[Promoted]:
    """Give free places to the waiting list in order, skipping who the balance keeps out.

    The caller holds the event's lock. Nothing moves for a cancelled or started social.
    """
    event = conn.execute(select(EVENTS).where(EVENTS.c.id == event_id)).first()
    if event is None or event.cancelled or event.starts_at <= now:
        return []
    going = _going_by_gender(conn, event_id)
    if sum(going.values()) >= event.capacity:
        return []
    queue = conn.execute(
        select(SIGNUPS.c.user_id, SIGNUPS.c.gender, USERS.c.language)
        .select_from(SIGNUPS.outerjoin(USERS, USERS.c.id == SIGNUPS.c.user_id))
        .where(SIGNUPS.c.event_id == event_id, SIGNUPS.c.status == WAITING)
        .order_by(SIGNUPS.c.at, SIGNUPS.c.user_id)
    ).all()
    promoted = []
    for row in queue:
        if sum(going.values()) >= event.capacity:
            break
        if not _fits(event, going, str(row.gender)):
            continue
        moved = conn.execute(
            update(SIGNUPS)
            .where(
                SIGNUPS.c.event_id == event_id,
                SIGNUPS.c.user_id == row.user_id,
                SIGNUPS.c.status == WAITING,
            )
            .values(status=GOING)
        ).rowcount
        if moved:
            going[str(row.gender)] += 1
            promoted.append(Promoted(int(row.user_id), str(row.language or "zh")))
    return promoted


def leave_event(conn: Connection, *, event_id: int, user_id: int, now: datetime) -> Left:
    """Cancel the member's sign-up; a place given back goes to the waiting list."""
    event = _locked_event(conn, event_id)
    if event is None:
        return Left("missing")
    was = conn.execute(
        delete(SIGNUPS)
        .where(SIGNUPS.c.event_id == event_id, SIGNUPS.c.user_id == user_id)
        .returning(SIGNUPS.c.status)
    ).scalar()
    if was is None:
        return Left("not_signed_up", _view(event))
    promoted = fill_places(conn, event_id=event_id, now=now) if was == GOING else []
    return Left("left", get_event(conn, event_id=event_id), was=str(was), promoted=promoted)


def leave_all(conn: Connection, *, user_id: int, now: datetime) -> tuple[int, list[Promoted]]:
    """Cancel every sign-up of the member (for /forget); return how many and who moved up."""
    event_ids = [
        int(value)
        for value in conn.execute(
            select(SIGNUPS.c.event_id)
            .where(SIGNUPS.c.user_id == user_id)
            .order_by(SIGNUPS.c.event_id)
        ).scalars()
    ]
    promoted: list[Promoted] = []
    left = 0
    for event_id in event_ids:
        result = leave_event(conn, event_id=event_id, user_id=user_id, now=now)
        if result.outcome == "left":
            left += 1
            promoted.extend(result.promoted or [])
    return left, promoted


async def forget_signups(session: AsyncSession, user_id: int) -> list[str]:
    """Delete the member's sign-ups (for /forget), moving the waiting lists up."""
    conn = await session.connection()
    now = utcnow()
    left, _promoted = await conn.run_sync(lambda sync: leave_all(sync, user_id=user_id, now=now))
    return ["me-forget-signups"] if left else []


# --- the attendee list (staff) ----------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """The sign-ups of a social as a CSV file (UTF-8 with BOM, for Excel)."""

    event: EventView
    data: bytes
    rows: int


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def local_text(moment: datetime, zone: str) -> str:
    """A moment as local ``YYYY-MM-DD HH:MM``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def export_signups(
    conn: Connection, *, event_id: int, actor_id: int, lang: str, zone: str, now: datetime
) -> Export | None:
    """The social's sign-ups: those going, then the waiting list, each in sign-up order.

    The export is audited (with the number of rows only). None if there is no such social.
    """
    event = get_event(conn, event_id=event_id)
    if event is None:
        return None
    rows = conn.execute(
        select(SIGNUPS.c.status, SIGNUPS.c.name, SIGNUPS.c.gender, SIGNUPS.c.at)
        .where(SIGNUPS.c.event_id == event_id)
        .order_by((SIGNUPS.c.status == WAITING).asc(), SIGNUPS.c.at, SIGNUPS.c.user_id)
    ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            t(lang, "me-csv-order"),
            t(lang, "me-csv-status"),
            t(lang, "me-csv-name"),
            t(lang, "me-csv-gender"),
            t(lang, "me-csv-at"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        status = t(lang, "me-status-going" if row.status == GOING else "me-status-waiting")
        gender = option_label(lang, "gender", row.gender) if row.gender in GENDERS else ""
        writer.writerow(
            [str(number), status, _cell(str(row.name)), gender, local_text(row.at, zone)]
        )
    _audit(
        conn,
        actor_id=actor_id,
        action="match.event.export",
        event_id=event_id,
        now=now,
        detail={"rows": len(rows)},
    )
    return Export(event=event, data=buffer.getvalue().encode("utf-8-sig"), rows=len(rows))


# --- texts shared by the handlers and the reminders -------------------------------------------


def when_text(lang: str, moment: datetime, zone: str) -> str:
    """A moment as members read it: 12月5日（周六）19:00."""
    local = moment.astimezone(ZoneInfo(zone))
    return t(
        lang,
        "me-when",
        month=local.month,
        day=local.day,
        weekday=local.weekday(),
        time=local.strftime("%H:%M"),
    )


def event_lines(lang: str, event: EventView, zone: str) -> str:
    """Title, time and place of a social."""
    return t(
        lang,
        "me-event-head",
        title=event.title,
        when=when_text(lang, event.starts_at, zone),
        place=event.place,
    )


def cancel_buttons(lang: str, event_id: int) -> tuple[tuple[Button, ...], ...]:
    """The "cancel my sign-up" button."""
    return ((Button(t(lang, "me-btn-leave"), CANCEL_SIGNUP, (event_id,)),),)


# --- reminders --------------------------------------------------------------------------------


def _due(conn: Connection, *, now: datetime) -> list[int]:
    return [
        int(value)
        for value in conn.execute(
            select(EVENTS.c.id)
            .where(
                EVENTS.c.cancelled.is_(False),
                EVENTS.c.reminded_at.is_(None),
                EVENTS.c.starts_at > now,
                EVENTS.c.starts_at <= now + REMIND_BEFORE,
            )
            .order_by(EVENTS.c.starts_at)
        ).scalars()
    ]


def claim_reminder(
    conn: Connection, *, event_id: int, now: datetime
) -> tuple[EventView, list[Notice]] | None:
    """Mark the social reminded (once); return it and the members going (None if taken)."""
    changed = conn.execute(
        update(EVENTS)
        .where(
            EVENTS.c.id == event_id,
            EVENTS.c.reminded_at.is_(None),
            EVENTS.c.cancelled.is_(False),
        )
        .values(reminded_at=now)
    ).rowcount
    if not changed:
        return None
    event = get_event(conn, event_id=event_id)
    assert event is not None
    going = [
        Notice(int(row.user_id), str(row.language or "zh"))
        for row in conn.execute(
            select(SIGNUPS.c.user_id, USERS.c.language)
            .select_from(SIGNUPS.outerjoin(USERS, USERS.c.id == SIGNUPS.c.user_id))
            .where(SIGNUPS.c.event_id == event_id, SIGNUPS.c.status == GOING)
            .order_by(SIGNUPS.c.at, SIGNUPS.c.user_id)
        ).all()
    ]
    return event, going


async def send_reminders(
    notifier: Notifier, db: Database, *, now: datetime, zone: str = DEFAULT_ZONE
) -> int:
    """Remind the members going to socials that start within a day; return messages sent.

    Times are shown in ``zone`` (the union's: settings.timezone). One replica at a time (the
    lease), and each social once (``reminded_at`` is claimed with a conditional UPDATE before
    anything is sent).
    """
    held, _previous = await db.transact(
        take_lease, name=REMINDER_LEASE, owner=_OWNER, now=now, until=now + REMINDER_HOLD
    )
    if not held:
        return 0
    sent = 0
    for event_id in await db.transact(_due, now=now):
        claimed = await db.transact(claim_reminder, event_id=event_id, now=now)
        if claimed is None:
            continue
        event, going = claimed
        for member in going:
            lang = member.language
            text = t(lang, "me-reminder", event=event_lines(lang, event, zone))
            message = Outgoing(text, buttons=cancel_buttons(lang, event.id))
            try:
                await notifier.send(member.user_id, message)
            except DeliveryError:
                log.info("could not remind member %s of social %s", member.user_id, event.id)
                continue
            sent += 1
    return sent
