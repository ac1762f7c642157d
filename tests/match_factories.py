"""Matchmaking data made directly in the database, for tests of what comes after sign-up."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.core.models import User, utcnow
from bot.db import Database
from bot.match.core import CONSENT_KEY, CONSENT_VERSION, interest_bits, pack_districts
from bot.match.models import MatchProfile
from bot.membership.models import MemberVerification


async def verify_member(db: Database, user_id: int, *, card_hash: str | None = None) -> None:
    """Store the user (if new) as a verified union member."""
    async with db.session() as session:
        if await session.get(User, user_id) is None:
            session.add(User(id=user_id, language="zh"))
            await session.flush()
        session.add(
            MemberVerification(user_id=user_id, card_hash=card_hash or f"test-{user_id:016d}")
        )
        await session.commit()


async def make_profile(
    db: Database,
    user_id: int,
    *,
    verified: bool = True,
    interests: tuple[str, ...] = ("cooking", "family"),
    want_districts: tuple[str, ...] = (),
    **fields: Any,
) -> MatchProfile:
    """Store an approved, visible profile (override any column with ``fields``) and return it.

    The member is verified and has consented to matchmaking unless ``verified`` is False.
    """
    if verified:
        await verify_member(db, user_id)
    now = utcnow()
    values: dict[str, Any] = {
        "user_id": user_id,
        "status": "approved",
        "gender": "m",
        "birth_year": date.today().year - 30,
        "city": "郑州市",
        "district": "金水区",
        "education": "high",
        "occupation": "快递员",
        "intro": "老实本分，休息时喜欢做饭。",
        "want_gender": "f",
        "want_age_min": 22,
        "want_age_max": 40,
        "want_districts": pack_districts(want_districts),
        "interests": interest_bits(interests),
        "visibility": "members",
        "consent_version": CONSENT_VERSION,
        "tg_name": f"member{user_id}",
        "tg_username": f"member{user_id}",
        "created_at": now,
        "updated_at": now,
        "consent_at": now,
    }
    values.update(fields)
    async with db.session() as session:
        user = await session.get(User, user_id)
        if user is None:
            user = User(id=user_id, language="zh")
        user.consents = {**user.consents, CONSENT_KEY: f"{CONSENT_VERSION}@{now.isoformat()}"}
        session.add(user)
        await session.flush()
        profile = MatchProfile(**values)
        session.add(profile)
        await session.commit()
        await session.refresh(profile)
        return profile
