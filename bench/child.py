"""Run one child process: wall time and its own peak RSS (from wait4), always bounded and reaped."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Arg = str | os.PathLike[str]
STOP_SECONDS = 10.0  # a server gets this long after SIGTERM before SIGKILL


class BenchError(Exception):
    """A contender failed or overran its time: the figure cannot be measured."""


@dataclass(frozen=True)
class Done:
    """What one finished child cost: wall seconds, peak RSS bytes, exit code and its output."""

    seconds: float
    peak_rss: int
    code: int
    stdout: str
    stderr: str


class Child:
    """A child in its own process group, output in files, reaped by us so its rusage is its own."""

    def __init__(self, argv: Sequence[Arg], *, cwd: Path | None = None) -> None:
        self.argv = [str(a) for a in argv]
        self.folder = Path(tempfile.mkdtemp(prefix="bench-child-"))
        self.out_path, self.err_path = self.folder / "out", self.folder / "err"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=cwd,
                start_new_session=True,
            )  # fmt: skip
        self.result: Done | None = None
        self.timed_out = False

    def output(self) -> tuple[str, str]:
        """Return what the child wrote so far to stdout and stderr."""
        return (
            self.out_path.read_text(errors="replace"),
            self.err_path.read_text(errors="replace"),
        )

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait (bounded) until stdout matches pattern; fail if the child ends or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if m := re.search(pattern, self.output()[0]):
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise BenchError(f"{self.argv[0]}: no {pattern!r} within {timeout:.0f}s: {self.tail()}")

    def tail(self) -> str:
        """Return the end of the child's stderr, for error messages."""
        return " ".join(self.output()[1].split()[-30:])

    def wait(self, timeout: float) -> Done:
        """Wait (bounded) for the child to end by itself; kill its group when time runs out."""
        timer = threading.Timer(timeout, self._kill)
        timer.start()
        try:
            return self._reap()
        finally:
            timer.cancel()

    def stop(self) -> Done:
        """Ask the child to stop (SIGTERM to its group), then kill it if it lingers."""
        if self.result is not None:
            return self.result
        self._signal(signal.SIGTERM)
        return self.wait(STOP_SECONDS)

    def _kill(self) -> None:
        self.timed_out = True
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.proc.pid, sig)

    def _reap(self) -> Done:
        if self.result is not None:
            return self.result
        _, status, usage = os.wait4(self.proc.pid, 0)
        seconds = time.perf_counter() - self.started
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self._signal(signal.SIGKILL)  # anything the child left behind in its group
        out, err = self.output()
        self.result = Done(seconds, usage.ru_maxrss * 1024, self.proc.returncode, out, err)
        for path in (self.out_path, self.err_path):
            path.unlink(missing_ok=True)
        self.folder.rmdir()
        return self.result


class GroupPeak:
    """Watch a child and its own children: the sum of each one's peak RSS (VmHWM).

    wait4 gives only the biggest process's peak; a command that forks a worker uses both. Each
    process's VmHWM is read every SAMPLE seconds until it ends (VmHWM only grows, so the last
    reading is its peak but for the last moments); the sum counts pages they share twice.
    """

    SAMPLE = 0.02

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(self.SAMPLE):
            for pid in self._family(self.pid):
                peak = _hwm(pid)
                if peak:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)

    def _family(self, pid: int) -> list[int]:
        found = [pid]
        for each in found:
            try:
                children = Path(f"/proc/{each}/task/{each}/children").read_text().split()
            except OSError:
                continue
            found.extend(int(c) for c in children)
        return found

    def total(self) -> int:
        """Stop watching and return the sum of the peaks seen (bytes)."""
        self._done.set()
        self._thread.join()
        return sum(self.peaks.values())


def _hwm(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(found[1]) * 1024 if found else 0


def run(argv: Sequence[Arg], *, timeout: float, ok: Sequence[int] = (0,)) -> Done:
    """Run a child to its end (bounded); fail unless its exit code is one of ok."""
    child = Child(argv)
    done = child.wait(timeout)
    if child.timed_out:
        raise BenchError(f"{Path(argv[0]).name} took longer than {timeout:.0f}s")
    if done.code not in ok:
        tail = " ".join(done.stderr.split()[-30:])
        raise BenchError(f"{Path(argv[0]).name} exited {done.code}: {tail}")
    return done
