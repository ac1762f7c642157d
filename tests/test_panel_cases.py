"""The panel's legal cases: list and filters, one case with its conversation, the worker's
identity only where they chose to share it, audits, statistics, CSV export and refusals; claiming,
answering, releasing and closing a case as the bot does."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.app import encoders
from bot.config import Settings
from bot.core.models import AuditLog, utcnow
from bot.core.outbox import OUTBOX, buttons_markup
from bot.db import Database
from bot.i18n import t
from bot.legal.cases import BOT_POST, FROM_WORKER, TO_WORKER, rating_keyboard
from bot.legal.core import case_label, outcome_name
from bot.legal.models import CaseStatus, LegalCase, LegalMessage
from bot.legal.stats import duration_text
from bot.panel import cases as cases_page
from handlers.notifier import TelegramNotifier
from tests.conftest import Harness
from tests.factories import WORKER_ID
from tests.legal_factories import make_case
from tests.panel_helpers import PREFIX, give_roles, new_link, panel_client, signed_in, use_link

LAWYER = 500_101
OTHER_LAWYER = 500_102
STAFF = 500_103
MATCHMAKER = 500_104
ADMIN = 500_105
#: The volunteers' group (a forum: each case has its topic there).
GROUP = -100_555
TOPIC = 77


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
    """No panel page is a matchmaker's: their link signs nobody in, so no case is shown."""
    case = await make_case(db)
    await give_roles(db, MATCHMAKER, ["volunteer_match"])
    async with panel_client(db, settings) as client:
        assert (await use_link(client, await new_link(db, MATCHMAKER))).status == 403
        for path in ("/cases", f"/cases/{case.id}", "/cases/stats", "/cases/export.csv"):
            response = await client.get(PREFIX + path)
            assert "老板拖欠" not in await response.text(), path
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


# --- releasing and closing a case from the panel ------------------------------------------------


def _to_group(harness: Harness) -> list[str]:
    return [
        call.text
        for call in harness.api.sent("sendMessage")
        if int(call.params["chat_id"]) == GROUP
        and int(call.params.get("message_thread_id") or 0) == TOPIC
    ]


async def _stored(db: Database, case: LegalCase) -> LegalCase:
    async with db.session() as session:
        found = await session.get(LegalCase, case.id)
    assert found is not None
    return found


async def _in_topic(db: Database, **fields: object) -> LegalCase:
    """A case announced in its own topic of the volunteers' group."""
    return await make_case(db, chat_id=GROUP, thread_id=TOPIC, **fields)


