"""Union membership: the roster (keyed hashes only) and proving a Telegram account is a member.

Other services ask :func:`is_verified`; handlers/verify.py walks a worker through the check.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.models import MemberVerification

VERIFICATIONS = MemberVerification.__table__  # type: ignore[attr-defined]


async def is_verified(session: AsyncSession, *, user_id: int) -> bool:
    """True once the user has proved membership (card number, name and their own phone)."""
    return await session.get(MemberVerification, user_id) is not None
