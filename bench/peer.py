"""The peer, the path a user takes instead: `7z x`, `sqlite-utils insert` per table, datasette.

Each JSON file is an object of `"table": [records]`: one table per file (per-service layout) or
every table in one file (single-file layout). sqlite-utils wants a bare array, so each table is
cut out with `jq -c '.[name]'` and piped in; the tables' names come from `jq 'keys'`, which
handles both layouts alike.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from bench.child import Arg, run
from bench.samples import PASSWORD, Sample
from bench.serving import TABLE, serve_peer

Figures = dict[str, float]
# The table name and file go in as arguments, never into the script text.
INSERT = 'set -o pipefail; jq -c --arg t "$1" \'.[$t]\' "$2" | "$3" insert "$4" "$1" -'


def extract(sample: Sample, into: Path, timeout: float) -> float:
    """Extract the export with 7-Zip (the password as a 7z user would give it); return seconds."""
    argv: list[Arg] = ["7z", "x", f"-p{PASSWORD}", f"-o{into}", "-y", "-bd", sample.zip]
    return run(argv, timeout=timeout).seconds


def load(folder: Path, db: Path, bin_dir: Path, timeout: float) -> tuple[float, int]:
    """Insert every table of every JSON file into db; return total seconds and peak RSS."""
    seconds, peak = 0.0, 0
    for path in sorted(folder.rglob("*.json")):
        keys = run(["jq", "-r", "keys_unsorted[]", path], timeout=timeout)
        seconds, peak = seconds + keys.seconds, max(peak, keys.peak_rss)
        for table in keys.stdout.split():
            argv: list[Arg] = [
                "bash",
                "-c",
                INSERT,
                "insert",
                table,
                path,
                bin_dir / "sqlite-utils",
                db,
            ]
            done = run(argv, timeout=timeout)
            seconds, peak = seconds + done.seconds, max(peak, done.peak_rss)
    return seconds, peak


def rows(db: Path, table: str) -> int:
    """Return the row count of one table of the peer's database."""
    with sqlite3.connect(db) as conn:
        # the name comes from our own sample's keys, quoted as an identifier
        count: int = conn.execute(f'select count(*) from "{table}"').fetchone()[0]  # noqa: S608
    return count


def peer(sample: Sample, bin_dir: Path, timeout: float) -> Figures:
    """Extract, load and serve a sample the peer's way; return its figures."""
    folder = Path(tempfile.mkdtemp(prefix="bench-peer-"))  # 0700: the plaintext lands here
    try:
        extract_s = extract(sample, folder / "export", timeout)
        db = folder / "export.db"
        load_s, load_rss = load(folder / "export", db, bin_dir, timeout)
        served = serve_peer(db, bin_dir, rows(db, TABLE), timeout)
        return {"peer_extract_s": extract_s, "peer_load_s": load_s, "peer_load_rss": load_rss,
                "peer_db_bytes": db.stat().st_size, **served,
                "peer_total_s": extract_s + load_s + served["peer_first_s"]}  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
