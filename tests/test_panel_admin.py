"""The panel's admin page: roles granted and revoked (audited), the audit log filtered."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.cli import main
from bot.config import Settings
from bot.core.models import AuditLog
from bot.core.users import audit
from bot.db import Database
from bot.legal.cases import get_case
from bot.legal.models import CaseStatus
from tests.legal_factories import make_case
from tests.panel_helpers import give_roles, signed_in, user_row

ADMIN = 500_010
OTHER = 500_020


async def _records(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        found = await session.exec(select(AuditLog).where(col(AuditLog.action) == action))
        return list(found.all())


async def test_an_admin_grants_a_role_and_it_is_audited_as_them(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        response = await panel.post("/admin/roles", {"user": str(OTHER), "role": "staff",
                                                     "change": "grant"})  # fmt: skip
        assert response.status == 200
        assert "角色已授予" in await response.text()
    user = await user_row(db, OTHER)
    assert user is not None
    assert user.roles == ["staff"]
    [record] = await _records(db, "role.grant")
    assert record.actor_id == ADMIN
    assert record.subject == f"user:{OTHER}"


async def test_a_revoked_role_ends_that_persons_panel_access_at_once(
    db: Database, settings: Settings
) -> None:
    async with (
        signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as admin,
        signed_in(db, settings, user_id=OTHER, roles=["staff"]) as staff,
    ):
        assert (await staff.get("/dashboard")).status == 200
        revoked = await admin.post("/admin/roles", {"user": str(OTHER), "role": "staff",
                                                    "change": "revoke"})  # fmt: skip
        assert "角色已收回" in await revoked.text()
        assert (await staff.get("/dashboard")).status == 403
    assert len(await _records(db, "role.revoke")) == 1


async def test_bad_role_input_gets_a_polite_answer_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        for form in (
            {"user": "abc", "role": "staff", "change": "grant"},
            {"user": str(OTHER), "role": "king", "change": "grant"},
            {"user": str(OTHER), "role": "staff", "change": "crown"},
            {"user": "9" * 30, "role": "staff", "change": "grant"},
        ):
            response = await panel.post("/admin/roles", form)
            assert response.status == 400
            assert "请填写用户 ID" in await response.text()
    assert await user_row(db, OTHER) is None
    assert await _records(db, "role.grant") == []


async def test_a_configured_admin_keeps_the_admin_role(db: Database, settings: Settings) -> None:
    configured = settings.admin_ids[0]
    await give_roles(db, configured, ["admin"])
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        response = await panel.post("/admin/roles", {"user": str(configured), "role": "admin",
                                                     "change": "revoke"})  # fmt: skip
        assert response.status == 400
    user = await user_row(db, configured)
    assert user is not None
    assert user.roles == ["admin"]


async def test_staff_cannot_reach_the_admin_page_or_change_roles(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=OTHER, roles=["staff"]) as panel:
        assert (await panel.get("/admin")).status == 403
        response = await panel.post("/admin/roles", {"user": str(OTHER), "role": "admin",
                                                     "change": "grant"})  # fmt: skip
        assert response.status == 403
    user = await user_row(db, OTHER)
    assert user is not None
    assert user.roles == ["staff"]


async def test_the_audit_log_is_filtered_and_paginated(db: Database, settings: Settings) -> None:
    async with db.session() as session:
        for n in range(60):
            await audit(session, actor_id=42, action="case.view", subject=f"case:{n}")
        await audit(session, actor_id=43, action="station.status", subject="station:7")
        await session.commit()
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        first = await (await panel.get("/admin?action=case.")).text()
        assert "共 60 条记录" in first
        assert "第 1 页，共 2 页" in first
        assert "station:7" not in first
        second = await (await panel.get("/admin?action=case.&page=2")).text()
        assert "case:0<" in second  # oldest last
        by_actor = await (await panel.get("/admin?actor=43")).text()
        assert "station:7" in by_actor
        assert "共 1 条记录" in by_actor
        bad = await panel.get("/admin?actor=<b>&page=zzz")
        assert bad.status == 400
        assert "<b>" not in await bad.text()


async def test_html_in_audit_records_is_shown_as_text(db: Database, settings: Settings) -> None:
    async with db.session() as session:
        await audit(
            session,
            actor_id=42,
            action="note",
            subject="<script>alert(1)</script>",
            detail={"text": "<img src=x onerror=alert(2)>"},
        )
        await session.commit()
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        html = await (await panel.get("/admin?subject=<script>")).text()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


# --- the console: gongyou panel-link, the panel's address ------------------------------------


def test_panel_link_prints_a_link_for_a_role_holder_and_refuses_a_worker(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GONGYOU_DATABASE_URL", migrated_url)
    monkeypatch.setenv("GONGYOU_ADMIN_IDS", "424242")
    monkeypatch.setenv("GONGYOU_PANEL_URL", "https://union.example.org/panel/")
    assert main(["panel-link", "--user-id", "424242"]) == 0
    out = capsys.readouterr().out.strip()
    assert re.fullmatch(r"https://union\.example\.org/panel/signin/[\w-]{40,}", out), out
    assert main(["panel-link", "--user-id", "777"]) == 1
    assert "holds no role the panel has pages for" in capsys.readouterr().err


def test_the_panel_address_follows_the_webhook_unless_set() -> None:
    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plain.panel_base_url() == "http://127.0.0.1:8081/panel"
    hooked = Settings(mode="webhook", webhook_url="https://bot.example.org/", _env_file=None)  # type: ignore[call-arg]
    assert hooked.panel_base_url() == "https://bot.example.org/panel"
    chosen = Settings(panel_url="https://staff.example.org/panel/", _env_file=None)  # type: ignore[call-arg]
    assert chosen.panel_base_url() == "https://staff.example.org/panel"


# --- the audit log's own audit, role names in words, the union's clock -----------------------


async def test_each_view_of_the_audit_log_is_audited_with_its_filters(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        assert (await panel.get("/admin")).status == 200
        assert (await panel.get("/admin?action=role.&actor=42&subject=user:&page=2")).status == 200
        assert (await panel.get("/admin?actor=<b>")).status == 400  # refused: nothing shown
    first, second = await _records(db, "panel.audit.view")
    assert first.actor_id == second.actor_id == ADMIN
    assert first.subject == "audit_log"
    assert first.detail["shown"] >= 1  # at least the sign-in
    assert {k: first.detail[k] for k in ("action", "actor", "subject", "page")} == {
        "action": "", "actor": "", "subject": "", "page": 1,
    }  # fmt: skip
    assert second.detail["action"] == "role."
    assert second.detail["actor"] == "42"
    assert second.detail["subject"] == "user:"
    assert second.detail["page"] == 2


@pytest.mark.parametrize(
    ("language", "names"),
    [("zh", ["志愿律师", "红娘志愿者", "管理员"]), ("en", ["volunteer lawyer", "admin"])],
)
async def test_role_names_are_shown_in_the_visitors_language(
    db: Database, settings: Settings, language: str, names: list[str]
) -> None:
    await give_roles(db, OTHER, ["volunteer_legal", "volunteer_match"])
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"], language=language) as panel:
        html = await (await panel.get("/admin")).text()
    for name in names:
        assert name in html
    assert ">volunteer_legal<" not in html
    assert '<option value="volunteer_legal">' in html  # the form still sends the identifier


async def test_times_are_shown_on_the_unions_clock_and_the_zone_is_named(
    db: Database, settings: Settings
) -> None:
    async with db.session() as session:
        session.add(
            AuditLog(at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC), actor_id=42, action="note")
        )
        await session.commit()
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as panel:
        html = await (await panel.get("/admin?action=note")).text()
    assert "2026-03-02 07:30" in html  # Asia/Shanghai, the configured zone
    assert "UTC" not in html
    assert "本页时间均为 Asia/Shanghai 时区的当地时间" in html


async def test_revoking_the_legal_role_sends_the_claimed_cases_back_to_the_queue(
    db: Database, settings: Settings
) -> None:
    claimed = (await make_case(db, status="claimed", claimed_by=OTHER)).id
    assert claimed is not None
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"]) as admin:
        await give_roles(db, OTHER, ["volunteer_legal"])
        revoked = await admin.post("/admin/roles", {"user": str(OTHER),
                                                    "role": "volunteer_legal",
                                                    "change": "revoke"})  # fmt: skip
        assert "其认领的案件已退回待认领" in await revoked.text()
    async with db.session() as session:
        case = await get_case(session, case_id=claimed)
    assert case is not None
    assert (case.status, case.claimed_by) == (CaseStatus.open, None)
    [release] = await _records(db, "legal.case.release")
    assert release.subject == f"case:{claimed}"
