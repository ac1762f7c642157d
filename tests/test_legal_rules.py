"""Legal time limits at their edges, and the intake's date and amount parsers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

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
    parse_date,
)

TODAY = date(2025, 6, 15)
DUE = date(2025, 9, 1)


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


# --- parse_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("2024年3月5号", date(2024, 3, 5)),
        ("2024年3月", date(2024, 3, 1)),
        ("2024-03", date(2024, 3, 1)),
        ("２０２４－０３－０５", date(2024, 3, 5)),
        (" 2024-03-05。", date(2024, 3, 5)),
        ("2024-02-29", date(2024, 2, 29)),
        ("3月5日", date(2025, 3, 5)),
        ("12月1日", date(2024, 12, 1)),
        ("今天", TODAY),
        ("昨天", TODAY - timedelta(days=1)),
        ("前天", TODAY - timedelta(days=2)),
        ("Today", TODAY),
        ("yesterday", TODAY - timedelta(days=1)),
    ],
)
def test_dates_are_read_the_way_workers_write_them(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "不记得了",
        "2023-02-29",
        "2024-13-01",
        "2024-04-31",
        "2025-06-16",
        "2030年1月",
        "1949-12-31",
        "32号",
        "明天",
    ],
)
def test_what_is_not_a_past_date_is_refused(text: str) -> None:
    assert parse_date(text, today=TODAY) is None


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
    ],
)
def test_amounts_are_read_in_yuan(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text", ["", "很多", "0", "-500", "两万", "8000美元", str(MAX_AMOUNT + 1), "1.2.3"]
)
def test_what_is_not_an_amount_is_refused(text: str) -> None:
    assert parse_amount(text) is None
