"""Membership: the roster import (hashes only) and the check a worker goes through in the chat."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler

from bot.cli import main
from bot.config import Settings
from bot.core.models import AuditLog, FlowState, User, utcnow
from bot.core.users import set_flow
from bot.db import Database
from bot.i18n import message_ids, t
from bot.localapi import Call
from bot.membership.models import MemberCard, MemberVerification, VerifyAttempt
from bot.membership.roster import (
    DEMO_ROSTER,
    TRIES_KEPT,
    VERIFY_FLOW,
    CardCheck,
    RosterFileError,
    card_hash,
    check_card,
    day_start,
    drop_old_attempts,
    drop_stale_checks,
    import_roster,
    is_latin_name,
    load_demo_roster,
    member_key,
    parse_roster,
)
from handlers import membership as verify
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message, sticker

OTHER_ID = 444_444
KEY = b"a test roster key"
CARD, NAME = "GH-4101-0001", "张伟"
ROSTER_CSV = (
    "郑州市总工会会员名册（内部）\n"
    "序号,会员卡号,姓名,所在单位\n"
    "1,GH-4101-0001,张伟,示例快递公司\n"
    "2,GH-4101-0002,李娜,示例物业公司\n"
    "3,GH 4101 0003,阿依古丽·买买提,示例环卫所\n"
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The shared test settings with a roster key, and room for a whole check in a second."""
    return Settings(
        bot_token="123456:TEST-token",
        database_url=database_url,
        outbound_rate_limit=False,
        admin_ids=[333_333],
        default_language="zh",
        flood_limit="100 per 1 second",
        member_key="a-secret-roster-key",
        _env_file=None,
    )


