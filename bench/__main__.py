"""Measure the whole product against the floor and the peer; write bench/results.md.

python -m bench                              # typical and heavy, everything (make bench)
python -m bench --size typical --only serve  # one figure group, printed (no file unless --out)
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench import contenders, report, serving
from bench.child import BenchError
from bench.machine import describe
from bench.peer import peer
from bench.peer_env import PEER_VENV, ensure_peer
from bench.samples import Sample, ensure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
SIZES = ("typical", "heavy")
RUNS = {"typical": 3, "heavy": 3}
TIMEOUT = {"typical": 900.0, "heavy": 600.0}  # a build past this is stopped and marked
Figures = dict[str, float]
Contender = Callable[[Sample, float], Figures]


def contenders_by_name(peer_bin: Callable[[], Path]) -> dict[str, Contender]:
    """Return every contender by name, in the order they run."""
    return {
        "sample": contenders.generate,
        "floor": contenders.floor,
        "open": contenders.open_export,
        "costs": contenders.costs,
        "verify": contenders.verify,
        "build": contenders.build,
        "serve": serving.serve_ours,
        "peer": lambda sample, timeout: peer(sample, peer_bin(), timeout),
    }


def median(runs: Sequence[Figures]) -> Figures:
    """Return the median of each figure over runs (keys present in every run)."""
    keys = set.intersection(*(set(r) for r in runs))
    return {k: statistics.median(r[k] for r in runs) for k in sorted(keys)}


def measure(size: str, only: Sequence[str], runs: int, timeout: float,
            table: dict[str, Contender], notes: list[str]) -> Figures:  # fmt: skip
    """Measure one size: each contender runs times; a failing one becomes a note."""
    sample = ensure(size)
    figures: Figures = {"zip_bytes": sample.zip.stat().st_size}
    for name in only:
        done: list[Figures] = []
        try:
            for n in range(runs):
                print(f"bench: {size} {name} run {n + 1}/{runs}", file=sys.stderr, flush=True)
                done.append(table[name](sample, timeout))
        except BenchError as exc:
            notes.append(f"{size}, {name}: not available: {exc}")
        if done:
            figures.update(median(done))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the bench and write the results."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", choices=SIZES, help="default: both")
    names = list(contenders_by_name(ensure_peer))
    parser.add_argument("--only", action="append", choices=names, help="default: all")
    parser.add_argument("--runs", type=int, help="runs per figure (default: 3)")
    parser.add_argument("--timeout", type=float, help="seconds per run before it is stopped")
    parser.add_argument("--out", type=Path, help=f"results file (default: {RESULTS} on full runs)")
    args = parser.parse_args(argv)
    sizes, only = args.size or list(SIZES), args.only or names
    out = args.out or (RESULTS if not args.size and not args.only else None)
    peer_bin: list[Path] = []

    def bin_dir() -> Path:
        peer_bin[:] = peer_bin or [ensure_peer()]
        return peer_bin[0]

    compile_project()
    table, notes = contenders_by_name(bin_dir), list(run_notes(sizes, args.runs))
    results = {s: measure(s, only, args.runs or RUNS[s], args.timeout or TIMEOUT[s], table, notes)
               for s in sizes}  # fmt: skip
    text = report.markdown(results, describe(peer_bin[0] if peer_bin else None), notes)
    print(text)
    if out is not None:
        out.write_text(text)
        print(f"bench: wrote {out}", file=sys.stderr)
    return 0


def compile_project() -> None:
    """Write the project's bytecode, as installing a wheel does (the venv's install is editable).

    Without it, an environment with PYTHONDONTWRITEBYTECODE set compiles every module at every
    start of every child, which a user's installed tool never does."""
    for package in ("viewer", "verify"):
        compileall.compile_dir(ROOT / package, quiet=1)


def run_notes(sizes: Sequence[str], runs: int | None) -> list[str]:
    """Return the notes on method that every results file carries."""
    counts = ", ".join(f"{s}: {runs or RUNS[s]}" for s in sizes)
    return [
        f"Each figure is the median over runs ({counts}).",
        "Time is wall time of a fresh child process; peak RSS is that child's own maximum "
        "resident set size (wait4 rusage); verify forks a worker, so its peak is the sum of "
        "both processes' own peaks (shared pages counted twice).",
        "The project's bytecode is written first, as installing a wheel does.",
        "build and serve run with --no-guide: the guide is the same for every export.",
        f"Load: 16 clients, {serving.REQUESTS} table pages of `{serving.TABLE}` at the same "
        "pseudo-random page numbers for both servers, on 127.0.0.1, bounded in count and time.",
        "The peer runs datasette with page size 50 (ours) and without facet suggestions (our "
        f"pages have none); its tools live in {PEER_VENV.name}/, never in the project.",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
