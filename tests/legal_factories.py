"""Legal cases made directly in the database, for tests of what happens after the intake."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.models import utcnow
from bot.db import Database
from bot.legal.models import LegalCase, LegalEvidence
from tests.factories import WORKER_ID


async def make_case(
    db: Database,
    *,
    user_id: int | None = WORKER_ID,
    evidence: int = 0,
    created_at: datetime | None = None,
    **fields: Any,
) -> LegalCase:
    """Store an open wage-arrears case (override any column with ``fields``) and return it."""
    now = created_at or utcnow()
    values: dict[str, Any] = {
        "user_id": user_id,
        "lang": "zh",
        "category": "wages",
        "employer": "郑州某建筑劳务公司",
        "place": "郑州 金水区",
        "description": "老板拖欠三个月工资，一直说下个月给。",
        "amount": 18000,
        "contact": "bot",
        "consent_version": "2026-11",
        "created_at": now,
        "updated_at": now,
        "consent_at": now,
    }
    values.update(fields)
    case = LegalCase(**values)
    async with db.session() as session:
        session.add(case)
        await session.flush()
        assert case.id is not None
        for number in range(evidence):
            session.add(
                LegalEvidence(
                    case_id=case.id,
                    kind="photo",
                    file_id=f"photo-{case.id}-{number}",
                    file_unique_id=f"u-{case.id}-{number}",
                )
            )
        await session.commit()
        await session.refresh(case)
    return case
