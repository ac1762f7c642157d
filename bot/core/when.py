"""Dates and times as people say them, in Chinese and English; pure functions.

Two readers:

- :func:`parse_date` — a day in the past that may be known only roughly: "2025-03-05",
  "去年12月", "上个月底", "前年", "春节后", "3个月前", "last March", "March 2025", "yesterday".
  The result keeps its precision (day, month or year) and the first and last day it may be, so a
  rough date is never passed off as an exact one.
- :func:`parse_moment` — a local date and time to come: "下周六晚上7点", "明天下午三点",
  "周五 19:30", "Sat 7pm", "tomorrow 3pm", "2026-12-05 19:00".

"Today" and "now" are always given by the caller (see bot/core/clock.py), so the same words read
the same way in tests. Chinese numerals are read by :mod:`bot.core.numerals`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.core.numerals import ENGLISH, arabic, fold
from bot.i18n import t

Precision = Literal["day", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")
#: Longest text read as a date or a time.
MAX_LENGTH = 40
#: Earliest year a date may be in.
FIRST_YEAR = 1950
#: Why a text was not taken as a date or time.
REASONS = ("empty", "too_long", "format", "future")

#: The first day of the Spring Festival (正月初一), 2000–2040: "春节后" is read from it.
SPRING_FESTIVAL = {
    2000: date(2000, 2, 5),
    2001: date(2001, 1, 24),
    2002: date(2002, 2, 12),
    2003: date(2003, 2, 1),
    2004: date(2004, 1, 22),
    2005: date(2005, 2, 9),
    2006: date(2006, 1, 29),
    2007: date(2007, 2, 18),
    2008: date(2008, 2, 7),
    2009: date(2009, 1, 26),
    2010: date(2010, 2, 14),
    2011: date(2011, 2, 3),
    2012: date(2012, 1, 23),
    2013: date(2013, 2, 10),
    2014: date(2014, 1, 31),
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
    2033: date(2033, 1, 31),
    2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
    2036: date(2036, 1, 28),
    2037: date(2037, 2, 15),
    2038: date(2038, 2, 4),
    2039: date(2039, 1, 24),
    2040: date(2040, 2, 12),
}
#: "春节后" is the month the festival holiday ends in (about a week after the first day);
#: "春节前" the month a week before it. Both are month precision: the day is not known.
FESTIVAL_SHIFT = timedelta(days=7)

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}


class WhenError(ValueError):
    """A text that is not a usable date or time; ``reason`` is one of REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class When:
    """A day known to ``precision``: somewhere from ``earliest`` to ``latest`` (both included)."""

    earliest: date
    latest: date
    precision: Precision

    @classmethod
    def day(cls, value: date) -> When:
        """An exact day."""
        return cls(value, value, "day")

    @classmethod
    def month(cls, year: int, month: int) -> When:
        """A whole calendar month."""
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), "month")

    @classmethod
    def year(cls, year: int) -> When:
        """A whole calendar year."""
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @property
    def exact(self) -> bool:
        """True when the day itself is known."""
        return self.precision == "day"

    @property
    def key(self) -> str:
        """How it is kept as text: "2025-03-05", "2025-03" or "2025"."""
        if self.precision == "year":
            return f"{self.earliest.year:04d}"
        if self.precision == "month":
            return f"{self.earliest.year:04d}-{self.earliest.month:02d}"
        return self.earliest.isoformat()

    @classmethod
    def from_key(cls, key: object) -> When | None:
        """Read back :attr:`key` (None for anything else)."""
        if not isinstance(key, str):
            return None
        try:
            if re.fullmatch(r"\d{4}", key):
                return cls.year(int(key))
            if found := re.fullmatch(r"(\d{4})-(\d{2})", key):
                return cls.month(int(found[1]), int(found[2]))
            return cls.day(date.fromisoformat(key))
        except ValueError:
            return None

    @classmethod
    def stored(cls, value: date | None, precision: str | None) -> When | None:
        """A date column and its precision column as a When (an unknown precision: day)."""
        if value is None:
            return None
        if precision == "year":
            return cls.year(value.year)
        if precision == "month":
            return cls.month(value.year, value.month)
        return cls.day(value)


