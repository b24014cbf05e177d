"""A monotonic stopwatch shared by every side (standard library only)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    """Sums the time spent inside `measure()` blocks; the garbage collector is not paused."""

    def __init__(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - start


def settle() -> None:
    """Collect garbage left by set-up so that it is not charged to the measured loop."""
    gc.collect()


def result(completions: int, seconds: float, **extra: object) -> dict[str, object]:
    return {"completions": completions, "seconds": seconds,
            "per_second": completions / seconds if seconds else 0.0, **extra}
