"""Employer submissions and the staff review queue: drafts, screening, approve, reject, edit.

An employer's answers are collected step by step into a draft (a plain dict kept in the
submitter's flow state); :func:`submit_draft` turns the finished draft into an ``employers``
row and a pending ``job_postings`` row in one transaction, screened by ``job_core.screen``.
Staff then approve (publish and queue alerts), reject with a reason, or edit a field (the
posting is screened again). Every staff decision is written to the audit log in the same
transaction. Nothing in this module talks to Telegram.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, case, cast, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import AuditLog, FlowState, User
from bot.core.text import Form, Layout, TextError, checked_text
from bot.jobs.core import (
    FEE_WORDS,
    INDUSTRIES,
    POSTINGS,
    MinWage,
    PostingView,
    Salary,
    SalaryError,
    dedupe_key,
    employment_type_of,
    find_duplicate,
    get_posting,
    industry_of,
    parse_salary,
    publish_postings,
    screen,
    search_text,
)
from bot.jobs.models import Employer, EmploymentType, PayUnit, PostingSource, PostingStatus

EMPLOYERS = Employer.__table__  # type: ignore[attr-defined]
AUDIT = AuditLog.__table__  # type: ignore[attr-defined]
FLOWS = FlowState.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]

#: The flow names of employer submission and of a staff member's review answer.
POST_FLOW = "jobpost"
REVIEW_FLOW = "jobreview"
#: The flow step where the finished draft waits for "submit".
PREVIEW = "preview"

#: The questions of a submission, in order (also the flow steps).
DRAFT_STEPS = (
    "emp",  # employer name
    "reg",  # registration number (optional)
    "title",
    "place",  # city and district
    "addr",  # street address (optional)
    "metro",  # nearest metro line/station (optional)
    "ind",  # industry (buttons)
    "type",  # employment type (buttons)
    "pay",
    "hours",  # optional
    "req",  # requirements
    "tags",  # suitable-for tags (toggle buttons)
    "contact",
    "exp",  # expiry date (optional)
)
OPTIONAL_STEPS = frozenset({"reg", "addr", "metro", "hours", "exp"})
BUTTON_STEPS = frozenset({"ind", "type", "tags"})
#: Employment types in button order.
TYPES = tuple(EmploymentType)
#: Fields staff may change on a posting under review.
EDIT_FIELDS = (
    "title",
    "employer_name",
    "district",
    "metro",
    "industry",
    "type",
    "pay",
    "hours",
    "requirements",
    "contact",
    "expires_on",
)
#: Why an answer was not accepted (each has a ``jp-bad-<reason>`` message).
INPUT_ERRORS = (
    "too_long",
    "empty",
    "pay",
    "date_format",
    "date_past",
    "reg",
    "industry",
    "type",
)


def _length(table: Any, column: str) -> int:
    length = table.c[column].type.length
    assert isinstance(length, int)
    return length


#: Longest answer per column, read from the tables so they can never disagree.
LIMITS: dict[str, int] = {
    "employer_name": min(_length(POSTINGS, "employer_name"), _length(EMPLOYERS, "name")),
    "registration_no": _length(EMPLOYERS, "registration_no"),
    "title": _length(POSTINGS, "title"),
    "city": _length(POSTINGS, "city"),
    "district": _length(POSTINGS, "district"),
    "address": _length(POSTINGS, "address"),
    "metro_line": _length(POSTINGS, "metro_line"),
    "metro_station": _length(POSTINGS, "metro_station"),
    "pay_text": _length(POSTINGS, "pay_text"),
    "hours": _length(POSTINGS, "hours"),
    "requirements": _length(POSTINGS, "requirements"),
    "contact": min(_length(POSTINGS, "contact"), _length(EMPLOYERS, "contact")),
    "review_note": _length(POSTINGS, "review_note"),
}


class InputError(ValueError):
    """An answer that cannot be used; ``reason`` is one of INPUT_ERRORS."""

    def __init__(self, reason: str, *, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


# --- reading answers --------------------------------------------------------------------------


def clean(text: str, *, limit: int, multiline: bool = False) -> str:
    """Trim an answer and check its length (``limit`` characters)."""
    return _checked(text, limit=limit, layout="lines" if multiline else "line")


def _checked(text: str, *, limit: int, layout: Layout, form: Form | None = "NFC") -> str:
    """:func:`bot.core.text.checked_text`, its TextError raised as an InputError."""
    try:
        return checked_text(text, limit=limit, layout=layout, form=form)
    except TextError as error:
        raise InputError(error.reason, limit=error.limit) from error


_CITY = re.compile(r"^(.{1,20}?市)(.*)$")


def parse_place(text: str) -> tuple[str, str]:
    """City and district from "郑州市金水区", "郑州 金水区", "金水区" (city unknown: "")."""
    value = clean(text, limit=LIMITS["city"] + LIMITS["district"] + 1)
    parts = re.split(r"[\s,，、/]+", value, maxsplit=1)
    if len(parts) == 2:
        city, district = parts
    elif found := _CITY.match(value):
        city, district = found.group(1), found.group(2).strip()
    elif value.endswith(("市", "city", "City")):
        city, district = value, ""
    else:
        city, district = "", value
    for part, column in ((city, "city"), (district, "district")):
        if len(part) > LIMITS[column]:
            raise InputError("too_long", limit=LIMITS[column])
    return city, district


_LINE = re.compile(r"^(.*?(?:号线|线|line\s*\d+|\d+\s*line))\s*(.*)$", re.I)


def parse_metro(text: str) -> tuple[str, str]:
    """Metro line and station from "1号线 紫荆山站", "2号线", "紫荆山站"."""
    value = clean(text, limit=LIMITS["metro_line"] + LIMITS["metro_station"] + 1)
    found = _LINE.match(value)
    line, station = (found.group(1).strip(), found.group(2).strip()) if found else ("", value)
    if len(line) > LIMITS["metro_line"]:
        raise InputError("too_long", limit=LIMITS["metro_line"])
    if len(station) > LIMITS["metro_station"]:
        raise InputError("too_long", limit=LIMITS["metro_station"])
    return line, station


_REG = re.compile(r"^[0-9A-Z][0-9A-Z-]{4,63}$")


def parse_registration(text: str) -> str:
    """A registration number (统一社会信用代码 or similar): letters, digits and dashes."""
    folded = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    value = _checked(folded, limit=LIMITS["registration_no"], layout="ends", form=None)
    if not _REG.match(value):
        raise InputError("reg")
    return value


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_expiry(text: str, *, today: date) -> date:
    """An expiry date ("2026-12-31", "2026/12/31", "2026年12月31日"); not in the past."""
    found = _DATE.match(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        raise InputError("date_format")
    try:
        value = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError as exc:
        raise InputError("date_format") from exc
    if value < today:
        raise InputError("date_past")
    return value


def parse_pay(text: str) -> Salary:
    """Pay as written ("4000-6000元/月", "200元/天", "面议")."""
    value = clean(text, limit=LIMITS["pay_text"])
    try:
        return parse_salary(value)
    except SalaryError as exc:
        raise InputError("pay") from exc


def new_draft() -> dict[str, Any]:
    """An empty draft: every answer blank."""
    return {
        "employer": "",
        "reg": "",
        "title": "",
        "city": "",
        "district": "",
        "address": "",
        "metro_line": "",
        "metro_station": "",
        "industry": "",
        "type": "",
        "pay": "",
        "hours": "",
        "requirements": "",
        "tags": 0,
        "contact": "",
        "expires": "",
    }


def answer_step(draft: Mapping[str, Any], step: str, text: str, *, today: date) -> dict[str, Any]:
    """The draft with ``text`` as the answer to ``step`` (raises InputError if unusable)."""
    out = dict(draft)
    if step == "emp":
        out["employer"] = clean(text, limit=LIMITS["employer_name"])
    elif step == "reg":
        out["reg"] = parse_registration(text)
    elif step == "title":
        out["title"] = clean(text, limit=LIMITS["title"])
    elif step == "place":
        out["city"], out["district"] = parse_place(text)
    elif step == "addr":
        out["address"] = clean(text, limit=LIMITS["address"])
    elif step == "metro":
        out["metro_line"], out["metro_station"] = parse_metro(text)
    elif step == "ind":
        industry = industry_of(clean(text, limit=LIMITS["title"]))
        if industry is None:
            raise InputError("industry")
        out["industry"] = industry
    elif step == "type":
        kind = employment_type_of(clean(text, limit=LIMITS["title"]))
        if kind is None:
            raise InputError("type")
        out["type"] = kind.value
    elif step == "pay":
        out["pay"] = parse_pay(text).text
    elif step == "hours":
        out["hours"] = clean(text, limit=LIMITS["hours"])
    elif step == "req":
        out["requirements"] = clean(text, limit=LIMITS["requirements"], multiline=True)
    elif step == "contact":
        out["contact"] = clean(text, limit=LIMITS["contact"])
    elif step == "exp":
        out["expires"] = parse_expiry(text, today=today).isoformat()
    else:
        raise ValueError(f"no text answer for step {step!r}")
    return out


def skip_step(draft: Mapping[str, Any], step: str) -> dict[str, Any]:
    """The draft with an optional ``step`` left blank."""
    if step not in OPTIONAL_STEPS:
        raise ValueError(f"step {step!r} is not optional")
    out = dict(draft)
    fields = {
        "reg": ("reg",),
        "addr": ("address",),
        "metro": ("metro_line", "metro_station"),
        "hours": ("hours",),
        "exp": ("expires",),
    }[step]
    for name in fields:
        out[name] = ""
    return out


def step_answer(draft: Mapping[str, Any], step: str) -> str:
    """What the draft holds for ``step``, as text (to show while editing)."""
    if step == "place":
        return " ".join(p for p in (draft["city"], draft["district"]) if p)
    if step == "metro":
        return " ".join(p for p in (draft["metro_line"], draft["metro_station"]) if p)
    name = {
        "emp": "employer",
        "addr": "address",
        "ind": "industry",
        "req": "requirements",
        "exp": "expires",
    }.get(step, step)
    value = draft.get(name, "")
    return "" if step == "tags" else str(value or "")


def next_step(step: str) -> str:
    """The step after ``step`` (the preview after the last)."""
    index = DRAFT_STEPS.index(step)
    return DRAFT_STEPS[index + 1] if index + 1 < len(DRAFT_STEPS) else PREVIEW


def previous_step(step: str) -> str | None:
    """The step before ``step`` (None for the first)."""
    if step == PREVIEW:
        return DRAFT_STEPS[-1]
    index = DRAFT_STEPS.index(step)
    return DRAFT_STEPS[index - 1] if index > 0 else None


def draft_complete(draft: Mapping[str, Any]) -> bool:
    """True when every required answer is there."""
    required = ("employer", "title", "industry", "type", "pay", "requirements", "contact")
    return all(draft.get(name) for name in required) and bool(
        draft.get("city") or draft.get("district")
    )


def draft_asks_fee(draft: Mapping[str, Any]) -> bool:
    """True when the draft asks the worker for a fee or deposit (screening would flag it)."""
    words = ("title", "requirements", "hours", "pay", "address")
    return bool(FEE_WORDS.search(" ".join(str(draft.get(name) or "") for name in words)))


def draft_view(draft: Mapping[str, Any], *, posting_id: int = 0) -> PostingView:
    """The draft as a posting card shows it."""
    salary = parse_salary(draft["pay"]) if draft.get("pay") else Salary(None, None, None, "")
    expires = draft.get("expires") or ""
    return PostingView(
        id=posting_id,
        title=draft["title"],
        employer_name=draft["employer"],
        city=draft["city"],
        district=draft["district"],
        address=draft["address"],
        metro_line=draft["metro_line"],
        metro_station=draft["metro_station"],
        industry=draft["industry"] or "other",
        employment_type=EmploymentType(draft["type"] or EmploymentType.full_time.value),
        salary=salary,
        hours=draft["hours"],
        requirements=draft["requirements"],
        tags=int(draft.get("tags") or 0),
        contact=draft["contact"],
        status=PostingStatus.draft,
        source=PostingSource.employer.value,
        owner_id=None,
        flags=(),
        review_note="",
        contact_views=0,
        report_count=0,
        published_at=None,
        expires_on=date.fromisoformat(expires) if expires else None,
    )


# --- submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A submitted posting: its id and the screening flags that hold it for review."""

    posting_id: int
    flags: tuple[str, ...]
    employer_id: int


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


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _employer_id(
    conn: Connection,
    *,
    name: str,
    registration_no: str,
    contact: str,
    owner_id: int,
    now: datetime,
) -> int:
    """The employer named (by registration number if given, else by name), created if new."""
    if registration_no:
        query = select(EMPLOYERS.c.id).where(EMPLOYERS.c.registration_no == registration_no)
    else:
        query = (
            select(EMPLOYERS.c.id)
            .where(EMPLOYERS.c.name == name)
            .order_by(EMPLOYERS.c.verified.desc(), EMPLOYERS.c.id)
        )
    found = conn.execute(query.limit(1)).scalar()
    if found is not None:
        return int(found)
    result = conn.execute(
        insert(EMPLOYERS).values(
            name=name,
            registration_no=registration_no or None,
            contact=contact,
            verified=False,
            owner_id=owner_id,
            created_at=now,
        )
    )
    return _new_id(result)


