"""Legal help: FAQ answers with citations, intake, cases volunteers answer (no Telegram)."""
