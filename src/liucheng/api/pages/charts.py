"""What the dashboards draw: durations in words (zh-CN and English), chart specifications
for `static/dashboards.js` (ECharts), and the colour levels of the diagram heat map.

A chart is a JSON object in the page (`data-lc-chart`), never code: categories, series
(bar or line, left or right axis) and axis names. The table beside each chart holds the
same numbers, so the page reads without JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liucheng.analytics import Measure

HEAT_LEVELS = 4  # coloured levels above "none"


def duration(seconds: float | None, measure: Measure, lang: str) -> str:
    """'2.5 工作日' / '2.5 working days', '3.2 小时' / '3.2 h', '12 分钟' / '12 min'."""
    if seconds is None:
        return "—"
    zh = lang != "en"
    sign = "-" if seconds < 0 else ""
    value = abs(seconds)
    day = measure.day.total_seconds()
    if value >= day:
        unit = ("工作日" if measure.kind == "working" else "天") if zh else measure.day_word
        return f"{sign}{value / day:.1f} {unit}"
    if value >= 3600:
        return f"{sign}{value / 3600:.1f} {'小时' if zh else 'h'}"
    if value >= 60:
        return f"{sign}{value / 60:.0f} {'分钟' if zh else 'min'}"
    return f"{sign}{value:.0f} {'秒' if zh else 's'}"


@dataclass(frozen=True)
class Unit:
    """The unit a chart axis shows durations in: seconds per unit and its names."""

    seconds: float
    zh: str
    en: str

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def of(self, seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / self.seconds, 2)


def unit_for(values: Sequence[float | None], measure: Measure) -> Unit:
    """Days (working days) when the largest value is at least a day, else hours."""
    biggest = max((v for v in values if v is not None), default=0.0)
    day = measure.day.total_seconds()
    if biggest >= day:
        if measure.kind == "working":
            return Unit(day, "工作日", "working days")
        return Unit(day, "天", "days")
    return Unit(3600.0, "小时", "hours")


def series(name: str, values: Sequence[float | int | None], kind: str = "bar",
           axis: int = 0) -> dict[str, Any]:
    return {"name": name, "kind": kind, "axis": axis, "values": list(values)}


def chart(categories: Sequence[str], all_series: Sequence[dict[str, Any]],
          axes: Sequence[str] = ("",), horizontal: bool = False) -> dict[str, Any]:
    """A chart specification for dashboards.js."""
    return {"categories": list(categories), "series": list(all_series), "axes": list(axes),
            "horizontal": horizontal}


@dataclass(frozen=True)
class Level:
    """One colour of the heat map's legend: level 0 is 'none', 1–4 quarters of the top."""

    level: int
    low: float
    high: float


def levels(values: Sequence[float]) -> list[Level]:
    """The legend: level 0 for zero, then four equal bands up to the largest value."""
    top = max(values, default=0.0)
    out = [Level(0, 0.0, 0.0)]
    if top <= 0:
        return out
    for i in range(1, HEAT_LEVELS + 1):
        out.append(Level(i, top * (i - 1) / HEAT_LEVELS, top * i / HEAT_LEVELS))
    return out


def level_of(value: float, top: float) -> int:
    """The heat level (0–4) of `value` when the largest value is `top`."""
    if value <= 0 or top <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * value / top)))
