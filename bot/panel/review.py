"""Job review: the queue of postings waiting for review, with their screening flags.

Approve, reject with a reason and edit call the bot's review functions (``approve``,
``reject``, ``edit_field`` in :mod:`bot.jobs.review`), which audit each decision as the staff
member who made it. The submitter is told in their language with the bot's own texts; the
message is queued in the outbox in the decision's transaction, so it is sent exactly when the
decision is stored (by the bot's outbox sender).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aiohttp import web
from sqlalchemy.engine import Connection

from bot.core import outbox
from bot.core.clock import today_in
from bot.core.models import Role, utcnow
from bot.core.notify import fit
from bot.core.users import audit
from bot.i18n import t
from bot.jobs.core import MinWage, PostingView, load_min_wages
from bot.jobs.core import get_posting as load_posting
from bot.jobs.models import PostingStatus
from bot.jobs.review import (
    EDIT_FIELDS,
    EDITABLE,
    Decision,
    InputError,
    approve,
    edit_field,
    edit_value,
    pending_count,
    reject,
    review_queue,
)
from bot.jobs.text import pay_text
from bot.panel.guard import int_param, requires, services
from bot.panel.render import NavEntry, language, message_page, render, url, visitor

NAV = NavEntry("/review", "panel-nav-review", frozenset({Role.staff}))
routes = web.RouteTableDef()

PAGE_SIZE = 20
#: The outbox kind of a review decision told to the posting's submitter.
DECISION_KIND = "job-review"
#: Fields whose edit box is several lines tall.
LONG_FIELDS = frozenset({"requirements"})


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def field_value(lang: str, view: PostingView, name: str) -> str:
    """What a posting holds for an editable field, written as staff would type it."""
    values = {
        "title": view.title,
        "employer_name": view.employer_name,
        "district": view.district,
        "metro": " ".join(p for p in (view.metro_line, view.metro_station) if p),
        "industry": t(lang, f"industry-{view.industry}") if view.industry else "",
        "type": t(lang, f"type-{view.employment_type.value}"),
        "pay": view.salary.text or pay_text(lang, view.salary),
        "hours": view.hours,
        "requirements": view.requirements,
        "contact": view.contact,
        "expires_on": view.expires_on.isoformat() if view.expires_on else "",
    }
    return values.get(name, "")


def _tell(conn: Connection, decision: Decision, *, key: str, text: str, now: datetime) -> None:
    """Queue the submitter's message about a decision in the decision's transaction."""
    if decision.owner_id is None:
        return
    outbox.put(
        conn,
        key=f"{key}:{decision.posting.id}:{int(now.timestamp())}",
        chat_id=decision.owner_id,
        kind=DECISION_KIND,
        text=fit(text),
        now=now,
    )


def approve_and_tell(
    conn: Connection, *, posting_id: int, staff_id: int, now: datetime, posting_days: int
) -> Decision | None:
    """Publish a pending posting (the bot's ``approve``) and queue the submitter's message."""
    decision = approve(
        conn, posting_id=posting_id, staff_id=staff_id, now=now, posting_days=posting_days
    )
    if decision is not None:
        view = decision.posting
        expires = view.expires_on.isoformat() if view.expires_on else "-"
        text = t(decision.owner_language, "jp-owner-published", title=view.title, date=expires)
        _tell(conn, decision, key="job-approved", text=text, now=now)
    return decision


def reject_and_tell(
    conn: Connection, *, posting_id: int, staff_id: int, reason: str, now: datetime
) -> Decision | None:
    """Reject a pending posting (the bot's ``reject``) and queue the submitter's message."""
    decision = reject(conn, posting_id=posting_id, staff_id=staff_id, reason=reason, now=now)
    if decision is not None:
        view = decision.posting
        text = t(
            decision.owner_language,
            "jp-owner-rejected",
            title=view.title,
            reason=view.review_note,
        )
        _tell(conn, decision, key="job-rejected", text=text, now=now)
    return decision


def _flag_text(lang: str, view: PostingView) -> list[str]:
    return [t(lang, f"flag-{flag}") for flag in view.flags]


@routes.get("/review", name="panel-review")
@requires(Role.staff)
async def review_page(request: web.Request) -> web.StreamResponse:
    """Show the postings waiting for review, flagged ones first (the view audited once,
    naming the postings shown)."""
    seen = visitor(request)
    assert seen is not None
    page = _page(request.query.get("page", "1"))
    db = services(request).db
    total = await db.transact(pending_count)
    items = await db.transact(review_queue, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    if items:
        async with db.session() as session:
            await audit(
                session,
                actor_id=seen.user_id,
                action="jobs.review_view",
                subject="review_queue",
                detail={
                    "postings": [item.view.id for item in items],
                    "page": page,
                    "where": "panel",
                },
            )
            await session.commit()
    lang = language(request)
    done = request.query.get("done", "")
    return render(
        request,
        "review.html",
        title_key="panel-nav-review",
        items=items,
        flags={item.view.id: _flag_text(lang, item.view) for item in items},
        pay={item.view.id: pay_text(lang, item.view.salary) for item in items},
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        done=done if done in ("approved", "rejected", "edited", "gone") else "",
    )


@routes.post("/review/{id}/approve", name="panel-review-approve")
@requires(Role.staff)
async def approve_posting(request: web.Request) -> web.StreamResponse:
    """Publish a pending posting and tell its submitter (a second click changes nothing)."""
    seen = visitor(request)
    assert seen is not None
    posting_id = int_param(request, "id")
    svc = services(request)
    decision = await svc.db.transact(
        approve_and_tell,
        posting_id=posting_id,
        staff_id=seen.user_id,
        now=utcnow(),
        posting_days=svc.settings.posting_days,
    )
    if decision is None:
        await _must_exist(request, posting_id)
    done = "approved" if decision is not None else "gone"
    raise web.HTTPSeeOther(url(request, f"/review?done={done}"))


@routes.post("/review/{id}/reject", name="panel-review-reject")
@requires(Role.staff)
async def reject_posting(request: web.Request) -> web.StreamResponse:
    """Reject a pending posting with a reason and tell its submitter."""
    seen = visitor(request)
    assert seen is not None
    posting_id = int_param(request, "id")
    form = await request.post()
    reason = form.get("reason", "")
    try:
        decision = await services(request).db.transact(
            reject_and_tell,
            posting_id=posting_id,
            staff_id=seen.user_id,
            reason=reason if isinstance(reason, str) else "",
            now=utcnow(),
        )
    except InputError as input_error:
        why = t(language(request), f"jp-bad-{input_error.reason}", limit=input_error.limit)
        return message_page(
            request, "panel-review-bad-reason", status=400, title_key="panel-nav-review", why=why
        )
    if decision is None:
        await _must_exist(request, posting_id)
    done = "rejected" if decision is not None else "gone"
    raise web.HTTPSeeOther(url(request, f"/review?done={done}"))


async def _must_exist(request: web.Request, posting_id: int) -> None:
    """404 for a posting that does not exist (a decided one only says "already decided")."""
    if await services(request).db.transact(load_posting, posting_id=posting_id) is None:
        raise web.HTTPNotFound()


async def _editable(request: web.Request, posting_id: int) -> PostingView:
    view = await services(request).db.transact(load_posting, posting_id=posting_id)
    if view is None:
        raise web.HTTPNotFound()
    return view


def _edit_form(
    request: web.Request,
    view: PostingView,
    *,
    values: Mapping[str, str] | None = None,
    error: str = "",
    status: int = 200,
    saved: bool = False,
) -> web.Response:
    lang = language(request)
    current = {name: field_value(lang, view, name) for name in EDIT_FIELDS}
    return render(
        request,
        "review_edit.html",
        status=status,
        title_key="panel-nav-review",
        view=view,
        fields=EDIT_FIELDS,
        long_fields=LONG_FIELDS,
        values={**current, **(values or {})},
        editable=view.status.value in EDITABLE,
        pending=view.status is PostingStatus.pending,
        flags=_flag_text(lang, view),
        error=error,
        saved=saved,
    )


@routes.get("/review/{id}", name="panel-review-edit")
@requires(Role.staff)
async def edit_page(request: web.Request) -> web.StreamResponse:
    """Show a posting's fields to edit (the view is audited)."""
    seen = visitor(request)
    assert seen is not None
    view = await _editable(request, int_param(request, "id"))
    async with services(request).db.session() as session:
        await audit(
            session,
            actor_id=seen.user_id,
            action="jobs.review_view",
            subject=f"posting:{view.id}",
        )
        await session.commit()
    return _edit_form(request, view, saved=request.query.get("saved") == "1")


@routes.post("/review/{id}", name="panel-review-save")
@requires(Role.staff)
async def save_edit(request: web.Request) -> web.StreamResponse:
    """Save the changed fields (all or none) and screen the posting again."""
    seen = visitor(request)
    assert seen is not None
    view = await _editable(request, int_param(request, "id"))
    if view.status.value not in EDITABLE:
        return _edit_form(request, view, error=t(language(request), "jp-q-gone"), status=409)
    form = await request.post()
    lang = language(request)
    given: dict[str, str] = {}
    for name in EDIT_FIELDS:
        raw = form.get(name)
        if isinstance(raw, str):
            given[name] = raw.replace("\r\n", "\n")
    changes = {
        name: value
        for name, value in given.items()
        if value.strip() != field_value(lang, view, name).strip()
    }
    svc = services(request)
    now = utcnow()
    today = today_in(svc.settings.timezone, now)
    for review_field, value in changes.items():
        try:
            edit_value(review_field, value, today=today)
        except InputError as input_error:
            why = t(lang, f"jp-bad-{input_error.reason}", limit=input_error.limit)
            label = t(lang, f"jp-rf-{review_field}")
            message = t(lang, "panel-review-bad-field", field=label, why=why)
            return _edit_form(request, view, values=given, error=message, status=400)
    if changes:
        edited = await svc.db.transact(
            edit_fields,
            posting_id=view.id,
            staff_id=seen.user_id,
            changes=changes,
            now=now,
            zone=svc.settings.timezone,
            min_wages=load_min_wages(svc.settings.min_wage_file),
        )
        if edited is None:
            raise web.HTTPSeeOther(url(request, "/review?done=gone"))
    raise web.HTTPSeeOther(url(request, f"/review/{view.id}?saved=1"))


def edit_fields(
    conn: Connection,
    *,
    posting_id: int,
    staff_id: int,
    changes: Mapping[str, str],
    now: datetime,
    zone: str,
    min_wages: Mapping[str, MinWage],
) -> PostingView | None:
    """Change several fields in one transaction (the bot's ``edit_field``, one audit each)."""
    view = None
    for name, value in changes.items():
        view = edit_field(
            conn,
            posting_id=posting_id,
            staff_id=staff_id,
            field=name,
            value=value,
            now=now,
            today=today_in(zone, now),
            min_wages=min_wages,
        )
        if view is None:
            return None
    return view
