"""The intent router: worker messages reach the right service and junk falls to the menu."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from knowledge import router
from knowledge.index import default_router
from knowledge.router import (
    CACHED_LENGTH,
    LANGS,
    Decision,
    Entry,
    Intent,
    IntentRouter,
    load_entries,
    normalize,
)

# Realistic messages as workers type them. None of these appears verbatim among the phrases in
# the knowledge files (checked below), so they measure how well the router generalises.
HELD_OUT: list[tuple[str, Intent]] = [
    # jobs
    ("有没有活儿干啊", Intent.jobs),
    ("师傅 最近哪里招工", Intent.jobs),
    ("我想找个工做", Intent.jobs),
    ("找份工作 急", Intent.jobs),
    ("日结的活有吗", Intent.jobs),
    ("今天有没有零工", Intent.jobs),
    ("周末想做个兼职", Intent.jobs),
    ("五十五岁了还有活干吗", Intent.jobs),
    ("宝妈能做什么工作", Intent.jobs),
    ("地铁2号线附近招人吗", Intent.jobs),
    ("有新岗位了提醒我一下", Intent.jobs),
    ("我们厂要招几个工人", Intent.jobs),
    ("想找个临时的活", Intent.jobs),
    ("job near me pls", Intent.jobs),
    ("i need a job", Intent.jobs),
    ("any work today cash", Intent.jobs),
    ("part time job weekend", Intent.jobs),
    ("im 58 any job for me", Intent.jobs),
    ("lookin for work", Intent.jobs),
    ("want to hire 3 workers", Intent.jobs),
    ("day job pay same day", Intent.jobs),
    ("any daily work", Intent.jobs),
    ("daily paid work", Intent.jobs),
    ("any job 2day", Intent.jobs),
    # legal
    ("工作不给钱", Intent.legal),
    ("老板三个月没发工姿了", Intent.legal),
    ("包工头跑了 工钱找谁要", Intent.legal),
    ("干了一个月 老板不给钱", Intent.legal),
    ("没签劳动合同怎么办", Intent.legal),
    ("被老板开了 没有补偿", Intent.legal),
    ("送外卖摔了 算不算工伤", Intent.legal),
    ("公司不给交社保", Intent.legal),
    ("天天加班 没有加班费", Intent.legal),
    ("我想辞职 老板扣押金", Intent.legal),
    ("试用期被辞退合法吗", Intent.legal),
    ("去哪里申请劳动仲裁", Intent.legal),
    ("boss no pay my salary", Intent.legal),
    ("company didnt pay me 2 month", Intent.legal),
    ("i got fired no reason", Intent.legal),
    ("hurt my hand at work", Intent.legal),
    ("no overtime money", Intent.legal),
    # union services
    ("娃考上大学了 工会能补助点吗", Intent.union),
    ("送快递的能不能免费读个大专", Intent.union),
    ("my kid got into college does the union help with fees", Intent.union),
    ("they dont give contract", Intent.legal),
    ("how to sue company", Intent.legal),
    # match
    ("我想找个女朋友", Intent.match),
    ("还是单身 想脱单", Intent.match),
    ("工会有相亲活动吗", Intent.match),
    ("给我介绍个对像吧", Intent.match),
    ("有没有联谊", Intent.match),
    ("想找个老伴过日子", Intent.match),
    ("i want a girlfriend", Intent.match),
    ("any dating event", Intent.match),
    ("single looking for wife", Intent.match),
    ("matchmakr", Intent.match),
    ("want to meet girls", Intent.match),
    ("i want to find a girlfriend", Intent.match),
    ("need gf", Intent.match),
    ("lonely want to meet someone", Intent.match),
    # station
    ("附近哪有驿站", Intent.station),
    ("手机没电了 哪里能冲电", Intent.station),
    ("饭凉了 哪里有微波炉", Intent.station),
    ("口渴 哪里能接点水", Intent.station),
    ("哪里有厕所啊", Intent.station),
    ("太热了 想找个地方吹空调", Intent.station),
    ("户外工作者休息的地方", Intent.station),
    ("电动车没电了", Intent.station),
    ("附近有没有驿栈", Intent.station),
    ("where i can charge my fone", Intent.station),
    ("need toilet", Intent.station),
    ("where to heat my food", Intent.station),
    ("any place to rest near", Intent.station),
    ("so hot need cool place", Intent.station),
    ("free hot water where", Intent.station),
    ("where is the nearest rest station", Intent.station),
    ("somewhere to rest near me", Intent.station),
    ("wher can i rest", Intent.station),
    # faq
    ("工会怎么入", Intent.union),
    ("入会要交多少钱", Intent.faq),
    ("工会热线是多少", Intent.union),
    ("法援电话多少", Intent.faq),
    ("你都能干啥", Intent.faq),
    ("这个要收费吗", Intent.faq),
    ("怎么切换成英文", Intent.faq),
    ("删除我的信息", Intent.faq),
    ("how do i join union", Intent.union),
    ("what can this bot do", Intent.faq),
    ("how to change language", Intent.faq),
    ("is this free", Intent.faq),
    ("delete my info", Intent.faq),
    # smalltalk
    ("你好呀", Intent.smalltalk),
    ("谢谢啦", Intent.smalltalk),
    ("拜拜了", Intent.smalltalk),
    ("好的 知道了", Intent.smalltalk),
    ("你是不是机器人", Intent.smalltalk),
    ("早上好啊", Intent.smalltalk),
    ("hello there", Intent.smalltalk),
    ("thank u", Intent.smalltalk),
    ("bye bye", Intent.smalltalk),
    ("okk", Intent.smalltalk),
    ("r u a robot", Intent.smalltalk),
    ("gd morning", Intent.smalltalk),
]

NOISE = [
    "",
    "   ",
    "？？？",
    "...!!!",
    "😀😀😀",
    "👍",
    "🙏🙏",
    "asdfghjkl",
    "qwxz vbnm",
    "啊啊啊啊啊",
    "。。。。",
]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load_entries()


@pytest.mark.parametrize(("text", "expected"), HELD_OUT, ids=[t for t, _ in HELD_OUT])
def test_a_worker_message_goes_to_the_service_it_asks_for(text: str, expected: Intent) -> None:
    routing = default_router().route(text)
    assert routing.intent == expected, [(m.intent, m.score, m.phrase) for m in routing.candidates]
    assert routing.decision in (Decision.go, Decision.ask)
    assert routing.best is not None
    assert routing.best.intent == expected


def test_the_held_out_table_is_large_and_covers_every_intent_in_both_languages() -> None:
    assert len(HELD_OUT) >= 60
    for intent in Intent:
        if intent is Intent.unknown:
            continue
        texts = [t for t, i in HELD_OUT if i is intent]
        assert any(not t.isascii() for t in texts), intent
        assert any(t.isascii() for t in texts), intent


def test_held_out_messages_are_not_copied_from_the_knowledge_files(entries: list[Entry]) -> None:
    phrases = {normalize(p) for e in entries for lang in LANGS for p in e.phrases.get(lang, ())}
    copied = [text for text, _ in HELD_OUT if normalize(text) in phrases]
    assert copied == []


@pytest.mark.parametrize("text", NOISE)
def test_noise_falls_back_to_the_menu(text: str) -> None:
    routing = default_router().route(text)
    assert routing.decision is Decision.menu
    assert routing.intent is Intent.unknown


def test_a_very_long_message_is_routed_without_crashing() -> None:
    text = "老板不给工资 " * 500 + "boss not pay " * 500
    routing = default_router().route(text)
    assert routing.decision in tuple(Decision)
    assert routing.intent in tuple(Intent)


def test_a_long_rambling_message_still_finds_its_service() -> None:
    text = "师傅你好 我在工地干了快半年了 到现在包工头一分钱工资都没发 打电话也不接 怎么办啊"
    assert default_router().route(text).intent is Intent.legal


@pytest.mark.parametrize(
    "text", ["\x00\x01", "\u200b\u200b", "ﾟ∀ﾟ", "a", "1", "\n\t\r", "🇨🇳🇨🇳", "ˋ(°▽°)ˊ"]
)
def test_odd_characters_never_crash_the_router(text: str) -> None:
    routing = default_router().route(text)
    assert routing.decision in tuple(Decision)
    assert routing.score >= 0.0


def test_an_empty_message_has_no_candidates() -> None:
    routing = default_router().route("")
    assert routing.candidates == ()
    assert routing.best is None
    assert routing.score == 0.0
    assert routing.intent is Intent.unknown


def test_candidates_are_one_per_intent_and_best_first() -> None:
    routing = default_router().route("找工作")
    intents = [m.intent for m in routing.candidates]
    assert len(intents) == len(set(intents))
    scores = [m.score for m in routing.candidates]
    assert scores == sorted(scores, reverse=True)


def test_a_greeting_inside_a_real_request_does_not_hide_the_request() -> None:
    assert default_router().route("你好 我想找工作").intent is Intent.jobs
    assert default_router().route("hi boss didnt pay my salary").intent is Intent.legal


def test_every_entry_has_phrases_in_both_languages(entries: list[Entry]) -> None:
    for entry in entries:
        for lang in LANGS:
            assert entry.phrases.get(lang), f"{entry.id} has no {lang} phrases"


def test_every_faq_and_smalltalk_entry_has_an_answer_in_both_languages(
    entries: list[Entry],
) -> None:
    answered = [e for e in entries if e.intent in (Intent.faq, Intent.smalltalk)]
    assert answered
    for entry in answered:
        for lang in LANGS:
            assert entry.answer.get(lang, "").strip(), f"{entry.id} has no {lang} answer"


def test_entry_ids_are_unique_and_prefixed_by_their_intent(entries: list[Entry]) -> None:
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry.id.startswith(f"{entry.intent}."), entry.id


def test_no_phrase_is_claimed_by_two_intents(entries: list[Entry]) -> None:
    owners: dict[str, set[Intent]] = {}
    for entry in entries:
        for lang in LANGS:
            for phrase in entry.phrases.get(lang, ()):
                owners.setdefault(normalize(phrase), set()).add(entry.intent)
    shared = {phrase: owner for phrase, owner in owners.items() if len(owner) > 1}
    assert shared == {}


def test_the_services_have_enough_phrasings(entries: list[Entry]) -> None:
    for intent in (Intent.jobs, Intent.legal, Intent.match, Intent.station):
        mine = [e for e in entries if e.intent is intent]
        assert len(mine) >= 3, intent
        assert sum(len(e.phrases["zh"]) for e in mine) >= 40, intent
        assert sum(len(e.phrases["en"]) for e in mine) >= 25, intent
    faq = [e for e in entries if e.intent is Intent.faq]
    assert len(faq) >= 8  # joining the union and its hotline are union services' entries now
    for entry in faq:
        assert len(entry.phrases["zh"]) >= 4, entry.id
        assert len(entry.phrases["en"]) >= 3, entry.id
    assert len([e for e in entries if e.intent is Intent.smalltalk]) >= 6


def test_every_phrase_routes_to_its_own_intent(entries: list[Entry]) -> None:
    router = default_router()
    wrong = []
    for entry in entries:
        for lang in LANGS:
            for phrase in entry.phrases.get(lang, ()):
                if router.route(phrase).intent is not entry.intent:
                    wrong.append((entry.id, phrase))
    assert wrong == []


def test_entries_can_be_looked_up_by_id() -> None:
    router = default_router()
    entry = router.entry("faq.fees")
    assert entry is not None
    assert entry.intent is Intent.faq
    union = router.entry("union.join")
    assert union is not None
    assert union.intent is Intent.union
    assert router.entry("no.such.entry") is None


def test_a_router_built_from_custom_entries_uses_only_those() -> None:
    router = IntentRouter(
        [Entry("station.x", Intent.station, {"zh": ("驿站",), "en": ("rest stop",)})]
    )
    assert router.route("驿站").intent is Intent.station
    assert router.route("找工作").decision is Decision.menu


def test_normalize_folds_full_width_letters_and_digits() -> None:
    assert normalize("ＨＥＬＬＯ　ＷＯＲＬＤ １２３５１") == "hello world 12351"


def test_normalize_drops_chinese_and_ascii_punctuation() -> None:
    assert normalize("老板，不给工资！！怎么办？") == "老板不给工资怎么办"
    assert normalize("boss... not pay!!!") == "boss not pay"
    assert normalize("【急】找工作～～") == "急找工作"


def test_normalize_joins_chinese_split_by_spaces_but_keeps_english_words_apart() -> None:
    assert normalize("找 工作") == "找工作"
    assert normalize("找　工作 near  me") == "找工作 near me"


def test_normalize_drops_emoji() -> None:
    assert normalize("😀 你好 👍") == "你好"
    assert normalize("👍👍") == ""


# --- the router over every knowledge entry (knowledge/index.py) --------------------------------

HELD_OUT_FILE = Path(__file__).with_name("data") / "held_out.toml"


def test_held_out_phrasings_per_intent_mostly_reach_their_service() -> None:
    table = tomllib.loads(HELD_OUT_FILE.read_text(encoding="utf-8"))
    router = default_router()
    rates = {}
    for intent, langs in table.items():
        for lang in LANGS:
            texts = langs[lang]
            rates[f"{intent}.{lang}"] = sum(
                router.route(text).intent.value == intent for text in texts
            ) / len(texts)
    overall = sum(rates.values()) / len(rates)
    assert overall >= 0.9, rates
    assert min(rates.values()) >= 0.6, rates


@pytest.mark.parametrize(
    "text",
    [
        "我在公司干了三年没签合同现在被辞退了怎么办",
        "在这个工作岗位上干了五年公司突然说不续签了还不给补偿",
        "本人在厂里上班时不幸摔倒骨折了单位不给报医药费有哪些项目可以要",
    ],
)
def test_a_long_labour_story_goes_to_legal_help_even_when_it_mentions_company_or_work(
    text: str,
) -> None:
    routing = default_router().route(text)
    assert routing.intent is Intent.legal
    assert routing.decision is Decision.go


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("附近有驿站吗", Intent.station),
        ("老板拖欠工资", Intent.legal),
        ("any daily work", Intent.jobs),
        ("daily paid work", Intent.jobs),
        ("boss owes me wages", Intent.legal),
        ("rest station near me", Intent.station),
        ("where is the nearest rest station", Intent.station),
        ("I want to find a girlfriend", Intent.match),
        ("孩子考上大学了工会有补助吗", Intent.union),
        ("想提升学历有免费的吗", Intent.union),
        ("老闆拖欠工資怎麼辦", Intent.legal),
    ],
)
def test_the_examples_the_bot_gives_route_where_they_say(text: str, expected: Intent) -> None:
    assert default_router().route(text).intent is expected


@pytest.mark.parametrize(
    "text",
    [
        "I fell at the construction site and my boss does nothing",
        "工地上摔伤了老板不管",
        "在工地干活受伤了",
        "被辞退了有赔偿吗",
        "老板跑路了工资找谁要",
        "年假不让休",
    ],
)
def test_injury_dismissal_and_leave_questions_go_straight_to_legal_help(text: str) -> None:
    routing = default_router().route(text)

    assert routing.intent is Intent.legal
    assert routing.decision is Decision.go


@pytest.mark.parametrize(
    "text", ["", "啊", "😀😀😀", "工资" * 2000, "boss 不给 salary", "工资３个月"]
)
def test_odd_input_is_routed_without_error(text: str) -> None:
    routing = default_router().route(text)
    assert routing.decision in tuple(Decision)


def test_a_short_message_sent_again_is_answered_from_the_kept_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = default_router()
    text = "附近有没有工会驿站"
    first = router.route(text)
    scored: list[str] = []
    monkeypatch.setattr(router, "_matches", lambda query: scored.append(query) or iter(()))

    assert router.route(text) == first
    assert scored == []
    # what was kept is what deciding again would give
    monkeypatch.undo()
    assert router.decide(text) == first


def test_a_long_story_is_scored_each_time_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    router = default_router()
    story = (
        "我在工地干了三个月，老板一直说下个月发工资，到了下个月又说再等等，"
        "现在人找不到了，电话也不接，微信也把我拉黑了，工友们都一样，我该怎么办才好"
    )
    assert len(story) > CACHED_LENGTH
    router.route(story)
    scored: list[str] = []
    monkeypatch.setattr(router, "_matches", lambda query: scored.append(query) or iter(()))

    router.route(story)
    assert len(scored) == 1


def test_the_conversion_is_skipped_only_where_it_would_change_nothing() -> None:
    # Every entry of the t2s dictionaries, in a simplified sentence: whenever converting the
    # text changes it, the quick check says so (so skipping it is never wrong).
    converter = router._to_simplified()
    converter.convert("")
    keys = [
        key for chain in converter._dict_chain_data for *_sizes, table in chain for key in table
    ]
    assert len(keys) > 4000
    for key in keys:
        text = f"工人在{key}路"
        if converter.convert(text) != text:
            assert router._has_traditional(text), key
    # and plain simplified text is not converted at all
    assert not router._has_traditional("我在郑州金水区找送外卖的工作")
    assert router.normalize("我們老闆沈默") == "我们老板沉默"  # 沈默: a phrase, not a character


def test_of_two_equal_scores_the_phrase_listed_first_wins() -> None:
    # "工会怎么入" scores the same against "入工会" (union, listed first) and "找工会" (legal);
    # legal also has a weaker phrase listed before both, which must not decide the tie.
    entries = [
        Entry("legal.weak", Intent.legal, {"zh": ("怎么办",)}),
        Entry("union.first", Intent.union, {"zh": ("入工会",)}),
        Entry("legal.second", Intent.legal, {"zh": ("找工会",)}),
    ]
    router = IntentRouter(entries)
    routing = router.decide("工会怎么入")
    scores = {m.intent: m.score for m in routing.candidates}
    assert scores[Intent.union] == scores[Intent.legal]
    assert routing.intent is Intent.union
    assert routing.candidates[1].entry.id == "legal.second"
    assert [m.entry.id for m in router.rank("工会怎么入", limit=2)] == [
        "union.first",
        "legal.second",
    ]
