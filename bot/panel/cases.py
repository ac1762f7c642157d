"""Legal cases: the list with filters, one case with its conversation, statistics, CSV export.

Who sees what follows the bot (``handlers/legal/cases.py`` and ``handlers/legal/staff.py``):
legal volunteers and staff may look at cases (admins hold every role); the statistics and the
CSV export are for staff, as ``/legal stats`` and ``/legal export`` are. A case shows what the
volunteers' case card shows (``bot.legal.core.case_summary``): the worker's name only when the
worker chose to show it, a phone number only when the worker chose to be called, and never
their Telegram id. Every view of a case is audited as ``legal.case.view`` (``where: panel``),
the export as ``legal.export``, the same actions the bot writes. The panel does not act on
cases: claiming, writing to the worker and closing stay in Telegram, where the bot checks the
volunteer's membership of the volunteers' group and tells the worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, or_
from sqlmodel import col, select

from bot.core.clock import today_in
from bot.core.models import Role, utcnow
from bot.core.users import audit
from bot.i18n import t
from bot.legal.cases import FROM_WORKER, TO_WORKER, age_text, count_evidence, get_case
from bot.legal.core import (
    CATEGORIES,
    STATUSES,
    case_date,
    case_deadline,
    case_label,
    category_name,
    deadline_text,
    outcome_name,
    status_name,
)
from bot.legal.models import CaseStatus, LegalCase, LegalMessage
from bot.legal.stats import MAX_DAYS, duration_text, export_cases, legal_stats
from bot.panel.guard import int_param, requires, services
from bot.panel.render import NavEntry, language, message_page, render, visitor

NAV = NavEntry("/cases", "panel-nav-cases", frozenset({Role.staff, Role.volunteer_legal}))
PAGE_SIZE = 30
#: The longest conversation a case page shows (the latest messages).
HISTORY_LIMIT = 500
#: Periods the statistics page offers (days; 0: since the start).
PERIODS = (30, 90, 365, 0)
routes = web.RouteTableDef()

LOOKERS = (Role.staff, Role.volunteer_legal)


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else ""


def _sla_breached(now: datetime, hours: float) -> Any:
    """Cases the bot escalated to staff, or still unanswered past the escalation time."""
    return or_(
        col(LegalCase.escalated_at).is_not(None),
        (
            col(LegalCase.first_reply_at).is_(None)
            & (col(LegalCase.status) != CaseStatus.closed.value)
            & (col(LegalCase.created_at) < now - timedelta(hours=hours))
        ),
    )


@routes.get("/cases", name="panel-cases")
@requires(*LOOKERS)
async def cases_page(request: web.Request) -> web.StreamResponse:
    """List cases, filtered by status, category, SLA and volunteer, newest first."""
    seen = visitor(request)
    assert seen is not None
    query = request.query
    status = query.get("status", "")
    category = query.get("category", "")
    sla = query.get("sla", "") == "1"
    volunteer = query.get("volunteer", "").strip()
    if (
        (status and status not in STATUSES)
        or (category and category not in CATEGORIES)
        or (volunteer and volunteer != "me" and (not volunteer.isdigit() or len(volunteer) > 18))
    ):
        return message_page(request, "panel-cases-bad-filter", status=400)
    page = _page(query.get("page", "1"))
    now = utcnow()
    settings = services(request).settings
    conditions: list[Any] = []
    if status:
        conditions.append(col(LegalCase.status) == status)
    if category:
        conditions.append(col(LegalCase.category) == category)
    if sla:
        conditions.append(_sla_breached(now, settings.legal_escalate_hours))
    if volunteer:
        claimer = seen.user_id if volunteer == "me" else int(volunteer)
        conditions.append(col(LegalCase.claimed_by) == claimer)
    listed = select(LegalCase).where(*conditions)
    counted = select(func.count()).select_from(LegalCase).where(*conditions)
    async with services(request).db.session() as session:
        total = int((await session.exec(counted)).one())
        rows = (
            await session.exec(
                listed.order_by(col(LegalCase.id).desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
    lang = language(request)
    breached_after = timedelta(hours=settings.legal_escalate_hours)
    cases = [
        {
            "id": case.id,
            "number": case_label(case.id or 0),
            "category": category_name(lang, case.category),
            "status": status_name(lang, case.status),
            "urgent": case.urgent,
            "created": _when(case.created_at),
            "age": age_text(lang, now - case.created_at),
            "claimer": case.claimed_by,
            "mine": case.claimed_by == seen.user_id,
            "first_reply": _when(case.first_reply_at),
            "breached": case.escalated_at is not None
            or (
                case.first_reply_at is None
                and case.status != CaseStatus.closed
                and now - case.created_at > breached_after
            ),
        }
        for case in rows
    ]
    filters = {"status": status, "category": category, "sla": "1" if sla else "",
               "volunteer": volunteer}  # fmt: skip
    return render(
        request,
        "cases.html",
        title_key="panel-nav-cases",
        cases=cases,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters=filters,
        statuses=[(s, status_name(lang, s)) for s in STATUSES],
        categories=[(c, category_name(lang, c)) for c in CATEGORIES],
        staff=Role.staff in seen.roles or Role.admin in seen.roles,
    )


@routes.get("/cases/stats", name="panel-cases-stats")
@requires(Role.staff)
async def stats_page(request: web.Request) -> web.StreamResponse:
    """Show the counts by status and category and the time to a first answer."""
    raw = request.query.get("days", "30")
    if not raw.isdigit() or int(raw) not in PERIODS:
        return message_page(request, "panel-cases-bad-period", status=400)
    days = int(raw)
    now = utcnow()
    since = now - timedelta(days=days) if days else None
    async with services(request).db.session() as session:
        stats = await legal_stats(session, since=since, now=now)
    lang = language(request)
    median = stats.first_reply.median
    p90 = stats.first_reply.p90
    return render(
        request,
        "cases_stats.html",
        title_key="panel-cases-stats-title",
        stats=stats,
        days=days,
        periods=PERIODS,
        statuses=[
            (status_name(lang, CaseStatus.open.value), stats.open),
            (status_name(lang, CaseStatus.claimed.value), stats.claimed),
            (status_name(lang, CaseStatus.closed.value), stats.closed),
        ],
        categories=[(category_name(lang, c), n) for c, n in stats.by_category],
        outcomes=[(outcome_name(lang, o), n) for o, n in stats.by_outcome],
        median=duration_text(lang, median) if median is not None else "",
        p90=duration_text(lang, p90) if p90 is not None else "",
    )


@routes.get("/cases/export.csv", name="panel-cases-export")
@requires(Role.staff)
async def export_page(request: web.Request) -> web.StreamResponse:
    """Send the cases as CSV (the bot's /legal export: nothing that identifies a worker)."""
    seen = visitor(request)
    assert seen is not None
    raw = request.query.get("days", "")
    if raw and (not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS):
        return message_page(request, "panel-cases-bad-period", status=400)
    days = int(raw) if raw else None
    now = utcnow()
    since = now - timedelta(days=days) if days is not None else None
    async with services(request).db.session() as session:
        export = await export_cases(session, lang=language(request), since=since)
        await audit(
            session,
            actor_id=seen.user_id,
            action="legal.export",
            subject="legal_cases",
            detail={"rows": export.rows, "days": days, "where": "panel"},
        )
        await session.commit()
    today = today_in(services(request).settings.timezone, now)
    return web.Response(
        body=export.data,
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="legal-cases-{today:%Y%m%d}.csv"',
            "Cache-Control": "no-store",
        },
    )


