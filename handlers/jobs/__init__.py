"""Jobs on Telegram: menu, search, posting cards, employer posts, alerts, broadcasts, imports."""
