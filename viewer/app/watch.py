"""Follow files on disk: an open export that is replaced is reloaded (and the user told); with
--dev, changed templates, contract or guide sources rebuild and reload the open pages.

Editors and browsers save by writing a new file and renaming it over the old one, so the parent
folder is watched with a name filter; a file is reloaded only once its size and mtime stand still.
The watcher starts after the first load, so it compares the file with what was loaded (inode,
size, mtime) rather than trusting events alone: a replacement made before it started is not lost.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchfiles import Change, watch

STABLE_CHECKS = 3  # equal size+mtime readings in a row
STABLE_INTERVAL = 0.2  # seconds between readings
STABLE_TIMEOUT = 60.0  # give up on a file that keeps changing for this long
STEP_MS = 50
DEBOUNCE_MS = 300
RECHECK_MS = 1000  # without events, compare the file with what was loaded this often

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    """Return what identifies this version of a file (inode, size, mtime), or None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def wait_stable(path: Path, stop: threading.Event, *, interval: float = STABLE_INTERVAL) -> bool:
    """Wait until `path` exists with the same size and mtime for a few readings; False on stop."""
    deadline = time.monotonic() + STABLE_TIMEOUT
    last: tuple[int, int] | None = None
    same = 0
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            st = os.stat(path)
            now: tuple[int, int] | None = (st.st_size, st.st_mtime_ns)
        except OSError:
            now = None
        same = same + 1 if now is not None and now == last else 0
        if same >= STABLE_CHECKS - 1:
            return True
        last = now
        stop.wait(interval)
    return False


def name_filter(name: str) -> Callable[[Change, str], bool]:
    """Return a watchfiles filter that passes changes to files called `name` only."""

    def keep(change: Change, path: str) -> bool:
        return Path(path).name == name and change != Change.deleted

    return keep


def follow_file(
    path: Path,
    stop: threading.Event,
    on_change: Callable[[], None],
    loaded: Signature | None = None,
) -> None:
    """Call `on_change` each time the file at `path` differs from the version last loaded.

    `loaded` is the file's signature taken before it was read; without it, the file as it is now.
    """
    last = loaded if loaded is not None else signature(path)
    changes = watch(
        path.parent,
        watch_filter=name_filter(path.name),
        stop_event=stop,
        step=STEP_MS,
        debounce=DEBOUNCE_MS,
        rust_timeout=RECHECK_MS,
        yield_on_timeout=True,
        recursive=False,
        raise_interrupt=False,
    )
    for _ in changes:
        if signature(path) in (last, None) or not wait_stable(path, stop):
            continue
        last = signature(path)
        on_change()


def follow_sources(
    folders: list[Path], stop: threading.Event, on_change: Callable[[set[Path]], None]
) -> None:
    """Call `on_change` with the changed files under `folders` (templates, contract, guide)."""
    existing = [f for f in folders if f.exists()]
    for changes in watch(
        *existing, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS, raise_interrupt=False
    ):
        on_change({Path(p) for _, p in changes})


def in_thread(target: Callable[..., object], *args: object, name: str) -> threading.Thread:
    """Run a watcher in a daemon thread (it ends with its stop event, or with the process)."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread
