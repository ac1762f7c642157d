"""Reading the text of an uploaded data file (CSV and the like) whatever its encoding."""

from __future__ import annotations


class TextDecodeError(ValueError):
    """The bytes are not text: ``reason`` is ``"encoding"`` or ``"binary"``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def decode_text(data: bytes) -> str:
    """UTF-16 with a byte-order mark, UTF-8 (BOM or not), else GB18030 (which covers GBK)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise TextDecodeError("encoding") from None
    if "\x00" in text:
        raise TextDecodeError("binary")
    return text.removeprefix("\ufeff")
