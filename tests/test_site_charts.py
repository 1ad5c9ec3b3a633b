"""The inline SVG charts: stacked monthly bars and sparklines, drawn and escaped by our code."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from viewer.site.charts import activity_chart, month_key, month_range, sparkline


def test_month_range_fills_gaps_and_ignores_implausible_times() -> None:
    assert month_range(["2024-11", "2025-02"]) == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range([]) == []
    assert month_key(0) is None
    ms = int(dt.datetime(2024, 2, 29, tzinfo=dt.UTC).timestamp() * 1000)
    assert month_key(ms) == "2024-02"


def test_activity_chart_stacks_series_with_titles() -> None:
    series = [
        {"label": "SMS <b>", "counts": {"2024-01": 4, "2024-02": 2}},
        {"label": "Calls", "counts": {"2024-02": 2}},
    ]
    svg = str(activity_chart(["2024-01", "2024-02"], series, "Records & more"))
    root = ET.fromstring(svg)  # noqa: S314 (our own output) well-formed, so labels were escaped
    rects = root.findall("{http://www.w3.org/2000/svg}rect") or root.findall("rect")
    assert len(rects) == 3
    assert "SMS &lt;b&gt;, 2024-01: 4" in svg
    heights = sorted(float(r.get("height", "0")) for r in rects)
    assert heights[-1] == 100.0  # the fullest month fills the chart
    assert activity_chart([], series, "x") == ""


def test_sparkline_is_a_polyline_of_the_counts() -> None:
    svg = str(sparkline([0, 5, 10], "<x>"))
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.get("aria-label") == "<x>"
    points = root.find("polyline")
    assert points is not None and len(points.get("points", "").split()) == 3
    assert sparkline([], "x") == ""