async def test_the_claimer_releases_a_case_once_confirmed_and_only_the_group_is_told(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await _in_topic(db, status="claimed", claimed_by=LAWYER)
    number = case_label(case.id or 0)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert f'action="{PREFIX}/cases/{case.id}/release"' in page
        asked = await panel.post(f"/cases/{case.id}/release")
        question = await asked.text()
        assert asked.status == 200
        assert t("zh", "lc-release-ask", number=number) in question
        assert t("zh", "lc-btn-release-yes", number=number) in question
        assert (await _stored(db, case)).status == CaseStatus.claimed  # not before the answer
        first = await panel.post(f"/cases/{case.id}/release", {"confirm": "yes"},
                                 allow_redirects=False)  # fmt: skip
        again = await panel.post(f"/cases/{case.id}/release", {"confirm": "yes"},
                                 allow_redirects=False)  # fmt: skip
        assert first.headers["Location"] == f"{PREFIX}/cases/{case.id}?done=released"
        assert again.headers["Location"] == f"{PREFIX}/cases/{case.id}?done=not-claimed"
        shown = await (await panel.get(f"/cases/{case.id}?done=released")).text()
        assert t("zh", "lc-released", number=number) in shown
        assert "认领这个案件" in shown  # open again: the claim button is back
    stored = await _stored(db, case)
    assert stored.status == CaseStatus.open
    assert stored.claimed_by is None
    [released] = await _records(db, "legal.case.release")
    assert released.actor_id == LAWYER
    assert released.subject == f"case:{case.id}"
    someone = t("zh", "lc-someone")
    assert _to_group(harness) == [t("zh", "lc-note-released", name=someone)]
    assert _to_worker(harness) == []  # as in the bot: the worker is not told of a release


async def test_a_volunteer_who_did_not_claim_the_case_can_neither_release_nor_close_it(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await _in_topic(db, status="claimed", claimed_by=OTHER_LAWYER)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert "/release" not in page
        assert "/close" not in page
        for confirm in ("", "yes"):
            form = {"confirm": confirm, "outcome": "answered"}
            released = await panel.post(f"/cases/{case.id}/release", form, allow_redirects=False)
            closed = await panel.post(f"/cases/{case.id}/close", form, allow_redirects=False)
            assert released.headers["Location"].endswith("?done=release-not-yours")
            assert closed.headers["Location"].endswith("?done=close-not-yours")
        refused = await (await panel.get(f"/cases/{case.id}?done=release-not-yours")).text()
        assert t("zh", "lc-release-not-yours") in refused
        refused = await (await panel.get(f"/cases/{case.id}?done=close-not-yours")).text()
        assert t("zh", "lc-close-not-yours") in refused
    stored = await _stored(db, case)
    assert (stored.status, stored.claimed_by) == (CaseStatus.claimed, OTHER_LAWYER)
    assert await _records(db, "legal.case.release") == []
    assert await _records(db, "legal.case.close") == []
    assert harness.api.sent("sendMessage") == []


async def test_the_claimer_closes_a_case_once_confirmed_and_the_worker_is_asked_for_a_rating(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await _in_topic(db, status="claimed", claimed_by=LAWYER)
    number = case_label(case.id or 0)
    mediation = outcome_name("zh", "mediation")
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{case.id}")).text()
        assert '<option value="mediation">' + mediation + "</option>" in page
        asked = await panel.post(f"/cases/{case.id}/close", {"outcome": "mediation"})
        question = await asked.text()
        assert t("zh", "lc-close-ask", number=number, outcome=mediation) in question
        assert '<input type="hidden" name="outcome" value="mediation">' in question
        assert (await _stored(db, case)).status == CaseStatus.claimed  # not before the answer
        form = {"outcome": "mediation", "confirm": "yes"}
        first, second = await asyncio.gather(
            panel.post(f"/cases/{case.id}/close", form, allow_redirects=False),
            panel.post(f"/cases/{case.id}/close", form, allow_redirects=False),
        )
        places = sorted([first.headers["Location"], second.headers["Location"]])
        assert places == [f"{PREFIX}/cases/{case.id}?done=closed",
                          f"{PREFIX}/cases/{case.id}?done=closed-done"]  # fmt: skip
        shown = await (await panel.get(f"/cases/{case.id}?done=closed-done")).text()
        assert t("zh", "lc-closed-done", number=number, outcome=mediation) in shown
        assert "/close" not in shown  # a closed case has no actions
    stored = await _stored(db, case)
    assert (stored.status, stored.outcome, stored.closed_by) == (
        CaseStatus.closed, "mediation", LAWYER)  # fmt: skip
    [record] = await _records(db, "legal.case.close")
    assert record.actor_id == LAWYER
    assert record.detail == {"outcome": "mediation"}
    [told] = [c for c in harness.api.sent("sendMessage") if int(c.params["chat_id"]) == WORKER_ID]
    assert told.text == t("zh", "lw-closed", number=number, outcome=mediation)
    assert told.callback_data == [f"lw:s:{case.id}:{n}" for n in range(1, 6)]
    note = t("zh", "lc-note-closed", outcome=mediation, name=t("zh", "lc-someone"))
    assert _to_group(harness) == [note]
    [topic] = harness.api.sent("closeForumTopic")
    assert (int(topic.params["chat_id"]), int(topic.params["message_thread_id"])) == (GROUP, TOPIC)


async def test_a_volunteer_closes_an_open_case_and_an_admin_closes_anyones(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    waiting = await make_case(db)
    theirs = await make_case(db, status="claimed", claimed_by=OTHER_LAWYER)
    form = {"outcome": "answered", "confirm": "yes"}
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        page = await (await panel.get(f"/cases/{waiting.id}")).text()
        assert f'action="{PREFIX}/cases/{waiting.id}/close"' in page
        assert "/release" not in page  # nothing to give back before a claim
        done = await panel.post(f"/cases/{waiting.id}/close", form, allow_redirects=False)
        assert done.headers["Location"].endswith("?done=closed-done")
    async with signed_in(db, settings, user_id=ADMIN, roles=["admin"],
                         notifier=_notifier(harness)) as admin:  # fmt: skip
        page = await (await admin.get(f"/cases/{theirs.id}")).text()
        assert f'action="{PREFIX}/cases/{theirs.id}/close"' in page
        assert "/release" not in page  # only the claimer gives a case back, as in the bot
        released = await admin.post(f"/cases/{theirs.id}/release", {"confirm": "yes"},
                                    allow_redirects=False)  # fmt: skip
        assert released.headers["Location"].endswith("?done=release-not-yours")
        done = await admin.post(f"/cases/{theirs.id}/close", form, allow_redirects=False)
        assert done.headers["Location"].endswith("?done=closed-done")
    assert (await _stored(db, waiting)).closed_by == LAWYER
    assert (await _stored(db, theirs)).closed_by == ADMIN
    assert len(_to_worker(harness)) == 2


async def test_cancelling_the_question_changes_nothing(db: Database, settings: Settings) -> None:
    case = await make_case(db, status="claimed", claimed_by=LAWYER)
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        question = await (
            await panel.post(f"/cases/{case.id}/close", {"outcome": "answered"})
        ).text()
        cancel = f'href="{PREFIX}/cases/{case.id}?done=kept"'
        assert cancel in question
        assert t("zh", "lc-btn-keep") in question
        kept = await (await panel.get(f"/cases/{case.id}?done=kept")).text()
        assert t("zh", "lc-kept") in kept
    assert (await _stored(db, case)).status == CaseStatus.claimed
    assert await _records(db, "legal.case.close") == []


async def test_without_the_bot_the_worker_is_told_of_the_close_through_the_outbox(
    db: Database, settings: Settings
) -> None:
    released = await make_case(db, status="claimed", claimed_by=LAWYER)
    closed = await make_case(db, status="claimed", claimed_by=LAWYER, lang="en")
    form = {"outcome": "legal_aid", "confirm": "yes"}
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"]) as panel:
        done = await panel.post(f"/cases/{released.id}/release", {"confirm": "yes"},
                                allow_redirects=False)  # fmt: skip
        assert done.headers["Location"].endswith("?done=released")
        done = await panel.post(f"/cases/{closed.id}/close", form, allow_redirects=False)
        assert done.headers["Location"].endswith("?done=closed-done")
        again = await panel.post(f"/cases/{closed.id}/close", form, allow_redirects=False)
        assert again.headers["Location"].endswith("?done=closed")
    assert (await _stored(db, released)).status == CaseStatus.open
    assert (await _stored(db, closed)).outcome == "legal_aid"
    async with db.engine.connect() as conn:
        queued = (
            await conn.execute(
                select(OUTBOX.c.chat_id, OUTBOX.c.kind, OUTBOX.c.text, OUTBOX.c.reply_markup)
            )  # fmt: skip
        ).all()
    number = case_label(closed.id or 0)
    told = t("en", "lw-closed", number=number, outcome=outcome_name("en", "legal_aid"))
    rating = buttons_markup(rating_keyboard(closed.id or 0))
    assert [tuple(row) for row in queued] == [(WORKER_ID, cases_page.CLOSED_KIND, told, rating)]


async def test_staff_and_forged_requests_cannot_release_or_close(
    harness: Harness, settings: Settings
) -> None:
    db = harness.db
    case = await make_case(db, status="claimed", claimed_by=LAWYER)
    form = {"outcome": "answered", "confirm": "yes"}
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"],
                         notifier=_notifier(harness)) as staff:  # fmt: skip
        page = await (await staff.get(f"/cases/{case.id}")).text()
        assert "/release" not in page
        assert "/close" not in page
        assert (await staff.post(f"/cases/{case.id}/release", form)).status == 403
        assert (await staff.post(f"/cases/{case.id}/close", form)).status == 403
    async with signed_in(db, settings, user_id=LAWYER, roles=["volunteer_legal"],
                         notifier=_notifier(harness)) as panel:  # fmt: skip
        for verb in ("release", "close"):
            no_token = await panel.client.post(f"{PREFIX}/cases/{case.id}/{verb}", data=form)
            assert no_token.status == 403, verb
            for forged in ("999999", "abc", "9" * 40):
                response = await panel.post(f"/cases/{forged}/{verb}", form)
                assert response.status == 404, (verb, forged)
        bad = await panel.post(f"/cases/{case.id}/close",
                               {"outcome": "<b>won</b>", "confirm": "yes"})  # fmt: skip
        assert bad.status == 400
        shown = await bad.text()
        assert "<b>won" not in shown
        assert "won" not in shown  # a forged outcome is never echoed
    stored = await _stored(db, case)
    assert (stored.status, stored.claimed_by) == (CaseStatus.claimed, LAWYER)
    assert await _records(db, "legal.case.release") == []
    assert await _records(db, "legal.case.close") == []
    assert harness.api.sent("sendMessage") == []
