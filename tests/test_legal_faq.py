"""Legal questions answered from the FAQ with citations; "did this help?"; the legal menu."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bot.core.models import FlowState
from bot.db import Database
from bot.i18n import t
from bot.legal.kb import forget_cached_kb
from bot.legal.models import LegalConsultation
from bot.localapi import Call
from knowledge.legal import default_kb
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message

OTHER_ID = 444_444
WAGE_QUESTION = "老板拖欠三个月工资怎么办"
UNKNOWN_QUESTION = "邻居家的狗半夜一直叫怎么办"
CITATION = re.compile(r"《[^》]+》")


@pytest.fixture(autouse=True)
def _fresh_kb() -> None:
    """Each test reads the knowledge base of its own database."""
    forget_cached_kb()


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")]


def _last(calls: list[Call]) -> Call:
    sent = _sent(calls)
    assert sent, [c.method for c in calls]
    return sent[-1]


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


def _buttons(call: Call, prefix: str) -> list[str]:
    return [data for data in call.callback_data if data.startswith(prefix)]


async def _consultations(db: Database) -> list[LegalConsultation]:
    async with db.session() as session:
        rows = await session.exec(select(LegalConsultation).order_by(LegalConsultation.id))  # type: ignore[arg-type]
        return list(rows.all())


async def _ask(harness: Harness, text: str = WAGE_QUESTION, lang: str = "zh-hans") -> Call:
    """Ask the legal service a question and return the answer."""
    return _last(await harness.feed(message(f"/legal {text}", lang=lang)))


def _rating_id(answer: Call) -> str:
    yes = _buttons(answer, "lg:y:")
    assert len(yes) == 1, answer.callback_data
    return yes[0].removeprefix("lg:y:")


# --- answering --------------------------------------------------------------------------------


async def test_a_wage_question_typed_to_the_bot_gets_an_answer_with_the_law_cited(
    harness: Harness,
) -> None:
    answer = _last(await harness.feed(message(WAGE_QUESTION)))

    assert "《劳动合同法》" in answer.text or "《劳动法》" in answer.text
    assert t("zh", "lg-disclaimer") in answer.text
    assert _buttons(answer, "lg:y:")


async def test_a_legal_question_the_router_is_sure_of_is_answered_from_the_faq(
    harness: Harness,
) -> None:
    answer = _last(await harness.feed(message("加班费怎么算")))

    assert CITATION.search(answer.text)
    assert t("zh", "lg-disclaimer") in answer.text
    assert len(await _consultations(harness.db)) == 1


async def test_an_answer_offers_two_related_questions_and_did_this_help(
    harness: Harness,
) -> None:
    answer = await _ask(harness)

    assert len(_buttons(answer, "lg:e:")) == 2
    rating = _rating_id(answer)
    assert f"lg:n:{rating}" in answer.callback_data
    assert t("zh", "lg-did-it-help") in answer.text


async def test_an_answer_is_stored_as_a_consultation(harness: Harness) -> None:
    answer = await _ask(harness)

    rows = await _consultations(harness.db)
    assert len(rows) == 1
    row = rows[0]
    assert str(row.id) == _rating_id(answer)
    assert (row.user_id, row.lang, row.helped) == (WORKER_ID, "zh", None)
    assert row.entry_id == default_kb().search(WAGE_QUESTION, limit=1)[0].entry.id
    assert row.score > 0


async def test_an_english_question_is_answered_in_english(harness: Harness) -> None:
    answer = _last(await harness.feed(message("How is overtime pay calculated?", lang="en")))

    assert t("en", "lg-disclaimer") in answer.text
    assert "Legal basis" in answer.text
    assert "《" not in answer.text
    assert (await _consultations(harness.db))[0].lang == "en"


async def test_a_question_after_the_legal_command_is_answered(harness: Harness) -> None:
    calls = await harness.feed(message("/legal 加班费怎么算"))

    answer = _last(calls)
    assert CITATION.search(answer.text)
    assert len(await _consultations(harness.db)) == 1


async def test_an_overlong_question_after_the_legal_command_is_refused_politely(
    harness: Harness,
) -> None:
    calls = await harness.feed(message("/legal " + "工资" * 501))

    assert _last(calls).text == t("zh", "text-too-long", limit=1000)
    assert await _consultations(harness.db) == []


async def test_an_unknown_question_is_handed_over_with_public_legal_services_and_a_case(
    harness: Harness,
) -> None:
    calls = await harness.feed(message(f"/legal {UNKNOWN_QUESTION}"))

    reply = _last(calls)
    assert reply.text == t("zh", "lg-handover")
    assert "12348" in reply.text
    assert "li:new" in reply.callback_data
    assert await _consultations(harness.db) == []


async def test_a_question_outside_labour_law_is_handed_over(harness: Harness) -> None:
    calls = await harness.feed(message("/legal 房东不退押金还涨房租怎么办"))

    reply = _last(calls)
    assert reply.text == t("zh", "lg-handover")
    assert "li:new" in reply.callback_data
    assert await _consultations(harness.db) == []


async def test_a_long_story_gets_the_closest_questions_offered_with_a_volunteer_lawyer(
    harness: Harness,
) -> None:
    story = "我在一家商场当门童，前几天脚被门夹了，脚踝肿得很厉害，请问这个可以评工伤吗？"
    calls = await harness.feed(message(f"/legal {story}"))

    reply = _last(calls)
    if reply.text == t("zh", "lg-offer"):
        assert "lg:e:injury.what_counts" in reply.callback_data
        assert "li:new" in reply.callback_data
        assert t("zh", "lg-btn-none") in [b["text"] for row in reply.buttons for b in row]
    else:  # answered straight away: the right entry, with its citation
        assert "《工伤保险条例》" in reply.text
        assert await _consultations(harness.db) != []


# --- did this help? ---------------------------------------------------------------------------


async def test_yes_records_that_the_answer_helped_and_takes_the_buttons_away(
    harness: Harness,
) -> None:
    answer = await _ask(harness)

    calls = await harness.feed(callback(f"lg:y:{_rating_id(answer)}"))

    assert (await _consultations(harness.db))[0].helped is True
    assert any(c.method == "editMessageReplyMarkup" for c in calls)
    assert _last(calls).text == t("zh", "lg-thanks")


async def test_no_records_it_and_offers_a_case_in_the_answers_category(
    harness: Harness,
) -> None:
    answer = await _ask(harness)

    calls = await harness.feed(callback(f"lg:n:{_rating_id(answer)}"))

    assert (await _consultations(harness.db))[0].helped is False
    reply = _last(calls)
    assert reply.text == t("zh", "lg-sorry")
    category = default_kb().search(WAGE_QUESTION, limit=1)[0].entry.category
    assert f"li:new:{category}" in reply.callback_data
    assert "m:menu" in reply.callback_data


async def test_the_offered_case_starts_with_the_category_chosen(harness: Harness) -> None:
    answer = await _ask(harness)
    offer = _last(await harness.feed(callback(f"lg:n:{_rating_id(answer)}")))
    start = _buttons(offer, "li:new")[0]

    calls = await harness.feed(callback(start))

    assert t("zh", "li-ask-employer") in _last(calls).text


async def test_another_worker_cannot_rate_someone_elses_answer(harness: Harness) -> None:
    answer = await _ask(harness)

    calls = await harness.feed(callback(f"lg:y:{_rating_id(answer)}", user_id=OTHER_ID))

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _consultations(harness.db))[0].helped is None


async def test_an_answer_is_rated_only_once(harness: Harness) -> None:
    answer = await _ask(harness)
    await harness.feed(callback(f"lg:y:{_rating_id(answer)}"))

    calls = await harness.feed(callback(f"lg:n:{_rating_id(answer)}"))

    assert _popup(calls) == t("zh", "button-stale")
    assert (await _consultations(harness.db))[0].helped is True


async def test_a_related_question_is_answered_as_another_consultation(harness: Harness) -> None:
    answer = await _ask(harness)
    related = _buttons(answer, "lg:e:")[0]

    calls = await harness.feed(callback(related))

    entry = default_kb().get(related.removeprefix("lg:e:"))
    assert entry is not None
    assert entry.title["zh"] in _last(calls).text
    rows = await _consultations(harness.db)
    assert [r.entry_id for r in rows][1:] == [entry.id]
    assert _buttons(_last(calls), "lg:y:") == [f"lg:y:{rows[1].id}"]


@pytest.mark.parametrize(
    "data",
    [
        "lg:e:no.such.entry",
        "lg:e:WAGES",
        "lg:e:" + "a" * 25,
        "lg:y:abc",
        "lg:y:",
        "lg:x:1",
        "lg:y:999999",
        "lg:n:1:2",
    ],
)
async def test_forged_answer_buttons_get_the_stale_popup(harness: Harness, data: str) -> None:
    calls = await harness.feed(callback(data))

    assert _popup(calls) == t("zh", "button-stale")
    assert await _consultations(harness.db) == []


# --- the legal menu ---------------------------------------------------------------------------


async def test_the_legal_command_shows_common_questions_a_case_and_my_cases(
    harness: Harness,
) -> None:
    calls = await harness.feed(message("/legal"))

    menu = _last(calls)
    assert menu.text == t("zh", "lg-menu")
    assert len(_buttons(menu, "lg:e:")) >= 3
    assert {"li:new", "lw:list", "m:menu"} <= set(menu.callback_data)


async def test_the_main_menu_button_opens_legal_help(harness: Harness) -> None:
    calls = await harness.feed(callback("m:legal"))

    assert _last(calls).text == t("zh", "lg-menu")


async def test_a_common_question_from_the_menu_is_answered(harness: Harness) -> None:
    menu = _last(await harness.feed(message("/legal")))

    calls = await harness.feed(callback(_buttons(menu, "lg:e:")[0]))

    assert t("zh", "lg-disclaimer") in _last(calls).text
    assert len(await _consultations(harness.db)) == 1


async def _flow_of(db: Database) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, WORKER_ID)


async def test_a_case_opened_after_an_offer_starts_with_the_question_as_its_story(
    harness: Harness,
) -> None:
    story = "厂里最近管理很乱，领导天天变规矩，我们这些老员工心里没底该怎么办"
    offered = _last(await harness.feed(message(f"/legal {story}")))
    assert offered.text in (t("zh", "lg-offer"), t("zh", "lg-handover"))

    started = _last(await harness.feed(callback("li:new")))

    assert t("zh", "li-intro-story") in started.text
    state = await _flow_of(harness.db)
    assert state is not None
    assert state.data["d"]["story"] == story
    assert state.data["d"]["asked"] is True


async def test_asking_a_question_does_not_touch_a_case_being_written(harness: Harness) -> None:
    await harness.feed(callback("li:new"))
    before = await _flow_of(harness.db)
    assert before is not None

    await harness.feed(message(f"/legal {UNKNOWN_QUESTION}"))

    after = await _flow_of(harness.db)
    assert after is not None
    assert (after.flow, after.step, after.data) == (before.flow, before.step, before.data)
    assert after.data["d"]["story"] == ""


# --- button labels ----------------------------------------------------------------------------


def _entry_labels(call: Call) -> list[tuple[str, str]]:
    """(label, English title) of every button that opens an FAQ entry."""
    kb = default_kb()
    pairs = []
    for row in call.buttons:
        for button in row:
            data = str(button.get("callback_data", ""))
            if data.startswith("lg:e:"):
                entry = kb.get(data.removeprefix("lg:e:"))
                assert entry is not None, data
                pairs.append((str(button["text"]), entry.title["en"]))
    return pairs


def _assert_cut_between_words(label: str, title: str) -> None:
    assert len(label) <= 40 + 2, label  # the related-question mark and its space aside
    if label == title:
        return
    assert label.endswith("…"), label
    head = label[:-1]
    assert title.startswith(head), (label, title)
    assert not (head[-1].isalpha() and title[len(head)].isalpha()), (label, title)


async def test_english_questions_offered_are_cut_between_words(harness: Harness) -> None:
    offer = await _ask(harness, "platform rider injury", lang="en")

    assert offer.text == t("en", "lg-offer")
    labels = _entry_labels(offer)
    assert len(labels) == 3
    assert any(label.endswith("…") for label, _title in labels)
    for label, title in labels:
        _assert_cut_between_words(label, title)


async def test_english_related_questions_are_cut_between_words(harness: Harness) -> None:
    answer = await _ask(harness, "dispatched worker agency equal pay", lang="en")

    labels = _entry_labels(answer)
    assert len(labels) == 2
    for label, title in labels:
        assert label.startswith("📖 ")
        _assert_cut_between_words(label.removeprefix("📖 "), title)
    assert any(label.endswith("…") for label, _title in labels)


async def test_the_english_legal_menu_cuts_its_questions_between_words(harness: Harness) -> None:
    menu = _last(await harness.feed(message("/legal", lang="en")))

    labels = _entry_labels(menu)
    assert len(labels) >= 3
    for label, title in labels:
        _assert_cut_between_words(label, title)
