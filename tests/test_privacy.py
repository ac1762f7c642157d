"""/forget and the audit log, and /forget by someone who holds a role."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from bot.config import Settings
from bot.core.audit import pseudonym
from bot.core.models import AuditLog, Role, User
from bot.core.users import grant_role, set_language
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.membership.roster import import_roster, member_key
from tests.conftest import TOKEN, Harness
from tests.factories import ADMIN_ID, STAFF_ID, WORKER_ID, callback, message
from tests.test_match_profile import _reach

ROSTER_CSV = "序号,会员卡号,姓名\n1,GH-4101-0001,张伟\n"
MATCHMAKER_ID = 888_888


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with a roster key, and room for a whole sign-up in a few seconds."""
    return settings.model_copy(
        update={
            "member_key": SecretStr("a-secret-roster-key"),
            "flood_limit": "100 per 1 second",
        }
    )


@pytest.fixture
async def roster(harness: Harness, settings: Settings) -> Harness:
    """The harness with one member on the roster."""
    await import_roster(
        harness.db, ROSTER_CSV.encode(), filename="roster.csv", key=member_key(settings)
    )
    return harness


async def _audit(db: Database) -> list[AuditLog]:
    async with db.session() as session:
        return list((await session.exec(select(AuditLog).order_by(col(AuditLog.id)))).all())


def _names(record: AuditLog, user_id: int) -> bool:
    """Whether the record still carries ``user_id`` anywhere."""
    text = str(user_id)
    return (
        record.actor_id == user_id
        or text in record.subject
        or text in json.dumps(record.detail, ensure_ascii=False)
    )


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


async def _sign_up(harness: Harness) -> None:
    """Verify membership in the chat, agree to the rules and submit a profile."""
    await harness.feed(message("/match"))
    await harness.feed(message("GH-4101-0001"))
    await harness.feed(message("张伟"))
    contact = {"phone_number": "+8613800000000", "first_name": "阿强", "user_id": WORKER_ID}
    await harness.feed(message(None, contact=contact))
    await harness.feed(callback("mp:ok"))
    await _reach(harness, "summary")
    await harness.feed(callback("mp:go"))


# --- the audit log after /forget --------------------------------------------------------------


async def test_after_forget_no_audit_record_carries_the_members_id(roster: Harness) -> None:
    await _sign_up(roster)
    before = await _audit(roster.db)
    actions = [r.action for r in before]
    assert {"members.verified", "match.consent", "match.profile.submit"} <= set(actions)
    assert any(_names(r, WORKER_ID) for r in before)

    await roster.feed(message("/forget"))
    await roster.feed(callback("forget:yes"))

    after = await _audit(roster.db)
    assert [r.action for r in after] == [*actions, "user.forget"]
    assert [r for r in after if _names(r, WORKER_ID)] == []


async def test_a_forgotten_members_records_share_one_keyed_pseudonym(roster: Harness) -> None:
    await _sign_up(roster)
    await roster.feed(message("/forget"))
    await roster.feed(callback("forget:yes"))

    records = await _audit(roster.db)

    settings: Settings = roster.app.bot_data["services"].settings
    alias = pseudonym(settings.audit_secret(), WORKER_ID)
    assert alias.startswith("~")
    assert len(alias) == 17
    assert alias != pseudonym(b"another key", WORKER_ID)
    consent = next(r for r in records if r.action == "match.consent")
    assert (consent.actor_id, consent.subject, consent.detail["actor"]) == (
        None,
        f"user:{alias}",
        alias,
    )
    [forgot] = [r for r in records if r.action == "user.forget"]
    assert (forgot.actor_id, forgot.subject, forgot.detail["actor"]) == (
        None,
        f"user:{alias}",
        alias,
    )


async def test_forget_leaves_other_peoples_audit_records_alone(harness: Harness) -> None:
    async with harness.db.session() as session:
        await grant_role(session, actor_id=ADMIN_ID, user_id=STAFF_ID, role=Role.staff)
    await harness.feed(message("/start"))
    await harness.feed(message("/forget"))

    await harness.feed(callback("forget:yes"))

    records = await _audit(harness.db)
    grant = next(r for r in records if r.action == "role.grant" and r.actor_id == ADMIN_ID)
    assert grant.subject == f"user:{STAFF_ID}"


