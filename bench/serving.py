"""The servers under load: `export-viewer serve` and the peer's datasette, each a bounded child."""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.child import BenchError, Child, Done
from bench.load import HOST, REQUEST_TIMEOUT, Latency, hammer
from bench.samples import Sample, tool

SERVING = r"Serving at http://127\.0\.0\.1:(\d+)/\?token=(\S+)"
TABLE = "sms"  # the biggest table of every sample: the one people page through
PAGE_SIZE = 50  # our page size; datasette is set to the same
REQUESTS = 640
SERIAL_REQUESTS = 100  # one client alone, before the sixteen
Figures = dict[str, float]


def page_numbers(records: int, count: int = REQUESTS) -> list[int]:
    """Return a fixed spread of page numbers (1-based) over a table, the same for both servers."""
    pages = max(1, -(-records // PAGE_SIZE))
    rng = random.Random(1)
    return [rng.randint(1, pages) for _ in range(count)]


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    """GET one path on a fresh loopback connection and return the read response."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.body = response.read()  # type: ignore[attr-defined]
        return response
    finally:
        conn.close()


def until_ok(port: int, path: str, headers: dict[str, str], deadline: float) -> bytes:
    """Poll a page (bounded by deadline) until it answers 200; return its body."""
    while time.monotonic() < deadline:
        try:
            response = get(port, path, headers)
        except OSError:  # not listening yet
            response = None
        if response is not None and response.status == 200:
            body: bytes = response.body  # type: ignore[attr-defined]
            return body
        time.sleep(0.02)
    raise BenchError(f"{path} did not answer 200 in time")


def latency_figures(prefix: str, latency: Latency) -> Figures:
    """Return p50/p99 in milliseconds and the request counts of one load."""
    return {
        f"{prefix}_p50_ms": latency.percentile(50) * 1000,
        f"{prefix}_p99_ms": latency.percentile(99) * 1000,
        f"{prefix}_requests": len(latency.seconds),
        f"{prefix}_failed": latency.failed,
    }


def serial(prefix: str, port: int, paths: Sequence[str], headers: dict[str, str]) -> Figures:
    """Return the p50 of one client paging alone: what one page costs the server.

    Sixteen clients can at best share two cores: their p50 cannot be under 8 times this.
    """
    alone = hammer(port, paths, headers, clients=1, per_client=SERIAL_REQUESTS)
    return {f"{prefix}_serial_p50_ms": alone.percentile(50) * 1000}


def measure(child: Child, first: Callable[[float], Figures]) -> Figures:
    """Run first(deadline) against a started server child, then stop it and add its peak RSS."""
    try:
        figures = first(time.monotonic() + 1800)
    finally:
        done: Done = child.stop()
    return {**figures, "rss": done.peak_rss}


def serve_ours(sample: Sample, timeout: float) -> Figures:
    """Start `export-viewer serve`, time it to the overview, then page the biggest table."""
    child = Child([tool(), "serve", sample.zip, "--password-file", sample.password_file,
                   "--no-browser", "--no-guide", "--quiet"])  # fmt: skip

    def first(deadline: float) -> Figures:
        m = child.wait_for(SERVING, timeout)
        port, headers = int(m[1]), {"Cookie": sign_in(int(m[1]), m[2])}
        start = json.loads(until_ok(port, "/?format=json", headers, deadline))
        root = f"/x/{start['exports'][0]['id']}/en/"
        until_ok(port, root + "index.html", headers, time.monotonic() + timeout)
        first_s = time.perf_counter() - child.started
        table = json.loads(until_ok(port, f"{root}tables/{TABLE}/index.html?format=json",
                                    headers, deadline))  # fmt: skip
        paths = [f"{root}tables/{TABLE}/page-{n}.html" for n in page_numbers(
            table["table"]["records"])]  # fmt: skip
        return {"serve_first_s": first_s, **serial("serve", port, paths, headers),
                **latency_figures("serve", hammer(port, paths, headers))}  # fmt: skip

    figures = measure(child, first)
    figures["serve_rss"] = figures.pop("rss")
    return figures


def sign_in(port: int, token: str) -> str:
    """Present the run's token once and return the cookie it is exchanged for."""
    response = get(port, f"/?token={token}", {})
    cookie = response.getheader("set-cookie")
    if response.status != 303 or not cookie:
        raise BenchError(f"token exchange answered {response.status}")
    return cookie.split(";", 1)[0]


def free_port() -> int:
    """Return a port on 127.0.0.1 that was free a moment ago (datasette needs a number)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def serve_peer(db: Path, bin_dir: Path, records: int, timeout: float) -> Figures:
    """Start datasette on the loaded database, time it to the first table page, then page it."""
    port = free_port()
    child = Child([bin_dir / "datasette", "serve", db, "--host", HOST, "--port", str(port),
                   *datasette_settings()])  # fmt: skip

    def first(deadline: float) -> Figures:
        base = f"/{db.stem}/{TABLE}"
        until_ok(port, base, {}, time.monotonic() + timeout)
        first_s = time.perf_counter() - child.started
        # datasette pages by keyset (_next=rowid): page n starts after rowid (n - 1) * 50.
        paths = [f"{base}?_next={(n - 1) * PAGE_SIZE}" if n > 1 else base
                 for n in page_numbers(records)]  # fmt: skip
        return {"peer_first_s": first_s, **serial("peer", port, paths, {}),
                **latency_figures("peer", hammer(port, paths, {}))}  # fmt: skip

    figures = measure(child, first)
    figures["peer_rss"] = figures.pop("rss")
    return figures


def datasette_settings() -> Sequence[str]:
    """Return datasette's settings: our page size, no facet suggestions (our pages have none)."""
    return ("--setting", "default_page_size", str(PAGE_SIZE),
            "--setting", "suggest_facets", "off")  # fmt: skip
