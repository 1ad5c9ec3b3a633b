"""A real server on loopback for the app tests: uvicorn in a thread, a signed-in httpx client."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from verify.contract import load_contract
from viewer.app.server import ViewerServer, make_server, prepare
from viewer.app.sessions import Session, Sessions
from viewer.sample import write_sample

PASSWORD = "correct horse battery"
RECORDS = 400
WAIT = 30.0  # seconds a test waits for something that normally takes well under one


@dataclass
class Running:
    """A server running in this process, and how to talk to it."""

    app: Any
    server: ViewerServer
    thread: threading.Thread
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return str(self.app.state.secrets.token)

    @property
    def csrf(self) -> str:
        return str(self.app.state.secrets.csrf)

    @property
    def sessions(self) -> Sessions:
        sessions: Sessions = self.app.state.sessions
        return sessions

    def client(self, *, signed_in: bool = True) -> httpx.Client:
        """Return a client; signed in means it exchanged the token for the run's cookie."""
        client = httpx.Client(base_url=self.base, follow_redirects=False, timeout=WAIT)
        if signed_in:
            reply = client.get(f"/?token={self.token}")
            assert reply.status_code == 303, reply.text
        return client


@contextmanager
def running(**options: Any) -> Iterator[Running]:
    """Run a server (no guide unless asked) for the duration of a with block."""
    options.setdefault("guide", False)
    contract = options.pop("contract", None) or load_contract()
    app, sock = prepare(contract, **options)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    until(lambda: server.started, "the server to start")
    try:
        yield Running(app, server, thread, sock.getsockname()[1])
    finally:
        server.request_stop()
        thread.join(WAIT)


def until(condition: Any, what: str, timeout: float = WAIT) -> None:
    """Wait until `condition()` is true (a bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def make_sample(folder: Path, *defects: str, password: str | None = PASSWORD) -> Path:
    """Write a small encrypted sample export (our generator) into `folder`."""
    path = folder / "export.zip"
    write_sample(path, records=RECORDS, password=password, defects=defects)
    return path


def open_ready(run: Running, path: Path, password: str | None = PASSWORD) -> Session:
    """Open an export directly through the run's sessions and wait until it is loaded."""
    session = run.sessions.open(path, password)
    until(lambda: session.state != "loading", "the export to load")
    assert session.state == "ready", session.error
    return session


def events(client: httpx.Client, url: str, *, until_event: str) -> list[tuple[str, Any]]:
    """Read server-sent events from `url` until one named `until_event`; return them all."""
    seen: list[tuple[str, Any]] = []
    name = None
    with client.stream("GET", url) as reply:
        assert reply.headers["content-type"].startswith("text/event-stream")
        for line in reply.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: ") and name:
                seen.append((name, json.loads(line.removeprefix("data: "))))
                if name == until_event:
                    return seen
    return seen


def csrf_of(html: str) -> str:
    """Return the CSRF token a page's form carries."""
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)
