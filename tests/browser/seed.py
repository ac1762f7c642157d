"""Records the browser tests and the screenshots add to the demo data: the demo world's own
makers (:mod:`bot.panel.demo`), so both build them the same way."""

from __future__ import annotations

from bot.panel.demo import flagged_station, pending_posting, subscribers

__all__ = ["flagged_station", "pending_posting", "subscribers"]
