"""The union's own services: the data, finding the right service for a question, and the bot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import t
from bot.localapi import Call
from knowledge.router import normalize
from knowledge.union import (
    ANSWER_SCORE,
    ID_PATTERN,
    UnionEntry,
    UnionKB,
    default_union_kb,
    load_union_entries,
    render,
)
from tests.conftest import Harness
from tests.factories import callback, message

OTHER_ID = 444_444

#: Services the knowledge base must cover.
REQUIRED = {
    "union.study_grant",
    "union.hardship",
    "union.warmth",
    "union.legal_aid",
    "union.hotline",
    "union.degree",
    "union.skills",
    "union.recuperation",
    "union.member_perks",
    "union.stations",
    "union.join",
    "union.medical_aid",
    "union.women",
    "union.matchmaking",
    "union.childcare",
    "union.model_worker",
}
#: A sum of money: amounts differ from place to place, so answers give none.
AMOUNT = re.compile(r"\d[\d,.]*\s*(?:元|块|万|yuan|rmb)|[¥￥]\s*\d", re.IGNORECASE)
#: Share of the held-out questions whose right service must come first.
HIT_RATE = 0.9

#: Questions as workers ask them, written apart from the phrasings in the data files.
HELD_OUT: list[tuple[str, str]] = [
    # union.study_grant
    ("孩子考上大学了工会有补助吗", "union.study_grant"),
    ("女儿今年被大学录取了 家里没钱交学费 工会能帮点吗", "union.study_grant"),
    ("金秋助学今年什么时候报名", "union.study_grant"),
    ("my daughter passed the gaokao does the union help with fees", "union.study_grant"),
    ("any money from union for my kid starting college", "union.study_grant"),
    ("儿子高考考了个二本 学费好贵 工会能补点不", "union.study_grant"),
    ("助学金今年还发吗 我家孩子刚考上", "union.study_grant"),
    ("our kid just got admitted to university, any union grant", "union.study_grant"),
    # union.hardship
    ("老婆生病我一个人挣钱 家里太困难了 工会能帮帮吗", "union.hardship"),
    ("建档立卡的困难职工有什么帮扶", "union.hardship"),
    ("生活困难可以找工会申请补助吗", "union.hardship"),
    ("we are really poor can the union support my family", "union.hardship"),
    ("how do i apply for union hardship help", "union.hardship"),
    ("我下岗了家里还有病人 申请困难职工要啥材料", "union.hardship"),
    ("困难职工每年都要复核吗", "union.hardship"),
    ("union support for families struggling", "union.hardship"),
    # union.warmth
    ("过年工会会来慰问吗", "union.warmth"),
    ("春节不回家在岗位上 工会有没有慰问", "union.warmth"),
    ("送温暖活动怎么才能轮到我", "union.warmth"),
    ("does the union give gifts for chinese new year", "union.warmth"),
    ("working over spring festival any support from union", "union.warmth"),
    ("春节前工会发慰问品吗", "union.warmth"),
    ("环卫工过年有慰问吗", "union.warmth"),
    ("will the union visit us before new year", "union.warmth"),
    # union.legal_aid
    ("工会有没有免费的律师可以帮我", "union.legal_aid"),
    ("工会的法律援助站在哪里 想咨询一下", "union.legal_aid"),
    ("请不起律师 工会能派律师吗", "union.legal_aid"),
    ("can i get a free lawyer through the union", "union.legal_aid"),
    ("where is the union legal aid office", "union.legal_aid"),
    ("想找工会的律师咨询劳动纠纷", "union.legal_aid"),
    ("工会法律援助要钱吗", "union.legal_aid"),
    ("does the union have duty lawyers", "union.legal_aid"),
    # union.hotline
    ("12351这个电话是干嘛的", "union.hotline"),
    ("工会的热线电话是多少", "union.hotline"),
    ("打工会电话能投诉单位吗", "union.hotline"),
    ("whats the union hotline number", "union.hotline"),
    ("is there a phone number for the union", "union.hotline"),
    ("12351几点能打通", "union.hotline"),
    ("union helpline 12351 what for", "union.hotline"),
    ("工会电话打哪个", "union.hotline"),
    # union.degree
    ("想提升学历有免费的吗", "union.degree"),
    ("我是送外卖的 想读个大专 工会有补贴吗", "union.degree"),
    ("快递小哥可以免费读开放大学吗", "union.degree"),
    ("can a delivery rider get a free degree", "union.degree"),
    ("i want to study for a diploma, does the union pay", "union.degree"),
    ("网约车司机想考本科 有补贴吗", "union.degree"),
    ("求学圆梦怎么报名", "union.degree"),
    ("free degree program for couriers", "union.degree"),
    # union.skills
    ("工会有没有免费学技术的培训", "union.skills"),
    ("考了电工证能领补贴吗", "union.skills"),
    ("技能比赛在哪报名", "union.skills"),
    ("any free training course from the union", "union.skills"),
    ("how to sign up for the skills competition", "union.skills"),
    ("工会办的技能培训免费吗", "union.skills"),
    ("想参加快递员技能大赛", "union.skills"),
    ("skills training from the union free?", "union.skills"),
    # union.recuperation
    ("工会组织的疗休养我能去吗", "union.recuperation"),
    ("一线工人能参加工会疗养吗", "union.recuperation"),
    ("疗休养名额怎么分的", "union.recuperation"),
    ("does the union send workers on rest trips", "union.recuperation"),
    ("union recuperation trip who can go", "union.recuperation"),
    ("疗养是工会出钱吗", "union.recuperation"),
    ("骑手也能去疗休养吗", "union.recuperation"),
    ("union vacation for frontline workers", "union.recuperation"),
    # union.member_perks
    ("工会会员都有啥优惠", "union.member_perks"),
    ("会员卡在哪里领", "union.member_perks"),
    ("入了工会能享受什么福利", "union.member_perks"),
    ("what discounts do union members get", "union.member_perks"),
    ("how do i get my union card", "union.member_perks"),
    ("工会会员卡有什么用", "union.member_perks"),
    ("会员有电影票优惠吗", "union.member_perks"),
    ("union member discounts where", "union.member_perks"),
    # union.stations
    ("送外卖累了有地方歇一下吗", "union.stations"),
    ("附近哪有工会的驿站", "union.stations"),
    ("户外工作的人去哪喝口热水", "union.stations"),
    ("where can riders take a break", "union.stations"),
    ("is there a rest stop for delivery workers", "union.stations"),
    ("哪里能给手机充电歇会", "union.stations"),
    ("工会驿站能热饭吗", "union.stations"),
    ("need a place to rest near me", "union.stations"),
    # union.join
    ("我是骑手能入工会吗", "union.join"),
    ("跑快递的怎么加入工会", "union.join"),
    ("没有固定单位可以入会吗", "union.join"),
    ("i'm a rider can i join the union", "union.join"),
    ("how does a gig driver become a union member", "union.join"),
    ("外卖骑手入会要交会费吗", "union.join"),
    ("在手机上怎么申请入会", "union.join"),
    ("how can a delivery driver sign up for the union", "union.join"),
    # union.medical_aid
    ("住院花了好多钱 工会能报一点吗", "union.medical_aid"),
    ("职工医疗互助在哪参加", "union.medical_aid"),
    ("老爸得了大病 工会有救助吗", "union.medical_aid"),
    ("can the union help with my hospital bill", "union.medical_aid"),
    ("mutual medical aid how to claim", "union.medical_aid"),
    ("医疗互助住院能报多少", "union.medical_aid"),
    ("家里人生了重病 看病钱不够", "union.medical_aid"),
    ("does the union pay part of hospital costs", "union.medical_aid"),
    # union.women
    ("单亲妈妈带孩子很困难 工会有帮扶吗", "union.women"),
    ("工会给女职工做免费体检吗", "union.women"),
    ("女职工有什么特殊关爱", "union.women"),
    ("is there help for single mothers", "union.women"),
    ("what does the union do for women workers", "union.women"),
    ("怀孕了工会有什么照顾", "union.women"),
    ("女工两癌筛查免费吗", "union.women"),
    ("help for women workers from the union", "union.women"),
    # union.matchmaking
    ("工会能帮忙介绍对象吗", "union.matchmaking"),
    ("单身好多年了 工会有相亲活动吗", "union.matchmaking"),
    ("工会的联谊会怎么报名", "union.matchmaking"),
    ("does the union do matchmaking", "union.matchmaking"),
    ("im single any union dating events", "union.matchmaking"),
    ("想脱单 工会能帮忙吗", "union.matchmaking"),
    ("工会红娘怎么找", "union.matchmaking"),
    ("looking for a partner through the union", "union.matchmaking"),
    # union.childcare
    ("暑假孩子没人带 工会有托管吗", "union.childcare"),
    ("工会的暑托班怎么报名", "union.childcare"),
    ("上班没空管孩子 放假了怎么办", "union.childcare"),
    ("summer camp for workers children", "union.childcare"),
    ("who can look after my kid during summer holidays", "union.childcare"),
    ("小孩暑假没人看 有托管班吗", "union.childcare"),
    ("寒假工会有托管吗", "union.childcare"),
    ("childcare during school holidays", "union.childcare"),
    # union.model_worker
    ("劳模是怎么评出来的", "union.model_worker"),
    ("当上劳动模范有什么待遇", "union.model_worker"),
    ("工匠评选要什么条件", "union.model_worker"),
    ("how do you become a model worker", "union.model_worker"),
    ("what do model workers get", "union.model_worker"),
    ("五一劳动奖章怎么评", "union.model_worker"),
    ("普通工人能当劳模吗", "union.model_worker"),
    ("craftsman programme how to apply", "union.model_worker"),
    # union.counselling
    ("最近压力很大 想找人聊聊", "union.counselling"),
    ("工会有没有心理咨询", "union.counselling"),
    ("心情很差睡不好 工会能帮吗", "union.counselling"),
    ("i need counselling", "union.counselling"),
    ("feeling stressed out who can i talk to", "union.counselling"),
    ("最近很焦虑 有免费的心理咨询吗", "union.counselling"),
    ("工作压力太大想找个人说说", "union.counselling"),
    ("is there free counselling for workers", "union.counselling"),
]
#: Messages about something else: no union service is given as the answer.
OFF_TOPIC = [
    "今天天气怎么样",
    "工伤怎么认定",
    "被公司开除了要赔偿吗",
    "房东不退押金",
    "工会",
    "union",
    "怎么办",
    "有补助吗",
    "工会有什么服务",
    "how to calculate overtime",
]


# --- the data ---------------------------------------------------------------------------------


def test_the_data_loads_with_every_required_service() -> None:
    entries = load_union_entries()

    ids = [e.id for e in entries]
    assert len(entries) >= 15
    assert len(set(ids)) == len(ids)
    assert set(ids) >= REQUIRED
    assert all(ID_PATTERN.match(entry_id) for entry_id in ids)


@pytest.mark.parametrize("entry", load_union_entries(), ids=lambda e: e.id)
def test_every_entry_has_both_languages_and_enough_phrasings(entry: UnionEntry) -> None:
    assert set(entry.title) == set(entry.answer) == {"zh", "en"}
    assert len(entry.phrases["zh"]) >= 12
    assert len(entry.phrases["en"]) >= 6
    for lang in ("zh", "en"):
        folded = [normalize(p) for p in entry.phrases[lang]]
        assert len(set(folded)) == len(folded), f"a {lang} phrasing repeats"


@pytest.mark.parametrize("entry", load_union_entries(), ids=lambda e: e.id)
def test_answers_send_workers_to_their_local_union_and_cite_no_amount(entry: UnionEntry) -> None:
    zh, en = entry.answer["zh"], entry.answer["en"]
    if entry.opens not in ("station", "match"):
        assert "当地工会" in zh or "单位工会" in zh
        assert "local union" in en or "workplace union" in en
    assert not AMOUNT.search(zh)
    assert not AMOUNT.search(en)


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _service(entry_id: str, *, related: str = "", en: bool = True) -> str:
    lines = [
        "[[service]]",
        f'id = "{entry_id}"',
        f"related = [{related}]",
        'title_zh = "标题"',
        'answer_zh = "回答"',
        'zh = ["说法"]',
    ]
    if en:
        lines += ['title_en = "Title"', 'answer_en = "Answer"', 'en = ["phrase"]']
    return "\n".join(lines) + "\n\n"


def test_a_repeated_id_is_refused_naming_the_file_and_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.toml", _service("union.a") + _service("union.a"))

    with pytest.raises(ValueError, match=r"a\.toml: duplicate entry id union\.a"):
        load_union_entries([path])


def test_a_bad_id_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "b.toml", _service("Union-A"))

    with pytest.raises(ValueError, match=r"b\.toml: Union-A: the id must be"):
        load_union_entries([path])


def test_a_missing_language_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.toml", _service("union.c", en=False))

    with pytest.raises(ValueError, match=r"c\.toml: union\.c: no en title"):
        load_union_entries([path])


def test_an_unknown_related_id_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.toml", _service("union.d", related='"union.nope"'))

    with pytest.raises(ValueError, match=r"d\.toml: union\.d: unknown related"):
        load_union_entries([path])


# --- finding the service ----------------------------------------------------------------------


def test_held_out_questions_are_not_copies_of_the_phrasings() -> None:
    phrasings = {
        normalize(p)
        for e in load_union_entries()
        for lang in ("zh", "en")
        for p in e.phrases[lang]
    }

    assert [q for q, _ in HELD_OUT if normalize(q) in phrasings] == []


def test_every_entry_has_held_out_questions_in_both_languages() -> None:
    for entry in load_union_entries():
        asked = [q for q, entry_id in HELD_OUT if entry_id == entry.id]
        assert len([q for q in asked if not q.isascii()]) >= 2, entry.id
        assert len([q for q in asked if q.isascii()]) >= 1, entry.id


def test_held_out_questions_find_the_right_service_first() -> None:
    kb = default_union_kb()

    misses = [
        (question, hits[0].entry.id if hits else None)
        for question, expected in HELD_OUT
        if not (hits := kb.search(question)) or hits[0].entry.id != expected
    ]

    rate = 1 - len(misses) / len(HELD_OUT)
    assert rate >= HIT_RATE, misses


def test_a_question_answered_is_always_the_right_service() -> None:
    kb = default_union_kb()

    wrong = [
        (question, entry.id)
        for question, expected in HELD_OUT
        if (entry := kb.answer(question)[0]) is not None and entry.id != expected
    ]

    assert wrong == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("孩子考上大学了工会有补助吗", "union.study_grant"),
        ("想提升学历有免费的吗", "union.degree"),
        ("i'm a rider can i join the union", "union.join"),
        ("12351这个电话是干嘛的", "union.hotline"),
    ],
)
def test_clear_questions_are_answered(question: str, expected: str) -> None:
    entry, hits = default_union_kb().answer(question)

    assert entry is not None
    assert entry.id == expected
    assert hits[0].score >= ANSWER_SCORE
    assert 0 <= hits[-1].score <= hits[0].score <= 100


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_other_matters_and_bare_words_are_not_answered(question: str) -> None:
    assert default_union_kb().answer(question)[0] is None


def test_nothing_to_search_finds_nothing() -> None:
    kb = default_union_kb()

    assert kb.search("") == []
    assert kb.search("？！") == []
    assert kb.search("金秋助学", limit=0) == []


def test_other_services_offered_beside_an_answer_exclude_the_answer() -> None:
    kb = default_union_kb()
    entry = kb.get("union.study_grant")
    assert entry is not None

    others = kb.others(entry, kb.search("孩子考上大学了工会有补助吗"))

    assert 1 <= len(others) <= 2
    assert entry not in others


def test_render_gives_title_and_answer_and_falls_back_to_the_other_language() -> None:
    entry = UnionEntry(
        id="union.x", title={"zh": "标题"}, answer={"zh": "回答"}, phrases={"zh": ("说法",)}
    )
    kb = UnionKB([entry])

    assert render(entry, "zh") == "标题\n\n回答"
    assert render(entry, "en") == "标题\n\n回答"
    assert kb.get("union.x") is entry
    assert kb.search("说法")[0].entry is entry


# --- the bot ----------------------------------------------------------------------------------


def _last(calls: list[Call]) -> Call:
    sent = [c for c in calls if c.method in ("sendMessage", "editMessageText")]
    assert sent, [c.method for c in calls]
    return sent[-1]


def _popup(calls: list[Call]) -> Call:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return answers[-1]


def _entry(entry_id: str) -> UnionEntry:
    entry = default_union_kb().get(entry_id)
    assert entry is not None
    return entry


@pytest.mark.parametrize(("code", "lang"), [("zh-hans", "zh"), ("en", "en")])
async def test_the_union_command_lists_every_service(
    harness: Harness, code: str, lang: str
) -> None:
    shown = _last(await harness.feed(message("/union", lang=code)))

    assert shown.text == t(lang, "un-list")
    entries = default_union_kb().entries
    assert [d for d in shown.callback_data if d.startswith("un:")] == [
        f"un:{e.id}" for e in entries
    ]
    labels = [b["text"] for row in shown.buttons for b in row]
    assert entries[0].title[lang][:10] in labels[0]
    assert "m:menu" in shown.callback_data


async def test_a_deep_link_opens_the_list(harness: Harness) -> None:
    shown = _last(await harness.feed(message("/start union")))

    assert shown.text == t("zh", "un-list")


@pytest.mark.parametrize(
    ("code", "lang", "question"),
    [
        ("zh-hans", "zh", "孩子考上大学了工会有补助吗"),
        ("en", "en", "my son got into university, any grant?"),
    ],
)
async def test_a_question_after_the_command_is_answered(
    harness: Harness, code: str, lang: str, question: str
) -> None:
    answer = _last(await harness.feed(message(f"/union {question}", lang=code)))

    assert answer.method == "sendMessage"
    assert answer.text == render(_entry("union.study_grant"), lang)
    others = [d for d in answer.callback_data if d.startswith("un:") and d != "un:list"]
    assert 1 <= len(others) <= 2
    assert "un:union.study_grant" not in others
    assert answer.callback_data[-2:] == ["un:list", "m:menu"]


async def test_a_question_it_cannot_place_gets_the_list(harness: Harness) -> None:
    shown = _last(await harness.feed(message("/union 今天天气怎么样")))

    assert shown.text == t("zh", "un-unsure")
    assert len([d for d in shown.callback_data if d.startswith("un:")]) == len(
        default_union_kb().entries
    )


@pytest.mark.parametrize(("code", "lang"), [("zh-hans", "zh"), ("en", "en")])
async def test_pressing_a_service_shows_its_steps(harness: Harness, code: str, lang: str) -> None:
    calls = await harness.feed(callback("un:union.degree", lang=code))

    shown = _last(calls)
    assert shown.method == "editMessageText"
    assert shown.text == render(_entry("union.degree"), lang)
    assert "un:list" in shown.callback_data
    assert _popup(calls).params.get("show_alert") is None


async def test_a_service_with_a_bot_service_behind_it_offers_that_service(
    harness: Harness,
) -> None:
    stations = _last(await harness.feed(callback("un:union.stations")))
    matchmaking = _last(
        await harness.feed(callback("un:union.matchmaking", user_id=OTHER_ID, lang="en"))
    )

    assert stations.callback_data[0] == "m:station"
    assert stations.buttons[0][0]["text"] == t("zh", "un-open-station")
    assert matchmaking.callback_data[0] == "m:match"
    assert matchmaking.buttons[0][0]["text"] == t("en", "un-open-match")


async def test_the_all_services_button_shows_the_list(harness: Harness) -> None:
    shown = _last(await harness.feed(callback("un:list", lang="en")))

    assert shown.text == t("en", "un-list")


@pytest.mark.parametrize(("code", "lang"), [("zh-hans", "zh"), ("en", "en")])
@pytest.mark.parametrize("data", ["un:zzz", "un:union.nope", "un:UNION.JOIN", "un:"])
async def test_a_forged_button_is_stale(harness: Harness, code: str, lang: str, data: str) -> None:
    calls = await harness.feed(callback(data, lang=code))

    popup = _popup(calls)
    assert popup.params["text"] == t(lang, "button-stale")
    assert popup.params["show_alert"] is True
    assert [c for c in calls if c.method in ("sendMessage", "editMessageText")] == []


def test_the_help_and_command_menu_mention_the_union_services() -> None:
    from bot.app import bot_commands

    for lang in ("zh", "en"):
        assert "/union" in t(lang, "help")
        assert "union" in [c.command for c in bot_commands(lang)]


@pytest.mark.parametrize(
    ("code", "question", "expected"),
    [
        ("zh-hans", "孩子考上大学了工会有补助吗", "union.study_grant"),
        ("zh-hans", "想提升学历有免费的吗", "union.degree"),
        ("en", "my kid got into college does the union help with fees", "union.study_grant"),
    ],
)
async def test_a_typed_question_is_routed_to_the_union_services_and_answered(
    harness: Harness, code: str, question: str, expected: str
) -> None:
    answer = _last(await harness.feed(message(question, lang=code)))

    entry = default_union_kb().get(expected)
    assert entry is not None
    lang = "en" if code == "en" else "zh"
    if answer.text == t(lang, "router-unsure"):
        # not sure enough to go straight there: the union services are the first choice offered
        assert answer.callback_data[0] == "m:union"
    else:
        assert entry.title[lang] in answer.text
