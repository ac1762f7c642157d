"""Ranking long questions: BM25 over Chinese character pairs and English words, and rank fusion.

The phrase matcher of :mod:`knowledge.router` aligns a message with short phrasings; it is sharp
for "欠薪怎么办" and weak for a worker's three-sentence story, whose words are spread over the
whole message. BM25 reads the message as a bag of terms instead: every entry is one document
(all its phrasings and its title), a term is a pair of adjacent Chinese characters or an English
word (fillers aside), and rare terms weigh more. The two rankings are combined by reciprocal
rank fusion, which needs no common scale. Pure code, built once; a query costs well under a
millisecond for a few hundred entries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from knowledge.router import FILLER, normalize, units

#: BM25's term-frequency saturation and length normalisation (the usual values).
K1 = 1.2
B = 0.75
#: Reciprocal rank fusion: an entry at rank r of a ranking adds 1 / (RRF_K + r).
RRF_K = 60

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[^\s\u4e00-\u9fff]+")


def terms(text: str) -> list[str]:
    """The terms of ``text``: adjacent Chinese character pairs (a lone character counts) and
    English words without the fillers, after the router's normalisation."""
    query = normalize(text)
    found = [w for w in _WORD.findall(query) if w not in FILLER and not w.isdigit()]
    for run in _CJK_RUN.findall(query):
        found.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return found


@dataclass(frozen=True)
class Scored:
    """One document's BM25 score for a query and the query terms it matched."""

    key: str
    score: float
    matched: int


class BM25:
    """BM25 over documents given as texts per key (an entry's phrasings and title)."""

    def __init__(self, documents: Mapping[str, Iterable[str]]) -> None:
        self._tf: dict[str, Counter[str]] = {}
        for key, texts in documents.items():
            counted: Counter[str] = Counter()
            for text in texts:
                counted.update(terms(text))
            self._tf[key] = counted
        self._size = {key: counted.total() for key, counted in self._tf.items()}
        self._average = sum(self._size.values()) / max(1, len(self._size))
        spread = Counter(term for counted in self._tf.values() for term in counted)
        n = len(self._tf)
        self.idf = {term: math.log(1 + (n - k + 0.5) / (k + 0.5)) for term, k in spread.items()}
        self._postings: dict[str, list[str]] = {}
        for key, counted in self._tf.items():
            for term in counted:
                self._postings.setdefault(term, []).append(key)

    def known(self, text: str) -> float:
        """The share (0-1, weighted by rarity) of ``text``'s distinct terms any document has."""
        unique = set(terms(text))
        if not unique:
            return 0.0
        rare = max(self.idf.values(), default=1.0)
        weights = {term: self.idf.get(term, rare) for term in unique}
        total = sum(weights.values())
        return sum(w for term, w in weights.items() if term in self.idf) / total

    def search(self, text: str, *, limit: int = 10) -> list[Scored]:
        """The best documents for ``text``, best first (documents sharing no term are left out)."""
        query = Counter(terms(text))
        scores: dict[str, float] = {}
        matched: Counter[str] = Counter()
        for term in query:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for key in self._postings[term]:
                tf = self._tf[key][term]
                norm = K1 * (1 - B + B * self._size[key] / self._average)
                scores[key] = scores.get(key, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
                matched[key] += 1
        ranked = sorted(scores.items(), key=lambda pair: pair[1], reverse=True)[:limit]
        return [Scored(key, score, matched[key]) for key, score in ranked]


class Vocabulary:
    """Each entry's vocabulary (character pairs and words of its phrasings) and the weight of a
    unit by how rare it is across entries, to say how much of a message an entry covers."""

    def __init__(self, phrasings: Mapping[str, Iterable[str]]) -> None:
        self.of: dict[str, frozenset[str]] = {
            key: frozenset().union(*(units(text) for text in texts))
            for key, texts in phrasings.items()
        }
        self.known: frozenset[str] = frozenset().union(*self.of.values())
        spread = Counter(unit for vocab in self.of.values() for unit in vocab)
        n = len(self.of)
        #: Units no entry knows are the most telling of all: by default they weigh log(n + 1).
        self.rare = math.log(n + 1)
        self.weight = {unit: math.log((n + 1) / (k + 1)) for unit, k in spread.items()}

    def share(
        self, said: Iterable[str], known: AbstractSet[str], *, rare: float | None = None
    ) -> float:
        """The weighted share (0-1) of the units ``said`` found in ``known``; units no entry has
        weigh ``rare`` (default: the weight of a unit no entry has)."""
        unknown = self.rare if rare is None else rare
        weights = {unit: self.weight.get(unit, unknown) for unit in said}
        total = sum(weights.values())
        return sum(w for unit, w in weights.items() if unit in known) / total if total else 0.0


def fuse(rankings: Sequence[Sequence[str]], *, k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of several rankings of keys, best first (ties keep first seen)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda pair: pair[1], reverse=True)
