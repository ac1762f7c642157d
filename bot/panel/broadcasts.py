"""Broadcasts: compose, preview (recipients, start after quiet hours), send, steer, history.

Sending calls the bot's ``launch`` (:mod:`bot.jobs.broadcast`) with the same audience filters,
kinds and quiet-hours rule as the bot's /broadcast; pause, resume and cancel call the bot's
``pause_broadcast``, ``resume_broadcast`` and ``cancel_broadcast`` (each audited as the staff
member). A preview hands out a one-time token: the first "send" with it launches the broadcast,
a second one (a double click, a resubmitted form) finds it spent and launches nothing.

Previews wait in the database (``panel_drafts``, :mod:`bot.panel.drafts`) for
:data:`~bot.panel.drafts.KEEP`, so the "send" may reach any replica behind the load balancer,
and a restart loses none. A "send" takes its draft with one conditional DELETE: of two sends
arriving together, on one replica or two, one launches the broadcast; the other, like a send of
an expired draft or of another staff member's, is told the preview is spent.

The progress card is a fragment (``/broadcasts/{id}/status``) that ``static/poll.js`` fetches
every few seconds until the broadcast is done or cancelled.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.core.models import Role, utcnow
from bot.core.text import TextError, checked_text
from bot.i18n import t
from bot.jobs.broadcast import (
    FILTER_KEYS,
    KIND_NOTICE,
    KIND_TEXT,
    KIND_WEEKLY,
    TEXT_MAX,
    BroadcastError,
    BroadcastProgress,
    audience_count,
    audience_options,
    audience_text,
    broadcast_status,
    cancel_broadcast,
    launch,
    normalize_audience,
    pause_broadcast,
    quiet_end,
    recent_broadcasts,
    render_weekly,
    resume_broadcast,
    status_label,
    weekly_postings,
    weekly_total,
)
from bot.jobs.models import BroadcastStatus
from bot.panel.drafts import add_draft, take_draft
from bot.panel.guard import int_param, requires, services
from bot.panel.render import (
    NavEntry,
    language,
    local_time,
    message_page,
    render,
    url,
    visitor,
)

NAV = NavEntry("/broadcasts", "panel-nav-broadcasts", frozenset({Role.staff}))
routes = web.RouteTableDef()

#: Broadcasts listed in the history.
HISTORY = 20
#: Seconds between two looks at a running broadcast's progress.
POLL_SECONDS = 3
STEERING = {
    "pause": pause_broadcast,
    "resume": resume_broadcast,
    "cancel": cancel_broadcast,
}
FINAL = (BroadcastStatus.done, BroadcastStatus.cancelled)


def status_text(lang: str, zone: str, progress: BroadcastProgress, quiet: datetime | None) -> str:
    """The broadcast's state in words, saying when a waiting one goes on."""
    waits = progress.waits_until(utcnow(), quiet)
    if waits is not None:
        key = "bc-status-scheduled" if waits == progress.starts_at else "bc-status-night"
        return t(lang, key, time=local_time(zone, waits))
    return status_label(lang, progress.status)


def _quiet(request: web.Request, now: datetime) -> datetime | None:
    settings = services(request).settings
    return quiet_end(now, quiet_hours=settings.quiet_hours, timezone=settings.timezone)


def _bad(request: web.Request, key: str, **args: Any) -> web.Response:
    return message_page(request, key, status=400, title_key="panel-nav-broadcasts", **args)


# --- compose and history -----------------------------------------------------------------------


@routes.get("/broadcasts", name="panel-broadcasts")
@requires(Role.staff)
async def broadcasts_page(request: web.Request) -> web.StreamResponse:
    """Show the compose form (audience filters from the registrations) and the history."""
    db = services(request).db
    options = await db.transact(audience_options)
    history = await db.transact(recent_broadcasts, limit=HISTORY)
    lang = language(request)
    zone = services(request).settings.timezone
    quiet = _quiet(request, utcnow())
    done = request.query.get("done", "")
    return render(
        request,
        "broadcasts.html",
        title_key="panel-nav-broadcasts",
        options=options,
        history=history,
        states={p.id: status_text(lang, zone, p, quiet) for p in history},
        created={p.id: local_time(zone, p.created_at) for p in history},
        limit=TEXT_MAX,
        done=done if done in ("spent",) else "",
    )


def _audience_from(form: MultiDictProxy[Any]) -> dict[str, list[str]]:
    chosen = {key: [v for v in form.getall(key, []) if isinstance(v, str)] for key in FILTER_KEYS}
    return normalize_audience(chosen)


@routes.post("/broadcasts/preview", name="panel-broadcasts-preview")
@requires(Role.staff)
async def preview(request: web.Request) -> web.StreamResponse:
    """Check the draft and show it with its recipient count and when it would start."""
    seen = visitor(request)
    assert seen is not None
    form = await request.post()
    lang = language(request)
    try:
        audience = _audience_from(form)
    except BroadcastError:
        return _bad(request, "panel-broadcasts-bad-audience")
    kind = form.get("kind", "")
    db = services(request).db
    now = utcnow()
    text, shown = "", ""
    postings: tuple[int, ...] = ()
    if kind == KIND_TEXT:
        raw = form.get("text", "")
        try:
            text = checked_text(
                raw if isinstance(raw, str) else "", limit=TEXT_MAX, layout="ends", form=None
            )
        except TextError as error:
            if error.reason == "empty":
                return _bad(request, "panel-broadcasts-empty")
            length = len(raw.strip()) if isinstance(raw, str) else 0
            return _bad(request, "bc-too-long", limit=TEXT_MAX, length=length)
        shown = text
    elif kind == KIND_WEEKLY:
        views = await db.transact(weekly_postings, audience=audience, now=now)
        if not views:
            return _bad(request, "panel-broadcasts-no-postings")
        total = await db.transact(weekly_total, audience=audience, now=now)
        postings = tuple(view.id for view in views)
        shown = render_weekly(lang, views, total).text
    else:
        return _bad(request, "panel-broadcasts-bad-kind")
    count = await db.transact(audience_count, audience=audience)
    token = secrets.token_urlsafe(24)
    await db.transact(
        add_draft,
        token=token,
        user_id=seen.user_id,
        audience=audience,
        kind=kind,
        text=text,
        postings=postings,
        now=now,
    )
    starts = _quiet(request, now)
    return render(
        request,
        "broadcasts_preview.html",
        title_key="panel-nav-broadcasts",
        token=token,
        shown=shown,
        count=count,
        audience=audience_text(lang, audience),
        starts=local_time(services(request).settings.timezone, starts) if starts else "",
    )


