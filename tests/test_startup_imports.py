"""What a polling replica leaves for later: modules it imports only when used, catalog messages
parsed when first said, the staff panel loaded on its first visit, the warm-up after the first
getUpdates. Behaviour, not timing (the figures are bench/startup.py's)."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys

import aiohttp
import pytest
from fluent.runtime import FluentBundle, FluentResource

from bot import i18n
from bot.app import WARM_UP, build_application
from bot.cli import PanelBeside, _start_panel_beside
from bot.config import Settings
from bot.context import Services
from bot.db import Database
from bot.jobs.search import reset_search_index
from bot.localapi import LocalBotApi

#: Libraries a polling replica does not need to start: migrations (the database is at head),
#: spreadsheets, posters and QR codes, terminal progress bars, the catalogs' runtime (loaded
#: by the first message the bot says, in the warm-up).
NOT_AT_START = {
    "alembic", "openpyxl", "PIL", "qrcode", "rich", "fluent.runtime", "babel",
    "jinja2", "aiohttp_jinja2", "bot.jobs.imports", "bot.stations.imports",
}  # fmt: skip


def test_a_polling_replica_imports_no_spreadsheet_poster_migration_or_catalog_library() -> None:
    code = "import sys, bot.cli, bot.app, bot.polling; print(' '.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(run.stdout.split())
    assert not loaded & NOT_AT_START


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_message_parsed_alone_reads_as_in_its_whole_catalog(lang: str) -> None:
    whole = FluentBundle([i18n.FLUENT_LOCALE[lang]], use_isolating=False)
    for path in i18n.catalog_files(lang):
        whole.add_resource(FluentResource(path.read_text(encoding="utf-8")))
    catalog = i18n.Catalog(lang)
    ids = i18n.message_ids(lang)
    assert {key for key in catalog.sources if not key.startswith("-")} == ids
    for key in sorted(ids):
        names = set(re.findall(r"\$([a-zA-Z][\w-]*)", catalog.sources[key]))
        expected, alone = whole.get_message(key), catalog.message(key)
        assert alone is not None
        if expected.value is None:
            assert alone.value is None
            continue
        assert alone.value is not None
        for value in (1, 3, 1234567, "x"):
            args = dict.fromkeys(names, value)
            want, want_errors = whole.format_pattern(expected.value, args)
            got, got_errors = catalog.bundle.format_pattern(alone.value, args)
            assert (key, got, [str(e) for e in got_errors]) == (
                key,
                want,
                [str(e) for e in want_errors],
            )


def test_a_message_that_is_not_in_the_catalog_is_its_key_and_english_falls_back_to_chinese(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert i18n.t("en", "no-such-key") == "no-such-key"
    chinese = i18n.t("zh", "welcome")
    english = i18n.Catalog("en")
    del english.sources["welcome"]
    catalogs = {"en": english, "zh": i18n.Catalog("zh")}
    monkeypatch.setattr(i18n, "_catalog", catalogs.__getitem__)

    assert i18n.t("en", "welcome") == chinese


async def test_the_panel_beside_polling_holds_its_port_and_loads_on_the_first_visit(
    db: Database, settings: Settings
) -> None:
    services = Services(settings=settings, db=db, router=None)  # type: ignore[arg-type]
    panel = await PanelBeside.listen(services, host="127.0.0.1", port=0)
    port = panel.sockets[0].getsockname()[1]
    try:
        assert panel.runner is None  # nothing loaded before someone visits
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/panel/") as page:
                assert page.status == 200
                assert "请先登录" in await page.text()
            async with http.get(f"http://127.0.0.1:{port}/healthz") as health:
                assert health.status == 200
        assert panel.runner is not None
    finally:
        await panel.cleanup()
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=2),
    ):
        pass


async def test_a_taken_panel_port_is_logged_and_the_bot_runs_without_the_panel(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = settings.model_copy(update={"panel_host": "127.0.0.1", "panel_port": port})
        services = Services(settings=busy, db=db, router=None)  # type: ignore[arg-type]

        assert await _start_panel_beside(services, busy) is None
    assert f"staff panel not started on port {port}" in caplog.text


async def test_in_polling_mode_the_warm_up_waits_for_the_first_get_updates(
    settings: Settings, db: Database
) -> None:
    reset_search_index()
    api = LocalBotApi()
    application = build_application(settings, db=db, request=api, job_queue=False)
    application.polls = True
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
        warm_up = application.bot_data[WARM_UP]
        await asyncio.sleep(0.05)
        assert not api.sent("setMyCommands")

        application.receiving.set()  # what the polling loop does before its first getUpdates
        await warm_up
        assert len(api.sent("setMyCommands")) == 2
    finally:
        await application.shutdown()
        reset_search_index()


def test_an_httpx_request_searches_for_no_missing_module() -> None:
    """httpcore (under an ``HTTPXRequest`` passed in instead of the bot's aiohttp one) asks
    which event loop runs on every request; the answer comes from sniffio. If it is missing,
    each ask is a failed import that walks sys.path (a fifth of an update's CPU over HTTP)."""
    code = (
        "import asyncio, importlib.abc, sys\n"
        "from httpcore._synchronization import current_async_library\n"
        "misses = []\n"
        "class Watch(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        misses.append(name)\n"
        "async def ask():\n"
        "    current_async_library()  # the first ask may import\n"
        "    sys.meta_path.insert(0, Watch())\n"
        "    for _ in range(3):\n"
        "        current_async_library()\n"
        "asyncio.run(ask())\n"
        "print(' '.join(misses))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == []


def test_no_full_collection_runs_during_warm_ups_and_a_replica_freezes_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from bot import app

    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with app._no_full_collections():
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > 10**8  # the oldest generation is left alone
        with app._no_full_collections():  # two warm-ups at once (two applications)
            pass
        assert gc.get_threshold()[2] > 10**8  # the first one still runs
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen  # tests and other callers: nothing frozen

    monkeypatch.setattr(app, "FREEZE_AFTER_WARM_UP", True)
    try:
        with app._no_full_collections():
            pass
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
    assert gc.get_threshold() == before


async def test_gongyou_run_marks_the_process_a_replica(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import app, cli

    monkeypatch.setattr(app, "FREEZE_AFTER_WARM_UP", False)
    served: list[bool] = []

    async def serve(_settings: Settings) -> None:
        served.append(app.FREEZE_AFTER_WARM_UP)

    monkeypatch.setattr(cli, "_serve_polling", serve)
    settings = Settings(bot_token="1:RUN", _env_file=None)
    await asyncio.to_thread(cli._run, settings, "polling")
    assert served == [True]
