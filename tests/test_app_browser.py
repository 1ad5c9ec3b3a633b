"""End to end in headless Chromium against a real server: upload, progress, browse, guide."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_helpers import PASSWORD, WAIT, Running, make_sample, open_ready, running
from tests.browser import PageRecorder
from viewer.sample import write_sample

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with running(guide=True, guide_folder=tmp_path_factory.mktemp("cache")) as server:
        yield server


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample(tmp_path_factory.mktemp("export"))


def sign_in(run: Running, page: PageRecorder) -> None:
    page.page.goto(f"{run.base}/?token={run.token}")
    assert "token=" not in page.page.url  # the redirect dropped it
    assert page.page.locator("h1").inner_text() == "Open your export"


def upload(page: PageRecorder, sample: Path, password: str) -> None:
    p = page.page
    p.set_input_files("#ev-upload", str(sample))
    p.fill("#ev-password", password)
    p.get_by_role("button", name="Open", exact=True).click()


def test_upload_progress_overview_search_record_swedish_guide(
    run: Running, sample: Path, page: PageRecorder
) -> None:
    p = page.page
    sign_in(run, page)
    progress_seen: list[str] = []
    p.on("request", lambda r: progress_seen.append(r.url) if "/progress" in r.url else None)
    upload(page, sample, PASSWORD)
    p.wait_for_url("**/en/index.html")
    # The upload led to the progress page (which a small export may pass through at once;
    # the progress bar itself is seen moving in test_the_progress_bar_moves_while_...).
    assert progress_seen
    assert p.locator("h1").inner_text().startswith("Your")
    # Search the whole export.
    p.fill("#ev-export-search", "PostNord")
    p.get_by_role("button", name="Search", exact=True).click()
    p.wait_for_url("**/search.html?q=PostNord")
    results = p.locator("ol.search-results li")
    assert results.count() > 0
    # Open a record.
    results.first.locator("a").first.click()
    p.locator("article.record").first.wait_for()
    assert "PostNord" in p.locator("main").inner_text()
    # Switch to Swedish on the same page.
    p.locator("nav.langs").get_by_role("link", name="Svenska").click()
    p.wait_for_url("**/sv/**")
    assert p.locator("html").get_attribute("lang") == "sv"
    # Open the guide.
    p.locator("nav.topnav a").last.click()
    p.wait_for_url("**/guide/**")
    assert p.locator("h1").first.is_visible()
    assert page.external_requests == []
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []


def test_wrong_password_shows_a_clear_message_and_keeps_the_form(
    run: Running, sample: Path, page: PageRecorder
) -> None:
    p = page.page
    sign_in(run, page)
    upload(page, sample, "not the password")
    p.wait_for_url("**/?failed=*")
    assert "wrong password for export.zip" in p.get_by_role("alert").inner_text()
    assert p.locator("#ev-password").is_visible()
    # The upload is kept: typing the right password is enough.
    p.fill("#ev-password", PASSWORD)
    p.get_by_role("button", name="Open", exact=True).click()
    p.wait_for_url("**/en/index.html")
    assert page.console_errors == []


def test_table_filters_and_sort_in_the_browser(
    run: Running, sample: Path, page: PageRecorder
) -> None:
    p = page.page
    sign_in(run, page)
    upload(page, sample, PASSWORD)
    p.wait_for_url("**/en/index.html")
    p.goto(p.url.replace("index.html", "tables/sms/index.html"))
    p.fill("input[name=since]", "1990-01-01")
    p.fill("input[name=until]", "1990-12-31")
    p.get_by_role("button", name="Apply").click()
    p.wait_for_url("**since=1990-01-01**")
    assert p.locator("table.records tbody tr").count() == 1  # the "No records." row
    assert page.console_errors == []


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.zip"
    write_sample(path, records=100_000, password=PASSWORD)  # loads for a few seconds
    return path


# Report every text the progress label shows, as the page's own script sets it.
WATCH_PROGRESS = """
document.addEventListener("DOMContentLoaded", function () {
  var label = document.querySelector("[data-ev-progress-text]");
  var bar = document.querySelector("[data-ev-bar]");
  if (!label) { return; }
  new MutationObserver(function () {
    console.log("progress-seen " + label.textContent + " | " + bar.value);
  }).observe(label, { childList: true, characterData: true, subtree: true });
});
"""


def test_the_progress_bar_moves_while_an_export_loads(
    run: Running, big_sample: Path, page: PageRecorder
) -> None:
    p = page.page
    seen: list[str] = []
    p.on("console", lambda m: seen.append(m.text) if m.text.startswith("progress-seen") else None)
    p.add_init_script(WATCH_PROGRESS)
    sign_in(run, page)
    p.fill("#ev-path", str(big_sample))
    p.fill("#ev-password", PASSWORD)
    p.get_by_role("button", name="Open", exact=True).click()
    p.wait_for_url("**/en/index.html", timeout=WAIT * 1000)
    assert seen, "the progress label never changed"
    shares = [float(text.rsplit("| ", 1)[1]) for text in seen]
    assert all(0 < share <= 1 for share in shares) and shares == sorted(shares)
    assert re.fullmatch(r"progress-seen \d{1,3} % \(\d+\.\d / \d+\.\d MB\) \| [\d.]+", seen[-1])


def test_eight_tabs_of_the_viewer_all_load(run: Running, sample: Path, browser: Any) -> None:
    session = open_ready(run, sample)
    context = browser.new_context()
    try:
        tabs = [context.new_page() for _ in range(8)]
        tabs[0].goto(f"{run.base}/?token={run.token}")
        paths = ["index.html", "report.html", "services/sms.html", "tables/sms/index.html",
                 "tables/sms/page-2.html", "tables/contacts/index.html", "search.html?q=a",
                 "downloads.html"]  # fmt: skip
        for tab, rel in zip(tabs, paths, strict=True):
            tab.set_default_timeout(10_000)
            tab.goto(f"{run.base}/x/{session.id}/en/{rel}")
            assert tab.locator("h1").first.is_visible(), rel
        # Every tab still follows its export, and one more page still loads at once.
        for tab in tabs:
            tab.wait_for_function("performance.getEntriesByType('resource')"
                                  ".some(e => e.name.endsWith('/live'))")  # fmt: skip
        tabs[0].goto(f"{run.base}/x/{session.id}/sv/index.html")
        assert tabs[0].locator("html").get_attribute("lang") == "sv"
    finally:
        context.close()


def test_a_replaced_export_shows_the_reload_notice(
    run: Running, tmp_path: Path, page: PageRecorder
) -> None:
    export = tmp_path / "export.zip"
    write_sample(export, records=300, password=PASSWORD)
    session = open_ready(run, export)
    p = page.page
    sign_in(run, page)
    p.goto(f"{run.base}/x/{session.id}/en/tables/sms/index.html")
    notice = p.locator("[data-ev-notice]")
    assert notice.is_hidden()
    fresh = tmp_path / "export.zip.part"
    write_sample(fresh, records=500, password=PASSWORD)
    os.replace(fresh, export)  # saved as browsers and editors save: renamed over the old one
    notice.wait_for(state="visible", timeout=WAIT * 1000)
    assert "export.zip changed on disk and has been reloaded" in notice.inner_text()
    assert notice.get_by_role("link", name="reload").get_attribute("href") == p.url
    assert page.console_errors == []
