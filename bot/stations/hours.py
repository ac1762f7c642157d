"""Opening hours of post stations: parsing the text import files use, and "open now?" answers.

Import files describe opening hours as free Chinese (sometimes English) text such as
``周一至周五 08:30-12:00，13:00-17:30`` or ``24小时开放``. :func:`parse_hours` turns that text into
an :class:`OpeningHours` value: for each weekday, the minute ranges during which the station is
open. A range may run past midnight (22:00-06:00 is stored on the day it starts as 1320-1800).
When the text cannot be understood the result is "unknown" and only the text itself can be shown.

:func:`status_at` answers whether a station is open at a moment, in the station's own time zone,
and when it next closes or opens. This module is pure: no Telegram, no database.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "DAY_MINUTES",
    "DEFAULT_TIMEZONE",
    "HoursError",
    "HoursStatus",
    "OpeningHours",
    "parse_hours",
    "parse_hours_strict",
    "status_at",
]

#: Minutes in a day; a range may end as late as twice this (past midnight into the next day).
DAY_MINUTES = 1440
_WEEK_MINUTES = 7 * DAY_MINUTES
DEFAULT_TIMEZONE = "Asia/Shanghai"

Range = tuple[int, int]
Week = tuple[tuple[Range, ...], ...]


class HoursError(ValueError):
    """Opening-hours text or data that cannot be understood; the message says why, in English."""


# ---------------------------------------------------------------------------------------------
# The value


def _merge(ranges: Iterable[Range]) -> list[Range]:
    """Sort ranges and join those that overlap or touch."""
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class OpeningHours:
    """When a station is open, week by week.

    ``week`` holds seven entries, Monday first. Each is a sorted tuple of ``(start, end)``
    minute ranges with ``0 <= start < end <= 2880``; an end past 1440 means the range runs past
    midnight into the next day. ``known`` is False when the text could not be turned into times
    (then ``week`` is empty and only ``text``, the original wording, can be shown).
    """

    week: Week
    known: bool = True
    text: str = ""

    def __post_init__(self) -> None:
        """Check the shape and bounds of ``week`` (lists are accepted and stored as tuples)."""
        try:
            days = tuple(tuple((int(s), int(e)) for s, e in day) for day in self.week)
        except (TypeError, ValueError) as exc:
            raise HoursError("week must be seven lists of (start, end) minute pairs") from exc
        if len(days) != 7:
            raise HoursError(f"week must have 7 days, not {len(days)}")
        for day in days:
            for start, end in day:
                if not 0 <= start < end <= 2 * DAY_MINUTES:
                    raise HoursError(f"range {start}-{end} is outside 0 <= start < end <= 2880")
            if list(day) != sorted(day):
                raise HoursError("the ranges of a day must be sorted")
        object.__setattr__(self, "week", days)

    @classmethod
    def unknown(cls, text: str = "") -> OpeningHours:
        """Hours we cannot interpret: only ``text`` can be shown."""
        return cls(week=((),) * 7, known=False, text=text.strip())

    @property
    def always_open(self) -> bool:
        """True when the station never closes (24 hours, every day)."""
        return self.known and self._timeline == ((0, _WEEK_MINUTES),)

    @cached_property
    def _timeline(self) -> tuple[Range, ...]:
        """Open ranges as minutes since Monday 00:00, merged, wrapped into one week."""
        pieces: list[Range] = []
        for weekday, day in enumerate(self.week):
            base = weekday * DAY_MINUTES
            for start, end in day:
                start, end = base + start, base + end
                if end > _WEEK_MINUTES:  # Sunday night running into Monday morning
                    pieces.append((0, end - _WEEK_MINUTES))
                    end = _WEEK_MINUTES
                pieces.append((start, end))
        return tuple(_merge(pieces))

    @cached_property
    def _starts(self) -> list[int]:
        """The start minute of each timeline range, for bisection."""
        return [start for start, _ in self._timeline]

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict that :meth:`from_json` turns back into an equal value."""
        return {
            "week": [[[start, end] for start, end in day] for day in self.week],
            "known": self.known,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OpeningHours:
        """Rebuild from :meth:`to_json` output.

        Never raises: stored data that is missing or malformed (``{}`` included) gives unknown
        hours that keep whatever text was stored, so one bad row cannot break a station list.
        """
        if not isinstance(data, Mapping):
            return cls.unknown()
        text = data.get("text")
        text = text if isinstance(text, str) else ""
        known = data.get("known")
        if "week" not in data or not isinstance(known, bool):
            return cls.unknown(text)
        try:
            return cls(week=data["week"], known=known, text=text)
        except HoursError:
            return cls.unknown(text)


# ---------------------------------------------------------------------------------------------
# Reading the text: tokens

# Token kinds.
_DAY = "day"  # one weekday, value 0 (Monday) .. 6
_DAYS = "days"  # a set of weekdays (每天, 工作日, weekends ...), value frozenset
_ALLDAY = "allday"  # 24 hours
_TIME = "time"  # a clock time, value (hour, minute)
_NUMBER = "number"  # a bare number that may be an hour in a range such as 8-20点
_RSEP = "rsep"  # between the two ends of a range: - ~ 至 到 to
_LSEP = "lsep"  # between items of a list: , 、 / and
_GSEP = "gsep"  # between statements: ; newline 。
_CLOSED = "closed"  # 休息, 闭馆, closed, 除外 ...
_BREAK = "break"  # 午休, lunch: the next range is a break
_MER = "mer"  # a part of the day before a time: 上午, 下午, 晚上 ...
_SUFMER = "sufmer"  # am / pm after a time
_OPEN = "open"  # 开放, 营业, open: says nothing by itself
_NOISE = "noise"  # labels and punctuation: 开放时间, 时间, brackets, colons

_ALL_DAYS = frozenset(range(7))
_WORKDAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})

# Public holidays (节假日) cannot be known without a holiday calendar, which we do not have, so
# they are approximated by the weekend, and only where that cannot mislead: times given for
# holidays ("节假日 10:00-16:00") apply to Saturday and Sunday, while holidays that are merely
# closed ("节假日除外", "节假日休息") or "as usual" change nothing, so that an ordinary weekend is
# never reported closed because of them.
_HOLIDAYS = _WEEKEND
_HOLIDAY = "holiday"  # 节假日: a set of days, value _HOLIDAYS
_DAY_KINDS = (_DAY, _DAYS, _HOLIDAY)


def _table(*entries: tuple[str, str, Any]) -> dict[str, tuple[str, Any]]:
    """A word table from (space-separated words, token kind, token value) entries."""
    return {word: (kind, value) for words, kind, value in entries for word in words.split()}


_CJK_WORDS = _table(
    (
        "每天 每日 天天 全周 每周 全年 常年 全年无休 常年无休 一周七天 一周7天 七天 7天",
        _DAYS,
        _ALL_DAYS,
    ),
    ("工作日", _DAYS, _WORKDAYS),
    ("周末 双休日 休息日 公休日", _DAYS, _WEEKEND),
    ("节假日 法定节假日 法定假日 节日 假日 假期 节假期", _HOLIDAY, _HOLIDAYS),
    ("全天 全天候 全日 整天 昼夜", _ALLDAY, None),
    ("- ~ 〜 — – ― ‐ − 至 到", _RSEP, None),
    (", 、 / & + | 和 及 与 以及 或", _LSEP, None),
    ("; 。", _GSEP, None),
    (
        "休息 闭馆 閉館 闭站 关闭 關閉 关门 不开放 不对外开放 暂停开放 停止开放 不营业 暂停营业"
        " 停业 歇业 休馆 休館 休业 公休 除外 闭店",
        _CLOSED,
        None,
    ),
    ("午休 午间休息 中午休息 午餐 午饭", _BREAK, None),
    ("上午 早上 早晨 清晨 早 凌晨", _MER, "am"),
    ("中午 午间", _MER, "noon"),
    ("下午 午后", _MER, "pm"),
    ("晚上 晚间 傍晚 夜间 夜里 夜晚 晚", _MER, "evening"),
    ("午夜", _TIME, (0, 0)),
    (
        "开放 開放 营业 營業 开门 开馆 服务 对外开放 正常开放 照常开放 照常 正常 照常营业 无休"
        " 不休 无休息 提供服务",
        _OPEN,
        None,
    ),
    (
        "开放时间 营业时间 服务时间 办公时间 工作时间 上班时间 时间 时段 均 都 全部 为 是 从 自"
        " 起 止 期间 次日 翌日 第二天 其他 其余 其它 每 的 ( ) [ ] 【 】 「 」 < > : ∶ .",
        _NOISE,
        None,
    ),
)
_CJK_WORDS["\n"] = _CJK_WORDS["\r"] = (_GSEP, None)

