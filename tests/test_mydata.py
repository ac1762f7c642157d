"""/mydata, /privacy, the registry of personal data, and the retention of closed cases."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Table, func, select
from sqlmodel import SQLModel

from bot.config import Settings
from bot.core import privacy
from bot.core.privacy import PERSON_COLUMNS, WITHHELD, export_user
from bot.core.users import forget_user
from bot.db import Database
from bot.legal.cases import CASES, EVIDENCE, MESSAGES, anonymise_closed_cases
from bot.legal.models import CaseStatus
from handlers import SERVICES
from tests.conftest import Harness
from tests.factories import WORKER_ID, callback, message
from tests.test_match_events import Upload, uploads  # noqa: F401 - the fixture
from tests.test_privacy import _sign_up, roster, settings  # noqa: F401 - the fixtures

OTHER_ID = 7_654_321
GROUP_ID = -100_555_000


def _copy(sent: list[Upload]) -> tuple[str, dict[str, Any]]:
    """The readable and the JSON file of one /mydata."""
    [readable] = [u for u in sent if u.filename.endswith(".txt")]
    [machine] = [u for u in sent if u.filename.endswith(".json")]
    return readable.data.decode(), json.loads(machine.data)


# --- /mydata in the chat ------------------------------------------------------------------------


async def test_mydata_sends_a_readable_and_a_json_copy_of_what_the_services_keep(
    roster: Harness,  # noqa: F811
    uploads: list[Upload],  # noqa: F811
) -> None:
    await _sign_up(roster)  # membership check and a matchmaking profile
    await roster.feed(message("老板拖欠工资三个月了怎么办"))  # a legal question answered
    calls = await roster.feed(message("/mydata"))
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 2
    assert "/forget" in documents[0].text
    assert "/privacy" in documents[0].text
    readable, data = _copy(uploads)
    assert data["user_id"] == WORKER_ID
    sections = set(data["data"])
    assert {"mydata-profile", "mydata-membership", "mydata-match-profile"} <= sections
    assert "== 会员认证" in readable
    assert "== 婚恋交友资料" in readable
    # the card number is never kept, so never shown; the stored fingerprint is left out too
    assert "GH-4101-0001" not in readable
    assert "card_hash" not in json.dumps(data)
    [profile] = data["data"]["mydata-match-profile"]["match_profiles"]
    assert profile["user_id"] == WORKER_ID
    assert "reviewed_by" not in profile
    # the export itself is audited
    async with roster.db.session() as session:
        copy = await export_user(session, WORKER_ID)
    actions = [row["action"] for row in copy["mydata-audit"]["audit_log"]]
    assert actions[-1] == "user.export"


async def test_after_forget_mydata_holds_nothing_but_the_new_conversation(
    roster: Harness,  # noqa: F811
    uploads: list[Upload],  # noqa: F811
) -> None:
    await _sign_up(roster)
    await roster.feed(message("/forget"))
    await roster.feed(callback("forget:yes"))
    await roster.feed(message("/mydata"))
    _readable, data = _copy(uploads)
    # writing again makes a fresh user record; the update itself is in the inbox
    assert set(data["data"]) <= {"mydata-profile", "mydata-inbox"}


async def test_mydata_in_english(harness: Harness, uploads: list[Upload]) -> None:  # noqa: F811
    calls = await harness.feed(message("/mydata", lang="en"))
    assert "send /forget" in calls[0].text
    readable, _data = _copy(uploads)
    assert readable.startswith("What the gongyou bot keeps about you")
    assert "== Your user record" in readable


async def test_mydata_is_never_sent_into_a_group(
    harness: Harness,
    uploads: list[Upload],  # noqa: F811
) -> None:
    group = {"id": GROUP_ID, "type": "supergroup", "title": "工友群"}
    calls = await harness.feed(message("/mydata", chat=group))
    assert [c.method for c in calls] == ["sendMessage"]
    assert "私聊" in calls[0].text
    assert uploads == []


@pytest.mark.parametrize(("lang", "words"), [("zh-hans", "24 个月"), ("en", "24 months")])
async def test_privacy_says_what_is_kept_and_for_how_long(
    harness: Harness, lang: str, words: str
) -> None:
    [sent] = await harness.feed(message("/privacy", lang=lang))
    assert words in sent.text
    assert "7" in sent.text
    assert "/mydata" in sent.text


# --- the registry guards every table naming a person --------------------------------------------


def _person_columns() -> list[tuple[str, str]]:
    return sorted(
        (table.name, column.name)
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if column.name in PERSON_COLUMNS
        or any(key.column.table.name == "users" for key in column.foreign_keys)
    )


def _declared() -> set[tuple[str, str]]:
    return {
        (export.table, name)
        for export in privacy.EXPORTS
        if export.parent is None
        for name in export.columns
    }


def test_every_column_naming_a_person_is_in_the_copy_or_withheld_for_a_reason(
    harness: Harness,
) -> None:
    missing = [pair for pair in _person_columns() if pair not in _declared() | set(WITHHELD)]
    assert missing == [], f"declare these in a service's exports, or withhold them: {missing}"
    for export in privacy.EXPORTS:
        assert export.table in SQLModel.metadata.tables


def test_a_service_that_keeps_personal_data_both_exports_and_forgets_it(harness: Harness) -> None:
    for service in SERVICES:
        assert bool(service.exports) == bool(service.forgetters), service.name


def test_every_section_has_a_title_in_both_languages(harness: Harness) -> None:
    from bot.i18n import t

    for export in privacy.EXPORTS:
        for lang in ("zh", "en"):
            assert t(lang, export.section) != export.section, (lang, export.section)


def _value(column: sa.Column[Any]) -> Any:
    """Something a NOT NULL column without a default accepts."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.Enum):
        return kind.enums[0]
    python: type | None
    try:
        python = kind.python_type
    except NotImplementedError:
        python = None
    if python is bool:
        return False
    if python is int:
        return 1
    if python is float:
        return 0.0
    if python is datetime:
        return datetime(2020, 1, 1, tzinfo=UTC)
    if python is date:
        return date(2020, 1, 1)
    if python is dict:
        return {}
    if python is list:
        return []
    if isinstance(kind, sa.JSON):
        return {}
    return "x"