def test_the_audit_key_defaults_to_one_derived_from_the_bot_token() -> None:
    plain = Settings(bot_token=TOKEN, _env_file=None)  # type: ignore[arg-type, call-arg]
    other = Settings(bot_token="654321:OTHER", _env_file=None)  # type: ignore[arg-type, call-arg]
    keyed = Settings(bot_token=TOKEN, audit_key="k", _env_file=None)  # type: ignore[arg-type, call-arg]

    assert plain.audit_secret() != other.audit_secret()
    assert TOKEN.encode() not in plain.audit_secret()
    assert keyed.audit_secret() == b"k"


# --- /forget by a role holder -----------------------------------------------------------------


async def _speaks(harness: Harness, user_id: int, lang: str) -> None:
    async with harness.db.session() as session:
        await set_language(session, user_id=user_id, language=lang)


async def _with_role(harness: Harness, user_id: int, *roles: Role) -> None:
    async with harness.db.session() as session:
        for role in roles:
            await grant_role(session, actor_id=ADMIN_ID, user_id=user_id, role=role)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_role_holder_is_told_which_roles_go_before_confirming(
    harness: Harness, lang: str
) -> None:
    await _with_role(harness, MATCHMAKER_ID, Role.volunteer_match, Role.staff)
    await _speaks(harness, MATCHMAKER_ID, lang)

    calls = await harness.feed(message("/forget", user_id=MATCHMAKER_ID))

    [ask] = _sent(calls)
    roles = ("、" if lang == "zh" else ", ").join(
        [t(lang, "role-name-staff"), t(lang, "role-name-volunteer_match")]
    )
    assert ask.text == t(lang, "forget-ask-roles", roles=roles) + "\n\n" + t(lang, "forget-ask")
    assert ask.callback_data == ["forget:yes", "forget:no"]


async def test_a_role_holders_roles_are_removed_and_each_removal_audited(
    harness: Harness,
) -> None:
    await _with_role(harness, MATCHMAKER_ID, Role.volunteer_match, Role.staff)
    await harness.feed(message("/forget", user_id=MATCHMAKER_ID))

    calls = await harness.feed(callback("forget:yes", user_id=MATCHMAKER_ID))

    assert t("zh", "forget-item-roles") in _sent(calls)[-1].text
    async with harness.db.session() as session:
        assert await session.get(User, MATCHMAKER_ID) is None
    records = await _audit(harness.db)
    revoked = [r for r in records if r.action == "role.revoke"]
    assert sorted(r.detail["role"] for r in revoked) == ["staff", "volunteer_match"]
    assert all(r.detail["by"] == "forget" for r in revoked)
    assert [r for r in records if _names(r, MATCHMAKER_ID)] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_configured_admin_is_asked_to_leave_the_configuration_first(
    harness: Harness, lang: str
) -> None:
    await _speaks(harness, ADMIN_ID, lang)

    asked = await harness.feed(message("/forget", user_id=ADMIN_ID))
    forged = await harness.feed(callback("forget:yes", user_id=ADMIN_ID))

    assert [c.text for c in _sent(asked)] == [t(lang, "forget-admin-configured")]
    assert [c.text for c in _sent(forged)] == [t(lang, "forget-admin-configured")]
    assert "GONGYOU_ADMIN_IDS" in t(lang, "forget-admin-configured")
    async with harness.db.session() as session:
        admin = await session.get(User, ADMIN_ID)
    assert admin is not None
    assert Role.admin.value in admin.roles
    assert [
        r for r in await _audit(harness.db) if r.action in ("user.forget", "role.revoke")
    ] == []


# --- the inbox after /forget ------------------------------------------------------------------


async def test_after_forget_the_inbox_keeps_no_update_of_the_member(harness: Harness) -> None:
    from bot.core.inbox import INBOX

    await harness.feed(message("我想找个送快递的活，我住在金水区"))
    await harness.feed(message("/forget"))
    await harness.feed(callback("forget:yes"))

    async with harness.db.engine.connect() as conn:
        rows = (await conn.execute(select(INBOX.c.user_key, INBOX.c.raw, INBOX.c.state))).all()
    assert len(rows) == 3
    assert all(row.user_key is None and row.raw is None for row in rows)
    assert {row.state for row in rows} == {"done"}
    assert "金水区" not in json.dumps([list(row) for row in rows], ensure_ascii=False)
