"""Worker job search, posting contacts and reports, daily expiry: typed service functions.

Search runs three ways with the same answers. A small table is read straight from the database
(filters in SQL, keywords scored in Python). A large one is answered from an in-process index
of the published postings: one Python integer per filter value is a bit set over the postings
(oldest first), so filters are a few big-integer ANDs; keywords are found by scanning one joined
string of every posting's ``search_text`` and remembered per word. Before every search the
index reads which postings were written since it last looked (``updated_at``, through an index,
with a margin for late commits) and takes in those rows: new postings go to the end, postings
edited in place are updated where they are, unpublished ones are dropped. So an edit made on
one replica is seen by the next search on every replica. Every posting shown is read fresh and
re-checked; one that fails the check is read again into the index.

A running bot builds its index right after it starts (:func:`prepare_search_index`): the
postings are read in chunks, each its own short transaction, and the index is assembled in a
worker thread, so updates keep flowing meanwhile. A worker's search never builds it. A search
arriving before the index is ready is answered by the database, reading only what the page
needs (:func:`_search_bounded`): the terms table (``job_search_terms``, kept by every write of a
posting's text or filters, see :func:`note_terms`) names the postings that can hold the words
and filter values, and only those (or, when they are many, those among the newest postings)
are read and tested. The answer is the same.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import combinations, repeat
from typing import TYPE_CHECKING, Any, overload

from rapidfuzz import fuzz
from sqlalchemy import (
    Connection,
    Integer,
    String,
    Table,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    select,
    tuple_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import today_in
from bot.core.models import User, utcnow
from bot.core.text import TextError, checked_text
from bot.db import dialect_insert
from bot.jobs.core import (
    DAYS_PER_MONTH,
    HOURS_PER_DAY,
    INDUSTRY_WORDS,
    POSTINGS,
    TYPE_WORDS,
    PostingView,
    monthly_equivalent,
)
from bot.jobs.models import (
    JobContactView,
    JobReport,
    JobReportKind,
    JobSearchTerm,
    PayUnit,
    PostingStatus,
)

if TYPE_CHECKING:
    from bot.db import Database

log = logging.getLogger(__name__)

VIEWS: Table = JobContactView.__table__  # type: ignore[attr-defined]
REPORTS: Table = JobReport.__table__  # type: ignore[attr-defined]
USERS: Table = User.__table__  # type: ignore[attr-defined]

#: Reports of a scam that send a published posting back to staff review.
SCAM_THRESHOLD = 3
#: The review note a posting gets when workers' reports sent it back.
REPORTED_NOTE = "reported"
REPORT_TEXT_MAX = 300
#: Longest keyword text read; at most this many words, each at most WORD_MAX characters.
KEYWORDS_MAX = 50
WORDS_MAX = 5
WORD_MAX = 20
#: A word scoring this much (rapidfuzz partial ratio, 0-100) against a posting matches it.
SCORE_CUTOFF = 75.0
#: Near matches (typos) are scored among at most this many of the newest candidates.
FUZZY_MAX = 3000
#: Up to this many candidates for a near match are looked at one by one (instead of through
#: the index's masks of the word's characters).
NEAR_DIRECT_MAX = 5000
#: A word found in more postings than this is looked for in each text (quicker then).
SCAN_EACH = 3000
#: Words (and characters) whose masks an index keeps.
WORDS_KEPT = 4096
#: Up to this many published postings, search reads the database directly.
DIRECT_MAX = 2000
#: Before the index is ready a search first looks among at most this many newest postings
#: (at least WINDOW_MIN, as many as should hold a page of what the terms table names).
BOUNDED_WINDOW = 2000
WINDOW_MIN = 100

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPLIT = re.compile(r"[^\w]+|_")
#: Known job words split a run of Chinese ("夜班保安" is "夜班" and "保安").
_VOCABULARY = sorted(
    {w for w in (*INDUSTRY_WORDS, *TYPE_WORDS) if len(w) >= 2 and _CJK.search(w)},
    key=len,
    reverse=True,
)
_VOCABULARY_RE = re.compile("(" + "|".join(map(re.escape, _VOCABULARY)) + ")")


# --- queries and results --------------------------------------------------------------------


@dataclass(frozen=True)
class JobQuery:
    """What a worker looks for; empty fields mean 'any'. ``today`` is the local date."""

    district: str | None = None
    metro_line: str | None = None
    industry: str | None = None
    employment_type: str | None = None
    tags: int = 0
    min_monthly: float | None = None
    keywords: str = ""
    offset: int = 0
    limit: int = 5
    today: date | None = None


@dataclass(frozen=True)
class SearchPage:
    """One page of results; ``total`` is None when counting them all would cost too much."""

    items: tuple[PostingView, ...]
    offset: int
    more: bool
    total: int | None


@dataclass(frozen=True)
class FilterChoices:
    """The districts, metro lines and industries that published postings have."""

    districts: tuple[str, ...]
    metro_lines: tuple[str, ...]
    industries: tuple[str, ...]


def keyword_words(text: str) -> tuple[str, ...]:
    """The words of a keyword search, folded; Chinese runs split at known job words."""
    folded = unicodedata.normalize("NFKC", text[:KEYWORDS_MAX]).casefold()
    words: list[str] = []
    for part in _SPLIT.split(folded):
        if not part:
            continue
        for piece in _VOCABULARY_RE.split(part) if _CJK.search(part) else (part,):
            piece = piece[:WORD_MAX]
            if piece and piece not in words:
                words.append(piece)
    return tuple(words[:WORDS_MAX])


@lru_cache(maxsize=1024)
def _units(word: str) -> tuple[str, ...]:
    """What a near match must mostly share with ``word``: its Chinese characters and the
    letter/digit pairs of the rest (at most six, in order)."""
    units: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[^\u3400-\u9fff\uf900-\ufaff]+", word):
        pieces = [run] if _CJK.match(run) else [run[i : i + 2] for i in range(len(run) - 1)]
        for piece in pieces:
            if piece not in units:
                units.append(piece)
    return tuple(units[:6])


def _fuzzy(word: str) -> bool:
    """Whether a word may match with a typo (short words must match exactly)."""
    return len(word) >= 4


def _needed(units: int) -> int:
    return units if units <= 2 else units - 1 if units <= 4 else units - 2


def _near(word: str, text: str) -> bool:
    units = _units(word)
    return sum(1 for unit in units if unit in text) >= _needed(len(units))


def _score(words: Sequence[str], text: str) -> float | None:
    """The mean match score of ``words`` in ``text``, or None if any word does not match."""
    total = 0.0
    for word in words:
        if word in text:
            total += 100.0
            continue
        if not _fuzzy(word):
            return None
        score = fuzz.partial_ratio(word, text, score_cutoff=SCORE_CUTOFF)
        if score < SCORE_CUTOFF:
            return None
        total += score
    return total / len(words)


def _monthly(pay_min: float | None, pay_max: float | None, unit: str | None) -> float | None:
    return monthly_equivalent(pay_max if pay_max is not None else pay_min, unit)


def _pay_ok(monthly: float | None, minimum: float | None) -> bool:
    return minimum is None or monthly is None or monthly >= minimum


def _today(query: JobQuery) -> date:
    return query.today or today_in("Asia/Shanghai", utcnow())


def _row_passes(row: Any, query: JobQuery, words: Sequence[str], today: date) -> bool:
    """The whole question asked of one fresh row (the last word on what is shown)."""
    if row.status != PostingStatus.published.value:
        return False
    if row.expires_on is not None and row.expires_on < today:
        return False
    for column, wanted in (
        ("district", query.district),
        ("metro_line", query.metro_line),
        ("industry", query.industry),
        ("employment_type", query.employment_type),
    ):
        if wanted is not None and getattr(row, column) != wanted:
            return False
    if query.tags and int(row.tags) & query.tags != query.tags:
        return False
    if not _pay_ok(_monthly(row.pay_min, row.pay_max, row.pay_unit), query.min_monthly):
        return False
    return not words or _score(words, row.search_text) is not None


def _published() -> Any:
    return POSTINGS.c.status == PostingStatus.published.value


def _views(conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = conn.execute(select(POSTINGS).where(POSTINGS.c.id.in_(list(ids)))).all()
    return {row.id: row for row in rows}


def search_postings(conn: Connection, *, query: JobQuery, strategy: str = "auto") -> SearchPage:
    """Published, unexpired postings matching ``query``: newest first, or with keywords best
    match first (then newest). ``strategy`` ("auto", "direct", "bounded", "index") is for
    tests and the benchmark; all four give the same postings in the same order."""
    index = None
    if strategy == "auto":
        index = _current_index(conn, build=False)
        if index is None:
            # Until this process's index is ready (it is built beside the running bot, see
            # prepare_search_index) the database answers, reading only what the page needs.
            strategy = "direct" if _small(conn) else "bounded"
        else:
            strategy = "direct" if index.alive.bit_count() <= DIRECT_MAX else "index"
    if strategy == "direct":
        return _search_direct(conn, query)
    if strategy == "bounded":
        return _search_bounded(conn, query)
    return _search_indexed(conn, query, index)


def _rank(
    words: Sequence[str], candidates: Iterable[tuple[int, str]]
) -> tuple[list[int], list[tuple[float, int]]]:
    """Split newest-first (key, text) pairs into exact matches and scored near matches."""
    exact: list[int] = []
    near: list[tuple[int, str]] = []
    for key, text in candidates:
        if all(word in text for word in words):
            exact.append(key)
        elif all(word in text or (_fuzzy(word) and _near(word, text)) for word in words):
            near.append((key, text))
    scored = []
    for key, text in near[:FUZZY_MAX]:
        score = _score(words, text)
        if score is not None:
            scored.append((score, key))
    return exact, scored


def _conditions(query: JobQuery, today: date, published: Any = None) -> list[Any]:
    """The filters of ``query`` (all but pay and keywords) as SQL conditions."""
    conditions = [
        _published() if published is None else published,
        (POSTINGS.c.expires_on.is_(None)) | (POSTINGS.c.expires_on >= today),
    ]
    for column, wanted in (
        (POSTINGS.c.district, query.district),
        (POSTINGS.c.metro_line, query.metro_line),
        (POSTINGS.c.industry, query.industry),
        (POSTINGS.c.employment_type, query.employment_type),
    ):
        if wanted is not None:
            conditions.append(column == wanted)
    if query.tags:
        conditions.append(POSTINGS.c.tags.op("&")(query.tags) == query.tags)
    return conditions


def _search_direct(conn: Connection, query: JobQuery) -> SearchPage:
    today = _today(query)
    words = keyword_words(query.keywords)
    conditions = _conditions(query, today)
    rows = conn.execute(
        select(
            POSTINGS.c.id,
            POSTINGS.c.pay_min,
            POSTINGS.c.pay_max,
            POSTINGS.c.pay_unit,
            POSTINGS.c.search_text,
        )
        .where(*conditions)
        .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
    ).all()
    rows = [
        row
        for row in rows
        if _pay_ok(_monthly(row.pay_min, row.pay_max, row.pay_unit), query.min_monthly)
    ]
    if words:
        order = {row.id: index for index, row in enumerate(rows)}
        exact, scored = _rank(words, ((row.id, row.search_text) for row in rows))
        scored.sort(key=lambda item: (-item[0], order[item[1]]))
        ids = exact + [key for _score_value, key in scored]
    else:
        ids = [row.id for row in rows]
    chosen = ids[query.offset : query.offset + query.limit]
    found = _views(conn, chosen)
    items = tuple(PostingView.from_row(found[i]._mapping) for i in chosen if i in found)
    return SearchPage(items, query.offset, len(ids) > query.offset + query.limit, len(ids))


def _monthly_sql() -> Any:
    """:func:`monthly_equivalent` of a posting's pay, computed by the database (the same
    multiplications in the same order, so the same floating-point figures)."""
    amount = func.coalesce(POSTINGS.c.pay_max, POSTINGS.c.pay_min)
    return case(
        (POSTINGS.c.pay_unit == PayUnit.month.value, amount),
        (POSTINGS.c.pay_unit == PayUnit.day.value, amount * DAYS_PER_MONTH),
        (POSTINGS.c.pay_unit == PayUnit.hour.value, amount * HOURS_PER_DAY * DAYS_PER_MONTH),
        else_=null(),
    )


def _contains(conn: Connection, word: str) -> Any:
    """SQL: the posting's search text holds ``word`` (case and all, as ``word in text``)."""
    name = "strpos" if conn.dialect.name == "postgresql" else "instr"
    return getattr(func, name)(POSTINGS.c.search_text, word) > 0