def when_text(lang: str, value: When) -> str:
    """A date as the worker and the volunteers read it, to its precision: "2025-03-05",
    "2025年3月" / "March 2025", "2025年" / "2025"."""
    if value.precision == "year":
        return t(lang, "when-year", year=str(value.earliest.year))
    if value.precision == "month":
        return t(lang, "when-month", year=str(value.earliest.year), month=value.earliest.month)
    return value.earliest.isoformat()


# --- reading a past date ----------------------------------------------------------------------


def _prepare(text: str) -> str:
    """The text folded, Chinese numerals in digits, trailing punctuation dropped."""
    if not text or not text.strip():
        raise WhenError("empty")
    if len(text.strip()) > MAX_LENGTH:
        raise WhenError("too_long")
    return arabic(fold(text)).strip().rstrip("。.!！")


def _months_back(today: date, months: int) -> When:
    index = today.year * 12 + today.month - 1 - months
    return When.month(index // 12, index % 12 + 1)


def _recent_month(today: date, month: int, *, before_this: bool = False) -> When:
    """The most recent ``month`` not after today (``before_this``: not this month either)."""
    year = today.year
    if month > today.month or (before_this and month == today.month):
        year -= 1
    return When.month(year, month)


def _recent_day(today: date, month: int, day: int) -> When:
    """``month``/``day`` this year, or last year if that is still ahead."""
    found = date(today.year, month, day) if _valid(today.year, month, day) else None
    if found is None or found > today:
        found = date(today.year - 1, month, day)
    return When.day(found)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _festival(year: int, side: str) -> When:
    first = SPRING_FESTIVAL.get(year)
    if first is None:
        raise WhenError("format")
    moment = first + FESTIVAL_SHIFT if side == "after" else first - FESTIVAL_SHIFT
    return When.month(moment.year, moment.month)


_YEAR_WORDS = {"今年": 0, "去年": 1, "前年": 2, "大前年": 3}
_MONTH_WORDS = {
    "这个月": 0,
    "这月": 0,
    "本月": 0,
    "上个月": 1,
    "上月": 1,
    "上上个月": 2,
    "上上月": 2,
}
_DAY_WORDS = {
    "今天": 0,
    "今日": 0,
    "today": 0,
    "昨天": 1,
    "昨日": 1,
    "yesterday": 1,
    "前天": 2,
    "the day before yesterday": 2,
    "day before yesterday": 2,
    "大前天": 3,
}
#: Words for a part of a month or year ("底", "初"): the month or year is still the precision.
_PART = r"(?:份|初|中|中旬|底|末|上旬|下旬|前后|左右)?"
_FULL = re.compile(r"^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?$")
_YEAR_MONTH = re.compile(rf"^(\d{{4}}) ?[-/.年] ?(\d{{1,2}}) ?(?:月{_PART})?$")
_YEAR_ONLY = re.compile(rf"^(\d{{4}}) ?(?:年{_PART})?$")
_MONTH_DAY = re.compile(r"^(\d{1,2}) ?[月/.-] ?(\d{1,2}) ?[日号]?$")
_MONTH_ONLY = re.compile(rf"^(\d{{1,2}}) ?月{_PART}$")
_NAMED_YEAR = re.compile(
    rf"^(今年|去年|前年|大前年)(?:(?:年{_PART})|(\d{{1,2}})月{_PART}|(\d{{1,2}})月(\d{{1,2}})[日号])?$"
)
_NAMED_MONTH = re.compile(rf"^(这个月|这月|本月|上上个月|上上月|上个月|上月){_PART}$")
_AGO = re.compile(r"^(\d{1,3}|半) ?(?:个)?(天|日|周|星期|礼拜|个月|月|年)(?:前|以前|之前)$")
_FESTIVAL = re.compile(
    r"^(?:(今年|去年|前年)|(\d{4})年?)?(?:春节|过年|过完年|新年)(前|以前|之前|后|以后|之后)$"
)
_EN_AGO = re.compile(r"^(\d{1,3}|[a-z]+) (day|week|month|year)s? ago$")
_EN_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_EN_LAST = re.compile(rf"^(last|this) ({_EN_MONTH})$")
_EN_MONTH_YEAR = re.compile(rf"^(?:in )?({_EN_MONTH})\.?,? (\d{{4}})$")
_EN_MONTH_ALONE = re.compile(rf"^(?:in )?({_EN_MONTH})\.?$")
_EN_DAY = re.compile(
    rf"^(?:({_EN_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?"
    rf"({_EN_MONTH})\.?),? ?(\d{{4}})?$"
)
_EN_RELATIVE = re.compile(
    r"^(?:(?:the )?(?:end|beginning|start|middle|early|late|mid)(?: of)? )?"
    r"(last|this) (month|year)$"
)


def _read_date(value: str, today: date) -> When | None:
    """The grammar of :func:`parse_date` (None when nothing matches)."""
    if value in _DAY_WORDS:
        return When.day(today - timedelta(days=_DAY_WORDS[value]))
    if found := _FULL.match(value):
        return When.day(date(int(found[1]), int(found[2]), int(found[3])))
    if found := _YEAR_MONTH.match(value):
        return When.month(int(found[1]), int(found[2]))
    if found := _YEAR_ONLY.match(value):
        return When.year(int(found[1]))
    if found := _MONTH_DAY.match(value):
        return _recent_day(today, int(found[1]), int(found[2]))
    if found := _MONTH_ONLY.match(value):
        return _recent_month(today, int(found[1]))
    if found := _NAMED_YEAR.match(value):
        year = today.year - _YEAR_WORDS[found[1]]
        if found[2]:
            return When.month(year, int(found[2]))
        if found[3]:
            return When.day(date(year, int(found[3]), int(found[4])))
        return When.year(year)
    if found := _NAMED_MONTH.match(value):
        return _months_back(today, _MONTH_WORDS[found[1]])
    if found := _FESTIVAL.match(value):
        year = int(found[2]) if found[2] else today.year - _YEAR_WORDS.get(found[1] or "", 0)
        side = "before" if found[3].endswith("前") else "after"
        result = _festival(year, side)
        if not found[1] and not found[2] and result.earliest > today:
            result = _festival(year - 1, side)  # "春节后" said before this year's festival
        return result
    if found := _AGO.match(value):
        return _ago(today, found[1], found[2])
    if found := _EN_AGO.match(value):
        return _ago(today, found[1], found[2])
    if found := _EN_LAST.match(value):
        month = MONTHS[found[2]]
        if found[1] == "this":
            return When.month(today.year, month)
        return _recent_month(today, month, before_this=True)
    if found := _EN_MONTH_YEAR.match(value):
        return When.month(int(found[2]), MONTHS[found[1]])
    if found := _EN_MONTH_ALONE.match(value):
        return _recent_month(today, MONTHS[found[1]])
    if found := _EN_DAY.match(value):
        month = MONTHS[found[1] or found[4]]
        day = int(found[2] or found[3])
        if found[5]:
            return When.day(date(int(found[5]), month, day))
        return _recent_day(today, month, day)
    if found := _EN_RELATIVE.match(value):
        back = 0 if found[1] == "this" else 1
        if found[2] == "month":
            return _months_back(today, back)
        return When.year(today.year - back)
    return None


def _ago(today: date, amount: str, unit: str) -> When | None:
    """Read "3个月前", "2 weeks ago": days and weeks give a day, months a month, years a year."""
    if amount == "半":  # 半年前: six months; 半个月前: fifteen days
        if unit == "年":
            count, unit = 6, "个月"
        elif unit in ("个月", "月"):
            count, unit = 15, "天"
        else:
            return None
    else:
        count = int(amount) if amount.isdigit() else ENGLISH.get(amount, 0)
    if count <= 0 or count > 100:
        return None
    if unit in ("天", "日", "day"):
        return When.day(today - timedelta(days=count))
    if unit in ("周", "星期", "礼拜", "week"):
        return When.day(today - timedelta(weeks=count))
    if unit in ("个月", "月", "month"):
        return _months_back(today, count)
    return When.year(today.year - count)


def parse_date(text: str, *, today: date) -> When:
    """Read a day in the past as a worker gives it, to the precision they gave it.

    Raises WhenError: "empty", "too_long" (over MAX_LENGTH characters), "format" (not a date,
    or no such day: 13月, 2月30日, before FIRST_YEAR) or "future" (it starts after today).
    """
    value = _prepare(text)
    try:
        found = _read_date(value, today)
    except ValueError as error:  # no such day or month
        raise WhenError("format") from error
    if found is None or found.earliest.year < FIRST_YEAR:
        raise WhenError("format")
    if found.earliest > today:
        raise WhenError("future")
    return found


# --- reading a date and time to come ----------------------------------------------------------

_PARTS_OF_DAY = r"上午|早上|早晨|凌晨|中午|下午|傍晚|晚上|夜里|今晚|明晚"
_AFTERNOON = frozenset({"下午", "傍晚", "晚上", "夜里", "今晚", "明晚"})
_CLOCK = re.compile(
    rf"^(?P<part>{_PARTS_OF_DAY})?(?P<hour>\d{{1,2}})"
    r"(?:(?::|点|时)(?:(?P<minute>\d{1,2})分?|(?P<half>半)|(?P<quarter>[13])刻)?)?"
    r" ?(?P<ampm>am|pm|a\.m\.|p\.m\.)?$"
)
_CHINESE_DAY = re.compile(
    r"^(?:(?P<rel>今天|明天|后天|大后天|今晚|明晚)"
    r"|(?P<week>这|本|下下|下)?(?:个)?(?:周|星期|礼拜)(?P<wd>[1-6日天]))"
)
_EN_DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "day after tomorrow": 2}
_EN_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_EN_NEXT_DAY = re.compile(rf"^(?:(next|this|coming|on) )?({_EN_WEEKDAY})\.?$")
_FULL_DATE = re.compile(r"^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?[ ,，]?(.+)$")
_MONTH_DAY_TIME = re.compile(r"^(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?[日号]?[ ,，]?(.+)$")
_EN_DATE_TIME = re.compile(
    rf"^(?:({_EN_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)? "
    rf"({_EN_MONTH})\.?),? (.+)$"
)


