"""Admin: grant and revoke roles (the bot's /role functions, audited) and read the audit log.

Reading the audit log is itself audited (``panel.audit.view``: one row per page view, naming
the filters and the page). Role names are shown in the visitor's language (the bot's
``role-name-*`` texts); the form still sends the role's identifier.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func
from sqlmodel import col, select

from bot.core.models import AuditLog, Role, utcnow
from bot.core.users import audit, grant_role, revoke_role, role_holders
from bot.i18n import t
from bot.legal.cases import after_role_revoked
from bot.panel.guard import requires, services
from bot.panel.render import NavEntry, language, message_page, render, url, visitor

NAV = NavEntry("/admin", "panel-nav-admin", frozenset({Role.admin}))
PAGE_SIZE = 50
routes = web.RouteTableDef()


def role_name(lang: str, role: str) -> str:
    """A role's name in ``lang``, in the bot's words (an identifier the catalogs do not know
    is shown as it is)."""
    if role == Role.admin.value:
        return t(lang, "role-name-admin")
    if role == Role.staff.value:
        return t(lang, "role-name-staff")
    if role == Role.volunteer_legal.value:
        return t(lang, "role-name-volunteer_legal")
    if role == Role.volunteer_match.value:
        return t(lang, "role-name-volunteer_match")
    return role


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


@routes.get("/admin", name="panel-admin")
@requires(Role.admin)
async def admin_page(request: web.Request) -> web.StreamResponse:
    """Show who holds which role and the audit log (filtered, newest first, paginated); the
    view is audited with its filters."""
    seen = visitor(request)
    assert seen is not None
    action = request.query.get("action", "").strip()[:64]
    actor = request.query.get("actor", "").strip()
    subject = request.query.get("subject", "").strip()[:128]
    page = _page(request.query.get("page", "1"))
    query = select(AuditLog)
    counted = select(func.count()).select_from(AuditLog)
    conditions = []
    if action:
        conditions.append(col(AuditLog.action).startswith(action, autoescape=True))
    if actor.isdigit() and len(actor) < 19:
        conditions.append(col(AuditLog.actor_id) == int(actor))
    elif actor:
        return message_page(request, "panel-admin-bad-filter", status=400)
    if subject:
        conditions.append(col(AuditLog.subject).contains(subject, autoescape=True))
    for condition in conditions:
        query = query.where(condition)
        counted = counted.where(condition)
    async with services(request).db.session() as session:
        holders = await role_holders(session)
        total = int((await session.exec(counted)).one())
        records = (
            await session.exec(
                query.order_by(col(AuditLog.id).desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        ).all()
        await audit(
            session,
            actor_id=seen.user_id,
            action="panel.audit.view",
            subject="audit_log",
            detail={
                "action": action,
                "actor": actor,
                "subject": subject,
                "page": page,
                "shown": len(records),
            },
        )
        await session.commit()
    pages = max(1, -(-total // PAGE_SIZE))
    lang = language(request)
    return render(
        request,
        "admin.html",
        title_key="panel-nav-admin",
        holders=[(user.id, [role_name(lang, r) for r in user.roles]) for user in holders],
        roles=[(r.value, role_name(lang, r.value)) for r in Role],
        records=records,
        filters={"action": action, "actor": actor, "subject": subject},
        page=page,
        pages=pages,
        total=total,
        done=request.query.get("done", ""),
    )


@routes.post("/admin/roles", name="panel-admin-roles")
@requires(Role.admin)
async def change_role(request: web.Request) -> web.StreamResponse:
    """Grant or revoke a role (audited as the signed-in admin)."""
    seen = visitor(request)
    assert seen is not None
    form = await request.post()
    raw_user, raw_role, change = (str(form.get(k, "")).strip() for k in ("user", "role", "change"))
    if (
        not raw_user.isdigit()
        or len(raw_user) > 18
        or raw_role not in Role.__members__
        or change not in ("grant", "revoke")
    ):
        return message_page(request, "panel-admin-bad-role", status=400)
    user_id, role = int(raw_user), Role(raw_role)
    if (
        change == "revoke"
        and role is Role.admin
        and user_id in services(request).settings.admin_ids
    ):
        return message_page(request, "panel-admin-configured", status=400)
    svc = services(request)
    async with svc.db.session() as session:
        act = grant_role if change == "grant" else revoke_role
        changed = await act(session, actor_id=seen.user_id, user_id=user_id, role=role)
        released = []
        if changed and change == "revoke":
            # claimed cases of someone who may no longer answer them go back to the queue
            released = await after_role_revoked(
                svc.notifier, session, svc.settings, user_id=user_id, now=utcnow()
            )
    done = f"{change}-{'done' if changed else 'unchanged'}"
    if released:
        done = "revoke-done-cases"  # panel-admin-revoke-done-cases
    raise web.HTTPSeeOther(url(request, f"/admin?done={done}"))