@routes.get("/cases/{id}", name="panel-case")
@requires(*LOOKERS)
async def case_page(request: web.Request) -> web.StreamResponse:
    """Show one case and its conversation (the view is audited)."""
    seen = visitor(request)
    assert seen is not None
    case_id = int_param(request, "id")
    lang = language(request)
    now = utcnow()
    async with services(request).db.session() as session:
        case = await get_case(session, case_id=case_id)
        if case is None:
            raise web.HTTPNotFound()
        evidence = await count_evidence(session, case_id=case_id)
        messages = (
            await session.exec(
                select(LegalMessage)
                .where(
                    col(LegalMessage.case_id) == case_id,
                    col(LegalMessage.direction).in_((FROM_WORKER, TO_WORKER)),
                )
                .order_by(col(LegalMessage.id).desc())
                .limit(HISTORY_LIMIT)
            )
        ).all()
        await audit(
            session,
            actor_id=seen.user_id,
            action="legal.case.view",
            subject=f"case:{case_id}",
            detail={"where": "panel"},
        )
        await session.commit()
    today = today_in(services(request).settings.timezone, now)
    return render(
        request,
        "case.html",
        title_key="panel-cases-case-title",
        case=case,
        number=case_label(case_id),
        facts=_facts(lang, case, evidence=evidence, today=today),
        status_text=status_name(lang, case.status),
        outcome=outcome_name(lang, str(case.outcome)) if case.outcome else "",
        age=age_text(lang, now - case.created_at),
        mine=case.claimed_by == seen.user_id,
        history=[
            {
                "worker": m.direction == FROM_WORKER,
                "author": m.author_id if m.direction == TO_WORKER else None,
                "at": _when(m.at),
                "text": m.text,
            }
            for m in reversed(messages)
        ],
        when=_when,
    )


def _facts(lang: str, case: LegalCase, *, evidence: int, today: Any) -> list[tuple[str, str]]:
    """What the worker told the intake, as (label key, value) pairs: the same facts as the
    volunteers' case card, with the name and phone only where the worker chose to share them."""
    facts: list[tuple[str, str]] = [("panel-cases-category", category_name(lang, case.category))]
    if case.employer:
        facts.append(("panel-cases-employer", case.employer))
    if case.place:
        facts.append(("panel-cases-place", case.place))
    if case.work_start or case.work_end or case.still_working:
        start = case_date(lang, case.work_start, case.work_start_precision)
        end = "" if case.still_working else case_date(lang, case.work_end, case.work_end_precision)
        facts.append(("panel-cases-work-start", start))
        facts.append(("panel-cases-work-end", end or "-"))
        if case.still_working:
            facts.append(("panel-cases-still-working", "✓"))
    if case.incident_on:
        facts.append(
            ("panel-cases-incident", case_date(lang, case.incident_on, case.incident_precision))
        )
    if case.amount:
        facts.append(("panel-cases-amount", f"{case.amount:,}"))
    if case.description:
        facts.append(("panel-cases-description", case.description))
    facts.append(("panel-cases-evidence", str(evidence)))
    if case.contact == "phone" and case.phone:
        facts.append(("panel-cases-phone", case.phone))
    else:
        facts.append(("panel-cases-contact", t(lang, "panel-cases-contact-bot")))
    if case.show_name and case.display_name:
        facts.append(("panel-cases-name", case.display_name))
    else:
        facts.append(("panel-cases-name", t(lang, "panel-cases-name-hidden")))
    deadline = case_deadline(case)
    if deadline is not None and (warning := deadline_text(lang, deadline, today)):
        facts.append(("panel-cases-deadline", warning))
    return facts
