"""Worker job search in the bot: filters, keywords, pages, cards, contacts, reports, expiry."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from bot.core.clock import today_in
from bot.core.models import User, utcnow
from bot.db import Database
from bot.i18n import t
from bot.jobs import search as job_search
from bot.jobs.core import POSTINGS, dedupe_key, search_text, tag_mask
from bot.jobs.models import JobReport, PostingStatus
from bot.jobs.search import (
    REFRESH_LAG,
    VIEWS,
    JobQuery,
    note_posting_terms,
    reset_search_index,
    search_postings,
    warm_search_index,
)
from bot.localapi import Call
from handlers.jobs.search import run_expiry, search_words
from tests.conftest import Harness
from tests.factories import STAFF_ID, WORKER_ID, callback, message, sticker

REPORTS = JobReport.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]
TODAY = today_in("Asia/Shanghai", utcnow())
NOW = datetime.now(UTC)


def _posting(title: str, **fields: Any) -> dict[str, Any]:
    employer = fields.pop("employer", "郑州华安物业")
    requirements = fields.pop("requirements", "身体健康")
    age = fields.pop("age_min", 0)
    row: dict[str, Any] = {
        "title": title,
        "employer_name": employer,
        "city": "郑州市",
        "district": "金水区",
        "address": "",
        "metro_line": "",
        "metro_station": "",
        "industry": "other",
        "employment_type": "full_time",
        "pay_min": 5000.0,
        "pay_max": 6000.0,
        "pay_unit": "month",
        "pay_text": "5000-6000元/月",
        "hours": "",
        "requirements": requirements,
        "tags": 0,
        "contact": "13800000000",
        "expires_on": TODAY + timedelta(days=20),
        "source": "staff_import",
        "status": "published",
        "owner_id": None,
        "dedupe_key": dedupe_key(employer=employer, title=title, district="金水区"),
        "search_text": search_text(title=title, employer=employer, requirements=requirements),
        "flags": [],
        "review_note": "",
        "contact_views": 0,
        "report_count": 0,
        "published_at": NOW - timedelta(minutes=age),
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(fields)
    return row


async def _insert(db: Database, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Store postings as the services do (with their search terms)."""
    async with db.engine.begin() as conn:
        await conn.execute(insert(POSTINGS), rows)
        found = (await conn.execute(select(POSTINGS.c.id, POSTINGS.c.title))).all()
        await conn.run_sync(note_posting_terms, [row.id for row in found])
    return {row.title: row.id for row in found}


async def _search(db: Database, **fields: Any) -> list[str]:
    """The titles found, newest or best first; the index and the page-sized read of the
    database (before the index is ready) must give the same answer."""
    query = JobQuery(today=TODAY, limit=50, **fields)
    page = await db.transact(search_postings, query=query)
    for strategy in ("index", "bounded"):
        other = await db.transact(search_postings, query=query, strategy=strategy)
        assert [view.id for view in other.items] == [view.id for view in page.items]
    return [view.title for view in page.items]


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    reset_search_index()


@pytest.fixture
async def filtered(harness: Harness) -> dict[str, int]:
    """Postings that differ in one field each."""
    return await _insert(
        harness.db,
        [
            _posting("二七区保洁", district="二七区", industry="cleaning", age_min=1),
            _posting("一号线仓库", metro_line="1号线", industry="logistics", age_min=2),
            _posting("日结搬运", employment_type="daily", pay_min=200.0, pay_max=200.0,
                     pay_unit="day", age_min=3),
            _posting("大龄包住保安", industry="security", tags=tag_mask(["older", "room_board"]),
                     age_min=4),
            _posting("大龄门卫", industry="security", tags=tag_mask(["older"]), age_min=5),
            _posting("低薪杂工", pay_min=2500.0, pay_max=2800.0, age_min=6),
            _posting("面议司机", pay_min=None, pay_max=None, pay_unit=None, pay_text="面议",
                     industry="driving", age_min=7),
        ],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "titles"),
    [
        ({"district": "二七区"}, ["二七区保洁"]),
        ({"metro_line": "1号线"}, ["一号线仓库"]),
        ({"industry": "security"}, ["大龄包住保安", "大龄门卫"]),
        ({"employment_type": "daily"}, ["日结搬运"]),
        ({"tags": tag_mask(["older", "room_board"])}, ["大龄包住保安"]),
    ],
)
async def test_each_filter_keeps_only_the_postings_that_match_it(
    harness: Harness, filtered: dict[str, int], fields: dict[str, Any], titles: list[str]
) -> None:
    assert await _search(harness.db, **fields) == titles


