"""Write bench/results.md: the machine, every figure per size, ratios, targets and pass/fail."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

Figures = Mapping[str, float]
MB = 1e6
NA = "not available"


@dataclass(frozen=True)
class Row:
    """One figure: label, key, unit, target text and check (its None: not at this size)."""

    label: str
    key: str
    unit: str = "s"
    target: str = ""
    check: Callable[[Figures, str], bool | None] | None = None


def _ratio(f: Figures, a: str, b: str) -> float:
    return f[a] / f[b]


ROWS: tuple[Row, ...] = (
    Row("sample: ZIP size", "zip_bytes", "MB"),
    Row("sample: decompressed JSON", "json_bytes", "MB"),
    Row("sample: records", "records", "n"),
    Row("sample: time to make it (export-viewer sample)", "sample_s"),
    Row("sample: peak RSS while making it", "sample_rss", "MB", "bounded (<= 256 MB)",
        lambda f, _: f["sample_rss"] <= 256 * 2**20),
    Row("floor: time (decrypt + inflate + parse)", "floor_s"),
    Row("floor: peak RSS", "floor_rss", "MB"),
    Row("open (load_export, with the full-text index): time", "open_s", "s",
        "<= 1.5x floor time", lambda f, _: _ratio(f, "open_s", "floor_s") <= 1.5),
    Row("open: of which after the last record (sort indexes, text index catching up)",
        "open_index_s"),
    Row("open (load_export): peak RSS", "open_rss", "MB", "<= 1.5x decompressed JSON",
        lambda f, _: _ratio(f, "open_rss", "json_bytes") <= 1.5),
    Row("costs, one core, in turn: decrypt + inflate", "cost_inflate_s"),
    Row("costs: decrypt + inflate + parse every record (fast path)", "cost_parse_s"),
    Row("costs: ... + extract each record's id, time, counterpart", "cost_extract_s"),
    Row("costs: load into the Store, no text index (until the last record is in)", "cost_load_s"),
    Row("costs: then the sort indexes", "cost_sort_indexes_s"),
    Row("costs: then the full-text index", "cost_text_index_s"),
    Row("costs: the open's whole work (load + sort indexes + full-text index)",
        "cost_open_work_s"),
    Row("store: SQLite pages, records table", "store_records_bytes", "MB"),
    Row("store: of which the records' JSON text", "store_json_bytes", "MB"),
    Row("store: SQLite pages, sort indexes", "store_indexes_bytes", "MB"),
    Row("store: SQLite pages, full-text index", "store_text_index_bytes", "MB"),
    Row("verify: time", "verify_s", "s", "<= 1.5x floor time",
        lambda f, _: _ratio(f, "verify_s", "floor_s") <= 1.5),
    Row("verify: peak RSS (its worker's added)", "verify_rss", "MB", "<= 256 MB at heavy",
        lambda f, size: f["verify_rss"] <= 256 * 2**20 if size == "heavy" else None),
    Row("verify: the bigger process's peak RSS", "verify_largest_rss", "MB"),
    Row("build (viewer, en+sv): time", "build_s", "s", "typical in seconds (< 60 s)",
        lambda f, size: f["build_s"] < 60 if size == "typical" else None),
    Row("build: peak RSS", "build_rss", "MB", "heavy bounded (<= 2x decompressed JSON)",
        lambda f, size: _ratio(f, "build_rss", "json_bytes") <= 2 if size == "heavy" else None),
    Row("build: files written", "build_files", "n"),
    Row("build: size written", "build_bytes", "MB"),
    Row("serve: start to first overview page", "serve_first_s", "s", "<= 2x floor time",
        lambda f, _: _ratio(f, "serve_first_s", "floor_s") <= 2),
    Row("serve: table page p50, 1 client alone", "serve_serial_p50_ms", "ms"),
    Row("serve: table page p50, 16 clients", "serve_p50_ms", "ms"),
    Row("serve: table page p99, 16 clients", "serve_p99_ms", "ms", "< 100 ms",
        lambda f, _: f["serve_p99_ms"] < 100),
    Row("serve: requests ok / failed", "serve_requests", "req"),
    Row("serve: peak RSS", "serve_rss", "MB", "<= 2x decompressed JSON",
        lambda f, _: _ratio(f, "serve_rss", "json_bytes") <= 2),
    Row("peer: 7z x", "peer_extract_s"),
    Row("peer: jq + sqlite-utils insert, all tables", "peer_load_s"),
    Row("peer: load peak RSS (largest step)", "peer_load_rss", "MB"),
    Row("peer: SQLite database size", "peer_db_bytes", "MB"),
    Row("peer: datasette start to first table page", "peer_first_s"),
    Row("peer: ZIP to first table page (7z + load + datasette)", "peer_total_s"),
    Row("peer: table page p50, 1 client alone", "peer_serial_p50_ms", "ms"),
    Row("peer: table page p50, 16 clients", "peer_p50_ms", "ms"),
    Row("peer: table page p99, 16 clients", "peer_p99_ms", "ms"),
    Row("peer: requests ok / failed", "peer_requests", "req"),
    Row("peer: datasette peak RSS", "peer_rss", "MB"),
)  # fmt: skip

# (label, numerator, denominator): ours against the floor, the JSON size, and the peer.
RATIOS: tuple[tuple[str, str, str], ...] = (
    ("open time / floor time", "open_s", "floor_s"),
    ("open peak RSS / decompressed JSON", "open_rss", "json_bytes"),
    (
        "the open's whole work on one core / floor time (over 3x: 1.5x is out of reach on 2 cores)",
        "cost_open_work_s",
        "floor_s",
    ),
    ("the Store's SQLite pages / decompressed JSON", "store_bytes", "json_bytes"),
    ("verify time / floor time", "verify_s", "floor_s"),
    ("build time / floor time", "build_s", "floor_s"),
    ("serve first page / floor time", "serve_first_s", "floor_s"),
    ("serve peak RSS / decompressed JSON", "serve_rss", "json_bytes"),
    ("serve first page / peer ZIP to first page", "serve_first_s", "peer_total_s"),
    (
        "serve p50, 16 clients / 1 client alone (8x: two cores shared perfectly)",
        "serve_p50_ms",
        "serve_serial_p50_ms",
    ),
    ("serve p50 / peer p50", "serve_p50_ms", "peer_p50_ms"),
    ("serve p99 / peer p99", "serve_p99_ms", "peer_p99_ms"),
    ("serve peak RSS / datasette peak RSS", "serve_rss", "peer_rss"),
)


def value(f: Figures, row: Row) -> str:
    """Return one figure as text in its unit, or 'not available'."""
    stopped = row.key.replace("_s", "_stopped_s")
    if row.key not in f and stopped in f:
        return f"> {f[stopped]:,.0f} s (stopped at the time limit)"
    if row.key not in f:
        return NA
    v = f[row.key]
    if row.unit == "MB":
        return f"{v / MB:,.1f} MB"
    if row.unit == "ms":
        return f"{v:,.0f} ms"
    if row.unit == "req":
        return f"{v:,.0f} / {f.get(row.key.replace('requests', 'failed'), 0):,.0f}"
    if row.unit == "n":
        return f"{v:,.0f}"
    return f"{v:,.2f} s"


def verdict(f: Figures, row: Row, size: str) -> str:
    """Return pass or FAIL against the row's target; blank without one."""
    if row.check is None:
        return ""
    if row.key not in f and row.key.replace("_s", "_stopped_s") not in f:
        return NA
    if row.key not in f and row.key.replace("_s", "_stopped_s") in f:
        return "**FAIL**"  # stopped at the time limit: certainly over any target in seconds
    try:
        ok = row.check(f, size)
    except (KeyError, ZeroDivisionError):
        return NA
    return "-" if ok is None else "pass" if ok else "**FAIL**"