_EN_DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_EN_WORDS = _table(
    *((f"{name} {name}s {name[:3]}", _DAY, i) for i, name in enumerate(_EN_DAY_NAMES)),
    ("tues", _DAY, 1),
    ("weds", _DAY, 2),
    ("thur thurs", _DAY, 3),
    ("daily everyday", _DAYS, _ALL_DAYS),
    ("weekday weekdays", _DAYS, _WORKDAYS),
    ("weekend weekends", _DAYS, _WEEKEND),
    ("holiday holidays", _HOLIDAY, _HOLIDAYS),
    ("to through thru till til until", _RSEP, None),
    ("and", _LSEP, None),
    ("closed close off except", _CLOSED, None),
    ("lunch", _BREAK, None),
    ("am", _SUFMER, "am"),
    ("pm", _SUFMER, "pm"),
    ("noon", _TIME, (12, 0)),
    ("midnight", _TIME, (0, 0)),
    ("open opens opening", _OPEN, None),
    ("hours hour hrs from on at the every public break times", _NOISE, None),
)

_CJK_WORD_RE = re.compile(
    "|".join(re.escape(w) for w in sorted(_CJK_WORDS, key=len, reverse=True))
)
_EN_WORD_RE = re.compile(r"[a-z]+")
_SPACE_RE = re.compile(r"[ \t\f\v]+")
_EN_PHRASES: list[tuple[re.Pattern[str], list[tuple[str, Any]]]] = [
    (re.compile(r"every\s+day(?![a-z])"), [(_DAYS, _ALL_DAYS)]),
    (re.compile(r"(?:7|seven)\s+days(?:\s+a\s+week)?(?![a-z])"), [(_DAYS, _ALL_DAYS)]),
    (re.compile(r"(?:all\s+day|a?round\s+the\s+clock)(?![a-z])"), [(_ALLDAY, None)]),
    (re.compile(r"[ap]\.\s?m\.?"), [(_SUFMER, None)]),  # value filled in below
]
_ALLDAY_RE = re.compile(
    r"(?P<week>7\s*[x×*]\s*24|24\s*[x×*/]\s*7)(?:\s*(?:小时|h(?![a-z])))?"
    r"|(?:24|二十四)\s*(?:小时|h(?:ours?|rs?)?(?![a-z]))"
)
_CN_DIGITS = "零〇一二两三四五六七八九十"
_CN_NUM = f"[{_CN_DIGITS}]{{1,3}}"
_CLOCK_RE = re.compile(r"(\d{1,2})(?:\s*[:∶]\s*|\.)(\d{2})(?!\d)")
_DIAN_RE = re.compile(
    r"(\d{1,2}|" + _CN_NUM + r")\s*(?:点钟?|时)(?:(半)|(\d{1,2}|" + _CN_NUM + r")分?|整)?"
)
_NUMBER_RE = re.compile(r"\d{1,2}(?!\d)")
_HOUR_AHEAD_RE = re.compile(r"\d\d|\d\s*[点时]")  # not a bare day digit: 周1-5点 is no day
_DAY_RE = re.compile(r"每?(?:星期|礼拜|禮拜|周|週)([一二三四五六日天七1-7])")
_DAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}


