"""Inline SVG charts drawn by our code: the activity chart (records per month) and sparklines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from markupsafe import Markup, escape

from viewer.timeparse import ms_to_datetime

PALETTE = 8  # colours are CSS classes c0..c7, so that dark mode can change them
MAX_MONTHS = 240
EARLIEST_YEAR = 2000


def month_key(ms: int | None) -> str | None:
    """Return the `YYYY-MM` of epoch ms, or None for no or implausible times."""
    when = ms_to_datetime(ms) if ms is not None else None
    if when is None or when.year < EARLIEST_YEAR or when.year > dt.date.today().year + 1:
        return None
    return f"{when.year:04}-{when.month:02}"


def month_range(keys: Iterable[str]) -> list[str]:
    """Return every month from the first to the last key (at most the last MAX_MONTHS)."""
    present = sorted(set(keys))
    if not present:
        return []
    year, month = (int(p) for p in present[0].split("-"))
    months = []
    while f"{year:04}-{month:02}" <= present[-1]:
        months.append(f"{year:04}-{month:02}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def activity_chart(
    months: Sequence[str],
    series: Sequence[Mapping[str, object]],
    title: str,
    month_labels: Mapping[str, str] | None = None,
    count_labels: Mapping[int, str] | None = None,
) -> Markup:
    """Return stacked monthly bars, one colour per series, each segment titled for hover.

    Months and counts are shown as `month_labels` and `count_labels` write them (the page's
    language), falling back to `YYYY-MM` and plain digits.
    """
    month_text = month_labels or {}
    count_text = count_labels or {}
    if not months:
        return Markup("")
    totals = [sum(_count(s, m) for s in series) for m in months]
    top = max(totals) or 1
    width, height, bar = 6 * len(months), 100.0, 5.0
    parts = [
        f'<svg class="activity" viewBox="0 0 {width} {height + 14:.0f}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="none"><title>{escape(title)}</title>'
    ]
    for i, month in enumerate(months):
        y = height
        for n, s in enumerate(series):
            count = _count(s, month)
            if not count:
                continue
            h = count / top * height
            y -= h
            label = f"{s['label']}, {month_text.get(month, month)}: {count_text.get(count, count)}"
            parts.append(
                f'<rect class="c{n % PALETTE}" x="{i * 6}" y="{y:.2f}" width="{bar}" '
                f'height="{h:.2f}"><title>{escape(label)}</title></rect>'
            )
    first, last = (month_text.get(m, m) for m in (months[0], months[-1]))
    parts.append(f'<text x="0" y="{height + 12:.0f}" class="axis">{escape(first)}</text>')
    parts.append(f'<text x="{width}" y="{height + 12:.0f}" class="axis end">{escape(last)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (labels escaped above; the rest is our numbers)


def _count(series: Mapping[str, object], month: str) -> int:
    counts = series["counts"]
    value = counts.get(month, 0) if isinstance(counts, Mapping) else 0
    return int(value) if isinstance(value, int) else 0


def sparkline(counts: Sequence[int], label: str) -> Markup:
    """Return a small line of counts over time (a flat line when there is nothing)."""
    if not counts:
        return Markup("")
    top = max(counts) or 1
    step = 100 / max(len(counts) - 1, 1)
    points = " ".join(f"{i * step:.1f},{20 - c / top * 18:.1f}" for i, c in enumerate(counts))
    return Markup(  # noqa: S704 (the label is escaped; the rest is our numbers)
        f'<svg class="spark" viewBox="0 0 100 21" role="img" aria-label="{escape(label)}" '
        f'preserveAspectRatio="none"><title>{escape(label)}</title>'
        f'<polyline points="{points}"/></svg>'
    )
