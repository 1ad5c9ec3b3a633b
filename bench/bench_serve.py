"""Benchmark `export-viewer serve` on loopback: first overview page, table-page latency, memory.

    python bench/bench_serve.py --size typical          # writes a sample into a temp folder
    python bench/bench_serve.py --export X.zip --password-file F

Measured against a real server in a child process: the time from starting it with an export to
the first overview page (against the open floor: decrypt + inflate + parse, keep nothing);
table-page latency p50/p99 with 16 concurrent clients paging the biggest table (bounded request
count and time); the server's peak RSS (VmHWM) against the decompressed JSON size.
Targets: first page <= 2x the floor; p99 < 100 ms; peak RSS <= 2x the decompressed JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_open import FLOOR  # the same floor as the open benchmark

CLIENTS = 16
REQUESTS = 1600  # in all, over the clients
TIME_CAP = 60.0  # seconds for the latency phase, whichever ends first
PASSWORD = "bench-password"
LINE = re.compile(r"Serving at (http://127\.0\.0\.1:\d+)/\?token=(\S+)")


def floor_seconds(export: Path, password_file: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", FLOOR, str(export), str(password_file)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def start(export: Path, password_file: Path) -> tuple[subprocess.Popen[str], httpx.Client, float]:
    """Start the server and return it, a signed-in client, and the time to the first overview."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "viewer", "serve", str(export), "--password-file",
         str(password_file), "--no-browser", "--no-guide"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    match = LINE.search(proc.stdout.readline())
    assert match, "the server did not print its address"
    client = httpx.Client(base_url=match[1], timeout=120)
    client.get(f"/?token={match[2]}")
    while True:
        exports = client.get("/?format=json").json()["exports"]
        if exports and exports[0]["state"] == "ready":
            break
        time.sleep(0.05)
    reply = client.get(f"/x/{exports[0]['id']}/en/index.html")
    assert reply.status_code == 200
    return proc, client, time.perf_counter() - started


def page_latencies(client: httpx.Client, sid: str) -> tuple[list[float], str, int]:
    """Page through the biggest table with CLIENTS threads; return the latencies in seconds."""
    overview = client.get(f"/x/{sid}/en/index.html?format=json").json()
    biggest = max(overview["services"], key=lambda s: s["records"])
    service = client.get(f"/x/{sid}/en/{biggest['href']}?format=json").json()
    table = max(service["tables"], key=lambda t: t["records"])
    pages = max(1, -(-table["records"] // 50))
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_CAP
    cookies = client.cookies

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=client.base_url, cookies=cookies, timeout=60) as own:
            for _ in range(REQUESTS // CLIENTS):
                if time.monotonic() > deadline:
                    return
                n = rng.randint(1, pages)
                path = table["href"] if n == 1 else table["href"].replace("index", f"page-{n}")
                t0 = time.perf_counter()
                assert own.get(f"/x/{sid}/en/{path}").status_code == 200
                with lock:
                    latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, table["name"], pages


def peak_rss(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text)[1]) * 1024  # type: ignore[index]


def run(export: Path, password_file: Path) -> dict[str, object]:
    floor = floor_seconds(export, password_file)
    proc, client, first = start(export, password_file)
    try:
        sid = client.get("/?format=json").json()["exports"][0]["id"]
        overview = client.get(f"/x/{sid}/en/index.html?format=json").json()
        latencies, table, pages = page_latencies(client, sid)
        peak = peak_rss(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    latencies.sort()
    json_bytes = overview["archive"]["uncompressed"]
    return {
        "export": str(export), "records": overview["summary"]["records"],
        "floor_s": round(floor, 2), "first_page_s": round(first, 2),
        "first_page_vs_floor": round(first / floor, 2),
        "table": table, "pages": pages, "requests": len(latencies), "clients": CLIENTS,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "peak_rss_mb": round(peak / 1e6, 1), "json_mb": round(json_bytes / 1e6, 1),
        "peak_vs_json": round(peak / json_bytes, 2),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="typical", help="sample size when no --export")
    parser.add_argument("--export", type=Path)
    parser.add_argument("--password-file", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        export, password_file = args.export, args.password_file
        if export is None:
            from viewer.sample import write_sample

            export, password_file = Path(tmp) / "export.zip", Path(tmp) / "pw"
            password_file.write_text(PASSWORD + "\n")
            write_sample(export, size=args.size, password=PASSWORD)
        print(json.dumps(run(export, password_file), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