def _screen_values(
    conn: Connection,
    values: Mapping[str, Any],
    salary: Salary,
    min_wages: Mapping[str, MinWage],
    *,
    exclude_id: int | None = None,
) -> list[str]:
    duplicate = find_duplicate(conn, key=values["dedupe_key"], exclude_id=exclude_id)
    return screen(
        title=values["title"],
        requirements=values["requirements"],
        contact=values["contact"],
        city=values["city"],
        salary=salary,
        min_wages=min_wages,
        duplicate=duplicate is not None,
        extra_text=" ".join((values["hours"], values["pay_text"], values["address"])),
    )


def _derived(values: Mapping[str, Any]) -> dict[str, str]:
    """The dedupe key and search text of posting column values."""
    return {
        "dedupe_key": dedupe_key(
            employer=values["employer_name"], title=values["title"], district=values["district"]
        ),
        "search_text": search_text(
            title=values["title"],
            employer=values["employer_name"],
            requirements=values["requirements"],
            metro_station=values["metro_station"],
            hours=values["hours"],
        ),
    }


def _note_terms(conn: Connection, values: Mapping[str, Any]) -> None:
    """Add a posting just written to job search's terms table."""
    from bot.jobs.search import note_terms  # imported on use: search loads rapidfuzz

    note_terms(conn, [values])


