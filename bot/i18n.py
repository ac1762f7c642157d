"""Message catalogs (Project Fluent files in ``bot/locales``), Chinese first, English second."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser, ast

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
    resource = FluentParser().parse(catalog_text(lang))
    return {e.id.name for e in resource.body if isinstance(e, ast.Message)}


@cache
def _bundle(lang: str) -> FluentBundle:
    bundle = FluentBundle([FLUENT_LOCALE[lang]], use_isolating=False)
    for path in catalog_files(lang):
        bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    return bundle


def t(lang: str, key: str, **args: Any) -> str:
    """Translate ``key`` into ``lang``, falling back to Chinese, then to the key itself."""
    for candidate in (lang, DEFAULT_LANGUAGE):
        bundle = _bundle(candidate if candidate in FLUENT_LOCALE else DEFAULT_LANGUAGE)
        if bundle.has_message(key):
            message = bundle.get_message(key)
            if message.value is None:
                break
            text, errors = bundle.format_pattern(message.value, args)
            if errors:
                log.warning("catalog %s/%s: %s", candidate, key, errors)
            return str(text)
    log.error("missing catalog key %s", key)
    return key
