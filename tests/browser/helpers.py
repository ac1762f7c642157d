"""Helpers for the browser tests and the screenshots: finding Chromium, signing in, pages."""

from __future__ import annotations

import importlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import t
from tests.browser.server import PanelServer

#: Where Chromium is looked for after GONGYOU_CHROMIUM.
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: How long one browser step may wait (the machine running the suite may be busy).
STEP_MS = 15_000


def find_chromium() -> str | None:
    """GONGYOU_CHROMIUM, else Debian's /usr/bin/chromium, else ``chromium`` on PATH."""
    configured = os.environ.get("GONGYOU_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_PATHS:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def press_sign_in(page: Any) -> None:
    """Press "sign in" on a link's page (shown in the browser's language: no session yet)."""
    names = "|".join(re.escape(t(lang, "panel-signin-button")) for lang in ("zh", "en"))
    page.get_by_role("button", name=re.compile(f"^({names})$")).click()


def sign_in(
    page: Any,
    server: PanelServer,
    user_id: int,
    roles: Iterable[str] = ("staff",),
    *,
    language: str = "zh",
) -> None:
    """Give ``user_id`` exactly ``roles`` and sign in with a fresh one-time link."""
    server.give_roles(user_id, roles, language=language)
    page.goto(server.new_link(user_id))
    press_sign_in(page)
    page.wait_for_url(lambda address: "/signin" not in address)


def page_module(name: str) -> Any:
    """The panel page module ``bot.panel.<name>`` if it is written and listed in PAGES; else
    skip the calling test module, saying which."""
    from bot.panel import PAGES

    try:
        module = importlib.import_module(f"bot.panel.{name}")
    except ModuleNotFoundError:
        pytest.skip(
            f"the panel has no {name} page yet (bot/panel/{name}.py)", allow_module_level=True
        )
    if module not in PAGES:
        pytest.skip(f"bot/panel/{name}.py is not in PAGES yet", allow_module_level=True)
    return module
