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

from verify.contract import load_contract
from viewer.loader import load_export

WAIT = 120.0  # a bound on start-up on a busy machine, not a timing assertion


def test_demo_serves_the_sample_and_cleans_up(tmp_path: Path) -> None:
    temp, cache = tmp_path / "tmp", tmp_path / "cache"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(cache)}
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
        # The password printed opens the sample printed (read here on its own, not served).
        sample = Path(re.search(r"^Sample export: (.+)$", text, re.M)[1])  # type: ignore[index]
        password = re.search(r"^Its password .*: (\S+)$", text, re.M)[1]  # type: ignore[index]
        assert sample.parent.parent == temp
        result = load_export(sample, password=lambda name: password, contract=load_contract())
        assert result.store is not None and sum(t.records for t in result.store.tables()) > 0
        result.store.close()
        # Three things to try, numbered.
        tips = re.findall(r"^  (\d)\. (.+)$", text, re.M)
        assert "Three things to try:" in text and [n for n, _ in tips] == ["1", "2", "3"]
        assert all(len(tip) > 20 for _, tip in tips)
        with httpx.Client(follow_redirects=True, timeout=WAIT) as client:
            page = client.get(url)
            # The demo opens its sample at once: the first page is the export or its progress.
            assert page.status_code == 200
            assert "<html" in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(WAIT)
    assert proc.returncode == 0
    assert list(temp.iterdir()) == []  # no sample, upload or temporary file left behind
    assert (cache / "export-viewer" / "guide" / "index.html").is_file()  # built in its cache
