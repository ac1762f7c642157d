"""Text a person typed: tidied and checked for length the same way in every service.

:func:`checked_text` tidies an answer (Unicode form, spaces) and raises :class:`TextError` when
nothing is left of it, or when it is longer than ``limit`` or shorter than ``minimum``
characters. Each service turns the error into its own, so it keeps its own messages.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

#: Why a text was not accepted.
TEXT_ERRORS = ("empty", "too_long", "too_short")

#: How spaces are tidied: ``line`` makes one line with single spaces; ``lines`` keeps the line
#: breaks, tidies each line so and drops blank ones; ``ends`` only strips both ends.
Layout = Literal["line", "lines", "ends"]
#: The Unicode normal form applied first (NFKC also folds full-width letters and digits).
Form = Literal["NFC", "NFKC"]


class TextError(ValueError):
    """A text that cannot be used; ``reason`` is one of TEXT_ERRORS, ``limit`` the bound broken."""

    def __init__(self, reason: str, *, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def tidy_text(text: str, *, layout: Layout = "line", form: Form | None = "NFC") -> str:
    """``text`` in Unicode ``form`` (None: as typed) with its spaces tidied by ``layout``."""
    if form is not None:
        text = unicodedata.normalize(form, text)
    if layout == "line":
        return " ".join(text.split())
    if layout == "lines":
        lines = (" ".join(line.split()) for line in text.strip().splitlines())
        return "\n".join(line for line in lines if line)
    return text.strip()


def checked_text(
    text: str,
    *,
    limit: int,
    minimum: int = 0,
    layout: Layout = "line",
    form: Form | None = "NFC",
    required: bool = True,
) -> str:
    """``text`` tidied (see :func:`tidy_text`), at most ``limit`` and at least ``minimum``
    characters; raises TextError ("empty", "too_long", "too_short", checked in that order).

    An optional text (``required=False``) may be empty: it comes back as "".
    """
    value = tidy_text(text, layout=layout, form=form)
    if not value:
        if required:
            raise TextError("empty")
        return value
    if len(value) > limit:
        raise TextError("too_long", limit=limit)
    if len(value) < minimum:
        raise TextError("too_short", limit=minimum)
    return value
