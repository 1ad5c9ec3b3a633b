"""The one-shot contenders: the sample itself, the floor, load_export, verify, build."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bench_open import FLOOR, OURS
from bench.child import Arg, BenchError, Child, Done, GroupPeak, run
from bench.samples import Sample, tool

Figures = dict[str, float]


def generate(sample: Sample, timeout: float) -> Figures:
    """Run `export-viewer sample` for this size (streamed into its ZIP) and time it."""
    with tempfile.TemporaryDirectory(prefix="bench-sample-") as folder:
        argv: list[Arg] = [tool(), "sample", "--size", sample.size, "--seed", "1", "--out",
                           Path(folder) / "sample.zip", "--password-file", sample.password_file,
                           "--quiet"]  # fmt: skip
        done = run(argv, timeout=timeout)
    return {"sample_s": done.seconds, "sample_rss": done.peak_rss}


def floor(sample: Sample, timeout: float) -> Figures:
    """Run the floor of bench_open.py (decrypt + inflate + parse, keep nothing) in a fresh child."""
    done = run([sys.executable, "-c", FLOOR, sample.zip, sample.password_file], timeout=timeout)
    return {"floor_s": done.seconds, "floor_rss": done.peak_rss, "json_bytes": int(done.stdout)}


def open_export(sample: Sample, timeout: float) -> Figures:
    """Run load_export into the in-memory Store (bench_open.py's code) in a fresh child."""
    done = run([sys.executable, "-c", OURS, sample.zip, sample.password_file], timeout=timeout)
    _size, records, _problems, indexed = done.stdout.split()
    return {"open_s": done.seconds, "open_rss": done.peak_rss, "records": int(records),
            "open_index_s": float(indexed)}  # fmt: skip


def costs(sample: Sample, timeout: float) -> Figures:
    """Run bench/costs.py (the open's steps one at a time, the Store's size) in a fresh child."""
    script = Path(__file__).with_name("costs.py")
    done = run([sys.executable, script, sample.zip, sample.password_file], timeout=timeout)
    figures: Figures = json.loads(done.stdout)
    return figures


def verify(sample: Sample, timeout: float) -> Figures:
    """Run `export-viewer verify` to a JSON report (exit 1 only means findings) and time it."""
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as folder:
        report = Path(folder) / "report.json"
        argv: list[Arg] = [tool(), "verify", sample.zip, "--password-file", sample.password_file,
                           "--format", "json", "--output", report, "--quiet"]  # fmt: skip
        child = Child(argv)
        family = GroupPeak(child.proc.pid)  # verify forks a worker: both peaks count
        done = child.wait(timeout)
        both = family.total()
        if child.timed_out or done.code not in (0, 1):
            raise BenchError(f"export-viewer verify failed ({done.code}): {child_tail(done)}")
    return {"verify_s": done.seconds, "verify_rss": max(both, done.peak_rss),
            "verify_largest_rss": done.peak_rss}  # fmt: skip


def build(sample: Sample, timeout: float) -> Figures:
    """Run `export-viewer build` (viewer only, both languages) and count what it wrote."""
    folder = Path(tempfile.mkdtemp(prefix="bench-build-"))  # 0700: the site holds the records
    try:
        out = folder / "site"
        argv: list[Arg] = [tool(), "build", sample.zip, "--out", out, "--password-file",
                sample.password_file, "--no-guide", "--quiet"]  # fmt: skip
        child = Child(argv)
        done = child.wait(timeout)
        if not child.timed_out and done.code != 0:
            raise BenchError(f"export-viewer build exited {done.code}: {child_tail(done)}")
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # A build stopped at the time limit still tells its peak memory and how far it got.
    time_key = "build_stopped_s" if child.timed_out else "build_s"
    return {time_key: done.seconds, "build_rss": done.peak_rss, "build_files": len(files),
            "build_bytes": size}  # fmt: skip


def child_tail(done: Done) -> str:
    """Return the end of a child's stderr, for an error message."""
    return " ".join(done.stderr.split()[-30:])
