"""Smoke tests of the bench code (not its figures): the report writer, a child, one contender."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import contenders, report
from bench.child import BenchError, Child, GroupPeak, run
from bench.load import Latency
from bench.samples import ensure

FAKE = {
    "typical": {"zip_bytes": 2e6, "json_bytes": 100e6, "floor_s": 1.0, "open_s": 1.2,
                "open_rss": 200e6, "verify_s": 1.4, "verify_rss": 30e6, "build_s": 12.0,
                "serve_first_s": 1.9, "serve_p99_ms": 120.0, "serve_requests": 640,
                "serve_failed": 2, "peer_total_s": 19.0},
    "heavy": {"json_bytes": 1e9, "floor_s": 10.0, "verify_s": 20.0, "verify_rss": 300 * 2**20,
              "build_stopped_s": 600.0, "build_rss": 1.5e9},
}  # fmt: skip


def _row(text: str, label: str) -> list[str]:
    line = next(x for x in text.splitlines() if x.startswith(f"| {label} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_report_marks_each_target_and_missing_figure() -> None:
    text = report.markdown(FAKE, {"CPU": "test"}, ["a note"])
    assert _row(text, "open (load_export, with the full-text index): time")[1:] == [
        "1.20 s", "not available", "<= 1.5x floor time", "pass", "not available"]  # fmt: skip
    assert _row(text, "open (load_export): peak RSS")[-2] == "**FAIL**"
    assert _row(text, "verify: peak RSS (its worker's added)")[-2:] == ["-", "**FAIL**"]
    assert _row(text, "verify: time")[-2:] == ["pass", "**FAIL**"]
    assert _row(text, "build (viewer, en+sv): time")[2] == "> 600 s (stopped at the time limit)"
    assert _row(text, "build: peak RSS")[-1] == "pass"
    assert _row(text, "serve: table page p99, 16 clients")[-2] == "**FAIL**"
    assert _row(text, "serve: requests ok / failed")[1] == "640 / 2"
    assert _row(text, "serve first page / peer ZIP to first page")[1:] == ["0.10x", "not available"]
    assert "- CPU: test" in text
    assert "- a note" in text


def test_latency_percentiles_are_nearest_rank() -> None:
    latency = Latency(tuple(i / 1000 for i in range(1, 101)), failed=0)
    assert latency.percentile(50) == 0.050
    assert latency.percentile(99) == 0.099
    with pytest.raises(ValueError, match="no successful request"):
        Latency((), failed=3).percentile(50)


def test_child_past_its_time_is_stopped() -> None:
    with pytest.raises(BenchError, match="took longer than"):
        run([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    done = run([sys.executable, "-c", "print(sum(range(10)))"], timeout=30)
    assert done.stdout.strip() == "45"
    assert done.peak_rss > 1_000_000


def test_floor_and_verify_run_on_a_small_sample(tmp_path: Path) -> None:
    sample = ensure("tiny", folder=tmp_path / "cache", records=300)
    assert sample.zip.name == "records-300.zip"
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    floor = contenders.floor(sample, 120)
    assert floor["json_bytes"] > 10_000
    assert floor["floor_rss"] > 1_000_000
    checked = contenders.verify(sample, 120)
    assert checked["verify_s"] > 0
    assert ensure("tiny", folder=tmp_path / "cache", records=300) == sample  # cached, not redone


def test_costs_add_up_and_size_the_store(tmp_path: Path) -> None:
    sample = ensure("tiny", folder=tmp_path / "cache", records=300)
    costs = contenders.costs(sample, 120)
    assert costs["records"] >= 300
    assert costs["cost_inflate_s"] > 0 and costs["cost_parse_s"] > 0
    whole = costs["cost_load_s"] + costs["cost_sort_indexes_s"] + costs["cost_text_index_s"]
    assert costs["cost_open_work_s"] == pytest.approx(whole)
    # Every record's JSON is in the records table, which is bigger than the text it holds.
    assert 0.9 * costs["json_bytes"] < costs["store_json_bytes"] <= costs["json_bytes"]
    assert costs["store_records_bytes"] > costs["store_json_bytes"]
    assert costs["store_text_index_bytes"] > 0 and costs["store_indexes_bytes"] > 0
    parts = ("store_records_bytes", "store_indexes_bytes", "store_text_index_bytes")
    assert costs["store_bytes"] == sum(costs[part] for part in parts)
    text = report.markdown({"tiny": costs}, {}, [])
    assert _row(text, "store: of which the records' JSON text")[1].endswith(" MB")


FORKS = """
import os, time
pid = os.fork()
if pid == 0:
    block = bytearray(80 * 2**20)  # touched: resident in the worker only
    time.sleep(0.5)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_group_peak_adds_a_forked_workers_peak_to_its_parents() -> None:
    child = Child([sys.executable, "-c", FORKS])
    family = GroupPeak(child.proc.pid)
    done = child.wait(30)
    total = family.total()
    assert done.code == 0
    # (wait4's figure is the bigger one, and may carry the forking parent's size from before exec)
    assert len(family.peaks) == 2
    parent, worker = family.peaks[child.proc.pid], max(family.peaks.values())
    assert worker >= 80 * 2**20 > parent > 0
    assert total == parent + worker