def _cn_number(text: str) -> int:
    """The value of a small number in digits or Chinese numerals (0-99)."""
    if text.isdigit():
        return int(text)
    values = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)
    if len(text) != 1:
        raise HoursError(f"cannot read the number {text!r}")
    return values[text]


@dataclass(frozen=True)
class _Tok:
    """One token of opening-hours text."""

    kind: str
    value: Any = None
    digit: bool = False  # a day written as a digit (周1), so 周1-5 can be read


def _day_token(text: str) -> _Tok:
    """A weekday written as 一..日/天 or 1..7."""
    if text.isdigit():
        return _Tok(_DAY, int(text) - 1, digit=True)
    return _Tok(_DAY, _DAY_CHARS[text])


def _tokenize(text: str) -> list[_Tok]:
    """Split normalised text into tokens; raise HoursError at anything unrecognised."""
    tokens: list[_Tok] = []
    pos, size = 0, len(text)
    while pos < size:
        space = _SPACE_RE.match(text, pos)
        spaced = space is not None
        if space:
            pos = space.end()
            if pos >= size:
                break
        pos = _next_token(text, pos, tokens, spaced)
    return tokens


def _next_token(text: str, pos: int, tokens: list[_Tok], spaced: bool) -> int:
    """Append the token(s) starting at ``pos``; return the position after them."""
    if match := _ALLDAY_RE.match(text, pos):
        if match.group("week"):
            tokens.append(_Tok(_DAYS, _ALL_DAYS))
        tokens.append(_Tok(_ALLDAY))
        return match.end()
    if match := _CLOCK_RE.match(text, pos):
        tokens.append(_Tok(_TIME, (int(match[1]), int(match[2]))))
        return match.end()
    if match := _DIAN_RE.match(text, pos):
        minute = 30 if match[2] else _cn_number(match[3]) if match[3] else 0
        tokens.append(_Tok(_TIME, (_cn_number(match[1]), minute)))
        return match.end()
    if match := _DAY_RE.match(text, pos):
        tokens.append(_day_token(match[1]))
        return match.end()
    # A bare day after a day and a separator: 周一至五, 周一、三、五, 周1-5; or right after a
    # day: 周六日.
    char = text[pos]
    last = tokens[-1] if tokens else None
    before = tokens[-2] if len(tokens) >= 2 else None
    if char in _DAY_CHARS and last is not None:
        after_sep = last.kind in (_RSEP, _LSEP) and before is not None and before.kind == _DAY
        if after_sep or (last.kind == _DAY and not spaced):
            tokens.append(_day_token(char))
            return pos + 1
    if (
        char in "1234567"
        and last is not None
        and last.kind == _RSEP
        and before is not None
        and before.digit
        and not _CLOCK_RE.match(text, pos)
        and not _HOUR_AHEAD_RE.match(text, pos)
    ):
        tokens.append(_day_token(char))
        return pos + 1
    for pattern, produced in _EN_PHRASES:
        if match := pattern.match(text, pos):
            for kind, value in produced:
                if kind == _SUFMER:
                    value = "am" if match[0][0] == "a" else "pm"
                tokens.append(_Tok(kind, value))
            return match.end()
    if match := _EN_WORD_RE.match(text, pos):
        word = match[0]
        if word not in _EN_WORDS:
            raise HoursError(f"unexpected word {word!r}")
        kind, value = _EN_WORDS[word]
        tokens.append(_Tok(kind, value))
        return match.end()
    if match := _CJK_WORD_RE.match(text, pos):
        kind, value = _CJK_WORDS[match[0]]
        tokens.append(_Tok(kind, value))
        return match.end()
    if match := _NUMBER_RE.match(text, pos):
        tokens.append(_Tok(_NUMBER, int(match[0])))
        return match.end()
    raise HoursError(f"unexpected text {text[pos : pos + 8]!r}")