def clock(text: str) -> time | None:
    """A time of day: 19:00, 19点, 7点半, 7点一刻, 晚上7点, 下午三点, 7pm, 7:30 pm."""
    found = _CLOCK.match(arabic(fold(text)).replace(" ", "").replace("钟", ""))
    if found is None:
        return None
    hour = int(found["hour"])
    minute = (
        30
        if found["half"]
        else 15 * int(found["quarter"])
        if found["quarter"]
        else int(found["minute"] or 0)
    )
    part, ampm = found["part"], (found["ampm"] or "").replace(".", "")
    if ampm and not 1 <= hour <= 12:
        return None
    afternoon = part in _AFTERNOON or ampm == "pm"
    if (afternoon and hour < 12) or (part == "中午" and hour < 6):
        hour += 12
    elif (part in ("上午", "早上", "早晨", "凌晨") or ampm == "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _weekday_in(today: date, weekday: int, weeks_ahead: int | None) -> date:
    """The day ``weekday`` (0 = Monday) of the week ``weeks_ahead`` from this one, or the next
    one from today (today included) when ``weeks_ahead`` is None."""
    if weeks_ahead is None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=weeks_ahead, days=weekday)


def _split_day(value: str, today: date) -> tuple[date, str, bool] | None:
    """A day said in words at the start of ``value`` (明天, 下周六, tomorrow, next Sat), the
    rest of the text (the time), and whether it was a weekday alone (周六, Sat: the next one)."""
    if found := _CHINESE_DAY.match(value):
        rest = value[found.end() :].lstrip(" ,，")
        if found["rel"]:
            offsets = {"今天": 0, "今晚": 0, "明天": 1, "明晚": 1, "后天": 2, "大后天": 3}
            if found["rel"] in ("今晚", "明晚"):
                rest = "晚上" + rest
            return today + timedelta(days=offsets[found["rel"]]), rest, False
        weekday = 6 if found["wd"] in ("日", "天") else int(found["wd"]) - 1
        weeks = {"这": 0, "本": 0, "下": 1, "下下": 2}.get(found["week"] or "")
        return _weekday_in(today, weekday, weeks), rest, weeks is None
    words = value.split(" ")
    for size in (4, 3, 2, 1):
        head, rest = " ".join(words[:size]), " ".join(words[size:])
        if head in _EN_DAY_WORDS:
            return today + timedelta(days=_EN_DAY_WORDS[head]), rest, False
        if found := _EN_NEXT_DAY.match(head):
            weeks = {"next": 1, "this": 0}.get(found[1] or "")
            return _weekday_in(today, WEEKDAYS[found[2]], weeks), rest, weeks is None
    return None


