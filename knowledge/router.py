"""Intent detection: fuzzy matching of a worker's message against curated phrases.

Pure code, no Telegram imports. Each knowledge entry belongs to one intent and carries phrases in
Chinese and English written the way workers type them; a message is scored (0-100) with rapidfuzz
against the phrases that share enough with it, and the best entry per intent competes.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from opencc import OpenCC
from rapidfuzz import fuzz, process

DATA = Path(__file__).with_name("data")
LANGS = ("zh", "en")

#: At or above this score (and clearly ahead of the runner-up) the bot goes straight on.
CONFIDENT = 82.0
#: The lead over the best other intent needed to go straight on.
MARGIN = 6.0
#: At or above this score the bot asks which service was meant.
UNSURE = 60.0
#: Messages longer than this are cut before matching (phrases are short).
MAX_QUERY = 200
#: Matches scoring below this are not worth listing as candidates at all.
FLOOR = 40.0
#: How many verdicts on recent short messages a router keeps, and how short they must be
#: (longer ones are stories, rarely sent twice word for word).
ROUTE_CACHE = 4096
CACHED_LENGTH = 64


class Intent(StrEnum):
    """Where a free-text message should go."""

    jobs = "jobs"
    legal = "legal"
    match = "match"
    station = "station"
    union = "union"
    faq = "faq"
    smalltalk = "smalltalk"
    unknown = "unknown"


class Decision(StrEnum):
    """What the router does with a message."""

    go = "go"
    ask = "ask"
    menu = "menu"


@dataclass(frozen=True)
class Entry:
    """A knowledge entry: an intent, the ways workers say it, and optionally an answer."""

    id: str
    intent: Intent
    phrases: dict[str, tuple[str, ...]]
    answer: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """The best-scoring entry of one intent for a message."""

    intent: Intent
    score: float
    entry: Entry
    phrase: str


@dataclass(frozen=True)
class Routing:
    """The router's verdict on one message."""

    text: str
    decision: Decision
    candidates: tuple[Match, ...]

    @property
    def best(self) -> Match | None:
        """The top candidate, if any scored at all."""
        return self.candidates[0] if self.candidates else None

    @property
    def intent(self) -> Intent:
        """The chosen intent (``unknown`` when the router falls back to the menu)."""
        if self.decision is Decision.menu or self.best is None:
            return Intent.unknown
        return self.best.intent

    @property
    def score(self) -> float:
        """The top score, 0 when nothing matched."""
        return self.best.score if self.best else 0.0


#: When one text is at least this many times longer than the other, the shorter is aligned
#: inside the longer (a phrase within a chatty message) instead of being compared whole.
PARTIAL_FROM = 1.5
#: An aligned match is worth PARTIAL + PARTIAL_COVER * (share of the longer text it covers), so
#: of two phrases found in a message the one explaining more of it wins ("不给钱" over "工作" in
#: "工作不给钱"). At the PARTIAL_FROM boundary this is 0.9, rapidfuzz's own partial scale.
PARTIAL = 0.8
PARTIAL_COVER = 0.15
#: How close (fuzz.ratio) a message word must be to a phrase word to bring that phrase in.
WORD_CUTOFF = 70.0
#: Intents whose phrases only count when they are (nearly) the whole message: "hi" inside
#: "hi my boss didnt pay me" says nothing about what the worker wants.
WHOLE_MESSAGE = frozenset({Intent.smalltalk})

_KEEP = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
#: Runs of non-Chinese word characters: English words and numbers.
_WORD = re.compile(r"[^\s\u4e00-\u9fff]+")
#: English words common to every kind of request; they never bring a phrase in on their own.
_FILLER_WORDS = """
    a an the and or but so to for of at in on with from by is are am was be been it its this that
    these there here i im me my mine you your u ur r we our us he she they them do does did dont
    can could would will pls plz please some any what where when how who which why want wanna
    need needs get got have has just now
"""
_FILLER = frozenset(_FILLER_WORDS.split())
#: The same words, for other rankers.
FILLER = _FILLER


@cache
def _to_simplified() -> OpenCC:
    """Traditional -> simplified Chinese (a dictionary conversion, loaded once)."""
    return OpenCC("t2s")


@cache
def _convertible() -> tuple[frozenset[str], tuple[str, ...]] | None:
    """What the t2s dictionaries change: the characters they map to something else, and the
    few phrases they change that hold none of those characters (沈默 -> 沉默: 沈 is also a
    simplified surname). A text holding neither is left as it is by the conversion, so it
    need not run. None if the dictionaries cannot be read: then every Chinese text is
    converted."""
    converter = _to_simplified()
    try:
        converter.convert("")  # loads the dictionaries
        entries = [
            (key, str(value))
            for chain in converter._dict_chain_data
            for _longest, _shortest, table in chain
            for key, value in table.items()
        ]
    except (AttributeError, TypeError, ValueError):
        return None
    # a value lists the choices, the first being the one taken ("乾" -> "干 乾")
    changed = [(key, value) for key, value in entries if value.split(" ")[0] != key]
    chars = frozenset(key for key, _value in changed if len(key) == 1)
    phrases = tuple(key for key, _value in changed if len(key) > 1 and chars.isdisjoint(key))
    return chars, phrases


