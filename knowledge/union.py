"""The union's own services as knowledge: study grants, hardship aid, legal-aid stations and more.

Pure code, no Telegram imports and no database. Entries live in ``knowledge/data/union/*.toml``
(one ``[[service]]`` table per service). A worker's message is matched against the phrasings of
every entry with the intent router's scoring (``IntentRouter.rank``), as the legal FAQ does.

Every entry is also scored by how much of the message its vocabulary covers (Chinese character
pairs and English words, weighted by how rare they are across entries), so the entry that
explains the whole message wins among close candidates, and a long message that aligns with no
single phrasing still finds its entry. Then every score moves alike by how sure the best hit
is: up when it is clearly ahead of the next entry, down when entries tie, when the message
leaves out much of the best hit's phrase, or when much of the message is words no entry knows.
A hit at or above ``ANSWER_SCORE`` can be given as the answer.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.rank import Vocabulary
from knowledge.router import (
    LANGS,
    Entry,
    Intent,
    IntentRouter,
    in_language,
    text_by_lang,
    units,
)

DATA = Path(__file__).with_name("data") / "union"

#: At or above this score the top hit is given as the answer; below it hits are suggestions.
ANSWER_SCORE = 65.0
#: Other hits at or above this score are worth offering beside an answer.
OFFER_SCORE = 45.0
#: An entry ranks by (1 - COVER_WEIGHT) * the router's phrase score + COVER_WEIGHT * 100 * the
#: share of the message's known words (those some entry has) that the entry's vocabulary covers.
COVER_WEIGHT = 0.5
#: The scores of a message then move by LEAD_BONUS * min(lead, LEAD_FULL) / LEAD_FULL
#: - TIE_PENALTY - LEFT_OUT_PENALTY * (share of the best hit's phrase missing from the message)
#: - UNKNOWN_PENALTY * (share of the message no entry knows), where lead is how far the best
#: entry is ahead of the next one.
LEAD_BONUS = 50.0
LEAD_FULL = 15.0
TIE_PENALTY = 25.0
LEFT_OUT_PENALTY = 20.0
UNKNOWN_PENALTY = 20.0

#: Entry ids travel in callback data, so they stay short and plain.
ID_PATTERN = re.compile(r"^[a-z0-9_.]{1,24}$")
#: Services of the bot an entry may send the worker on to (the main menu's keys).
OPENS = ("jobs", "legal", "match", "station")


@dataclass(frozen=True)
class UnionEntry:
    """A union service: its title and plain-steps answer in both languages, and how workers
    ask for it; ``opens`` names a service of the bot that takes the worker further."""

    id: str
    title: dict[str, str]
    answer: dict[str, str]
    phrases: dict[str, tuple[str, ...]]
    related: tuple[str, ...] = ()
    opens: str = ""


@dataclass(frozen=True)
class UnionHit:
    """An entry that matched a message, how well (0-100) and through which phrasing."""

    entry: UnionEntry
    score: float
    phrase: str


def _entry(raw: Mapping[str, Any]) -> UnionEntry:
    """Build one entry from its TOML table."""
    return UnionEntry(
        id=str(raw.get("id", "")),
        title=text_by_lang(raw, "title_"),
        answer=text_by_lang(raw, "answer_"),
        phrases={
            lang: tuple(p for p in (str(x).strip() for x in raw.get(lang, [])) if p)
            for lang in LANGS
        },
        related=tuple(str(r) for r in raw.get("related", [])),
        opens=str(raw.get("opens", "")),
    )


def _problems(entry: UnionEntry) -> list[str]:
    """What is wrong with one entry on its own (ids of related entries are checked later)."""
    problems = []
    if not ID_PATTERN.match(entry.id):
        problems.append("the id must be 1-24 characters of a-z, 0-9, '_' and '.'")
    for lang in LANGS:
        if lang not in entry.title:
            problems.append(f"no {lang} title")
        if lang not in entry.answer:
            problems.append(f"no {lang} answer")
        if not entry.phrases.get(lang):
            problems.append(f"no {lang} phrasings")
    if entry.opens and entry.opens not in OPENS:
        problems.append(f"opens unknown service {entry.opens!r}")
    if entry.id in entry.related:
        problems.append("is related to itself")
    return problems


def load_union_entries(paths: Iterable[Path] | None = None) -> list[UnionEntry]:
    """Read and check the union service entries (default: every file in ``data/union``).

    Raises ``ValueError`` naming the file and entry when an id repeats or is malformed, a
    language is missing, or a related id or opened service does not exist.
    """
    files = paths if paths is not None else DATA.glob("*.toml")
    entries: list[UnionEntry] = []
    where: dict[str, str] = {}
    for path in sorted(files):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("service", []):
            entry = _entry(raw)
            if entry.id in where:
                raise ValueError(f"{path.name}: duplicate entry id {entry.id}")
            problems = _problems(entry)
            if problems:
                raise ValueError(f"{path.name}: {entry.id or '(no id)'}: {'; '.join(problems)}")
            where[entry.id] = path.name
            entries.append(entry)
    for entry in entries:
        missing = [r for r in entry.related if r not in where]
        if missing:
            raise ValueError(f"{where[entry.id]}: {entry.id}: unknown related {missing}")
    return entries


def title(entry: UnionEntry, lang: str) -> str:
    """The entry's title in ``lang`` (the other language when it has none)."""
    return in_language(entry.title, lang)


