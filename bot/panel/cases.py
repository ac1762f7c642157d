"""Legal cases: the list with filters, one case with its conversation, statistics, CSV export.

Who sees what follows the bot (``handlers/legal/cases.py`` and ``handlers/legal/staff.py``):
legal volunteers and staff may look at cases (admins hold every role); the statistics and the
CSV export are for staff, as ``/legal stats`` and ``/legal export`` are. A case shows what the
volunteers' case card shows (``bot.legal.core.case_summary``): the worker's name only when the
worker chose to show it, a phone number only when the worker chose to be called, and never
their Telegram id. Every view of a case is audited as ``legal.case.view`` (``where: panel``),
the export as ``legal.export``, the same actions the bot writes.

Acting on a case: a legal volunteer (or an admin) claims an open case and writes to the worker
from the case page, through the bot's own functions (``claim_case``, ``relay_to_worker``,
``notify_worker``, ``post_note`` of :mod:`bot.legal.cases`): the same conditional claim (of two
volunteers at once exactly one wins), the worker gets the message from the bot with its reply
button, the volunteers' group sees a note under the case. Staff look but do not act, as in the
bot. The bot also asks Telegram whether a volunteer writing in a private chat is still in the
volunteers' group; the panel cannot ask that, so it relies on the ``volunteer_legal`` role,
re-read from the database on every request (revoke the role when someone leaves the group).
Writing to the worker needs the bot in this process (webhook or polling mode, not ``gongyou
panel`` alone); a claim made without it tells the worker through the outbox. Each answer form
carries a one-time token: a second submit of the same form sends nothing more.

The claimer also releases the case and closes it with an outcome from the case page (an open
case may be closed by any legal volunteer, any case by an admin, as ``anyone=access.admin`` in
the bot), with the bot's functions (``release_case``, ``close_case``, each audited by them) and
after the bot's question (``lc-release-ask``, ``lc-close-ask``) on a page of its own, so it
works without JavaScript. A release is noted in the volunteers' group and the worker is not
told, as in the bot; a close tells the worker with the rating buttons, notes the outcome under
the case and closes its topic. Without the bot in this process the worker's "case closed"
message, rating buttons included, goes through the outbox and the group is not told. Both are
conditional updates: a second submit changes nothing and lands on the bot's own words
(``lc-case-closed``, ``lc-release-not-yours``, ``lc-close-not-yours``).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, or_
from sqlmodel import col, select

from bot.core import outbox
from bot.core.clock import today_in
from bot.core.lease import LEASES, take_lease
from bot.core.models import Role, utcnow
from bot.core.notify import fit
from bot.core.text import TextError, checked_text
from bot.core.users import audit
from bot.i18n import t
from bot.legal.cases import (
    FROM_WORKER,
    TO_WORKER,
    Content,
    age_text,
    claim_case,
    close_case,
    close_topic,
    count_evidence,
    get_case,
    notify_worker,
    post_note,
    rating_keyboard,
    relay_to_worker,
    release_case,
)
from bot.legal.core import (
    CATEGORIES,
    OUTCOMES,
    STATUSES,
    case_date,
    case_deadline,
    case_label,
    category_name,
    deadline_text,
    outcome_name,
    status_name,
)
from bot.legal.models import CaseOutcome, CaseStatus, LegalCase, LegalMessage
from bot.legal.stats import MAX_DAYS, duration_text, export_cases, legal_stats
from bot.panel.auth import allowed
from bot.panel.guard import int_param, requires, services
from bot.panel.render import (
    NavEntry,
    language,
    local_times,
    message_page,
    render,
    url,
    visitor,
)

NAV = NavEntry("/cases", "panel-nav-cases", frozenset({Role.staff, Role.volunteer_legal}))
PAGE_SIZE = 30
#: The longest conversation a case page shows (the latest messages).
HISTORY_LIMIT = 500
#: Periods the statistics page offers (days; 0: since the start).
PERIODS = (30, 90, 365, 0)
routes = web.RouteTableDef()

LOOKERS = (Role.staff, Role.volunteer_legal)
#: Who may act on a case (admins too, as in the bot): staff only look.
ACTORS = (Role.volunteer_legal,)
#: The longest answer written on the case page (it goes out as one message with its header).
ANSWER_LIMIT = 3500
#: An answer form's one-time token is kept this long (a resubmit within it sends nothing).
ANSWER_ONCE = timedelta(days=1)
#: The outbox kind of the worker's "a volunteer took your case" sent without the bot here.
CLAIMED_KIND = "legal-claimed"
#: The outbox kind of the worker's "your case is closed" (with the rating buttons) sent without
#: the bot here.
CLOSED_KIND = "legal-closed"
#: What an action on the case page came to: the notice shown above the case.
DONE = ("claimed", "yours", "taken", "closed", "sent", "relay-closed", "gone", "blocked",
        "failed", "claim-first", "already", "no-bot", "released", "release-not-yours",
        "not-claimed", "close-not-yours", "closed-done", "kept")  # fmt: skip


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


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
    when = local_times(request)
    breached_after = timedelta(hours=settings.legal_escalate_hours)
    cases = [
        {
            "id": case.id,
            "number": case_label(case.id or 0),
            "category": category_name(lang, case.category),
            "status": status_name(lang, case.status),
            "urgent": case.urgent,
            "created": when(case.created_at),
            "age": age_text(lang, now - case.created_at),
            "claimer": case.claimed_by,
            "mine": case.claimed_by == seen.user_id,
            "first_reply": when(case.first_reply_at),
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
    stats = await legal_stats(services(request).db, since=since, now=now)
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
    db = services(request).db
    export = await export_cases(db, lang=language(request), since=since)
    async with db.session() as session:
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
    when = local_times(request)
    done = request.query.get("done", "")
    can_act = allowed(seen.roles, ACTORS) and case.status != CaseStatus.closed
    mine = case.claimed_by == seen.user_id
    outcome = outcome_name(lang, str(case.outcome)) if case.outcome else ""
    shown_done = done in DONE and (done != "closed-done" or bool(outcome))
    return render(
        request,
        "case.html",
        can_act=can_act,
        can_answer=can_act and services(request).notifier is not None,
        nonce=secrets.token_urlsafe(16),
        limit=ANSWER_LIMIT,
        done=_done_text(lang, done, case_label(case_id), outcome=outcome) if shown_done else "",
        title_key="panel-cases-case-title",
        case=case,
        number=case_label(case_id),
        facts=_facts(lang, case, evidence=evidence, today=today),
        status_text=status_name(lang, case.status),
        outcome=outcome,
        age=age_text(lang, now - case.created_at),
        mine=mine,
        can_release=can_act and _release_refusal(case, seen.user_id) == "",
        can_close=can_act and _close_refusal(case, seen.user_id, admin=_admin(seen.roles)) == "",
        outcomes=[(o, outcome_name(lang, o)) for o in OUTCOMES],
        history=[
            {
                "worker": m.direction == FROM_WORKER,
                "author": m.author_id if m.direction == TO_WORKER else None,
                "at": when(m.at),
                "text": m.text,
            }
            for m in reversed(messages)
        ],
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


# --- acting on a case: claim it, write to the worker, release it, close it -----------------------

_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


def _done_text(lang: str, done: str, number: str, *, outcome: str = "") -> str:
    """The notice after an action, in the bot's words where the bot has them (``outcome``:
    the case's outcome, named)."""
    texts = {
        "claimed": lambda: t(lang, "lc-claimed", number=number),
        "yours": lambda: t(lang, "lc-claim-yours"),
        "taken": lambda: t(lang, "lc-claim-taken"),
        "closed": lambda: t(lang, "lc-case-closed"),
        "sent": lambda: t(lang, "lc-relay-sent"),
        "relay-closed": lambda: t(lang, "lc-relay-closed"),
        "gone": lambda: t(lang, "lc-relay-gone"),
        "blocked": lambda: t(lang, "lc-relay-blocked"),
        "failed": lambda: t(lang, "lc-relay-failed"),
        "claim-first": lambda: t(lang, "lc-ask-claim-first"),
        "already": lambda: t(lang, "panel-cases-answer-already"),
        "no-bot": lambda: t(lang, "panel-cases-answer-no-bot"),
        "released": lambda: t(lang, "lc-released", number=number),
        "release-not-yours": lambda: t(lang, "lc-release-not-yours"),
        "not-claimed": lambda: t(lang, "panel-cases-not-claimed"),
        "close-not-yours": lambda: t(lang, "lc-close-not-yours"),
        "closed-done": lambda: t(lang, "lc-closed-done", number=number, outcome=outcome),
        "kept": lambda: t(lang, "lc-kept"),
    }
    return texts[done]()


