"""The aiohttp app: Telegram webhook, health and readiness probes, Prometheus metrics, and the
staff panel (under ``/panel``; in polling mode on a port of its own, see :func:`start_panel`).

The panel's pages and templates are imported when an app that serves them is built, not with
this module."""

from __future__ import annotations

import hmac
import json
import logging
import socket
from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from telegram import Update

from bot import metrics
from bot.app import GongyouApplication
from bot.context import Services

log = logging.getLogger(__name__)

PTB_APP = web.AppKey("ptb_app", GongyouApplication)
SECRET = web.AppKey("webhook_secret", str)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's updates are small; anything larger is not from Telegram.
MAX_BODY = 1024 * 1024


async def telegram_webhook(request: web.Request) -> web.Response:
    """Check the secret token first, store the update in the inbox, then queue it.

    200 is answered only once the update is stored (or was stored before: a redelivery is not
    handled twice). If it cannot be stored the answer is 503, and Telegram sends it again.
    """
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), request.app[SECRET].encode()):
        return web.Response(status=403, text="forbidden")
    application = request.app[PTB_APP]
    try:
        payload = await request.json(loads=json.loads)
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            raise ValueError("not an update object")
        update = Update.de_json(payload, application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        log.warning("webhook: body is not a Telegram update")
        return web.Response(status=400, text="bad update")
    try:
        await application.take_in([update], raw=[payload])
    except Exception:  # noqa: BLE001 - the database is unreachable or failing
        log.warning("webhook: could not store update %s; asking for it again", update.update_id)
        return web.Response(status=503, text="try again later")
    return web.Response(text="ok")


async def healthz(_request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: the database answers."""
    services: Services = request.app[PTB_APP].bot_data["services"]
    if await services.db.ping():
        return web.json_response({"status": "ready"})
    return web.json_response({"status": "database unavailable"}, status=503)


async def metrics_view(_request: web.Request) -> web.Response:
    """Prometheus metrics."""
    return web.Response(body=metrics.render(), content_type="text/plain", charset="utf-8")


def make_web_app(
    application: GongyouApplication,
    *,
    path: str,
    secret: str,
    manage_application: bool = True,
    panel: bool = True,
) -> web.Application:
    """Build the aiohttp app; with ``manage_application`` it also starts and stops the bot,
    with ``panel`` it serves the staff panel under ``/panel``."""
    app = web.Application(client_max_size=MAX_BODY)
    app[PTB_APP] = application
    app[SECRET] = secret
    app.router.add_post(path, telegram_webhook, name="telegram")
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/readyz", readyz, name="readyz")
    app.router.add_get("/metrics", metrics_view, name="metrics")
    if panel:
        from bot.panel import setup_panel

        setup_panel(app, application.bot_data["services"])
    if manage_application:
        app.cleanup_ctx.append(_run_application)
    return app


async def _run_application(app: web.Application) -> AsyncIterator[None]:
    application = app[PTB_APP]
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    try:
        yield
    finally:
        await application.stop()
        if application.post_stop is not None:
            await application.post_stop(application)
        await application.shutdown()


async def _to_panel(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/panel/")


def make_panel_app(services: Services) -> web.Application:
    """An app serving only the staff panel (under ``/panel``) and ``/healthz``."""
    from bot.panel import setup_panel

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/", _to_panel)
    app.router.add_get("/healthz", healthz, name="healthz")
    setup_panel(app, services)
    return app


async def start_panel(
    services: Services, *, host: str, port: int, sockets: Sequence[socket.socket] = ()
) -> web.AppRunner:
    """Serve the staff panel on ``host:port``, or on ``sockets`` already listening there
    (polling mode and ``gongyou panel``); the caller cleans the returned runner up."""
    runner = web.AppRunner(make_panel_app(services), handle_signals=False)
    await runner.setup()
    try:
        if sockets:
            for sock in sockets:
                await web.SockSite(runner, sock).start()
        else:
            await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    if not sockets:  # the caller that bound the sockets said where
        log.info("staff panel on http://%s:%s/panel/", host, port)
    return runner