async def test_a_minimum_monthly_pay_compares_daily_pay_per_month_and_keeps_negotiable_pay(
    harness: Harness, filtered: dict[str, int]
) -> None:
    # 200 yuan a day is 4350 a month: above 4000, below 4500; "面议" always passes.
    at_4000 = await _search(harness.db, min_monthly=4000.0)
    at_4500 = await _search(harness.db, min_monthly=4500.0)

    assert "日结搬运" in at_4000
    assert "日结搬运" not in at_4500
    assert "低薪杂工" not in at_4000
    assert "面议司机" in at_4500


async def test_keywords_find_a_posting_despite_a_typo(harness: Harness) -> None:
    await _insert(
        harness.db, [_posting("装卸工人"), _posting("收银员"), _posting("security guard")]
    )

    assert await _search(harness.db, keywords="装缷工人") == ["装卸工人"]
    assert await _search(harness.db, keywords="securty") == ["security guard"]


async def test_keywords_match_words_in_any_order(harness: Harness) -> None:
    await _insert(
        harness.db,
        [
            _posting("商场保安", requirements="能上夜班", age_min=5),
            _posting("小区保安", requirements="长白班", age_min=1),
            _posting("夜班保安", age_min=9),
        ],
    )

    assert await _search(harness.db, keywords="夜班保安") == ["商场保安", "夜班保安"]


async def test_results_come_newest_first(harness: Harness) -> None:
    await _insert(harness.db, [_posting(f"岗位{age}", age_min=age) for age in (30, 10, 20)])

    assert await _search(harness.db) == ["岗位10", "岗位20", "岗位30"]


async def test_pending_expired_and_past_date_postings_are_never_shown(harness: Harness) -> None:
    await _insert(
        harness.db,
        [
            _posting("待审核", status="pending"),
            _posting("已过期", status="expired"),
            _posting("过了截止日", expires_on=TODAY - timedelta(days=1)),
            _posting("正常"),
        ],
    )

    assert await _search(harness.db) == ["正常"]


async def test_the_index_gives_the_same_answers_as_reading_the_database(
    harness: Harness,
) -> None:
    rnd = random.Random(7)
    titles = ["快递分拣员", "小区保安", "夜班保安", "餐厅服务员", "装卸工人", "保洁"]
    rows = [
        _posting(
            f"{rnd.choice(titles)}{n}",
            district=rnd.choice(["金水区", "二七区", "中原区"]),
            metro_line=rnd.choice(["", "1号线", "2号线"]),
            industry=rnd.choice(["security", "logistics", "cleaning"]),
            employment_type=rnd.choice(["full_time", "daily"]),
            tags=rnd.randrange(32),
            requirements=rnd.choice(["能上夜班", "长白班", "包吃住", "无需经验"]),
            status=rnd.choice(["published"] * 5 + ["pending"]),
            expires_on=TODAY + timedelta(days=rnd.randint(-2, 20)),
            age_min=rnd.randrange(10_000),
        )
        for n in range(400)
    ]
    await _insert(harness.db, rows)
    queries = [
        JobQuery(today=TODAY, limit=5, offset=5),
        JobQuery(today=TODAY, district="二七区", tags=1, limit=8),
        JobQuery(today=TODAY, metro_line="1号线", min_monthly=5500.0),
        JobQuery(today=TODAY, keywords="保安 夜班", limit=10),
        JobQuery(today=TODAY, keywords="快递分捡", industry="logistics", limit=10),
        JobQuery(today=TODAY, keywords="装缷工人", offset=3),
    ]
    for query in queries:
        direct = await harness.db.transact(search_postings, query=query, strategy="direct")
        indexed = await harness.db.transact(search_postings, query=query, strategy="index")
        assert [v.id for v in indexed.items] == [v.id for v in direct.items], query
        assert indexed.more == direct.more, query


