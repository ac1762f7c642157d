"""Legal help on Telegram: FAQ and intake for workers, cases and staff tools for volunteers."""
