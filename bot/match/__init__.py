"""Matchmaking for verified single members: profiles, review, suggestions, socials."""
