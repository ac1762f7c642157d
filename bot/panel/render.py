"""Rendering panel pages: Jinja2 templates with the bot's catalogs, the nav and the CSRF field.

Autoescape is on for every template: text from the database is always escaped; only
:func:`csrf_field` and the SVG charts (built from escaped parts) are marked safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.core.models import Role
from bot.i18n import FLUENT_LOCALE, t
from bot.panel.auth import Visitor, allowed

TEMPLATES = Path(__file__).with_name("templates")
#: Request keys the session middleware fills in.
VISITOR = web.RequestKey("panel_visitor", Visitor)
LANGUAGE = web.RequestKey("panel_language", str)
#: App keys of the panel sub-app.
PREFIX = web.AppKey("panel_prefix", str)
NAV = web.AppKey("panel_nav", list)
#: The union's time zone (``GONGYOU_TIMEZONE``): every time the panel shows is on its clock.
ZONE = web.AppKey("panel_zone", str)


@dataclass(frozen=True)
class NavEntry:
    """A page in the panel's nav: its path inside the panel, the catalog key of its name and
    the roles that see it (admins see everything)."""

    path: str
    key: str
    roles: frozenset[Role]


def setup_templates(app: web.Application) -> None:
    """Install the Jinja2 environment on the panel app (autoescape on everywhere)."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def visitor(request: web.Request) -> Visitor | None:
    """The signed-in visitor of the request, if any."""
    return request.get(VISITOR)


def language(request: web.Request) -> str:
    """The language the page is shown in: the session's, else the browser's, else Chinese."""
    chosen = request.get(LANGUAGE)
    if chosen in FLUENT_LOCALE:
        return chosen
    accept = request.headers.get("Accept-Language", "").lower()
    return "en" if accept.startswith("en") else "zh"


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **args)`` in ``lang`` for templates."""

    def translate(key: str, **args: Any) -> str:
        return t(lang, key, **args)

    return translate


def url(request: web.Request, path: str) -> str:
    """An absolute path inside the panel (``/admin`` -> ``/panel/admin``)."""
    return request.app[PREFIX] + path


def local_time(zone: str, moment: datetime | None) -> str:
    """A moment on the union's wall clock ("2026-12-05 07:00"), or "" for none."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def zone_of(request: web.Request) -> str:
    """The union's time zone, in which the panel shows every time."""
    return request.app[ZONE]


def local_times(request: web.Request) -> Callable[[datetime | None], str]:
    """``when(moment)`` for the page: moments on the union's wall clock."""
    zone = zone_of(request)

    def when(moment: datetime | None) -> str:
        return local_time(zone, moment)

    return when


def nav_for(request: web.Request) -> list[NavEntry]:
    """The nav entries the visitor's roles may see, in PAGES order."""
    seen = visitor(request)
    if seen is None:
        return []
    entries: list[NavEntry] = request.app[NAV]
    return [e for e in entries if allowed(seen.roles, e.roles)]


def csrf_token(request: web.Request) -> str:
    """The session's CSRF token ("" without a session)."""
    seen = visitor(request)
    return seen.csrf if seen is not None else ""


def csrf_field(request: web.Request) -> Markup:
    """The hidden form field carrying the session's CSRF token."""
    return Markup('<input type="hidden" name="csrf" value="{}">').format(
        escape(csrf_token(request))
    )


def render(request: web.Request, template: str, *, status: int = 200, **ctx: Any) -> web.Response:
    """Render ``template`` with the page context: ``t``, ``nav``, ``csrf_field()``, ``url()``,
    ``csrf_token()``, ``visitor``, ``lang``, ``when(moment)`` (the union's clock), ``zone``
    and whatever the page passes."""
    lang = language(request)
    context: dict[str, Any] = {
        "t": translator(lang),
        "lang": lang,
        "nav": nav_for(request),
        "csrf_field": lambda: csrf_field(request),
        "csrf_token": lambda: csrf_token(request),
        "url": lambda path: url(request, path),
        "visitor": visitor(request),
        "current": request.path,
        "when": local_times(request),
        "zone": zone_of(request),
        "title_key": ctx.pop("title_key", "panel-title"),
    }
    context.update(ctx)
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def message_page(
    request: web.Request,
    key: str,
    *,
    status: int = 200,
    title_key: str = "panel-title",
    **args: Any,
) -> web.Response:
    """A page with one translated message (refusals, errors, notices)."""
    return render(request, "message.html", status=status, title_key=title_key, key=key, args=args)
