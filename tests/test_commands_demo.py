"""`export-viewer demo` as `make demo` runs it: a sample served on loopback, gone after Ctrl+C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

WAIT = 120.0  # a bound on start-up on a busy machine, not a timing assertion


def test_demo_serves_the_sample_and_cleans_up(tmp_path: Path) -> None:
    home = tmp_path.parent / f"{tmp_path.name}-cache"  # the guide's cache, outside TMPDIR
    env = {**os.environ, "TMPDIR": str(tmp_path), "XDG_CACHE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "viewer", "demo", "--no-browser", "--size", "small"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Serving at "):
                break
        url = lines[-1].removeprefix("Serving at ").strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", url), lines
        text = "".join(lines)
        assert "Three things to try:\n  1. " in text and "\n  2. " in text and "\n  3. " in text
        sample = re.search(r"^Sample export: (.+)$", text, re.M)
        password = re.search(r"^Its password \(as the provider's e-mail would give it\): (\S+)$",
                             text, re.M)  # fmt: skip
        assert sample and password, text
        # The printed password opens the printed sample, as a user would try it.
        check = subprocess.run(
            [sys.executable, "-m", "viewer", "info", sample[1], "--quiet"],
            env={**env, "EXPORT_VIEWER_PASSWORD": password[1]},
            capture_output=True, text=True, timeout=WAIT, check=False,
        )  # fmt: skip
        assert check.returncode == 0, check.stderr
        assert "aes-256" in check.stdout
        with httpx.Client(follow_redirects=True, timeout=WAIT) as client:
            page = client.get(url)
            # The demo opens its sample at once: the first page is the export or its progress.
            assert page.status_code == 200
            assert "<html" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(WAIT)
    assert proc.returncode in (0, 130, -signal.SIGINT)
    assert list(tmp_path.iterdir()) == []  # no sample, upload or temporary file left behind
