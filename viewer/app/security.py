"""What keeps a local server private: Host allow-list, per-run token cookie, Origin + CSRF on POST,
security headers on every response, and a cap on request bodies (uploads).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
TOKEN_PARAM = "token"  # noqa: S105 (a parameter name)
CSRF_FIELD = "csrf"
DEFAULT_MAX_UPLOAD = 4 * 1024**3  # an export is rarely above a few GB compressed
# Viewer pages: our own files only, no inline code; SSE and forms back to this server.
VIEWER_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = (
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


@dataclass(frozen=True)
class Secrets:
    """One run's secrets: the URL token, the cookie it becomes, and the CSRF token of forms."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    cookie_name: str = field(default_factory=lambda: f"export_viewer_{secrets.token_hex(4)}")
    cookie_value: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def allowed_hosts(port: int) -> frozenset[str]:
    """Return the Host headers a request to this server may carry (anything else: DNS rebinding)."""
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def same_origin(headers: dict[str, str], host: str) -> bool:
    """Return whether a POST comes from a page of this server.

    Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with form posts (Fetch
    standard); then the browser's own `Sec-Fetch-Site`, which no page can set, must say
    same-origin. Any other Origin must be exactly ours.
    """
    origin = headers.get("origin")
    if origin == "null":
        return headers.get("sec-fetch-site") == "same-origin"
    return origin == f"http://{host}"


class Guard:
    """ASGI middleware: refuse what is not ours, then add the security headers to every reply."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        port: int,
        secrets: Secrets,
        max_upload: int = DEFAULT_MAX_UPLOAD,
        csp_for: Callable[[str], str] = lambda path: VIEWER_CSP,
    ) -> None:
        self.app = app
        self.hosts = allowed_hosts(port)
        self.secrets = secrets
        self.max_upload = max_upload
        self.csp_for = csp_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send, self.csp_for(scope["path"]))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(send)
            return
        await self.app(scope, self._capped(receive), send)

    def _refusal(
        self, scope: Scope, headers: dict[str, str]
    ) -> Callable[[Send], Awaitable[None]] | None:
        """Return the reply that refuses this request, or None to let it through."""
        host = headers.get("host", "")
        if host not in self.hosts:
            return _reply(400, "Bad Host header: this server answers on 127.0.0.1 only.")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if TOKEN_PARAM in query:
            return self._exchange(scope, query)
        cookie = _cookie(headers.get("cookie", ""), self.secrets.cookie_name)
        if cookie is None:
            return _reply(401, "Open the address with ?token=... that the terminal printed.")
        if not same(cookie, self.secrets.cookie_value):
            return _reply(403, "This browser is not signed in to this server run.")
        if scope["method"] not in {"GET", "HEAD"}:
            if not same_origin(headers, host):
                return _reply(403, "Cross-origin request refused.")
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_upload):
                return _reply(413, f"Upload too large (at most {self.max_upload} bytes).")
        return None

    def _exchange(self, scope: Scope, query: dict[str, str]) -> Callable[[Send], Awaitable[None]]:
        """Turn a valid ?token= into the run's cookie and redirect to the URL without it."""
        if not same(query[TOKEN_PARAM], self.secrets.token):
            return _reply(403, "Wrong token: open the address the terminal printed.")
        rest = urlencode([(k, v) for k, v in query.items() if k != TOKEN_PARAM])
        location = scope["path"] + (f"?{rest}" if rest else "")
        cookie = (
            f"{self.secrets.cookie_name}={self.secrets.cookie_value}; Path=/; HttpOnly; "
            "SameSite=Strict"
        )
        return _reply(
            303, "Signed in.", [(b"location", location.encode()), (b"set-cookie", cookie.encode())]
        )

    def _capped(self, receive: Receive) -> Receive:
        """Return a receive that stops a body (chunked or lying) beyond the upload cap."""
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_upload:
                    raise HTTPException(413, f"Upload too large (at most {self.max_upload} bytes).")
            return message

        return capped

    def _with_headers(self, send: Send, csp: str) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() != b"cache-control"
                ]
                headers += [*HEADERS, (b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers


def _cookie(header: str, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is "no cookie"
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _reply(
    status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None
) -> Callable[[Send], Awaitable[None]]:
    body = (text + "\n").encode("utf-8")

    async def reply(send: Send) -> None:
        start: list[tuple[bytes, bytes]] = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *(headers or []),
        ]
        await send({"type": "http.response.start", "status": status, "headers": start})
        await send({"type": "http.response.body", "body": body})

    return reply


Endpoint = Callable[[Request, FormData], Awaitable[Any]]


def csrf_form(endpoint: Endpoint) -> Callable[[Request], Awaitable[Any]]:
    """Wrap a POST endpoint: parse its form and refuse it (403) without the run's CSRF token."""

    async def checked(request: Request) -> Any:
        expected: Secrets = request.app.state.secrets
        async with request.form(max_files=1, max_fields=16) as form:
            given = form.get(CSRF_FIELD)
            if not isinstance(given, str) or not same(given, expected.csrf):
                raise HTTPException(403, "Missing or wrong form token: reload the page.")
            return await endpoint(request, form)

    checked.csrf_checked = True  # type: ignore[attr-defined]
    checked.__name__ = endpoint.__name__
    checked.__doc__ = endpoint.__doc__
    return checked
