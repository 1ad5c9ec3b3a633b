"""Run the app with uvicorn on 127.0.0.1 only: a free port by default, graceful shutdown, and the
one line that tells the user where to go.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from verify.contract import Contract
from viewer.app import AppConfig, ContractFiles, create_app
from viewer.app.dev import start_dev
from viewer.app.guide import ensure_guide
from viewer.app.security import DEFAULT_MAX_UPLOAD
from viewer.app.sessions import Sessions
from viewer.app.watch import in_thread
from viewer.errors import OutputError

HOST = "127.0.0.1"  # loopback only, never 0.0.0.0
GRACEFUL_SECONDS = 3


def bind(port: int = 0) -> socket.socket:
    """Return a listening socket on 127.0.0.1 (port 0: a free one, chosen by the system)."""
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they
    # are TCP, and with Nagle on every small reply waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise OutputError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from exc
    return sock


def address(port: int, token: str) -> str:
    """Return the address the user opens (the token becomes a cookie, then leaves the URL)."""
    return f"http://{HOST}:{port}/?token={token}"


class ViewerServer(uvicorn.Server):
    """A uvicorn server that tells the app to stop its streams the moment shutdown begins.

    `on_started` (what prints the address) runs once it serves and its own Ctrl+C handler is set,
    so that a Ctrl+C sent the moment the address appears always stops it, even in a process that
    inherited Ctrl+C ignored (a shell script's background job, some harnesses).
    """

    def __init__(
        self,
        config: uvicorn.Config,
        stopping: threading.Event,
        on_started: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(config)
        self.stopping = stopping
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit and self.on_started is not None:
            self.on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stopping.set()  # progress streams and loads end now, not at the graceful timeout
        super().handle_exit(sig, frame)

    def request_stop(self) -> None:
        """Stop from another thread (tests, the demo)."""
        self.stopping.set()
        self.should_exit = True


def make_server(app: Starlette, on_started: Callable[[], None] | None = None) -> ViewerServer:
    """Return the uvicorn server for the app: quiet, HTTP only, bounded shutdown."""
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        ws="none",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        server_header=False,
    )
    return ViewerServer(config, app.state.stopping, on_started)


def prepare(
    contract: Contract,
    *,
    port: int = 0,
    lang: str = "en",
    guide: bool = True,
    dev: bool = False,
    files: ContractFiles | None = None,
    max_upload: int = DEFAULT_MAX_UPLOAD,
    guide_folder: Path | None = None,
) -> tuple[Starlette, socket.socket]:
    """Bind the port, build the guide if needed, and return the app with its socket.

    `files` says where `contract` came from (--contract, --mapping): the guide documents it,
    and --dev loads it again when it changes.
    """
    files = files or ContractFiles()
    sock = bind(port)
    try:
        built = (ensure_guide(guide_folder, contract=files.contract, mapping=files.mapping)
                 if guide else None)  # fmt: skip
        config = AppConfig(sock.getsockname()[1], contract, lang=lang, guide=built,
                           max_upload=max_upload, dev=dev, files=files)  # fmt: skip
        app = create_app(config)
    except BaseException:
        sock.close()
        raise
    if dev:
        start_dev(app)
    return app, sock


def run_server(
    app: Starlette, sock: socket.socket, *, open_browser: bool, intro: Sequence[str] = ()
) -> None:
    """Serve until Ctrl+C; once serving, print `intro` and the address, and open the browser."""
    config: AppConfig = app.state.config
    sessions: Sessions = app.state.sessions
    url = address(config.port, config.secrets.token)

    def started() -> None:
        for line in intro:  # (what tells of Ctrl+C only once Ctrl+C is handled)
            print(line)
        print(f"Serving at {url}", flush=True)
        if open_browser:
            # webbrowser may block on some systems (a console browser): never hold up the server.
            in_thread(webbrowser.open, url, name="browser")

    try:  # from the first line: Ctrl+C may come before uvicorn handles it, even before it runs
        make_server(app, started).run(sockets=[sock])
    finally:
        sessions.shutdown()  # again, in case the lifespan did not get to run
        sock.close()
