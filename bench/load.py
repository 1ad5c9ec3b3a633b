"""Page latency under concurrent clients on loopback: stdlib threads + http.client, bounded."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

HOST = "127.0.0.1"
CLIENTS = 16
PER_CLIENT = 40  # 640 requests in all: enough for a p99 from the worst few
LOAD_SECONDS = 120.0  # each client stops here, whatever it still had to do
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Latency:
    """The outcome of one load: per-request seconds (sorted) and how many requests failed."""

    seconds: tuple[float, ...]
    failed: int

    def percentile(self, p: float) -> float:
        """Return the nearest-rank percentile p (0-100) in seconds."""
        if not self.seconds:
            raise ValueError("no successful request")
        rank = max(1, -(-len(self.seconds) * p // 100))
        return self.seconds[int(rank) - 1]


def fetch(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> int:
    """GET one path on a kept-alive connection, read the whole body, return the status."""
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def _client(port: int, paths: Sequence[str], headers: dict[str, str], deadline: float,
            out: list[float], failed: list[int]) -> None:  # fmt: skip
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for path in paths:
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            try:
                ok = fetch(conn, path, headers) == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()  # reconnects on the next request
            if ok:
                out.append(time.perf_counter() - start)
            else:
                failed.append(1)
    finally:
        conn.close()


def hammer(port: int, paths: Sequence[str], headers: dict[str, str], *,
           clients: int = CLIENTS, per_client: int = PER_CLIENT,
           seconds: float = LOAD_SECONDS) -> Latency:  # fmt: skip
    """Have clients fetch paths (round-robin slices) concurrently; return their latencies."""
    deadline = time.monotonic() + seconds
    out: list[float] = []
    failed: list[int] = []
    threads = []
    for n in range(clients):
        mine = [paths[(n * per_client + i) % len(paths)] for i in range(per_client)]
        t = threading.Thread(target=_client, args=(port, mine, headers, deadline, out, failed))
        threads.append(t)
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT + 5)  # a client ends by its deadline and its timeout
    return Latency(tuple(sorted(out)), len(failed))
