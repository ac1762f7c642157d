"""The shared kernel: users and roles, flow state, audit, leases, clock, tables, notifier.

Nothing here imports a service package or Telegram.
"""
