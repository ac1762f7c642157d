"""What every part of the legal service shares: categories, flows, case numbers, the summary."""

from __future__ import annotations

import re
from datetime import date

from bot.core.when import When, when_text
from bot.i18n import t
from bot.legal.models import CaseOutcome, CaseStatus, LegalCase
from bot.legal.rules import Deadline, Rule

SERVICE = "legal"
#: Problem categories a worker picks from when opening a case, in menu order.
CATEGORIES = (
    "wages",
    "overtime",
    "contract",
    "dismissal",
    "injury",
    "insurance",
    "resign",
    "women",
    "dispatch",
    "platform",
    "other",
)
OUTCOMES = tuple(outcome.value for outcome in CaseOutcome)
#: The version of the consent text the worker agrees to (stored with the case).
CONSENT_VERSION = "2026-11"

#: Flows (bot.core.users.set_flow names).
INTAKE_FLOW = "legal_intake"  # the worker's guided intake
REPLY_FLOW = "legal_reply"  # the worker answering a volunteer, or adding to an open case
ASK_FLOW = "legal_ask"  # a volunteer writing to the worker from a private chat
DRAFT_FLOW = "legal_draft"  # a volunteer drafting a knowledge entry

_REF = re.compile(r"^(?:#|l|no\.?|案件)?\s*0*(\d{1,9})$", re.IGNORECASE)

STATUSES = tuple(status.value for status in CaseStatus)
RULES = tuple(rule.value for rule in Rule)


def case_label(case_id: int) -> str:
    """The case number workers and volunteers see, e.g. L0012."""
    return f"L{case_id:04d}"


def parse_case_ref(text: str) -> int | None:
    """Read a case number as typed: 12, #12, L0012, l12, 案件12."""
    found = _REF.match(text.strip())
    return int(found.group(1)) if found else None


def category_name(lang: str, category: str) -> str:
    """A category's name in ``lang`` (unknown codes read as 'other')."""
    legal_category = category if category in CATEGORIES else "other"
    return t(lang, f"legal-cat-{legal_category}")


def outcome_name(lang: str, outcome: str) -> str:
    """An outcome's name in ``lang``."""
    legal_outcome = outcome
    return t(lang, f"legal-outcome-{legal_outcome}") if legal_outcome in OUTCOMES else outcome


def status_name(lang: str, status: str) -> str:
    """A case status in ``lang``."""
    legal_status = status
    return t(lang, f"legal-status-{legal_status}") if legal_status in STATUSES else status


def deadline_text(lang: str, deadline: Deadline, today: date) -> str:
    """The warning for a deadline that is close or may have passed ('' when it is not)."""
    state = deadline.state(today)
    legal_rule = deadline.rule.value
    if state == "ok":
        return ""
    if deadline.approximate:  # from a rough date: counted from the earliest day it may be
        key = "legal-deadline-passed-about" if state == "passed" else "legal-deadline-near-about"
    else:
        key = "legal-deadline-passed" if state == "passed" else "legal-deadline-near"
    return t(
        lang,
        key,
        due=deadline.due.isoformat(),
        days=(deadline.due - today).days,
        rule=t(lang, f"legal-rule-{legal_rule}"),
    )


def case_deadline(case: LegalCase) -> Deadline | None:
    """The deadline stored with a case."""
    if case.deadline is None or case.deadline_rule not in RULES:
        return None
    return Deadline(Rule(case.deadline_rule), case.deadline, case.deadline_approximate)


def case_date(lang: str, value: date | None, precision: str) -> str:
    """A date of a case to the precision the worker gave it ("2025年3月", not 2025-03-01)."""
    found = When.stored(value, precision)
    return when_text(lang, found) if found is not None else "?"


def case_summary(lang: str, case: LegalCase, *, evidence: int, today: date) -> str:
    """Everything the worker told the intake, as one message (worker's check and volunteers).

    A name or phone number appears only when the worker chose to share it: the intake stores
    them only then.
    """
    lines = []
    if case.id is not None:
        lines.append(t(lang, "legal-sum-number", number=case_label(case.id)))
    if case.urgent:
        lines.append(t(lang, "legal-sum-urgent"))
    lines.append(t(lang, "legal-sum-category", category=category_name(lang, case.category)))
    if case.employer:
        lines.append(t(lang, "legal-sum-employer", employer=case.employer))
    if case.place:
        lines.append(t(lang, "legal-sum-place", place=case.place))
    if case.work_start or case.work_end or case.still_working:
        start = case_date(lang, case.work_start, case.work_start_precision)
        if case.still_working:
            end = t(lang, "legal-sum-still-working")
        else:
            end = case_date(lang, case.work_end, case.work_end_precision)
        lines.append(t(lang, "legal-sum-dates", start=start, end=end))
    if case.incident_on:
        day = case_date(lang, case.incident_on, case.incident_precision)
        lines.append(t(lang, "legal-sum-incident", day=day))
    if case.amount:
        lines.append(t(lang, "legal-sum-amount", amount=f"{case.amount:,}"))
    if case.description:
        lines.append(t(lang, "legal-sum-description", text=case.description))
    lines.append(t(lang, "legal-sum-evidence", count=evidence))
    if case.contact == "phone" and case.phone:
        lines.append(t(lang, "legal-sum-contact-phone", phone=case.phone))
    else:
        lines.append(t(lang, "legal-sum-contact-bot"))
    if case.show_name and case.display_name:
        lines.append(t(lang, "legal-sum-name", name=case.display_name))
    else:
        lines.append(t(lang, "legal-sum-name-hidden"))
    deadline = case_deadline(case)
    if deadline is not None and (warning := deadline_text(lang, deadline, today)):
        lines.append(warning)
    return "\n".join(lines)