# ---------------------------------------------------------------------------------------------
# Reading the text: statements

_RANGEISH = {_TIME, _NUMBER, _RSEP, _MER, _SUFMER, _ALLDAY}
_DAYISH = {_DAY, _DAYS, _HOLIDAY, _RSEP}


def _days_last(group: list[_Tok]) -> list[_Tok]:
    """Put days first in a statement that gives them after the times: 9:00-17:00（周一至周五）."""
    significant = [i for i, tok in enumerate(group) if tok.kind not in (_LSEP, _NOISE)]
    kinds = [group[i].kind for i in significant]
    for k in range(1, len(kinds)):
        if kinds[k] in _DAY_KINDS and kinds[k - 1] != _RSEP:
            if all(kind in _RANGEISH for kind in kinds[:k]) and all(
                kind in _DAYISH for kind in kinds[k:]
            ):
                cut = significant[k]
                return group[cut:] + group[:cut]
            break
    return group


def _apply_meridiem(hour: int, mode: str | None) -> int:
    """The 24-hour hour of ``hour`` said with a part of the day (上午, 下午, pm ...)."""
    if mode is None or hour > 12:
        return hour
    if mode == "am":
        return 0 if hour == 12 else hour
    if mode == "pm":
        return hour + 12 if hour < 12 else hour
    if mode == "noon":
        return hour + 12 if 1 <= hour <= 5 else hour
    # evening: 晚上8点 is 20:00, 晚上12点 is midnight, 晚上1点 stays 01:00
    if hour == 12:
        return 0
    return hour + 12 if hour >= 5 else hour


@dataclass(frozen=True)
class _Time:
    """A clock time as written, before 上午/下午/am/pm are applied."""

    hour: int
    minute: int
    mode: str | None  # part of the day said before (上午) or after (pm) the time