def submit_posting(
    conn: Connection,
    *,
    owner_id: int,
    draft: Mapping[str, Any],
    now: datetime,
    min_wages: Mapping[str, MinWage],
) -> Submission:
    """Store a finished draft as a pending employer posting, screened, with its employer."""
    if not draft_complete(draft):
        raise InputError("empty")
    salary = parse_salary(draft["pay"])
    employer_id = _employer_id(
        conn,
        name=draft["employer"],
        registration_no=draft.get("reg") or "",
        contact=draft["contact"],
        owner_id=owner_id,
        now=now,
    )
    expires = draft.get("expires") or ""
    values: dict[str, Any] = {
        "title": draft["title"],
        "employer_name": draft["employer"],
        "city": draft["city"],
        "district": draft["district"],
        "address": draft["address"],
        "metro_line": draft["metro_line"],
        "metro_station": draft["metro_station"],
        "industry": draft["industry"] if draft["industry"] in INDUSTRIES else "other",
        "employment_type": EmploymentType(draft["type"]).value,
        "pay_min": salary.min,
        "pay_max": salary.max,
        "pay_unit": salary.unit.value if salary.unit is not None else None,
        "pay_text": salary.text,
        "hours": draft["hours"],
        "requirements": draft["requirements"],
        "tags": int(draft.get("tags") or 0),
        "contact": draft["contact"],
        "expires_on": date.fromisoformat(expires) if expires else None,
        "employer_id": employer_id,
        "source": PostingSource.employer.value,
        "status": PostingStatus.pending.value,
        "owner_id": owner_id,
        "review_note": "",
        "reviewed_by": None,
        "contact_views": 0,
        "report_count": 0,
        "published_at": None,
        "created_at": now,
        "updated_at": now,
    }
    values.update(_derived(values))
    flags = _screen_values(conn, values, salary, min_wages)
    values["flags"] = flags
    result = conn.execute(insert(POSTINGS).values(**values))
    posting_id = _new_id(result)
    _note_terms(conn, {**values, "id": posting_id})
    return Submission(posting_id=posting_id, flags=tuple(flags), employer_id=employer_id)


