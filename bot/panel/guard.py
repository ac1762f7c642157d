"""The panel's gate: the session middleware, CSRF checks, ``requires`` and the sign-in pages.

Every request under the panel passes :func:`session_middleware`: it finds the session behind
the cookie and reads the visitor's roles from the database (a revoked role counts at once),
refuses any POST whose form token (``csrf`` field, ``X-CSRF-Token`` header or, for multipart
uploads, ``?csrf=`` in the form's action) is not the session's, and turns 404/403 raised by a
page into a polite translated page. Page handlers declare who may see them with
:func:`requires`.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web
from limits import parse as parse_limit
from limits.aio.strategies import MovingWindowRateLimiter

from bot.context import Services
from bot.core.models import Role
from bot.i18n import FLUENT_LOCALE
from bot.panel.auth import (
    LinkRefusal,
    SignedIn,
    allowed,
    find_session,
    redeem_link,
    set_session_language,
    sign_out,
)
from bot.panel.render import LANGUAGE, NAV, PREFIX, VISITOR, message_page, render, url, visitor

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "gongyou_panel"
SERVICES = web.AppKey("panel_services", Services)
SECURE = web.AppKey("panel_secure_cookie", bool)
LIMITER = web.AppKey("panel_limiter", MovingWindowRateLimiter)
#: Bad or used sign-in tokens one client address may bring before it is told to wait.
BAD_LINKS = parse_limit("10 per 10 minutes")
#: Routes a POST may reach without a session's form token: the link is the secret there.
CSRF_EXEMPT = frozenset({"panel-signin-post"})
#: Headers every panel response carries: no framing, no sniffing, no Referer (links carry
#: tokens), and only the panel's own assets.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
}

routes = web.RouteTableDef()


def services(request: web.Request) -> Services:
    """The bot's services (settings, database) from a panel request."""
    return request.app[SERVICES]


def requires(*roles: Role) -> Callable[[Handler], Handler]:
    """Let only visitors holding one of ``roles`` (any panel role if none given; admins
    always) reach the page: without a session, 303 to the sign-in page; otherwise 403."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            seen = visitor(request)
            if seen is None:
                raise web.HTTPSeeOther(url(request, "/signin"))
            if not allowed(seen.roles, roles):
                return message_page(request, "panel-forbidden", status=403)
            return await handler(request)

        return guarded

    return wrap


def int_param(request: web.Request, name: str) -> int:
    """An integer from the URL (``{id}``): anything else is a 404, never a 500."""
    raw = request.match_info.get(name, "")
    if not raw.isdigit() or len(raw) > 18:
        raise web.HTTPNotFound()
    return int(raw)


async def _form_token(request: web.Request) -> str:
    given = request.headers.get("X-CSRF-Token") or request.query.get("csrf", "")
    if given or request.content_type.startswith("multipart/"):
        return given
    form = await request.post()
    value = form.get("csrf", "")
    return value if isinstance(value, str) else ""


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Find the visitor, check the form token of every POST, render refusals politely."""
    cookie = request.cookies.get(COOKIE, "")
    if cookie:
        settings = services(request).settings
        async with services(request).db.session() as session:
            found = await find_session(
                session,
                session_id=cookie,
                idle=timedelta(minutes=settings.panel_idle_minutes),
                admin_ids=settings.admin_ids,
            )
        if found is not None:
            request[VISITOR] = found
            request[LANGUAGE] = found.language
    try:
        if request.method == "POST" and request.match_info.route.name not in CSRF_EXEMPT:
            seen = visitor(request)
            given = await _form_token(request)
            if seen is None or not given or not hmac.compare_digest(given, seen.csrf):
                log.warning("panel: POST %s refused: missing or wrong form token", request.path)
                response: web.StreamResponse = message_page(
                    request, "panel-csrf-refused", status=403
                )
            else:
                response = await handler(request)
        else:
            response = await handler(request)
    except web.HTTPNotFound:
        response = message_page(request, "panel-not-found", status=404)
    except web.HTTPForbidden:
        response = message_page(request, "panel-forbidden", status=403)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _client(request: web.Request) -> str:
    return request.remote or "unknown"