async def test_the_index_takes_in_new_postings_and_drops_withdrawn_ones(
    harness: Harness,
) -> None:
    ids = await _insert(harness.db, [_posting("旧岗位", age_min=10)])
    query = JobQuery(today=TODAY)
    await harness.db.transact(search_postings, query=query, strategy="index")
    await _insert(harness.db, [_posting("新岗位")])
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            update(POSTINGS).where(POSTINGS.c.id == ids["旧岗位"]).values(status="withdrawn")
        )

    page = await harness.db.transact(search_postings, query=query, strategy="index")

    assert [v.title for v in page.items] == ["新岗位"]


# --- the index on several replicas ------------------------------------------------------------


async def _index_search(db: Database, **fields: Any) -> list[str]:
    query = JobQuery(today=TODAY, limit=50, **fields)
    page = await db.transact(search_postings, query=query, strategy="index")
    return [view.title for view in page.items]


def _the_index() -> Any:
    (index,) = job_search._INDEXES.values()
    return index


async def _edit(db: Database, posting_id: int, **values: Any) -> None:
    """Change a posting in place as another replica would (``updated_at`` moves on)."""
    values.setdefault("updated_at", utcnow())
    async with db.engine.begin() as conn:
        await conn.execute(update(POSTINGS).where(POSTINGS.c.id == posting_id).values(**values))
        await conn.run_sync(note_posting_terms, [posting_id])


@pytest.fixture
async def replica(database_url: str, db: Database) -> Any:
    """A second handle on the same database: another replica that writes."""
    other = Database(database_url)
    yield other
    await other.dispose()


async def test_an_edit_in_place_on_another_replica_is_seen_by_the_next_search(
    db: Database, replica: Database
) -> None:
    ids = await _insert(db, [_posting("仓库理货", age_min=5), _posting("小区保洁", age_min=1)])
    assert await _index_search(db, district="金水区") == ["小区保洁", "仓库理货"]
    index = _the_index()

    await _edit(
        replica,
        ids["仓库理货"],
        district="二七区",
        industry="logistics",
        tags=tag_mask(["older"]),
        pay_min=200.0,
        pay_max=None,
        pay_unit="day",
        search_text=search_text(title="仓库理货", employer="郑州华安物业", requirements="包夜宵"),
    )

    assert await _index_search(db, district="金水区") == ["小区保洁"]
    assert await _index_search(db, district="二七区") == ["仓库理货"]
    assert await _index_search(db, industry="logistics") == ["仓库理货"]
    assert await _index_search(db, tags=tag_mask(["older"])) == ["仓库理货"]
    assert await _index_search(db, min_monthly=4500.0) == ["小区保洁"]
    assert await _index_search(db, keywords="夜宵") == ["仓库理货"]
    assert await _index_search(db, keywords="身体健康") == ["小区保洁"]
    assert _the_index() is index  # taken in, not rebuilt


async def test_postings_published_withdrawn_or_expired_elsewhere_are_seen_on_the_next_search(
    db: Database, replica: Database
) -> None:
    ids = await _insert(
        db,
        [
            _posting("旧岗位", age_min=10),
            _posting("待审岗位", status="pending", published_at=None),
            _posting("到期岗位", age_min=20),
        ],
    )
    assert await _index_search(db) == ["旧岗位", "到期岗位"]

    await _edit(replica, ids["待审岗位"], status="published", published_at=utcnow())
    await _edit(replica, ids["旧岗位"], status="withdrawn")
    await _edit(replica, ids["到期岗位"], expires_on=TODAY - timedelta(days=1))

    assert await _index_search(db) == ["待审岗位"]

    await _edit(replica, ids["旧岗位"], status="published", published_at=utcnow())

    assert await _index_search(db) == ["旧岗位", "待审岗位"]