class _Parser:
    """Walks the tokens and collects which days have which ranges."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.i = 0
        self.explicit: dict[int, list[Range]] = {}  # days given their own times (or closed)
        self.default: list[Range] = []  # times given with no days: every other day
        self.has_default = False
        self.breaks: list[tuple[frozenset[int] | None, Range]] = []
        self.timeless: set[int] = set()  # days named without times and not closed
        self.pending_days: frozenset[int] | None = None
        self.holiday_only = False  # the pending days were named only as 节假日
        self.pending: list[Range] = []
        self.pending_allday = False
        self.pending_breaks: list[Range] = []
        self.after_range = False
        self.break_next = False
        self.closed_next = False

    # helpers

    def peek(self, offset: int = 0) -> _Tok | None:
        """The token ``offset`` places ahead, if any."""
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def skip_noise(self) -> None:
        """Step over filler such as 次日 in 22:00至次日06:00."""
        while (tok := self.peek()) is not None and tok.kind == _NOISE:
            self.i += 1

    def peek_significant(self, *, next_statement: bool = False) -> _Tok | None:
        """The next token that is not filler, "open" or a list separator.

        A statement separator is returned as such unless ``next_statement`` asks to look past.
        """
        skipped = (_NOISE, _LSEP, _OPEN, _GSEP) if next_statement else (_NOISE, _LSEP, _OPEN)
        for tok in self.tokens[self.i :]:
            if tok.kind not in skipped:
                return tok
        return None

    def close(self, days: Iterable[int]) -> None:
        """Mark days closed (later times for them reopen them)."""
        for day in days:
            self.explicit[day] = []
            self.timeless.discard(day)

    def flush(self) -> None:
        """End a statement: give the pending ranges to the pending days (or to every day)."""
        if self.pending:
            if self.pending_days is None:
                self.default.extend(self.pending)
                self.has_default = True
            else:
                for day in self.pending_days:
                    self.explicit.setdefault(day, []).extend(self.pending)
        elif self.pending_days is not None and not self.holiday_only:
            self.timeless |= self.pending_days
        for piece in self.pending_breaks:
            self.breaks.append((self.pending_days, piece))
        self.pending_days = None
        self.pending = []
        self.pending_breaks = []
        self.pending_allday = False
        self.after_range = False
        self.break_next = False

    # grammar

    def run(self) -> OpeningHours:
        """Parse every token and build the week."""
        while (tok := self.peek()) is not None:
            kind = tok.kind
            if kind in _DAY_KINDS:
                self.read_days()
            elif kind in (_TIME, _NUMBER, _MER):
                self.read_range()
            elif kind == _ALLDAY:
                self.i += 1
                self.pending.append((0, DAY_MINUTES))
                self.pending_allday = True
                self.after_range = True
            elif kind == _GSEP:
                self.i += 1
                following = self.peek_significant(next_statement=True)
                more_times = following is not None and following.kind in (_TIME, _NUMBER, _MER)
                if not (more_times and self.pending_days is not None and self.pending):
                    # "周一至周五 08:30-12:00；13:00-17:30" goes on with the same days
                    self.flush()
                self.closed_next = False
            elif kind == _CLOSED:
                self.i += 1
                self.read_closed()
            elif kind == _BREAK:
                self.i += 1
                self.skip_noise()
                following = self.peek()
                prefix = following is not None and following.kind in (_TIME, _NUMBER, _MER)
                if not prefix and self.after_range and self.pending and not self.pending_allday:
                    self.pending_breaks.append(self.pending.pop())
                else:
                    self.break_next = True
            elif kind == _RSEP:
                raise HoursError("a range separator with nothing before it")
            elif kind == _SUFMER:
                raise HoursError("am/pm without a time")
            else:  # separators, filler, "open"
                self.i += 1
        self.flush()
        return self.build()

    def read_days(self) -> None:
        """Read a list of days and day ranges: 周一至周五, 周六、周日, 工作日, Mon-Fri."""
        if self.pending or self.pending_breaks:
            self.flush()
        days: set[int] = set()
        holiday_only = True
        while (tok := self.peek()) is not None:
            if tok.kind == _DAY:
                after, last = self.peek(1), self.peek(2)
                if after and after.kind == _RSEP and last and last.kind == _DAY:
                    first, final = tok.value, last.value
                    span = (final - first) % 7
                    days.update((first + k) % 7 for k in range(span + 1))
                    holiday_only = False
                    self.i += 3
                else:
                    days.add(tok.value)
                    holiday_only = False
                    self.i += 1
            elif tok.kind in (_DAYS, _HOLIDAY):
                days |= tok.value
                holiday_only = holiday_only and tok.kind == _HOLIDAY
                self.i += 1
            else:
                break
            following = self.peek()
            if following and following.kind in (_LSEP, _NOISE):
                after = self.peek(1)
                if after and after.kind in _DAY_KINDS:
                    self.i += 1
        if self.closed_next:
            if not holiday_only:
                self.close(days)
            self.closed_next = False
            return
        self.holiday_only = holiday_only and (self.pending_days is None or self.holiday_only)
        self.pending_days = (self.pending_days or frozenset()) | days
        self.after_range = False

    def read_time(self) -> _Time:
        """Read one time, with an optional part of the day before it or am/pm after it."""
        mode = None
        self.skip_noise()
        tok = self.peek()
        if tok is not None and tok.kind == _MER:
            mode = tok.value
            self.i += 1
            tok = self.peek()
        if tok is None or tok.kind not in (_TIME, _NUMBER):
            raise HoursError("expected a time")
        self.i += 1
        if tok.kind == _TIME:
            hour, minute = tok.value
        else:
            hour, minute = tok.value, 0
        suffix = self.peek()
        if suffix is not None and suffix.kind == _SUFMER:
            mode = suffix.value
            self.i += 1
        if not (0 <= hour <= 24 and 0 <= minute <= 59) or (hour == 24 and minute):
            raise HoursError(f"no such time {hour}:{minute:02d}")
        return _Time(hour, minute, mode)

    def read_range(self) -> None:
        """Read a time range (8:00-20:00, 下午2点到5点半, 9am-5pm) and keep it pending."""
        first = self.read_time()
        self.skip_noise()
        sep = self.peek()
        if sep is None or sep.kind != _RSEP:
            raise HoursError("a time without the other end of its range")
        self.i += 1
        second = self.read_time()
        start = _apply_meridiem(first.hour, first.mode) * 60 + first.minute
        if second.mode is not None or first.mode is None:
            end = _apply_meridiem(second.hour, second.mode) * 60 + second.minute
        else:  # 下午2:00-5:30 — the end shares the start's part of the day if that makes sense
            shared = _apply_meridiem(second.hour, first.mode) * 60 + second.minute
            end = shared if shared > start else second.hour * 60 + second.minute
        if start >= DAY_MINUTES:
            raise HoursError("a range cannot start at 24:00")
        if end == start:
            if start != 0:
                raise HoursError("a range that ends when it starts")
            end = DAY_MINUTES  # 00:00-00:00 is said for "all day"
        elif end < start:
            end += DAY_MINUTES  # runs past midnight
        piece = (start, end)
        if self.break_next:
            self.pending_breaks.append(piece)
            self.break_next = False
        else:
            self.pending.append(piece)
            self.pending_allday = self.pending_allday or piece == (0, DAY_MINUTES)
        self.after_range = True

    def read_closed(self) -> None:
        """休息 / 闭馆 / closed: close the days just named, the days named next, or a break."""
        if self.pending_days is not None and not self.pending:
            if not self.holiday_only:
                self.close(self.pending_days)
            self.pending_days = None
            return
        following = self.peek_significant()
        if following is not None and following.kind in _DAY_KINDS:
            self.closed_next = True
            return
        if self.after_range and self.pending:
            if self.pending[-1] == (0, DAY_MINUTES):  # 周一全天休息
                if self.pending_days is None:
                    raise HoursError("closed all day, every day")
                self.pending.pop()
                if not self.holiday_only:
                    self.close(self.pending_days)
                if not self.pending:
                    self.pending_days = None
                return
            self.pending_breaks.append(self.pending.pop())  # 12:00-13:00休息
            return
        raise HoursError("'closed' without the days it applies to")

    def build(self) -> OpeningHours:
        """The week from what was read."""
        if not self.default and not any(self.explicit.values()):
            raise HoursError("no opening times")
        uncovered = {d for d in self.timeless if d not in self.explicit and not self.has_default}
        if uncovered:
            raise HoursError("some days are named without times")
        week: list[list[Range]] = []
        for day in range(7):
            ranges = list(self.explicit.get(day, self.default))
            for days, piece in self.breaks:
                if days is None or day in days:
                    ranges = _subtract(ranges, piece)
            week.append(_merge(ranges))
        if not any(week):
            raise HoursError("closed every day")
        return OpeningHours(week=tuple(tuple(day) for day in week))


def _subtract(ranges: list[Range], piece: Range) -> list[Range]:
    """Ranges with ``piece`` (and the same time on the next day) taken out."""
    result = ranges
    for shift in (0, DAY_MINUTES):
        cut_start, cut_end = piece[0] + shift, piece[1] + shift
        kept: list[Range] = []
        for start, end in result:
            if cut_end <= start or end <= cut_start:
                kept.append((start, end))
                continue
            if start < cut_start:
                kept.append((start, cut_start))
            if cut_end < end:
                kept.append((cut_end, end))
        result = kept
    return result


def _normalise(text: str) -> str:
    """Full-width forms to ASCII (０８：００ -> 08:00), lower case, no outer blanks."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def parse_hours_strict(text: str) -> OpeningHours:
    """Parse opening-hours text, raising :class:`HoursError` (with a short reason) on failure.

    Only usable hours are returned: text that names days but no times ("工作日开放") is an
    error here, as is empty text.
    """
    normalised = _normalise(text)
    if not normalised:
        raise HoursError("no opening hours given")
    tokens = _tokenize(normalised)
    groups: list[list[_Tok]] = [[]]
    for tok in tokens:
        if tok.kind == _GSEP:
            groups.append([])
        else:
            groups[-1].append(tok)
    ordered: list[_Tok] = []
    for group in groups:
        ordered.extend(_days_last(group))
        ordered.append(_Tok(_GSEP))
    hours = _Parser(ordered).run()
    return OpeningHours(week=hours.week, known=True, text=text.strip())