def _back(request: web.Request, case_id: int, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(url(request, f"/cases/{case_id}?done={done}"))


@routes.post("/cases/{id}/claim", name="panel-case-claim")
@requires(*ACTORS)
async def claim(request: web.Request) -> web.StreamResponse:
    """Claim an open case (the bot's ``claim_case``: of two at once exactly one wins), tell
    the worker and the volunteers' group as the bot does."""
    seen = visitor(request)
    assert seen is not None
    case_id = int_param(request, "id")
    svc = services(request)
    now = utcnow()
    async with svc.db.session() as session:
        case = await claim_case(session, case_id=case_id, volunteer_id=seen.user_id, now=now)
        if case is None:
            current = await get_case(session, case_id=case_id)
            if current is None:
                raise web.HTTPNotFound()
            if current.status == CaseStatus.closed:
                raise _back(request, case_id, "closed")
            raise _back(
                request, case_id, "yours" if current.claimed_by == seen.user_id else "taken"
            )
        number = case_label(case_id)
        told = t(case.lang, "lw-claimed", number=number)
        settings = svc.settings
        if svc.notifier is not None:
            await notify_worker(svc.notifier, case, told)
            group = settings.default_language
            note = t(group, "lc-note-claimed", name=t(group, "lc-someone"))
            await post_note(svc.notifier, session, settings, case, note)
        elif case.user_id is not None:
            await outbox.put_in(
                session,
                key=f"{CLAIMED_KIND}:{case_id}:{int(now.timestamp())}",
                chat_id=case.user_id,
                kind=CLAIMED_KIND,
                text=told,
                now=now,
            )
            await session.commit()
    raise _back(request, case_id, "claimed")


def _take_once(conn: Any, *, nonce: str, user_id: int, now: datetime) -> bool:
    """Spend an answer form's one-time token (True the first time only); spent tokens older
    than :data:`ANSWER_ONCE` are cleared."""
    conn.execute(
        LEASES.delete().where(LEASES.c.name.like("panel-answer:%"), LEASES.c.expires_at <= now)
    )
    held, previous = take_lease(
        conn, name=f"panel-answer:{nonce}", owner=f"panel:{user_id}", now=now,
        until=now + ANSWER_ONCE,
    )  # fmt: skip
    return held and previous is None


@routes.post("/cases/{id}/answer", name="panel-case-answer")
@requires(*ACTORS)
async def answer(request: web.Request) -> web.StreamResponse:
    """Send the claimer's answer to the worker (the bot's ``relay_to_worker``), once per form;
    audited, and noted under the case in the volunteers' group."""
    seen = visitor(request)
    assert seen is not None
    case_id = int_param(request, "id")
    svc = services(request)
    form = await request.post()
    raw, nonce = form.get("text", ""), form.get("nonce", "")
    async with svc.db.session() as session:
        case = await get_case(session, case_id=case_id)
    if case is None:
        raise web.HTTPNotFound()
    if case.claimed_by != seen.user_id or case.status != CaseStatus.claimed:
        if case.status == CaseStatus.closed:
            raise _back(request, case_id, "relay-closed")
        raise _back(request, case_id, "claim-first")
    if svc.notifier is None:
        raise _back(request, case_id, "no-bot")
    try:
        text = checked_text(
            raw if isinstance(raw, str) else "", limit=ANSWER_LIMIT, layout="ends", form=None
        )
    except TextError as error:
        key = "panel-cases-answer-empty" if error.reason == "empty" else "panel-cases-answer-long"
        return message_page(request, key, status=400, title_key="panel-cases-case-title",
                            limit=ANSWER_LIMIT)  # fmt: skip
    if not isinstance(nonce, str) or not _NONCE.match(nonce):
        return message_page(request, "panel-cases-answer-stale", status=400,
                            title_key="panel-cases-case-title")  # fmt: skip
    now = utcnow()
    if not await svc.db.transact(_take_once, nonce=nonce, user_id=seen.user_id, now=now):
        raise _back(request, case_id, "already")
    async with svc.db.session() as session:
        result = await relay_to_worker(
            svc.notifier,
            session,
            case=case,
            volunteer_id=seen.user_id,
            volunteer_name="",
            content=Content(kind="text", text=text),
            now=now,
        )
        await audit(
            session,
            actor_id=seen.user_id,
            action="legal.case.answer",
            subject=f"case:{case_id}",
            detail={"where": "panel", "result": result, "length": len(text)},
        )
        await session.commit()
        if result == "sent":
            group = svc.settings.default_language
            note = t(group, "panel-cases-note-answered", name=t(group, "lc-someone"), text=text)
            await post_note(svc.notifier, session, svc.settings, case, fit(note))
    done = {"sent": "sent", "closed": "relay-closed", "gone": "gone", "blocked": "blocked"}
    raise _back(request, case_id, done.get(result, "failed"))


def _admin(roles: frozenset[Role]) -> bool:
    """True for an admin (as ``access.admin`` in the bot: may close anyone's case)."""
    return Role.admin in roles


def _release_refusal(case: LegalCase, user_id: int) -> str:
    """Why ``user_id`` may not release ``case`` (a :data:`DONE` notice), or "" if they may."""
    if case.status == CaseStatus.closed:
        return "closed"
    if case.status == CaseStatus.open:
        return "not-claimed"
    return "" if case.claimed_by == user_id else "release-not-yours"


def _close_refusal(case: LegalCase, user_id: int, *, admin: bool) -> str:
    """Why ``user_id`` may not close ``case`` (a :data:`DONE` notice), or "" if they may: an
    open case or one they claimed, any case for an admin (``close_case``'s own rule)."""
    if case.status == CaseStatus.closed:
        return "closed"
    if case.status == CaseStatus.claimed and case.claimed_by != user_id and not admin:
        return "close-not-yours"
    return ""


def _confirm(
    request: web.Request,
    case_id: int,
    *,
    verb: str,
    question: str,
    yes: str,
    fields: dict[str, str],
) -> web.Response:
    """The bot's question before an action, as a page: "yes" posts the form again confirmed,
    "cancel" goes back to the case."""
    return render(
        request,
        "case_confirm.html",
        title_key="panel-cases-case-title",
        case_id=case_id,
        number=case_label(case_id),
        verb=verb,
        question=question,
        yes=yes,
        fields=fields,
    )


@routes.post("/cases/{id}/release", name="panel-case-release")
@requires(*ACTORS)
async def release(request: web.Request) -> web.StreamResponse:
    """Give a claimed case back once confirmed (the bot's ``release_case``: only its claimer
    may); the volunteers' group is told, the worker is not, as in the bot."""
    seen = visitor(request)
    assert seen is not None
    case_id = int_param(request, "id")
    svc = services(request)
    form = await request.post()
    async with svc.db.session() as session:
        current = await get_case(session, case_id=case_id)
        if current is None:
            raise web.HTTPNotFound()
        if form.get("confirm") != "yes":
            if refusal := _release_refusal(current, seen.user_id):
                raise _back(request, case_id, refusal)
            lang, number = language(request), case_label(case_id)
            return _confirm(request, case_id, verb="release", fields={},
                            question=t(lang, "lc-release-ask", number=number),
                            yes=t(lang, "lc-btn-release-yes", number=number))  # fmt: skip
        case = await release_case(session, case_id=case_id, actor_id=seen.user_id, now=utcnow())
        if case is None:
            current = await get_case(session, case_id=case_id)
            assert current is not None  # cases are not deleted, only anonymised
            raise _back(request, case_id, _release_refusal(current, seen.user_id) or "not-claimed")
        if svc.notifier is not None:
            group = svc.settings.default_language
            note = t(group, "lc-note-released", name=t(group, "lc-someone"))
            await post_note(svc.notifier, session, svc.settings, case, note)
    raise _back(request, case_id, "released")


@routes.post("/cases/{id}/close", name="panel-case-close")
@requires(*ACTORS)
async def close(request: web.Request) -> web.StreamResponse:
    """Close a case with an outcome once confirmed (the bot's ``close_case``: an open case or
    one's own, any for an admin); tell the worker and ask for a rating, note the outcome under
    the case and close its topic, as the bot does."""
    seen = visitor(request)
    assert seen is not None
    case_id = int_param(request, "id")
    svc = services(request)
    form = await request.post()
    admin = _admin(seen.roles)
    async with svc.db.session() as session:
        current = await get_case(session, case_id=case_id)
    if current is None:
        raise web.HTTPNotFound()
    raw = form.get("outcome", "")
    if not isinstance(raw, str) or raw not in OUTCOMES:
        return message_page(request, "panel-cases-bad-outcome", status=400,
                            title_key="panel-cases-case-title")  # fmt: skip
    outcome = CaseOutcome(raw)
    if form.get("confirm") != "yes":
        if refusal := _close_refusal(current, seen.user_id, admin=admin):
            raise _back(request, case_id, refusal)
        lang, number = language(request), case_label(case_id)
        question = t(lang, "lc-close-ask", number=number, outcome=outcome_name(lang, outcome))
        return _confirm(request, case_id, verb="close", fields={"outcome": raw},
                        question=question, yes=t(lang, "lc-btn-close-yes"))  # fmt: skip
    now = utcnow()
    async with svc.db.session() as session:
        case = await close_case(session, case_id=case_id, actor_id=seen.user_id,
                                outcome=outcome, now=now, anyone=admin)  # fmt: skip
        if case is None:
            current = await get_case(session, case_id=case_id)
            assert current is not None  # cases are not deleted, only anonymised
            refusal = _close_refusal(current, seen.user_id, admin=admin)
            raise _back(request, case_id, refusal or "closed")
        number = case_label(case_id)
        told = t(case.lang, "lw-closed", number=number, outcome=outcome_name(case.lang, outcome))
        rating = rating_keyboard(case_id)
        if svc.notifier is not None:
            await notify_worker(svc.notifier, case, told, rating)
            group = svc.settings.default_language
            note = t(group, "lc-note-closed", outcome=outcome_name(group, outcome),
                     name=t(group, "lc-someone"))  # fmt: skip
            await post_note(svc.notifier, session, svc.settings, case, note)
            await close_topic(svc.notifier, case)
        elif case.user_id is not None:
            # the outbox carries service buttons: the rating buttons go out with the message
            await outbox.put_in(
                session,
                key=f"{CLOSED_KIND}:{case_id}:{int(now.timestamp())}",
                chat_id=case.user_id,
                kind=CLOSED_KIND,
                text=told,
                markup=outbox.buttons_markup(rating),
                now=now,
            )
            await session.commit()
    raise _back(request, case_id, "closed-done")