def _near_sql(conn: Connection, word: str) -> Any:
    """SQL: the posting's search text holds enough of the word's units (see :func:`_near`)."""
    units = _units(word)
    held = sum((case((_contains(conn, unit), 1), else_=0) for unit in units), literal(0))
    return held >= _needed(len(units))


def _newest_first(conn: Connection) -> tuple[Any, Any]:
    """Newest first, as the plain scan orders. On SQLite the order (and the status test, see
    _search_bounded) is written so that the planner reads the table in its own order and sorts
    what matched, instead of following the (status, published_at) index row by row (several
    times slower when most rows fail)."""
    published_at: Any = POSTINGS.c.published_at
    if conn.dialect.name == "sqlite":
        published_at = published_at.op("||")(literal(""))  # same text, no index
    return published_at.desc(), POSTINGS.c.id.desc()


def _search_bounded(conn: Connection, query: JobQuery) -> SearchPage:
    """The plain scan's answer from as few rows as the page needs, with every filter and word
    tested by the database.

    The terms table (:func:`note_terms`) first names the postings that can match: those
    holding every filter value and every character (or letter pair) of the words, and for a
    word that may have a typo nearly all of them. When they are few they are the only rows
    read. When they are many (common words and filters) a page is usually among the newest
    postings, read first through the (status, published_at) index; only if it is not are the
    named postings (or, with no terms to go by, all) read, ordered by the database.

    Keyword matches holding every word come first, newest first. Only when there are fewer
    than the page needs (words with a typo) are the near matches read: the database picks
    the candidates (see :func:`_near`) and they are scored here. The total is given when every
    match was counted on the way, None otherwise.
    """
    today = _today(query)
    words = keyword_words(query.keywords)
    scan = None
    if conn.dialect.name == "sqlite":  # the whole table read in its own order, not by index
        scan = POSTINGS.c.status.op("||")(literal("")) == PostingStatus.published.value
    conditions = _conditions(query, today, scan)
    if query.min_monthly is not None:
        monthly = _monthly_sql()
        conditions.append(monthly.is_(None) | (monthly >= query.min_monthly))
    needed = query.offset + query.limit + 1
    exact = [_contains(conn, word) for word in words]
    fuzzy = any(_fuzzy(word) for word in words)
    named = _Named(conn, query, words)
    candidates = named.exact()
    newest = _newest_first(conn)
    where = [*conditions, *exact]
    ids: list[int] = []
    if candidates is None:  # nothing to go by: the newest postings, then every one
        ids = _window(conn, conditions, exact, needed)
        if len(ids) < needed:
            ids = _ordered(conn, where, newest, needed, picked=False)
    elif candidates.bit_count() <= NAMED_FIRST:
        if candidates:
            ids = _ordered(conn, [_among(conn, _all_bits(candidates)), *where], newest, needed)
    else:
        # Many candidates: first those among the newest postings, where most pages are (as
        # many newest postings as should hold a page of them, then more).
        held, every = _bit_test(candidates), False
        recent: list[int] = []
        share = candidates.bit_count() / max(named.span, 1)
        first = min(BOUNDED_WINDOW, max(WINDOW_MIN, int(needed / share * 4)))
        for size in sorted({first, BOUNDED_WINDOW}):
            asked = size - len(recent)
            more = _newest_ids(conn, offset=len(recent), limit=asked)
            recent += more
            every = len(more) < asked  # every published posting is among them
            among = [posting_id for posting_id in recent if held(posting_id)]
            if among:
                ids = _ordered(conn, [_among(conn, among), *where], newest, needed)
            if len(ids) >= needed or every:
                break
        if len(ids) < needed and not every:
            if candidates.bit_count() <= NAMED_MAX:
                among = _all_bits(candidates)
                ids = _ordered(conn, [_among(conn, among), *where], newest, needed)
            else:
                ids = _ordered(conn, where, newest, needed, picked=False)
    total: int | None = None if len(ids) >= needed else len(ids)
    if total is not None and fuzzy:
        near = [
            _contains(conn, word) | _near_sql(conn, word)
            if _fuzzy(word)
            else _contains(conn, word)
            for word in words
        ]
        nearby = named.near()
        named_near = []
        if nearby is not None and nearby.bit_count() <= NAMED_MAX:
            named_near = [_among(conn, _all_bits(nearby))]
        rows = _ordered(
            conn,
            [*named_near, *conditions, *near, ~and_(*exact)],
            newest,
            FUZZY_MAX,
            POSTINGS.c.search_text,
            picked=bool(named_near),
        )
        scored = []
        for order, row in enumerate(rows):
            score = _score(words, row.search_text)
            if score is not None:
                scored.append((-score, order, row.id))
        scored.sort()
        ids += [posting_id for _score_value, _order, posting_id in scored]
        total = len(ids)
    chosen = ids[query.offset : query.offset + query.limit]
    found = _views(conn, chosen)
    items = tuple(PostingView.from_row(found[i]._mapping) for i in chosen if i in found)
    return SearchPage(items, query.offset, len(ids) > query.offset + query.limit, total)


