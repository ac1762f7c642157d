"""The staff web panel: server-rendered pages for union staff and volunteers.

How to add a page (the contract every page module follows)

1. One module per page under ``bot/panel/`` (``bot/panel/imports.py``, ``broadcasts.py``, ...)
   with two names at module level::

       from aiohttp import web
       from bot.core.models import Role
       from bot.panel.guard import int_param, requires, services
       from bot.panel.render import NavEntry, message_page, render, url, visitor

       NAV = NavEntry("/cases", "panel-nav-cases", frozenset({Role.staff, Role.volunteer_legal}))
       routes = web.RouteTableDef()

       @routes.get("/cases", name="panel-cases")
       @requires(Role.staff, Role.volunteer_legal)
       async def cases_page(request: web.Request) -> web.StreamResponse:
           # (a one-line imperative docstring: "Show the cases, filtered.")
           async with services(request).db.session() as session:
               rows = ...  # call the service's typed functions, as the bot's handlers do
           return render(request, "cases.html", title_key="panel-nav-cases", rows=rows)

   Then add the module to ``PAGES`` in ``bot/panel/__init__.py`` (one import, one list
   entry; the list order is the nav order). Paths are inside the panel: ``/cases`` is served
   at ``/panel/cases``; build links with ``url(request, "/cases")`` in Python and
   ``{{ url('/cases') }}`` in templates. Route names start with ``panel-``.
2. ``requires(*roles)`` goes under the route decorator on EVERY handler (GET and POST).
   Without a session it answers 303 to ``/panel/signin``; with none of the roles, a polite
   translated 403 page. Admins pass every check; ``requires()`` with no roles lets any
   panel role in. Roles are re-read from the database on every request.
   ``visitor(request)`` is the signed-in person (``.user_id``, ``.roles``, ``.language``).
3. Ids from the URL: ``int_param(request, "id")`` (anything not digits -> 404). Raise
   ``web.HTTPNotFound()`` for a missing record and ``web.HTTPForbidden()`` when the visitor
   may not see it: the middleware turns both into polite translated pages (never a 500).
   For a message page of your own: ``message_page(request, "catalog-key", status=400, **args)``.
4. Database and settings: ``services(request)`` is the bot's ``Services``
   (``.db`` -> ``async with services(request).db.session() as session:``, ``.settings``).
   Use the same service functions as the bot and the CLI; audit views of personal data with
   ``bot.core.users.audit(session, actor_id=visitor(request).user_id, action=..., subject=...)``.
5. Templates: ``bot/panel/templates/<page>.html``, starting with
   ``{% extends "base.html" %}{% block content %}...{% endblock %}``. Autoescape is on: never
   use ``|safe`` on data. In templates: ``t("key", name=value)`` (catalogs, the visitor's
   language), ``url(path)``, ``csrf_field()``, ``csrf_token()``, ``visitor``, ``lang``,
   ``nav``, ``when(moment)`` (a time on the union's clock, ``GONGYOU_TIMEZONE``: show every
   time this way, never in UTC; the footer names the zone once). Charts:
   ``bot.panel.charts`` (``bar_chart`` / ``line_chart`` return safe SVG).
   Styles: add a few rules to ``bot/panel/static/panel.css`` if you must (no CDN, no JS build);
   a tiny vanilla JS file may go in ``bot/panel/static/`` (CSP allows only 'self' scripts:
   no inline ``<script>`` or ``style=""`` attributes).
6. Forms: every POST form carries ``{{ csrf_field() }}``; the middleware refuses (403) any
   POST whose token is missing or wrong before your handler runs. Multipart uploads: the
   middleware does not read the body; put the token in the action's query string instead:
   ``action="{{ url('/imports') }}?csrf={{ csrf_token() }}"`` (or send header
   ``X-CSRF-Token`` from JS). After a successful POST answer 303 (``raise
   web.HTTPSeeOther(url(request, "/cases/1"))``) so a reload does not post twice.
   Note: the webhook app's request size limit is 1 MB (``bot.web.MAX_BODY``); stream large
   uploads with ``await request.multipart()``.
7. Texts: every string in ``bot/locales/zh/<area>.ftl`` and ``bot/locales/en/<area>.ftl``,
   one file per page, keys prefixed ``panel-<page>-`` (e.g. ``panel-cases.ftl`` with
   ``panel-cases-title``); the nav key is ``panel-nav-<page>``. Shared keys
   (``panel-prev``, ``panel-next``, ``panel-page``, ``panel-forbidden``, ``panel-not-found``)
   are in ``panel.ftl``.
8. Tests sign in with ``tests/panel_helpers.py``::

       from tests.panel_helpers import signed_in

       async def test_staff_see_the_cases(db: Database, settings: Settings) -> None:
           async with signed_in(db, settings, user_id=500_001, roles=["staff"]) as panel:
               page = await panel.get("/cases")          # paths inside the panel
               done = await panel.post("/cases/1/close", {"reason": "x"})  # adds csrf
               assert page.status == 200

   ``panel.client`` is the aiohttp ``TestClient`` (raw requests: prefix ``/panel``),
   ``panel.csrf`` the token; ``panel_client(db, settings)`` is a client that is not signed
   in; ``give_roles``/``new_link``/``use_link`` do the steps one by one. The fixtures
   ``db`` and ``settings`` (tests/conftest.py) run each test on SQLite and PostgreSQL;
   ``settings.admin_ids == [333_333]`` is a configured admin.

Pieces: ``bot.panel.auth`` (links and sessions, no web code), ``bot.panel.guard`` (middleware,
``requires``, sign-in/out and language routes), ``bot.panel.render`` (templates, nav, CSRF
field), ``bot.panel.charts`` (SVG charts), one module per page. ``setup_panel`` mounts it
all as a sub-app under ``/panel``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pages, templates and web server load with the panel, not the package
    from aiohttp import web

    from bot.context import Services
    from bot.panel.render import NavEntry

STATIC = Path(__file__).with_name("static")

__all__ = ["PAGES", "NavEntry", "make_panel_app", "setup_panel"]


def pages() -> list[ModuleType]:
    """The panel's pages, in nav order: each module has ``routes`` (an aiohttp RouteTableDef)
    and ``NAV`` (a :class:`NavEntry`). Imported on first use: ``bot.panel.auth`` and
    ``bot.panel.models`` (which the bot needs) do not load the web pages."""
    from bot.panel import admin, broadcasts, cases, dashboard, imports, review, stations

    return [dashboard, cases, stations, imports, broadcasts, review, admin]


def __getattr__(name: str) -> Any:
    if name == "PAGES":
        return pages()
    if name == "NavEntry":
        from bot.panel.render import NavEntry

        return NavEntry
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_panel_app(services: Services, *, prefix: str = "/panel") -> web.Application:
    """The panel as an aiohttp app of its own (mounted under ``prefix``)."""
    from aiohttp import web
    from limits.aio.storage import MemoryStorage
    from limits.aio.strategies import MovingWindowRateLimiter

    from bot.panel import guard
    from bot.panel.render import NAV, PREFIX, ZONE, setup_templates

    page_modules = pages()
    panel = web.Application(middlewares=[guard.session_middleware])
    panel[guard.SERVICES] = services
    panel[PREFIX] = prefix
    panel[guard.SECURE] = services.settings.panel_base_url().startswith("https://")
    panel[guard.LIMITER] = MovingWindowRateLimiter(MemoryStorage())
    panel[NAV] = [page.NAV for page in page_modules]
    panel[ZONE] = services.settings.timezone
    setup_templates(panel)
    panel.add_routes(guard.routes)
    for page in page_modules:
        panel.add_routes(page.routes)
    panel.router.add_static("/static", STATIC, name="panel-static")
    return panel


def setup_panel(app: web.Application, services: Services, *, prefix: str = "/panel") -> None:
    """Mount the panel on ``app`` under ``prefix`` (``/panel`` itself leads to ``/panel/``)."""
    from aiohttp import web

    async def to_panel(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(prefix + "/")

    app.router.add_get(prefix, to_panel)
    app.add_subapp(prefix, make_panel_app(services, prefix=prefix))
