"""Text a person typed: tidied and checked for length the same way in every service.

:func:`checked_text` tidies an answer (Unicode form, spaces) and raises :class:`TextError` when
nothing is left of it, or when it is longer than ``limit`` or shorter than ``minimum``
characters. Each service turns the error into its own, so it keeps its own messages.
:func:`short_label` cuts a text (an FAQ title, say) to fit a button, at a word boundary.
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


#: Punctuation and spaces a cut label does not end on (before its ellipsis).
_LABEL_TRIM = " \t,.;:!?-–—/([{<（【「『《，、；：·"
#: Characters that join the two halves of one word ("worker's", "full-time").
_JOINERS = "'’-"


def _unspaced(char: str) -> bool:
    """True for characters of scripts written without spaces (Chinese, Japanese kana)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # CJK radicals, punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideographs beyond the basic plane
    )


def _in_word(char: str) -> bool:
    """True for a character inside a word of a spaced script (a letter, digit or joiner)."""
    return (char.isalnum() or char in _JOINERS) and not _unspaced(char)


def short_label(text: str, limit: int) -> str:
    """``text`` on one line in at most ``limit`` characters, for a button label.

    A longer text is cut and ends with "…": between words in English and other spaced scripts
    (never inside a word, unless the first word alone is too long), anywhere in
    Chinese; punctuation and spaces before the cut go.
    """
    if limit < 1:
        raise ValueError("a label needs room for at least one character")
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = limit - 1  # the ellipsis takes one
    cut = room
    while cut > 0 and _in_word(text[cut - 1]) and _in_word(text[cut]):
        cut -= 1
    if cut == 0:
        cut = room  # the first word alone is too long: cut inside it
    head = text[:cut].rstrip(_LABEL_TRIM) or text[:cut]
    return head + "…"