async def test_a_word_never_searched_before_is_found_on_the_first_search(
    db: Database, replica: Database
) -> None:
    await _insert(
        db, [_posting("门岗保安", requirements="会骑电动车"), _posting("收银员", age_min=1)]
    )
    assert await _index_search(db) == ["门岗保安", "收银员"]
    async with replica.engine.begin() as conn:
        await conn.execute(insert(POSTINGS), [_posting("送水工", requirements="力气大")])

    assert await _index_search(db, keywords="电动车") == ["门岗保安"]
    assert await _index_search(db, keywords="力气") == ["送水工"]
    assert await _index_search(db, keywords="送水") == ["送水工"]


async def test_a_change_written_a_little_late_is_still_taken_in(
    db: Database, replica: Database
) -> None:
    # A slow transaction (or a writer whose clock is a little behind) commits a change older
    # than one already seen: the index still reads it, within its margin.
    ids = await _insert(db, [_posting("甲岗位", age_min=2), _posting("乙岗位", age_min=1)])
    assert await _index_search(db) == ["乙岗位", "甲岗位"]
    assert timedelta(seconds=30) < REFRESH_LAG
    later = utcnow() + timedelta(minutes=1)
    await _edit(replica, ids["乙岗位"], requirements="长白班", updated_at=later)
    assert await _index_search(db) == ["乙岗位", "甲岗位"]

    await _edit(
        replica,
        ids["甲岗位"],
        search_text=search_text(title="甲岗位", employer="郑州华安物业", requirements="包住宿"),
        updated_at=later - timedelta(seconds=30),
    )

    assert await _index_search(db, keywords="住宿") == ["甲岗位"]


async def test_warming_at_start_builds_the_index_before_the_first_search(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_search, "DIRECT_MAX", 1)
    await _insert(db, [_posting("甲岗位", age_min=1), _posting("乙岗位")])

    await db.transact(warm_search_index)

    assert sorted(_the_index().texts) == sorted(
        search_text(title=title, employer="郑州华安物业", requirements="身体健康")
        for title in ("甲岗位", "乙岗位")
    )
    assert await _search(db) == ["乙岗位", "甲岗位"]


@pytest.mark.parametrize("rejoin_after", [500, 5])
async def test_after_many_edits_elsewhere_the_index_answers_as_reading_the_database(
    db: Database, replica: Database, monkeypatch: pytest.MonkeyPatch, rejoin_after: int
) -> None:
    monkeypatch.setattr(job_search, "_PATCHED_MAX", rejoin_after)
    rnd = random.Random(7)
    titles = ["夜班保安", "快递分拣员", "仓库装卸工", "商场保洁", "电子厂普工", "小区门卫"]
    titles += ["security guard", "forklift driver"]
    lines = ["", "1号线", "2号线"]
    rows = [
        _posting(
            f"{rnd.choice(titles)}{n}",
            district=rnd.choice(["金水区", "二七区"]),
            metro_line=rnd.choice(lines),
            tags=rnd.randrange(32),
            requirements=rnd.choice(["能上夜班", "长白班", "包吃住", "无需经验"]),
            age_min=rnd.randrange(10_000),
        )
        for n in range(300)
    ]
    ids = list((await _insert(db, rows)).values())
    queries = [
        JobQuery(today=TODAY, limit=5, offset=5),
        JobQuery(today=TODAY, district="二七区", tags=1, limit=8),
        JobQuery(today=TODAY, metro_line="1号线", min_monthly=5500.0),
        JobQuery(today=TODAY, keywords="保安 夜班", limit=10),
        JobQuery(today=TODAY, keywords="快递分捡", limit=10),
        JobQuery(today=TODAY, keywords="包住宿", limit=10),
        JobQuery(today=TODAY, keywords="装缷工人", offset=3),
        JobQuery(today=TODAY, keywords="securty", limit=10),
        JobQuery(today=TODAY, keywords="driver 夜班", limit=10),
    ]
    for query in queries:
        await db.transact(search_postings, query=query, strategy="index")

    for posting_id in rnd.sample(ids, 80):
        title = rnd.choice(titles) + "改"
        requirements = rnd.choice(["包住宿", "能上夜班", "长白班"])
        await _edit(
            replica,
            posting_id,
            title=title,
            district=rnd.choice(["金水区", "二七区"]),
            metro_line=rnd.choice(lines),
            tags=rnd.randrange(32),
            pay_min=rnd.choice([3000.0, 6000.0, None]),
            status=rnd.choice(["published"] * 4 + ["withdrawn"]),
            expires_on=TODAY + timedelta(days=rnd.randint(-2, 20)),
            search_text=search_text(
                title=title, employer="郑州华安物业", requirements=requirements
            ),
        )

    # Words first looked for after the edits are found in the edited texts too.
    queries += [
        JobQuery(today=TODAY, keywords="forklift", limit=10),
        JobQuery(today=TODAY, keywords="guard 包住宿", limit=10),
        JobQuery(today=TODAY, keywords="门卫改", limit=10),
        JobQuery(today=TODAY, keywords="保洁 改", limit=20),
        JobQuery(today=TODAY, keywords="driver 改", limit=20),
        JobQuery(today=TODAY, keywords="保洁 长白班", limit=3, offset=2),
    ]
    for query in queries:
        direct = await db.transact(search_postings, query=query, strategy="direct")
        indexed = await db.transact(search_postings, query=query, strategy="index")
        assert [v.id for v in indexed.items] == [v.id for v in direct.items], query
        assert indexed.more == direct.more, query
        assert indexed.total in (None, direct.total), query


