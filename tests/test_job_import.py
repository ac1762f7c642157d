"""Importing job lists: headers, cells, screening, upserts, dry runs, and staff documents."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, insert, select, update

from bot.core.models import Role, User
from bot.core.tables import AUDIT, TableFileError
from bot.core.users import grant_role
from bot.db import Database
from bot.i18n import message_ids, t
from bot.jobs.core import ALERTS, POSTINGS, SEEKERS, dedupe_key, load_min_wages, tag_names
from bot.jobs.imports import (
    EMPLOYERS,
    REASONS,
    SAMPLE_FILE,
    JobImportReport,
    caption_city,
    caption_says_jobs,
    caption_wants_dry_run,
    import_jobs,
    looks_like_job_file,
    map_header,
    parse_expiry,
    parse_job_file,
    render_file_error,
    split_metro,
)
from bot.jobs.models import PostingStatus
from tests.conftest import Harness
from tests.factories import STAFF_ID, WORKER_ID, message

DATA = Path(__file__).resolve().parents[1] / "bot" / "data"
SAMPLE_CSV = DATA / "jobs-sample.csv"
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 21)
WAGES = load_min_wages()
HEADER = ["岗位", "单位", "区县", "地铁", "行业", "用工形式", "薪资", "联系方式", "截止日期"]
SAMPLE_ROWS = 25


def _csv(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _row(title: str = "分拣员", **cells: str) -> list[str]:
    values = {
        "岗位": title,
        "单位": "示例物流有限公司",
        "区县": "金水区",
        "地铁": "2号线 东风路",
        "行业": "物流",
        "用工形式": "全职",
        "薪资": "5000-6000元/月",
        "联系方式": "0371-0000-0001",
        "截止日期": "",
    }
    values.update(cells)
    return [values[name] for name in HEADER]


def _parse(data: bytes, *, filename: str = "jobs.csv", city: str = "") -> Any:
    return parse_job_file(data, filename=filename, default_city=city, today=TODAY)


async def _import(db: Database, data: bytes, **kwargs: Any) -> JobImportReport:
    params: dict[str, Any] = {
        "filename": "jobs.csv",
        "dry_run": False,
        "actor_id": STAFF_ID,
        "default_city": "郑州市",
        "min_wages": WAGES,
        "now": NOW,
    }
    params.update(kwargs)
    return await import_jobs(db, data, **params)


async def _postings(db: Database) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        result = await conn.execute(select(POSTINGS).order_by(POSTINGS.c.id))
        return [dict(row) for row in result.mappings()]


async def _count(db: Database, table: Any) -> int:
    async with db.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


def _by_title(postings: list[dict[str, Any]], title: str) -> dict[str, Any]:
    return next(p for p in postings if p["title"] == title)


# --- headers and cells --------------------------------------------------------------------------


def test_chinese_headers_map_onto_posting_fields() -> None:
    header = [
        "序号", "招聘岗位", "用工单位", "所在区", "工作地点", "附近地铁", "地铁站", "行业",
        "工作性质", "薪资待遇（元）", "班次", "任职要求", "适合人群", "联系人", "联系电话",
        "有效期", "统一社会信用代码", "备注",
    ]  # fmt: skip

    columns, ignored = map_header(header)

    assert [columns[i] for i in sorted(columns)] == [
        "title", "employer", "district", "address", "metro", "metro_station", "industry",
        "type", "salary", "hours", "requirements", "tags", "contact", "contact", "expires",
        "registration", "notes",
    ]  # fmt: skip
    assert ignored == []


def test_english_headers_with_marks_and_case_map_too() -> None:
    columns, ignored = map_header(["*Title", "Employer", "CITY", "Salary (RMB)", "Favourite"])

    assert sorted(columns.values()) == ["city", "employer", "salary", "title"]
    assert ignored == ["Favourite"]


@pytest.mark.parametrize(
    ("cell", "metro"),
    [
        ("1号线紫荆山站", ("1号线", "紫荆山")),
        ("1号线 紫荆山", ("1号线", "紫荆山")),
        ("地铁2号线东风路站A口", ("2号线", "东风路")),
        ("五号线/月季公园", ("5号线", "月季公园")),
        ("Line 3 Dongdajie", ("3号线", "Dongdajie")),
        ("城郊线 华南城", ("城郊线", "华南城")),
        ("紫荆山站", ("", "紫荆山")),
        ("1号线", ("1号线", "")),
    ],
)
def test_a_metro_cell_splits_into_line_and_station(cell: str, metro: tuple[str, str]) -> None:
    assert split_metro(cell) == metro


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/12/31", date(2026, 12, 31)),
        ("2026.1.5", date(2026, 1, 5)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("20261231", date(2026, 12, 31)),
        (datetime(2026, 12, 31, 0, 0), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 12, 31)),
        (46387, date(2026, 12, 31)),
        ("长期有效", None),
        ("", None),
        (None, None),
    ],
)
def test_closing_dates_are_read_in_the_usual_forms(cell: Any, expected: date | None) -> None:
    assert parse_expiry(cell) == expected


@pytest.mark.parametrize("cell", ["明年春节前", "2026-02-30", "31/12/2026", -3])
def test_an_unreadable_closing_date_raises_value_error(cell: Any) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_expiry(cell)


def test_captions_say_jobs_dry_run_and_city() -> None:
    assert caption_says_jobs("本周岗位")
    assert caption_says_jobs("jobs list")
    assert not caption_says_jobs("gcj02 dry-run")
    assert caption_wants_dry_run("岗位 试运行")
    assert caption_wants_dry_run("dry-run")
    assert not caption_wants_dry_run("岗位")
    assert caption_city("岗位 郑州市") == "郑州市"
    assert caption_city("岗位") == ""


# --- parsing a file -----------------------------------------------------------------------------


def test_a_clean_row_is_read_with_every_field() -> None:
    data = _csv([_row(联系方式="王经理 0371-0000-0001", 截止日期="2027/1/31")])

    parsed = _parse(data, city="郑州市")

    assert parsed.rejected == []
    assert parsed.warnings == []
    row = parsed.rows[0]
    assert row.line == 2
    assert (row.title, row.employer_name, row.city, row.district) == (
        "分拣员",
        "示例物流有限公司",
        "郑州市",
        "金水区",
    )
    assert (row.metro_line, row.metro_station) == ("2号线", "东风路")
    assert row.industry == "logistics"
    assert row.employment_type.value == "full_time"
    assert (row.salary.min, row.salary.max, row.salary.unit) == (5000, 6000, "month")
    assert row.expires_on == date(2027, 1, 31)
    assert row.key == dedupe_key(employer="示例物流有限公司", title="分拣员", district="金水区")


def test_a_title_row_and_blank_rows_above_the_header_are_skipped() -> None:
    data = ("本周岗位（示例）\n\n" + _csv([_row()]).decode()).encode()

    parsed = _parse(data)

    assert [row.line for row in parsed.rows] == [4]


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"岗位": ""}, "missing-title"),
        ({"单位": " "}, "missing-employer"),
        ({"岗位": "长" * 101}, "text-too-long"),
        ({"截止日期": "2026-11-20"}, "expired"),
        ({"截止日期": "下个月"}, "bad-date"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_reason(
    cells: dict[str, str], reason: str
) -> None:
    data = _csv([_row("保洁员"), _row(**cells)])

    parsed = _parse(data)

    assert [row.title for row in parsed.rows] == ["保洁员"]
    assert [(r.line, r.reason) for r in parsed.rejected] == [(3, reason)]


def test_a_closing_date_of_today_is_still_accepted() -> None:
    assert _parse(_csv([_row(截止日期="2026-11-21")])).rejected == []


def test_the_same_job_twice_keeps_the_later_row_and_warns_at_the_earlier() -> None:
    data = _csv([_row(薪资="5000元/月"), _row("保洁员"), _row(薪资="5500元/月")])

    parsed = _parse(data)

    assert [(row.title, row.salary.max) for row in parsed.rows] == [
        ("分拣员", 5500),
        ("保洁员", 5000 + 1000),
    ]
    assert [(w.line, w.reason, w.detail) for w in parsed.warnings] == [(2, "duplicate-row", "4")]


def test_unknown_words_are_imported_with_warnings() -> None:
    data = _csv([_row(行业="园林绿化", 用工形式="看情况", 薪资="工资高")])

    parsed = _parse(data)

    row = parsed.rows[0]
    assert row.industry == "other"
    assert row.employment_type.value == "full_time"
    assert row.salary.negotiable
    assert row.salary.text == "工资高"
    assert [w.reason for w in parsed.warnings] == [
        "unknown-industry",
        "unknown-type",
        "salary-unread",
    ]


def test_blank_industry_and_type_are_guessed_from_the_title() -> None:
    parsed = _parse(_csv([_row("日结搬运工（物流园）", 行业="", 用工形式="")]))

    assert parsed.rows[0].industry == "logistics"
    assert parsed.rows[0].employment_type.value == "daily"
    assert parsed.warnings == []


def test_tags_come_from_the_tags_column_and_the_requirements() -> None:
    header = [*HEADER, "适合人群", "任职要求"]
    data = _csv([[*_row(), "大龄", "无经验可培训，包吃住"]], header=header)

    assert tag_names(_parse(data).rows[0].tags) == ["older", "no_experience", "room_board"]


def test_city_and_district_come_from_the_address_when_their_columns_are_blank() -> None:
    header = ["岗位", "单位", "工作地点", "联系方式"]
    data = _csv(
        [["分拣员", "示例物流有限公司", "郑州市二七区示例路1号", "0371-0000-0001"]], header
    )

    row = _parse(data, city="开封市").rows[0]

    assert (row.city, row.district) == ("郑州市", "二七区")


def test_the_default_city_fills_rows_without_one() -> None:
    assert _parse(_csv([_row()]), city="郑州市").rows[0].city == "郑州市"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gbk(encoding: str) -> None:
    data = _csv([_row("管城回族区保洁员", 区县="管城回族区")]).decode().encode(encoding)

    parsed = _parse(data)

    assert [row.title for row in parsed.rows] == ["管城回族区保洁员"]


def test_the_sample_workbook_and_its_csv_twin_read_the_same() -> None:
    from_xlsx = parse_job_file(SAMPLE_FILE.read_bytes(), filename=SAMPLE_FILE.name, today=TODAY)
    from_csv = parse_job_file(SAMPLE_CSV.read_bytes(), filename=SAMPLE_CSV.name, today=TODAY)

    assert len(from_xlsx.rows) == SAMPLE_ROWS
    assert from_xlsx.rows == from_csv.rows
    assert from_xlsx.rejected == from_xlsx.warnings == []


def _workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_date_cell_and_a_number_phone_are_read() -> None:
    data = _workbook(
        [
            ["职位", "公司", "联系电话", "截止时间"],
            ["保安", "示例保安公司", 3710000001, datetime(2027, 3, 1)],
        ]
    )

    row = _parse(data, filename="jobs.xlsx").rows[0]

    assert row.contact == "3710000001"
    assert row.expires_on == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"", "jobs.csv", "file-empty"),
        (b"\n\n  \n", "jobs.csv", "file-empty"),
        (b"\x00\x01\x02junk\xff\xfe\x00", "jobs.csv", "file-binary"),
        (b"PK\x03\x04 not really a zip", "jobs.xlsx", "file-bad-xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "jobs.xls", "file-old-excel"),
        ("名称,地址\n驿站,金水路1号\n".encode(), "jobs.csv", "file-no-title-column"),
        ("岗位,地址\n保洁,金水路1号\n".encode(), "jobs.csv", "file-no-employer-column"),
    ],
)
def test_a_malformed_file_is_refused_as_a_whole(data: bytes, filename: str, reason: str) -> None:
    with pytest.raises(TableFileError) as caught:
        _parse(data, filename=filename)

    assert caught.value.reason == reason


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    monkeypatch.setattr("bot.jobs.imports.MAX_ROWS", 2)
    rows = [_row("a"), _row("b"), _row("c")]
    data = _csv(rows) if kind == "csv" else _workbook([HEADER, *rows])

    with pytest.raises(TableFileError) as caught:
        _parse(data, filename=f"jobs.{kind}")

    assert caught.value.reason == "file-too-many-rows"


def test_job_lists_are_told_apart_from_station_lists() -> None:
    assert looks_like_job_file(b"", "jobs.xlsx")
    assert looks_like_job_file(SAMPLE_CSV.read_bytes(), "list.csv")
    assert looks_like_job_file(SAMPLE_CSV.read_bytes().decode("utf-8-sig").encode("gbk"), "x.csv")
    stations = (DATA.parent.parent / "tests" / "data" / "stations-gcj02.csv").read_bytes()
    assert not looks_like_job_file(stations, "stations.csv")
    assert not looks_like_job_file(b"\x00\xff\xfe", "junk.csv")


def test_every_reason_has_a_message_in_both_languages() -> None:
    for lang in ("zh", "en"):
        assert {f"ji-{reason}" for reason in REASONS} <= message_ids(lang)


# --- importing into the database ----------------------------------------------------------------


async def _import_sample(db: Database, **kwargs: Any) -> JobImportReport:
    return await _import(
        db, SAMPLE_FILE.read_bytes(), filename=SAMPLE_FILE.name, default_city="", **kwargs
    )


async def test_the_sample_workbook_publishes_clean_postings_and_holds_two_for_review(
    db: Database,
) -> None:
    report = await _import_sample(db)

    assert (report.added, report.updated, report.unchanged) == (SAMPLE_ROWS, 0, 0)
    assert report.published == SAMPLE_ROWS - 2
    assert [(h.title, h.flags) for h in report.held] == [
        ("操作工（包吃住）", ("fee",)),
        ("商场保洁员", ("below_min_wage",)),
    ]
    assert report.rejected == report.warnings == []
    postings = await _postings(db)
    assert len(postings) == SAMPLE_ROWS
    statuses = {
        p["status"] for p in postings if p["title"] not in ("操作工（包吃住）", "商场保洁员")
    }
    assert statuses == {"published"}


async def test_a_posting_asking_for_a_deposit_waits_for_review_with_the_fee_flag(
    db: Database,
) -> None:
    await _import_sample(db)

    held = _by_title(await _postings(db), "操作工（包吃住）")

    assert held["status"] == PostingStatus.pending.value
    assert held["flags"] == ["fee"]
    assert held["published_at"] is None


async def test_a_clean_posting_is_published_with_its_dates_source_and_owner(db: Database) -> None:
    await _import_sample(db)
    postings = await _postings(db)

    dated = _by_title(postings, "快递分拣员")
    undated = _by_title(postings, "电子厂普工")

    assert dated["status"] == PostingStatus.published.value
    assert dated["published_at"] == NOW
    assert dated["expires_on"] == date(2030, 12, 31)
    assert undated["expires_on"] == date(2026, 12, 21)  # 30 days from today
    assert dated["source"] == "staff_import"
    assert dated["owner_id"] == STAFF_ID
    assert dated["dedupe_key"] == dedupe_key(
        employer="示例物流有限公司", title="快递分拣员", district="金水区"
    )
    assert "快递分拣员" in dated["search_text"]
    assert "东风路" in dated["search_text"]
    assert (dated["metro_line"], dated["metro_station"]) == ("2号线", "东风路")
    assert (dated["pay_min"], dated["pay_max"], dated["pay_unit"]) == (7500, 8500, "month")


async def test_employers_are_found_or_created_by_registration_number_then_by_name(
    db: Database,
) -> None:
    report = await _import_sample(db)

    async with db.engine.connect() as conn:
        employers = (await conn.execute(select(EMPLOYERS))).mappings().all()
    names = [e["name"] for e in employers]
    assert len(names) == len(set(names)) == report.employers_added
    by_name = {e["name"]: e for e in employers}
    property_company = by_name["示例物业服务有限公司"]
    assert property_company["registration_no"] == "91410100DEMO00002X"
    assert not property_company["verified"]
    postings = await _postings(db)
    linked = {p["employer_id"] for p in postings if p["employer_name"] == "示例物业服务有限公司"}
    assert linked == {property_company["id"]}


async def test_an_employer_known_by_name_gets_its_registration_number(db: Database) -> None:
    await _import(db, _csv([_row()]))
    header = [*HEADER, "统一社会信用代码"]

    await _import(db, _csv([[*_row("保洁员"), "91410100demo00009x"]], header=header))

    async with db.engine.connect() as conn:
        employers = (await conn.execute(select(EMPLOYERS))).mappings().all()
    assert [(e["name"], e["registration_no"]) for e in employers] == [
        ("示例物流有限公司", "91410100DEMO00009X")
    ]


async def test_re_importing_the_same_file_changes_nothing(db: Database) -> None:
    await _import_sample(db)

    report = await _import_sample(db)

    assert (report.added, report.updated, report.unchanged) == (0, 0, SAMPLE_ROWS)
    assert report.alerts_queued == 0
    assert await _count(db, POSTINGS) == SAMPLE_ROWS


async def test_the_csv_twin_after_the_workbook_changes_nothing(db: Database) -> None:
    await _import_sample(db)

    report = await _import(db, SAMPLE_CSV.read_bytes(), filename=SAMPLE_CSV.name)

    assert (report.added, report.updated, report.unchanged) == (0, 0, SAMPLE_ROWS)


async def test_a_changed_row_updates_its_posting_instead_of_adding_one(db: Database) -> None:
    await _import(db, _csv([_row(), _row("保洁员")]))

    report = await _import(db, _csv([_row(薪资="6000-7000元/月"), _row("保洁员")]))

    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    postings = await _postings(db)
    assert len(postings) == 2
    assert _by_title(postings, "分拣员")["pay_max"] == 7000
    assert _by_title(postings, "分拣员")["published_at"] == NOW


async def test_a_published_posting_that_now_gets_a_flag_goes_back_to_review(
    db: Database,
) -> None:
    await _import(db, _csv([_row()]))

    report = await _import(db, _csv([_row(薪资="1500元/月")]))

    assert report.updated == 1
    assert [h.flags for h in report.held] == [("below_min_wage",)]
    posting = (await _postings(db))[0]
    assert posting["status"] == PostingStatus.pending.value
    assert posting["flags"] == ["below_min_wage"]


async def test_a_held_posting_fixed_in_the_file_is_published(db: Database) -> None:
    await _import(db, _csv([_row(联系方式="")]))

    report = await _import(db, _csv([_row()]))

    assert (report.updated, report.published, report.held) == (1, 1, [])
    posting = (await _postings(db))[0]
    assert (posting["status"], posting["flags"]) == ("published", [])


async def test_a_withdrawn_posting_is_not_revived_and_a_new_one_is_added(db: Database) -> None:
    await _import(db, _csv([_row()]))
    async with db.engine.begin() as conn:
        await conn.execute(update(POSTINGS).values(status=PostingStatus.withdrawn.value))

    report = await _import(db, _csv([_row()]))

    assert report.added == 1
    assert sorted(p["status"] for p in await _postings(db)) == ["published", "withdrawn"]


async def test_an_expired_posting_in_a_new_list_is_published_again_with_a_new_date(
    db: Database,
) -> None:
    await _import(db, _csv([_row()]))
    async with db.engine.begin() as conn:
        await conn.execute(
            update(POSTINGS).values(
                status=PostingStatus.expired.value, expires_on=date(2026, 11, 1)
            )
        )
    later = NOW + timedelta(days=3)

    report = await _import(db, _csv([_row()]), now=later)

    assert report.updated == 1
    posting = (await _postings(db))[0]
    assert posting["status"] == "published"
    assert posting["published_at"] == later
    assert posting["expires_on"] == date(2026, 12, 24)


async def test_a_dry_run_reports_the_same_counts_and_writes_nothing(db: Database) -> None:
    report = await _import_sample(db, dry_run=True)

    assert report.dry_run
    assert (report.added, report.published, len(report.held)) == (SAMPLE_ROWS, SAMPLE_ROWS - 2, 2)
    assert report.employers_added > 0
    assert await _count(db, POSTINGS) == 0
    assert await _count(db, EMPLOYERS) == 0
    assert await _count(db, AUDIT) == 0


async def test_an_import_is_audited_with_its_counts(db: Database) -> None:
    await _import_sample(db)

    async with db.engine.connect() as conn:
        audit = (await conn.execute(select(AUDIT))).mappings().one()
    assert audit["action"] == "jobs.import"
    assert audit["actor_id"] == STAFF_ID
    assert audit["detail"]["added"] == SAMPLE_ROWS
    assert audit["detail"]["held"] == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01\x02junk\xff\xfe\x00", "file-binary"),
        (b"", "file-empty"),
        ("名称,地址\n驿站,金水路1号\n".encode(), "file-no-title-column"),
    ],
)
async def test_a_malformed_file_changes_nothing_and_explains_why(
    db: Database, data: bytes, reason: str
) -> None:
    await _import(db, _csv([_row()]))

    with pytest.raises(TableFileError) as caught:
        await _import(db, data)

    assert await _count(db, POSTINGS) == 1
    assert await _count(db, AUDIT) == 1
    rendered = render_file_error(caught.value, "en")
    assert rendered.startswith(t("en", "ji-file-refused", reason=""))
    assert t("en", f"ji-{reason}", detail="")[:12] in rendered


async def _seeker(db: Database, **choices: Any) -> None:
    async with db.session() as session:
        session.add(User(id=WORKER_ID))
        await session.commit()
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(SEEKERS).values(
                user_id=WORKER_ID,
                districts=choices.get("districts", []),
                industries=choices.get("industries", []),
                types=[],
                metro_lines=[],
                tags=0,
                min_pay=None,
                min_pay_unit=None,
                alerts=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def test_publishing_queues_alerts_for_a_matching_seeker_only_for_clean_postings(
    db: Database,
) -> None:
    await _seeker(db, districts=["二七区"])

    report = await _import_sample(db)

    async with db.engine.connect() as conn:
        rows = await conn.execute(
            select(POSTINGS.c.title)
            .join(ALERTS, ALERTS.c.posting_id == POSTINGS.c.id)
            .where(ALERTS.c.user_id == WORKER_ID)
        )
        titles = sorted(row.title for row in rows)
    assert titles == sorted(["外卖骑手（众包）", "超市理货员", "快递驿站店员"])
    assert report.alerts_queued == 3


async def test_the_report_reads_in_both_languages(db: Database) -> None:
    report = await _import(
        db, _csv([_row(), _row("押金岗", 联系方式=""), _row("", 单位="x"), _row(行业="园林")])
    )

    zh, en = report.render("zh"), report.render("en")

    assert zh.startswith(t("zh", "ji-summary", added=2, updated=0, unchanged=0, rejected=1))
    assert t("en", "ji-outcome", published=1, held=1, alerts=0) in en
    assert t("en", "flag-no_contact") in en
    assert t("en", "ji-line", line=4, reason=t("en", "ji-missing-title", detail="")) in en
    assert t("zh", "ji-duplicate-row", detail="5") in zh


# --- documents sent to the bot ------------------------------------------------------------------


async def _make_staff(db: Database) -> None:
    async with db.session() as session:
        await grant_role(session, actor_id=None, user_id=STAFF_ID, role=Role.staff)


def _document(
    data: bytes, *, name: str, caption: str = "", user_id: int = STAFF_ID
) -> tuple[dict[str, Any], str]:
    file_id = f"job{len(data)}{name.encode().hex()}"
    extra: dict[str, Any] = {
        "document": {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
            "file_size": len(data),
        }
    }
    if caption:
        extra["caption"] = caption
    return message(None, user_id=user_id, **extra), file_id


async def _send(harness: Harness, data: bytes, **kwargs: Any) -> list[str]:
    payload, file_id = _document(data, **kwargs)
    harness.api.files[file_id] = data
    return await harness.texts(payload)


async def test_staff_sending_the_workbook_get_the_report_and_the_postings_are_stored(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)

    texts = await _send(harness, SAMPLE_FILE.read_bytes(), name="本周岗位.xlsx")

    assert len(texts) == 1
    assert texts[0].startswith(t("zh", "ji-done"))
    summary = t("zh", "ji-summary", added=SAMPLE_ROWS, updated=0, unchanged=0, rejected=0)
    assert summary in texts[0]
    assert t("zh", "flag-fee") in texts[0]
    postings = await _postings(harness.db)
    assert len(postings) == SAMPLE_ROWS
    assert {p["owner_id"] for p in postings} == {STAFF_ID}


async def test_a_dry_run_caption_reports_without_storing(harness: Harness) -> None:
    await _make_staff(harness.db)

    texts = await _send(harness, SAMPLE_FILE.read_bytes(), name="jobs.xlsx", caption="试运行")

    summary = t("zh", "ji-summary-dry-run", added=SAMPLE_ROWS, updated=0, unchanged=0, rejected=0)
    assert summary in texts[0]
    assert await _count(harness.db, POSTINGS) == 0


async def test_a_worker_sending_the_workbook_is_refused_politely(harness: Harness) -> None:
    texts = await _send(harness, SAMPLE_FILE.read_bytes(), name="jobs.xlsx", user_id=WORKER_ID)

    assert texts == [t("zh", "role-refused")]
    assert harness.api.sent("getFile") == []
    assert await _count(harness.db, POSTINGS) == 0


async def test_a_job_csv_from_staff_goes_to_the_job_import(harness: Harness) -> None:
    await _make_staff(harness.db)

    texts = await _send(harness, SAMPLE_CSV.read_bytes(), name="list.csv")

    assert texts[0].startswith(t("zh", "ji-done"))
    assert await _count(harness.db, POSTINGS) == SAMPLE_ROWS


async def test_a_csv_captioned_as_jobs_goes_to_the_job_import_even_without_job_headers(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)

    texts = await _send(
        harness, "名称,地址\n驿站,金水路1号\n".encode(), name="a.csv", caption="岗位"
    )

    assert texts[0].startswith(t("zh", "ji-file-refused", reason=""))


async def test_a_stations_csv_from_staff_still_goes_to_the_stations_import(
    harness: Harness,
) -> None:
    await _make_staff(harness.db)
    stations = (DATA.parent.parent / "tests" / "data" / "stations-gcj02.csv").read_bytes()

    texts = await _send(harness, stations, name="stations.csv", caption="gcj02")

    assert texts[-1].startswith(t("zh", "st-import-done", crs="gcj02"))
    assert await _count(harness.db, POSTINGS) == 0


async def test_a_broken_workbook_from_staff_is_refused_with_the_reason(harness: Harness) -> None:
    await _make_staff(harness.db)

    texts = await _send(harness, b"PK\x03\x04 broken", name="jobs.xlsx")

    assert len(texts) == 1
    assert texts[0].startswith(t("zh", "ji-file-refused", reason=""))
    assert await _count(harness.db, POSTINGS) == 0


async def test_an_old_excel_file_from_staff_is_explained(harness: Harness) -> None:
    await _make_staff(harness.db)

    texts = await _send(harness, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" * 8, name="jobs.xls")

    assert texts == [render_file_error(TableFileError("file-old-excel"), "zh")]
