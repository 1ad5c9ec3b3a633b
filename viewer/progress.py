"""Progress of a long open: a rich bar on stderr for people, a plain callback for the server."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

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
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
