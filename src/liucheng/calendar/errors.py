"""The calendar's own error: a question about business time that has no answer.

A subclass of `LiuchengError`, so adapters render it like every other error of the
product: a message saying what is wrong and a hint saying what to do.
"""

from __future__ import annotations

from liucheng.errors import LiuchengError


class CalendarError(LiuchengError):
    """No answer on this calendar: no working day in range, a naive datetime, a bad roll…"""

    code = "calendar"
