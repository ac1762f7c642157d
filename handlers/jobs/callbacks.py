"""Jobs: the callback data of the service's buttons, built here and nowhere else.

``ENCODE`` maps each button action the service names (see :class:`bot.core.notify.Button`) to
the function that writes its callback data (64 bytes at most). The handlers' own keyboards
call the same functions, so each wire form is written once.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.notify import Outgoing
from bot.jobs.alerts import ALERTS_MENU, ALERTS_OFF, SEARCH_POSTINGS
from bot.jobs.text import OPEN_POSTING
from handlers.notifier import Encoder


def open_posting(posting_id: int) -> str:
    """Open one posting's card (``jc:<posting>``)."""
    return f"jc:{posting_id}"


def search() -> str:
    """Start the job search: every published posting, newest first (``js:go``)."""
    return "js:go"


def alerts_off() -> str:
    """Turn the worker's job alerts off (``ja:off``)."""
    return "ja:off"


def alerts_menu() -> str:
    """Show the worker's job-seeker registration (``ja:menu``)."""
    return "ja:menu"


ENCODE: dict[str, Encoder] = {
    OPEN_POSTING: open_posting,
    SEARCH_POSTINGS: search,
    ALERTS_OFF: alerts_off,
    ALERTS_MENU: alerts_menu,
}


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a jobs message, for a handler that sends it itself."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    button.label, callback_data=ENCODE[button.action](*button.args)
                )
                for button in row
            ]
            for row in message.buttons
        ]
    )
