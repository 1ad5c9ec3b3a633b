"""The guide's static server: loopback only, Host allow-list, no caching, real HTTP."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from viewer.guide.serve import make_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[int]:
    (tmp_path / "index.html").write_text("<h1>guide</h1>", encoding="utf-8")
    server = make_server(tmp_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def _get(port: int, host: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/index.html", headers={"Host": host})
    return conn.getresponse()


def test_serves_files_on_loopback_with_private_headers(served: int) -> None:
    response = _get(served, f"127.0.0.1:{served}")
    assert response.status == 200
    assert response.read() == b"<h1>guide</h1>"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _get(served, f"localhost:{served}").status == 200


def test_refuses_other_hosts(served: int) -> None:
    assert _get(served, "evil.example").status == 421


def test_the_guide_serve_command_builds_serves_and_cleans_up(tmp_path: Path) -> None:
    import os
    import re
    import signal
    import subprocess
    import sys

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp))
    child = subprocess.Popen([sys.executable, "-m", "viewer", "guide", "serve"],
                             stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        assert child.stderr is not None
        line = child.stderr.readline()  # printed once the guide is built and the port bound
        match = re.fullmatch(
            r"serving the guide at http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\n", line
        )
        assert match, line
        port = int(match[1])
        reply = _get_path(port, "/sv/")
        assert reply.status == 200 and b'lang="sv"' in reply.read()
        assert [p.name[:20] for p in tmp.iterdir()] == ["export-viewer-guide-"]
    finally:
        child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=30)
    assert code == 0
    assert list(tmp.iterdir()) == []  # the temporary build is gone


def _get_path(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    return conn.getresponse()
