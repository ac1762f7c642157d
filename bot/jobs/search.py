"""Worker job search, posting contacts and reports, daily expiry: typed service functions.

Search runs two ways with the same answers. A small table is read straight from the database
(filters in SQL, keywords scored in Python). A large one is answered from an in-process index
of the published postings: one Python integer per filter value is a bit set over the postings
(oldest first), so filters are a few big-integer ANDs; keywords are found by scanning one joined
string of every posting's ``search_text`` and cached per word. The index takes in newly
published postings on every search (an indexed read of what was published since it last
looked), drops postings that fail the re-check of the rows it returns, and is rebuilt every few
minutes or when it finds itself out of date. Every posting shown is read fresh and re-checked.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection, Table, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.clock import today_in
from bot.core.models import User, utcnow
from bot.core.text import TextError, checked_text
from bot.jobs.core import INDUSTRY_WORDS, POSTINGS, TYPE_WORDS, PostingView, monthly_equivalent
from bot.jobs.models import JobContactView, JobReport, JobReportKind, PostingStatus

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
#: Up to this many published postings, search reads the database directly.
DIRECT_MAX = 2000
#: The index is rebuilt from scratch at least this often (seconds).
REBUILD_S = 600.0

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
    match first (then newest). ``strategy`` ("auto", "direct", "index") is for tests."""
    if strategy == "auto":
        strategy = "direct" if _small(conn) else "index"
    if strategy == "direct":
        return _search_direct(conn, query)
    return _search_indexed(conn, query)


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


