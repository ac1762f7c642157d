"""Fixtures for the browser tests: the real app on 127.0.0.1, Chromium, signed-in pages.

One server per database (SQLite always, PostgreSQL when GONGYOU_TEST_DATABASE_URL is set)
serves every browser test of the package; each test opens its own browser context (its own
cookies) and signs in as a user of its own, so tests do not see one another's sessions.
The tests skip, saying why, only when no Chromium can be found: set GONGYOU_CHROMIUM to its
path, or install Debian's ``chromium`` package.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, STEP_MS, find_chromium
from tests.browser.server import PanelServer
from tests.conftest import PG_URL


@pytest.fixture(scope="package")
def chromium_path() -> str:
    """The Chromium binary to drive, or skip the browser tests saying how to get one."""
    found = find_chromium()
    if found is None:
        where = os.environ.get("GONGYOU_CHROMIUM")
        pytest.skip(
            f"no Chromium at GONGYOU_CHROMIUM={where}"
            if where
            else "no Chromium found (apt-get install chromium, or set GONGYOU_CHROMIUM)"
        )
    return found


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole package."""
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=chromium_path, args=["--no-proxy-server", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    chromium_path: str,
) -> Iterator[PanelServer]:
    """The bot's web app in webhook mode with the demo data, on a free port of 127.0.0.1."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("browser") / "panel.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
    elif PG_URL:
        url = PG_URL
    else:
        pytest.skip("set GONGYOU_TEST_DATABASE_URL to run against PostgreSQL")
    with PanelServer(url) as running:
        yield running


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies), desktop size."""
    opened = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    opened.set_default_timeout(STEP_MS)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A tab in a fresh context."""
    return context.new_page()
