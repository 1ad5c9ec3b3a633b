"""The local server's safety rules, each against a real uvicorn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from tests.app_helpers import Running, make_sample, open_ready, running
from viewer.app.routes import check
from viewer.app.security import VIEWER_CSP
from viewer.app.server import HOST, bind


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with running(max_upload=200_000) as server:
        open_ready(server, make_sample(tmp_path_factory.mktemp("export")))
        yield server


def test_foreign_host_header_is_refused(run: Running) -> None:
    client = run.client()
    for host in ("evil.example", f"evil.example:{run.port}", "127.0.0.1", f"127.0.0.2:{run.port}"):
        assert client.get("/", headers={"host": host}).status_code == 400, host
    for host in (f"127.0.0.1:{run.port}", f"localhost:{run.port}", f"[::1]:{run.port}"):
        assert client.get("/", headers={"host": host}).status_code == 200, host


def test_token_becomes_a_strict_cookie_and_leaves_the_url(run: Running) -> None:
    client = httpx.Client(base_url=run.base)
    reply = client.get(f"/?lang=sv&token={run.token}")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/?lang=sv"
    cookie = reply.headers["set-cookie"]
    name = run.app.state.secrets.cookie_name
    assert cookie.startswith(f"{name}=") and name.startswith("export_viewer_")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert run.token not in cookie
    assert client.get("/").status_code == 200


def test_each_run_has_its_own_cookie_name() -> None:
    with running() as one, running() as two:
        assert one.app.state.secrets.cookie_name != two.app.state.secrets.cookie_name
        assert one.token != two.token


def test_without_the_token_requests_are_refused(run: Running) -> None:
    stranger = run.client(signed_in=False)
    sid = next(iter(run.sessions)).id
    for path in ("/", f"/x/{sid}/en/index.html", f"/x/{sid}/csv/sms.csv", "/app/static/serve.js"):
        assert stranger.get(path).status_code == 401, path
    assert stranger.get("/?token=wrong").status_code == 403
    stranger.cookies.set(run.app.state.secrets.cookie_name, "forged")
    assert stranger.get("/").status_code == 403


def test_post_needs_the_same_origin(run: Running) -> None:
    client = run.client()
    form = {"csrf": run.csrf, "path": "/nonexistent"}
    assert client.post("/open", data=form).status_code == 403  # no Origin
    evil = {"origin": "http://evil.example"}
    assert client.post("/open", data=form, headers=evil).status_code == 403
    other_port = {"origin": f"http://127.0.0.1:{run.port + 1}"}
    assert client.post("/open", data=form, headers=other_port).status_code == 403
    # Form posts under no-referrer carry Origin: null; the browser's Sec-Fetch-Site decides.
    for site, status in (("cross-site", 403), ("same-site", 403), ("same-origin", 303)):
        headers = {"origin": "null", "sec-fetch-site": site}
        assert client.post("/open", data=form, headers=headers).status_code == status, site
    assert client.post("/open", data=form, headers={"origin": "null"}).status_code == 403
    assert client.post("/open", data=form, headers={"origin": run.base}).status_code == 303


def test_post_needs_the_csrf_token(run: Running) -> None:
    client = run.client()
    origin = {"origin": run.base}
    sid = next(iter(run.sessions)).id
    for path in ("/open", f"/x/{sid}/close"):
        assert client.post(path, data={"path": "/x"}, headers=origin).status_code == 403
        wrong = {"csrf": "guess", "path": "/x"}
        assert client.post(path, data=wrong, headers=origin).status_code == 403
    assert run.sessions.get(sid) is not None  # still open


def test_every_post_route_must_check_csrf() -> None:
    async def unchecked(request: object) -> None: ...

    with pytest.raises(RuntimeError, match="/danger"):
        check([Route("/danger", unchecked, methods=["POST"])])


def test_security_headers_on_every_reply(run: Running) -> None:
    client = run.client()
    sid = next(iter(run.sessions)).id
    stranger = run.client(signed_in=False)
    replies = [client.get("/"), client.get(f"/x/{sid}/en/index.html"),
               client.get(f"/x/{sid}/en/tables/sms/index.html?format=json"),
               stranger.get("/"), client.get("/", headers={"host": "x"})]  # fmt: skip
    for reply in replies:
        headers = reply.headers
        assert headers["cache-control"] == "no-store", reply.url
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == VIEWER_CSP
    assert "frame-ancestors 'none'" in VIEWER_CSP
    assert "unsafe-inline" not in VIEWER_CSP and "script-src 'self';" in VIEWER_CSP


def test_upload_size_cap(run: Running) -> None:
    client = run.client()
    headers = {"origin": run.base}
    big = {"upload": ("export.zip", b"0" * 300_000, "application/zip")}
    reply = client.post("/open", data={"csrf": run.csrf}, files=big, headers=headers)
    assert reply.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap counts the bytes as they come
        yield b'--b\r\nContent-Disposition: form-data; name="upload"; filename="e.zip"\r\n\r\n'
        for _ in range(30):
            yield b"0" * 10_000

    multipart = {**headers, "content-type": "multipart/form-data; boundary=b"}
    assert client.post("/open", content=chunks(), headers=multipart).status_code == 413
    assert not list(run.sessions.folder.rglob("*.zip"))


def test_server_listens_on_loopback_only() -> None:
    sock = bind(0)
    try:
        assert sock.getsockname()[0] == HOST == "127.0.0.1"
    finally:
        sock.close()
    with running() as server:
        sockets = [s for srv in server.server.servers for s in srv.sockets]
        assert sockets and all(s.getsockname()[0] == "127.0.0.1" for s in sockets)


def test_upload_lives_in_a_private_folder(run: Running, tmp_path: Path) -> None:
    folder = run.sessions.folder
    assert folder.stat().st_mode & 0o777 == 0o700
    target = run.sessions.upload_path("x.zip")
    assert target.parent.stat().st_mode & 0o777 == 0o700
