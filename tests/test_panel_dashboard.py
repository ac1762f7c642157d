"""The panel's dashboard: figures and SVG charts of the last 30 or 90 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from bot.config import Settings
from bot.core.models import utcnow
from bot.db import Database
from bot.panel.charts import bar_chart, line_chart
from bot.panel.dashboard import gather
from tests.panel_helpers import signed_in
from tests.test_mydata import _insert

STAFF = 500_001
ZONE = ZoneInfo("Asia/Shanghai")


async def _seed(db: Database) -> None:
    tables = SQLModel.metadata.tables
    now = utcnow()
    await _insert(db, tables["users"], {"id": 7001})
    await _insert(
        db,
        tables["legal_cases"],
        {"user_id": 7001, "created_at": now - timedelta(hours=5), "status": "claimed",
         "first_reply_at": now - timedelta(hours=3)},
    )  # fmt: skip
    await _insert(
        db,
        tables["legal_cases"],
        {"user_id": 7001, "created_at": now - timedelta(days=2), "status": "closed",
         "first_reply_at": now - timedelta(days=2) + timedelta(hours=4), "closed_at": now},
    )  # fmt: skip
    # a case from before the period counts nowhere
    await _insert(
        db, tables["legal_cases"], {"user_id": 7001, "created_at": now - timedelta(days=120)}
    )
    for status in ("pending", "published", "published"):
        await _insert(
            db,
            tables["job_postings"],
            {"status": status, "title": "<b>保安</b>", "created_at": now},
        )
    broadcast = await _insert(
        db, tables["broadcasts"], {"created_by": STAFF, "status": "done", "created_at": now}
    )
    for user_id, status in ((1, "sent"), (2, "resent"), (3, "blocked"), (4, "failed")):
        await _insert(
            db,
            tables["broadcast_recipients"],
            {"broadcast_id": broadcast, "user_id": user_id, "status": status},
        )
    await _insert(db, tables["station_reports"], {"reporter_id": 7001, "created_at": now})
    await _insert(db, tables["match_pairs"], {"a_id": 1, "b_id": 2, "at": now})


async def test_the_figures_count_what_the_services_recorded_in_the_period(db: Database) -> None:
    await _seed(db)
    figures = await gather(db, days=30, zone=ZONE, now=utcnow())
    assert figures.cases_opened == 2
    assert figures.cases_closed == 1
    # the median by the nearest rank, as the case statistics page gives it: the lower of the two
    assert figures.first_answer_hours == 2.0
    assert figures.postings["published"] == 2
    assert figures.postings["pending"] == 1
    assert figures.broadcasts == 1
    assert figures.delivery == {"delivered": 2, "blocked": 1, "failed": 1, "pending": 0}
    assert figures.reports_open == 1
    assert figures.pairs == 1
    assert len(figures.days) == 30
    assert sum(figures.activity["legal"]) == 2
    assert sum(figures.activity["jobs"]) == 3
    assert sum(figures.activity["station"]) == 1


async def test_ninety_days_reach_further_back(db: Database) -> None:
    await _seed(db)
    figures = await gather(db, days=90, zone=ZONE, now=utcnow())
    assert len(figures.days) == 90
    assert figures.cases_opened == 2  # 120 days ago is still outside


async def test_staff_see_the_dashboard_with_charts_in_both_languages(
    db: Database, settings: Settings
) -> None:
    await _seed(db)
    async with signed_in(db, settings, user_id=STAFF) as panel:
        page = await panel.get("/dashboard?days=90")
        html = await page.text()
        assert page.status == 200
        assert html.count("<svg") == 5
        assert "各服务每日处理的消息" in html
        assert "最近 90 天" in html
        assert "2.0 小时" in html
        await panel.post("/lang", {"lang": "en", "next": "/panel/dashboard"})
        english = await (await panel.get("/dashboard?days=oops")).text()
        assert "The last 30 days" in english
        assert "Messages per day by service" in english
        assert "Broadcast delivery" in english


async def test_volunteers_do_not_see_the_service_wide_dashboard(
    db: Database, settings: Settings
) -> None:
    async with signed_in(db, settings, user_id=STAFF, roles=["volunteer_legal"]) as panel:
        assert (await panel.get("/dashboard")).status == 403


def test_chart_labels_are_escaped() -> None:
    bars = bar_chart(["<script>alert(1)</script>"], {"a&b": [3]}, title="<t>", y_label="n")
    lines = line_chart(["1/1", "1/2"], {"<i>x</i>": [1, 2]}, title="t", y_label="n")
    assert "<script>" not in bars
    assert "&lt;script&gt;" in bars
    assert "a&amp;b" in bars
    assert "<i>" not in lines
    assert "<polyline" in lines


def test_charts_scale_to_the_width_of_a_phone() -> None:
    chart = line_chart([str(d) for d in range(90)], {"x": list(range(90))}, title="t", y_label="n")
    assert 'viewBox="0 0 480 300"' in chart
    assert "width=" not in chart.split(">", 1)[0]  # no fixed width: the CSS sets 100%
    assert chart.count("<text") < 20  # 90 days, a few labels


async def test_days_are_local_days_even_where_the_offset_is_a_quarter_hour(db: Database) -> None:
    inbox = SQLModel.metadata.tables["inbox"]
    moments = [
        datetime(2026, 12, 5, 18, 10, tzinfo=UTC),  # Kathmandu (UTC+5:45): 23:55 on the 5th
        datetime(2026, 12, 5, 18, 15, tzinfo=UTC),  # 00:00 on the 6th
        datetime(2026, 12, 5, 18, 29, tzinfo=UTC),
        datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    ]
    for number, moment in enumerate(moments):
        await _insert(db, inbox, {"update_id": 900 + number, "received_at": moment})
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    kathmandu = await gather(db, days=30, zone=ZoneInfo("Asia/Kathmandu"), now=now)
    shanghai = await gather(db, days=30, zone=ZONE, now=now)
    new_york = await gather(db, days=30, zone=ZoneInfo("America/New_York"), now=now)
    assert kathmandu.inbox_days[-2:] == [date(2026, 12, 5), date(2026, 12, 6)]
    assert kathmandu.updates_per_day[-2:] == [1, 3]
    assert shanghai.updates_per_day[-2:] == [0, 4]  # UTC+8: all on the 6th
    assert new_york.updates_per_day[-2:] == [3, 1]  # UTC-5: 13:10 to 13:29 on the 5th
    assert sum(new_york.updates_per_day) == 4
