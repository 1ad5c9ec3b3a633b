"""Benchmark opening an export: the floor (decrypt + inflate + parse, keep nothing) vs load_export.

    python bench/bench_open.py SAMPLE.zip --password-file F [--runs 3]
    python bench/bench_open.py --make heavy --out /tmp/heavy.zip   # write a sample first

Three contenders, each run in its own child process, in turn, `--runs` times (median reported):
the floor, `load_export` into the in-memory Store, and `verify` (statistics only, no Store). Wall
time and peak RSS (VmHWM) are reported, with the decompressed JSON size. Targets: load and verify
time <= 1.5x the floor of the same run; load peak RSS <= 1.5x the decompressed JSON; verify peak
RSS <= 256 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = """
import sys, pyzipper, ijson
from viewer.archive import is_json_name
from viewer.options import read_password_file
backend = ijson.get_backend("yajl2_c")
total = 0
with pyzipper.AESZipFile(sys.argv[1]) as zf:
    zf.setpassword(read_password_file(sys.argv[2]).encode())
    for info in zf.infolist():
        if not is_json_name(info.filename):
            continue
        events = ijson.sendable_list()
        coro = backend.basic_parse_coro(events, use_float=False)
        with zf.open(info) as stream:
            while chunk := stream.read(256 * 1024):
                total += len(chunk)
                coro.send(chunk)
                del events[:]
        coro.close()
print(total)
"""

OURS = """
import sys, time
from pathlib import Path
from verify.contract import load_contract
from viewer.loader import load_export
from viewer.options import password_source
last = [0.0]
def progress(done, total):
    last[0] = time.perf_counter()  # the last call comes once every record is in
r = load_export(Path(sys.argv[1]), password=password_source(sys.argv[2]), contract=load_contract(),
                progress=progress)  # search=True: the text is indexed on another thread meanwhile
after = time.perf_counter() - last[0]  # the sort indexes, and whatever the text index still needed
assert r.store.searchable
print(r.info.uncompressed, sum(t.records for t in r.store.tables()), len(r.problems), after)
"""

VERIFY = """
import sys
from pathlib import Path
from verify.contract import load_contract
from verify.run import verify_export
from viewer.options import password_source
report = verify_export(Path(sys.argv[1]), load_contract(), password=password_source(sys.argv[2]))
print(report["summary"]["status"])
"""

HWM = """
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        print(int(line.split()[1]) * 1024)
"""


def run(code: str, sample: Path, password_file: Path) -> tuple[float, int, str]:
    """Run one side in a child; return wall seconds, peak RSS bytes and its output line."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code + HWM, str(sample), str(password_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    out, peak = done.stdout.strip().splitlines()
    return wall, int(peak), out


def make(size: str, out: Path) -> None:
    """Write a sample export with viewer.sample and its password beside it."""
    from viewer.sample import write_sample

    summary = write_sample(out, size=size, password="bench password")
    (out.parent / (out.name + ".pw")).write_text(str(summary.password) + "\n")
    print(f"wrote {out} and {out.name}.pw")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", nargs="?", type=Path)
    parser.add_argument("--password-file", type=Path)
    parser.add_argument("--make", metavar="SIZE", help="write a sample of this size first")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-sample.zip"))
    parser.add_argument("--runs", type=int, default=1, help="runs per contender (median)")
    args = parser.parse_args()
    if args.make:
        make(args.make, args.out)
        args.sample = args.sample or args.out
        args.password_file = args.password_file or args.out.parent / (args.out.name + ".pw")
    if not args.sample or not args.password_file:
        parser.error("give SAMPLE and --password-file (or --make SIZE)")
    contenders = {"floor": FLOOR, "load_export": OURS, "verify": VERIFY}
    runs: dict[str, list[tuple[float, int, str]]] = {name: [] for name in contenders}
    for _ in range(args.runs):  # interleaved, so a noisy moment hits every contender alike
        for name, code in contenders.items():
            runs[name].append(run(code, args.sample, args.password_file))
    json_bytes, records, problems = (int(x) for x in runs["load_export"][0][2].split()[:3])
    result: dict[str, object] = {
        "sample": str(args.sample),
        "zip_bytes": args.sample.stat().st_size,
        "json_bytes": json_bytes,
        "records": records,
        "problems": problems,
        "runs": args.runs,
    }
    floor = statistics.median(r[0] for r in runs["floor"])
    for name, done in runs.items():
        seconds = statistics.median(r[0] for r in done)
        peak = max(r[1] for r in done)
        result[name] = {
            "seconds": round(seconds, 2),
            "all_seconds": [round(r[0], 2) for r in done],
            "peak_rss_mb": round(peak / 1e6, 1),
            "time_vs_floor": round(seconds / floor, 2),
            "rss_vs_json": round(peak / json_bytes, 2),
        }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