def parse_hours(text: str) -> OpeningHours:
    """Parse opening-hours text; anything not understood gives unknown hours keeping the text.

    Never raises, so an importer can store whatever a file says. Forms understood include
    ``08:00-20:00``, ``24小时``, ``全天开放``, ``周一至周五 08:30-12:00,13:00-17:30``,
    ``周一至周五 08:00-18:00；周六、周日 09:00-17:00``, ``工作日``, ``周末``, ``周一休息``,
    ``22:00-06:00`` (past midnight), ``8点-20点``, ``下午2点到5点半`` and ``Mon-Fri 9am-5pm``.
    """
    try:
        return parse_hours_strict(text)
    except HoursError:
        return OpeningHours.unknown(text)


# ---------------------------------------------------------------------------------------------
# Open now?


@dataclass(frozen=True)
class HoursStatus:
    """Whether a station is open at a moment, and when that changes.

    ``closes_at`` is set while open (None when it never closes); ``opens_at`` is set while
    closed (the next opening, at most a week ahead). Both are aware, in the station's zone.
    With unknown hours, ``known`` and ``open_now`` are False and both times are None.
    """

    known: bool
    open_now: bool
    closes_at: datetime | None
    opens_at: datetime | None


_UNKNOWN_STATUS = HoursStatus(known=False, open_now=False, closes_at=None, opens_at=None)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo:
    """The time zone called ``name`` (cached)."""
    return ZoneInfo(name)


