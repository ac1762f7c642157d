"""Searches made before this process's job search index is ready (the first seconds after
start): the database answers, reading only what the page needs, with the plain scan's answer."""

from __future__ import annotations

from typing import Any

import pytest

from bot.db import Database
from bot.jobs import search as job_search
from bot.jobs.search import JobQuery, SearchPage, reset_search_index, search_postings
from tests.test_jobs import TODAY, _insert, _posting

ROWS = [
    ("夜班保安", {"district": "二七区", "tags": 1}),
    ("商场保安", {"pay_min": 150.0, "pay_max": 180.0, "pay_unit": "day"}),
    ("快递分拣员", {"industry": "logistics", "requirements": "会骑电动车"}),
    ("小区保洁", {"pay_min": 18.0, "pay_max": None, "pay_unit": "hour", "tags": 3}),
    ("门岗保安", {"pay_min": None, "pay_max": None, "pay_unit": None}),
    ("warehouse helper", {"employer": "Zhengzhou Logistics", "industry": "logistics"}),
    ("仓库理货员", {"employment_type": "daily", "metro_line": "1号线"}),
    ("保安队长", {"pay_min": 7000.0, "pay_max": 9000.0, "district": "二七区"}),
]

QUERIES: list[dict[str, Any]] = [
    {},
    {"offset": 2},
    {"keywords": "保安"},
    {"keywords": "保安", "offset": 1},
    {"keywords": "保安", "district": "二七区"},
    {"keywords": "保安", "min_monthly": 4000.0},
    {"min_monthly": 6000.0},
    {"tags": 1},
    {"keywords": "快递分捡"},  # a typo
    {"keywords": "warehose"},  # a typo
    {"keywords": "分拣 电动车"},
    {"keywords": "厨师"},
    {"industry": "logistics", "keywords": "仓库"},
    {"metro_line": "1号线"},
]


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A 'large' table of a few postings, whose newest two are looked at first."""
    reset_search_index()
    monkeypatch.setattr(job_search, "DIRECT_MAX", 1)
    monkeypatch.setattr(job_search, "BOUNDED_WINDOW", 2)
    yield
    reset_search_index()


async def _fill(db: Database) -> None:
    await _insert(
        db,
        [_posting(title, age_min=n * 3 % 8, **fields) for n, (title, fields) in enumerate(ROWS)],
    )


async def _page(db: Database, strategy: str = "auto", **fields: Any) -> SearchPage:
    query = JobQuery(today=TODAY, limit=2, **fields)
    return await db.transact(search_postings, query=query, strategy=strategy)


async def test_a_search_before_the_index_is_ready_gives_the_plain_scans_answer(
    db: Database,
) -> None:
    await _fill(db)

    for fields in QUERIES:
        page = await _page(db, **fields)
        reference = await _page(db, "direct", **fields)
        assert [view.id for view in page.items] == [view.id for view in reference.items], fields
        assert page.more == reference.more, fields
        assert page.total in (None, reference.total), fields


async def test_a_typo_before_the_index_is_ready_still_finds_the_posting(db: Database) -> None:
    await _fill(db)

    page = await _page(db, keywords="warehose")

    assert [view.title for view in page.items] == ["warehouse helper"]
    assert page.total == 1


async def test_a_search_before_the_index_is_ready_does_not_build_it(db: Database) -> None:
    await _fill(db)

    await _page(db, keywords="保安")
    choices = await db.transact(job_search.filter_choices)

    assert not job_search._INDEXES  # built beside the running bot, not by a worker's search
    assert choices.districts == ("二七区", "金水区")
