"""The panel's legal cases: list and filters, one case with its conversation, the worker's
identity only where they chose to share it, audits, statistics, CSV export and refusals."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.app import encoders
from bot.config import Settings
from bot.core.models import AuditLog, utcnow
from bot.core.outbox import OUTBOX
from bot.db import Database
from bot.legal.cases import BOT_POST, FROM_WORKER, TO_WORKER
from bot.legal.models import LegalCase, LegalMessage
from bot.legal.stats import duration_text
from bot.panel import cases as cases_page
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.factories import WORKER_ID
from tests.legal_factories import make_case
from tests.panel_helpers import PREFIX, give_roles, panel_client, signed_in

LAWYER = 500_101
OTHER_LAWYER = 500_102
STAFF = 500_103
MATCHMAKER = 500_104


async def _records(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        found = await session.exec(select(AuditLog).where(col(AuditLog.action) == action))
        return list(found.all())


async def _message(db: Database, case: LegalCase, direction: str, text: str, n: int) -> None:
    assert case.id is not None
    async with db.session() as session:
        session.add(
            LegalMessage(
                case_id=case.id,
                chat_id=-100 if direction != FROM_WORKER else WORKER_ID,
                message_id=n,
                direction=direction,
                author_id=LAWYER if direction == TO_WORKER else None,
                text=text,
            )
        )
        await session.commit()


async def test_a_legal_volunteer_filters_the_cases_by_status_category_and_volunteer(
    db: Database, settings: Settings
) -> None:
    waiting = await make_case(db, category="wages")
    mine = await make_case(db, category="injury", status="claimed", claimed_by=LAWYER)
    theirs = await make_case(db, category="wages", status="claimed", claimed_by=OTHER_LAWYER)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        everything = await (await panel.get("/cases")).text()
        opened = await (await panel.get("/cases?status=open")).text()
        injuries = await (await panel.get("/cases?category=injury")).text()
        own = await (await panel.get("/cases?volunteer=me")).text()
        by_id = await (await panel.get(f"/cases?volunteer={OTHER_LAWYER}")).text()
    for case in (waiting, mine, theirs):
        assert f"L{case.id:04d}" in everything
    assert "共 3 个案件" in everything
    assert f"L{waiting.id:04d}" in opened
    assert f"L{mine.id:04d}" not in opened
    assert f"L{mine.id:04d}" in injuries
    assert f"L{waiting.id:04d}" not in injuries
    assert f"L{mine.id:04d}" in own
    assert f"L{theirs.id:04d}" not in own
    assert f"L{theirs.id:04d}" in by_id
    assert f"L{mine.id:04d}" not in by_id


async def test_the_sla_filter_keeps_cases_unanswered_past_the_escalation_time(
    db: Database, settings: Settings
) -> None:
    now = utcnow()
    late = await make_case(db, created_at=now - timedelta(hours=30))
    escalated = await make_case(db, created_at=now - timedelta(hours=2), escalated_at=now)
    fresh = await make_case(db, created_at=now - timedelta(hours=1))
    answered = await make_case(
        db, created_at=now - timedelta(hours=30), first_reply_at=now - timedelta(hours=29)
    )
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        page = await (await panel.get("/cases?sla=1")).text()
    assert f"L{late.id:04d}" in page
    assert f"L{escalated.id:04d}" in page
    assert f"L{fresh.id:04d}" not in page
    assert f"L{answered.id:04d}" not in page


async def test_the_list_is_paginated(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cases_page, "PAGE_SIZE", 2)
    made = [await make_case(db) for _ in range(3)]
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        first = await (await panel.get("/cases")).text()
        second = await (await panel.get("/cases?page=2")).text()
    assert "第 1 页，共 2 页" in first
    assert f"L{made[2].id:04d}" in first
    assert f"L{made[0].id:04d}" not in first
    assert f"L{made[0].id:04d}" in second
    assert f"L{made[2].id:04d}" not in second


async def test_bad_filters_get_a_polite_answer(db: Database, settings: Settings) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        for query in ("status=lost", "category=<b>", "volunteer=abc", "volunteer=" + "9" * 30):
            response = await panel.get(f"/cases?{query}")
            assert response.status == 400
            assert "请从列表中选择状态" in await response.text()


async def test_a_case_page_shows_the_conversation_and_the_view_is_audited(
    db: Database, settings: Settings
) -> None:
    case = await make_case(db, status="claimed", claimed_by=LAWYER)
    await _message(db, case, FROM_WORKER, "工资条我拍了照片", 1)
    await _message(db, case, TO_WORKER, "请问有没有劳动合同？", 2)
    await _message(db, case, BOT_POST, "internal case card copy", 3)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        response = await panel.get(f"/cases/{case.id}")
        page = await response.text()
    assert response.status == 200
    assert "郑州某建筑劳务公司" in page
    assert "老板拖欠三个月工资" in page
    assert page.index("工资条我拍了照片") < page.index("请问有没有劳动合同？")
    assert "internal case card copy" not in page
    assert "由你接手" in page
    [record] = await _records(db, "legal.case.view")
    assert record.actor_id == LAWYER
    assert record.subject == f"case:{case.id}"
    assert record.detail == {"where": "panel"}


async def test_the_workers_name_and_phone_show_only_where_they_chose_to_share_them(
    db: Database, settings: Settings
) -> None:
    hidden = await make_case(
        db, show_name=False, display_name="张秘密", contact="bot", phone="13800001111"
    )
    shared = await make_case(
        db, show_name=True, display_name="李公开", contact="phone", phone="13900002222"
    )
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        private = await (await panel.get(f"/cases/{hidden.id}")).text()
        public = await (await panel.get(f"/cases/{shared.id}")).text()
    assert "张秘密" not in private
    assert "13800001111" not in private
    assert "工友未公开" in private
    assert "只通过机器人联系" in private
    assert "李公开" in public
    assert "13900002222" in public
    for page in (private, public):
        assert str(WORKER_ID) not in page


async def test_html_in_a_case_is_shown_as_text(db: Database, settings: Settings) -> None:
    case = await make_case(db, description="<script>alert('x')</script> 老板跑了")
    await _message(db, case, FROM_WORKER, "<img src=x onerror=alert(1)>", 1)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"], language="en") as panel:
        page = await (await panel.get(f"/cases/{case.id}")).text()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


async def test_forged_case_ids_are_not_found_and_not_audited(
    db: Database, settings: Settings
) -> None:
    await make_case(db)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        for path in ("/cases/999999", "/cases/abc", "/cases/-1", "/cases/" + "9" * 40):
            response = await panel.get(path)
            assert response.status == 404, path
            assert "没有这个页面或记录" in await response.text()
    assert await _records(db, "legal.case.view") == []


async def test_a_matchmaker_is_refused_the_cases(db: Database, settings: Settings) -> None:
    case = await make_case(db)
    async with signed_in(db, settings, user_id=MATCHMAKER, roles=["volunteer_match"]) as panel:
        for path in ("/cases", f"/cases/{case.id}", "/cases/stats", "/cases/export.csv"):
            response = await panel.get(path)
            assert response.status == 403, path
            assert "老板拖欠" not in await response.text()
    assert await _records(db, "legal.case.view") == []


async def test_a_worker_and_no_session_see_no_case(db: Database, settings: Settings) -> None:
    case = await make_case(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        await give_roles(db, STAFF, [])  # the staff member's role is revoked: now a worker
        response = await panel.get(f"/cases/{case.id}", allow_redirects=False)
        assert response.status in (303, 403)
        assert "老板拖欠" not in await response.text()
    async with panel_client(db, settings) as client:
        response = await client.get(f"/panel/cases/{case.id}", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/panel/signin"
    assert await _records(db, "legal.case.view") == []


async def test_legal_volunteers_get_no_statistics_or_export(
    db: Database, settings: Settings
) -> None:
    await make_case(db)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        assert (await panel.get("/cases/stats")).status == 403
        assert (await panel.get("/cases/export.csv")).status == 403
        assert "/panel/cases/export.csv" not in await (await panel.get("/cases")).text()
    assert await _records(db, "legal.export") == []


async def test_staff_see_counts_by_status_and_category_and_the_median_first_answer(
    db: Database, settings: Settings
) -> None:
    now = utcnow()
    opened = now - timedelta(hours=5)
    await make_case(
        db, category="injury", created_at=opened, first_reply_at=now - timedelta(hours=3)
    )
    await make_case(
        db,
        category="injury",
        status="closed",
        outcome="answered",
        created_at=opened,
        first_reply_at=now - timedelta(hours=4),
    )
    await make_case(db, category="wages", created_at=now - timedelta(days=200))
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        month = await (await panel.get("/cases/stats?days=30")).text()
        always = await (await panel.get("/cases/stats?days=0")).text()
        bad = await panel.get("/cases/stats?days=7")
    assert "<dt>提交的案件</dt><dd>2</dd>" in month
    assert "<dt>提交的案件</dt><dd>3</dd>" in always
    assert "<tr><td>工伤</td><td>2</td></tr>" in month
    assert "<tr><td>等待志愿律师</td><td>1</td></tr>" in month
    assert duration_text("zh", timedelta(hours=1)) in month  # the lower middle of 1 h and 2 h
    assert bad.status == 400


async def test_staff_export_the_bots_csv_and_the_export_is_audited(
    db: Database, settings: Settings
) -> None:
    case = await make_case(db, employer="<b>Secret Ltd</b>", display_name="张三", show_name=True)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"], language="en") as panel:
        response = await panel.get("/cases/export.csv")
        data = await response.read()
        assert (await panel.get("/cases/export.csv?days=abc")).status == 400
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    text = data.decode("utf-8-sig")
    assert f"L{case.id:04d}" in text
    assert "Secret Ltd" not in text
    assert "张三" not in text
    assert str(WORKER_ID) not in text
    [record] = await _records(db, "legal.export")
    assert record.actor_id == STAFF
    assert record.detail["rows"] == 1


async def test_case_times_are_shown_on_the_unions_clock(db: Database, settings: Settings) -> None:
    opened = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    case = await make_case(db, created_at=opened, first_reply_at=opened + timedelta(hours=1))
    await _message(db, case, FROM_WORKER, "还在等", 7)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        listed = await (await panel.get("/cases")).text()
        shown = await (await panel.get(f"/cases/{case.id}")).text()
    assert "2026-03-02 07:30" in listed  # Asia/Shanghai
    assert "2026-03-02 08:30" in listed
    assert "2026-03-02 07:30" in shown
    assert "UTC" not in listed + shown
    assert "Asia/Shanghai" in shown


# --- acting on a case from the panel: claim, answer the worker ----------------------------------


def _notifier(harness: Harness) -> TelegramNotifier:
    return TelegramNotifier(harness.app.bot, encoders())


def _to_worker(harness: Harness) -> list[str]:
    return [
        call.text
        for call in harness.api.sent("sendMessage")
        if int(call.params["chat_id"]) == WORKER_ID
    ]


async def test_a_legal_volunteer_claims_a_case_once_and_the_worker_is_told(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await make_case(db)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert "认领这个案件" in page
        first, second = await asyncio.gather(
            panel.post(f"/cases/{case.id}/claim", allow_redirects=False),
            panel.post(f"/cases/{case.id}/claim", allow_redirects=False),
        )
        places = sorted([first.headers["Location"], second.headers["Location"]])
        assert places == [f"{PREFIX}/cases/{case.id}?done=claimed",
                          f"{PREFIX}/cases/{case.id}?done=yours"]  # fmt: skip
        shown = await (await panel.get(f"/cases/{case.id}?done=claimed")).text()
        assert f"你认领了案件 L{case.id:04d}" in shown
        assert "给工友的消息" in shown  # the answer form, now that it is theirs
    async with db.session() as session:
        stored = await session.get(LegalCase, case.id)
    assert stored is not None
    assert stored.claimed_by == LAWYER
    assert len(await _records(db, "legal.case.claim")) == 1
    [told] = _to_worker(harness)
    assert "已经有志愿律师接手了" in told


async def test_the_claimer_answers_the_worker_through_the_bot_once_per_form(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await make_case(db, status="claimed", claimed_by=LAWYER)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        found = re.search(r'name="nonce" value="([^"]+)"', page)
        assert found is not None
        form = {"text": "请把<b>工资条</b>拍照发来", "nonce": found.group(1)}
        first, second = await asyncio.gather(
            panel.post(f"/cases/{case.id}/answer", form, allow_redirects=False),
            panel.post(f"/cases/{case.id}/answer", form, allow_redirects=False),
        )
        places = sorted([first.headers["Location"], second.headers["Location"]])
        assert places == [f"{PREFIX}/cases/{case.id}?done=already",
                          f"{PREFIX}/cases/{case.id}?done=sent"]  # fmt: skip
        shown = await (await panel.get(f"/cases/{case.id}")).text()
        assert "请把&lt;b&gt;工资条&lt;/b&gt;拍照发来" in shown  # in the history, escaped
    [told] = _to_worker(harness)
    assert "请把<b>工资条</b>拍照发来" in told
    assert f"L{case.id:04d}" in told
    async with db.session() as session:
        rows = (
            await session.exec(
                select(LegalMessage).where(col(LegalMessage.direction) == TO_WORKER)
            )
        ).all()
        stored = await session.get(LegalCase, case.id)
    assert [(row.author_id, row.text) for row in rows] == [(LAWYER, form["text"])]
    assert stored is not None
    assert stored.first_reply_at is not None
    [answered] = await _records(db, "legal.case.answer")
    assert answered.actor_id == LAWYER
    assert answered.subject == f"case:{case.id}"
    assert answered.detail["result"] == "sent"


async def test_only_the_claimer_answers_and_staff_cannot_act(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await make_case(db, status="claimed", claimed_by=OTHER_LAWYER)
    form = {"text": "你好", "nonce": "n" * 22}
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert "已经有其他志愿律师认领了" in page
        assert 'name="nonce"' not in page
        answered = await panel.post(f"/cases/{case.id}/answer", form, allow_redirects=False)
        assert answered.headers["Location"].endswith("?done=claim-first")
        taken = await panel.post(f"/cases/{case.id}/claim", allow_redirects=False)
        assert taken.headers["Location"].endswith("?done=taken")
        assert (await panel.post("/cases/999999/claim")).status == 404
        no_token = await panel.client.post(f"{PREFIX}/cases/{case.id}/answer", data=form)
        assert no_token.status == 403
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"],
                         notifier=_notifier(harness)) as staff:  # fmt: skip
        assert "认领这个案件" not in await (await staff.get(f"/cases/{case.id}")).text()
        assert (await staff.post(f"/cases/{case.id}/answer", form)).status == 403
        assert (await staff.post(f"/cases/{case.id}/claim")).status == 403
    assert _to_worker(harness) == []
    assert await _records(db, "legal.case.answer") == []


async def test_without_the_bot_a_claim_tells_the_worker_through_the_outbox_and_answers_wait(
    db: Database, settings: Settings
) -> None:
    case = await make_case(db)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        claimed = await panel.post(f"/cases/{case.id}/claim", allow_redirects=False)
        assert claimed.headers["Location"].endswith("?done=claimed")
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert 'name="nonce"' not in page
        assert "无法给工友发消息" in page
        refused = await panel.post(f"/cases/{case.id}/answer", {"text": "你好", "nonce": "n" * 22},
                                   allow_redirects=False)  # fmt: skip
        assert refused.headers["Location"].endswith("?done=no-bot")
    async with db.engine.connect() as conn:
        queued = (await conn.execute(select(OUTBOX.c.chat_id, OUTBOX.c.text))).all()
    assert [(chat, "已经有志愿律师接手了" in text) for chat, text in queued] == [(WORKER_ID, True)]
