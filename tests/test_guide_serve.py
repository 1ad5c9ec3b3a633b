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
