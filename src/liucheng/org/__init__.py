"""Organisations, people and sign-in: accounts, passwords, sessions, API tokens, permissions.

Framework-free: functions take a `schema.Db` (the connection of the caller's transaction
and the tables, handed in because org sits beside storage) and plain values, so the REST
API, the web pages and the CLI share them. `visibility` decides which cases and tasks an
organisation may see; `masking` hides sensitive values from those without the right.
"""
