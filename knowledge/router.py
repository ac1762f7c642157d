"""Intent detection: fuzzy matching of a worker's message against curated phrases.

Pure code, no Telegram imports. Each knowledge entry belongs to one intent and carries phrases in
Chinese and English written the way workers type them; a message is scored (0-100) against every
phrase with rapidfuzz and the best entry per intent competes.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

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


class Intent(StrEnum):
    """Where a free-text message should go."""

    jobs = "jobs"
    legal = "legal"
    match = "match"
    station = "station"
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


_KEEP = re.compile(r"[^\w\u4e00-\u9fff]+", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """Fold width and case, drop punctuation and emoji, squeeze spaces between CJK characters."""
    text = unicodedata.normalize("NFKC", text)[:MAX_QUERY].lower()
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
            answer = {lang: str(raw[f"answer_{lang}"]) for lang in LANGS if f"answer_{lang}" in raw}
            entries.append(Entry(entry_id, Intent(raw["intent"]), phrases, answer))
    return entries


class IntentRouter:
    """Scores messages against every phrase of every entry; phrases are processed once."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._choices: list[str] = []
        self._owners: list[tuple[Entry, str]] = []
        for entry in self.entries:
            for lang in LANGS:
                for phrase in entry.phrases.get(lang, ()):
                    norm = normalize(phrase)
                    if norm:
                        self._choices.append(norm)
                        self._owners.append((entry, phrase))

    def entry(self, entry_id: str) -> Entry | None:
        """Return the entry with this id, if any."""
        return next((e for e in self.entries if e.id == entry_id), None)

    def route(self, text: str) -> Routing:
        """Score ``text`` and decide: go straight to a service, ask, or show the menu."""
        query = normalize(text)
        if not query:
            return Routing(text, Decision.menu, ())
        hits = process.extract(
            query, self._choices, scorer=fuzz.WRatio, processor=None, limit=40, score_cutoff=40
        )
        words = set(query.split())
        best: dict[Intent, Match] = {}
        for choice, score, index in hits:
            if len(choice) < 3 and not _CJK.search(choice) and choice not in words:
                continue  # "hi" or "ok" must be a word of the message, not a fragment
            entry, phrase = self._owners[index]
            current = best.get(entry.intent)
            if current is None or score > current.score:
                best[entry.intent] = Match(entry.intent, float(score), entry, phrase)
        candidates = tuple(sorted(best.values(), key=lambda m: m.score, reverse=True))
        if not candidates or candidates[0].score < UNSURE:
            return Routing(text, Decision.menu, candidates)
        top = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        if top.score >= CONFIDENT and top.score - runner_up >= MARGIN:
            return Routing(text, Decision.go, candidates)
        return Routing(text, Decision.ask, candidates)


@cache
def default_router() -> IntentRouter:
    """The router over the shipped knowledge files (built once per process)."""
    return IntentRouter(load_entries())