async def _insert(db: Database, table: Table, values: dict[str, Any]) -> Any:
    """Insert one row with ``values`` and whatever else its NOT NULL columns need."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable:
            continue
        if column.default is not None or column.server_default is not None:
            continue
        auto = column.primary_key and column.autoincrement in (True, "auto")
        if auto and isinstance(column.type, sa.Integer) and len(table.primary_key.columns) == 1:
            continue
        parents = [key.column for key in column.foreign_keys]
        if parents and parents[0].table.name != "users":
            row[column.name] = await _insert(db, parents[0].table, {})
            continue
        row[column.name] = _value(column)
        if column.primary_key and isinstance(row[column.name], str):
            row[column.name] = f"{table.name}-{len(row)}"
    async with db.engine.begin() as conn:
        result = await conn.execute(table.insert().values(**row))
        key = result.inserted_primary_key
    return key[0] if key else None


async def test_forget_removes_the_person_from_every_column_naming_them(db: Database) -> None:
    """Rows naming the person in every declared or withheld column: the copy shows each
    declared table, and /forget leaves no column naming them."""
    tables = SQLModel.metadata.tables
    await _insert(db, tables["users"], {"id": WORKER_ID})
    await _insert(db, tables["users"], {"id": OTHER_ID})
    columns = sorted((set(_person_columns()) | _declared()) - {("users", "id")})
    for update_id, (table_name, column_name) in enumerate(columns, start=1):
        table = tables[table_name]
        values: dict[str, Any] = {column_name: WORKER_ID}
        if table_name == "inbox":
            values.update(update_id=update_id, state="done")
        for other in ("a_id", "b_id", "target_id", "user_id"):
            if other != column_name and other in table.c and not table.c[other].nullable:
                values[other] = OTHER_ID
        await _insert(db, table, values)
    async with db.session() as session:
        copy = await export_user(session, WORKER_ID)
    shown = {name for tables_ in copy.values() for name in tables_}
    assert {table for table, _column in _declared()} <= shown
    async with db.session() as session:
        await forget_user(session, user_id=WORKER_ID, audit_key=b"k")
    async with db.engine.connect() as conn:
        left = {
            (table_name, column_name): await conn.scalar(
                select(func.count()).where(tables[table_name].c[column_name] == WORKER_ID)
            )
            for table_name, column_name in columns + [("users", "id")]
        }
    assert {pair: n for pair, n in left.items() if n} == {}


# --- retention of closed cases -------------------------------------------------------------------


async def _case(db: Database, *, closed_days_ago: int | None) -> int:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "user_id": WORKER_ID,
        "employer": "某某物流",
        "description": "三个月没发工资",
        "phone": "13800000000",
        "status": CaseStatus.open.value,
    }
    if closed_days_ago is not None:
        values.update(status=CaseStatus.closed.value, closed_at=now - timedelta(closed_days_ago))
    case_id = await _insert(db, CASES, values)
    await _insert(
        db, MESSAGES, {"case_id": case_id, "message_id": case_id, "text": "老板不接电话"}
    )
    await _insert(db, EVIDENCE, {"case_id": case_id, "file_name": "工资条.jpg"})
    return int(case_id)


async def test_closed_cases_past_retention_are_anonymised_and_others_kept(db: Database) -> None:
    old = await _case(db, closed_days_ago=800)
    recent = await _case(db, closed_days_ago=100)
    still_open = await _case(db, closed_days_ago=None)
    done = await db.transact(anonymise_closed_cases, months=24, now=datetime.now(UTC))
    assert done == 1
    async with db.engine.connect() as conn:
        rows = {
            row.id: row
            for row in await conn.execute(select(CASES).where(CASES.c.id.in_([old, recent])))
        }
        rows.update(
            {
                row.id: row
                for row in await conn.execute(select(CASES).where(CASES.c.id == still_open))
            }
        )
        kept = {
            case_id for (case_id,) in await conn.execute(select(MESSAGES.c.case_id).distinct())
        }
        files = {
            case_id for (case_id,) in await conn.execute(select(EVIDENCE.c.case_id).distinct())
        }
    assert rows[old].user_id is None
    assert rows[old].description == ""
    assert rows[old].phone == ""
    assert rows[old].status == CaseStatus.closed.value  # the statistics stay
    assert rows[recent].user_id == WORKER_ID
    assert rows[still_open].user_id == WORKER_ID
    assert kept == files == {recent, still_open}
    # a second run finds nothing more to do
    assert await db.transact(anonymise_closed_cases, months=24, now=datetime.now(UTC)) == 0


async def test_a_nightly_job_anonymises_them_on_one_replica_a_night(
    db: Database,
    settings: Settings,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zoneinfo import ZoneInfo

    from bot.app import build_application
    from bot.localapi import LocalBotApi
    from handlers.legal import cases as legal_cases

    app = build_application(settings, db=db, request=LocalBotApi(), job_queue=True, updater=False)
    await app.initialize()
    try:
        assert app.job_queue is not None
        [job] = app.job_queue.get_jobs_by_name(legal_cases.RETENTION_LEASE)
        zone = ZoneInfo(settings.timezone)
        after = datetime(2026, 12, 6, 12, 0, tzinfo=zone)
        fires = job.job.trigger.get_next_fire_time(None, after)
        assert fires.astimezone(zone) == datetime(2026, 12, 7, 3, 30, tzinfo=zone)
        old = await _case(db, closed_days_ago=800)
        await job.run(app)
        later = await _case(db, closed_days_ago=900)
        # another replica's job, the same night: the first one holds the lease
        monkeypatch.setattr(legal_cases, "_OWNER", "another-replica")
        await job.run(app)
    finally:
        await app.shutdown()
    async with db.engine.connect() as conn:
        owners = dict((await conn.execute(select(CASES.c.id, CASES.c.user_id))).all())
    assert owners[old] is None
    assert owners[later] == WORKER_ID
