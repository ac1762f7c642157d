"""Matchmaking sign-up for verified single members."""

from __future__ import annotations

from telegram.ext import Application

from handlers.base import ServiceStub

SERVICE = "match"
_stub = ServiceStub(SERVICE, command="match")
enter = _stub.enter


def register(app: Application) -> None:
    """Register this service's handlers."""
    _stub.register(app)
