"""Opening exports in the browser: upload or path, progress as events, wrong passwords, several."""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_helpers import (
    PASSWORD,
    WAIT,
    Running,
    csrf_of,
    events,
    make_sample,
    open_ready,
    running,
    until,
)
from viewer.sample import write_sample
from viewer.store import Store


@pytest.fixture(scope="module")
def run() -> Iterator[Running]:
    with running() as server:
        yield server


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample(tmp_path_factory.mktemp("export"))


def post_open(run: Running, client: httpx.Client, **fields: object) -> httpx.Response:
    """Submit the start page's form as a browser would (CSRF from the page, same Origin)."""
    csrf = csrf_of(client.get("/").text)
    upload = fields.pop("upload", None)
    files = {"upload": ("export.zip", upload, "application/zip")} if upload else None
    data = {"csrf": csrf, **{k: str(v) for k, v in fields.items()}}
    return client.post("/open", data=data, files=files, headers={"origin": run.base})


def test_upload_shows_progress_then_the_overview(run: Running, sample: Path) -> None:
    client = run.client()
    reply = post_open(run, client, upload=sample.read_bytes(), password=PASSWORD)
    assert reply.status_code == 303
    progress_url = reply.headers["location"]
    sid = progress_url.split("/")[2]
    session = run.sessions.get(sid)
    assert session is not None and session.uploaded
    stored = session.path
    assert stored.parent.parent == run.sessions.folder
    assert stored.stat().st_mode & 0o777 == 0o600
    seen = events(client, f"/x/{sid}/events", until_event="ready")
    names = [name for name, _ in seen]
    assert names[-1] == "ready" and set(names) <= {"progress", "ready"}
    ready = seen[-1][1]
    assert ready["url"] == f"/x/{sid}/en/index.html" and ready["records"] > 0
    assert client.get(progress_url).headers["location"] == ready["url"]
    assert client.get(ready["url"]).status_code == 200


def test_progress_page_streams_from_the_events(run: Running, sample: Path) -> None:
    client = run.client()
    sid = post_open(run, client, path=sample, password=PASSWORD).headers["location"].split("/")[2]
    page = client.get(f"/x/{sid}/progress")
    if page.status_code == 200:  # still loading: the page listens to the events
        assert f'content="/x/{sid}/events?since=0"' in page.text
        assert "<progress" in page.text
    else:  # a small export may be ready already
        assert page.headers["location"].endswith("/index.html")
    until(lambda: run.sessions.get(sid).state == "ready", "the export")  # type: ignore[union-attr]


def test_wrong_password_keeps_the_form_with_a_clear_message(run: Running, sample: Path) -> None:
    client = run.client()
    reply = post_open(run, client, path=sample, password="wrong")
    sid = reply.headers["location"].split("/")[2]
    seen = events(client, f"/x/{sid}/events", until_event="failed")
    failed = seen[-1][1]
    assert "wrong password" in failed["message"]
    start = client.get(failed["url"])
    assert start.status_code == 200
    assert "wrong password for export.zip" in start.text
    assert f'value="{sample}"' in start.text  # the path stays in the form
    assert 'name="password"' in start.text
    assert client.get(f"/x/{sid}/en/index.html").headers["location"] == f"/?failed={sid}"


def test_retry_an_upload_with_the_right_password(run: Running, sample: Path) -> None:
    client = run.client()
    reply = post_open(run, client, upload=sample.read_bytes(), password="wrong")
    sid = reply.headers["location"].split("/")[2]
    events(client, f"/x/{sid}/events", until_event="failed")
    start = client.get(f"/?failed={sid}").text
    assert f'name="retry" value="{sid}"' in start  # the upload is kept for another try
    again = post_open(run, client, retry=sid, password=PASSWORD)
    assert again.headers["location"] == f"/x/{sid}/progress"
    events(client, f"/x/{sid}/events", until_event="ready")
    assert client.get(f"/x/{sid}/en/index.html").status_code == 200


def test_missing_password_and_missing_file_are_clear(run: Running, sample: Path) -> None:
    client = run.client()
    sid = post_open(run, client, path=sample).headers["location"].split("/")[2]
    failed = events(client, f"/x/{sid}/events", until_event="failed")[-1][1]
    assert "encrypted: type its password" in failed["message"]
    reply = post_open(run, client, path="/no/such/export.zip", password="x")
    assert reply.headers["location"].startswith("/?failed=")
    assert "/no/such/export.zip is not a file" in client.get(reply.headers["location"]).text


def test_several_exports_each_separately(run: Running, tmp_path: Path, sample: Path) -> None:
    client = run.client()
    other = make_sample(tmp_path, "missing-service:sms")
    one = post_open(run, client, path=sample, password=PASSWORD).headers["location"].split("/")[2]
    two = post_open(run, client, path=other, password=PASSWORD).headers["location"].split("/")[2]
    for sid in (one, two):
        events(client, f"/x/{sid}/events", until_event="ready")
    first = client.get(f"/x/{one}/en/index.html?format=json").json()
    second = client.get(f"/x/{two}/en/index.html?format=json").json()
    assert first["summary"]["records"] != second["summary"]["records"]
    listed = {e["id"] for e in client.get("/?format=json").json()["exports"]}
    assert {one, two} <= listed


