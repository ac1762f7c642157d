"""How a service tells someone something, without knowing Telegram.

A service builds an :class:`Outgoing` (text, optional buttons and attachment, where in a chat it
goes) and hands it to a :class:`Notifier`. Buttons name an *action* of the service
(``"jobs.open"`` with the posting id), never wire data: the Telegram side turns each action into
``callback_data`` in one place per service. A delivery that fails raises one of the
:class:`DeliveryError` kinds below, so a service can decide (retry, mark blocked, give up)
without catching Telegram's exceptions.

The one implementation lives on the Telegram side (``handlers.notifier.TelegramNotifier``);
tests may pass any object with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

#: Telegram's limits on one message's text and on one caption (characters).
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Cut ``text`` to what one message (or, with CAPTION_LIMIT, one caption) can hold."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Button:
    """A button under a message: its label and the service action it stands for."""

    label: str
    action: str
    args: tuple[int | str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A photo or document Telegram already holds, sent again by its file id."""

    kind: Literal["photo", "document"]
    file_id: str


@dataclass(frozen=True)
class Outgoing:
    """One message to send: text (or caption), buttons by rows, and where it goes."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    thread_id: int | None = None
    reply_to: int | None = None
    preview: bool = True


@dataclass(frozen=True)
class Sent:
    """What the chat now holds: the id of the message that was sent."""

    chat_id: int
    message_id: int


class DeliveryError(Exception):
    """The message was not delivered."""


class Blocked(DeliveryError):
    """The person blocked the bot or the chat is gone: do not try again."""


class Rejected(DeliveryError):
    """Telegram refused this message (bad request): sending it again will not help."""


class RetryLater(DeliveryError):
    """Telegram asked to wait ``seconds`` before sending anything more."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds


class Unconfirmed(DeliveryError):
    """The request timed out: the message may or may not have arrived."""


class Unreachable(DeliveryError):
    """A network failure before Telegram took the message: safe to try again later."""


class Notifier(Protocol):
    """Sends messages on behalf of services (implemented once, on the Telegram side)."""

    async def send(self, chat_id: int, message: Outgoing, *, bulk: bool = False) -> Sent:
        """Send ``message``; ``bulk`` sends take the slower bucket so replies keep their room.

        Raises a :class:`DeliveryError` when the message was not delivered.
        """
        ...

    async def tell(self, chat_id: int, message: Outgoing, *, bulk: bool = False) -> bool:
        """Send ``message``; False (logged) instead of an error when it was not delivered."""
        ...

    async def open_topic(self, chat_id: int, name: str) -> int | None:
        """Open a forum topic in a group; its thread id, or None if the group has no topics."""
        ...

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a forum topic (raises a :class:`DeliveryError` on failure)."""
        ...
