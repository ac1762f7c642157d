"""Legal help: the callback data of the service's buttons, built here and nowhere else.

``ENCODE`` maps each button action the service names (see :class:`bot.core.notify.Button`) to
the function that writes its callback data (64 bytes at most). The handlers that build the same
buttons themselves call these functions too; ``handlers.legal.cases`` and
``handlers.legal.staff`` parse what they write.
"""

from __future__ import annotations

from bot.legal.cases import (
    ASK_WORKER,
    CLAIM_CASE,
    CLOSE_CASE,
    LIST_CASES,
    RATE_CASE,
    RELEASE_CASE,
    REPLY_TO_CASE,
    SHOW_EVIDENCE,
    START_DRAFT,
    TOGGLE_NAME,
    VIEW_CASE,
)
from handlers.notifier import Encoder


def view_case(case_id: int) -> str:
    """A volunteer or staff member opens a case (``lc:v:<case>``)."""
    return f"lc:v:{case_id}"


def list_cases() -> str:
    """Back to the list of open cases (``lc:l``)."""
    return "lc:l"


def claim_case(case_id: int) -> str:
    """A volunteer takes an open case (``lc:k:<case>``)."""
    return f"lc:k:{case_id}"


def release_case(case_id: int) -> str:
    """The claimer (or staff) gives a case back (``lc:r:<case>``)."""
    return f"lc:r:{case_id}"


def ask_worker(case_id: int) -> str:
    """The claimer writes to the worker (``lc:q:<case>``)."""
    return f"lc:q:{case_id}"


def close_case(case_id: int) -> str:
    """The outcomes a case can be closed with (``lc:c:<case>``)."""
    return f"lc:c:{case_id}"


def close_with(case_id: int, index: int) -> str:
    """The closer chose outcome ``index`` of OUTCOMES; asks to confirm (``lc:o:<case>:<i>``)."""
    return f"lc:o:{case_id}:{index}"


def confirm_close(case_id: int, index: int) -> str:
    """Close the case with outcome ``index``, confirmed (``lc:y:<case>:<i>``)."""
    return f"lc:y:{case_id}:{index}"


def confirm_release(case_id: int) -> str:
    """Give the case back, confirmed (``lc:u:<case>``)."""
    return f"lc:u:{case_id}"


def keep_case(case_id: int) -> str:
    """Cancel a release or a close that was asked to be confirmed (``lc:x:<case>``)."""
    return f"lc:x:{case_id}"


def toggle_name(case_id: int) -> str:
    """The claimer shows or hides their first name to the worker (``lc:n:<case>``)."""
    return f"lc:n:{case_id}"


def show_evidence(case_id: int) -> str:
    """The case's files, sent to the viewer (``lc:e:<case>``)."""
    return f"lc:e:{case_id}"


def start_draft(case_id: int) -> str:
    """A knowledge-base draft from a case (``ld:n:<case>``)."""
    return f"ld:n:{case_id}"


def reply_to_case(case_id: int) -> str:
    """The worker answers a volunteer's message (``lw:r:<case>``)."""
    return f"lw:r:{case_id}"


def retract_reply(worker_row: int, post_row: int | None) -> str:
    """The worker takes back plain text that was taken as their answer but was not meant for
    the lawyer (``lw:u:<message row>:<copy row or 0>``)."""
    return f"lw:u:{worker_row}:{post_row or 0}"


def my_cases() -> str:
    """The worker's list of their cases (``lw:list``)."""
    return "lw:list"


def rate_case(case_id: int, rating: int) -> str:
    """The worker rates the help with a closed case (``lw:s:<case>:<rating>``)."""
    return f"lw:s:{case_id}:{rating}"


ENCODE: dict[str, Encoder] = {
    VIEW_CASE: view_case,
    LIST_CASES: list_cases,
    CLAIM_CASE: claim_case,
    RELEASE_CASE: release_case,
    ASK_WORKER: ask_worker,
    CLOSE_CASE: close_case,
    TOGGLE_NAME: toggle_name,
    SHOW_EVIDENCE: show_evidence,
    START_DRAFT: start_draft,
    REPLY_TO_CASE: reply_to_case,
    RATE_CASE: rate_case,
}
