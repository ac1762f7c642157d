"""One router over everything the bot can answer: intents, the legal FAQ, the union's services.

The intent phrases of ``knowledge/data/intents.toml`` say which service a worker wants; the
legal FAQ's phrasings (well over a thousand) and the union services' entries say much more
precisely what labour-law or union question a message is. All of them are indexed together, so
"年假不让休" reaches legal help through the FAQ entry that knows it.

Two rules on top of the phrase scores:
- a long message whose words the legal FAQ explains well (BM25 over the whole message, see
  :mod:`knowledge.rank`) goes to legal help even when a phrase of another service matched a
  fragment of it ("公司", "工作");
- when one service clearly leads (a good score and no other service close), the bot goes
  straight there instead of asking.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from knowledge import union
from knowledge.legal import LegalKB, default_kb, router_entry
from knowledge.router import (
    UNSURE,
    Decision,
    Entry,
    Intent,
    IntentRouter,
    Match,
    Routing,
    load_entries,
    normalize,
)

#: A message with at least this many Chinese characters, or English words, is read as a story.
LONG_MESSAGE = 16
LONG_MESSAGE_WORDS = 8
#: A phrase covering less than this share of a story matched a fragment of it ("工作").
FRAGMENT = 0.5
#: Union entries that only point to another part of the bot (post stations, matchmaking, legal
#: help) are answered from the union list but not routed: the words belong to those services.
POINTERS = frozenset({"station", "match", "legal"})
#: BM25 evidence of the legal FAQ that makes a long message a legal one.
LEGAL_EVIDENCE = 8.0
#: The score a clear leader needs to go straight on, and how far behind the others must be.
CLEAR_LEAD = 70.0
CLEAR_GAP = 15.0


class KnowledgeRouter(IntentRouter):
    """The intent router over every knowledge entry, with the long-message and lead rules."""

    def __init__(self, entries: Iterable[Entry], legal: LegalKB) -> None:
        super().__init__(entries)
        self.legal = legal

    @staticmethod
    def _story(query: str, routing: Routing) -> bool:
        """A long (normalised) message whose best phrase match, if any, covers only a fragment
        of it."""
        if not _long(query):
            return False
        best = routing.best
        return best is None or len(normalize(best.phrase)) < FRAGMENT * len(query)

    def decide(self, text: str) -> Routing:
        """Decide like :class:`IntentRouter`, then apply the legal-story and clear-lead rules."""
        routing = super().decide(text)
        if routing.decision is Decision.go and routing.intent is Intent.legal:
            return routing
        if self._story(normalize(text), routing):
            # a story with labour-law content is legal help's, even when legal help already
            # leads without a clear margin
            evidence = self.legal.evidence(text)
            if evidence is not None and evidence[1] >= LEGAL_EVIDENCE:
                entry, score = evidence
                if routing.intent is Intent.legal and routing.best is not None:
                    match = routing.best
                else:
                    match = Match(Intent.legal, max(score, UNSURE), router_entry(entry), "")
                others = tuple(m for m in routing.candidates if m.intent is not Intent.legal)
                return Routing(text, Decision.go, (match, *others))
        if routing.decision is Decision.ask and routing.best is not None:
            top, rest = routing.candidates[0], routing.candidates[1:]
            runner_up = rest[0].score if rest else 0.0
            if top.score >= CLEAR_LEAD and top.score - runner_up >= CLEAR_GAP:
                return Routing(text, Decision.go, routing.candidates)
        return routing


def _routed(entry: union.UnionEntry) -> bool:
    """Whether the router takes a union entry's phrasings (see POINTERS)."""
    return entry.opens not in POINTERS


def _long(query: str) -> bool:
    """True for a (normalised) message long enough to be a story rather than a phrase."""
    chinese = sum(1 for char in query if "\u4e00" <= char <= "\u9fff")
    return chinese >= LONG_MESSAGE or len(query.split()) >= LONG_MESSAGE_WORDS


@cache
def default_router() -> KnowledgeRouter:
    """The router over every shipped knowledge file (built once per process)."""
    legal = default_kb()
    services = union.default_union_kb()
    # The union's entries before the legal FAQ: a tie ("工会热线") goes to the union's own answer.
    entries = [
        *load_entries(),
        *(union.router_entry(e) for e in services.entries if _routed(e)),
        *(router_entry(e) for e in legal.entries),
    ]
    return KnowledgeRouter(entries, legal)
