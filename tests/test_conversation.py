"""A conversation that follows the person: flows give way to a clear request elsewhere and
wait to be taken up again, and the words typed before a "which service?" choice go with it."""

from __future__ import annotations

from typing import Any

from bot.core.models import FlowState, PausedFlow
from bot.i18n import t
from bot.legal.core import INTAKE_FLOW
from bot.localapi import Call
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def _buttons(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def _flows(harness: Harness) -> tuple[FlowState | None, PausedFlow | None]:
    async with harness.db.session() as session:
        return (
            await session.get(FlowState, WORKER_ID),
            await session.get(PausedFlow, WORKER_ID),
        )


async def test_a_legal_question_typed_while_stations_wait_for_a_place_gets_a_legal_answer(
    harness: Harness,
) -> None:
    await harness.feed(message("附近有驿站吗"))

    sent = _sent(await harness.feed(message("老板拖欠工资怎么办")))

    texts = [c.text for c in sent]
    assert not any("驿站" in text and "没有找到" in text for text in texts), texts
    assert any("工资" in text for text in texts[:-1]), texts
    assert sent[-1].text == t("zh", "flow-paused", service=t("zh", "btn-station"))
    assert [b["callback_data"] for b in _buttons(sent[-1])] == ["rs"]
    current, paused = await _flows(harness)
    assert current is None or current.flow != "stations"
    assert paused is not None
    assert (paused.flow, paused.step) == ("stations", "where")


async def test_the_same_happens_in_english(harness: Harness) -> None:
    await harness.feed(message("is there a rest station nearby", lang="en"))

    sent = _sent(await harness.feed(message("boss owes me wages", lang="en")))

    texts = [c.text for c in sent]
    assert not any(text.startswith("No station") for text in texts), texts
    assert sent[-1].text == t("en", "flow-paused", service=t("en", "btn-station"))


async def test_continue_takes_the_paused_flow_up_again(harness: Harness) -> None:
    await harness.feed(message("附近有驿站吗"))
    await harness.feed(message("老板拖欠工资怎么办"))

    sent = _sent(await harness.feed(callback("rs")))

    assert sent[-1].text == t("zh", "st-ask-where")
    current, paused = await _flows(harness)
    assert current is not None
    assert current.flow == "stations"
    assert paused is None
    # and the place typed now is read as the answer again
    texts = [c.text for c in _sent(await harness.feed(message("惠济区")))]
    assert not any(
        text == t("zh", "flow-paused", service=t("zh", "btn-station")) for text in texts
    )


async def test_continue_with_nothing_paused_says_so(harness: Harness) -> None:
    calls = await harness.feed(callback("rs"))

    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers[-1].params["text"] == t("zh", "flow-resume-gone")


async def test_a_place_name_is_still_the_answer_to_where(harness: Harness) -> None:
    await harness.feed(message("附近有驿站吗"))

    sent = _sent(await harness.feed(message("惠济区")))

    assert all(c.text != t("zh", "flow-paused", service=t("zh", "btn-station")) for c in sent)
    _current, paused = await _flows(harness)
    assert paused is None


async def test_the_story_step_of_a_legal_case_takes_any_text_as_the_story(
    harness: Harness,
) -> None:
    async with harness.db.session() as session:
        from bot.core.users import set_flow

        await set_flow(
            session,
            user_id=WORKER_ID,
            flow=INTAKE_FLOW,
            step="story",
            data={"d": {"category": "wages"}, "e": False},
        )

    sent = _sent(await harness.feed(message("附近有驿站吗")))

    assert all(c.text != t("zh", "flow-paused", service=t("zh", "btn-legal")) for c in sent)
    current, paused = await _flows(harness)
    assert paused is None
    assert current is not None
    assert current.flow == INTAKE_FLOW


async def test_a_menu_choice_after_unsure_buttons_starts_from_the_words_typed(
    harness: Harness,
) -> None:
    sent = _sent(await harness.feed(message("找个送快递的活")))
    assert sent[-1].text == t("zh", "router-unsure")
    assert "m:jobs" in [b["callback_data"] for b in _buttons(sent[-1])]

    after = _sent(await harness.feed(callback("m:jobs")))

    assert after
    assert all(c.text != t("zh", "jobs-menu") for c in after)
    assert any("送快递" in c.text for c in after), [c.text for c in after]
    current, _paused = await _flows(harness)
    assert current is None or current.flow != "typed"


async def test_the_words_are_dropped_once_the_worker_types_something_else(
    harness: Harness,
) -> None:
    await harness.feed(message("找个送快递的活"))
    await harness.feed(message("老板拖欠工资怎么办"))

    after = _sent(await harness.feed(callback("m:jobs")))

    assert all("送快递" not in c.text for c in after)


async def test_leaving_a_list_of_results_for_another_service_offers_nothing_to_continue(
    harness: Harness,
) -> None:
    await harness.feed(message("找个送快递的活"))
    await harness.feed(callback("m:jobs"))

    sent = _sent(await harness.feed(message("附近有驿站吗")))

    assert sent[-1].text == t("zh", "st-ask-where")
    _current, paused = await _flows(harness)
    assert paused is None
