"""Jobs: union job lists, worker search and alerts, staff broadcasts."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import ServiceStub

SERVICE = "jobs"
_stub = ServiceStub(SERVICE, command="jobs")
enter = _stub.enter


def register(app: Application) -> None:
    """Register this service's handlers."""
    _stub.register(app)
