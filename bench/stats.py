"""Medians, ranges and paired ratios of repeated measurements."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        return cls(statistics.median(values), min(values), max(values), len(values))


def per_second(results: list[dict[str, object]]) -> list[float]:
    return [float(r["per_second"]) for r in results]  # type: ignore[arg-type]


def ratio(a: list[float], b: list[float]) -> Summary:
    """a / b: the ratio of the medians, with the range of the round-by-round ratios."""
    paired = [x / y for x, y in zip(a, b, strict=True)]
    return Summary(statistics.median(a) / statistics.median(b), min(paired), max(paired),
                   len(paired))


def rotate(sides: list[str], round_: int) -> list[str]:
    """The order of the sides in a round: each side goes first in turn."""
    k = round_ % len(sides)
    return sides[k:] + sides[:k]
