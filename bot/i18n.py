"""Message catalogs (Project Fluent files in ``bot/locales``), Chinese first, English second.

A language's catalog is read once as text and split into its messages; each message is parsed
the first time it is used (with the messages it refers to), so a process holds the few hundred
it says, not the syntax trees of all of them. The texts it formats are kept (the last few
thousand, by message and arguments): most replies say the same few things, and formatting one
through Fluent and Babel cost about a tenth of an update's handling.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluent.runtime import FluentBundle
    from fluent.runtime.resolver import Message

log = logging.getLogger(__name__)

LOCALES = Path(__file__).with_name("locales")
FLUENT_LOCALE = {"zh": "zh-CN", "en": "en-US"}
DEFAULT_LANGUAGE = "zh"


def normalize_language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Telegram ``language_code`` (``zh-hans``, ``en-GB``...) to a catalog language."""
    if not code:
        return default
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in FLUENT_LOCALE else default


def catalog_files(lang: str) -> list[Path]:
    """The catalog files of a language (``bot/locales/<lang>/*.ftl``, one per area)."""
    return sorted((LOCALES / lang).glob("*.ftl"))


def catalog_text(lang: str) -> str:
    """A language's whole catalog as one Fluent source."""
    return "\n".join(path.read_text(encoding="utf-8") for path in catalog_files(lang))


def message_ids(lang: str) -> set[str]:
    """Return every message id defined in a language's catalog."""
    from fluent.syntax import FluentParser, ast

    resource = FluentParser().parse(catalog_text(lang))
    return {e.id.name for e in resource.body if isinstance(e, ast.Message)}


#: A line that begins a message (``key = ...``) or a term (``-key = ...``).
_ENTRY_START = re.compile(r"(-?[a-zA-Z][a-zA-Z0-9_-]*) *=")
#: What may name another message or a term inside a placeable: ``{ nav-back }``.
_REFERENCE = re.compile(r"\{\s*(-?[a-zA-Z][a-zA-Z0-9_-]*)")


def entry_sources(lang: str) -> dict[str, str]:
    """The Fluent source of each message and term (terms keep their ``-``) by id; of an id
    defined twice the first wins, as in a bundle. A line starting with an identifier and ``=``
    begins an entry, a comment ends it, and any other line (indented, blank, or starting with
    ``[``, ``*``, ``.`` or ``}``) continues it: the lines Fluent itself reads that way."""
    found: dict[str, list[str]] = {}
    for path in catalog_files(lang):
        current: list[str] | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            start = _ENTRY_START.match(line)
            if start is not None:
                current = [] if start.group(1) in found else found.setdefault(start.group(1), [])
                current.append(line)
            elif line.startswith("#"):
                current = None
            elif current is not None:
                current.append(line)
    return {key: "\n".join(lines) + "\n" for key, lines in found.items()}


#: How many formatted texts a catalog keeps; the oldest goes first.
KEPT_TEXTS = 4096


class Catalog:
    """One language's messages, each parsed when it is first used."""

    def __init__(self, lang: str) -> None:
        from fluent.runtime import FluentBundle

        self.lang = lang
        self.sources = entry_sources(lang)
        self.bundle: FluentBundle = FluentBundle([FLUENT_LOCALE[lang]], use_isolating=False)
        self._added: set[str] = set()
        self._lock = threading.Lock()
        self._texts: dict[tuple[Any, ...], str] = {}

    def message(self, key: str) -> Message | None:
        """The compiled message ``key``; None if the catalog has no such message."""
        if key not in self._added:
            if key.startswith("-") or key not in self.sources:
                return None
            with self._lock:
                self._add(key)
        if not self.bundle.has_message(key):
            return None
        return self.bundle.get_message(key)

    def format(self, key: str, args: dict[str, Any]) -> str | None:
        """Message ``key`` with ``args``; None when the catalog has no such message (or it has
        no value). A text is formatted once for the same arguments (of the same types: 1 and
        1.0 may read differently) and kept, unless formatting it went wrong."""
        ident = (key, *((k, type(v), v) for k, v in args.items()))
        try:
            kept = self._texts.get(ident)
        except TypeError:  # an argument that cannot be a key: formatted each time
            keep = False
        else:
            if kept is not None:
                return kept
            keep = True
        message = self.message(key)
        if message is None or message.value is None:
            return None
        text, errors = self.bundle.format_pattern(message.value, args)
        if errors:
            log.warning("catalog %s/%s: %s", self.lang, key, errors)
            return str(text)
        if keep:
            with self._lock:
                if len(self._texts) >= KEPT_TEXTS:
                    del self._texts[next(iter(self._texts))]
                self._texts[ident] = str(text)
        return str(text)

    def _add(self, key: str) -> None:
        """Parse ``key`` and what it refers to into the bundle (the caller holds the lock)."""
        from fluent.syntax import FluentParser, ast

        parser = FluentParser(with_spans=False)
        waiting = [key]
        while waiting:
            name = waiting.pop()
            if name in self._added:
                continue
            self._added.add(name)
            source = self.sources[name]
            resource = parser.parse(source)
            if any(isinstance(entry, ast.Junk) for entry in resource.body):
                log.error("catalog %s: %s cannot be read", self.lang, name)
            self.bundle.add_resource(resource)
            for found in _REFERENCE.findall(source):
                if found in self.sources and found not in self._added:
                    waiting.append(found)


@cache
def _catalog(lang: str) -> Catalog:
    return Catalog(lang)


def t(lang: str, key: str, **args: Any) -> str:
    """Translate ``key`` into ``lang``, falling back to Chinese, then to the key itself."""
    for candidate in (lang, DEFAULT_LANGUAGE):
        catalog = _catalog(candidate if candidate in FLUENT_LOCALE else DEFAULT_LANGUAGE)
        text = catalog.format(key, args)
        if text is not None:
            return text
        if catalog.message(key) is not None:
            break  # a message without a value (attributes only)
    log.error("missing catalog key %s", key)
    return key