def render(entry: UnionEntry, lang: str) -> str:
    """The entry as a message: title and answer (plain text)."""
    parts = [in_language(entry.title, lang), in_language(entry.answer, lang)]
    return "\n\n".join(part for part in parts if part)


def router_entry(entry: UnionEntry) -> Entry:
    """The entry as the router sees it: its phrasings plus its titles, which are questions."""
    phrases = {
        lang: entry.phrases.get(lang, ()) + ((entry.title[lang],) if entry.title.get(lang) else ())
        for lang in LANGS
    }
    return Entry(entry.id, Intent.union, phrases)


class UnionKB:
    """The union service entries and a matcher over their phrasings (built once)."""

    def __init__(self, entries: Iterable[UnionEntry]) -> None:
        # A later entry with the id of an earlier one takes its place.
        self._by_id: dict[str, UnionEntry] = {}
        for entry in entries:
            self._by_id[entry.id] = entry
        self.entries: tuple[UnionEntry, ...] = tuple(self._by_id.values())
        router_entries = [router_entry(e) for e in self.entries]
        self._router = IntentRouter(router_entries)
        self._vocab = Vocabulary(
            {e.id: [p for lang in LANGS for p in e.phrases[lang]] for e in router_entries}
        )

    def get(self, entry_id: str) -> UnionEntry | None:
        """Return the entry with this id, if any."""
        return self._by_id.get(entry_id)

    def search(self, text: str, *, limit: int = 3) -> list[UnionHit]:
        """The entries best matching ``text``, best first, one hit per entry."""
        if limit <= 0:
            return []
        matches = {m.entry.id: m for m in self._router.rank(text, limit=len(self.entries))}
        said = units(text)
        ranked: list[tuple[float, UnionEntry, str]] = []
        for entry in self.entries:
            match = matches.get(entry.id)
            # Among entries only the words some entry knows tell them apart.
            cover = self._vocab.share(said, self._vocab.of[entry.id], rare=0.0)
            if match is None and not cover:
                continue
            phrase_score = match.score if match is not None else 0.0
            score = (1 - COVER_WEIGHT) * phrase_score + COVER_WEIGHT * 100 * cover
            ranked.append((score, entry, match.phrase if match is not None else ""))
        if not ranked:
            return []
        ranked.sort(key=lambda row: row[0], reverse=True)  # stable: ties keep data order
        best, _entry, phrase = ranked[0]
        lead = best - (ranked[1][0] if len(ranked) > 1 else 0.0)
        left_out = 1 - self._vocab.share(units(phrase), said) if phrase else 1.0
        unknown = 1 - self._vocab.share(said, self._vocab.known)
        shift = (
            LEAD_BONUS * min(lead, LEAD_FULL) / LEAD_FULL
            - TIE_PENALTY
            - LEFT_OUT_PENALTY * left_out
            - UNKNOWN_PENALTY * unknown
        )
        return [
            UnionHit(entry, min(100.0, max(0.0, score + shift)), phrase)
            for score, entry, phrase in ranked[:limit]
        ]

    def answer(self, text: str) -> tuple[UnionEntry | None, list[UnionHit]]:
        """The entry to give as the answer to ``text`` (None when unsure) and the hits."""
        hits = self.search(text)
        if hits and hits[0].score >= ANSWER_SCORE:
            return hits[0].entry, hits
        return None, hits

    def others(
        self, entry: UnionEntry, hits: Iterable[UnionHit] = (), *, count: int = 2
    ) -> list[UnionEntry]:
        """Entries to offer beside ``entry``: good other hits first, then its related list."""
        found: list[UnionEntry] = []
        close = [h.entry for h in hits if h.score >= OFFER_SCORE]
        for candidate in [*close, *(self.get(r) for r in entry.related)]:
            if len(found) >= count:
                break
            if candidate is None or candidate.id == entry.id:
                continue
            if all(candidate.id != f.id for f in found):
                found.append(candidate)
        return found


@cache
def default_union_kb() -> UnionKB:
    """The knowledge base over the shipped union service files (built once per process)."""
    return UnionKB(load_union_entries())
