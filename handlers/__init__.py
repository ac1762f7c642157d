"""The Telegram side of gongyou, and ``SERVICES``: the one ordered registry of services.

Each service package (or module) declares its :class:`handlers.base.Service` as ``SPEC``;
``bot/app.py`` registers, schedules, starts and stops them in this order, and gathers what
/forget deletes. Order matters: the outbox (messages that must reach someone, see
``handlers.outbox``) comes first, the legal service's evidence uploads before the stations'
file handler, and the free-text router and catch-alls (``handlers.router``) are registered
after all of them. Adding a service is one package with a ``SPEC`` and one line here.
"""

from __future__ import annotations

from bot.core.users import PAUSABLE
from bot.legal.core import INTAKE_FLOW
from bot.match.core import PROFILE_FLOW
from bot.membership.roster import VERIFY_FLOW
from handlers import jobs, legal, match, membership, outbox, panel, stations, union
from handlers.base import FLOW_POLICIES, FlowPolicy, Service
from handlers.jobs import alerts as job_alerts
from handlers.jobs import search as job_search

SERVICES: tuple[Service, ...] = (
    outbox.SPEC,
    jobs.SPEC,
    legal.SPEC,
    membership.SPEC,
    match.SPEC,
    stations.SPEC,
    union.SPEC,
    panel.SPEC,
)

#: The worker flows that give way to a clear request for another service and wait to be taken
#: up again; the steps named take any text as their answer (a story, a name, a description).
FLOW_POLICIES.update(
    {
        stations.FLOW: FlowPolicy(
            "station", keeps=frozenset({"report_text"}), leaves=frozenset({"found"})
        ),
        job_search.FLOW: FlowPolicy(
            "jobs", keeps=frozenset({"report"}), leaves=frozenset({"browse"})
        ),
        job_alerts.FLOW: FlowPolicy("jobs"),
        INTAKE_FLOW: FlowPolicy("legal", keeps=frozenset({"employer", "place", "story"})),
        PROFILE_FLOW: FlowPolicy("match", keeps=frozenset({"occupation", "intro", "want_other"})),
        VERIFY_FLOW: FlowPolicy("match"),
    }
)
PAUSABLE.update(FLOW_POLICIES)