# --- in the chat ------------------------------------------------------------------------------


def _first(calls: list[Call], method: str = "sendMessage") -> Call:
    found = [c for c in calls if c.method == method]
    assert found, [(c.method, c.text[:40]) for c in calls]
    return found[0]


def _answer(calls: list[Call]) -> str:
    return str(_first(calls, "answerCallbackQuery").params.get("text") or "")


async def test_the_jobs_menu_offers_staff_tools_only_to_staff(harness: Harness) -> None:
    from bot.core.models import Role
    from bot.core.users import grant_role

    async with harness.db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)

    worker = _first(await harness.feed(message("/jobs"))).callback_data
    staff = _first(await harness.feed(message("/jobs", user_id=STAFF_ID))).callback_data

    assert {"js:go", "ja:menu", "jp:new"} <= set(worker)
    assert not {"jq:list", "jb:new", "jb:status"} & set(worker)
    assert {"jq:list", "jb:new", "jb:status"} <= set(staff)


async def test_router_text_about_a_guard_job_lands_in_a_search_for_it(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("小区保安"), _posting("餐厅服务员")])

    sent = _first(await harness.feed(message("找保安的工作")))

    assert "小区保安" in sent.text
    assert "餐厅服务员" not in sent.text
    assert f"jc:{ids['小区保安']}" in sent.callback_data


async def test_a_worker_naming_a_metro_line_gets_the_jobs_along_it(harness: Harness) -> None:
    await _insert(
        harness.db,
        [
            _posting("紫荆山站保洁", metro_line="1号线", metro_station="紫荆山"),
            _posting("月季公园保安", metro_line="5号线", metro_station="月季公园"),
        ],
    )

    sent = _first(await harness.feed(message("/jobs 地铁一号线")))

    assert "紫荆山站保洁" in sent.text
    assert "月季公园保安" not in sent.text


async def test_the_next_button_edits_the_same_message_with_page_two(harness: Harness) -> None:
    await _insert(harness.db, [_posting(f"岗位{n:02d}", age_min=n) for n in range(7)])
    first = _first(await harness.feed(callback("js:go")))
    assert "岗位04" in first.text
    assert "岗位05" not in first.text
    assert "js:p:1" in first.callback_data

    calls = await harness.feed(callback("js:p:1", message_id=9))
    edited = _first(calls, "editMessageText")

    assert edited.params["message_id"] == 9
    assert "岗位05" in edited.text
    assert "岗位06" in edited.text
    assert "岗位04" not in edited.text
    assert "js:p:0" in edited.callback_data
    assert "js:p:2" not in edited.callback_data