def figures_table(results: Mapping[str, Figures], sizes: Sequence[str]) -> list[str]:
    """Return the Markdown table of every figure, with targets and pass/fail per size."""
    head = ["Figure", *sizes, "Target", *(f"{s}: pass?" for s in sizes)]
    lines = [_line(head), _line(["---"] * len(head))]
    for row in ROWS:
        cells = [value(results[s], row) for s in sizes]
        marks = [verdict(results[s], row, s) for s in sizes]
        lines.append(_line([row.label, *cells, row.target, *marks]))
    return lines


def ratios_table(results: Mapping[str, Figures], sizes: Sequence[str]) -> list[str]:
    """Return the Markdown table of ratios (ours / floor, ours / JSON size, ours / peer)."""
    lines = [_line(["Ratio", *sizes]), _line(["---"] * (len(sizes) + 1))]
    for label, a, b in RATIOS:
        cells = [f"{results[s][a] / results[s][b]:.2f}x"
                 if a in results[s] and results[s].get(b) else NA for s in sizes]  # fmt: skip
        lines.append(_line([label, *cells]))
    return lines


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown(results: Mapping[str, Figures], machine: Mapping[str, str],
             notes: Sequence[str]) -> str:  # fmt: skip
    """Return the whole results.md text."""
    sizes = list(results)
    parts = ["# Benchmark results", "", "Written by `make bench` (`python -m bench`); "
             "see `bench/README.md` for how each figure is measured and reproduced.", "",
             "## Machine", "", *(f"- {k}: {v}" for k, v in machine.items()), "",
             "## Figures", "", *figures_table(results, sizes), "",
             "## Ratios", "", *ratios_table(results, sizes), "",
             "## Notes", "", *(f"- {n}" for n in notes), ""]  # fmt: skip
    return "\n".join(parts)