@routes.get("/", name="panel-home")
async def home(request: web.Request) -> web.StreamResponse:
    """Go to the first page the visitor may see, or to the sign-in page."""
    seen = visitor(request)
    if seen is None or not seen.roles:
        raise web.HTTPSeeOther(url(request, "/signin"))
    for entry in request.app[NAV]:
        if allowed(seen.roles, entry.roles):
            raise web.HTTPSeeOther(url(request, entry.path))
    return message_page(request, "panel-forbidden", status=403)


@routes.get("/signin", name="panel-signin")
async def signin_needed(request: web.Request) -> web.StreamResponse:
    """Tell a visitor without a session how to get a sign-in link."""
    if visitor(request) is not None:
        raise web.HTTPSeeOther(url(request, "/"))
    return message_page(request, "panel-signin-needed", status=200)


@routes.get("/signin/{token}", name="panel-signin-link")
async def signin_link(request: web.Request) -> web.StreamResponse:
    """Ask to confirm signing in (a GET never uses the link: previews must not spend it)."""
    return render(
        request, "signin.html", title_key="panel-signin-title", token=request.match_info["token"]
    )


@routes.post("/signin", name="panel-signin-post")
async def signin(request: web.Request) -> web.StreamResponse:
    """Use a one-time link: open a session, or refuse (rate limited per client address)."""
    limiter = request.app[LIMITER]
    client = _client(request)
    if not await limiter.test(BAD_LINKS, "panel-signin", client):
        log.warning("panel: sign-in from %s refused: too many bad links", client)
        return message_page(request, "panel-link-too-many", status=429)
    form = await request.post()
    token = form.get("token", "")
    settings = services(request).settings
    async with services(request).db.session() as session:
        result = await redeem_link(
            session, token=token if isinstance(token, str) else "", admin_ids=settings.admin_ids
        )
    if isinstance(result, LinkRefusal):
        await limiter.hit(BAD_LINKS, "panel-signin", client)
        log.warning("panel: sign-in link refused from %s: %s", client, result.value)
        return message_page(request, f"panel-link-{result.value}", status=403)
    return _signed_in(request, result)


def _signed_in(request: web.Request, signed: SignedIn) -> web.StreamResponse:
    response = web.Response(status=303, headers={"Location": url(request, "/")})
    response.set_cookie(
        COOKIE,
        signed.session_id,
        path=request.app[PREFIX],
        httponly=True,
        secure=request.app[SECURE],
        samesite="Lax",
    )
    return response


@routes.post("/signout", name="panel-signout")
async def signout(request: web.Request) -> web.StreamResponse:
    """End this session."""
    return await _sign_out(request, everywhere=False)


@routes.post("/signout-all", name="panel-signout-all")
async def signout_everywhere(request: web.Request) -> web.StreamResponse:
    """End every session of the visitor, on every device."""
    return await _sign_out(request, everywhere=True)


async def _sign_out(request: web.Request, *, everywhere: bool) -> web.StreamResponse:
    seen = visitor(request)
    if seen is not None:
        async with services(request).db.session() as session:
            await sign_out(
                session,
                user_id=seen.user_id,
                session_hash=seen.session_hash,
                everywhere=everywhere,
            )
        request.pop(VISITOR, None)
    response = message_page(
        request, "panel-signed-out-all" if everywhere else "panel-signed-out", status=200
    )
    response.del_cookie(COOKIE, path=request.app[PREFIX])
    return response


@routes.post("/lang", name="panel-lang")
async def switch_language(request: web.Request) -> web.StreamResponse:
    """Show the panel in another language (this session), then go back to the page."""
    seen = visitor(request)
    form = await request.post()
    chosen = form.get("lang", "")
    back = form.get("next", "")
    if seen is not None and isinstance(chosen, str) and chosen in FLUENT_LOCALE:
        async with services(request).db.session() as session:
            await set_session_language(session, session_hash=seen.session_hash, language=chosen)
    prefix = request.app[PREFIX]
    safe = isinstance(back, str) and back.startswith(prefix + "/") and "//" not in back
    raise web.HTTPSeeOther(back if safe and isinstance(back, str) else url(request, "/"))
