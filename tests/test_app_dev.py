"""`export-viewer serve --dev` on a copy of the checkout: edits rebuild and reload open pages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.app_helpers import PASSWORD, WAIT, make_sample, until
from tests.test_app_server import LINE, signed_in
from verify.contract import DEFAULT_CONTRACT
from viewer.app import ContractFiles
from viewer.app.dev import followed

REPO = Path(__file__).resolve().parent.parent
MAPPING = '[tables]\n"sms_extra" = "sms"\n'
MAPPING_SHA256 = hashlib.sha256(MAPPING.encode()).hexdigest()


def checkout(tmp: Path) -> Path:
    """Copy what the tool runs from (code, templates, guide sources) into `tmp`."""
    root = tmp / "checkout"
    for name in ("viewer", "verify", "templates", "site_src"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


class Stream:
    """Read an export's server-sent events in a thread, keeping every event seen."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self.seen: list[tuple[str, Any]] = []
        self.thread = threading.Thread(target=self._read, args=(client, url), daemon=True)
        self.thread.start()

    def _read(self, client: httpx.Client, url: str) -> None:
        name = None
        try:
            with client.stream("GET", url) as reply:
                for line in reply.iter_lines():
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: ") and name:
                        self.seen.append((name, json.loads(line.removeprefix("data: "))))
        except httpx.HTTPError:
            pass  # the server stopped

    def reloads(self) -> list[Any]:
        return [data for name, data in self.seen if name == "reload"]


def edit_until_reloaded(stream: Stream, path: Path, old: str, new: str, count: int) -> None:
    """Make an edit, again until it is noticed: the watcher starts in the background."""
    text = path.read_text(encoding="utf-8")
    assert old in text, path
    edited = text.replace(old, new, 1)

    def noticed() -> bool:
        path.write_text(edited, encoding="utf-8")
        return len(stream.reloads()) >= count

    until(noticed, f"a reload after editing {path.name}")


@pytest.mark.usefixtures("nothing_outside")
def test_dev_rebuilds_on_template_and_contract_edits(tmp_path: Path) -> None:
    root = checkout(tmp_path)
    rules = tmp_path / "rules"  # a folder of the user's, beside other files
    rules.mkdir()
    contract = rules / "contract.toml"
    shutil.copy2(DEFAULT_CONTRACT, contract)
    (rules / "mapping.toml").write_text(MAPPING, encoding="utf-8")
    export = make_sample(tmp_path)
    (tmp_path / "pw").write_text(PASSWORD + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    where = subprocess.run([sys.executable, "-c", "import viewer; print(viewer.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert where.strip() == str(root / "viewer" / "__init__.py")  # the copy runs, not the repo
    command = [sys.executable, "-m", "viewer", "serve", str(export), "--password-file",
               str(tmp_path / "pw"), "--no-browser", "--no-guide", "--dev",
               "--contract", str(contract), "--mapping", str(rules / "mapping.toml")]  # fmt: skip
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None
        match = LINE.fullmatch(proc.stdout.readline().strip())
        assert match, proc.stderr.read() if proc.poll() is not None else ""  # type: ignore[union-attr]
        client = signed_in(int(match[1]), match[2])
        until(lambda: client.get("/?format=json").json()["exports"][0]["state"] == "ready",
              "the export to open")  # fmt: skip
        sid = client.get("/?format=json").json()["exports"][0]["id"]
        overview = f"/x/{sid}/en/index.html"
        assert mapped(client, sid) == ([], 1, MAPPING_SHA256)  # sms_extra is not in the export
        stream = Stream(signed_in(int(match[1]), match[2]), f"/x/{sid}/events?since=0")
        # A template: the open page is told to reload, and the page has changed.
        template = root / "templates" / "serve_page.html"
        bar = '<div class="serve-bar">'
        edit_until_reloaded(stream, template, bar, bar.replace(">", ' id="dev-edit">'), 1)
        assert 'id="dev-edit"' in client.get(overview).text
        # The contract: loaded again with the mapping, the export reloaded with it.
        edit_until_reloaded(stream, contract, 'name = { en = "Xiaomi Cloud"',
                            'name = { en = "Xiaomi Cloud (edited)"', 2)  # fmt: skip
        until(lambda: client.get(f"{overview}?format=json").json()["provider"]
              == "Xiaomi Cloud (edited)", "the export to reload")  # fmt: skip
        assert mapped(client, sid) == ([], 1, MAPPING_SHA256)  # --mapping is kept
        proc.send_signal(signal.SIGINT)
        assert proc.wait(WAIT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(WAIT)


def test_a_custom_contract_is_followed_by_name_not_its_folder(tmp_path: Path) -> None:
    contract, mapping = tmp_path / "home" / "contract.toml", tmp_path / "home" / "mapping.toml"
    folders, singles = followed(ContractFiles(contract, mapping))
    assert singles == [contract.resolve(), mapping.resolve()]
    assert all(not contract.is_relative_to(folder) for folder in folders)  # not "home" as a whole
    folders, singles = followed(ContractFiles())
    assert DEFAULT_CONTRACT.parent in folders and singles == []


def mapped(client: httpx.Client, sid: str) -> tuple[list[tuple[str, str, str]], int, str]:
    """Return what a served report says of the mapping: names applied, entries unused, hash."""
    mapping = client.get(f"/x/{sid}/en/report.html?format=json").json()["report"]["mapping"]
    applied = [(m["kind"], m["observed"], m["documented"]) for m in mapping["applied"]]
    return applied, mapping["unused"], mapping["sha256"]
