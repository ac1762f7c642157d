"""Jobs: postings from staff and vetted employers, search, alerts, broadcasts (no Telegram)."""
