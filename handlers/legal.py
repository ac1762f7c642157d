"""Legal help: answers with citations first, then a case for volunteer lawyers."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import ServiceStub

SERVICE = "legal"
_stub = ServiceStub(SERVICE, command="legal")
enter = _stub.enter


def register(app: Application) -> None:
    """Register this service's handlers."""
    _stub.register(app)
