"""Server-sent events: decryption progress, then "reloaded" notices, for one open export.

Generators poll the session a few times a second rather than wait on it: a load runs in a thread,
and every wake-up is also a chance to notice that the server is stopping and end the stream.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from viewer.app.sessions import FAILED, LOADING, READY, Session

TICK = 0.2  # seconds between looks at the session (and at the stop flag)
HEARTBEAT = 15.0  # seconds between comments that keep idle proxies and browsers from timing out


def event(name: str, data: dict[str, Any]) -> str:
    """Return one SSE message."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _progress(session: Session) -> dict[str, Any]:
    share = session.done / session.total if session.total else 0.0
    return {"done": session.done, "total": session.total, "share": round(share, 4)}


async def session_events(
    session: Session,
    *,
    ready_url: str,
    failed_url: str,
    stopping: threading.Event,
    generation: Callable[[], int],
    since: int | None = None,
) -> AsyncIterator[str]:
    """Yield progress while loading, then `ready` or `failed`, then `reload` on every reload."""
    seen_progress: dict[str, Any] | None = None
    seen_state: str | None = None
    seen_generation = since if since is not None else generation()
    quiet = 0.0
    yield "retry: 2000\n\n"
    while not stopping.is_set():
        state = session.state
        if state == LOADING and (progress := _progress(session)) != seen_progress:
            seen_progress = progress
            yield event("progress", progress)
        elif state != seen_state and state == FAILED:
            yield event("failed", {"message": session.error or "", "url": failed_url})
            return
        elif state != seen_state and state == READY:
            yield event("ready", {"url": ready_url, "records": _records(session)})
        elif state == READY and generation() != seen_generation:
            seen_generation = generation()
            yield event("reload", {"notice": session.notice, "generation": seen_generation})
        elif quiet >= HEARTBEAT:
            quiet = 0.0
            yield ": heartbeat\n\n"
        seen_state = state
        quiet += TICK
        await asyncio.sleep(TICK)


def _records(session: Session) -> int:
    try:
        return sum(t.info.records for t in session.site.tables.values())
    except LookupError:
        return 0
