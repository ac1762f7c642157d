"""The legal knowledge base: labour-law questions workers ask, answered with the articles cited.

Pure code, no Telegram imports and no database. Entries live in ``knowledge/data/legal/*.toml``
(one ``[[faq]]`` table per question) and the laws they cite in ``laws.toml`` beside them. A
worker's message is matched against the phrasings of every entry with the intent router's
scoring (``IntentRouter.rank``), so the FAQ and the router read messages the same way.

Worker messages often mix several topics ("公司拖欠工资 我辞职能要补偿吗"), and the single
phrase that aligns best with part of a message may belong to the narrower question. So the
router's best entries are re-ranked by how much of the message each entry's vocabulary covers
(Chinese character pairs and English words, weighted by how rare they are across entries): the
entry that explains the whole message wins among close candidates.

Then every score of the message moves alike (so the order stays) by how sure the best hit is:
up when it is clearly ahead of the next entry, down when several entries tie (a bare "工资" is
in many of them), and down when the message leaves out much of the best hit's phrase (a bare
"怎么办" inside "欠薪怎么办"). A hit at or above ``ANSWER_SCORE`` can be given as the answer.

Long questions, told as stories, rarely align with one short phrasing; a second ranker (BM25
over character pairs, :mod:`knowledge.rank`) reads them as a whole, and the two rankings are
fused by rank. :meth:`LegalKB.decide` turns that into one of three outcomes: *answer* (one entry,
when the evidence is strong), *offer* (the best two or three entries to choose from) or
*hand over* (nothing relevant, or not a labour matter: point to public legal services).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from knowledge.rank import BM25, Scored, Vocabulary, fuse
from knowledge.router import (
    CACHED_LENGTH,
    LANGS,
    ROUTE_CACHE,
    Entry,
    Intent,
    IntentRouter,
    in_language,
    normalize,
    text_by_lang,
    units,
)

DATA = Path(__file__).with_name("data") / "legal"
LAWS_FILE = DATA / "laws.toml"

#: Topics in the order a worker's menu lists them.
CATEGORIES: tuple[str, ...] = (
    "wages",
    "contract",
    "probation",
    "overtime",
    "dismissal",
    "resign",
    "injury",
    "insurance",
    "women",
    "dispatch",
    "platform",
    "dispute",
    "aid",
)

#: At or above this score the top hit is given as the answer; below it hits are suggestions.
ANSWER_SCORE = 75.0
#: A hit's score is (1 - COVER_WEIGHT) * the router's phrase score + COVER_WEIGHT * 100 * the
#: share of the message the entry's vocabulary covers.
COVER_WEIGHT = 0.4
#: How many of the router's best entries are re-ranked by coverage.
POOL = 10
#: The scores of a message move by LEAD_BONUS * min(lead, LEAD_FULL) / LEAD_FULL - TIE_PENALTY
#: - LEFT_OUT_PENALTY * (share of the best hit's phrase missing from the message), where lead is
#: how far the best entry is ahead of the next one.
LEAD_BONUS = 40.0
LEAD_FULL = 15.0
TIE_PENALTY = 25.0
LEFT_OUT_PENALTY = 25.0

#: How many entries an offer lists.
OFFER_SIZE = 3
#: The decision (see :meth:`LegalKB.decide`), calibrated on labelled real questions and the
#: held-out phrasings of the tests: when both rankers put the same entry first, it is answered if
#: its BM25 score is at least ANSWER_BM25 and ANSWER_LEAD times the runner-up's, or if its phrase
#: score is at least ANSWER_AGREE and BM25 has it AGREE_LEAD times ahead; below OFFER_BM25 and
#: OFFER_SCORE nothing is worth offering.
ANSWER_BM25 = 15.0
ANSWER_LEAD = 1.2
ANSWER_AGREE = 25.0
#: ...with BM25 ahead of its runner-up at least this much (a tie is no agreement).
AGREE_LEAD = 1.05
#: When the phrase ranker found nothing worth offering (below OFFER_SCORE), BM25 alone answers if
#: its best entry scores at least SOLE_BM25 and SOLE_LEAD times its runner-up: one ranker sure,
#: the other silent rather than against it, so it needs more than two rankers that agree.
SOLE_BM25 = 18.0
SOLE_LEAD = 1.3
OFFER_BM25 = 2.0
OFFER_SCORE = 20.0
#: Words of matters outside labour law; a message with them and no labour word is handed over.
OUTSIDE = (
    "房租", "房东", "租房", "借钱", "借款", "贷款", "网贷", "离婚", "抚养", "彩礼", "遗产",
    "继承", "邻居", "物业", "买房", "购房", "车祸", "诈骗", "赌", "rent", "landlord", "loan",
    "divorce", "custody", "inheritance", "neighbour", "neighbor",
)  # fmt: skip
LABOUR = (
    "工资", "工钱", "薪", "工伤", "劳动", "合同", "公司", "老板", "单位", "厂", "工地", "社保",
    "辞退", "开除", "辞职", "加班", "上班", "仲裁", "员工", "职工", "公积金", "五险", "养老",
    "退休", "失业", "医保", "生育", "派遣", "宿舍", "工友", "工作", "wage", "salary", "boss",
    "employer", "company", "work", "job", "contract", "fired", "overtime", "injur",
)  # fmt: skip

#: Entry ids travel in callback data, so they stay short and plain.
ID_PATTERN = re.compile(r"^[a-z0-9_.]{1,24}$")
#: An article number, optionally with a sub-article ("276-1" is Art. 276-1, 第276条之一).
ARTICLE_PATTERN = re.compile(r"^[1-9]\d{0,3}(?:-[1-9])?$")

_ZH_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Citation:
    """One article of one law; ``article`` is empty when the whole document is cited."""

    law: str
    article: str


@dataclass(frozen=True)
class Law:
    """A law or regulation an entry may cite: its names and, for documents, its number."""

    key: str
    name: dict[str, str]
    number: dict[str, str]


@dataclass(frozen=True)
class LegalEntry:
    """A question workers ask, its answer in both languages and the articles it rests on."""

    id: str
    category: str
    title: dict[str, str]
    answer: dict[str, str]
    phrases: dict[str, tuple[str, ...]]
    cites: tuple[Citation, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalHit:
    """An entry that matched a message, how well (0-100) and through which phrasing."""

    entry: LegalEntry
    score: float
    phrase: str


class Outcome(StrEnum):
    """What the bot does with a legal question."""

    answer = "answer"
    offer = "offer"
    handover = "handover"


@dataclass(frozen=True)
class LegalDecision:
    """The outcome for one question and the entries behind it (best first).

    For ``answer`` the first hit is the answer and the rest may be offered as related; for
    ``offer`` the hits are the choices; for ``handover`` there may be none.
    """

    outcome: Outcome
    hits: tuple[LegalHit, ...]

    @property
    def answered(self) -> LegalEntry | None:
        """The entry given as the answer, if any."""
        return self.hits[0].entry if self.outcome is Outcome.answer and self.hits else None

    @property
    def offered(self) -> tuple[LegalEntry, ...]:
        """The entries offered to choose from (none unless the outcome is ``offer``)."""
        return tuple(h.entry for h in self.hits) if self.outcome is Outcome.offer else ()


def outside_labour_law(text: str) -> bool:
    """True when ``text`` speaks of a matter outside labour law and of nothing of work."""
    folded = normalize(text)
    return any(w in folded for w in OUTSIDE) and not any(w in folded for w in LABOUR)


@dataclass(frozen=True)
class _Laws:
    """Everything ``laws.toml`` holds."""

    laws: dict[str, Law]
    basis: dict[str, str]


@cache
def _laws() -> _Laws:
    """Read the laws and the citation prefix from ``laws.toml`` (once per process)."""
    data = tomllib.loads(LAWS_FILE.read_text(encoding="utf-8"))
    laws: dict[str, Law] = {}
    for key, raw in data.get("law", {}).items():
        name = text_by_lang(raw)
        if set(name) != set(LANGS):
            raise ValueError(f"{LAWS_FILE.name}: law {key} needs a name in {', '.join(LANGS)}")
        laws[key] = Law(key, name, text_by_lang(raw, "number_"))
    basis = {lang: str(data.get("basis", {}).get(lang, "")) for lang in LANGS}
    if not all(text.strip() for text in basis.values()):
        raise ValueError(f"{LAWS_FILE.name}: [basis] needs {', '.join(LANGS)}")
    return _Laws(laws, basis)


def law_names(lang: str) -> dict[str, str]:
    """The name of every citable law in ``lang`` (Chinese for an unknown language)."""
    return {key: law.name.get(lang, law.name["zh"]) for key, law in _laws().laws.items()}


def _entry(raw: Mapping[str, Any]) -> LegalEntry:
    """Build one entry from its TOML table."""
    cites = tuple(Citation(str(c["law"]), str(c.get("article", ""))) for c in raw.get("cites", []))
    return LegalEntry(
        id=str(raw["id"]),
        category=str(raw["category"]),
        title=text_by_lang(raw, "title_"),
        answer=text_by_lang(raw, "answer_"),
        phrases={lang: tuple(str(p) for p in raw.get(lang, [])) for lang in LANGS},
        cites=cites,
        related=tuple(str(r) for r in raw.get("related", [])),
    )


def _problems(entry: LegalEntry, laws: Mapping[str, Law]) -> list[str]:
    """What is wrong with one entry on its own (ids of related entries are checked later)."""
    problems = []
    if not ID_PATTERN.match(entry.id):
        problems.append("the id must be 1-24 characters of a-z, 0-9, '_' and '.'")
    if entry.category not in CATEGORIES:
        problems.append(f"unknown category {entry.category!r}")
    for lang in LANGS:
        if lang not in entry.title:
            problems.append(f"no {lang} title")
        if lang not in entry.answer:
            problems.append(f"no {lang} answer")
        if not entry.phrases.get(lang):
            problems.append(f"no {lang} phrasings")
    if not entry.cites:
        problems.append("cites no article")
    for cite in entry.cites:
        if cite.law not in laws:
            problems.append(f"cites unknown law {cite.law!r}")
        if cite.article and not ARTICLE_PATTERN.match(cite.article):
            problems.append(f"bad article {cite.article!r} of {cite.law}")
    if entry.id in entry.related:
        problems.append("is related to itself")
    return problems


def load_legal_entries(paths: Iterable[Path] | None = None) -> list[LegalEntry]:
    """Read and check the FAQ entries (default: every data file beside ``laws.toml``).

    Citations are checked against ``laws.toml`` whichever files are read.

    Raises ``ValueError`` naming the file and entry when an id repeats or is malformed, a
    category or law is unknown, a related id does not exist, or a language is missing.
    """
    laws = _laws().laws
    files = paths if paths is not None else (p for p in DATA.glob("*.toml") if p != LAWS_FILE)
    entries: list[LegalEntry] = []
    where: dict[str, str] = {}
    for path in sorted(files):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("faq", []):
            entry = _entry(raw)
            if entry.id in where:
                raise ValueError(f"{path.name}: duplicate entry id {entry.id}")
            problems = _problems(entry, laws)
            if problems:
                raise ValueError(f"{path.name}: {entry.id}: {'; '.join(problems)}")
            where[entry.id] = path.name
            entries.append(entry)
    for entry in entries:
        missing = [r for r in entry.related if r not in where]
        if missing:
            raise ValueError(f"{where[entry.id]}: {entry.id}: unknown related {missing}")
    return entries


def _article(article: str, lang: str) -> str:
    """``"30"`` as 第30条 / 30, and ``"276-1"`` as 第276条之一 / 276-1."""
    if lang != "zh":
        return article
    number, _, sub = article.partition("-")
    return f"第{number}条" + (f"之{_ZH_DIGITS[int(sub)]}" if sub else "")


def _law_label(key: str, lang: str) -> str:
    """How a law is named in a citation line; an unknown key is shown as it is."""
    law = _laws().laws.get(key)
    if law is None:
        return key
    name = law.name.get(lang, law.name["zh"])
    number = law.number.get(lang, "")
    if lang == "zh":
        return f"《{name}》" + (f"（{number}）" if number else "")
    return name + (f" ({number})" if number else "")


def citation_text(entry: LegalEntry, lang: str) -> str:
    """The entry's legal basis as one line, laws in the order first cited; empty if none.

    ``依据：《劳动合同法》第30条、第85条；《劳动法》第50条`` /
    ``Legal basis: Labour Contract Law, Arts. 30, 85; Labour Law, Art. 50``.
    """
    if not entry.cites:
        return ""
    lang = lang if lang in LANGS else "zh"
    articles: dict[str, list[str]] = {}
    for cite in entry.cites:
        listed = articles.setdefault(cite.law, [])
        if cite.article and cite.article not in listed:
            listed.append(cite.article)
    parts = []
    for key, numbers in articles.items():
        label = _law_label(key, lang)
        if not numbers:
            parts.append(label)
        elif lang == "zh":
            parts.append(label + "、".join(_article(n, lang) for n in numbers))
        else:
            arts = "Art." if len(numbers) == 1 else "Arts."
            parts.append(f"{label}, {arts} {', '.join(numbers)}")
    separator = "；" if lang == "zh" else "; "
    return _laws().basis[lang] + separator.join(parts)


def render(entry: LegalEntry, lang: str) -> str:
    """The entry as a message: title, answer and the citation line (plain text).

    A missing language falls back to the other one, so an entry written only in Chinese
    still answers an English reader.
    """
    parts = [
        in_language(entry.title, lang),
        in_language(entry.answer, lang),
        citation_text(entry, lang),
    ]
    return "\n\n".join(part for part in parts if part)


def router_entry(entry: LegalEntry) -> Entry:
    """The entry as the router sees it: its phrasings plus its titles, which are questions."""
    phrases = {
        lang: entry.phrases.get(lang, ()) + ((entry.title[lang],) if entry.title.get(lang) else ())
        for lang in LANGS
    }
    return Entry(entry.id, Intent.legal, phrases)


def _document(entry: LegalEntry) -> list[str]:
    """What BM25 reads of an entry: its phrasings and titles in every language."""
    texts: list[str] = []
    for lang in LANGS:
        texts.extend(entry.phrases.get(lang, ()))
        texts.append(entry.title.get(lang, ""))
    return texts


def _phrasings(entry: Entry) -> list[str]:
    """Every phrasing of a routing entry, in both languages."""
    return [p for lang in LANGS for p in entry.phrases.get(lang, ())]


class LegalKB:
    """The FAQ entries and a matcher over their phrasings (built once; searching is cheap)."""

    def __init__(self, entries: Iterable[LegalEntry]) -> None:
        # A later entry with the id of an earlier one takes its place (an edited answer). Entries
        # made at run time are not checked like the files: they may lack a language, cites or
        # related entries, or use a category of their own.
        self._by_id: dict[str, LegalEntry] = {}
        for entry in entries:
            self._by_id[entry.id] = entry
        self.entries: tuple[LegalEntry, ...] = tuple(self._by_id.values())
        router_entries = [router_entry(e) for e in self.entries]
        self._router = IntentRouter(router_entries)
        self._vocab = Vocabulary({e.id: _phrasings(e) for e in router_entries})
        self._bm25 = BM25({e.id: _document(e) for e in self.entries})
        self._decided = lru_cache(maxsize=ROUTE_CACHE)(self.weigh)

    def get(self, entry_id: str) -> LegalEntry | None:
        """Return the entry with this id, if any."""
        return self._by_id.get(entry_id)

    def in_category(self, category: str) -> list[LegalEntry]:
        """The entries of one category, in data order."""
        return [e for e in self.entries if e.category == category]

    def search(self, text: str, *, limit: int = 3) -> list[LegalHit]:
        """The entries best matching ``text``, best first, one hit per entry."""
        if limit <= 0:
            return []
        matches = self._router.rank(text, limit=max(limit, POOL))
        if not matches:
            return []
        said = units(text)
        scored = [
            (
                (1 - COVER_WEIGHT) * m.score
                + COVER_WEIGHT * 100 * self._vocab.share(said, self._vocab.of[m.entry.id]),
                m,
            )
            for m in matches
        ]
        scored.sort(key=lambda pair: pair[0], reverse=True)  # stable: ties keep router order
        best, top = scored[0]
        lead = best - (scored[1][0] if len(scored) > 1 else 0.0)
        left_out = 1 - self._vocab.share(units(top.phrase), said)
        shift = (
            LEAD_BONUS * min(lead, LEAD_FULL) / LEAD_FULL
            - TIE_PENALTY
            - LEFT_OUT_PENALTY * left_out
        )
        return [
            LegalHit(self._by_id[m.entry.id], min(100.0, max(0.0, score + shift)), m.phrase)
            for score, m in scored[:limit]
        ]

    def bm25(self, text: str, *, limit: int = POOL) -> list[Scored]:
        """The entries BM25 finds for ``text`` (keyed by entry id), best first."""
        return self._bm25.search(text, limit=limit)

    def evidence(self, text: str) -> tuple[LegalEntry, float] | None:
        """The entry BM25 ranks first for ``text`` and its score, or None if no term matched."""
        found = self.bm25(text, limit=1)
        return (self._by_id[found[0].key], found[0].score) if found else None

    def decide(self, text: str) -> LegalDecision:
        """Answer, offer or hand over: see the module's documentation and :meth:`weigh`.

        Workers ask the same short questions over and over ("拖欠工资怎么办"), as they send the
        router the same short messages: the decisions on the latest ``ROUTE_CACHE`` short ones
        are kept, as the router keeps its verdicts (a knowledge base never changes once built:
        an edited one is a new ``LegalKB``, with nothing kept).
        """
        if len(text) <= CACHED_LENGTH:
            return self._decided(text)
        return self.weigh(text)

    def weigh(self, text: str) -> LegalDecision:
        """Decide on ``text`` without looking at decisions kept before.

        An entry is answered when its phrase hit reaches ANSWER_SCORE (a short message close to
        a phrasing), when both rankers put it first and BM25 has it clearly ahead, or when BM25
        has it far ahead and the phrase ranker found nothing worth offering. Otherwise
        the entries of the fused ranking are offered if either ranker found real evidence, and
        the question is handed over if not (or if it is about rent, loans, family and the like).
        """
        phrase_hits = self.search(text, limit=POOL)
        bm25 = self.bm25(text)
        if outside_labour_law(text) or (not phrase_hits and not bm25):
            return LegalDecision(Outcome.handover, ())
        by_id = {h.entry.id: h for h in phrase_hits}
        best_phrase = phrase_hits[0] if phrase_hits else None
        if best_phrase is not None and best_phrase.score >= ANSWER_SCORE:
            return LegalDecision(Outcome.answer, tuple(phrase_hits[:OFFER_SIZE]))
        rankings = [[h.entry.id for h in phrase_hits], [b.key for b in bm25]]
        fused = [key for key, _ in fuse(rankings)]
        hits = tuple(by_id.get(key) or LegalHit(self._by_id[key], 0.0, "") for key in fused)
        top_bm25 = bm25[0].score if bm25 else 0.0
        runner_up = bm25[1].score if len(bm25) > 1 else 0.0
        agree = best_phrase is not None and bm25 and best_phrase.entry.id == bm25[0].key
        clear = top_bm25 >= ANSWER_BM25 and top_bm25 >= ANSWER_LEAD * runner_up
        close = best_phrase is not None and best_phrase.score >= ANSWER_AGREE
        best_score = best_phrase.score if best_phrase is not None else 0.0
        alone = (
            best_score < OFFER_SCORE
            and top_bm25 >= SOLE_BM25
            and top_bm25 >= SOLE_LEAD * runner_up
        )
        if (agree and (clear or (close and top_bm25 >= AGREE_LEAD * runner_up))) or alone:
            key = bm25[0].key
            first = by_id.get(key) or LegalHit(self._by_id[key], 0.0, "")
            rest = tuple(h for h in hits if h.entry.id != key)
            return LegalDecision(Outcome.answer, (first, *rest[: OFFER_SIZE - 1]))
        if top_bm25 >= OFFER_BM25 or best_score >= OFFER_SCORE:
            return LegalDecision(Outcome.offer, hits[:OFFER_SIZE])
        return LegalDecision(Outcome.handover, ())

    def related(
        self, entry: LegalEntry, hits: list[LegalHit], *, count: int = 2
    ) -> list[LegalEntry]:
        """Entries to offer next: the entry's own related list first, then the other hits."""
        found: list[LegalEntry] = []
        candidates = [self.get(r) for r in entry.related] + [h.entry for h in hits]
        for candidate in candidates:
            if len(found) >= count:
                break
            if candidate is None or candidate.id == entry.id:
                continue
            if all(candidate.id != f.id for f in found):
                found.append(candidate)
        return found

    def with_entries(self, extra: Iterable[LegalEntry]) -> LegalKB:
        """A new knowledge base holding these entries too; one with a known id replaces it."""
        return LegalKB((*self.entries, *extra))


@cache
def default_kb() -> LegalKB:
    """The knowledge base over the shipped FAQ files (built once per process)."""
    return LegalKB(load_legal_entries())