def _wall_time(monday: datetime, minutes: int, zone: tzinfo) -> datetime:
    """The aware moment ``minutes`` of wall-clock time after a naive Monday midnight."""
    naive = monday + timedelta(minutes=minutes)
    # The round trip through UTC settles wall times skipped by a daylight-saving change.
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def status_at(hours: OpeningHours, when: datetime, tz: str = DEFAULT_TIMEZONE) -> HoursStatus:
    """Whether ``hours`` are open at ``when`` (aware, any zone), judged in the zone ``tz``.

    A station is open from the first minute of a range up to, not including, its last minute.
    Ranges that meet across midnight (or across Sunday night) count as one opening.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("status_at needs a timezone-aware datetime")
    if not hours.known:
        return _UNKNOWN_STATUS
    timeline = hours._timeline
    if not timeline:
        return HoursStatus(known=True, open_now=False, closes_at=None, opens_at=None)
    zone = _zone(tz)
    local = when.astimezone(zone)
    weekday = local.weekday()
    minute = weekday * DAY_MINUTES + local.hour * 60 + local.minute
    monday = datetime(local.year, local.month, local.day) - timedelta(days=weekday)
    index = bisect_right(hours._starts, minute) - 1
    if index >= 0 and minute < timeline[index][1]:
        if timeline == ((0, _WEEK_MINUTES),):
            return HoursStatus(known=True, open_now=True, closes_at=None, opens_at=None)
        end = timeline[index][1]
        if end == _WEEK_MINUTES and timeline[0][0] == 0:
            end += timeline[0][1]  # open over Sunday midnight into Monday
        return HoursStatus(
            known=True, open_now=True, closes_at=_wall_time(monday, end, zone), opens_at=None
        )
    # The next range this week, or the first one next week.
    following = index + 1
    start = timeline[following][0] if following < len(timeline) else _WEEK_MINUTES + timeline[0][0]
    return HoursStatus(
        known=True, open_now=False, closes_at=None, opens_at=_wall_time(monday, start, zone)
    )
