"""Every table of every service, gathered on ``SQLModel.metadata`` for Alembic and create_all.

Import this module (not the service modules) where all tables must be known; code that uses a
table imports it from its own package (``bot.core.models``, ``bot.jobs.models``, ...).
"""

from bot.core import models as core
from bot.jobs import models as jobs
from bot.legal import models as legal
from bot.match import models as match
from bot.membership import models as membership
from bot.panel import models as panel
from bot.stations import models as stations

__all__ = ["core", "jobs", "legal", "match", "membership", "panel", "stations"]