def _search_direct(conn: Connection, query: JobQuery) -> SearchPage:
    today = _today(query)
    words = keyword_words(query.keywords)
    conditions = [
        _published(),
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
    if not _small(conn):
        index = _current_index(conn)
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

_INDEX_COLUMNS = (
    POSTINGS.c.id,
    POSTINGS.c.published_at,
    POSTINGS.c.district,
    POSTINGS.c.metro_line,
    POSTINGS.c.industry,
    POSTINGS.c.employment_type,
    POSTINGS.c.tags,
    POSTINGS.c.pay_min,
    POSTINGS.c.pay_max,
    POSTINGS.c.pay_unit,
    POSTINGS.c.expires_on,
    POSTINGS.c.search_text,
)
_SEPARATOR = "\x00"
_NO_EXPIRY = date.max.toordinal()


@dataclass
class _Index:
    """Published postings, oldest first: bit ``p`` of every mask is the posting at ``p``."""

    ids: list[int] = field(default_factory=list)
    positions: dict[int, int] = field(default_factory=dict)
    stamps: list[datetime] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    corpus: str = ""
    monthly: list[float | None] = field(default_factory=list)
    expires: list[int] = field(default_factory=list)
    masks: dict[tuple[str, Any], int] = field(default_factory=dict)
    alive: int = 0
    max_id: int = 0
    built_at: float = 0.0
    stale: bool = False
    words: dict[str, int] = field(default_factory=dict)
    pays: dict[float, int] = field(default_factory=dict)
    expired: dict[date, int] = field(default_factory=dict)

    def add(self, rows: Iterable[Any]) -> None:
        """Append postings (each newer than any already in the index)."""
        pieces = []
        offset = len(self.corpus)
        for row in rows:
            p = len(self.ids)
            bit = 1 << p
            self.ids.append(row.id)
            self.positions[row.id] = p
            self.stamps.append(row.published_at)
            self.texts.append(row.search_text)
            self.starts.append(offset)
            offset += len(row.search_text) + 1
            pieces.append(row.search_text)
            self.monthly.append(_monthly(row.pay_min, row.pay_max, row.pay_unit))
            self.expires.append(row.expires_on.toordinal() if row.expires_on else _NO_EXPIRY)
            for key in (
                ("district", row.district),
                ("metro_line", row.metro_line),
                ("industry", row.industry),
                ("employment_type", row.employment_type),
            ):
                self.masks[key] = self.masks.get(key, 0) | bit
            tags = int(row.tags)
            index = 0
            while tags:
                if tags & 1:
                    self.masks[("tag", index)] = self.masks.get(("tag", index), 0) | bit
                tags >>= 1
                index += 1
            self.alive |= bit
            self.max_id = max(self.max_id, row.id)
        if pieces:
            self.corpus += _SEPARATOR.join(pieces) + _SEPARATOR
            self.words.clear()
            self.pays.clear()
            self.expired.clear()

    def drop(self, position: int) -> None:
        """Forget a posting that is no longer published (found out when re-checking it)."""
        self.alive &= ~(1 << position)

    def _from_positions(self, positions: Iterable[int]) -> int:
        bits = bytearray((len(self.ids) + 7) // 8 or 1)
        for p in positions:
            bits[p >> 3] |= 1 << (p & 7)
        return int.from_bytes(bits, "little")

    def word(self, word: str) -> int:
        """Postings whose search text contains ``word``."""
        mask = self.words.get(word)
        if mask is None:
            found = []
            corpus, starts, count = self.corpus, self.starts, len(self.ids)
            at = corpus.find(word)
            while at >= 0:
                p = bisect_right(starts, at) - 1
                found.append(p)
                at = corpus.find(word, starts[p + 1]) if p + 1 < count else -1
            mask = self._from_positions(found)
            if len(self.words) > 4096:
                self.words.clear()
            self.words[word] = mask
        return mask

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


_INDEXES: dict[str, _Index] = {}


def reset_search_index() -> None:
    """Drop every search index (the next large search rebuilds it); call after bulk edits."""
    _INDEXES.clear()


def _build(conn: Connection) -> _Index:
    index = _Index(built_at=time.monotonic())
    index.add(
        conn.execute(
            select(*_INDEX_COLUMNS)
            .where(_published())
            .order_by(POSTINGS.c.published_at, POSTINGS.c.id)
        )
    )
    return index


def _current_index(conn: Connection) -> _Index:
    """The index for this database, brought up to date with what was published since."""
    key = conn.engine.url.render_as_string(hide_password=True)
    index = _INDEXES.get(key)
    if index is None or index.stale or time.monotonic() - index.built_at > REBUILD_S:
        index = _INDEXES[key] = _build(conn)
        return index
    max_id = conn.execute(select(func.max(POSTINGS.c.id))).scalar() or 0
    if max_id < index.max_id:  # the table was emptied and refilled
        index = _INDEXES[key] = _build(conn)
        return index
    if index.ids:
        since = index.stamps[-1]
        fresh = conn.execute(
            select(*_INDEX_COLUMNS)
            .where(_published(), POSTINGS.c.published_at >= since)
            .order_by(POSTINGS.c.published_at, POSTINGS.c.id)
        ).all()
        last = (index.stamps[-1], index.ids[-1])
        new = []
        for row in fresh:
            known = index.positions.get(row.id)
            if known is not None:
                if index.stamps[known] != row.published_at:
                    index = _INDEXES[key] = _build(conn)
                    return index
                continue
            if (row.published_at, row.id) < last:
                index = _INDEXES[key] = _build(conn)
                return index
            new.append(row)
        index.add(new)
    elif max_id:
        index = _INDEXES[key] = _build(conn)
    return index


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


def _search_indexed(conn: Connection, query: JobQuery) -> SearchPage:
    today = _today(query)
    words = keyword_words(query.keywords)
    for attempt in range(4):
        index = _current_index(conn)
        ranked, total = _ranked_positions(index, query, words, today)
        wanted = ranked[query.offset : query.offset + query.limit + 1]
        ids = [index.ids[p] for p in wanted]
        rows = _views(conn, ids)
        good = []
        for p, posting_id in zip(wanted, ids, strict=True):
            row = rows.get(posting_id)
            if row is not None and (
                row.published_at != index.stamps[p] or row.search_text != index.texts[p]
            ):
                index.stale = True
            if row is None or not _row_passes(row, query, words, today):
                index.drop(p)
            else:
                good.append(posting_id)
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
    exact = mask
    candidates = mask
    for word in words:
        contains = index.word(word)
        exact &= contains
        candidates &= contains | index.near(word) if _fuzzy(word) else contains
    exact_count = exact.bit_count()
    if exact_count >= needed:
        return _top(exact, needed), None
    near = candidates & ~exact
    _exact, scored = _rank(words, ((p, index.texts[p]) for p in _all_bits(near)[: FUZZY_MAX * 2]))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    ranked = _all_bits(exact) + [p for _score_value, p in scored]
    return ranked, exact_count + len(scored)


# --- contacts, reports, expiry, forgetting ----------------------------------------------------


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


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
