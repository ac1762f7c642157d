"""The audit log after /forget: a forgotten user's id is replaced by a keyed pseudonym.

Audit records stay (who viewed or changed what, and when, is what the log is for), but none of
them keeps the Telegram id of someone who asked to be forgotten. Where the id stood, as the
actor, in a ``user:<id>`` subject or as a value in the detail, the record gets the same
pseudonym: ``~`` and the first 16 hex digits of HMAC-SHA256(key, id). Records of one person
still belong together, and whoever holds the key and is given an id can check whether records
are that person's; without the key the pseudonym says nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from sqlalchemy import String, cast, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.models import AuditLog

#: Where the actor's pseudonym goes in the detail of a record whose actor was forgotten.
ACTOR_KEY = "actor"


def pseudonym(key: bytes, user_id: int) -> str:
    """The pseudonym that stands for ``user_id`` in the audit log."""
    return "~" + hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


def _replace(value: Any, user_id: int, alias: str, pattern: re.Pattern[str]) -> Any:
    """``value`` with the id replaced by ``alias`` wherever it stands (an int equal to it, or a
    string naming it)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return alias if value == user_id else value
    if isinstance(value, str):
        return alias if value == str(user_id) else pattern.sub("user:" + alias, value)
    if isinstance(value, list):
        return [_replace(item, user_id, alias, pattern) for item in value]
    if isinstance(value, dict):
        return {name: _replace(item, user_id, alias, pattern) for name, item in value.items()}
    return value


async def pseudonymise(session: AsyncSession, *, user_id: int, alias: str) -> int:
    """Replace ``user_id`` by ``alias`` in every audit record that names it (in the session's
    transaction; the caller commits); return how many records changed."""
    text = str(user_id)
    found = await session.exec(
        select(AuditLog).where(
            or_(
                col(AuditLog.actor_id) == user_id,
                col(AuditLog.subject).contains(text),
                cast(col(AuditLog.detail), String).contains(text),
            )
        )
    )
    pattern = re.compile(rf"\buser:{text}(?!\d)")
    changed = 0
    for record in found.all():
        detail = _replace(dict(record.detail or {}), user_id, alias, pattern)
        acted = record.actor_id == user_id
        if acted:
            detail[ACTOR_KEY] = alias
        subject = alias if record.subject == text else pattern.sub("user:" + alias, record.subject)
        if not acted and subject == record.subject and detail == record.detail:
            continue  # the digits stood for something else (a count, another id)
        record.actor_id = None if acted else record.actor_id
        record.subject, record.detail = subject, detail
        session.add(record)
        changed += 1
    return changed
