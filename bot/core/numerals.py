"""Numbers as people write them in Chinese and English: 两千五, 2千5, 一万二, 3k, twelve.

The Chinese numerals themselves are read by cn2an (``smart`` mode takes mixed forms such as
``2千5`` and ``两千5``); this module finds them inside a sentence and rewrites them as digits, so
the date, time and money parsers only ever see Arabic figures.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

#: Characters of a written number: digits, Chinese numerals and their units, a decimal point.
_RUN = re.compile(r"[0-9零〇一二两三四五六七八九十百千万.]+")
#: A run is rewritten only if it holds a Chinese digit, or is the colloquial "2千5" / "1万2".
_CHINESE_DIGIT = re.compile(r"[零〇一二两三四五六七八九十百]")
_TAIL = re.compile(r"\d[千万]\d")
#: English number words up to twelve (enough for "three months ago", "a year ago").
ENGLISH = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def fold(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), lower case, spaces tidied."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def number(run: str) -> float | None:
    """One written number ("两千五", "2千5", "十二", "2025") as a value; None if it is not one."""
    if not run or run.count(".") > 1 or run.startswith(".") or run.endswith("."):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import cn2an  # on first use: a replica starting up does not wait for it

            value = cn2an.cn2an(run, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return float(value) if isinstance(value, int | float) else None


def _digits(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def arabic(text: str) -> str:
    """``text`` with its Chinese numbers written in digits: "去年十二月" → "去年12月",
    "一天两百" → "1天200", "2千5" → "2500". Figures such as "8.5千" are left to the caller
    (the scale may belong to a range: "7.5-8.5千")."""

    def rewrite(found: re.Match[str]) -> str:
        run = found.group(0)
        if not (_CHINESE_DIGIT.search(run) or _TAIL.search(run)):
            return run
        value = number(run)
        return run if value is None else _digits(value)

    return _RUN.sub(rewrite, text)
