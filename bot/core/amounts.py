"""Amounts of money as people say them, with the period when they say one; pure functions.

"两千五", "2千5", "3k", "4500块", "4,500", "￥4500", "一天两百", "一个月两千五", "5000元/月",
"25 an hour". Chinese numerals are read by :mod:`bot.core.numerals`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.core.numerals import arabic, fold

Period = Literal["hour", "day", "month", "year"]
#: Longest text read as an amount.
MAX_LENGTH = 40
#: Why a text was not taken as an amount.
REASONS = ("empty", "too_long", "format", "range")

#: Ways to say "per ...", longest first within each period. The bare "月", "天", "时", "年"
#: count only next to the figure ("5000/月", "200元一天"), see :data:`_PERIOD`.
_PERIOD_WORDS: dict[Period, tuple[str, ...]] = {
    "hour": (
        "每个小时",
        "一个小时",
        "每小时",
        "一小时",
        "1小时",
        "1个小时",
        "时薪",
        "小时",
        "per hour",
        "an hour",
        "a hour",
        "hourly",
        "/hour",
        "/hr",
        "/h",
        "/时",
    ),
    "day": (
        "每天",
        "一天",
        "1天",
        "每日",
        "一日",
        "日薪",
        "日结",
        "per day",
        "a day",
        "daily",
        "/day",
        "/天",
        "/日",
        "天",
    ),
    "month": (
        "每个月",
        "一个月",
        "1个月",
        "每月",
        "月薪",
        "月工资",
        "per month",
        "a month",
        "monthly",
        "/month",
        "/mo",
        "/月",
        "个月",
        "月",
    ),
    "year": (
        "每年",
        "一年",
        "1年",
        "年薪",
        "per year",
        "a year",
        "yearly",
        "annual",
        "/year",
        "/yr",
        "/年",
        "年",
    ),
}
_WORDS = sorted(
    ((word, period) for period, words in _PERIOD_WORDS.items() for word in words),
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_PERIOD = re.compile("|".join(re.escape(word) for word, _ in _WORDS))
_PERIOD_OF = dict(_WORDS)
#: Currency marks and words, dropped before the figure is read.
_CURRENCY = re.compile(r"人民币|块钱|块|元|¥|rmb|cny|yuan|工资|薪水|工钱|左右|大概|差不多|约")
_FIGURE = re.compile(r"^(\d+(?:\.\d+)?)(k|w|千|万)?$")
_SCALE = {"k": 1_000, "千": 1_000, "w": 10_000, "万": 10_000}
#: A comma between digit groups ("4,500"), not a comma that ends a phrase.
_GROUPS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


class AmountError(ValueError):
    """A text that is not a usable amount; ``reason`` is one of REASONS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Money:
    """An amount in yuan, and the period it is for when one was said."""

    amount: float
    period: Period | None = None


#: "一个月", "每天", "一小时": a period said as a phrase, never mistaken for anything else.
_SPOKEN = re.compile(r"(?:每|一|1)(?:个)?(小时|天|日|月|年)")
_MARKS = {"小时": "/小时", "天": "/天", "日": "/天", "月": "/月", "年": "/年"}


def spoken_periods(text: str) -> str:
    """``text`` with a period said as a phrase written as "/月", "/天", "/小时" or "/年" and
    Chinese numbers in digits: "一个月两千五" → "/月2500", "一天两百" → "/天200". A bare "月"
    or "年" is left as it is ("2年经验" is not pay per year)."""
    marked = _SPOKEN.sub(lambda found: _MARKS[found.group(1)], text)
    return arabic(_GROUPS.sub("", marked))


def parse_money(text: str, *, maximum: float = 100_000_000) -> Money:
    """Read one amount of money in yuan, with its period if one is said.

    Raises AmountError: "empty", "too_long" (over MAX_LENGTH characters), "format" (no single
    figure, or two periods) or "range" (zero, or over ``maximum``).
    """
    if not text or not text.strip():
        raise AmountError("empty")
    if len(text.strip()) > MAX_LENGTH:
        raise AmountError("too_long")
    value = _GROUPS.sub("", fold(text))
    periods = {_PERIOD_OF[found] for found in _PERIOD.findall(value)}
    if len(periods) > 1:
        raise AmountError("format")
    value = _PERIOD.sub(" ", value)
    value = _CURRENCY.sub(" ", value)
    value = arabic("".join(value.replace("/", " ").split()))
    found = _FIGURE.match(value.rstrip("。.!"))
    if found is None:
        raise AmountError("format")
    amount = float(found[1]) * _SCALE.get(found[2] or "", 1)
    if not 0 < amount <= maximum:
        raise AmountError("range")
    return Money(amount, next(iter(periods)) if periods else None)
