"""`export-viewer serve` as a user runs it: a subprocess, the printed address, Ctrl+C."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.app_helpers import PASSWORD, WAIT, csrf_of, make_sample, until
from viewer.sample import write_sample

LINE = re.compile(r"Serving at http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{20,})")


@contextmanager
def serve(
    tmp: Path, *args: str, browser: Path | None = None
) -> Iterator[tuple[subprocess.Popen[str], int, str]]:
    """Run `export-viewer serve` with its own TMPDIR; yield the process, port and token.

    With `browser`, the server opens its address with that program (as $BROWSER), else not.
    """
    temp = tmp / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp), "XDG_CACHE_HOME": str(tmp / "cache")}
    env.pop("BROWSER", None)
    if browser is not None:
        env["BROWSER"] = str(browser)
    opening = [] if browser is not None else ["--no-browser"]
    command = [sys.executable, "-m", "viewer", "serve", *opening, "--no-guide", *args]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = LINE.fullmatch(line.strip())
        assert match, (line, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
        yield proc, int(match[1]), match[2]
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(WAIT)


def signed_in(port: int, token: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=WAIT)
    assert client.get(f"/?token={token}", follow_redirects=False).status_code == 303
    return client


def test_prints_one_line_and_opens_the_export(tmp_path: Path) -> None:
    export = make_sample(tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    with serve(tmp_path, str(export), "--password-file", str(tmp_path / "pw")) as (proc, port, tok):
        client = signed_in(port, tok)
        until(lambda: client.get("/?format=json").json()["exports"][0]["state"] == "ready",
              "the export to open")  # fmt: skip
        sid = client.get("/?format=json").json()["exports"][0]["id"]
        assert client.get(f"/x/{sid}/en/index.html").status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0


def test_ctrl_c_right_after_the_address_is_never_lost(tmp_path: Path) -> None:
    # Started as a harness or a shell script's background job starts it, with Ctrl+C ignored
    # until the server takes it over: the address must come only once it has, or a Ctrl+C sent
    # the moment it appears is lost and the server runs on.
    for _ in range(3):
        ignored = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the child
        try:
            with serve(tmp_path) as (proc, _port, _token):
                signal.signal(signal.SIGINT, ignored)
                proc.send_signal(signal.SIGINT)
                assert proc.wait(WAIT) == 0
        finally:
            signal.signal(signal.SIGINT, ignored)


def recording_browser(folder: Path) -> tuple[Path, Path]:
    """Write a program that stands in for a browser: it records the address it is given."""
    script, record = folder / "browser.sh", folder / "opened.txt"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{record}"\n', encoding="utf-8")
    script.chmod(0o700)
    return script, record


def test_the_browser_is_opened_unless_no_browser(tmp_path: Path) -> None:
    script, record = recording_browser(tmp_path)
    with serve(tmp_path, browser=script) as (proc, port, token):
        until(record.exists, "the browser to be started")
        assert record.read_text(encoding="utf-8") == f"http://127.0.0.1:{port}/?token={token}\n"
        assert signed_in(port, token).get("/").status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0
    record.unlink()
    with serve(tmp_path) as (proc, port, token):  # --no-browser, with $BROWSER unset
        assert signed_in(port, token).get("/").status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0
    assert not record.exists()


def test_port_and_language_options(tmp_path: Path) -> None:
    from viewer.app.server import bind

    probe = bind(0)  # a port that was free a moment ago
    port = probe.getsockname()[1]
    probe.close()
    export = make_sample(tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    args = (
        str(export),
        "--password-file",
        str(tmp_path / "pw"),
        "--port",
        str(port),
        "--lang",
        "sv",
    )
    with serve(tmp_path, *args) as (proc, printed, token):
        assert printed == port
        client = signed_in(port, token)
        start = client.get("/")
        assert '<html lang="sv">' in start.text and "Öppna din export" in start.text
        until(lambda: client.get("/?format=json").json()["exports"][0]["state"] == "ready",
              "the export to open")  # fmt: skip
        sid = client.get("/?format=json").json()["exports"][0]["id"]
        overview = client.get(f"/x/{sid}/", follow_redirects=False)
        assert overview.headers["location"] == f"/x/{sid}/sv/index.html"
        assert '<html lang="sv">' in client.get(overview.headers["location"]).text
        assert client.get("/?lang=en").text.count('<html lang="en">') == 1  # a page may ask
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0


def test_ctrl_c_with_open_streams_leaves_nothing_behind(tmp_path: Path) -> None:
    export = make_sample(tmp_path)
    with serve(tmp_path) as (proc, port, token):
        client = signed_in(port, token)
        csrf = csrf_of(client.get("/").text)
        files = {"upload": ("export.zip", export.read_bytes(), "application/zip")}
        reply = client.post("/open", data={"csrf": csrf, "password": PASSWORD}, files=files,
                            headers={"origin": f"http://127.0.0.1:{port}"})  # fmt: skip
        sid = reply.headers["location"].split("/")[2]
        temp = tmp_path / "tmp"
        assert list(temp.rglob("export.zip"))  # the upload is in the run's private folder
        streams = [threading.Thread(target=_read_events, args=(port, token, sid), daemon=True)
                   for _ in range(3)]  # fmt: skip
        for stream in streams:
            stream.start()
        until(lambda: client.get(f"/x/{sid}/progress").status_code == 303, "the export")
        download = client.get(f"/x/{sid}/download/all.zip")  # a download, then Ctrl+C
        assert download.status_code == 200 and download.content.startswith(b"PK")
        proc.send_signal(signal.SIGINT)
        # Bounded: uvicorn's graceful timeout is 3 s; open event streams must not hold it up.
        assert proc.wait(WAIT) == 0
        for stream in streams:
            stream.join(WAIT)
            assert not stream.is_alive()
        assert list(temp.iterdir()) == []  # no upload, no spooled file, no folder left


def test_ctrl_c_during_a_download_leaves_nothing_behind(tmp_path: Path) -> None:
    export = tmp_path / "big.zip"
    write_sample(export, records=5_000, password=PASSWORD)  # converts for about half a second
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    temp = tmp_path / "tmp"
    with serve(tmp_path, str(export), "--password-file", str(tmp_path / "pw")) as (proc, port, tok):
        client = signed_in(port, tok)
        until(lambda: client.get("/?format=json").json()["exports"][0]["state"] == "ready",
              "the export to open")  # fmt: skip
        sid = client.get("/?format=json").json()["exports"][0]["id"]
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        # A client that asks for a download and reads nothing: Ctrl+C comes while the
        # conversion writes its files (or, on a fast machine, while the reply waits to be read).
        with _stalled_download(port, f"/x/{sid}/download/all.zip", cookie) as sock:
            until(lambda: _files(temp) or _readable(sock), "the download to begin")
            proc.send_signal(signal.SIGINT)
            assert proc.wait(WAIT) == 0
    assert list(temp.iterdir()) == []  # no converted file, no scratch folder left


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def _readable(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


@contextmanager
def _stalled_download(port: int, path: str, cookie: str) -> Iterator[socket.socket]:
    """Ask for `path` with a small receive window, and read nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    try:
        sock.settimeout(WAIT)
        sock.connect(("127.0.0.1", port))
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
                   "Connection: close\r\n\r\n")  # fmt: skip
        sock.sendall(request.encode("ascii"))
        yield sock
    finally:
        sock.close()


def _read_events(port: int, token: str, sid: str) -> None:
    try:
        with signed_in(port, token).stream("GET", f"/x/{sid}/events") as reply:
            for _ in reply.iter_lines():
                pass
    except httpx.HTTPError:
        pass  # the server went away: that is what the test does


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    from viewer.app.server import bind
    from viewer.errors import OutputError

    sock = bind(0)
    try:
        with pytest.raises(OutputError, match=r"cannot listen on 127\.0\.0\.1"):
            bind(sock.getsockname()[1])
    finally:
        sock.close()


def test_the_socket_is_tcp_without_nagle() -> None:
    # asyncio turns Nagle off only on sockets created as IPPROTO_TCP; with it on, every small
    # reply waited for the client's delayed ACK (about 40 ms a page).
    from viewer.app.server import bind

    sock = bind()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1"
        with socket.create_connection(sock.getsockname()):
            accepted, _ = sock.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()


def test_help_says_the_token_lasts_for_the_run() -> None:
    # The token is not single-use: it is exchanged for a cookie as often as it is opened.
    text = subprocess.run([sys.executable, "-m", "viewer", "serve", "--help"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    flat = " ".join(text.split())
    assert "one-time" not in flat
    assert "The token works until the server stops" in flat