@pytest.fixture
def continued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A continuation "test" that says "continued" and records who reached it."""
    reached: list[int] = []

    async def go_on(update: Update, context: Any) -> None:
        assert update.effective_user is not None
        reached.append(update.effective_user.id)
        await context.bot.send_message(update.effective_chat.id, "continued")

    monkeypatch.setitem(verify.CONTINUATIONS, "test", go_on)
    return reached


@pytest.fixture
async def bot(harness: Harness, settings: Settings) -> Harness:
    """The harness with a member-only command `/members_only` and the roster imported."""

    async def members_only(update: Update, context: Any) -> None:
        if await verify.ensure_verified(update, context, then="test"):
            await context.bot.send_message(update.effective_chat.id, "welcome, member")
        raise ApplicationHandlerStop

    harness.app.add_handler(CommandHandler("members_only", members_only), group=-5)
    await import_roster(
        harness.db, ROSTER_CSV.encode(), filename="roster.csv", key=member_key(settings)
    )
    return harness


# --- helpers ----------------------------------------------------------------------------------


def _sent(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")]


def _text(calls: list[Call]) -> str:
    return "\n".join(c.text for c in _sent(calls))


def _markup(call: Call) -> dict[str, Any]:
    markup = call.params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else dict(markup)


def _popup(calls: list[Call]) -> str:
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert answers, [c.method for c in calls]
    return str(answers[-1].params.get("text") or "")


def _contact(owner: int, user_id: int = WORKER_ID) -> dict[str, Any]:
    contact = {"phone_number": "+8613800000000", "first_name": "阿强", "user_id": owner}
    return message(None, contact=contact, user_id=user_id)


async def _flow(db: Database, user_id: int = WORKER_ID) -> FlowState | None:
    async with db.session() as session:
        return await session.get(FlowState, user_id)


async def _verification(db: Database, user_id: int = WORKER_ID) -> MemberVerification | None:
    async with db.session() as session:
        return await session.get(MemberVerification, user_id)


async def _attempts(db: Database, user_id: int = WORKER_ID) -> list[VerifyAttempt]:
    async with db.session() as session:
        rows = await session.exec(select(VerifyAttempt).where(VerifyAttempt.user_id == user_id))
        return list(rows.all())


async def _audits(db: Database, action: str) -> list[AuditLog]:
    async with db.session() as session:
        rows = await session.exec(select(AuditLog).where(AuditLog.action == action))
        return list(rows.all())


async def _roster(db: Database) -> list[MemberCard]:
    async with db.session() as session:
        return list((await session.exec(select(MemberCard))).all())


async def _fail_today(db: Database, count: int, user_id: int = WORKER_ID) -> None:
    async with db.session() as session:
        if await session.get(User, user_id) is None:
            session.add(User(id=user_id, language="zh"))
            await session.flush()
        for _ in range(count):
            session.add(VerifyAttempt(user_id=user_id, ok=False, at=utcnow()))
        await session.commit()


async def _to_phone_step(bot: Harness, user_id: int = WORKER_ID) -> list[Call]:
    await bot.feed(message("/members_only", user_id=user_id))
    await bot.feed(message(CARD, user_id=user_id))
    return await bot.feed(message(NAME, user_id=user_id))


# --- the roster import ------------------------------------------------------------------------


async def test_import_stores_keyed_hashes_and_never_the_card_or_name(db: Database) -> None:
    report = await import_roster(db, ROSTER_CSV.encode(), filename="roster.csv", key=KEY)

    assert (report.rows, report.added, report.existing, report.rejected) == (3, 3, 0, [])
    async with db.engine.connect() as conn:
        dumped = [
            repr(tuple(row))
            for table in ("member_roster", "audit_log")
            for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all()
        ]
    stored = "\n".join(dumped)
    for secret in ("4101", "张伟", "李娜", "阿依古丽", "买买提"):
        assert secret not in stored
    hashes = {card.card_hash for card in await _roster(db)}
    assert card_hash(KEY, CARD, NAME) in hashes
    assert card_hash(KEY, "GH41010003", "阿依古丽.买买提") in hashes


def test_card_and_name_are_normalised_before_hashing() -> None:
    expected = card_hash(KEY, "GH-4101-0001", "Chen Jie")

    assert card_hash(KEY, " gh 4101—0001 ", "chen  jie") == expected
    assert card_hash(KEY, "ＧＨ－４１０１－０００１", "ＣＨＥＮ　ＪＩＥ") == expected
    assert card_hash(KEY, "GH-4101-0001", "Chen Jia") != expected
    assert card_hash(b"another key", "GH-4101-0001", "Chen Jie") != expected
    assert len(expected) == 64


async def test_a_second_import_adds_only_new_members_and_keeps_their_batch(db: Database) -> None:
    await import_roster(db, ROSTER_CSV.encode(), filename="a.csv", key=KEY, batch="2026-10")
    more = ROSTER_CSV + "4,GH-4101-0004,王强,示例工地\n"

    report = await import_roster(db, more.encode(), filename="b.csv", key=KEY, batch="2026-11")

    assert (report.rows, report.added, report.existing) == (4, 1, 3)
    batches = sorted(card.batch for card in await _roster(db))
    assert batches == ["2026-10", "2026-10", "2026-10", "2026-11"]
    audits = await _audits(db, "members.import")
    assert [a.detail["added"] for a in audits] == [3, 1]


async def test_rows_without_card_or_name_duplicates_and_long_cards_are_rejected_by_line(
    db: Database,
) -> None:
    csv = f"会员卡号,姓名\nGH-1,张伟\n,李娜\nGH-2,\nGH-1,张伟伟\n{'9' * 33},王强\nGH-3,赵敏\n"

    report = await import_roster(db, csv.encode(), filename="r.csv", key=KEY)

    assert report.added == 2
    assert [(p.line, p.reason) for p in report.rejected] == [
        (3, "missing-card"),
        (4, "missing-name"),
        (5, "duplicate"),
        (6, "card-too-long"),
    ]
    rendered = report.render("zh")
    duplicate = t("zh", "mv-row-duplicate", first=2)
    assert t("zh", "mv-import-line", line=5, reason=duplicate) in rendered
    assert "9" * 33 not in rendered
    assert "GH" not in rendered


async def test_replace_makes_the_roster_the_file_and_revokes_removed_cards(
    db: Database,
) -> None:
    await import_roster(db, ROSTER_CSV.encode(), filename="a.csv", key=KEY)
    async with db.session() as session:
        for user_id in (1, 2):
            session.add(User(id=user_id, language="zh"))
        await session.flush()
        session.add(MemberVerification(user_id=1, card_hash=card_hash(KEY, CARD, NAME)))
        session.add(
            MemberVerification(user_id=2, card_hash=card_hash(KEY, "GH-4101-0002", "李娜"))
        )
        await session.commit()
    smaller = "会员卡号,姓名\nGH-4101-0001,张伟\nGH-4101-0009,刘洋\n"

    report = await import_roster(db, smaller.encode(), filename="b.csv", key=KEY, replace=True)

    assert (report.added, report.existing, report.removed, report.revoked) == (1, 1, 2, 1)
    assert {c.card_hash for c in await _roster(db)} == {
        card_hash(KEY, CARD, NAME),
        card_hash(KEY, "GH-4101-0009", "刘洋"),
    }
    assert await _verification(db, 1) is not None
    assert await _verification(db, 2) is None
    assert t("en", "mv-import-replaced", removed=2, revoked=1) in report.render("en")


async def test_replace_with_no_usable_row_changes_nothing(db: Database) -> None:
    await import_roster(db, ROSTER_CSV.encode(), filename="a.csv", key=KEY)

    with pytest.raises(RosterFileError) as caught:
        await import_roster(db, "卡号,姓名\n,\n".encode(), filename="b.csv", key=KEY, replace=True)

    assert caught.value.reason == "no-rows"
    assert len(await _roster(db)) == 3


async def test_a_dry_run_reports_and_stores_nothing(db: Database) -> None:
    report = await import_roster(db, ROSTER_CSV.encode(), filename="a.csv", key=KEY, dry_run=True)

    assert report.added == 3
    assert t("zh", "mv-import-summary-dry-run", rows=3, added=3, existing=0, rejected=0) in (
        report.render("zh")
    )
    assert await _roster(db) == []
    assert await _audits(db, "members.import") == []


def test_excel_gbk_and_utf16_rosters_are_read() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2026年会员名册"])
    sheet.append(["工会会员证号", "名字", "备注"])
    sheet.append([41010001, "张伟", "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    csv = "卡号,姓名\n41010001,张伟\n"

    from_excel = parse_roster(buffer.getvalue(), filename="名册.xlsx", key=KEY)
    from_gbk = parse_roster(csv.encode("gbk"), filename="名册.csv", key=KEY)
    from_utf16 = parse_roster(csv.encode("utf-16"), filename="名册.csv", key=KEY)

    expected = [card_hash(KEY, "41010001", "张伟")]
    assert from_excel.hashes == from_gbk.hashes == from_utf16.hashes == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old-excel"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("编号,单位\n1,示例公司\n".encode(), "no-header"),
        ("GH-4101-0001,张伟\nGH-4101-0002,李娜\n".encode(), "no-header"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(data: bytes, reason: str) -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_roster(data, filename="roster.csv", key=KEY)

    assert caught.value.reason == reason


async def test_the_demo_roster_loads_once_and_holds_the_chat_personas(db: Database) -> None:
    first = await load_demo_roster(db, key=KEY)
    second = await load_demo_roster(db, key=KEY)

    assert (first, second) == (8, 0)
    hashes = {c.card_hash for c in await _roster(db)}
    for card, name in (("DEMO-0001", "张伟"), ("DEMO-0002", "李娜"), ("DEMO-0003", "王芳")):
        assert card_hash(KEY, card, name) in hashes
    assert "演示数据" in DEMO_ROSTER.read_text(encoding="utf-8")


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory and database for `gongyou import members`, reporting in English."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", f"sqlite:///{tmp_path / 'members.sqlite3'}")
    monkeypatch.setenv("GONGYOU_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("GONGYOU_MEMBER_KEY", "cli-secret")
    return tmp_path


def test_cli_imports_the_roster_and_prints_the_report(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli_env / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")

    assert main(["import", "members", str(path), "--batch", "2026-11"]) == 0
    assert main(["import", "members", str(path), "--replace", "--dry-run"]) == 0

    captured = capsys.readouterr()
    assert t("en", "mv-import-summary", rows=3, added=3, existing=0, rejected=0) in captured.out
    assert t("en", "mv-import-replaced-dry-run", removed=0, revoked=0) in captured.out
    assert "4101" not in captured.out + captured.err
    assert t("en", "mv-demo-key-warning") not in captured.err


def test_cli_without_a_key_warns_that_the_demo_key_is_used(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GONGYOU_MEMBER_KEY")
    path = cli_env / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")

    assert main(["import", "members", str(path), "--dry-run"]) == 0

    assert t("en", "mv-demo-key-warning") in capsys.readouterr().err


def test_cli_refuses_a_malformed_file_with_one_sentence_and_exit_code_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli_env / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)

    assert main(["import", "members", str(path)]) == 1

    reason = t("en", "mv-file-old-excel")
    assert capsys.readouterr().err.strip() == t("en", "mv-import-refused", reason=reason)


def test_cli_says_when_the_file_cannot_be_read_with_exit_code_2(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "members", "missing.csv"]) == 2

    assert "missing.csv" in capsys.readouterr().err


# --- the check in the chat --------------------------------------------------------------------


async def test_the_check_explains_what_is_kept_and_asks_for_the_card(bot: Harness) -> None:
    calls = await bot.feed(message("/members_only"))

    sent = _sent(calls)
    assert sent[-1].text == t("zh", "mv-intro") + "\n\n" + t("zh", "mv-ask-card")
    assert sent[-1].callback_data == ["mv:x"]
    state = await _flow(bot.db)
    assert state is not None
    assert (state.flow, state.step, state.data) == (VERIFY_FLOW, "card", {"then": "test"})


async def test_right_card_name_and_own_phone_verify_the_member_and_continue(
    bot: Harness, continued: list[int]
) -> None:
    await bot.feed(message("/members_only"))
    name_calls = await bot.feed(message("gh 4101 0001"))
    phone_calls = await bot.feed(message(NAME))
    state = await _flow(bot.db)

    done = await bot.feed(_contact(WORKER_ID))

    assert _sent(name_calls)[-1].callback_data == ["mv:b", "mv:x"]
    assert _sent(phone_calls)[0].text == t("zh", "mv-matched") + "\n\n" + t("zh", "mv-ask-phone")
    share = _markup(_sent(phone_calls)[-1])["keyboard"][0][0]
    assert share["request_contact"] is True
    assert state is not None
    assert state.step == "phone"
    assert "card" not in state.data
    assert state.data["hash"] == card_hash(b"a-secret-roster-key", CARD, NAME)
    verification = await _verification(bot.db)
    assert verification is not None
    assert verification.card_hash == state.data["hash"]
    assert await _flow(bot.db) is None
    assert _sent(done)[0].text == t("zh", "mv-verified")
    assert _markup(_sent(done)[0])["remove_keyboard"] is True
    assert _sent(done)[-1].text == "continued"
    assert continued == [WORKER_ID]
    assert [a.ok for a in await _attempts(bot.db)] == [True]


async def test_asking_again_during_the_check_goes_on_where_it_was(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message("/members_only"))

    assert _sent(calls)[0].text == t("zh", "mv-resume") + "\n\n" + t("zh", "mv-ask-name")
    state = await _flow(bot.db)
    assert state is not None
    assert state.step == "name"


async def test_unfinished_checks_are_dropped_after_a_while(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))
    await bot.feed(message("/members_only", user_id=OTHER_ID))

    dropped = await bot.db.transact(drop_stale_checks, before=utcnow() + timedelta(seconds=1))

    assert dropped == 2
    assert await _flow(bot.db) is None


async def test_a_verified_member_goes_straight_through(bot: Harness) -> None:
    await _to_phone_step(bot)
    await bot.feed(_contact(WORKER_ID))

    calls = await bot.feed(message("/members_only"))

    assert _text(calls) == "welcome, member"
    assert await _flow(bot.db) is None


async def test_without_a_continuation_the_member_gets_the_menu(bot: Harness) -> None:
    await _to_phone_step(bot)

    done = await bot.feed(_contact(WORKER_ID))

    assert _sent(done)[-1].text == t("zh", "menu")


async def test_a_wrong_name_says_no_match_and_how_many_tries_are_left(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message("李娜"))

    note = t("zh", "mv-no-match", left=4)
    assert _sent(calls)[-1].text == note + "\n\n" + t("zh", "mv-ask-card")
    state = await _flow(bot.db)
    assert state is not None
    assert (state.step, state.data) == ("card", {"then": "test"})
    assert [a.ok for a in await _attempts(bot.db)] == [False]
    assert await _verification(bot.db) is None


@pytest.mark.parametrize("typed", ["zhang wei", "Zhangwei", "ZHĀNG Wěi"])
async def test_a_name_typed_in_pinyin_gets_a_hint_to_type_it_in_chinese(
    bot: Harness, typed: str
) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message(typed))

    note = t("zh", "mv-no-match", left=4) + "\n" + t("zh", "mv-name-latin")
    assert _sent(calls)[-1].text == note + "\n\n" + t("zh", "mv-ask-card")
    assert await _verification(bot.db) is None


async def test_the_pinyin_hint_is_given_in_english_too_and_reveals_nothing(bot: Harness) -> None:
    other_card = "GH-4101-0002"  # its roster name is 李娜; the hint must not say so
    await bot.feed(message("/members_only", lang="en"))
    await bot.feed(message(other_card, lang="en"))

    calls = await bot.feed(message("li na", lang="en"))

    text = _sent(calls)[-1].text
    assert text.startswith(t("en", "mv-no-match", left=4) + "\n" + t("en", "mv-name-latin"))
    assert "李" not in text
    assert "娜" not in text


async def test_a_wrong_name_in_chinese_gets_no_pinyin_hint(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message("张薇"))

    assert t("zh", "mv-name-latin") not in _text(calls)


async def test_the_last_try_in_pinyin_still_gets_the_hint(bot: Harness) -> None:
    await _fail_today(bot.db, 4)
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message("zhang wei"))

    assert t("zh", "mv-name-latin") in _text(calls)
    assert t("zh", "mv-limit") in _text(calls)
    assert await _flow(bot.db) is None


def test_only_names_in_latin_letters_count_as_pinyin() -> None:
    assert is_latin_name("zhang wei")
    assert is_latin_name("Zhāng Wěi")
    assert is_latin_name("ＺＨＡＮＧ")  # full-width letters
    assert not is_latin_name("张伟")
    assert not is_latin_name("张wei")
    assert not is_latin_name("12345")


async def test_the_last_failed_try_of_the_day_ends_the_check(bot: Harness) -> None:
    await _fail_today(bot.db, 4)
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message("李娜"))

    assert t("zh", "mv-limit") in _text(calls)
    assert await _flow(bot.db) is None


async def test_after_the_daily_limit_nothing_is_checked(bot: Harness) -> None:
    await _fail_today(bot.db, 5)

    calls = await bot.feed(message("/members_only"))

    assert _text(calls) == t("zh", "mv-limit")
    assert await _flow(bot.db) is None
    assert len(await _attempts(bot.db)) == 5


async def test_a_check_already_at_the_name_step_is_not_run_past_the_limit(
    bot: Harness,
) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))
    await _fail_today(bot.db, 5)

    calls = await bot.feed(message(NAME))

    assert _text(calls) == t("zh", "mv-limit")
    assert len(await _attempts(bot.db)) == 5
    assert await _verification(bot.db) is None


async def test_failed_tries_before_the_unions_day_began_do_not_count(
    db: Database, settings: Settings
) -> None:
    now = utcnow()
    async with db.session() as session:
        session.add(User(id=WORKER_ID, language="zh"))
        await session.flush()
        earlier = day_start(settings.timezone, now) - timedelta(minutes=1)
        for _ in range(5):
            session.add(VerifyAttempt(user_id=WORKER_ID, ok=False, at=earlier))
        await session.commit()
        await set_flow(
            session, user_id=WORKER_ID, flow=VERIFY_FLOW, step="name", data={"card": "X1"}
        )

    result = await db.transact(
        check_card,
        user_id=WORKER_ID,
        name="张伟",
        key=KEY,
        limit=5,
        since=day_start(settings.timezone, now),
        now=now,
    )

    assert result == CardCheck("no_match", left=4)


async def test_someone_elses_contact_is_refused(bot: Harness) -> None:
    await _to_phone_step(bot)

    calls = await bot.feed(_contact(OTHER_ID))

    assert _sent(calls)[0].text.startswith(t("zh", "mv-phone-other"))
    assert await _verification(bot.db) is None
    state = await _flow(bot.db)
    assert state is not None
    assert state.step == "phone"


async def test_a_typed_phone_number_is_refused_with_a_pointer_to_the_button(
    bot: Harness,
) -> None:
    await _to_phone_step(bot)

    calls = await bot.feed(message("13800000000"))

    assert _sent(calls)[0].text.startswith(t("zh", "mv-phone-typed"))
    assert _markup(_sent(calls)[-1])["keyboard"][0][0]["request_contact"] is True
    assert await _verification(bot.db) is None


async def test_a_card_linked_to_another_account_is_refused_and_audited(bot: Harness) -> None:
    await _to_phone_step(bot, user_id=OTHER_ID)
    await bot.feed(_contact(OTHER_ID, user_id=OTHER_ID))
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(message(NAME))

    assert _text(calls) == t("zh", "mv-card-in-use")
    assert await _verification(bot.db) is None
    assert await _flow(bot.db) is None
    audits = await _audits(bot.db, "members.card_in_use")
    assert [(a.actor_id, a.detail) for a in audits] == [(WORKER_ID, {"holder": OTHER_ID})]


async def test_two_accounts_racing_for_one_card_leave_one_verified(bot: Harness) -> None:
    await _to_phone_step(bot)
    await _to_phone_step(bot, user_id=OTHER_ID)
    await bot.feed(_contact(OTHER_ID, user_id=OTHER_ID))

    calls = await bot.feed(_contact(WORKER_ID))

    assert _sent(calls)[0].text == t("zh", "mv-card-in-use")
    assert _markup(_sent(calls)[0])["remove_keyboard"] is True
    assert await _verification(bot.db) is None
    assert await _verification(bot.db, OTHER_ID) is not None


async def test_cancel_ends_the_check(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(callback("mv:x"))

    assert _sent(calls)[0].method == "editMessageText"
    assert _sent(calls)[0].text == t("zh", "mv-cancelled")
    assert await _flow(bot.db) is None


async def test_cancel_at_the_phone_step_takes_the_share_button_away(bot: Harness) -> None:
    await _to_phone_step(bot)

    calls = await bot.feed(callback("mv:x"))

    assert _sent(calls)[-1].text == t("zh", "mv-cancelled")
    assert _markup(_sent(calls)[-1])["remove_keyboard"] is True
    assert await _flow(bot.db) is None


async def test_back_from_the_name_asks_for_the_card_again(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(callback("mv:b"))
    again = await bot.feed(callback("mv:b"))

    assert _sent(calls)[0].text == t("zh", "mv-ask-card")
    state = await _flow(bot.db)
    assert state is not None
    assert (state.step, state.data) == ("card", {"then": "test"})
    assert _popup(again) == t("zh", "button-stale")


@pytest.mark.parametrize("data", ["mv:x", "mv:b", "mv:z", "mv:x:1"])
async def test_a_button_without_a_check_under_way_is_stale(bot: Harness, data: str) -> None:
    calls = await bot.feed(callback(data))

    assert _popup(calls) == t("zh", "button-stale")


async def test_a_sticker_during_the_check_gets_a_hint_for_the_step(bot: Harness) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))

    calls = await bot.feed(sticker())

    assert _sent(calls)[0].text == t("zh", "mv-hint-name") + "\n\n" + t("zh", "mv-ask-name")


async def test_overlong_text_is_refused(bot: Harness) -> None:
    await bot.feed(message("/members_only"))

    calls = await bot.feed(message("1" * 65))

    assert _sent(calls)[0].text.startswith(t("zh", "mv-bad-too-long", limit=64))
    state = await _flow(bot.db)
    assert state is not None
    assert state.step == "card"


async def test_the_check_is_only_started_in_a_private_chat(bot: Harness) -> None:
    group = {"id": -100200, "type": "supergroup", "title": "工友群"}

    calls = await bot.feed(message("/members_only", chat=group))

    assert _text(calls) == t("zh", "mv-private-only")
    assert await _flow(bot.db) is None


async def test_forget_deletes_the_verification_and_keeps_only_todays_failed_tries(
    bot: Harness,
) -> None:
    await bot.feed(message("/members_only"))
    await bot.feed(message(CARD))
    await bot.feed(message("李娜"))
    await bot.feed(message(CARD))
    await bot.feed(message(NAME))
    await bot.feed(_contact(WORKER_ID))

    calls = await bot.feed(callback("forget:yes"))

    text_sent = _text(calls)
    assert t("zh", "mv-forget-verification") in text_sent
    assert t("zh", "mv-forget-attempts") in text_sent
    assert await _verification(bot.db) is None
    # the failed try stays for a day, so /forget cannot buy more guesses; the success went
    assert [a.ok for a in await _attempts(bot.db)] == [False]
    assert len(await _roster(bot.db)) == 3


def test_forget_keys_exist_in_both_catalogs() -> None:
    for lang in ("zh", "en"):
        assert {"mv-forget-verification", "mv-forget-attempts"} <= message_ids(lang)


async def test_forget_drops_failed_tries_older_than_a_day(bot: Harness) -> None:
    now = utcnow()
    async with bot.db.session() as session:
        session.add(VerifyAttempt(user_id=WORKER_ID, ok=False, at=now - timedelta(hours=30)))
        session.add(VerifyAttempt(user_id=WORKER_ID, ok=False, at=now - timedelta(hours=1)))
        await session.commit()
    await bot.feed(message("/forget"))

    await bot.feed(callback("forget:yes"))

    kept = await _attempts(bot.db)
    assert len(kept) == 1
    assert kept[0].at > now - timedelta(hours=2)


async def test_the_clean_up_drops_tries_older_than_its_cut_off(db: Database) -> None:
    now = utcnow()
    async with db.session() as session:
        session.add(VerifyAttempt(user_id=WORKER_ID, ok=False, at=now - timedelta(days=3)))
        session.add(VerifyAttempt(user_id=WORKER_ID, ok=True, at=now - timedelta(hours=5)))
        await session.commit()

    dropped = await db.transact(drop_old_attempts, before=now - TRIES_KEPT)

    assert dropped == 1
    assert [a.ok for a in await _attempts(db)] == [True]
