"""gongyou: wiring of the union's Telegram bot."""

import os

# python-telegram-bot 22 reports durations (e.g. RetryAfter.retry_after) as timedelta when this
# is set, and warns otherwise; the code here expects timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "true")
