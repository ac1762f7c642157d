"""Legal time limits and the amount parser of the intake: pure functions.

The two one-year windows a worker must not miss:

- labour arbitration: one year from the day the worker knew or should have known of the
  infringement (Labour Dispute Mediation and Arbitration Law, Art. 27 para. 1); for pay owed
  during an employment that still lasts the limit does not run, and once it ends the claim must
  be brought within one year of the end (Art. 27 para. 4);
- work-injury recognition: the worker or their family may apply within one year of the accident
  or the diagnosis of the occupational disease (Regulations on Work-Related Injury Insurance,
  Art. 17 para. 2).

The dates a worker gives are often rough ("2024年3月", "去年", "春节后"; read by bot/core/when.py
with their precision). A deadline is counted from the earliest day a rough date may be, which
makes it earlier, never later: the warning errs on the side of the worker, and says "about".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from bot.core.amounts import AmountError, parse_money

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
    """The last day to act under ``rule``; ``approximate`` when it comes from a date known only
    to the month or year (``due`` is then the earliest it may be)."""

    rule: Rule
    due: date
    approximate: bool = False

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
    rough_end: bool = False,
    rough_incident: bool = False,
) -> Deadline | None:
    """The time limit that applies to what the worker said, if the dates allow one.

    The dates are the earliest each may be; ``rough_end`` and ``rough_incident`` say that one
    is known only to the month or year, which makes the deadline approximate.
    """
    if category == "injury":
        if incident_on is None:
            return None
        return Deadline(Rule.injury, one_year_after(incident_on), rough_incident)
    if category in PAY_CATEGORIES:
        if still_working or work_end is None:
            return None  # the limit does not run while the employment lasts
        return Deadline(Rule.arbitration_wages, one_year_after(work_end), rough_end)
    if incident_on is not None:
        return Deadline(Rule.arbitration, one_year_after(incident_on), rough_incident)
    if still_working or work_end is None:
        return None
    return Deadline(Rule.arbitration, one_year_after(work_end), rough_end)


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


def parse_amount(text: str) -> int | None:
    """Read an amount owed in yuan (8000, 8,000元, ¥8000, 2万, 1.5万, 3千, 两万, 两千五, 3k);
    None if it is not one. A figure said per month or per day is not a total: refused too."""
    try:
        money = parse_money(text, maximum=MAX_AMOUNT)
    except AmountError:
        return None
    return round(money.amount) if money.period is None else None