async def test_a_district_chosen_from_buttons_filters_the_results(harness: Harness) -> None:
    await _insert(harness.db, [_posting("金水岗位"), _posting("二七岗位", district="二七区")])
    await harness.feed(callback("js:go"))
    menu = _first(await harness.feed(callback("js:f:d")), "editMessageText")
    pick = next(
        b["callback_data"] for row in menu.buttons for b in row if b["text"].endswith("二七区")
    )

    edited = _first(await harness.feed(callback(pick)), "editMessageText")

    assert "二七岗位" in edited.text
    assert "金水岗位" not in edited.text


async def test_typed_keywords_search_and_non_text_is_refused(harness: Harness) -> None:
    await _insert(harness.db, [_posting("快递分拣员"), _posting("收银员")])
    await harness.feed(callback("js:go"))
    asked = await harness.texts(callback("js:k"))
    assert asked == [t("zh", "jobs-ask-keywords")]

    refused = await harness.texts(sticker())
    found = _first(await harness.feed(message("分拣" * 40)))

    assert refused == [t("zh", "jobs-text-only")]
    assert "快递分拣员" in found.text
    assert "收银员" not in found.text


async def test_the_card_hides_the_contact_until_the_button_is_pressed(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("小区保安", contact="13912345678")])

    card = _first(await harness.feed(callback(f"jc:{ids['小区保安']}")))
    shown = _first(await harness.feed(callback(f"jv:{ids['小区保安']}")), "editMessageText")

    assert "13912345678" not in card.text
    assert f"jv:{ids['小区保安']}" in card.callback_data
    assert "13912345678" in shown.text


async def test_a_contact_view_is_counted_once_per_worker(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("小区保安")])
    posting = ids["小区保安"]

    await harness.feed(callback(f"jv:{posting}"))
    await harness.feed(callback(f"jv:{posting}"))
    await harness.feed(callback(f"jv:{posting}", user_id=STAFF_ID))

    async with harness.db.engine.connect() as conn:
        views = (await conn.execute(select(POSTINGS.c.contact_views))).scalar_one()
        rows = (await conn.execute(select(VIEWS.c.user_id))).scalars().all()
    assert views == 2
    assert sorted(rows) == [WORKER_ID, STAFF_ID]


async def test_a_worker_can_report_a_posting_only_once(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("可疑岗位")])
    posting = ids["可疑岗位"]

    first = await harness.texts(callback(f"jk:{posting}:c"))
    second = await harness.texts(callback(f"jk:{posting}:s"))

    assert first == [t("zh", "jobs-report-thanks")]
    assert second == [t("zh", "jobs-report-duplicate")]
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(POSTINGS.c.report_count))).scalar_one() == 1
        assert len((await conn.execute(select(REPORTS.c.id))).all()) == 1


async def test_three_scam_reports_send_a_posting_back_to_review(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("收押金的岗位")])
    posting = ids["收押金的岗位"]

    for worker in (1001, 1002, 1003):
        await harness.feed(callback(f"jk:{posting}:s", user_id=worker))

    async with harness.db.engine.connect() as conn:
        row = (await conn.execute(select(POSTINGS))).one()
    assert row.status == PostingStatus.pending.value
    assert row.review_note == "reported"
    assert await _search(harness.db) == []


async def test_an_other_report_asks_for_words_and_stores_them(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("岗位")])
    await harness.feed(callback(f"jk:{ids['岗位']}:o"))

    thanks = await harness.texts(message("电话打不通"))

    assert thanks == [t("zh", "jobs-report-thanks")]
    async with harness.db.engine.connect() as conn:
        report = (await conn.execute(select(REPORTS))).one()
    assert (report.kind, report.text, report.reporter_id) == ("other", "电话打不通", WORKER_ID)


@pytest.mark.parametrize("data", ["jc:999", "jv:abc", "jk:999:s", "jk:1:x", "js:p:1", "js:s:9"])
async def test_forged_or_stale_buttons_are_answered_politely(harness: Harness, data: str) -> None:
    calls = await harness.feed(callback(data))

    assert _answer(calls) == t("zh", "button-stale")
    assert not [c for c in calls if c.method in ("sendMessage", "editMessageText")]


