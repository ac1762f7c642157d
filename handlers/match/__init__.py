"""Matchmaking on Telegram: profile, matchmakers' review, suggestions, pairs, socials."""
