"""The Telegram side of gongyou, and ``SERVICES``: the one ordered registry of services.

Each service package (or module) declares its :class:`handlers.base.Service` as ``SPEC``;
``bot/app.py`` registers, schedules, starts and stops them in this order, and gathers what
/forget deletes. Order matters: the legal service's evidence uploads come before the stations'
file handler, and the free-text router and catch-alls (``handlers.router``) are registered
after all of them. Adding a service is one package with a ``SPEC`` and one line here.
"""

from __future__ import annotations

from handlers import jobs, legal, match, membership, stations, union
from handlers.base import Service

SERVICES: tuple[Service, ...] = (
    jobs.SPEC,
    legal.SPEC,
    membership.SPEC,
    match.SPEC,
    stations.SPEC,
    union.SPEC,
)
