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
        seen = events(client, f"/x/{session.id}/events?since={since}", until_event="reload")
        assert "export.zip changed on disk and has been reloaded" in seen[-1][1]["notice"]
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


def test_dev_reloads_open_pages_when_the_contract_changes(tmp_path: Path) -> None:
    from verify.contract import DEFAULT_CONTRACT, load_contract

    contract = tmp_path / "contracts" / "mine.toml"
    contract.parent.mkdir()
    contract.write_text(DEFAULT_CONTRACT.read_text(encoding="utf-8"), encoding="utf-8")
    export = tmp_path / "export.zip"
    write_sample(export, records=300, password=PASSWORD)
    with running(contract=load_contract(contract), dev=True, contract_path=contract) as run:
        session = open_ready(run, export)
        client = run.client()
        page = client.get(f"/x/{session.id}/sv/services/sms.html").text
        assert "SMS-tjänst" in page
        since = run.app.state.generation(session)

        def edit() -> bool:  # the watcher starts asynchronously: edit until it is noticed
            text = DEFAULT_CONTRACT.read_text(encoding="utf-8")
            contract.write_text(text.replace('sv = "SMS-tjänst"', 'sv = "Textmeddelanden"'),
                                encoding="utf-8")  # fmt: skip
            return run.app.state.generation(session) > since

        until(edit, "the contract change to reach the open pages")
        seen = events(client, f"/x/{session.id}/events?since={since}", until_event="reload")
        assert seen[-1][0] == "reload"
        until(lambda: "Textmeddelanden" in client.get(f"/x/{session.id}/sv/services/sms.html").text,
              "the page to show the new name")  # fmt: skip


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
