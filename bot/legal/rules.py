"""Legal time limits and the small parsers of the intake (dates, amounts): pure functions.

The two one-year windows a worker must not miss:

- labour arbitration: one year from the day the worker knew or should have known of the
  infringement (Labour Dispute Mediation and Arbitration Law, Art. 27 para. 1); for pay owed
  during an employment that still lasts the limit does not run, and once it ends the claim must
  be brought within one year of the end (Art. 27 para. 4);
- work-injury recognition: the worker or their family may apply within one year of the accident
  or the diagnosis of the occupational disease (Regulations on Work-Related Injury Insurance,
  Art. 17 para. 2).

The dates a worker gives are often rough ("2024年3月"); a month without a day is read as its first
day, which makes a deadline earlier, never later: the warning errs on the side of the worker.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

#: A deadline this close (in days, inclusive) makes a case urgent.
NEAR_DAYS = 60
#: The largest amount (yuan) the intake accepts as owed.
MAX_AMOUNT = 100_000_000
#: Categories whose claims are for labour remuneration (pay owed), with the in-employment rule.
PAY_CATEGORIES = frozenset({"wages", "overtime"})


class Rule(StrEnum):
    """Which time limit a deadline comes from (catalog key ``legal-rule-<value>``)."""

    arbitration = "arbitration"
    arbitration_wages = "arbitration_wages"
    injury = "injury"


DeadlineState = Literal["ok", "near", "passed"]


@dataclass(frozen=True)
class Deadline:
    """The last day to act under ``rule``."""

    rule: Rule
    due: date

    def state(self, today: date) -> DeadlineState:
        """Whether the deadline is comfortably ahead, close, or may have passed."""
        return deadline_state(self.due, today)


def one_year_after(day: date) -> date:
    """The same calendar day a year later (29 February gives 28 February: the earlier day)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def deadline_for(
    *,
    category: str,
    work_end: date | None,
    still_working: bool,
    incident_on: date | None,
) -> Deadline | None:
    """The time limit that applies to what the worker said, if the dates allow one."""
    if category == "injury":
        if incident_on is None:
            return None
        return Deadline(Rule.injury, one_year_after(incident_on))
    if category in PAY_CATEGORIES:
        if still_working or work_end is None:
            return None  # the limit does not run while the employment lasts
        return Deadline(Rule.arbitration_wages, one_year_after(work_end))
    start = incident_on or (None if still_working else work_end)
    if start is None:
        return None
    return Deadline(Rule.arbitration, one_year_after(start))


def deadline_state(due: date, today: date) -> DeadlineState:
    """``passed`` after the due day, ``near`` within NEAR_DAYS of it (the day itself too)."""
    if today > due:
        return "passed"
    if (due - today).days <= NEAR_DAYS:
        return "near"
    return "ok"


def is_urgent(deadline: Deadline | None, today: date) -> bool:
    """True when the case has a deadline that is close or may have passed."""
    return deadline is not None and deadline.state(today) != "ok"


_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*[日号]?|月)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")
_RELATIVE = {"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}


def parse_date(text: str, *, today: date) -> date | None:
    """Read a date the way workers write it; None if it is not a date or lies in the future.

    Accepts 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 2024年3月, 2024-03 (first of the month),
    3月5日 (this year, or last year if that is still ahead), 今天/昨天/前天/today/yesterday.
    """
    value = unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.")
    if value in _RELATIVE:
        return today - timedelta(days=_RELATIVE[value])
    try:
        if found := _FULL.match(value):
            year, month = int(found.group(1)), int(found.group(2))
            day = int(found.group(3)) if found.group(3) else 1
            parsed = date(year, month, day)
        elif found := _MONTH_DAY.match(value):
            parsed = date(today.year, int(found.group(1)), int(found.group(2)))
            if parsed > today:
                parsed = parsed.replace(year=today.year - 1)
        else:
            return None
    except ValueError:
        return None
    if parsed > today or parsed.year < 1950:
        return None
    return parsed


_AMOUNT = re.compile(r"^(?:¥|￥|rmb)?\s*(\d+(?:\.\d+)?)\s*(万|千|k|w)?\s*(?:元|块|rmb|yuan)?$")
_MULTIPLIER = {"万": 10_000, "w": 10_000, "千": 1_000, "k": 1_000}


def parse_amount(text: str) -> int | None:
    """Read an amount of money in yuan (8000, 8,000元, ¥8000, 2万, 1.5万, 3千); None if not one."""
    value = unicodedata.normalize("NFKC", text).strip().lower().replace(",", "").replace(" ", "")
    found = _AMOUNT.match(value)
    if found is None:
        return None
    amount = float(found.group(1)) * _MULTIPLIER.get(found.group(2) or "", 1)
    if not 0 < amount <= MAX_AMOUNT:
        return None
    return round(amount)
