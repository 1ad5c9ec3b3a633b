"""Progress of a long open: a rich bar on stderr for people, a plain callback for the server."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

REDRAW_SECONDS = 0.1
ProgressCallback = Callable[[int, int], None]
"""Called with (bytes done, bytes total) as an export is read."""


def wants_bar(stream: TextIO | None = None, *, quiet: bool = False) -> bool:
    """Return whether a progress bar should be drawn: a terminal and not --quiet."""
    stream = stream if stream is not None else sys.stderr
    return not quiet and stream is not None and stream.isatty()


@contextmanager
def progress_bar(
    description: str = "Opening", *, quiet: bool = False, stream: TextIO | None = None
) -> Iterator[ProgressCallback | None]:
    """Yield a callback drawing bytes, rate and ETA on stderr, or None when it should be silent."""
    stream = stream if stream is not None else sys.stderr
    if not wants_bar(stream, quiet=quiet):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    # Redrawn from the callback, not by rich's own thread: a process with one thread can fork
    # (verify's worker).
    with Progress(
        *columns, console=Console(file=stream), transient=True, auto_refresh=False
    ) as bar:
        task = bar.add_task(description, total=None)
        drawn = [0.0]

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            now = time.monotonic()
            if now - drawn[0] >= REDRAW_SECONDS:
                drawn[0] = now
                bar.refresh()

        yield update
