"""The terms table: which postings hold each character, letter pair and filter value, kept by
every write of a posting and read by searches made before the in-memory index is ready."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, select

from bot.core.models import utcnow
from bot.core.users import touch_user
from bot.db import Database, alembic_config
from bot.jobs import search as job_search
from bot.jobs.core import POSTINGS
from bot.jobs.imports import import_jobs
from bot.jobs.review import approve, edit_field, submit_posting
from bot.jobs.search import TERMS, JobQuery, SearchPage, reset_search_index, search_postings
from tests.test_job_import import NOW, WAGES, _csv, _row
from tests.test_jobs import TODAY, _insert, _posting

EMPLOYER_ID = 4242


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A 'large' table of a few postings (no in-memory index: the database answers)."""
    reset_search_index()
    monkeypatch.setattr(job_search, "DIRECT_MAX", 1)
    yield
    reset_search_index()


async def _titles(db: Database, today: Any = TODAY, **fields: Any) -> list[str]:
    query = JobQuery(today=today, limit=20, **fields)
    page = await db.transact(search_postings, query=query, strategy="bounded")
    return [view.title for view in page.items]


async def _holding(db: Database, term: str) -> set[int]:
    """The posting ids the terms table says hold ``term``."""

    def read(conn: Connection) -> set[int]:
        rows = conn.execute(select(TERMS.c.block, TERMS.c.bits).where(TERMS.c.term == term))
        found: set[int] = set()
        for block, bits in rows:
            mask = int.from_bytes(bits, "little")
            found.update(
                block * job_search.TERM_BLOCK + bit
                for bit in range(mask.bit_length())
                if mask >> bit & 1
            )
        return found

    return await db.transact(read)


async def test_imported_postings_are_found_before_the_index_is_ready(db: Database) -> None:
    rows = [_row("叉车司机", 区县="二七区"), _row("面点师", 单位="郑州华信餐饮有限公司")]
    await db.transact(lambda conn: None)  # the database is ready
    await import_jobs(
        db,
        _csv(rows),
        filename="jobs.csv",
        dry_run=False,
        actor_id=None,
        default_city="郑州市",
        min_wages=WAGES,
        now=NOW,
    )
    today = NOW.date()

    assert await _titles(db, today, keywords="叉车") == ["叉车司机"]
    assert await _titles(db, today, keywords="华信") == ["面点师"]
    assert await _titles(db, today, district="二七区") == ["叉车司机"]

    # The same file with a new title for one job updates that posting in place.
    rows[0] = _row("叉车司机 夜班", 区县="二七区")
    await import_jobs(
        db,
        _csv(rows),
        filename="jobs.csv",
        dry_run=False,
        actor_id=None,
        default_city="郑州市",
        min_wages=WAGES,
        now=NOW + timedelta(hours=1),
    )

    assert await _titles(db, today, keywords="夜班") == ["叉车司机 夜班"]


async def test_a_submitted_posting_is_in_the_terms_table_and_an_edit_is_found(
    db: Database,
) -> None:
    draft = {
        "employer": "郑州顺达物流有限公司", "reg": "", "title": "快递分拣员", "city": "郑州市",
        "district": "金水区", "address": "", "metro_line": "1号线", "metro_station": "紫荆山站",
        "industry": "logistics", "type": "full_time", "pay": "5000元/月", "hours": "",
        "requirements": "能吃苦", "tags": 0, "contact": "13800000000", "expires": "",
    }  # fmt: skip
    async with db.session() as session:
        await touch_user(session, user_id=EMPLOYER_ID, language="zh")
        await session.commit()
    submission = await db.transact(
        lambda conn: submit_posting(
            conn, owner_id=EMPLOYER_ID, draft=draft, now=utcnow(), min_wages={}
        )
    )
    posting_id = submission.posting_id

    for term in ("拣", "吃", "d:金水区", "l:1号线", "i:logistics", "e:full_time"):
        assert posting_id in await _holding(db, term), term

    await db.transact(
        lambda conn: approve(
            conn, posting_id=posting_id, staff_id=1, now=utcnow(), posting_days=30
        )
    )
    await db.transact(
        lambda conn: edit_field(
            conn,
            posting_id=posting_id,
            staff_id=1,
            field="district",
            value="二七区",
            now=utcnow(),
            today=TODAY,
            min_wages={},
        )
    )

    assert posting_id in await _holding(db, "d:二七区")
    today = utcnow().date()
    assert await _titles(db, today, district="二七区", keywords="分拣") == ["快递分拣员"]
    assert await _titles(db, today, district="金水区") == []  # the old term is re-checked


