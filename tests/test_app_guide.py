"""The guide under /guide/: built when missing or out of date, with a policy for its scripts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_helpers import Running, running
from verify.contract import DEFAULT_CONTRACT
from viewer.app.guide import STAMP, ensure_guide, source_stamp, up_to_date
from viewer.app.security import VIEWER_CSP


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def run(cache: Path) -> Iterator[Running]:
    with running(guide=True, guide_folder=cache) as server:
        yield server


def test_guide_is_built_once_and_rebuilt_when_out_of_date(run: Running, cache: Path) -> None:
    root = cache / "guide"
    assert up_to_date(root, source_stamp())
    built = (root / "index.html").stat().st_mtime_ns
    assert ensure_guide(cache).root == root
    assert (root / "index.html").stat().st_mtime_ns == built  # up to date: not rebuilt
    (root / STAMP).write_text("stale", encoding="ascii")
    ensure_guide(cache)
    assert up_to_date(root, source_stamp())
    assert (root / "index.html").is_file()
    assert [p.name for p in cache.iterdir()] == ["guide"]  # no half-built copies left


def test_guide_is_served_with_its_own_policy(run: Running) -> None:
    client = run.client()
    reply = client.get("/guide/")
    assert reply.status_code == 200 and "<html" in reply.text
    csp = reply.headers["content-security-policy"]
    assert csp != VIEWER_CSP
    assert "'sha256-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp
    assert reply.headers["cache-control"] == "no-store"
    sv = client.get("/guide/sv/")
    assert sv.status_code == 200 and 'lang="sv"' in sv.text


def test_guide_needs_the_token_too(run: Running) -> None:
    assert run.client(signed_in=False).get("/guide/").status_code == 401


def test_a_custom_contract_is_what_the_guide_documents(
    run: Running, cache: Path, tmp_path: Path
) -> None:
    custom = tmp_path / "contract.toml"
    text = DEFAULT_CONTRACT.read_text(encoding="utf-8")
    custom.write_text(text.replace('en = "Recorder"', 'en = "Recorder Edited"'), encoding="utf-8")
    root = cache / "guide"
    assert up_to_date(root, source_stamp())
    assert not up_to_date(root, source_stamp(custom))  # the custom contract is a source
    guide = ensure_guide(cache, contract=custom)
    assert up_to_date(guide.root, source_stamp(custom))
    pages = "".join(p.read_text(encoding="utf-8") for p in guide.root.rglob("*.html"))
    assert "Recorder Edited" in pages
    ensure_guide(cache)  # back to the default contract, for the other tests
    assert up_to_date(root, source_stamp())


def test_the_served_guide_links_back_to_the_viewer(run: Running) -> None:
    client = run.client()
    assert '<p class="ev-viewer-link"><a href="/?lang=en">' in client.get("/guide/").text
    assert '<a href="/?lang=sv">' in client.get("/guide/sv/").text
    start = client.get("/?lang=sv")
    assert start.status_code == 200 and 'lang="sv"' in start.text


def test_a_missing_guide_page_is_the_guide_404_pointing_into_guide(run: Running) -> None:
    client = run.client()
    reply = client.get("/guide/sv/no-such-page.html")
    assert reply.status_code == 404 and "<html" in reply.text
    assert '="/assets/' not in reply.text and '"base": "/"' not in reply.text
    assert 'href="/guide/assets/stylesheets/' in reply.text and '"base": "/guide/"' in reply.text
    styles = list(re.findall(r'(?:href|src)="(/guide/assets/[^"]+)"', reply.text))
    assert styles and all(client.get(u).status_code == 200 for u in styles)
