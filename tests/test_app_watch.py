"""Following files: a replaced export is reloaded and the user told; --dev source changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tests.app_helpers import PASSWORD, events, open_ready, running, until
from viewer.app.watch import follow_file, follow_sources, in_thread, signature, wait_stable
from viewer.sample import write_sample


def test_wait_stable(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"x" * 10)
    stop = threading.Event()
    assert wait_stable(path, stop, interval=0.01)
    stop.set()
    assert not wait_stable(tmp_path / "missing.zip", stop, interval=0.01)


def test_a_replacement_made_before_the_watch_started_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"first version")
    loaded = signature(path)
    fresh = tmp_path / "export.zip.part"
    fresh.write_bytes(b"second version, longer")
    os.replace(fresh, path)  # no watcher runs yet: no event will ever report this
    calls: list[int] = []
    stop = threading.Event()
    thread = in_thread(follow_file, path, stop, lambda: calls.append(1), loaded, name="test-follow")
    try:
        until(lambda: bool(calls), "the earlier replacement to be noticed")
    finally:
        stop.set()
        thread.join(10)
    assert calls == [1] and not thread.is_alive()


def test_an_unchanged_file_is_not_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(b"only version")
    calls: list[int] = []
    stop = threading.Event()
    thread = in_thread(follow_file, path, stop, lambda: calls.append(1), signature(path),
                       name="test-follow")  # fmt: skip
    other = tmp_path / "other.zip"
    other.write_bytes(b"a neighbour changes")  # filtered out by name
    stop.wait(2.5)  # two rechecks without events
    stop.set()
    thread.join(10)
    assert calls == [] and not thread.is_alive()


def test_replaced_export_is_reloaded_and_the_user_told(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    write_sample(export, records=300, password=PASSWORD)
    with running() as run:
        session = open_ready(run, export)
        client = run.client()
        before = client.get(f"/x/{session.id}/en/index.html?format=json").json()
        since = session.generation
        # Saved as browsers and editors do: a new file renamed over the old one.
        fresh = tmp_path / "export.zip.part"
        write_sample(fresh, records=500, password=PASSWORD)
        os.replace(fresh, export)
        page = client.get(f"/x/{session.id}/en/index.html").text
        assert f'<meta name="ev-generation" content="{since}">' in page
        assert "ev-events" not in page  # pages poll; only the progress page holds a stream
        seen = events(client, f"/x/{session.id}/events?since={since}", until_event="reload")
        assert "export.zip changed on disk and has been reloaded" in seen[-1][1]["notice"]
        live = client.get(f"/x/{session.id}/live").json()  # what open pages poll
        assert live["generation"] > since and live["state"] == "ready"
        assert live["notice"] == seen[-1][1]["notice"]
        assert client.get("/x/00000000/live").status_code == 404
        assert run.client(signed_in=False).get(f"/x/{session.id}/live").status_code == 401
        after = client.get(f"/x/{session.id}/en/index.html?format=json").json()
        assert after["summary"]["records"] > before["summary"]["records"]


def test_a_broken_replacement_keeps_the_last_good_export(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    write_sample(export, records=300, password=PASSWORD)
    with running() as run:
        session = open_ready(run, export)
        since = session.generation
        broken = tmp_path / "export.zip.part"
        broken.write_bytes(b"not a zip at all")
        os.replace(broken, export)
        until(lambda: session.generation > since, "the reload attempt")
        assert session.state == "ready" and session.notice
        assert run.client().get(f"/x/{session.id}/en/index.html").status_code == 200


def test_dev_sources_are_followed(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    seen: list[set[Path]] = []
    stop = threading.Event()
    thread = in_thread(follow_sources, [templates, tmp_path / "absent"], stop, seen.append,
                       name="test-watch")  # fmt: skip
    try:
        # The watcher starts asynchronously: keep touching until it reports the change.
        page = templates / "base.html"

        def changed() -> bool:
            page.write_text(f"<p>{len(seen)}</p>", encoding="utf-8")
            return any(page in batch for batch in seen)

        until(changed, "the change to be noticed")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_closing_a_watched_export_ends_its_watcher(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    write_sample(export, records=300, password=PASSWORD)
    with running() as run:
        session = open_ready(run, export)
        until(lambda: any(t.name == f"watch-{session.id}" for t in threading.enumerate()),
              "the watcher to start")  # fmt: skip
        watcher = next(t for t in threading.enumerate() if t.name == f"watch-{session.id}")
        run.sessions.close(session.id)
        watcher.join(30)
        assert not watcher.is_alive()
