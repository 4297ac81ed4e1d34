"""A bar chart of counts in time (hits or meetings per year or month), drawn on the page as SVG by the
`_chart.html` macro: every period between the first and the last gets a bar (an empty year is a gap the
reader should see), each bar a link that filters to its period."""

from __future__ import annotations

import calendar
from typing import Callable

WIDTH, HEIGHT, LABELS = 600, 120, 16  # the SVG's user units; it scales to the page's width
MAX_LABELS = 12  # period labels under the bars at most; the others are in each bar's title
MAX_BAR = 60  # a bar's width at most, so that one period is a bar, not a block across the page


def periods_between(first: str, last: str) -> list[str]:
    """Every year ('2016'…) or month ('2019-01'…) from `first` to `last`, both included."""
    if len(first) == 4:
        return [str(y) for y in range(int(first), int(last) + 1)]
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, last.split("-")))
    return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(y0 * 12 + m0 - 1, y1 * 12 + m1)]


def date_range(period: str) -> tuple[str, str]:
    """The first and last day of a year or a month, as YYYY-MM-DD."""
    if len(period) == 4:
        return f"{period}-01-01", f"{period}-12-31"
    year, month = map(int, period.split("-"))
    return f"{period}-01", f"{period}-{calendar.monthrange(year, month)[1]:02d}"


def bar_chart(counts: list[tuple[str, int]], url: Callable[[str], str]) -> dict | None:
    """The chart's geometry: one bar per period from the first counted to the last (zero where none), its
    height in proportion to the largest; `url(period)` is where its bar links. None when nothing is counted."""
    if not counts:
        return None
    found = dict(counts)
    periods = periods_between(min(found), max(found))
    top = max(found.values()) or 1
    step = WIDTH / len(periods)
    every = -(-len(periods) // MAX_LABELS)  # label every n-th bar so that labels do not overlap
    bars = []
    for k, period in enumerate(periods):
        n = found.get(period, 0)
        h = (HEIGHT - LABELS) * n / top
        width = min(step * 0.8, MAX_BAR)
        bars.append({"period": period, "n": n, "url": url(period), "x": round(k * step + (step - width) / 2, 2),
                     "width": round(width, 2), "y": round(HEIGHT - LABELS - h, 2), "height": round(h, 2),
                     "label": period if k % every == 0 else None, "label_x": round(k * step + step / 2, 2)})
    return {"bars": bars, "width": WIDTH, "height": HEIGHT, "baseline": HEIGHT - LABELS, "top": top,
            "by_month": len(periods[0]) == 7}
