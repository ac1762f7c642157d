"""The `gongyou` command: chat in a terminal, ask the router, manage roles and the database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.chat import ChatSession, run_chat
from bot.cli import main
from bot.config import Settings
from bot.core.models import Role, User
from bot.db import Database
from bot.i18n import t
from bot.localapi import Call
from bot.match.models import (
    MatchDecision,
    MatchPair,
    MatchProfile,
    MatchSignup,
    MatchSuggestion,
    SignupStatus,
)


def _scripted(lines: list[str]) -> Iterator[str]:
    yield from lines


def _reader(lines: list[str]):  # noqa: ANN202 - a tiny test double
    script = _scripted(lines)

    def read(_prompt: str) -> str:
        try:
            return next(script)
        except StopIteration:
            raise EOFError from None

    return read


async def _chat(tmp_path: Path, lines: list[str], **kwargs: object) -> str:
    out: list[str] = []
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    await run_chat(
        settings,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}",
        read=_reader(lines),
        write=out.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return "\n".join(out)


async def test_chat_opens_with_the_welcome_and_numbered_menu(tmp_path: Path) -> None:
    output = await _chat(tmp_path, [])
    assert t("zh", "welcome").splitlines()[0] in output
    assert "[1] " + t("zh", "btn-jobs") in output
    assert "[4] " + t("zh", "btn-station") in output


async def test_chat_number_presses_a_button(tmp_path: Path) -> None:
    output = await _chat(tmp_path, ["2"])
    assert t("zh", "lg-menu") in output


async def test_chat_presses_through_the_menu_in_english(tmp_path: Path) -> None:
    output = await _chat(tmp_path, ["5", "2", "1"])  # language, English, jobs
    assert t("en", "lang-set") in output
    assert t("en", "jobs-menu") in output


async def test_chat_sends_a_location_with_loc_and_lists_demo_stations(tmp_path: Path) -> None:
    output = await _chat(tmp_path, ["/loc 34.7466,113.6254"], language="en")
    radius = t("en", "st-km", n="4")
    assert t("en", "st-nearby-header", radius=radius) in output
    assert "[map pin]" in output
    assert t("en", "st-demo-note") in output


async def test_chat_says_when_a_button_number_does_not_exist(tmp_path: Path) -> None:
    output = await _chat(tmp_path, ["9"])
    assert "no button 9" in output


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_chat_lists_the_send_my_location_button_and_pressing_it_finds_stations(
    tmp_path: Path, lang: str
) -> None:
    output = await _chat(tmp_path, ["4", "1"], language=lang)  # stations, then the button

    assert "[1] " + t(lang, "st-send-location") + " (shares a location: press 1" in output
    assert t(lang, "st-nearby-header", radius=t(lang, "st-km", n="4")) in output
    assert "[map pin]" in output


async def test_chat_share_my_phone_button_shares_the_persona_s_own_number(
    tmp_path: Path,
) -> None:
    output = await _chat(tmp_path, ["/match", "DEMO-0001", "张伟", "2"])

    # the inline "cancel" is button 1, the keyboard under the input field goes on with 2
    assert "[1] " + t("zh", "mv-btn-cancel") in output
    assert "[2] " + t("zh", "mv-btn-share") + " (shares your own phone number" in output
    assert t("zh", "mv-verified").splitlines()[0] in output


async def test_chat_a_bare_number_answers_a_question_that_waits_for_typing(
    tmp_path: Path,
) -> None:
    when = date.today() + timedelta(days=30)
    lines = ["/as staff", "/match event", "工会冬季联谊会", f"{when:%Y-%m-%d} 19:00"]
    lines += ["金水区工人文化宫二楼", "40", "#3"]  # 40 places, then "back" by its number

    output = await _chat(tmp_path, lines)

    after = output.split(t("zh", "me-ask-capacity", min="1", max="1000"), 1)[1]
    assert t("zh", "me-ask-balance") in after
    assert t("zh", "me-current", value="40") in after
    assert "no button 40" not in output


def _session_after(*calls: Call) -> ChatSession:
    """A chat session whose person (10001) was sent ``calls``."""
    session = ChatSession(user_id=10001, language="zh", write=lambda _line: None)
    for call in calls:
        session.terminal.show(call)
    return session


def _sent(text: str, **params: Any) -> Call:
    return Call("sendMessage", {"chat_id": 10001, "text": text, **params}, {"message_id": 7})


def _sends(payload: dict[str, Any] | None) -> tuple[str, str]:
    """What an update does: presses a button (its data) or sends a text."""
    assert payload is not None
    if "callback_query" in payload:
        return "button", payload["callback_query"]["data"]
    return "text", payload["message"]["text"]


MENU_MARKUP = {
    "inline_keyboard": [
        [{"text": "一", "callback_data": "a:1"}, {"text": "二", "callback_data": "a:2"}]
    ]
}


def test_chat_a_bare_number_presses_a_button_of_the_last_message_only() -> None:
    fresh = _session_after(_sent("选一个", reply_markup=MENU_MARKUP))
    stale = _session_after(_sent("选一个", reply_markup=MENU_MARKUP), _sent("请写下来："))

    assert _sends(fresh.payload_for("2")) == ("button", "a:2")
    assert _sends(stale.payload_for("2")) == ("text", "2")
    assert _sends(stale.payload_for("#2")) == ("button", "a:2")
    assert _sends(fresh.payload_for("2", typing=True)) == ("text", "2")


def test_chat_shows_html_messages_as_plain_text_with_links() -> None:
    out: list[str] = []
    session = ChatSession(user_id=10001, language="zh", write=out.append)
    text = '<b>配对成功</b>：<a href="tg://user?id=10002">李娜 &amp; 家人</a> <i>加油</i>'

    session.terminal.show(_sent(text, parse_mode="HTML"))
    session.terminal.show(_sent("<b>原样</b>"))

    assert out[0] == "\nbot: 配对成功：李娜 & 家人 <tg://user?id=10002> 加油"
    assert out[1] == "\nbot: <b>原样</b>"  # without parse_mode the text is shown as sent


async def test_chat_role_flag_gives_the_user_that_role(tmp_path: Path) -> None:
    output = await _chat(tmp_path, ["/role list"], role=Role.admin, user_id=4242)
    assert "4242: admin" in output


def test_ask_prints_json_with_intent_score_entry_and_reply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "老板拖欠工资三个月了", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["intent"] == "legal"
    assert result["decision"] == "answer"
    assert result["score"] >= 60
    assert result["entry"] in ("legal.wages_unpaid", "wages.arrears")
    assert result["legal"]["outcome"] == "answer"
    assert result["legal"]["answered"] == "wages.arrears"
    assert result["legal"]["hits"][0]["score"] >= 75
    assert "《劳动合同法》第30条" in result["legal"]["citations"]
    assert "《劳动合同法》第30条" in result["reply"]
    assert t("zh", "lg-disclaimer") in result["reply"]


def test_ask_file_prints_one_json_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("附近有驿站吗\n\nhow do i join the union\n", encoding="utf-8")
    assert main(["ask", "--file", str(messages), "--json", "--lang", "en"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in lines] == ["附近有驿站吗", "how do i join the union"]
    assert lines[0]["intent"] == "station"
    assert lines[1]["intent"] == "union"
    assert lines[1]["decision"] == "answer"
    assert lines[1]["union"] == "union.join"
    assert all(
        set(line) >= {"text", "intent", "decision", "reply", "legal"}
        and set(line["legal"]) >= {"outcome", "answered", "offered", "citations"}
        for line in lines
    )
    assert lines[0]["legal"]["outcome"] is None
    assert "union" in lines[1]["reply"].lower()


def test_ask_prints_each_message_readably_whichever_service_takes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("附近有驿站吗\n老板拖欠工资三个月了\nasdf qwer\n", encoding="utf-8")
    assert main(["ask", "--file", str(messages)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("附近有驿站吗\n  -> station (")
    assert "  legal:" not in out.split("老板拖欠工资三个月了")[0]  # not asked for a station
    assert "\n  legal: answer\n       hit: wages.arrears (score " in out
    assert "asdf qwer\n  -> " in out
    assert out.count("  reply: ") == 3


def test_ask_without_a_message_explains_what_to_give(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask"]) == 2
    assert "gongyou ask" in capsys.readouterr().err


def test_roles_command_grants_lists_and_revokes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", f"sqlite:///{tmp_path / 'roles.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["roles", "add", "77", "volunteer_legal"]) == 0
    assert main(["roles", "list"]) == 0
    assert main(["roles", "remove", "77", "volunteer_legal"]) == 0
    assert main(["roles", "remove", "77", "volunteer_legal"]) == 0
    out = capsys.readouterr().out
    assert "77\tvolunteer_legal" in out
    assert out.strip().endswith("nothing changed")


def test_run_without_a_token_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GONGYOU_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err
    assert "gongyou chat" in err


def test_webhook_mode_without_url_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_BOT_TOKEN", "1:abc")
    assert main(["run", "--mode", "webhook"]) == 2
    assert "GONGYOU_WEBHOOK_URL" in capsys.readouterr().err


JOBS_SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "data" / "jobs-sample.xlsx"


@pytest.fixture
def jobs_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and database for `gongyou import jobs`, reporting in English."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    monkeypatch.setenv("GONGYOU_DEFAULT_LANGUAGE", "en")
    return tmp_path / "jobs.sqlite3"


def _posting_count(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM job_postings").fetchone()[0])


def test_import_jobs_dry_run_prints_the_report_and_stores_nothing(
    jobs_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "jobs", str(JOBS_SAMPLE), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert t("en", "ji-summary-dry-run", added=25, updated=0, unchanged=0, rejected=0) in out
    assert t("en", "ji-outcome-dry-run", published=23, held=2) in out
    assert _posting_count(jobs_env) == 0


def test_import_jobs_stores_the_list_and_a_second_run_changes_nothing(
    jobs_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "jobs", str(JOBS_SAMPLE), "--city", "郑州市"]) == 0
    assert main(["import", "jobs", str(JOBS_SAMPLE)]) == 0

    out = capsys.readouterr().out
    assert t("en", "ji-summary", added=25, updated=0, unchanged=0, rejected=0) in out
    assert t("en", "ji-summary", added=0, updated=0, unchanged=25, rejected=0) in out
    assert _posting_count(jobs_env) == 25


def test_import_jobs_gives_rows_without_a_city_the_city_option(
    jobs_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("岗位,单位,薪资,联系方式\n保洁员,示例物业,1500元/月,0371-0000-0001\n", "utf-8")

    assert main(["import", "jobs", str(path), "--city", "郑州市"]) == 0

    out = capsys.readouterr().out
    assert t("en", "ji-outcome", published=0, held=1, alerts=0) in out
    assert t("en", "flag-below_min_wage") in out


def test_import_jobs_exits_1_with_the_reason_for_a_malformed_file(
    jobs_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")

    assert main(["import", "jobs", str(path)]) == 1

    err = capsys.readouterr().err
    assert err.startswith(t("en", "ji-file-refused", reason=""))


def test_import_jobs_exits_2_when_the_file_cannot_be_read(
    jobs_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "jobs", "missing.xlsx"]) == 2
    assert "missing.xlsx" in capsys.readouterr().err


async def test_chat_walks_a_wage_case_from_cited_answer_to_rating_and_statistics(
    tmp_path: Path,
) -> None:
    lines = [
        "老板拖欠三个月工资怎么办",
        "4",  # did not help
        "1",  # ask a lawyer for help (the category is taken from the answer)
        "郑州某建筑劳务公司",
        "郑州 金水区",
        "2025-03-01",
        "2026-09-30",
        "36000",
        "在工地干了七个月，最后三个月的工资老板一直拖着不给，说等工程款下来再结。",
        "/photo 工资条",
        "1",  # done with evidence
        "1",  # contact: in the bot only
        "1",  # consent
        "2",  # name: not shared
        "1",  # submit
        "/as lawyer",
        "/cases",
        "1",  # open L0001
        "1",  # claim
        "2",  # ask the worker
        "有没有欠条或者聊天记录能证明欠多少钱？",
        "/as worker",
        "1",  # reply to the lawyer
        "有微信聊天记录，老板在微信里承认欠我三万六。",
        "/as lawyer",
        "/case 1",
        "3",  # close
        "1",  # answered
        "1",  # yes, close it
        "/as worker",
        "5",  # five stars
        "/as staff",
        "/legal stats",
    ]
    out: list[str] = []
    settings = Settings(_env_file=None, flood_limit="1000 per 1 minute")  # type: ignore[call-arg]
    await run_chat(
        settings,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}",
        read=_reader(lines),
        write=out.append,
    )
    output = "\n".join(out)

    assert "《劳动合同法》第30条" in output
    assert t("zh", "lg-disclaimer") in output
    assert "[new topic] L0001" in output
    assert "[photo] L0001" in output
    assert "bot -> worker: " + t("zh", "lw-claimed", number="L0001").splitlines()[0] in output
    assert re.search(r"bot -> worker: .*L0001.*\n有没有欠条或者聊天记录能证明欠多少钱？", output)
    assert re.search(r"bot -> volunteers group \(topic \d+\): .*L0001.*\n.*承认欠我三万六", output)
    assert t("zh", "lc-note-closed", outcome="已解答", name="lawyer") in output
    stats = output.rsplit("/legal stats", 1)[-1]
    assert "新开案件：1 件" in stats
    assert "已解答：1" in stats
    assert "1 个，平均 5.0 分" in stats


async def test_chat_walks_matchmaking_from_verification_to_mutual_like_report_social_and_delete(
    tmp_path: Path,
) -> None:
    when = date.today() + timedelta(days=30)
    # the whole conversation, as typed in the chat (a number of one or two digits presses a
    # button of the last message, unless the bot asked for a typed answer such as a year)
    lines = [
        "/match",
        "DEMO-0001",
        "张伟",
        "/contact",
        "1",
        "1",
        "1",
        "1992",
        "4",
        "5",
        "快递员",
        "175",
        "平时送快递，休息时喜欢做饭和爬山，想找个踏实过日子的人。",
        "2",
        "25-35",
        "11",
        "1",
        "1",
        "8",
        "13",
        "19",
        "1",
        "2",
        "1",
        "/as worker2",
        "/match",
        "DEMO-0002",
        "李娜",
        "/contact",
        "1",
        "1",
        "2",
        "1994",
        "2",
        "3",
        "电子厂质检员",
        "162",
        "在电子厂做质检，性格开朗，喜欢做饭和看电影，周末常去爬山。",
        "1",
        "28-40",
        "11",
        "1",
        "1",
        "4",
        "8",
        "19",
        "1",
        "2",
        "1",
        "/as matchmaker",
        "/match review",
        "1",
        "1",
        "/as worker",
        "/match",
        "3",
        "1",
        "/as worker2",
        "/match",
        "3",
        "1",
        "/as worker3",
        "/match",
        "DEMO-0003",
        "王芳",
        "/contact",
        "1",
        "1",
        "2",
        "1993",
        "4",
        "3",
        "环卫工",
        "158",
        "在金水区做环卫，早出晚归，性格安静，喜欢养花和做饭。",
        "1",
        "30-45",
        "11",
        "1",
        "1",
        "13",
        "19",
        "1",
        "2",
        "1",
        "/as matchmaker",
        "/match review",
        "1",
        "/as worker3",
        "/match",
        "3",
        "4",
        "2",
        "/as matchmaker",
        "/match reports",
        "/as staff",
        "/match event",
        "工会冬季联谊会",
        f"{when:%Y-%m-%d} 19:00",
        "金水区工人文化宫二楼",
        "1",  # places: a typed answer, not button 1
        "2",
        "1",
        "1",
        "/as worker",
        "/match",
        "4",
        "1",
        "/as worker2",
        "/match",
        "4",
        "1",
        "/as staff",
        "/match events",
        "/as worker",
        "/match",
        "6",
        "1",
    ]
    url = f"sqlite+aiosqlite:///{tmp_path / 'chat.sqlite3'}"
    out: list[str] = []
    settings = Settings(_env_file=None, flood_limit="1000 per 1 minute")  # type: ignore[call-arg]
    await run_chat(settings, database_url=url, read=_reader(lines), write=out.append)
    output = "\n".join(out)

    # both demo members verified and were approved by the matchmaker
    assert output.count(t("zh", "mv-verified").splitlines()[0]) == 3
    assert t("zh", "mr-approved", number=1) in output
    assert t("zh", "mr-approved", number=2) in output
    # the first like reveals nothing; the second one gives each the other's contact
    marker = "(now chatting as worker2"
    cut = output.index(marker, output.index(marker) + 1)  # worker2 again, after worker's like
    before, after = output[:cut], output[cut:]
    assert "tg://user?id=" not in before
    assert "bot -> worker: 💞" in after
    assert "tg://user?id=10002" in after
    assert "tg://user?id=10001" in after
    assert "<a href" not in output  # the contact message is shown as a phone shows it
    # the third member's report hides that profile from her and queues it for matchmakers
    assert t("zh", "ms-reported") in output
    reports = output.rsplit("(now chatting as matchmaker", 1)[1].split("(now chatting as staff")[0]
    assert "资料编号：1" in reports
    # the social has one place: the second member is on the waiting list
    assert "⏳" in output
    assert "候补名单第 1 位" in output
    # deleting the profile removes it with its likes, suggestions and pair
    assert t("zh", "mp-deleted-head") in output
    assert t("zh", "mp-deleted-pairs", count=1) in output

    db = Database(url)
    try:
        async with db.session() as session:
            assert await session.get(User, 10001) is not None
            for table in (MatchProfile, MatchDecision, MatchSuggestion, MatchPair):
                rows = (await session.exec(select(table))).all()
                assert all(10001 not in _ids(row) for row in rows), table
            signups = (await session.exec(select(MatchSignup))).all()
            assert {(s.user_id, s.status) for s in signups} == {
                (10001, SignupStatus.going),
                (10002, SignupStatus.waiting),
            }
    finally:
        await db.dispose()


def _ids(row: object) -> set[int]:
    """The Telegram user ids a matchmaking row refers to."""
    names = ("user_id", "target_id", "a_id", "b_id")
    return {getattr(row, name) for name in names if hasattr(row, name)}
