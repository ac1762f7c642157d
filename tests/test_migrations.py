"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import bot.models  # noqa: F401 - registers every table on SQLModel.metadata
from bot.cli import main
from bot.core.models import utcnow
from bot.db import Database, alembic_config
from bot.stations.models import include_in_autogenerate


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": False,
            "compare_server_default": False,
            "include_object": include_in_autogenerate,
        },
    )
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


#: Every table today's schema holds: moving a model between packages must not drop one.
TABLES = {
    "audit_log", "broadcast_recipients", "broadcasts", "employers", "flow_state", "job_alerts",
    "job_contact_views", "job_postings", "job_reports", "job_seekers", "leases", "legal_cases",
    "legal_consultations", "legal_drafts", "legal_evidence", "legal_messages",
    "match_decisions", "match_events", "match_intros", "match_pairs", "match_profiles",
    "match_reports", "match_signups", "match_suggestions", "member_roster",
    "member_verifications", "member_verify_attempts", "paused_flows", "inbox", "outbox",
    "panel_drafts", "panel_links", "panel_sessions", "panel_uploads", "job_search_terms",
    "service_days", "station_reports",
    "stations", "users",
}  # fmt: skip
#: The revision a database created before the one-package-per-service layout is at.
LAYOUT_MOVE = "0006"


def test_every_table_is_gathered_from_the_service_packages() -> None:
    assert set(SQLModel.metadata.tables) == TABLES


def _state(conn: Connection) -> tuple[str | None, list[Any], list[int]]:
    revision = MigrationContext.configure(conn).get_current_revision()
    users = [row[0] for row in conn.execute(text("SELECT id FROM users WHERE id = 424242"))]
    return revision, _differences(conn), users


async def _at(url: str, run: Callable[[Connection], Any]) -> Any:
    database = Database(url)
    try:
        async with database.engine.begin() as conn:
            return await conn.run_sync(run)
    finally:
        await database.dispose()


def test_db_upgrade_on_a_database_of_the_previous_layout_reaches_the_same_schema(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def prepare() -> None:
        database = Database(database_url)
        try:
            await database.upgrade(LAYOUT_MOVE)  # what `gongyou db upgrade` built before the move
            async with database.engine.begin() as conn:
                await conn.execute(text("DELETE FROM users WHERE id = 424242"))
                await conn.execute(
                    text(
                        "INSERT INTO users (id, language, roles, consents, first_seen, last_seen)"
                        " VALUES (424242, 'zh', '[]', '{}', :now, :now)"
                    ),
                    {"now": utcnow()},
                )
        finally:
            await database.dispose()

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GONGYOU_DATABASE_URL", database_url)

    assert main(["db", "upgrade"]) == 0

    revision, differences, users = asyncio.run(_at(database_url, _state))
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1
    assert revision == heads[0]
    assert differences == []
    assert users == [424242]
    asyncio.run(_at(database_url, lambda conn: conn.execute(text("DELETE FROM users"))))


def _downgrade(conn: Connection, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(conn), revision)


async def test_held_notices_move_from_the_broadcast_ledger_to_the_outbox(
    database_url: str,
) -> None:
    database = Database(database_url)
    try:
        await database.upgrade()
        async with database.engine.begin() as conn:
            await conn.run_sync(_downgrade, "0010")
            for table in ("broadcast_recipients", "broadcasts"):
                await conn.execute(text(f"DELETE FROM {table}"))
            await conn.execute(
                text(
                    "INSERT INTO broadcasts (id, created_by, status, audience, text, total,"
                    " created_at, started_at, starts_at, ignore_quiet) VALUES"
                    " (71, 0, 'running', :notice, '明早通知', 1, :now, :now, :morning, false),"
                    " (72, 5, 'running', :staff, '群发', 1, :now, :now, NULL, false)"
                ),
                {
                    "notice": '{"kind": "notice"}',
                    "staff": '{"kind": "text"}',
                    "now": utcnow(),
                    "morning": utcnow() + timedelta(hours=8),
                },
            )
            await conn.execute(
                text(
                    "INSERT INTO broadcast_recipients (broadcast_id, user_id, status, attempts,"
                    " error) VALUES (71, 424242, 'pending', 0, ''), (72, 424243, 'pending', 0, '')"
                )
            )
        await database.upgrade()
        async with database.engine.connect() as conn:
            held = (await conn.execute(text("SELECT key, chat_id, text, state FROM outbox"))).all()
            statuses = dict((await conn.execute(text("SELECT id, status FROM broadcasts"))).all())
            ledger = (
                await conn.execute(text("SELECT broadcast_id, doubtful FROM broadcast_recipients"))
            ).all()
        assert [tuple(row) for row in held] == [("held-notice:71", 424242, "明早通知", "pending")]
        assert statuses == {71: "done", 72: "running"}
        assert [(row[0], bool(row[1])) for row in ledger] == [(72, False)]
        async with database.engine.begin() as conn:
            for table in ("outbox", "broadcast_recipients", "broadcasts"):
                await conn.execute(text(f"DELETE FROM {table}"))
    finally:
        await database.dispose()
