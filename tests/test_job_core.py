"""What the jobs service shares: pay parsing, screening, matching, publishing, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from bot.core.clock import parse_quiet_hours, quiet_until
from bot.core.models import User
from bot.db import Database
from bot.jobs.core import (
    ALERTS,
    FLAGS,
    POSTINGS,
    SEEKERS,
    MinWage,
    Salary,
    SalaryError,
    below_min_wage,
    dedupe_key,
    employment_type_of,
    find_duplicate,
    industry_of,
    load_min_wages,
    min_wage_for,
    monthly_equivalent,
    parse_salary,
    publish_postings,
    screen,
    seeker_matches,
    tag_mask,
    tag_names,
    tags_of,
)
from bot.jobs.models import EmploymentType, PayUnit, PostingStatus

ZHENGZHOU = MinWage(city="郑州市", monthly=2000, hourly=19.6)
WAGES = {"郑州": ZHENGZHOU}
SHANGHAI = "Asia/Shanghai"

# --- pay ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("7.5-8.5千/月", 7500, 8500, PayUnit.month),
        ("200元/天", 200, 200, PayUnit.day),
        ("25元/小时", 25, 25, PayUnit.hour),
        ("25元/时", 25, 25, PayUnit.hour),
        ("时薪20", 20, 20, PayUnit.hour),
        ("日薪220", 220, 220, PayUnit.day),
        ("月薪6000", 6000, 6000, PayUnit.month),
        ("1.2万/月", 12000, 12000, PayUnit.month),
        ("1-1.5万", 10000, 15000, PayUnit.month),
        ("8k-10k", 8000, 10000, PayUnit.month),
        ("6-8K", 6000, 8000, PayUnit.month),
        ("４５００～５５００元／月", 4500, 5500, PayUnit.month),
        ("6000至8000", 6000, 8000, PayUnit.month),
        ("3元/件", 3, 3, PayUnit.piece),
        ("0.5元/单", 0.5, 0.5, PayUnit.piece),
        ("年薪12万", 10000, 10000, PayUnit.month),
        ("年薪8-12万", 6666.67, 10000, PayUnit.month),
        ("5000元以上", 5000, 5000, PayUnit.month),
        ("底薪3000+提成", 3000, 3000, PayUnit.month),
        ("6000-8000", 6000, 8000, PayUnit.month),
        ("300", 300, 300, PayUnit.day),
        ("20", 20, 20, PayUnit.hour),
        ("8000-6000元/月", 6000, 8000, PayUnit.month),
    ],
)
def test_pay_is_read_as_written_in_chinese_job_lists(
    text: str, low: float, high: float, unit: PayUnit
) -> None:
    salary = parse_salary(text)

    assert (salary.min, salary.max, salary.unit) == (low, high, unit)
    assert salary.text == text


@pytest.mark.parametrize("text", ["面议", "薪资面议", "面谈", "negotiable", "", "  "])
def test_pay_to_be_agreed_has_no_figures_and_no_unit(text: str) -> None:
    salary = parse_salary(text)

    assert salary.negotiable
    assert salary.unit is None
    assert salary.monthly() is None


@pytest.mark.parametrize("text", ["工资高", "asdf", "0", "0元/月", "99999999元/月"])
def test_pay_without_a_sensible_figure_raises_salary_error(text: str) -> None:
    with pytest.raises(SalaryError):
        parse_salary(text)


def test_a_piece_rate_without_a_figure_is_not_understood() -> None:
    with pytest.raises(SalaryError):
        parse_salary("计件")


def test_pay_text_is_kept_to_64_characters() -> None:
    assert len(parse_salary("5000元/月" + "，另有补贴" * 30).text) == 64


@pytest.mark.parametrize(
    ("amount", "unit", "monthly"),
    [
        (25, PayUnit.hour, 4350),
        (200, PayUnit.day, 4350),
        (6000, PayUnit.month, 6000),
        (3, PayUnit.piece, None),
        (None, PayUnit.month, None),
        (5000, None, None),
    ],
)
def test_pay_is_compared_per_month_at_21_75_days_of_8_hours(
    amount: float | None, unit: PayUnit | None, monthly: float | None
) -> None:
    assert monthly_equivalent(amount, unit) == monthly


def test_a_range_is_compared_by_its_top() -> None:
    assert parse_salary("3000-4000元/月").monthly() == 4000


# --- minimum wage -------------------------------------------------------------------------------


def test_the_packaged_minimum_wage_table_knows_zhengzhou() -> None:
    table = load_min_wages()

    assert min_wage_for("郑州市", table) == min_wage_for("郑州", table)
    wage = min_wage_for("郑州", table)
    assert wage is not None
    assert wage.monthly > 0
    assert wage.hourly > 0


def test_a_city_missing_from_the_table_has_no_minimum_wage() -> None:
    assert min_wage_for("示例市", WAGES) is None
    assert min_wage_for("", WAGES) is None


@pytest.mark.parametrize(
    ("text", "below"),
    [
        ("1999元/月", True),
        ("2000元/月", False),
        ("1500-2500元/月", False),
        ("19.5元/小时", True),
        ("19.6元/小时", False),
        ("90元/天", True),
        ("92元/天", False),
        ("0.5元/件", False),
        ("面议", False),
    ],
)
def test_below_minimum_wage_compares_the_top_of_the_range_in_its_own_unit(
    text: str, below: bool
) -> None:
    assert below_min_wage(parse_salary(text), ZHENGZHOU) is below


# --- screening ----------------------------------------------------------------------------------


def _screen(**changes: Any) -> list[str]:
    fields: dict[str, Any] = {
        "title": "仓库分拣员",
        "requirements": "身体健康，无经验可培训",
        "contact": "王经理 0371-0000-0001",
        "city": "郑州市",
        "salary": parse_salary("5000-6000元/月"),
        "min_wages": WAGES,
        "duplicate": False,
    }
    fields.update(changes)
    return screen(**fields)


def test_a_clean_posting_has_no_flags() -> None:
    assert _screen() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"requirements": "入职交押金300元"},
        {"requirements": "需自费体检费150元"},
        {"title": "保安（培训费自理）"},
        {"requirements": "先交报名费再面试"},
        {"requirements": "押身份证"},
        {"requirements": "A refundable deposit is required"},
        {"extra_text": "工服费100元从工资扣"},
    ],
)
def test_a_fee_or_deposit_asked_of_the_worker_is_flagged(changes: dict[str, Any]) -> None:
    assert _screen(**changes) == ["fee"]


def test_pay_below_the_local_minimum_wage_is_flagged() -> None:
    assert _screen(salary=parse_salary("1800元/月")) == ["below_min_wage"]


def test_low_pay_in_a_city_without_a_minimum_wage_is_not_flagged() -> None:
    assert _screen(salary=parse_salary("1800元/月"), city="示例市") == []


def test_a_posting_without_contact_is_flagged() -> None:
    assert _screen(contact="  ") == ["no_contact"]


def test_a_duplicate_is_flagged_when_the_caller_says_so() -> None:
    assert _screen(duplicate=True) == ["duplicate"]


def test_several_flags_come_in_the_order_staff_see_them() -> None:
    flags = _screen(
        requirements="押金200", salary=parse_salary("10元/小时"), contact="", duplicate=True
    )

    assert flags == list(FLAGS)


# --- vocabulary ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "industry"),
    [
        ("物流", "logistics"),
        ("快递分拣", "logistics"),
        ("餐饮", "catering"),
        ("保洁", "cleaning"),
        ("电子厂普工", "manufacturing"),
        ("Security", "security"),
        ("育儿嫂", "domestic"),
        ("其他", "other"),
        ("园林", None),
        ("", None),
    ],
)
def test_industry_words_map_onto_industry_keys(word: str, industry: str | None) -> None:
    assert industry_of(word) == industry


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("全职", EmploymentType.full_time),
        ("兼职", EmploymentType.part_time),
        ("钟点工", EmploymentType.part_time),
        ("日结", EmploymentType.daily),
        ("灵活用工", EmploymentType.daily),
        ("季节工", EmploymentType.seasonal),
        ("Part-time", EmploymentType.part_time),
        ("看情况", None),
    ],
)
def test_employment_type_words_map_onto_types(word: str, kind: EmploymentType | None) -> None:
    assert employment_type_of(word) is kind


def test_tags_are_found_in_free_text_and_kept_as_a_mask() -> None:
    mask = tags_of("适合宝妈，无需经验，包吃住")

    assert tag_names(mask) == ["mothers", "no_experience", "room_board"]
    assert tag_mask(tag_names(mask)) == mask
    assert tag_mask(["older", "unknown"]) == 1


def test_the_dedupe_key_ignores_width_case_spaces_and_punctuation() -> None:
    one = dedupe_key(employer="示例物流有限公司", title="ABC 分拣员", district="金水区")
    two = dedupe_key(employer="示例物流 有限公司", title="ａｂｃ分拣员。", district="金水区")

    assert one == two
    assert one != dedupe_key(employer="示例物流有限公司", title="ABC分拣员", district="二七区")


# --- matching -----------------------------------------------------------------------------------


def _seeker(**changes: Any) -> dict[str, Any]:
    seeker: dict[str, Any] = {
        "districts": [],
        "industries": [],
        "types": [],
        "metro_lines": [],
        "tags": 0,
        "min_pay": None,
        "min_pay_unit": None,
    }
    seeker.update(changes)
    return seeker


def _posting(**changes: Any) -> dict[str, Any]:
    posting: dict[str, Any] = {
        "district": "金水区",
        "industry": "logistics",
        "employment_type": "full_time",
        "metro_line": "2号线",
        "tags": tag_mask(["older", "no_degree"]),
        "pay_min": 4000.0,
        "pay_max": 5000.0,
        "pay_unit": "month",
    }
    posting.update(changes)
    return posting


def test_a_seeker_who_chose_nothing_matches_every_posting() -> None:
    assert seeker_matches(_seeker(), _posting())


@pytest.mark.parametrize(
    ("seeker", "matches"),
    [
        ({"districts": ["金水区", "二七区"]}, True),
        ({"districts": ["惠济区"]}, False),
        ({"industries": ["logistics"]}, True),
        ({"industries": ["catering"]}, False),
        ({"types": ["full_time", "daily"]}, True),
        ({"types": ["part_time"]}, False),
        ({"metro_lines": ["2号线"]}, True),
        ({"metro_lines": ["1号线"]}, False),
        ({"tags": tag_mask(["older", "mothers"])}, True),
        ({"tags": tag_mask(["mothers"])}, False),
    ],
)
def test_each_choice_of_a_seeker_must_be_met(seeker: dict[str, Any], matches: bool) -> None:
    assert seeker_matches(_seeker(**seeker), _posting()) is matches


@pytest.mark.parametrize(
    ("posting", "matches"),
    [
        ({"pay_min": 4000.0, "pay_max": 5000.0, "pay_unit": "month"}, True),
        ({"pay_min": 4000.0, "pay_max": 4400.0, "pay_unit": "month"}, False),
        ({"pay_min": 200.0, "pay_max": 200.0, "pay_unit": "day"}, False),
        ({"pay_min": 210.0, "pay_max": 210.0, "pay_unit": "day"}, True),
        ({"pay_min": 25.0, "pay_max": 26.0, "pay_unit": "hour"}, True),
        ({"pay_min": None, "pay_max": None, "pay_unit": None}, True),
        ({"pay_min": 3.0, "pay_max": 3.0, "pay_unit": "piece"}, True),
    ],
)
def test_minimum_pay_compares_monthly_equivalents_and_lets_unknown_pay_through(
    posting: dict[str, Any], matches: bool
) -> None:
    seeker = _seeker(min_pay=4500.0, min_pay_unit="month")

    assert seeker_matches(seeker, _posting(**posting)) is matches


def test_a_daily_minimum_pay_is_compared_as_a_monthly_one() -> None:
    seeker = _seeker(min_pay=200.0, min_pay_unit="day")  # 4350 a month

    assert seeker_matches(seeker, _posting(pay_max=4350.0))
    assert not seeker_matches(seeker, _posting(pay_max=4300.0))


# --- quiet hours --------------------------------------------------------------------------------


def _local(hour: int, minute: int = 0, day: int = 21) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(SHANGHAI)).astimezone(UTC)


NIGHT = (time(22, 0), time(7, 0))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("22:00-07:00", (time(22, 0), time(7, 0))),
        (" 9:30 - 12:00 ", (time(9, 30), time(12, 0))),
        ("off", ()),
        ("", ()),
        ("24:00-07:00", None),
        ("22:00-07:60", None),
        ("07:00-07:00", None),
        ("at night", None),
    ],
)
def test_quiet_hours_are_read_from_settings_text(text: str, parsed: object) -> None:
    assert parse_quiet_hours(text) == parsed


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (_local(21, 59), None),
        (_local(22, 0), _local(7, 0, day=22)),
        (_local(23, 30), _local(7, 0, day=22)),
        (_local(0, 0), _local(7, 0)),
        (_local(6, 59), _local(7, 0)),
        (_local(7, 0), None),
        (_local(12, 0), None),
    ],
)
def test_quiet_hours_over_midnight_end_at_seven_local_time(
    now: datetime, until: datetime | None
) -> None:
    assert quiet_until(now, NIGHT, SHANGHAI) == until


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (_local(11, 59), None),
        (_local(12, 0), _local(14, 0)),
        (_local(13, 59), _local(14, 0)),
        (_local(14, 0), None),
    ],
)
def test_quiet_hours_within_a_day_end_the_same_day(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, (time(12, 0), time(14, 0)), SHANGHAI) == until


def test_no_quiet_hours_never_delay() -> None:
    assert quiet_until(_local(23, 0), (), SHANGHAI) is None


def test_the_end_of_quiet_hours_is_given_in_utc() -> None:
    until = quiet_until(_local(23, 0), NIGHT, SHANGHAI)

    assert until is not None
    assert until.tzinfo is UTC
    assert until == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)


# --- publishing and alerts (database) -----------------------------------------------------------

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
WORKER = 111_111


def _row(title: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "title": title,
        "employer_name": "示例物流有限公司",
        "city": "郑州市",
        "district": "金水区",
        "address": "",
        "metro_line": "2号线",
        "metro_station": "东风路",
        "industry": "logistics",
        "employment_type": "full_time",
        "pay_min": 5000.0,
        "pay_max": 6000.0,
        "pay_unit": "month",
        "pay_text": "5000-6000元/月",
        "hours": "",
        "requirements": "",
        "tags": 0,
        "contact": "0371-0000-0001",
        "expires_on": None,
        "employer_id": None,
        "source": "staff_import",
        "status": PostingStatus.draft.value,
        "owner_id": None,
        "dedupe_key": dedupe_key(employer="示例物流有限公司", title=title, district="金水区"),
        "search_text": title,
        "flags": [],
        "review_note": "",
        "reviewed_by": None,
        "contact_views": 0,
        "report_count": 0,
        "published_at": None,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(changes)
    return row


async def _setup(db: Database, postings: list[dict[str, Any]], **seeker: Any) -> list[int]:
    async with db.session() as session:
        session.add(User(id=WORKER))
        await session.commit()
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(SEEKERS),
            [
                {
                    "user_id": WORKER,
                    "districts": [],
                    "industries": [],
                    "types": [],
                    "metro_lines": [],
                    "tags": 0,
                    "min_pay": None,
                    "min_pay_unit": None,
                    "alerts": True,
                    "created_at": NOW,
                    "updated_at": NOW,
                    **seeker,
                }
            ],
        )
        await conn.execute(insert(POSTINGS), postings)
        result = await conn.execute(select(POSTINGS.c.id).order_by(POSTINGS.c.id))
        return [int(row.id) for row in result]


async def _alerts(db: Database) -> list[tuple[int, int]]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(select(ALERTS.c.user_id, ALERTS.c.posting_id))
        return sorted((int(r.user_id), int(r.posting_id)) for r in rows)


async def test_publishing_sets_the_date_and_expiry_and_queues_alerts_for_matching_seekers(
    db: Database,
) -> None:
    ids = await _setup(
        db, [_row("分拣员"), _row("厨师", industry="catering")], industries=["logistics"]
    )

    queued = await db.transact(publish_postings, posting_ids=ids, now=NOW, posting_days=30)

    assert queued == 1
    assert await _alerts(db) == [(WORKER, ids[0])]
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(POSTINGS).order_by(POSTINGS.c.id))).mappings().all()
    assert {row["status"] for row in rows} == {"published"}
    assert all(row["published_at"] == NOW for row in rows)
    assert all(row["expires_on"] == date(2026, 12, 21) for row in rows)


async def test_publishing_twice_queues_each_alert_once_and_keeps_the_first_date(
    db: Database,
) -> None:
    ids = await _setup(db, [_row("分拣员", expires_on=date(2027, 1, 31))])
    await db.transact(publish_postings, posting_ids=ids, now=NOW)

    later = datetime(2026, 11, 22, tzinfo=UTC)
    queued = await db.transact(publish_postings, posting_ids=ids, now=later)

    assert queued == 0
    assert await _alerts(db) == [(WORKER, ids[0])]
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(POSTINGS))).mappings().one()
    assert row["published_at"] == NOW
    assert row["expires_on"] == date(2027, 1, 31)


async def test_a_seeker_who_turned_alerts_off_gets_none(db: Database) -> None:
    ids = await _setup(db, [_row("分拣员")], alerts=False)

    assert await db.transact(publish_postings, posting_ids=ids, now=NOW) == 0
    assert await _alerts(db) == []


async def test_find_duplicate_sees_live_postings_only(db: Database) -> None:
    key = dedupe_key(employer="示例物流有限公司", title="分拣员", district="金水区")
    ids = await _setup(
        db,
        [
            _row("分拣员", status=PostingStatus.withdrawn.value),
            _row("分拣员", status=PostingStatus.pending.value),
        ],
    )

    assert await db.transact(find_duplicate, key=key) == ids[1]
    assert await db.transact(find_duplicate, key=key, exclude_id=ids[1]) is None


def test_a_salary_view_without_figures_is_negotiable() -> None:
    assert Salary(None, None, PayUnit.piece, "计件").negotiable


def test_min_wage_table_knows_cities_by_chinese_and_english_name() -> None:
    table = load_min_wages()
    assert min_wage_for("Zhengzhou", table) is min_wage_for("郑州市", table)
    assert min_wage_for("郑州", table) is not None
    assert min_wage_for("Atlantis", table) is None