TITLES = ["夜班保安", "快递分拣员", "仓库装卸工", "商场保洁", "电子厂普工", "小区门卫"]
TITLES += ["security guard", "forklift driver", "warehouse helper"]
WORDS = [
    "保安", "夜班", "分拣", "快递分捡", "装卸工人", "保洁", "门卫", "电动车", "厨师",
    "securty", "forklift", "guard 夜班", "warehose", "包住宿", "长白班", "a", "工",
]  # fmt: skip


def _queries(rnd: random.Random) -> list[JobQuery]:
    queries = []
    for _ in range(60):
        fields: dict[str, Any] = {}
        if rnd.random() < 0.6:
            fields["keywords"] = " ".join(rnd.sample(WORDS, rnd.choice((1, 1, 2))))
        if rnd.random() < 0.4:
            fields["district"] = rnd.choice(["金水区", "二七区"])
        if rnd.random() < 0.3:
            fields["metro_line"] = rnd.choice(["1号线", "2号线", ""])
        if rnd.random() < 0.3:
            fields["tags"] = rnd.choice([1, 2, 5])
        if rnd.random() < 0.2:
            fields["min_monthly"] = rnd.choice([4000.0, 5500.0])
        queries.append(
            JobQuery(today=TODAY, offset=rnd.choice((0, 0, 3)), limit=rnd.choice((2, 5)), **fields)
        )
    return queries


@pytest.mark.parametrize(
    ("named_first", "named_max"),
    [(0, 10**6), (10**6, 10**6), (0, 40), (15, 80)],
    ids=["window-then-named", "named-only", "window-then-scan", "mixed"],
)
async def test_every_way_through_the_terms_gives_the_plain_scans_answer(
    db: Database, monkeypatch: pytest.MonkeyPatch, named_first: int, named_max: int
) -> None:
    monkeypatch.setattr(job_search, "BOUNDED_WINDOW", 30)
    monkeypatch.setattr(job_search, "WINDOW_MIN", 5)
    monkeypatch.setattr(job_search, "NAMED_FIRST", named_first)
    monkeypatch.setattr(job_search, "NAMED_MAX", named_max)
    rnd = random.Random(11)
    await _insert(
        db,
        [
            _posting(
                f"{rnd.choice(TITLES)}{n}",
                district=rnd.choice(["金水区", "二七区"]),
                metro_line=rnd.choice(["", "1号线", "2号线"]),
                tags=rnd.randrange(8),
                pay_min=rnd.choice([3000.0, 5000.0, 7000.0]),
                pay_max=None,
                requirements=rnd.choice(["能上夜班", "长白班", "包住宿", "会骑电动车"]),
                status=rnd.choice(["published"] * 6 + ["expired"]),
                expires_on=TODAY + timedelta(days=rnd.randint(-3, 20)),
                age_min=rnd.randrange(5000),
            )
            for n in range(160)
        ],
    )

    for query in _queries(rnd):
        page: SearchPage = await db.transact(search_postings, query=query, strategy="bounded")
        reference = await db.transact(search_postings, query=query, strategy="direct")
        assert [v.id for v in page.items] == [v.id for v in reference.items], query
        assert page.more == reference.more, query
        assert page.total in (None, reference.total), query


async def test_the_migration_fills_the_terms_of_postings_already_stored(db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    before = script.get_revision("0020").down_revision
    assert isinstance(before, str)

    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), before))
        await conn.execute(insert(POSTINGS), [_posting("水电工"), _posting("理发师", age_min=1)])
    await db.upgrade()

    assert await _titles(db, keywords="理发") == ["理发师"]
    assert await _titles(db, keywords="水电") == ["水电工"]
    assert len(await _holding(db, "理")) == 1
