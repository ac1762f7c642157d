"""Prometheus metrics, in a registry of our own (served at ``GET /metrics``)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from telegram import Update

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "gongyou_updates_total",
    "Updates handled, by type and service",
    ["type", "service"],
    registry=REGISTRY,
)
DUPLICATES = Counter(
    "gongyou_duplicate_updates_total", "Redelivered updates ignored", registry=REGISTRY
)
PARKED = Counter(
    "gongyou_inbox_parked_total",
    "Updates given up on after their last try (kept in the inbox with the error)",
    registry=REGISTRY,
)
LATENCY = Histogram(
    "gongyou_handler_seconds",
    "Time to handle one update",
    ["service"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
ERRORS = Counter("gongyou_errors_total", "Errors in handlers", ["kind"], registry=REGISTRY)
OUTBOUND = Counter(
    "gongyou_outbound_calls_total",
    "Bot API calls, by method and outcome",
    ["method", "outcome"],
    registry=REGISTRY,
)
RETRY_AFTER = Counter(
    "gongyou_retry_after_total", "429 Too Many Requests answers from Telegram", registry=REGISTRY
)
FLOOD = Counter(
    "gongyou_flood_dropped_total", "Updates dropped by flood control", registry=REGISTRY
)

UPDATE_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
    "channel_post",
    "edited_channel_post",
    "chat_join_request",
)


def update_kind(update: Update) -> str:
    """Name the kind of update (``message``, ``callback_query``...)."""
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return "other"


def render() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(REGISTRY)
