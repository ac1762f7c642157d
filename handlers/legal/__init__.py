"""Legal help on Telegram: FAQ and intake for workers, cases and staff tools for volunteers."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.core.privacy import Export
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
    exports=(
        Export(
            "mydata-legal-cases",
            "legal_cases",
            hide=("chat_id", "thread_id", "root_message_id", "claimed_by", "closed_by"),
        ),
        Export(
            "mydata-legal-cases",
            "legal_messages",
            hide=("chat_id", "message_id", "author_id"),
            parent=("case_id", "legal_cases", "user_id"),
        ),
        Export(
            "mydata-legal-cases",
            "legal_evidence",
            hide=("file_id", "file_unique_id"),
            parent=("case_id", "legal_cases", "user_id"),
        ),
        Export("mydata-legal-questions", "legal_consultations"),
    ),
    encoders=callbacks.ENCODE,
    menu="legal",
    enter=intake.enter,
    links=("legal",),
    share_button_flows=frozenset({INTAKE_FLOW}),
    claims_text=cases.claim_answer,
)