def _window(conn: Connection, conditions: list[Any], exact: list[Any], needed: int) -> list[int]:
    """Matches among the newest ``BOUNDED_WINDOW`` postings (read through the (status,
    published_at) index): most pages are found there. Everything else was published before
    the oldest of them."""
    oldest = conn.execute(
        select(POSTINGS.c.published_at)
        .where(_published())
        .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
        .offset(BOUNDED_WINDOW - 1)
        .limit(1)
    ).scalar()
    if oldest is None:
        return []
    recent = POSTINGS.c.published_at >= oldest
    if conn.dialect.name == "postgresql":  # where NULL sorts first when descending
        recent = recent | POSTINGS.c.published_at.is_(None)
    return list(
        conn.execute(
            select(POSTINGS.c.id)
            .where(_published(), recent, *conditions[1:], *exact)
            .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
            .limit(needed)
        ).scalars()
    )


def _newest_ids(conn: Connection, *, offset: int, limit: int) -> list[int]:
    """The ids of published postings, newest first, from ``offset`` on (read through the
    (status, published_at) index)."""
    return list(
        conn.execute(
            select(POSTINGS.c.id)
            .where(_published())
            .order_by(POSTINGS.c.published_at.desc(), POSTINGS.c.id.desc())
            .offset(offset)
            .limit(limit)
        ).scalars()
    )


def _bit_test(mask: int) -> Any:
    """A quick test of whether a posting id is in ``mask``."""
    flags = mask.to_bytes((mask.bit_length() + 7) // 8 or 1, "little")
    size = len(flags)

    def held(posting_id: int) -> bool:
        at = posting_id >> 3
        return at < size and bool(flags[at] >> (posting_id & 7) & 1)

    return held


def _ordered(
    conn: Connection,
    where: list[Any],
    newest: tuple[Any, Any],
    limit: int,
    *more: Any,
    picked: bool = True,
) -> list[Any]:
    """Ids (or rows of id and ``more``) of postings meeting ``where``, newest first. When
    ``where`` names the candidates (``picked``), PostgreSQL reads them before ordering them (a
    subquery the planner keeps) instead of walking the (status, published_at) index hoping to
    meet them early."""
    if not picked or conn.dialect.name != "postgresql":
        statement = select(POSTINGS.c.id, *more).where(*where).order_by(*newest).limit(limit)
    else:
        chosen = (
            select(POSTINGS.c.id, POSTINGS.c.published_at, *more).where(*where).offset(0)
        ).subquery()
        statement = (
            select(chosen.c.id, *(chosen.c[column.name] for column in more))
            .order_by(chosen.c.published_at.desc(), chosen.c.id.desc())
            .limit(limit)
        )
    rows = conn.execute(statement).all()
    return [row.id for row in rows] if not more else list(rows)


# --- the terms table: which postings can match, for searches before the index is ready -------

#: Posting ids per row of the terms table (a bit set of 2 KiB).
TERM_BLOCK = 1 << 14
#: When the terms table names at most this many postings, they are read directly (else the
#: newest postings are looked at first).
NAMED_FIRST = 2000
#: The terms table naming more postings than this is not used (the table is read in order).
NAMED_MAX = 20_000

TERMS: Table = JobSearchTerm.__table__  # type: ignore[attr-defined]
#: Letters and digits outside the Chinese characters, in runs of two or more.
_PAIRS = re.compile(r"[^\W_\u3400-\u9fff\uf900-\ufaff]{2,}")
_TERM_COLUMNS = (
    POSTINGS.c.id,
    POSTINGS.c.search_text,
    POSTINGS.c.district,
    POSTINGS.c.metro_line,
    POSTINGS.c.industry,
    POSTINGS.c.employment_type,
    POSTINGS.c.tags,
)


def _text_terms(text: str) -> set[str]:
    """Every unit (see :func:`_units`) a word found in ``text`` can have: its Chinese
    characters and the pairs of letters or digits next to each other."""
    terms = set(_CJK.findall(text))
    for run in _PAIRS.findall(text):
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    return terms


def _filter_terms(
    district: Any, metro_line: Any, industry: Any, employment_type: Any, tags: Any
) -> list[str]:
    """The terms of filter values (None: any); one per tag bit."""
    terms = [
        f"{prefix}:{value}"
        for prefix, value in (
            ("d", district),
            ("l", metro_line),
            ("i", industry),
            ("e", employment_type),
        )
        if value is not None
    ]
    tags = int(tags or 0)
    return terms + [f"g:{bit}" for bit in range(tags.bit_length()) if tags >> bit & 1]


def _posting_terms(posting: Mapping[Any, Any]) -> set[str]:
    terms = _text_terms(posting["search_text"])
    terms.update(
        _filter_terms(
            posting["district"],
            posting["metro_line"],
            posting["industry"],
            str(posting["employment_type"]),
            posting["tags"],
        )
    )
    return terms


def _bits_of(postings: Iterable[Mapping[Any, Any]]) -> dict[tuple[str, int], bytearray]:
    """The terms' bit sets of ``postings``, by (term, block)."""
    out: dict[tuple[str, int], bytearray] = {}
    size = TERM_BLOCK // 8
    for posting in postings:
        block, bit = divmod(int(posting["id"]), TERM_BLOCK)
        byte, flag = bit >> 3, 1 << (bit & 7)
        for term in _posting_terms(posting):
            bits = out.get((term, block))
            if bits is None:
                bits = out[(term, block)] = bytearray(size)
            bits[byte] |= flag
    return out


def note_terms(conn: Connection, postings: Iterable[Mapping[Any, Any]]) -> None:
    """Add postings to the terms table, in the transaction that writes them: mappings with
    ``id``, ``search_text``, ``district``, ``metro_line``, ``industry``, ``employment_type``
    and ``tags`` as stored. Every write of a posting's search text or filters calls this."""
    found = _bits_of(postings)
    keys = sorted(found)  # rows locked in one order by every writer (PostgreSQL)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        conn.execute(
            _insert(conn, TERMS).on_conflict_do_nothing(index_elements=["term", "block"]),
            [{"term": term, "block": block, "bits": b""} for term, block in chunk],
        )
        rows = conn.execute(
            select(TERMS.c.term, TERMS.c.block, TERMS.c.bits)
            .where(tuple_(TERMS.c.term, TERMS.c.block).in_(chunk))
            .with_for_update()
        ).all()
        changed = []
        for term, block, bits in rows:
            old = int.from_bytes(bits, "little")
            new = old | int.from_bytes(found[(term, block)], "little")
            if new != old:
                changed.append({"t_term": term, "t_block": block, "t_bits": _packed(new)})
        if changed:
            conn.execute(
                update(TERMS)
                .where(TERMS.c.term == bindparam("t_term"), TERMS.c.block == bindparam("t_block"))
                .values(bits=bindparam("t_bits")),
                changed,
            )