def test_closing_an_upload_deletes_it(run: Running, sample: Path) -> None:
    client = run.client()
    reply = post_open(run, client, upload=sample.read_bytes(), password=PASSWORD)
    sid = reply.headers["location"].split("/")[2]
    events(client, f"/x/{sid}/events", until_event="ready")
    session = run.sessions.get(sid)
    assert session is not None
    folder = session.path.parent
    assert folder.is_dir()
    csrf = csrf_of(client.get(f"/x/{sid}/en/index.html").text)
    client.post(f"/x/{sid}/close", data={"csrf": csrf}, headers={"origin": run.base})
    assert not folder.exists()
    assert run.sessions.get(sid) is None


def test_upload_names_are_made_plain_file_names(run: Running, sample: Path) -> None:
    client = run.client()
    names = {"..": "export.zip", ".": "export.zip", "../../evil.zip": "evil.zip",
             "C:\\Users\\me\\export (1).zip": "export (1).zip", ".hidden.zip": "hidden.zip",
             "å" * 300 + ".zip": "å" * 100}  # fmt: skip
    for name, stored in names.items():
        csrf = csrf_of(client.get("/").text)
        files = {"upload": (name, sample.read_bytes(), "application/zip")}
        reply = client.post("/open", data={"csrf": csrf, "password": PASSWORD}, files=files,
                            headers={"origin": run.base})  # fmt: skip
        assert reply.status_code == 303, (name, reply.text)
        session = run.sessions.get(reply.headers["location"].split("/")[2])
        assert session is not None
        assert session.path.name == stored
        assert session.path.parent.parent == run.sessions.folder  # in its own private folder
        assert session.path.is_file()
        events(client, f"/x/{session.id}/events", until_event="ready")
    # Every upload folder holds its one upload: no empty folder left by a refused name.
    for folder in run.sessions.folder.iterdir():
        assert len(list(folder.iterdir())) == 1, folder


def open_stores() -> set[int]:
    """Return the ids of the Stores in this process whose database is still open."""
    found = set()
    gc.collect()
    for thing in gc.get_objects():
        if isinstance(thing, Store):
            try:
                thing.tables()
            except sqlite3.ProgrammingError:  # closed
                continue
            found.add(id(thing))
    return found


def thread_named(name: str) -> threading.Thread | None:
    return next((t for t in threading.enumerate() if t.name == name), None)


def test_closing_an_export_while_it_loads_ends_the_load(run: Running, tmp_path: Path) -> None:
    big = tmp_path / "big.zip"
    write_sample(big, records=60_000, password=PASSWORD)  # loads for a second or so
    before = open_stores()
    session = run.sessions.open(big, PASSWORD)
    loader = thread_named(f"load-{session.id}")
    assert loader is not None
    until(lambda: session.done > 0 or session.state != "loading", "the load to start")
    progress = run.client().get(f"/x/{session.id}/progress?format=json").json()
    assert progress["kind"] == "progress" and 0 < progress["done"] <= progress["total"]
    assert run.sessions.close(session.id)
    assert session.password is None  # dropped at once
    loader.join(WAIT)
    assert not loader.is_alive()
    assert session.loaded is None and session.state != "ready"
    assert open_stores() <= before  # the abandoned load's Store was closed, not kept


def test_the_password_is_dropped_once_an_upload_is_loaded(run: Running, sample: Path) -> None:
    client = run.client()
    reply = post_open(run, client, upload=sample.read_bytes(), password=PASSWORD)
    sid = reply.headers["location"].split("/")[2]
    events(client, f"/x/{sid}/events", until_event="ready")
    session = run.sessions.get(sid)
    assert session is not None and session.password is None  # nothing reloads an upload
    failed = post_open(run, client, upload=sample.read_bytes(), password="wrong")
    sid = failed.headers["location"].split("/")[2]
    events(client, f"/x/{sid}/events", until_event="failed")
    assert run.sessions.get(sid).password is None  # type: ignore[union-attr]


def test_a_local_export_keeps_its_password_for_reloads_until_closed(
    run: Running, sample: Path
) -> None:
    session = open_ready(run, sample)
    assert session.password == PASSWORD  # a replaced file is reloaded with it

    # The watcher starts just after the export is ready (a moment later on a busy machine).
    def watching() -> bool:
        found = thread_named(f"watch-{session.id}")
        return found is not None and found.is_alive()

    until(watching, "the watcher to start")
    watcher = thread_named(f"watch-{session.id}")
    assert watcher is not None
    client = run.client()
    reply = client.post(f"/x/{session.id}/close", data={"csrf": run.csrf},
                        headers={"origin": run.base})  # fmt: skip
    assert reply.status_code == 303
    assert session.password is None
    watcher.join(WAIT)
    assert not watcher.is_alive()  # the watcher ends with the export


def test_the_background_index_gives_way_to_pages_but_goes_on(run: Running, sample: Path) -> None:
    import time

    from viewer.app import sessions

    session = open_ready(run, sample)
    before = session.last_request
    assert run.client().get(f"/x/{session.id}/en/index.html").status_code == 200
    assert session.last_request > before  # a page marks the export as in use
    naps: list[float] = []

    def wait(stop: bool = False) -> None:
        sessions.yield_to_pages(session, lambda: stop, at_most=0.05, sleep=naps.append)()

    session.last_request = 0.0  # no page for a long time: the index goes on at once
    wait()
    assert naps == []
    session.last_request = time.monotonic() + 3600  # pages all the time: it waits, but not forever
    wait()
    assert naps and all(nap == sessions.QUIET / 4 for nap in naps)
    naps.clear()
    wait(stop=True)  # closing the export ends the wait
    assert naps == []
