"""Dates, times and amounts as people say them, in Chinese and English (bot/core/when.py,
bot/core/amounts.py): what each form means, with today fixed, and what is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.amounts import AmountError, Money, parse_money, spoken_periods
from bot.core.numerals import arabic
from bot.core.when import SPRING_FESTIVAL, When, WhenError, parse_date, parse_moment, when_text

#: A Sunday.
TODAY = date(2026, 11, 15)
ZONE = "Asia/Shanghai"
#: Sunday 15 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


# --- past dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # exact days, as accepted before
        ("2024-03-05", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2024.3.5", "2024-03-05"),
        ("2024年3月5日", "2024-03-05"),
        ("2024年3月5号", "2024-03-05"),
        ("２０２４－０３－０５", "2024-03-05"),
        (" 2024-03-05。", "2024-03-05"),
        ("2024-02-29", "2024-02-29"),
        ("3月5日", "2026-03-05"),
        ("12月1日", "2025-12-01"),
        ("今天", "2026-11-15"),
        ("昨天", "2026-11-14"),
        ("前天", "2026-11-13"),
        ("Today", "2026-11-15"),
        ("yesterday", "2026-11-14"),
        ("2周前", "2026-11-01"),
        ("3 days ago", "2026-11-12"),
        ("March 5, 2025", "2025-03-05"),
        ("5 March 2025", "2025-03-05"),
        ("去年3月5日", "2025-03-05"),
        # months
        ("2024年3月", "2024-03"),
        ("2024-03", "2024-03"),
        ("2025.3", "2025-03"),
        ("二〇二五年三月", "2025-03"),
        ("去年12月", "2025-12"),
        ("去年十二月份", "2025-12"),
        ("今年五月", "2026-05"),
        ("今年5月底", "2026-05"),
        ("上个月", "2026-10"),
        ("上个月底", "2026-10"),
        ("本月初", "2026-11"),
        ("3个月前", "2026-08"),
        ("三个月前", "2026-08"),
        ("半年前", "2026-05"),
        ("12月", "2025-12"),
        ("11月", "2026-11"),
        ("last March", "2026-03"),
        ("last November", "2025-11"),
        ("this March", "2026-03"),
        ("March 2025", "2025-03"),
        ("in Mar 2025", "2025-03"),
        ("December", "2025-12"),
        ("3 months ago", "2026-08"),
        ("three months ago", "2026-08"),
        ("end of last month", "2026-10"),
        ("last month", "2026-10"),
        # the Spring Festival: the month the holiday ends in (2026: 17 February)
        ("春节后", "2026-02"),
        ("过完年以后", "2026-02"),
        ("去年春节后", "2025-02"),
        ("2024年春节前", "2024-02"),
        # years
        ("前年", "2024"),
        ("去年", "2025"),
        ("2023年", "2023"),
        ("2023", "2023"),
        ("两年前", "2024"),
        ("a year ago", "2025"),
        ("last year", "2025"),
    ],
)
def test_a_past_date_is_read_to_the_precision_it_was_given(text: str, key: str) -> None:
    assert parse_date(text, today=TODAY).key == key


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("2025年2月", date(2025, 2, 1), date(2025, 2, 28), "month"),
        ("2024年2月", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("前年", date(2024, 1, 1), date(2024, 12, 31), "year"),
        ("2025-03-05", date(2025, 3, 5), date(2025, 3, 5), "day"),
    ],
)
def test_a_rough_date_knows_its_first_and_last_day(
    text: str, earliest: date, latest: date, precision: str
) -> None:
    assert parse_date(text, today=TODAY) == When(earliest, latest, precision)  # type: ignore[arg-type]


def test_spring_festival_before_this_years_is_read_as_last_years() -> None:
    before = date(2026, 1, 10)

    assert SPRING_FESTIVAL[2026] > before
    assert parse_date("春节后", today=before).key == "2025-02"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("不记得了", "format"),
        ("nonsense", "format"),
        ("去年吧", "format"),
        ("13月", "format"),
        ("2024年13月", "format"),
        ("2024-13-01", "format"),
        ("2023-02-29", "format"),
        ("2024-04-31", "format"),
        ("2月30日", "format"),
        ("32号", "format"),
        ("1949-12-31", "format"),
        ("明天", "format"),
        ("下个月", "format"),
        ("next March", "format"),
        ("2026-11-16", "future"),
        ("2030年1月", "future"),
        ("2027", "future"),
        ("2026年11月" * 6, "too_long"),
    ],
)
def test_what_is_not_a_past_date_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_date(text, today=TODAY)

    assert refused.value.reason == reason


def test_this_month_is_a_past_date_although_it_has_days_to_come() -> None:
    assert parse_date("这个月", today=TODAY).latest > TODAY


@pytest.mark.parametrize(
    ("lang", "text", "shown"),
    [
        ("zh", "2025年3月", "2025年3月"),
        ("en", "2025年3月", "March 2025"),
        ("zh", "前年", "2024年"),
        ("en", "前年", "2024"),
        ("zh", "2025-03-05", "2025-03-05"),
        ("en", "2025-03-05", "2025-03-05"),
    ],
)
def test_a_date_is_shown_to_its_precision(lang: str, text: str, shown: str) -> None:
    assert when_text(lang, parse_date(text, today=TODAY)) == shown


@pytest.mark.parametrize("text", ["2025-03-05", "2025-03", "2025"])
def test_a_date_kept_as_its_key_reads_back_the_same(text: str) -> None:
    value = parse_date(text, today=TODAY)

    assert When.from_key(value.key) == value


@pytest.mark.parametrize("key", [None, "", "2025-13", "soon", 2025])
def test_a_key_that_is_no_date_reads_back_as_none(key: object) -> None:
    assert When.from_key(key) is None


# --- times to come ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("下周六晚上7点", "2026-11-21 19:00"),
        ("下周六 晚上七点", "2026-11-21 19:00"),
        ("下周一上午10点", "2026-11-16 10:00"),
        ("下下周一上午10点", "2026-11-23 10:00"),
        ("明天下午三点", "2026-11-16 15:00"),
        ("明天 15:00", "2026-11-16 15:00"),
        ("后天 7点半", "2026-11-17 07:30"),
        ("明天 7点一刻", "2026-11-16 07:15"),
        ("今晚8点", "2026-11-15 20:00"),
        ("周五 19:30", "2026-11-20 19:30"),
        ("星期五晚上7点半", "2026-11-20 19:30"),
        ("周日 11点", "2026-11-15 11:00"),
        ("周日 9点", "2026-11-22 09:00"),
        ("2026-12-05 19:00", "2026-12-05 19:00"),
        ("2026年12月5日 19点", "2026-12-05 19:00"),
        ("12月5日 19:00", "2026-12-05 19:00"),
        ("12-05 19:00", "2026-12-05 19:00"),
        ("3月1日 10点", "2027-03-01 10:00"),
        ("Sat 7pm", "2026-11-21 19:00"),
        ("saturday 7:30 pm", "2026-11-21 19:30"),
        ("next Friday 19:30", "2026-11-20 19:30"),
        ("tomorrow 3pm", "2026-11-16 15:00"),
        ("7pm tomorrow", "2026-11-16 19:00"),
        ("Dec 5 7pm", "2026-12-05 19:00"),
        ("5 Dec 19:00", "2026-12-05 19:00"),
    ],
)
def test_a_time_to_come_is_read_as_staff_write_it(text: str, local: str) -> None:
    moment = parse_moment(text, now=NOW, zone=ZONE)

    assert moment.tzinfo is not None
    assert moment.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("明天", "format"),
        ("7pm", "format"),
        ("下周六", "format"),
        ("周八 7点", "format"),
        ("明天 25点", "format"),
        ("明天 7:61", "format"),
        ("tomorrow 13pm", "format"),
        ("2026-02-30 19:00", "format"),
        ("随便什么时候", "format"),
        ("下周六晚上7点" * 6, "too_long"),
    ],
)
def test_what_is_not_a_time_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_moment(text, now=NOW, zone=ZONE)

    assert refused.value.reason == reason


def test_this_weeks_day_already_gone_is_read_as_past_for_the_caller_to_refuse() -> None:
    assert parse_moment("这周一 19:00", now=NOW, zone=ZONE) < NOW


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("两千五", Money(2500)),
        ("2千5", Money(2500)),
        ("两千5", Money(2500)),
        ("一万二", Money(12_000)),
        ("1万2", Money(12_000)),
        ("3k", Money(3000)),
        ("3.5K", Money(3500)),
        ("4500块", Money(4500)),
        ("4500块钱", Money(4500)),
        ("4,500", Money(4500)),
        ("￥4500", Money(4500)),
        ("¥ 4500", Money(4500)),
        ("RMB 4500", Money(4500)),
        ("一天两百", Money(200, "day")),
        ("200元一天", Money(200, "day")),
        ("日结300", Money(300, "day")),
        ("一个月两千五", Money(2500, "month")),
        ("每个月五千块", Money(5000, "month")),
        ("5000元/月", Money(5000, "month")),
        ("月薪8千", Money(8000, "month")),
        ("每小时二十五", Money(25, "hour")),
        ("25元/小时", Money(25, "hour")),
        ("年薪十二万", Money(120_000, "year")),
        ("3k a month", Money(3000, "month")),
        ("200 a day", Money(200, "day")),
        ("25 yuan per hour", Money(25, "hour")),
    ],
)
def test_an_amount_is_read_with_its_period(text: str, money: Money) -> None:
    assert parse_money(text) == money


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("很多", "format"),
        ("-500", "format"),
        ("1.2.3", "format"),
        ("8000美元", "format"),
        ("一天两百一个月五千", "format"),
        ("0", "range"),
        ("0元/月", "range"),
        ("200000000", "range"),
        ("两千五" * 20, "too_long"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(AmountError) as refused:
        parse_money(text)

    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("text", "marked"),
    [
        ("一个月两千五", "/月2500"),
        ("一天两百", "/天200"),
        ("每小时25", "/小时25"),
        ("7.5-8.5千/月", "7.5-8.5千/月"),
        ("两千五到三千", "2500到3000"),
        ("2年经验", "2年经验"),
    ],
)
def test_spoken_periods_are_marked_for_the_job_pay_reader(text: str, marked: str) -> None:
    assert spoken_periods(text) == marked


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("去年十二月", "去年12月"),
        ("下周六晚上七点", "下周6晚上7点"),
        ("两千五百块", "2500块"),
        ("8.5千", "8.5千"),
        ("没有数字", "没有数字"),
    ],
)
def test_chinese_numbers_in_a_sentence_are_written_in_digits(text: str, written: str) -> None:
    assert arabic(text) == written
