"""Post stations: nearest lookup, opening hours, imports, posters (no Telegram)."""