def note_posting_terms(conn: Connection, posting_ids: Sequence[int]) -> None:
    """:func:`note_terms` of postings as the database holds them now."""
    for start in range(0, len(posting_ids), 500):
        chunk = list(posting_ids[start : start + 500])
        rows = conn.execute(select(*_TERM_COLUMNS).where(POSTINGS.c.id.in_(chunk))).all()
        note_terms(conn, (row._mapping for row in rows))


def _packed(mask: int) -> bytes:
    return mask.to_bytes((mask.bit_length() + 7) // 8, "little")


def fill_search_terms(conn: Connection, *, chunk: int = 5000) -> int:
    """Write the terms table afresh from every posting (a migration, a bulk load); the number
    of postings read. Postings are read by id, a block's rows written once it is complete."""
    conn.execute(delete(TERMS))
    found: dict[tuple[str, int], bytearray] = {}
    after, count = 0, 0

    def flush(below: int) -> None:
        done = sorted(key for key in found if key[1] < below)
        rows = [
            {"term": key[0], "block": key[1], "bits": bytes(found.pop(key)).rstrip(b"\0")}
            for key in done
        ]
        for start in range(0, len(rows), 1000):
            conn.execute(TERMS.insert(), rows[start : start + 1000])

    while True:
        rows = conn.execute(
            select(*_TERM_COLUMNS)
            .where(POSTINGS.c.id > after)
            .order_by(POSTINGS.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            break
        for key, bits in _bits_of(row._mapping for row in rows).items():
            held = found.get(key)
            if held is None:
                found[key] = bits
            else:
                found[key] = bytearray(a | b for a, b in zip(held, bits, strict=True))
        count += len(rows)
        after = rows[-1].id
        flush(after // TERM_BLOCK)
    flush(1 << 62)
    return count


def _term_masks(conn: Connection, terms: Iterable[str]) -> dict[str, int]:
    """Each term's postings as one bit set over posting ids."""
    masks = dict.fromkeys(terms, 0)
    rows = conn.execute(
        select(TERMS.c.term, TERMS.c.block, TERMS.c.bits).where(TERMS.c.term.in_(sorted(masks)))
    )
    for term, block, bits in rows:
        masks[term] |= int.from_bytes(bits, "little") << (block * TERM_BLOCK)
    return masks


class _Named:
    """The postings the terms table names as possible matches of a query: every posting
    that matches is named (others may be, the database tests each one read)."""

    def __init__(self, conn: Connection, query: JobQuery, words: Sequence[str]) -> None:
        self.filters = _filter_terms(
            query.district, query.metro_line, query.industry, query.employment_type, query.tags
        )
        self.units = {word: _units(word) for word in words}
        terms = {*self.filters, *(unit for units in self.units.values() for unit in units)}
        self.masks = _term_masks(conn, terms) if terms else {}
        #: The highest posting id the terms read name (about how many postings there are).
        self.span = max((mask.bit_length() for mask in self.masks.values()), default=0)

    def _mask(self, near: bool) -> int | None:
        mask: int | None = None
        for term in self.filters:
            mask = self.masks[term] if mask is None else mask & self.masks[term]
        for word, units in self.units.items():
            if not units:  # a single letter or digit: no term to go by
                continue
            held = 0 if near and _fuzzy(word) else -1
            if near and _fuzzy(word):  # nearly all of its units (see _near)
                for combo in combinations(units, _needed(len(units))):
                    part = -1
                    for unit in combo:
                        part &= self.masks[unit]
                    held |= part
            else:
                for unit in units:
                    held &= self.masks[unit]
            mask = held if mask is None else mask & held
        return mask

    def exact(self) -> int | None:
        """Postings that can hold every filter value and word, as a bit set of ids (None: no
        terms to go by)."""
        return self._mask(near=False)

    def near(self) -> int | None:
        """Postings that can hold every filter value and each word or a near miss of it."""
        return self._mask(near=True)


def _among(conn: Connection, ids: list[int]) -> Any:
    """SQL: the posting is one of ``ids`` (one parameter, however many)."""
    if conn.dialect.name == "postgresql":  # as text: an array parameter costs a type lookup
        listed = "{" + ",".join(map(str, ids)) + "}"
        return POSTINGS.c.id == any_(cast(literal(listed, String), postgresql.ARRAY(Integer)))
    each = func.json_each(json.dumps(ids)).table_valued("value")
    return POSTINGS.c.id.in_(select(each.c.value))


def _small(conn: Connection) -> bool:
    """True when there are few enough published postings to read them directly."""
    count = conn.execute(
        select(func.count()).select_from(
            select(POSTINGS.c.id).where(_published()).limit(DIRECT_MAX + 1).subquery()
        )
    ).scalar_one()
    return bool(count <= DIRECT_MAX)


def filter_choices(conn: Connection) -> FilterChoices:
    """The districts, metro lines and industries of published postings, sorted (for buttons)."""
    values: dict[str, tuple[str, ...]] = {}
    index = _current_index(conn, build=False)
    if index is not None and index.alive.bit_count() > DIRECT_MAX:
        for name in ("district", "metro_line", "industry"):
            values[name] = tuple(
                sorted(
                    value
                    for (kind, value), mask in index.masks.items()
                    if kind == name and value and mask & index.alive
                )
            )
        return FilterChoices(values["district"], values["metro_line"], values["industry"])
    for name in ("district", "metro_line", "industry"):
        column = POSTINGS.c[name]
        found = conn.execute(
            select(column).where(_published(), column != "").group_by(column).order_by(column)
        ).scalars()
        values[name] = tuple(found)
    return FilterChoices(values["district"], values["metro_line"], values["industry"])


# --- the in-process index ---------------------------------------------------------------------

#: Rows written up to this long before the newest change already seen are read again on every
#: search (by id and ``updated_at`` only, through an index), so a write whose transaction
#: commits late, or whose writer's clock runs a little behind, is still taken in.
REFRESH_LAG = timedelta(minutes=2)
#: A word is looked up afresh (instead of kept up to date) when keeping it would cost more.
_UPKEEP_MAX = 200_000
#: Edited postings whose old text is still in the joined string before it is joined again.
_PATCHED_MAX = 500

# Time and date columns are read as the driver gives them (no conversion per row); they are
# only compared with values read the same way.
_INDEX_COLUMNS = (
    POSTINGS.c.id,
    POSTINGS.c.status,
    type_coerce(POSTINGS.c.published_at, String).label("published_at"),
    POSTINGS.c.district,
    POSTINGS.c.metro_line,
    POSTINGS.c.industry,
    POSTINGS.c.employment_type,
    POSTINGS.c.tags,
    POSTINGS.c.pay_min,
    POSTINGS.c.pay_max,
    POSTINGS.c.pay_unit,
    type_coerce(POSTINGS.c.expires_on, String).label("expires_on"),
    POSTINGS.c.search_text,
)
_SEPARATOR = "\x00"
_BITS = bytes.maketrans(b"\x00\x01", b"01")
_LETTER = re.compile("[A-Za-z]")
#: Characters of the joined texts looked through at a time for a Latin letter.
_LETTER_WINDOW = 1 << 16
_NO_EXPIRY = date.max.toordinal()


def _ordinal(value: Any, cache: dict[Any, int]) -> int:
    """A last day as a day number (``date.max`` for none), from what the driver returned."""
    if value is None:
        return _NO_EXPIRY
    found = cache.get(value)
    if found is None:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        found = cache[value] = day.toordinal()
    return found


def _keys(row: Any) -> list[tuple[str, Any]]:
    """The filter masks a posting belongs to."""
    return _keys_of(row.district, row.metro_line, row.industry, row.employment_type, row.tags)


def _keys_of(*values: Any) -> list[tuple[str, Any]]:
    """The filter masks of a posting with these district, line, industry, type and tags."""
    district, line, industry, kind, tags = values
    return [
        ("district", district),
        ("metro_line", line),
        ("industry", industry),
        ("employment_type", kind),
        *_tag_keys(int(tags)),
    ]


@lru_cache(maxsize=256)
def _tag_keys(tags: int) -> tuple[tuple[str, int], ...]:
    return tuple(("tag", bit) for bit in range(tags.bit_length()) if tags >> bit & 1)


def _stamp(row: Any) -> Any:
    return row.published_at if row.published_at is not None else ""


@dataclass
class _Index:
    """Published postings, oldest first: bit ``p`` of every mask is the posting at ``p``.

    Positions are never reused: a posting published again goes to the end and its old position
    is cleared from ``alive``. ``corpus`` joins the texts as they were when it was last joined;
    ``patched`` holds the positions edited since, looked at one by one.
    """

    ids: list[int] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)
    stamps: list[Any] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    keys: list[list[tuple[str, Any]]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    corpus: str = ""
    #: The positions whose texts hold a Latin letter, and those texts joined (made when a word
    #: with a Latin letter is first looked for: most texts have none).
    lettered: list[int] | None = None
    lettered_corpus: str = ""
    lettered_starts: list[int] = field(default_factory=list)
    patched: set[int] = field(default_factory=set)
    monthly: list[float | None] = field(default_factory=list)
    expires: list[int] = field(default_factory=list)
    masks: dict[tuple[str, Any], int] = field(default_factory=dict)
    alive: int = 0
    max_id: int = 0
    #: The newest ``updated_at`` seen, and what each posting read since the build had.
    seen_at: datetime | None = None
    seen: dict[int, datetime] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    pays: dict[float, int] = field(default_factory=dict)
    expired: dict[date, int] = field(default_factory=dict)
    days: dict[Any, int] = field(default_factory=dict)

    def fill(self, rows: Sequence[Any]) -> None:
        """Take in every published posting at once, oldest first (a fresh build)."""
        lists: dict[tuple[str, Any], list[int]] = defaultdict(list)
        pays: dict[tuple[Any, Any, Any], float | None] = {}
        kinds: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}
        offset = 0
        # Rows are unpacked in the order of _INDEX_COLUMNS (quicker than reading attributes).
        for p, (posting_id, _status, stamp, *kind, low, high, unit, last_day, text) in enumerate(
            rows
        ):
            self.ids.append(posting_id)
            self.stamps.append(stamp if stamp is not None else "")
            self.texts.append(text)
            self.starts.append(offset)
            offset += len(text) + 1
            pay = (low, high, unit)
            if pay not in pays:
                pays[pay] = _monthly(*pay)
            self.monthly.append(pays[pay])
            self.expires.append(_ordinal(last_day, self.days))
            found = tuple(kind)
            keys = kinds.get(found)
            if keys is None:
                keys = kinds[found] = _keys_of(*kind)
            self.keys.append(keys)
            for key in keys:
                lists[key].append(p)
        self.positions = {posting_id: p for p, posting_id in enumerate(self.ids)}
        self.masks = {key: self._from_positions(found) for key, found in lists.items()}
        self.alive = (1 << len(rows)) - 1
        self.max_id = max(self.ids, default=0)
        self.corpus = _SEPARATOR.join(self.texts) + _SEPARATOR if self.texts else ""
        self.lettered = []
        self._letter(self._with_letters())

    def append(self, rows: Sequence[Any]) -> None:
        """Add postings published after every one already here."""
        upkeep = len(rows) * (len(self.words) + len(self.pays) + 1) <= _UPKEEP_MAX
        if not upkeep:
            self.words.clear()
            self.pays.clear()
            self.expired.clear()
        offset = len(self.corpus)
        for row in rows:
            p = len(self.ids)
            bit = 1 << p
            old = self.positions.get(row.id)
            if old is not None:
                self.alive &= ~(1 << old)
            self.ids.append(row.id)
            self.positions[row.id] = p
            self.stamps.append(_stamp(row))
            self.texts.append(row.search_text)
            self.starts.append(offset)
            offset += len(row.search_text) + 1
            self.monthly.append(_monthly(row.pay_min, row.pay_max, row.pay_unit))
            self.expires.append(_ordinal(row.expires_on, self.days))
            keys = _keys(row)
            self.keys.append(keys)
            for key in keys:
                self.masks[key] = self.masks.get(key, 0) | bit
            self.alive |= bit
            self.max_id = max(self.max_id, row.id)
            self._keep_up(p, row.search_text)
        if rows:
            added = _SEPARATOR.join(row.search_text for row in rows) + _SEPARATOR
            if self.lettered is not None:
                self._letter(range(len(self.ids) - len(rows), len(self.ids)))
            self.corpus += added

    def patch(self, p: int, row: Any) -> None:
        """Bring the posting at ``p`` in line with its row, edited in place."""
        bit = 1 << p
        for key in self.keys[p]:
            self.masks[key] &= ~bit
        keys = _keys(row)
        self.keys[p] = keys
        for key in keys:
            self.masks[key] = self.masks.get(key, 0) | bit
        self.monthly[p] = _monthly(row.pay_min, row.pay_max, row.pay_unit)
        self.expires[p] = _ordinal(row.expires_on, self.days)
        if row.search_text != self.texts[p]:
            self.texts[p] = row.search_text
            self.patched.add(p)
        self._keep_up(p, row.search_text)
        self.alive |= bit
        if len(self.patched) > _PATCHED_MAX:
            self._join()

    def _keep_up(self, p: int, text: str) -> None:
        """Set or clear bit ``p`` of every remembered word and pay mask."""
        bit = 1 << p
        for word, mask in self.words.items():
            self.words[word] = mask | bit if word in text else mask & ~bit
        monthly = self.monthly[p]
        for minimum, mask in self.pays.items():
            self.pays[minimum] = mask | bit if _pay_ok(monthly, minimum) else mask & ~bit
        last_day = self.expires[p]
        for today, mask in self.expired.items():
            self.expired[today] = mask | bit if last_day < today.toordinal() else mask & ~bit

    def _join(self) -> None:
        self.starts = []
        offset = 0
        for text in self.texts:
            self.starts.append(offset)
            offset += len(text) + 1
        self.corpus = _SEPARATOR.join(self.texts) + _SEPARATOR if self.texts else ""
        self.lettered = None
        self.patched.clear()

    def drop(self, position: int) -> None:
        """Forget a posting that is no longer published."""
        self.alive &= ~(1 << position)

    def _from_positions(self, positions: Iterable[int]) -> int:
        flags = bytearray(len(self.ids) or 1)
        for p in positions:
            flags[p] = 1
        return int(flags.translate(_BITS)[::-1], 2)

    def word(self, word: str) -> int:
        """Postings whose search text contains ``word``."""
        mask = self.words.get(word)
        if mask is None:
            mask = self._scan(word)
            self.remember(word, mask)
        return mask

    def _letter(self, positions: Iterable[int]) -> None:
        """Add the positions whose texts hold a Latin letter to the lettered texts."""
        assert self.lettered is not None
        pieces, offset = [], len(self.lettered_corpus)
        for p in positions:
            if _LETTER.search(self.texts[p]):
                self.lettered.append(p)
                self.lettered_starts.append(offset)
                pieces.append(self.texts[p] + _SEPARATOR)
                offset += len(pieces[-1])
        self.lettered_corpus += "".join(pieces)

    def _with_letters(self) -> list[int]:
        """Positions whose text in the joined texts holds a Latin letter (and edited ones)."""
        found: list[int] = []
        corpus, starts, count = self.corpus, self.starts, len(self.starts)
        at, end = 0, len(corpus)
        while at < end:
            # in windows: one search over megabytes without a letter would hold the
            # interpreter lock, and stop the event loop, for tens of milliseconds
            match = _LETTER.search(corpus, at, min(at + _LETTER_WINDOW, end))
            if match is None:
                at += _LETTER_WINDOW
                continue
            p = bisect_right(starts, match.start()) - 1
            found.append(p)
            at = starts[p + 1] if p + 1 < count else end
        return sorted({*found, *self.patched})

    def _scan(self, word: str) -> int:
        """Find ``word`` in the joined texts (only those with a Latin letter if it has one); a
        word in very many postings is looked for in each text instead."""
        corpus, starts, mapped = self.corpus, self.starts, None
        if _LETTER.search(word):
            if self.lettered is None:
                self.lettered, self.lettered_corpus, self.lettered_starts = [], "", []
                self._letter(self._with_letters())
            corpus, starts, mapped = self.lettered_corpus, self.lettered_starts, self.lettered
        found: list[int] = []
        count = len(starts)
        at = corpus.find(word)
        while at >= 0:
            p = bisect_right(starts, at) - 1
            found.append(p)
            if len(found) > SCAN_EACH:
                flags = bytes(map(str.__contains__, self.texts, repeat(word)))
                return int(flags.translate(_BITS)[::-1] or b"0", 2)
            at = corpus.find(word, starts[p + 1]) if p + 1 < count else -1
        if mapped is not None:
            found = [mapped[p] for p in found]
        mask = self._from_positions(found)
        for p in self.patched:
            mask = mask | (1 << p) if word in self.texts[p] else mask & ~(1 << p)
        return mask

    def remember(self, word: str, mask: int) -> None:
        """Keep a word's mask; when there are too many, forget all but the characters."""
        if len(self.words) >= WORDS_KEPT:
            short = {key: value for key, value in self.words.items() if len(key) <= 2}
            self.words = short if len(short) < WORDS_KEPT // 2 else {}
        self.words[word] = mask

    def newest(self, words: Sequence[str], mask: int, count: int) -> list[int] | None:
        """The newest ``count`` postings in ``mask`` holding every word, read from the end of
        the joined texts until found; None when fewer exist (the word masks are needed then).

        For a word not yet remembered this reads only as much text as it takes to fill a page.
        A read that reaches the start of the texts is remembered as the word's mask.
        """
        for word in words:
            if word in self.words:
                mask &= self.words[word]
        rest = [word for word in words if word not in self.words]
        if not rest:
            return None
        lead, others = max(rest, key=len), [word for word in rest if word != max(rest, key=len)]
        corpus, starts, texts = self.corpus, self.starts, self.texts

        def fits(p: int) -> bool:
            return bool(mask >> p & 1) and all(word in texts[p] for word in others)

        found: list[int] = []
        hits: list[int] = []
        end = len(corpus)
        while len(found) < count:
            at = corpus.rfind(lead, 0, end)
            if at < 0:
                break
            p = bisect_right(starts, at) - 1
            hits.append(p)
            end = starts[p]
            if (p not in self.patched or lead in texts[p]) and fits(p):
                found.append(p)
        # Edited postings may hold the word where the joined texts (older) do not.
        found.extend(p for p in self.patched if lead in texts[p] and p not in found and fits(p))
        if len(found) >= count:
            return sorted(found, reverse=True)[:count]
        lead_mask = self._from_positions(hits)
        for p in self.patched:
            lead_mask = lead_mask | (1 << p) if lead in texts[p] else lead_mask & ~(1 << p)
        self.remember(lead, lead_mask)
        return None

    def near(self, word: str) -> int:
        """Postings holding nearly all of the word's characters (candidates for a typo)."""
        units = _units(word)
        masks = [self.word(unit) for unit in units]
        need = _needed(len(units))
        out = 0
        for combo in combinations(masks, need):
            part = -1
            for mask in combo:
                part &= mask
            out |= part
        return out

    def paying(self, minimum: float) -> int:
        """Postings paying at least ``minimum`` a month (or giving no comparable figure)."""
        mask = self.pays.get(minimum)
        if mask is None:
            mask = self._from_positions(
                p for p, monthly in enumerate(self.monthly) if _pay_ok(monthly, minimum)
            )
            if len(self.pays) > 64:
                self.pays.clear()
            self.pays[minimum] = mask
        return mask

    def expired_on(self, today: date) -> int:
        """Postings whose last day is before ``today``."""
        mask = self.expired.get(today)
        if mask is None:
            limit = today.toordinal()
            mask = self._from_positions(p for p, day in enumerate(self.expires) if day < limit)
            self.expired = {today: mask}
        return mask

    def take(self, rows: Iterable[Any]) -> bool:
        """Apply changed rows (any status); False if one cannot be placed (rebuild then)."""
        fresh = []
        for row in rows:
            p = self.positions.get(row.id)
            if row.status != PostingStatus.published.value:
                if p is not None:
                    self.drop(p)
            elif p is not None and self.stamps[p] == _stamp(row):
                self.patch(p, row)
            else:
                fresh.append(row)
        if not fresh:
            return True
        fresh.sort(key=lambda row: (_stamp(row), row.id))
        if self.ids and (_stamp(fresh[0]), fresh[0].id) <= (self.stamps[-1], self.ids[-1]):
            return False
        self.append(fresh)
        return True


_INDEXES: dict[str, _Index] = {}
#: Databases whose index is being built beside the running bot (see prepare_search_index).
_WARMING: set[str] = set()
#: Postings read per transaction while the index is built beside the running bot.
WARM_CHUNK = 1000


def reset_search_index() -> None:
    """Drop every search index (the next large search rebuilds it)."""
    _INDEXES.clear()


def _key(conn: Connection) -> str:
    return conn.engine.url.render_as_string(hide_password=True)


def _changed_since(conn: Connection, since: datetime | None) -> tuple[list[Any], int]:
    """The (id, updated_at) of postings written since ``since``, and the highest id (one
    statement: it is read before every search)."""
    changed = select(POSTINGS.c.id, POSTINGS.c.updated_at, literal(0).label("last"))
    if since is not None:
        changed = changed.where(POSTINGS.c.updated_at >= since)
    highest = select(func.max(POSTINGS.c.id), null(), literal(1))
    rows = conn.execute(union_all(changed, highest)).all()
    max_id = next((row[0] or 0 for row in rows if row[2] == 1), 0)
    return [row for row in rows if row[2] == 0], max_id


def _noted(conn: Connection) -> _Index:
    """An empty index that knows what was written lately. This is read before the postings
    are: a change committed in between is then read again by the next search, not missed."""
    index = _Index()
    newest = conn.execute(select(func.max(POSTINGS.c.updated_at))).scalar()
    if newest is not None:
        index.seen_at = newest
        for posting_id, updated_at, _last in _changed_since(conn, newest - REFRESH_LAG)[0]:
            index.seen[posting_id] = updated_at
            index.seen_at = max(index.seen_at, updated_at)
    return index


def _build(conn: Connection) -> _Index:
    index = _noted(conn)
    index.fill(
        conn.execute(
            select(*_INDEX_COLUMNS)
            .where(_published())
            .order_by(POSTINGS.c.published_at, POSTINGS.c.id)
        ).all()
    )
    return index


def _refresh(conn: Connection, index: _Index) -> bool:
    """Take in what was written since the index last looked; False if it must be rebuilt."""
    since = index.seen_at - REFRESH_LAG if index.seen_at is not None else None
    rows, max_id = _changed_since(conn, since)
    if max_id < index.max_id:  # the table was emptied and filled again
        return False
    changed = []
    for posting_id, updated_at, _last in rows:
        if index.seen.get(posting_id) != updated_at:
            changed.append(posting_id)
            index.seen[posting_id] = updated_at
            if index.seen_at is None or updated_at > index.seen_at:
                index.seen_at = updated_at
    if index.seen_at is not None and len(index.seen) > 10_000:
        floor = index.seen_at - REFRESH_LAG
        index.seen = {key: at for key, at in index.seen.items() if at >= floor}
    return _apply(conn, index, changed)


def _apply(conn: Connection, index: _Index, posting_ids: Sequence[int]) -> bool:
    """Read the given postings afresh and bring the index in line with them."""
    for start in range(0, len(posting_ids), 500):
        chunk = posting_ids[start : start + 500]
        rows = conn.execute(select(*_INDEX_COLUMNS).where(POSTINGS.c.id.in_(chunk))).all()
        if not index.take(rows):
            return False
        gone = set(chunk) - {row.id for row in rows}
        for posting_id in gone:
            if (p := index.positions.get(posting_id)) is not None:
                index.drop(p)
    return True


@overload
def _current_index(conn: Connection) -> _Index: ...
@overload
def _current_index(conn: Connection, *, build: bool) -> _Index | None: ...
def _current_index(conn: Connection, *, build: bool = True) -> _Index | None:
    """The index for this database, brought up to date with every change written since
    (None if this process has none yet and ``build`` is false)."""
    key = _key(conn)
    index = _INDEXES.get(key)
    if index is None and not build:
        return None
    if index is None or not _refresh(conn, index):
        index = _INDEXES[key] = _build(conn)
    return index


def warm_search_index(conn: Connection) -> None:
    """Build this process's index now, in this transaction (see prepare_search_index)."""
    if not _small(conn):
        _current_index(conn)


def _indexed(conn: Connection) -> tuple[str, bool]:
    """The index's key, and whether an index is wanted and missing (a large table)."""
    key = _key(conn)
    return key, key not in _INDEXES and not _small(conn)


def _chunk(conn: Connection, *, after: int) -> list[tuple[Any, ...]]:
    """The next ``WARM_CHUNK`` published postings by id, for the index, as plain tuples of
    ``_INDEX_COLUMNS`` (which the garbage collector stops following once it has seen them:
    rows kept while a large index is read would make each of its full passes long, and those
    passes stop every other worker's reply meanwhile)."""
    return [
        tuple(row)
        for row in conn.execute(
            select(*_INDEX_COLUMNS)
            .where(_published(), POSTINGS.c.id > after)
            .order_by(POSTINGS.c.id)
            .limit(WARM_CHUNK)
        )
    ]


def _assemble(index: _Index, rows: list[tuple[Any, ...]]) -> _Index:
    """Fill the index with postings read in chunks by id, put in index order (oldest first,
    as the database orders them: see _stamp).

    Sorted a chunk at a time, then merged: one sort of every row compares them in C without
    giving up the interpreter lock, which stopped the event loop (every reply) for about
    75 ms at 100,000 postings; the merge runs Python code, so the loop gets its turns."""
    pieces = [
        sorted(rows[i : i + WARM_CHUNK], key=_index_order) for i in range(0, len(rows), WARM_CHUNK)
    ]
    index.fill(list(heapq.merge(*pieces, key=_index_order)))
    return index


def _index_order(row: tuple[Any, ...]) -> tuple[str, int]:
    return (row[2] if row[2] is not None else "", row[0])


async def prepare_search_index(db: Database) -> bool:
    """Build this process's index beside the running bot (called once it has started); True if
    one was built.

    The postings are read in chunks, each its own short transaction (so other updates' database
    work goes on in between), and the index is put together in a worker thread (so the event
    loop keeps running). Until it is ready a search reads the database directly. Whatever is
    written meanwhile is taken in by the first search after, as any change is.
    """
    key, wanted = await db.transact(_indexed)
    if not wanted or key in _WARMING:
        return False
    _WARMING.add(key)
    try:
        index = await db.transact(_noted)
        rows: list[Any] = []
        after = 0
        while True:
            chunk = await db.transact(_chunk, after=after)
            rows.extend(chunk)
            if len(chunk) < WARM_CHUNK:
                break
            after = chunk[-1][0]
        index = await asyncio.to_thread(_assemble, index, rows)
        _INDEXES.setdefault(key, index)  # one a search built meanwhile (tests) is kept
    finally:
        _WARMING.discard(key)
    log.info("job search index ready: %d published postings", len(index.ids))
    return True


def _top(mask: int, count: int) -> list[int]:
    """The highest ``count`` set bits of ``mask`` (newest postings first)."""
    out: list[int] = []
    while mask and len(out) < count:
        p = mask.bit_length() - 1
        out.append(p)
        mask ^= 1 << p
    return out


def _all_bits(mask: int) -> list[int]:
    """Every set bit of ``mask``, highest first."""
    digits = bin(mask)[2:]
    size = len(digits)
    out: list[int] = []
    at = digits.find("1")
    while at >= 0:
        out.append(size - 1 - at)
        at = digits.find("1", at + 1)
    return out


def _search_indexed(conn: Connection, query: JobQuery, index: _Index | None) -> SearchPage:
    today = _today(query)
    words = keyword_words(query.keywords)
    for attempt in range(4):
        if index is None or attempt:
            index = _current_index(conn)
        ranked, total = _ranked_positions(index, query, words, today)
        wanted = ranked[query.offset : query.offset + query.limit + 1]
        ids = [index.ids[p] for p in wanted]
        rows = _views(conn, ids)
        good, missed = [], []
        for p, posting_id in zip(wanted, ids, strict=True):
            row = rows.get(posting_id)
            if row is None:
                index.drop(p)  # deleted
            elif not _row_passes(row, query, words, today):
                missed.append(posting_id)  # a change the index has not seen: read it again
                index.drop(p)
            else:
                good.append(posting_id)
        if missed and not _apply(conn, index, missed):
            reset_search_index()
        if len(good) == len(ids) or attempt == 3:
            break
    items = tuple(PostingView.from_row(rows[i]._mapping) for i in good[: query.limit])
    more = len(ranked) > query.offset + query.limit
    return SearchPage(items, query.offset, more, total)


def _ranked_positions(
    index: _Index, query: JobQuery, words: Sequence[str], today: date
) -> tuple[list[int], int | None]:
    """Positions in result order (as many as the page needs) and the total, when known."""
    mask = index.alive & ~index.expired_on(today)
    for name, wanted in (
        ("district", query.district),
        ("metro_line", query.metro_line),
        ("industry", query.industry),
        ("employment_type", query.employment_type),
    ):
        if wanted is not None:
            mask &= index.masks.get((name, wanted), 0)
    tags, bit = query.tags, 0
    while tags:
        if tags & 1:
            mask &= index.masks.get(("tag", bit), 0)
        tags >>= 1
        bit += 1
    if query.min_monthly is not None:
        mask &= index.paying(query.min_monthly)
    needed = query.offset + query.limit + 1
    if not words:
        return _top(mask, needed), mask.bit_count()
    newest = index.newest(words, mask, needed)
    if newest is not None:
        return newest, None
    exact = mask
    for word in words:
        exact &= index.word(word)
    exact_count = exact.bit_count()
    if exact_count >= needed:
        return _top(exact, needed), None
    # Too few exact matches: near matches (typos) of the longer words are candidates too.
    candidates = mask
    for word in sorted(words, key=_fuzzy):
        contains = index.word(word)
        if not _fuzzy(word):
            candidates &= contains
            continue
        others = candidates & ~contains
        if others.bit_count() <= NEAR_DIRECT_MAX:  # few: look at each text
            near = index._from_positions(
                p for p in _all_bits(others) if _near(word, index.texts[p])
            )
        else:
            near = index.near(word)
        candidates &= contains | near
    near = candidates & ~exact
    _exact, scored = _rank(words, ((p, index.texts[p]) for p in _all_bits(near)[: FUZZY_MAX * 2]))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    ranked = _all_bits(exact) + [p for _score_value, p in scored]
    return ranked, exact_count + len(scored)


# --- contacts, reports, expiry, forgetting ----------------------------------------------------


def _insert(conn: Connection, table: Table) -> Any:
    return dialect_insert(conn.dialect.name)(table)


def _live_row(conn: Connection, posting_id: int, today: date) -> Any:
    row = conn.execute(select(POSTINGS).where(POSTINGS.c.id == posting_id)).first()
    if row is None or row.status != PostingStatus.published.value:
        return None
    if row.expires_on is not None and row.expires_on < today:
        return None
    return row


def available_posting(
    conn: Connection, *, posting_id: int, today: date | None = None
) -> PostingView | None:
    """A posting a worker may see (published, not past its date), or None."""
    row = _live_row(conn, posting_id, today or today_in("Asia/Shanghai", utcnow()))
    return PostingView.from_row(row._mapping) if row is not None else None


def reveal_contact(
    conn: Connection,
    *,
    posting_id: int,
    user_id: int,
    today: date | None = None,
    now: datetime | None = None,
) -> PostingView | None:
    """The posting with its contact for a worker, counting the view once per worker."""
    now = now or utcnow()
    row = _live_row(conn, posting_id, today or today_in("Asia/Shanghai", now))
    if row is None:
        return None
    added = conn.execute(
        _insert(conn, VIEWS)
        .values(posting_id=posting_id, user_id=user_id, at=now)
        .on_conflict_do_nothing(index_elements=["posting_id", "user_id"])
    )
    if added.rowcount:
        conn.execute(
            update(POSTINGS)
            .where(POSTINGS.c.id == posting_id)
            .values(contact_views=POSTINGS.c.contact_views + 1)
        )
        row = conn.execute(select(POSTINGS).where(POSTINGS.c.id == posting_id)).first()
    return PostingView.from_row(row._mapping)


class ReportError(Exception):
    """A report that cannot be stored: ``reason`` is too_long, no_posting or duplicate."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def report_posting(
    conn: Connection,
    *,
    posting_id: int,
    user_id: int,
    kind: JobReportKind,
    text: str = "",
    now: datetime | None = None,
) -> bool:
    """Store a worker's report (one per worker and posting); True if it sent the posting back
    to staff review (the third scam report of a published posting)."""
    now = now or utcnow()
    try:
        text = checked_text(text, limit=REPORT_TEXT_MAX, layout="ends", form=None, required=False)
    except TextError as error:
        raise ReportError(error.reason) from error
    status = conn.execute(
        select(POSTINGS.c.status).where(POSTINGS.c.id == posting_id)
    ).scalar_one_or_none()
    if status is None:
        raise ReportError("no_posting")
    added = conn.execute(
        _insert(conn, REPORTS)
        .values(
            posting_id=posting_id, reporter_id=user_id, kind=kind.value, text=text, created_at=now
        )
        .on_conflict_do_nothing(index_elements=["posting_id", "reporter_id"])
    )
    if not added.rowcount:
        raise ReportError("duplicate")
    conn.execute(
        update(POSTINGS)
        .where(POSTINGS.c.id == posting_id)
        .values(report_count=POSTINGS.c.report_count + 1)
    )
    if kind is not JobReportKind.scam or status != PostingStatus.published.value:
        return False
    scams = conn.execute(
        select(func.count()).where(
            REPORTS.c.posting_id == posting_id,
            REPORTS.c.kind == JobReportKind.scam.value,
            REPORTS.c.resolved_at.is_(None),
        )
    ).scalar_one()
    if scams < SCAM_THRESHOLD:
        return False
    conn.execute(
        update(POSTINGS)
        .where(POSTINGS.c.id == posting_id)
        .values(status=PostingStatus.pending.value, review_note=REPORTED_NOTE, updated_at=now)
    )
    return True


@dataclass(frozen=True)
class ExpiredGroup:
    """The postings of one owner that expired today, and the owner's language."""

    owner_id: int
    language: str
    postings: tuple[tuple[int, str], ...]


def expire_postings(
    conn: Connection, *, today: date, now: datetime | None = None
) -> list[ExpiredGroup]:
    """Mark published postings past their last day as expired; return them by owner."""
    now = now or utcnow()
    rows = conn.execute(
        select(POSTINGS.c.id, POSTINGS.c.title, POSTINGS.c.owner_id)
        .where(_published(), POSTINGS.c.expires_on < today)
        .order_by(POSTINGS.c.id)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        conn.execute(
            update(POSTINGS)
            .where(POSTINGS.c.id.in_(ids[start : start + 500]), _published())
            .values(status=PostingStatus.expired.value, updated_at=now)
        )
    owned: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        if row.owner_id is not None:
            owned[row.owner_id].append((row.id, row.title))
    if not owned:
        return []
    languages = {
        row.id: row.language
        for row in conn.execute(
            select(USERS.c.id, USERS.c.language).where(USERS.c.id.in_(list(owned)))
        )
    }
    return [
        ExpiredGroup(owner, languages.get(owner, "zh"), tuple(postings))
        for owner, postings in sorted(owned.items())
    ]


async def forget_job_user(session: AsyncSession, user_id: int) -> list[str]:
    """Delete a worker's contact views and unsign their reports (the reports stay)."""
    deleted: list[str] = []
    views = await session.exec(delete(VIEWS).where(VIEWS.c.user_id == user_id))
    if views.rowcount:
        deleted.append("jobs-forget-views")
    reports = await session.exec(
        update(REPORTS).where(REPORTS.c.reporter_id == user_id).values(reporter_id=None)
    )
    if reports.rowcount:
        deleted.append("jobs-forget-reports")
    return deleted
