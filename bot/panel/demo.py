"""Demo data for ``gongyou panel --demo``: the bot's demo stations, member roster and sample job
list, and a demo admin to sign in as."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.core.models import Role
from bot.core.users import bootstrap_admins, grant_role
from bot.db import Database

#: The demo admin's (made-up) Telegram id.
DEMO_ADMIN = 900_001
DATA = Path(__file__).resolve().parents[1] / "data"


async def load_demo(db: Database, settings: Settings) -> None:
    """Migrate ``db`` and fill it with the demo data and the demo admin."""
    from bot.jobs.core import load_min_wages
    from bot.jobs.imports import import_jobs
    from bot.membership.roster import load_demo_roster, member_key
    from bot.stations.imports import load_demo_stations

    await db.upgrade()
    await load_demo_stations(db)
    await load_demo_roster(db, key=member_key(settings, warn=False))
    await import_jobs(
        db,
        (DATA / "jobs-sample.csv").read_bytes(),
        filename="jobs-sample.csv",
        dry_run=False,
        actor_id=DEMO_ADMIN,
        default_city=settings.match_city,
        min_wages=load_min_wages(settings.min_wage_file),
        posting_days=settings.posting_days,
        timezone=settings.timezone,
    )
    async with db.session() as session:
        await bootstrap_admins(session, admin_ids=settings.admin_ids)
        await grant_role(session, actor_id=None, user_id=DEMO_ADMIN, role=Role.admin)
