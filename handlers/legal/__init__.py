"""Legal help on Telegram: FAQ and intake for workers, cases and staff tools for volunteers."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.legal.cases import forget_legal_user
from bot.legal.core import INTAKE_FLOW
from handlers.base import Service
from handlers.legal import callbacks, cases, intake, staff


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register the worker's side (its evidence uploads come before the stations' file
    handler), the volunteers' case handling and the staff tools."""
    for module in (intake, cases, staff):
        module.register(app)


SPEC = Service(
    name="legal",
    register=register,
    schedule=cases.schedule,
    forgetters=(forget_legal_user,),
    encoders=callbacks.ENCODE,
    menu="legal",
    enter=intake.enter,
    links=("legal",),
    share_button_flows=frozenset({INTAKE_FLOW}),
    claims_text=cases.claim_answer,
)
