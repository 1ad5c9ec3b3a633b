"""Benchmark opening an export: the floor (decrypt + inflate + parse, keep nothing) vs load_export.

    python bench/bench_open.py SAMPLE.zip --password-file F
    python bench/bench_open.py --make heavy --out /tmp/heavy.zip   # write a sample first

Each side runs in its own child process; wall time and peak RSS (VmHWM) are reported, with the
decompressed JSON size. Targets: time <= 1.5x the floor, peak RSS <= 1.5x the decompressed JSON.
"""

from __future__ import annotations

import argparse
import json
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
import sys
from pathlib import Path
from verify.contract import load_contract
from viewer.loader import load_export
from viewer.options import password_source
r = load_export(Path(sys.argv[1]), password=password_source(sys.argv[2]), contract=load_contract())
print(r.info.uncompressed, sum(t.records for t in r.store.tables()), len(r.problems))
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
    args = parser.parse_args()
    if args.make:
        make(args.make, args.out)
        args.sample = args.sample or args.out
        args.password_file = args.password_file or args.out.parent / (args.out.name + ".pw")
    if not args.sample or not args.password_file:
        parser.error("give SAMPLE and --password-file (or --make SIZE)")
    floor_s, floor_rss, _ = run(FLOOR, args.sample, args.password_file)
    ours_s, ours_rss, line = run(OURS, args.sample, args.password_file)
    json_bytes, records, problems = (int(x) for x in line.split())
    result = {
        "sample": str(args.sample),
        "zip_bytes": args.sample.stat().st_size,
        "json_bytes": json_bytes,
        "records": records,
        "problems": problems,
        "floor": {"seconds": round(floor_s, 2), "peak_rss": floor_rss},
        "load_export": {"seconds": round(ours_s, 2), "peak_rss": ours_rss},
        "time_vs_floor": round(ours_s / floor_s, 2),
        "rss_vs_json": round(ours_rss / json_bytes, 2),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