async def test_a_withdrawn_posting_is_no_longer_available(harness: Harness) -> None:
    ids = await _insert(harness.db, [_posting("撤下的", status="withdrawn")])

    calls = await harness.feed(callback(f"jv:{ids['撤下的']}"))
    link = await harness.texts(message(f"/start job_{ids['撤下的']}"))

    assert _answer(calls) == t("zh", "jobs-gone")
    assert link == [t("zh", "jobs-gone")]
    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(VIEWS.c.user_id))).all() == []


async def test_expiry_marks_past_postings_and_tells_each_owner_in_their_language(
    harness: Harness,
) -> None:
    async with harness.db.engine.begin() as conn:
        await conn.execute(
            insert(USERS),
            [
                {"id": STAFF_ID, "language": "en", "roles": [], "consents": {},
                 "first_seen": NOW, "last_seen": NOW},
            ],
        )  # fmt: skip
    yesterday = date.fromordinal(TODAY.toordinal() - 1)
    await _insert(
        harness.db,
        [
            _posting("过期一", owner_id=STAFF_ID, expires_on=yesterday),
            _posting("过期二", owner_id=WORKER_ID, expires_on=yesterday),
            _posting("还有效", owner_id=STAFF_ID),
        ],
    )
    harness.api.clear()

    told = await run_expiry(harness.app.bot, harness.db, now=utcnow())

    async with harness.db.engine.connect() as conn:
        statuses = dict((await conn.execute(select(POSTINGS.c.title, POSTINGS.c.status))).all())
    assert statuses == {"过期一": "expired", "过期二": "expired", "还有效": "published"}
    assert told == 2
    sent = {c.params["chat_id"]: c.text for c in harness.api.sent("sendMessage")}
    assert "过期一" in sent[STAFF_ID]
    assert "taken down" in sent[STAFF_ID]
    assert "过期二" in sent[WORKER_ID]
    assert "下架" in sent[WORKER_ID]


async def test_forget_deletes_the_workers_contact_views_and_unsigns_reports(
    harness: Harness,
) -> None:
    ids = await _insert(harness.db, [_posting("岗位")])
    await harness.feed(callback(f"jv:{ids['岗位']}"))
    await harness.feed(callback(f"jk:{ids['岗位']}:c"))

    await harness.feed(callback("forget:yes"))

    async with harness.db.engine.connect() as conn:
        assert (await conn.execute(select(VIEWS.c.user_id))).all() == []
        assert (await conn.execute(select(REPORTS.c.reporter_id))).scalars().all() == [None]
    done = harness.api.sent("sendMessage")[-1].text
    assert t("zh", "jobs-forget-views") in done
    assert t("zh", "jobs-forget-reports") in done


@pytest.mark.parametrize(
    ("text", "kind"),
    [("any daily work", "daily"), ("daily paid work", "daily"), ("part time job", "part_time")],
)
def test_english_words_for_a_kind_of_work_filter_by_it_instead_of_a_keyword(
    text: str, kind: str
) -> None:
    assert search_words(text) == ({"t": kind}, "")


# --- counts, pages and the way out of an empty result ---------------------------------------


def _data(call: Call, label: str) -> str:
    """The callback data of the button labelled ``label`` (exactly)."""
    found = [b["callback_data"] for row in call.buttons for b in row if b["text"] == label]
    assert found, [b["text"] for row in call.buttons for b in row]
    return found[0]


async def test_results_say_how_many_jobs_and_which_page_of_how_many(harness: Harness) -> None:
    await _insert(harness.db, [_posting(f"岗位{n:02d}", age_min=n) for n in range(7)])

    zh = _first(await harness.feed(callback("js:go"))).text
    en = _first(await harness.feed(callback("js:go", user_id=4242, lang="en"))).text

    order = t("zh", "jobs-order-newest")
    assert t("zh", "jobs-results-count", count=7, page=1, pages=2, order=order) in zh
    assert "7 jobs found, page 1 of 2, newest first:" in en


async def test_a_single_result_is_counted_in_the_singular_in_english(harness: Harness) -> None:
    await _insert(harness.db, [_posting("小区保安"), _posting("餐厅服务员")])

    en = _first(await harness.feed(message("/jobs 保安", user_id=4242, lang="en"))).text

    assert "1 job found, page 1 of 1, best matches first:" in en