def _has_traditional(text: str) -> bool:
    """Whether the t2s conversion could change ``text`` (see :func:`_convertible`)."""
    convertible = _convertible()
    if convertible is None:
        return True
    chars, phrases = convertible
    return not chars.isdisjoint(text) or any(phrase in text for phrase in phrases)


def normalize(text: str) -> str:
    """Fold width, case and traditional characters, drop punctuation and emoji, squeeze spaces
    between CJK characters."""
    text = unicodedata.normalize("NFKC", text)[:MAX_QUERY].lower()
    # the converter is pure Python and slow: skipped when no character could be converted
    if _CJK.search(text) and _has_traditional(text):
        text = _to_simplified().convert(text)
    text = _KEEP.sub(" ", text).replace("_", " ")
    words = text.split()
    out: list[str] = []
    for word in words:
        # Chinese has no spaces: join CJK runs so "找 工作" matches "找工作".
        if out and _CJK.search(out[-1][-1]) and _CJK.match(word[0]):
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


def text_by_lang(raw: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Pick ``{prefix}zh`` / ``{prefix}en`` strings out of a TOML table, skipping blanks."""
    found = {lang: str(raw.get(f"{prefix}{lang}", "")).strip() for lang in LANGS}
    return {lang: text for lang, text in found.items() if text}


def in_language(texts: Mapping[str, str], lang: str) -> str:
    """The text in ``lang``, else in the other language, else empty."""
    return texts.get(lang) or next((texts[other] for other in LANGS if texts.get(other)), "")


def units(text: str) -> set[str]:
    """The vocabulary of a text: its adjacent Chinese character pairs and its other words.

    The text is normalised first; a lone Chinese character counts on its own.
    """
    query = normalize(text)
    found: set[str] = set(_WORD.findall(query))
    for run in _CJK_RUN.findall(query):
        found.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return found


def load_entries(paths: Iterable[Path] | None = None) -> list[Entry]:
    """Read knowledge entries from TOML files (default: every file in ``knowledge/data``)."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for path in sorted(paths if paths is not None else DATA.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("entry", []):
            entry_id = str(raw["id"])
            if entry_id in seen:
                raise ValueError(f"{path.name}: duplicate entry id {entry_id}")
            seen.add(entry_id)
            phrases = {lang: tuple(str(p) for p in raw.get(lang, [])) for lang in LANGS}
            answer = {
                lang: str(raw[f"answer_{lang}"]) for lang in LANGS if f"answer_{lang}" in raw
            }
            entries.append(Entry(entry_id, Intent(raw["intent"]), phrases, answer))
    return entries


class IntentRouter:
    """Scores messages against the phrases of every entry; phrases are processed once.

    Aligning a message with every phrase is too slow to do per message, so phrases are indexed
    first: Chinese phrases by their characters, the others by their words. A Chinese phrase is
    scored only if it shares enough characters with the message to possibly reach ``UNSURE``;
    an English phrase only if one of its words (fillers aside) is close to a word of the message.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._choices: list[str] = []
        self._owners: list[tuple[Entry, str]] = []
        self._whole: list[bool] = []
        self._sizes: list[int] = []
        #: Chinese phrases by character: those holding it once, and the rest with how often.
        self._once: dict[str, list[int]] = {}
        self._more: dict[str, list[tuple[int, int]]] = {}
        self._by_word: dict[str, list[int]] = {}
        self._filler_only: list[int] = []
        for entry in self.entries:
            for lang in LANGS:
                for phrase in entry.phrases.get(lang, ()):
                    norm = normalize(phrase)
                    if norm:
                        self._add(norm, entry, phrase)
        self._vocab = list(self._by_word)
        self._decided = lru_cache(maxsize=ROUTE_CACHE)(self.decide)
        # Shared characters bound every score from above: with n of the shorter side's m
        # characters in common, an alignment is worth at most 2n / (m + n) times the largest
        # partial scale, so phrases sharing no more than this part of m score UNSURE at best.
        unsure, top = UNSURE / 100, PARTIAL + PARTIAL_COVER / PARTIAL_FROM
        self._need = unsure / (2 * top - unsure) + 1e-9  # the epsilon absorbs rounding
        self._bars = [self._need * size for size in self._sizes]

    def _add(self, norm: str, entry: Entry, phrase: str) -> None:
        index = len(self._choices)
        self._choices.append(norm)
        self._owners.append((entry, phrase))
        self._whole.append(entry.intent in WHOLE_MESSAGE)
        chars = Counter(norm.replace(" ", ""))
        self._sizes.append(chars.total())
        if _CJK.search(norm):
            for char, count in chars.items():
                if count == 1:
                    self._once.setdefault(char, []).append(index)
                else:
                    self._more.setdefault(char, []).append((index, count))
            return
        words = {w for w in norm.split() if w not in _FILLER}
        if not words:
            self._filler_only.append(index)
        for word in words:
            self._by_word.setdefault(word, []).append(index)

    def entry(self, entry_id: str) -> Entry | None:
        """Return the entry with this id, if any."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def _shortlist(self, query: str) -> set[int]:
        """Indices of the phrases worth scoring against ``query``."""
        chars = Counter(query.replace(" ", ""))
        size = chars.total()
        shared: Counter[int] = Counter()
        for char, count in chars.items():
            shared.update(self._once.get(char, ()))  # counted in C: the common case
            for index, in_phrase in self._more.get(char, ()):
                shared[index] += min(count, in_phrase)
        # more shared than the bound allows for the shorter side: the phrase's or the query's
        bar, bars = self._need * size, self._bars
        found = {i for i, n in shared.items() if n > bar or n > bars[i]}
        if _WORD.search(query):
            found.update(self._filler_only)
        for word in {w for w in _WORD.findall(query) if w not in _FILLER}:
            for known, _score, _index in process.extract(
                word,
                self._vocab,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=WORD_CUTOFF,
                limit=None,
            ):
                found.update(self._by_word[known])
        return found

    def _score(self, query: str, index: int) -> float:
        """How well phrase ``index`` matches ``query``, 0-100."""
        choice = self._choices[index]
        short, long_ = sorted((len(query), len(choice)))
        if long_ < PARTIAL_FROM * short:
            # Similar lengths: rapidfuzz's WRatio (plain and token-sorted/-set ratios).
            return fuzz.WRatio(query, choice, processor=None)
        ratio = fuzz.ratio(query, choice)
        if self._whole[index]:
            return ratio
        # One text inside a longer one. WRatio would also give ~86 to any two English texts that
        # merely share a word ("my", "for"), so only the character alignment counts here.
        scale = PARTIAL + PARTIAL_COVER * short / long_
        return max(ratio, fuzz.partial_ratio(query, choice) * scale)

    def _matches(self, query: str) -> Iterator[tuple[float, Entry, str]]:
        """Each phrase scoring at least ``FLOOR`` against the normalised ``query``, in order."""
        for index in sorted(self._shortlist(query)):  # sorted: ties go to the earlier phrase
            score = self._score(query, index)
            if score >= FLOOR:
                entry, phrase = self._owners[index]
                yield float(score), entry, phrase

    def rank(self, text: str, *, limit: int) -> list[Match]:
        """The best-scoring phrase of each entry for ``text``, best first, at most ``limit``."""
        query = normalize(text)
        if not query or limit <= 0:
            return []
        best: dict[str, tuple[Match, int]] = {}
        for order, (score, entry, phrase) in enumerate(self._matches(query)):
            current = best.get(entry.id)
            if current is None or score > current[0].score:
                best[entry.id] = (Match(entry.intent, score, entry, phrase), order)
        return _best_first(best.values())[:limit]

    def route(self, text: str) -> Routing:
        """Score ``text`` and decide: go straight to a service, ask, or show the menu.

        Workers send the same short messages over and over ("找工作", "附近驿站"): the
        verdicts on the latest ``ROUTE_CACHE`` short ones are kept (the entries never change
        while the process runs, so a kept verdict is the one :meth:`decide` would give).
        """
        if len(text) <= CACHED_LENGTH:
            return self._decided(text)
        return self.decide(text)

    def decide(self, text: str) -> Routing:
        """Score ``text`` and decide, without looking at verdicts kept before."""
        query = normalize(text)
        if not query:
            return Routing(text, Decision.menu, ())
        best: dict[Intent, tuple[Match, int]] = {}
        for order, (score, entry, phrase) in enumerate(self._matches(query)):
            current = best.get(entry.intent)
            if current is None or score > current[0].score:
                best[entry.intent] = (Match(entry.intent, score, entry, phrase), order)
        candidates = tuple(_best_first(best.values()))
        if not candidates or candidates[0].score < UNSURE:
            return Routing(text, Decision.menu, candidates)
        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if top.score >= CONFIDENT and top.score - runner_up >= MARGIN:
            return Routing(text, Decision.go, candidates)
        return Routing(text, Decision.ask, candidates)


def _best_first(found: Iterable[tuple[Match, int]]) -> list[Match]:
    """Matches by score, best first; of equal scores, the one whose phrase comes first in the
    knowledge files (``order``: where its phrase came in :meth:`IntentRouter._matches`), so a
    tie never depends on which weaker phrases happened to match before."""
    return [match for match, _order in sorted(found, key=lambda item: (-item[0].score, item[1]))]


@cache
def default_router() -> IntentRouter:
    """The router over the shipped knowledge files (built once per process)."""
    return IntentRouter(load_entries())