def _english_time_first(value: str) -> str:
    """Put the day first, as the rest reads: "7pm tomorrow" → "tomorrow 7pm"."""
    found = re.match(r"^(\d{1,2}(?::\d{2})? ?(?:am|pm)|\d{1,2}:\d{2}) (?:on )?(.+)$", value)
    if found and not found[2][0].isdigit():
        return f"{found[2]} {found[1]}"
    return value


def _local_moment(value: str, local_now: datetime) -> tuple[date, time] | None:
    today = local_now.date()
    if found := _FULL_DATE.match(value):
        moment = clock(found[4])
        day = date(int(found[1]), int(found[2]), int(found[3]))
        return (day, moment) if moment is not None else None
    if found := _MONTH_DAY_TIME.match(value):
        moment = clock(found[3])
        if moment is None:
            return None
        return _next_date(local_now, int(found[1]), int(found[2]), moment)
    if found := _EN_DATE_TIME.match(value):
        moment = clock(found[5])
        if moment is None:
            return None
        return _next_date(
            local_now, MONTHS[found[1] or found[4]], int(found[2] or found[3]), moment
        )
    split = _split_day(value, today)
    if split is None:
        return None
    day, rest, coming = split
    moment = clock(rest) if rest else None
    if moment is None:
        return None
    if coming and datetime.combine(day, moment, tzinfo=local_now.tzinfo) <= local_now:
        day += timedelta(weeks=1)  # "周五 19:30" said on Friday evening: next Friday
    return day, moment


def _next_date(local_now: datetime, month: int, day: int, moment: time) -> tuple[date, time]:
    """``month``/``day`` at ``moment`` this year, or next year if that has passed."""
    for year in (local_now.year, local_now.year + 1):
        if not _valid(year, month, day):
            continue  # 2月29日 in a year without it
        if datetime.combine(date(year, month, day), moment, tzinfo=local_now.tzinfo) > local_now:
            return date(year, month, day), moment
    raise ValueError("no such day")


def parse_moment(text: str, *, now: datetime, zone: str) -> datetime:
    """Read a local date and time as staff write it; the moment in UTC (it may have passed:
    the caller decides). The day may be written out (2026-12-05, 12月5日, Dec 5) or said (明天,
    下周六, 周五, tomorrow, Sat, next Friday); the time as 19:00, 19点, 7点半, 晚上7点, 下午三点,
    7pm. 下周六 is Saturday of next week; 周六 and Sat alone the next Saturday (today included).

    Raises WhenError: "empty", "too_long" or "format".
    """
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    value = _english_time_first(_prepare(text))
    try:
        found = _local_moment(value, local_now)
    except ValueError as error:
        raise WhenError("format") from error
    if found is None:
        raise WhenError("format")
    day, moment = found
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)