async def test_an_empty_result_offers_to_drop_each_condition_that_would_find_jobs(
    harness: Harness,
) -> None:
    await _insert(
        harness.db,
        [_posting("小区保安"), _posting("二七区保洁", district="二七区"), _posting("金水保洁")],
    )
    await harness.feed(message("/jobs 保安"))
    menu = _first(await harness.feed(callback("js:f:d")), "editMessageText")
    pick = next(
        b["callback_data"] for row in menu.buttons for b in row if b["text"].endswith("二七区")
    )

    empty = _first(await harness.feed(callback(pick)), "editMessageText")

    assert t("zh", "jobs-results-none") in empty.text
    keywords = t("zh", "jobs-keywords-label", keywords="保安")
    assert _data(empty, t("zh", "jobs-btn-drop", condition=keywords, count=1)) == "js:u:k"
    assert _data(empty, t("zh", "jobs-btn-drop", condition="二七区", count=1)) == "js:u:d"
    assert _data(empty, t("zh", "jobs-btn-alert")) == "ja:menu"

    dropped = _first(await harness.feed(callback("js:u:k")), "editMessageText")

    assert "二七区保洁" in dropped.text
    assert "小区保安" not in dropped.text


async def test_when_no_single_condition_helps_the_worker_can_see_every_job(
    harness: Harness,
) -> None:
    await _insert(harness.db, [_posting("小区保安"), _posting("餐厅服务员")])
    await harness.feed(message("/jobs 保安"))
    menu = _first(await harness.feed(callback("js:f:t")), "editMessageText")
    daily = next(
        b["callback_data"]
        for row in menu.buttons
        for b in row
        if b["text"].endswith(t("zh", "type-daily"))
    )
    await harness.feed(callback(daily))
    await harness.feed(callback("js:k"))

    empty = _first(await harness.feed(message("厨师")))

    assert t("zh", "jobs-results-none-together") in empty.text
    assert _data(empty, t("zh", "jobs-btn-see-all")) == "js:x"
    everything = _first(await harness.feed(callback("js:x")), "editMessageText")
    assert "小区保安" in everything.text
    assert "餐厅服务员" in everything.text


async def test_with_no_jobs_at_all_the_worker_is_offered_an_alert(harness: Harness) -> None:
    en = _first(await harness.feed(callback("js:go", user_id=4242, lang="en")))

    assert t("en", "jobs-results-none-at-all") in en.text
    assert _data(en, t("en", "jobs-btn-alert")) == "ja:menu"


async def test_a_page_past_the_end_offers_the_first_page(harness: Harness) -> None:
    await _insert(harness.db, [_posting("小区保安")])
    await harness.feed(callback("js:go"))

    past = _first(await harness.feed(callback("js:p:3")), "editMessageText")

    assert t("zh", "jobs-results-no-more") in past.text
    assert _data(past, t("zh", "jobs-btn-first")) == "js:p:0"


async def test_a_card_names_the_city_and_district_once_when_the_address_has_them(
    harness: Harness,
) -> None:
    ids = await _insert(
        harness.db,
        [
            _posting("小区保安", district="惠济区", address="郑州市惠济区示例花园小区"),
            _posting("仓库分拣", district="惠济区", address="天河路8号"),
        ],
    )

    repeated = _first(await harness.feed(callback(f"jc:{ids['小区保安']}"))).text
    short = _first(await harness.feed(callback(f"jc:{ids['仓库分拣']}"))).text

    assert t("zh", "job-card-place", place="郑州市惠济区示例花园小区") in repeated
    assert t("zh", "job-card-place", place="郑州市 惠济区 天河路8号") in short


def test_an_expiry_notice_about_one_posting_reads_in_the_singular() -> None:
    one = t("en", "jobs-expired-notice", count=1, titles="· 保安 (#1)")
    two = t("en", "jobs-expired-notice", count=2, titles="· 保安 (#1)\n· 保洁 (#2)")

    assert one.startswith("One of your job postings passed its closing date and was taken")
    assert "please post it again" in one
    assert two.startswith("2 of your job postings passed their closing date and were taken")
