"""Fixtures of the analytics tests; the history itself is in analytics_history.py."""

from analytics_history import history

__all__ = ["history"]
