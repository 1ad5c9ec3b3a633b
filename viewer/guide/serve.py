"""Serve a built guide on 127.0.0.1 with the standard library (static files, no personal data)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Any

from viewer.errors import OutputError


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with the local server's headers and a Host allow-list (DNS rebinding)."""

    allowed_hosts: frozenset[str] = frozenset()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _host_allowed(self) -> bool:
        if self.headers.get("Host", "") in self.allowed_hosts:
            return True
        self.send_error(421, "Misdirected Request")
        return False

    def do_GET(self) -> None:
        if self._host_allowed():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._host_allowed():
            super().do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the terminal shows the address, not every request


def make_server(root: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    """Return a server for `root` bound to 127.0.0.1 (port 0: a free one)."""
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    except OSError as exc:
        raise OutputError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
    bound = server.server_address[1]
    hosts = frozenset({f"127.0.0.1:{bound}", f"localhost:{bound}"})
    handler = type("GuideHandler", (_Handler,), {"allowed_hosts": hosts})
    server.RequestHandlerClass = functools.partial(handler, directory=str(root))
    return server
