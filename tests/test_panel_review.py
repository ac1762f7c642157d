"""The panel's job review: the queue with flags; approve, reject with a reason, edit (audited)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from bot.config import Settings
from bot.core.outbox import OUTBOX
from bot.core.tables import AUDIT
from bot.db import Database
from bot.jobs.core import POSTINGS
from bot.jobs.models import PostingStatus
from tests.panel_helpers import give_roles, signed_in

STAFF = 500_201
OWNER = 500_202
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
_numbers = itertools.count(1)


async def _pending(db: Database, **overrides: Any) -> int:
    number = next(_numbers)
    row: dict[str, Any] = {
        "title": f"仓库分拣员{number}",
        "employer_name": "示例物流公司",
        "city": "郑州市",
        "district": "金水区",
        "address": "",
        "metro_line": "",
        "metro_station": "",
        "industry": "logistics",
        "employment_type": "full_time",
        "pay_min": 5000.0,
        "pay_max": 6000.0,
        "pay_unit": "month",
        "pay_text": "5000-6000元/月",
        "hours": "",
        "requirements": "",
        "tags": 0,
        "contact": "0371-12345678",
        "expires_on": None,
        "employer_id": None,
        "source": "employer",
        "status": PostingStatus.pending.value,
        "owner_id": OWNER,
        "dedupe_key": f"review-{number}",
        "search_text": "",
        "flags": ["fee"],
        "review_note": "",
        "reviewed_by": None,
        "contact_views": 0,
        "report_count": 0,
        "published_at": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(overrides)
    async with db.engine.begin() as conn:
        result = await conn.execute(insert(POSTINGS).values(**row).returning(POSTINGS.c.id))
        return int(result.scalar_one())


async def _posting(db: Database, posting_id: int) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        query = select(POSTINGS).where(POSTINGS.c.id == posting_id)
        return dict((await conn.execute(query)).mappings().one())


async def _audits(db: Database, action: str) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(AUDIT).where(AUDIT.c.action == action))
        return [dict(row) for row in rows.mappings()]


async def _told(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        query = select(OUTBOX.c.text).where(OUTBOX.c.chat_id == OWNER)
        return [str(text) for text in (await conn.execute(query)).scalars()]


async def test_the_queue_shows_flags_and_escapes_the_posting_title(
    db: Database, settings: Settings
) -> None:
    posting_id = await _pending(db, title="<script>alert(1)</script>")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        page = await panel.get("/review")
        text = await page.text()
    assert page.status == 200
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "向求职者收费或要押金" in text  # the screening flag, in words
    [viewed] = await _audits(db, "jobs.review_view")
    assert viewed["actor_id"] == STAFF
    assert viewed["subject"] == "review_queue"
    assert viewed["detail"]["postings"] == [posting_id]


async def test_one_view_of_the_queue_is_one_audit_row_naming_every_posting_shown(
    db: Database, settings: Settings
) -> None:
    shown = {await _pending(db, title=f"分拣员 {n}") for n in range(3)}
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        assert (await panel.get("/review")).status == 200
        [viewed] = await _audits(db, "jobs.review_view")
        assert viewed["actor_id"] == STAFF
        assert set(viewed["detail"]["postings"]) == shown
        assert viewed["detail"]["where"] == "panel"
        assert (await panel.get("/review?page=2")).status == 200  # nothing shown: no audit
    assert len(await _audits(db, "jobs.review_view")) == 1


async def test_approving_publishes_once_and_tells_the_employer_in_their_language(
    db: Database, settings: Settings
) -> None:
    await give_roles(db, OWNER, [], language="en")
    posting_id = await _pending(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        first, second = await asyncio.gather(
            panel.post(f"/review/{posting_id}/approve"),
            panel.post(f"/review/{posting_id}/approve"),
        )
        texts = {await first.text(), await second.text()}
    assert any("已通过并发布" in text for text in texts)
    assert (await _posting(db, posting_id))["status"] == PostingStatus.published.value
    [approved] = await _audits(db, "jobs.approve")
    assert approved["actor_id"] == STAFF
    [told] = await _told(db)
    assert "has been approved and published" in told


async def test_rejecting_keeps_the_reason_and_tells_the_employer(
    db: Database, settings: Settings
) -> None:
    posting_id = await _pending(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        page = await panel.post(f"/review/{posting_id}/reject", {"reason": "请删除押金要求"})
        assert "已退回" in await page.text()
    row = await _posting(db, posting_id)
    assert row["status"] == PostingStatus.rejected.value
    assert row["review_note"] == "请删除押金要求"
    assert row["reviewed_by"] == STAFF
    [told] = await _told(db)
    assert "请删除押金要求" in told
    assert len(await _audits(db, "jobs.reject")) == 1


async def test_a_rejection_without_a_reason_is_refused_politely_and_changes_nothing(
    db: Database, settings: Settings
) -> None:
    posting_id = await _pending(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        page = await panel.post(f"/review/{posting_id}/reject", {"reason": "   "})
        assert page.status == 400
        assert "理由" in await page.text()
    assert (await _posting(db, posting_id))["status"] == PostingStatus.pending.value
    assert await _told(db) == []


async def test_editing_changes_the_fields_and_screens_the_posting_again(
    db: Database, settings: Settings
) -> None:
    posting_id = await _pending(db, requirements="入职需交押金500元")
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        form = await panel.get(f"/review/{posting_id}")
        assert "入职需交押金500元" in await form.text()
        saved = await panel.post(
            f"/review/{posting_id}",
            {"title": "夜班分拣员", "requirements": "身体健康", "pay": "6000-7000元/月"},
        )
        assert "已保存" in await saved.text()
    row = await _posting(db, posting_id)
    assert row["title"] == "夜班分拣员"
    assert row["requirements"] == "身体健康"
    assert row["pay_min"] == 6000
    assert "fee" not in row["flags"]
    edits = await _audits(db, "jobs.edit")
    assert {record["detail"]["field"] for record in edits} == {"title", "requirements", "pay"}
    assert {record["actor_id"] for record in edits} == {STAFF}


async def test_an_unreadable_value_saves_nothing(db: Database, settings: Settings) -> None:
    posting_id = await _pending(db)
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        page = await panel.post(f"/review/{posting_id}", {"title": "新标题", "pay": "很多钱"})
        assert page.status == 400
        assert "薪资" in await page.text()
    row = await _posting(db, posting_id)
    assert row["title"].startswith("仓库分拣员")
    assert await _audits(db, "jobs.edit") == []


async def test_workers_and_volunteers_get_403_and_forged_ids_404(
    db: Database, settings: Settings
) -> None:
    posting_id = await _pending(db)
    async with signed_in(db, settings, user_id=500_203, roles=["volunteer_legal"]) as volunteer:
        assert (await volunteer.get("/review")).status == 403
        refused = await volunteer.post(f"/review/{posting_id}/approve")
        assert refused.status == 403
    async with signed_in(db, settings, user_id=STAFF, roles=["staff"]) as panel:
        assert (await panel.post("/review/99999999/approve")).status == 404
        assert (await panel.post("/review/abc/approve")).status == 404
        assert (await panel.get("/review/99999999")).status == 404
        assert (await panel.post("/review/99999999", {"title": "x"})).status == 404
    assert (await _posting(db, posting_id))["status"] == PostingStatus.pending.value