@routes.post("/broadcasts/send", name="panel-broadcasts-send")
@requires(Role.staff)
async def send(request: web.Request) -> web.StreamResponse:
    """Launch a previewed broadcast once (the bot's ``launch``), then show its progress."""
    seen = visitor(request)
    assert seen is not None
    form = await request.post()
    given = form.get("token", "")
    token = given if isinstance(given, str) else ""
    db = services(request).db
    now = utcnow()
    # spent in the taking: a second "send" (here or on another replica) finds nothing
    draft = await db.transact(take_draft, token=token, user_id=seen.user_id, now=now)
    if draft is None:
        raise web.HTTPSeeOther(url(request, "/broadcasts?done=spent"))
    ignore_quiet = form.get("when", "") == "now"
    starts_at = None if ignore_quiet else _quiet(request, now)
    audience: dict[str, Any] = dict(draft.audience)
    if draft.kind == KIND_WEEKLY:
        audience["postings"] = list(draft.postings)
    try:
        broadcast_id, _total = await launch(
            db,
            created_by=seen.user_id,
            audience=audience,
            kind=draft.kind,
            text=draft.text,
            now=now,
            starts_at=starts_at,
            ignore_quiet=ignore_quiet,
        )
    except BroadcastError as error:
        key = "bc-weekly-gone" if error.reason == "no_postings" else "bc-draft-invalid"
        return _bad(request, key)
    raise web.HTTPSeeOther(url(request, f"/broadcasts/{broadcast_id}"))


# --- progress and steering ---------------------------------------------------------------------


async def _progress(request: web.Request) -> BroadcastProgress:
    broadcast_id = int_param(request, "id")
    progress = await services(request).db.transact(broadcast_status, broadcast_id=broadcast_id)
    if progress is None or progress.kind == KIND_NOTICE:
        raise web.HTTPNotFound()
    return progress


def _card_context(request: web.Request, progress: BroadcastProgress) -> dict[str, Any]:
    lang = language(request)
    zone = services(request).settings.timezone
    eta = progress.eta_seconds
    now = utcnow()
    quiet = _quiet(request, now)
    # time left only while messages go out: not when done, stopped, paused or resting
    sending = (
        progress.status is BroadcastStatus.running
        and progress.pending > 0
        and progress.waits_until(now, quiet) is None
    )
    return {
        "item": progress,
        "state": status_text(lang, zone, progress, quiet),
        "final": progress.status in FINAL,
        "sending": sending,
        "eta": "-"
        if eta is None
        else t(lang, "bc-eta", minutes=int(eta // 60), seconds=int(eta % 60)),  # fmt: skip
        "created": local_time(zone, progress.created_at),
        "finished": local_time(zone, progress.finished_at),
        "can_pause": progress.status is BroadcastStatus.running,
        "can_resume": progress.status is BroadcastStatus.paused,
        "can_cancel": progress.status
        in (BroadcastStatus.preparing, BroadcastStatus.running, BroadcastStatus.paused),
        "poll": POLL_SECONDS,
    }


@routes.get("/broadcasts/{id}", name="panel-broadcasts-one")
@requires(Role.staff)
async def broadcast_page(request: web.Request) -> web.StreamResponse:
    """Show a broadcast: its text and its live progress with pause, resume and cancel."""
    progress = await _progress(request)
    done = request.query.get("done", "")
    return render(
        request,
        "broadcasts_one.html",
        title_key="panel-nav-broadcasts",
        done=done if done in ("pause", "resume", "cancel", "unchanged") else "",
        **_card_context(request, progress),
    )


@routes.get("/broadcasts/{id}/status", name="panel-broadcasts-status")
@requires(Role.staff)
async def status_fragment(request: web.Request) -> web.StreamResponse:
    """The progress card alone, for the page to fetch every few seconds."""
    progress = await _progress(request)
    return render(request, "broadcasts_status.html", **_card_context(request, progress))


@routes.post("/broadcasts/{id}/{action}", name="panel-broadcasts-steer")
@requires(Role.staff)
async def steer(request: web.Request) -> web.StreamResponse:
    """Pause, resume or cancel a broadcast (the bot's functions, audited as the visitor)."""
    seen = visitor(request)
    assert seen is not None
    action = request.match_info.get("action", "")
    change = STEERING.get(action)
    if change is None:
        raise web.HTTPNotFound()
    progress = await _progress(request)
    changed = await services(request).db.transact(
        change, broadcast_id=progress.id, actor_id=seen.user_id
    )
    done = action if changed else "unchanged"
    raise web.HTTPSeeOther(url(request, f"/broadcasts/{progress.id}?done={done}"))
