"""Union membership: the hashed roster and proving a Telegram account is a member."""
