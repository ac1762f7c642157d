"""Start-up: what runs before the first getUpdates, and what runs beside the bot after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.app import WARM_UP, build_application
from bot.cli import _at_head, migration_heads
from bot.config import Settings
from bot.db import Database, alembic_config
from bot.jobs import search as job_search
from bot.jobs.search import reset_search_index
from bot.localapi import LocalBotApi
from tests.test_jobs import _insert, _posting


def test_the_heads_read_from_the_migration_files_are_alembics() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert migration_heads() == frozenset(heads)


async def test_a_migrated_database_is_at_head_and_a_new_one_is_not(
    db: Database, tmp_path: Path
) -> None:
    assert await _at_head(db)
    fresh = Database(f"sqlite+aiosqlite:///{tmp_path}/new.sqlite3")
    try:
        assert not await _at_head(fresh)
    finally:
        await fresh.dispose()


def test_a_polling_replica_does_not_load_what_it_does_not_need_to_start() -> None:
    code = "import sys, bot.cli, bot.app, bot.polling; print(' '.join(sorted(sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split())  # fmt: skip
    assert not loaded & {"alembic", "cn2an", "openpyxl", "qrcode", "PIL", "redis"}


async def test_the_warm_up_sets_the_menu_and_builds_the_job_index_beside_the_bot(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset_search_index()
    monkeypatch.setattr(job_search, "DIRECT_MAX", 1)
    await _insert(db, [_posting("夜班保安"), _posting("快递分拣员")])
    api = LocalBotApi()
    application = build_application(settings, db=db, request=api, job_queue=False)
    await application.initialize()
    try:
        assert application.post_init is not None
        await application.post_init(application)
        await application.bot_data[WARM_UP]

        assert len(api.sent("setMyCommands")) == 2
        assert len(job_search._INDEXES) == 1
    finally:
        await application.shutdown()
        reset_search_index()
