"""Legal time limits at their edges, rough dates on the case card, and the amount parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.i18n import t
from bot.legal.core import case_summary, deadline_text
from bot.legal.models import LegalCase
from bot.legal.rules import (
    MAX_AMOUNT,
    NEAR_DAYS,
    Deadline,
    Rule,
    deadline_for,
    deadline_state,
    is_urgent,
    one_year_after,
    parse_amount,
)

TODAY = date(2025, 6, 15)
DUE = date(2025, 9, 1)
NOW = datetime(2025, 6, 15, 4, 0, tzinfo=UTC)


# --- deadline_state and is_urgent -------------------------------------------------------------


def test_a_deadline_exactly_near_days_ahead_is_near() -> None:
    assert deadline_state(DUE, DUE - timedelta(days=NEAR_DAYS)) == "near"


def test_a_deadline_one_day_further_than_near_days_is_ok() -> None:
    assert deadline_state(DUE, DUE - timedelta(days=NEAR_DAYS + 1)) == "ok"


def test_the_due_day_itself_is_still_near() -> None:
    assert deadline_state(DUE, DUE) == "near"


def test_the_day_after_the_due_day_has_passed() -> None:
    assert deadline_state(DUE, DUE + timedelta(days=1)) == "passed"


def test_a_case_without_a_deadline_is_not_urgent() -> None:
    assert is_urgent(None, TODAY) is False


def test_a_comfortable_deadline_is_not_urgent() -> None:
    deadline = Deadline(Rule.arbitration, DUE)

    assert is_urgent(deadline, DUE - timedelta(days=NEAR_DAYS + 1)) is False


def test_a_near_deadline_is_urgent() -> None:
    deadline = Deadline(Rule.arbitration, DUE)

    assert is_urgent(deadline, DUE - timedelta(days=NEAR_DAYS)) is True


def test_a_passed_deadline_is_urgent() -> None:
    deadline = Deadline(Rule.injury, DUE)

    assert is_urgent(deadline, DUE + timedelta(days=1)) is True


# --- deadline_for -----------------------------------------------------------------------------


def test_one_year_after_29_february_is_28_february() -> None:
    assert one_year_after(date(2024, 2, 29)) == date(2025, 2, 28)


def test_an_injury_on_29_february_must_be_reported_by_28_february() -> None:
    deadline = deadline_for(
        category="injury", work_end=None, still_working=True, incident_on=date(2024, 2, 29)
    )

    assert deadline == Deadline(Rule.injury, date(2025, 2, 28))


def test_an_injury_runs_one_year_from_the_injury_date_even_while_still_working() -> None:
    deadline = deadline_for(
        category="injury", work_end=None, still_working=True, incident_on=date(2025, 3, 10)
    )

    assert deadline == Deadline(Rule.injury, date(2026, 3, 10))


def test_an_injury_without_a_date_has_no_deadline() -> None:
    assert (
        deadline_for(
            category="injury", work_end=date(2025, 1, 1), still_working=False, incident_on=None
        )
        is None
    )


def test_wages_owed_while_still_working_have_no_deadline() -> None:
    assert (
        deadline_for(category="wages", work_end=None, still_working=True, incident_on=None) is None
    )


def test_wages_owed_after_the_job_ended_run_one_year_from_the_end() -> None:
    deadline = deadline_for(
        category="wages", work_end=date(2025, 1, 20), still_working=False, incident_on=None
    )

    assert deadline == Deadline(Rule.arbitration_wages, date(2026, 1, 20))


def test_overtime_pay_follows_the_wage_rule() -> None:
    deadline = deadline_for(
        category="overtime", work_end=date(2025, 1, 20), still_working=False, incident_on=None
    )

    assert deadline is not None
    assert deadline.rule is Rule.arbitration_wages


def test_a_dismissal_runs_one_year_from_the_dismissal_date() -> None:
    deadline = deadline_for(
        category="dismissal",
        work_end=date(2025, 2, 1),
        still_working=False,
        incident_on=date(2025, 1, 15),
    )

    assert deadline == Deadline(Rule.arbitration, date(2026, 1, 15))


def test_a_dismissal_without_its_own_date_runs_from_the_end_of_work() -> None:
    deadline = deadline_for(
        category="dismissal", work_end=date(2025, 2, 1), still_working=False, incident_on=None
    )

    assert deadline == Deadline(Rule.arbitration, date(2026, 2, 1))


def test_a_contract_problem_while_still_working_without_a_date_has_no_deadline() -> None:
    assert (
        deadline_for(category="contract", work_end=None, still_working=True, incident_on=None)
        is None
    )


# --- rough dates: an approximate deadline from the earliest day -------------------------------


def test_a_rough_end_gives_an_approximate_deadline_a_year_after_its_first_day() -> None:
    deadline = deadline_for(
        category="wages",
        work_end=date(2025, 3, 1),
        still_working=False,
        incident_on=None,
        rough_end=True,
    )

    assert deadline == Deadline(Rule.arbitration_wages, date(2026, 3, 1), approximate=True)


def test_a_rough_end_does_not_make_an_exact_injury_date_approximate() -> None:
    deadline = deadline_for(
        category="injury",
        work_end=date(2025, 3, 1),
        still_working=False,
        incident_on=date(2025, 2, 10),
        rough_end=True,
    )

    assert deadline == Deadline(Rule.injury, date(2026, 2, 10), approximate=False)


def test_an_approximate_deadline_says_about_in_both_languages() -> None:
    deadline = Deadline(Rule.arbitration_wages, date(2025, 7, 1), approximate=True)

    zh = deadline_text("zh", deadline, TODAY)
    en = deadline_text("en", deadline, TODAY)

    assert "约 2025-07-01" in zh
    assert "about 2025-07-01" in en


def test_an_exact_deadline_does_not_say_about() -> None:
    deadline = Deadline(Rule.arbitration_wages, date(2025, 7, 1))

    assert "约" not in deadline_text("zh", deadline, TODAY)
    assert "about" not in deadline_text("en", deadline, TODAY)


def _case(**values: Any) -> LegalCase:
    return LegalCase(category="wages", description="", consent_at=NOW, **values)


@pytest.mark.parametrize(
    ("lang", "precision", "shown"),
    [
        ("zh", "month", "2025年3月"),
        ("en", "month", "March 2025"),
        ("zh", "year", "2025年"),
        ("en", "year", "2025"),
        ("zh", "day", "2025-03-01"),
    ],
)
def test_the_case_card_shows_each_date_to_its_precision(
    lang: str, precision: str, shown: str
) -> None:
    case = _case(
        work_start=date(2025, 3, 1),
        work_start_precision=precision,
        work_end=date(2025, 3, 1),
        work_end_precision=precision,
    )

    text = case_summary(lang, case, evidence=0, today=TODAY)

    assert t(lang, "legal-sum-dates", start=shown, end=shown) in text


def test_the_case_card_shows_a_month_incident_as_the_month() -> None:
    case = _case(incident_on=date(2025, 3, 1), incident_precision="month")

    text = case_summary("zh", case, evidence=0, today=TODAY)

    assert t("zh", "legal-sum-incident", day="2025年3月") in text
    assert "2025-03-01" not in text


def test_the_case_card_of_an_approximate_deadline_says_about() -> None:
    case = _case(
        work_end=date(2024, 7, 1),
        work_end_precision="month",
        deadline=date(2025, 7, 1),
        deadline_rule="arbitration_wages",
        deadline_approximate=True,
    )

    assert "约 2025-07-01" in case_summary("zh", case, evidence=0, today=TODAY)


# --- parse_amount -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8000", 8000),
        ("8,000元", 8000),
        ("¥8000", 8000),
        ("￥8000", 8000),
        ("8000 元", 8000),
        ("8000块", 8000),
        ("2万", 20_000),
        ("1.5万", 15_000),
        ("3千", 3000),
        ("8k", 8000),
        ("８０００", 8000),
        ("RMB 8000", 8000),
        (str(MAX_AMOUNT), MAX_AMOUNT),
        ("两万", 20_000),
        ("两千五", 2500),
        ("2千5", 2500),
        ("一万二", 12_000),
        ("4,500", 4500),
        ("3k", 3000),
        ("18k", 18_000),
    ],
)
def test_amounts_are_read_in_yuan(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "很多", "0", "-500", "8000美元", str(MAX_AMOUNT + 1), "1.2.3", "一个月五千", "一" * 50],
)
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    assert parse_amount(text) is None
