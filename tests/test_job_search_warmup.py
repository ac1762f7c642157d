"""The job search index built beside the running bot at start, and searches meanwhile."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from bot.core.models import utcnow
from bot.db import Database
from bot.jobs import search as job_search
from bot.jobs.core import POSTINGS, search_text
from bot.jobs.search import JobQuery, prepare_search_index, reset_search_index, search_postings
from tests.test_jobs import TODAY, _insert, _posting

TITLES = ["夜班保安", "快递分拣员", "商场保洁", "小区门卫", "仓库装卸工"]


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A 'large' table of a few postings, read in chunks of two."""
    reset_search_index()
    monkeypatch.setattr(job_search, "DIRECT_MAX", 1)
    monkeypatch.setattr(job_search, "WARM_CHUNK", 2)
    yield
    reset_search_index()


async def _fill(db: Database) -> dict[str, int]:
    return await _insert(
        db, [_posting(title, age_min=n * 7 % 5) for n, title in enumerate(TITLES)]
    )


async def _titles(db: Database, strategy: str = "auto", **fields: Any) -> list[str]:
    query = JobQuery(today=TODAY, limit=50, **fields)
    page = await db.transact(search_postings, query=query, strategy=strategy)
    return [view.title for view in page.items]


async def test_the_index_built_in_chunks_answers_as_reading_the_database(db: Database) -> None:
    await _fill(db)

    assert await prepare_search_index(db)

    (index,) = job_search._INDEXES.values()
    assert sorted(index.texts) == sorted(
        search_text(title=title, employer="郑州华安物业", requirements="身体健康")
        for title in TITLES
    )
    for fields in ({}, {"keywords": "保安"}, {"keywords": "门卫"}):
        assert await _titles(db, **fields) == await _titles(db, "direct", **fields)
    assert not await prepare_search_index(db)  # built already


async def test_a_search_while_the_index_is_built_reads_the_database(db: Database) -> None:
    await _fill(db)
    key = await db.transact(job_search._key)
    job_search._WARMING.add(key)
    try:
        assert await _titles(db, keywords="保安") == ["夜班保安"]
        choices = await db.transact(job_search.filter_choices)
    finally:
        job_search._WARMING.discard(key)

    assert not job_search._INDEXES  # the search did not build one itself
    assert choices.districts == ("金水区",)


async def test_a_change_written_while_the_index_was_built_is_seen_by_the_next_search(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _fill(db)
    chunk = job_search._chunk
    edited: list[int] = []

    def chunk_then_edit(conn: Any, *, after: int) -> list[Any]:
        rows = chunk(conn, after=after)
        if not edited:  # a posting already read is edited before the index is ready
            edited.append(rows[0][0])  # the id, first of the index's columns
            conn.execute(
                update(POSTINGS)
                .where(POSTINGS.c.id == rows[0][0])
                .values(title="改过的岗位", search_text="改过的岗位", updated_at=utcnow())
            )
        return rows

    monkeypatch.setattr(job_search, "_chunk", chunk_then_edit)
    assert await prepare_search_index(db)

    assert await _titles(db, keywords="改过") == ["改过的岗位"]


def test_rows_read_by_id_are_put_in_index_order_a_chunk_at_a_time() -> None:
    # (id, status, published_at, ...): stamps out of id order, ties broken by id, no stamp first
    stamps = ["2025-03-01", None, "2025-01-05", "2025-03-01", "2024-12-31", "2025-02-02", None]
    rows = [(n + 1, "published", stamp) for n, stamp in enumerate(stamps)]
    filled: list[Any] = []

    class Recording:
        def fill(self, given: Any) -> None:
            filled.extend(given)

    job_search._assemble(Recording(), list(rows))  # type: ignore[arg-type]
    assert filled == sorted(rows, key=lambda row: (row[2] or "", row[0]))
    assert [row[0] for row in filled] == [2, 7, 5, 3, 6, 1, 4]


def test_postings_with_latin_letters_are_found_across_search_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(job_search, "_LETTER_WINDOW", 5)
    texts = [
        "保安夜班工作",
        "快递分拣员",
        "仓库叉车司机需要ab证",
        "商场保洁",
        "小区门卫wifi",
        "装卸",
    ]
    index = job_search._Index()
    index.texts = texts
    index.starts = []
    offset = 0
    for text in texts:
        index.starts.append(offset)
        offset += len(text) + 1
    index.corpus = job_search._SEPARATOR.join(texts) + job_search._SEPARATOR
    found = index._with_letters()
    assert found == [
        p for p, text in enumerate(texts) if any(c.isascii() and c.isalpha() for c in text)
    ]
    assert found == [2, 4]