def submit_draft(
    conn: Connection, *, owner_id: int, now: datetime, min_wages: Mapping[str, MinWage]
) -> Submission | None:
    """Submit the draft waiting at the preview step and end the flow, all at once.

    Returns None when there is no such draft (already submitted, cancelled or never made),
    so pressing "submit" twice never stores two postings.
    """
    row = conn.execute(
        select(FLOWS.c.data)
        .where(
            FLOWS.c.user_id == owner_id,
            FLOWS.c.flow == POST_FLOW,
            FLOWS.c.step == PREVIEW,
        )
        .with_for_update()
    ).first()
    if row is None:
        return None
    draft = {**new_draft(), **dict(row.data.get("d") or {})}
    if not draft_complete(draft):
        return None
    conn.execute(delete(FLOWS).where(FLOWS.c.user_id == owner_id, FLOWS.c.flow == POST_FLOW))
    return submit_posting(conn, owner_id=owner_id, draft=draft, now=now, min_wages=min_wages)


# --- the review queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A posting waiting for review, with what staff need to judge its employer."""

    view: PostingView
    registration_no: str
    employer_verified: bool
    submitted_at: datetime


def _flagged_last() -> Any:
    return case((cast(POSTINGS.c.flags, String) == "[]", 1), else_=0)


def review_queue(conn: Connection, *, limit: int, offset: int) -> list[QueueItem]:
    """Pending postings, flagged ones first, then oldest first."""
    query = (
        select(
            POSTINGS,
            EMPLOYERS.c.registration_no.label("employer_registration_no"),
            EMPLOYERS.c.verified.label("employer_verified"),
        )
        .select_from(POSTINGS.outerjoin(EMPLOYERS, EMPLOYERS.c.id == POSTINGS.c.employer_id))
        .where(POSTINGS.c.status == PostingStatus.pending.value)
        .order_by(_flagged_last(), POSTINGS.c.created_at, POSTINGS.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        QueueItem(
            view=PostingView.from_row(row),
            registration_no=row["employer_registration_no"] or "",
            employer_verified=bool(row["employer_verified"]),
            submitted_at=row["created_at"],
        )
        for row in conn.execute(query).mappings()
    ]


def pending_count(conn: Connection) -> int:
    """How many postings wait for review."""
    query = select(func.count()).where(POSTINGS.c.status == PostingStatus.pending.value)
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class Decision:
    """A staff decision on a posting: the posting after it, and whom to tell in which language."""

    posting: PostingView
    owner_id: int | None
    owner_language: str
    alerts: int = 0


def _pending_row(conn: Connection, posting_id: int) -> Mapping[Any, Any] | None:
    return (
        conn.execute(
            select(POSTINGS)
            .where(POSTINGS.c.id == posting_id, POSTINGS.c.status == PostingStatus.pending.value)
            .with_for_update()
        )
        .mappings()
        .first()
    )


def _decision(conn: Connection, posting_id: int, alerts: int = 0) -> Decision:
    view = get_posting(conn, posting_id=posting_id)
    assert view is not None
    language = None
    if view.owner_id is not None:
        language = conn.execute(
            select(USERS.c.language).where(USERS.c.id == view.owner_id)
        ).scalar()
    return Decision(
        posting=view, owner_id=view.owner_id, owner_language=language or "zh", alerts=alerts
    )


def approve(
    conn: Connection, *, posting_id: int, staff_id: int, now: datetime, posting_days: int
) -> Decision | None:
    """Publish a pending posting (queueing alerts for matching seekers); None if not pending."""
    row = _pending_row(conn, posting_id)
    if row is None:
        return None
    alerts = publish_postings(
        conn, posting_ids=[posting_id], now=now, posting_days=posting_days, reviewer_id=staff_id
    )
    _audit(
        conn,
        actor_id=staff_id,
        action="jobs.approve",
        subject=f"posting:{posting_id}",
        now=now,
        detail={"flags": list(row["flags"] or []), "alerts": alerts},
    )
    return _decision(conn, posting_id, alerts)


def reject(
    conn: Connection, *, posting_id: int, staff_id: int, reason: str, now: datetime
) -> Decision | None:
    """Reject a pending posting with a reason for the submitter; None if not pending."""
    note = clean(reason, limit=LIMITS["review_note"], multiline=True)
    if _pending_row(conn, posting_id) is None:
        return None
    conn.execute(
        update(POSTINGS)
        .where(POSTINGS.c.id == posting_id)
        .values(
            status=PostingStatus.rejected.value,
            review_note=note,
            reviewed_by=staff_id,
            updated_at=now,
        )
    )
    _audit(
        conn,
        actor_id=staff_id,
        action="jobs.reject",
        subject=f"posting:{posting_id}",
        now=now,
        detail={"reason": note},
    )
    return _decision(conn, posting_id)


#: Statuses staff may still edit.
EDITABLE = (PostingStatus.pending.value, PostingStatus.published.value)


def edit_value(field: str, text: str, *, today: date) -> dict[str, Any]:
    """The column values a staff member's answer for ``field`` sets (raises InputError)."""
    if field == "title":
        return {"title": clean(text, limit=LIMITS["title"])}
    if field == "employer_name":
        return {"employer_name": clean(text, limit=LIMITS["employer_name"])}
    if field == "district":
        return {"district": clean(text, limit=LIMITS["district"])}
    if field == "metro":
        line, station = parse_metro(text)
        return {"metro_line": line, "metro_station": station}
    if field == "industry":
        industry = industry_of(clean(text, limit=LIMITS["title"]))
        if industry is None:
            raise InputError("industry")
        return {"industry": industry}
    if field == "type":
        kind = employment_type_of(clean(text, limit=LIMITS["title"]))
        if kind is None:
            raise InputError("type")
        return {"employment_type": kind.value}
    if field == "pay":
        salary = parse_pay(text)
        return {
            "pay_min": salary.min,
            "pay_max": salary.max,
            "pay_unit": salary.unit.value if salary.unit is not None else None,
            "pay_text": salary.text,
        }
    if field == "hours":
        return {"hours": clean(text, limit=LIMITS["hours"])}
    if field == "requirements":
        return {"requirements": clean(text, limit=LIMITS["requirements"], multiline=True)}
    if field == "contact":
        return {"contact": clean(text, limit=LIMITS["contact"])}
    if field == "expires_on":
        return {"expires_on": parse_expiry(text, today=today)}
    raise ValueError(f"field {field!r} cannot be edited")


def edit_field(
    conn: Connection,
    *,
    posting_id: int,
    staff_id: int,
    field: str,
    value: str,
    now: datetime,
    today: date,
    min_wages: Mapping[str, MinWage],
) -> PostingView | None:
    """Change one field of a pending or published posting and screen it again.

    Raises InputError for an unusable value; returns None if the posting is gone or closed.
    """
    changes = edit_value(field, value, today=today)
    row = (
        conn.execute(
            select(POSTINGS)
            .where(POSTINGS.c.id == posting_id, POSTINGS.c.status.in_(EDITABLE))
            .with_for_update()
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    values = {**dict(row), **changes}
    values.update(_derived(values))
    unit = values["pay_unit"]
    salary = Salary(
        values["pay_min"], values["pay_max"], PayUnit(unit) if unit else None, values["pay_text"]
    )
    flags = _screen_values(conn, values, salary, min_wages, exclude_id=posting_id)
    conn.execute(
        update(POSTINGS)
        .where(POSTINGS.c.id == posting_id)
        .values(
            **changes,
            dedupe_key=values["dedupe_key"],
            search_text=values["search_text"],
            flags=flags,
            updated_at=now,
        )
    )
    _note_terms(conn, values)
    _audit(
        conn,
        actor_id=staff_id,
        action="jobs.edit",
        subject=f"posting:{posting_id}",
        now=now,
        detail={"field": field, "flags": flags},
    )
    return get_posting(conn, posting_id=posting_id)


# --- the submitter's own postings -------------------------------------------------------------

#: Statuses an owner can withdraw from.
WITHDRAWABLE = (PostingStatus.pending.value, PostingStatus.published.value)


def my_postings(conn: Connection, *, owner_id: int, limit: int = 10) -> list[PostingView]:
    """The postings a user submitted, newest first."""
    rows = conn.execute(
        select(POSTINGS)
        .where(
            POSTINGS.c.owner_id == owner_id,
            POSTINGS.c.source == PostingSource.employer.value,
        )
        .order_by(POSTINGS.c.created_at.desc(), POSTINGS.c.id.desc())
        .limit(limit)
    ).mappings()
    return [PostingView.from_row(row) for row in rows]


def withdraw(conn: Connection, *, posting_id: int, owner_id: int, now: datetime) -> bool:
    """Withdraw a pending or published posting; only its owner may. False if not allowed."""
    result = conn.execute(
        update(POSTINGS)
        .where(
            POSTINGS.c.id == posting_id,
            POSTINGS.c.owner_id == owner_id,
            POSTINGS.c.status.in_(WITHDRAWABLE),
        )
        .values(status=PostingStatus.withdrawn.value, updated_at=now)
    )
    if not result.rowcount:
        return False
    _audit(
        conn, actor_id=owner_id, action="jobs.withdraw", subject=f"posting:{posting_id}", now=now
    )
    return True


async def forget_submitter(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a user's submissions that never went public; detach the published ones."""
    public = (PostingStatus.published.value, PostingStatus.expired.value)
    mine = (POSTINGS.c.owner_id == user_id) & (POSTINGS.c.source == PostingSource.employer.value)
    deleted = await session.exec(delete(POSTINGS).where(mine, POSTINGS.c.status.not_in(public)))
    # postings a staff member imported stay, no longer naming them
    detached = await session.exec(
        update(POSTINGS).where(POSTINGS.c.owner_id == user_id).values(owner_id=None)
    )
    await session.exec(
        update(EMPLOYERS).where(EMPLOYERS.c.owner_id == user_id).values(owner_id=None)
    )
    return ["jp-forget-item"] if deleted.rowcount or detached.rowcount else []
