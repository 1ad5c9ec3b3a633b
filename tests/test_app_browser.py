"""End to end in headless Chromium against a real server: upload, progress, browse, guide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_helpers import PASSWORD, Running, make_sample, running
from tests.browser import PageRecorder

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
    p.on("request", lambda r: progress_seen.append(r.url) if "/events" in r.url else None)
    upload(page, sample, PASSWORD)
    p.wait_for_url("**/en/index.html")
    assert progress_seen  # the progress page listened to the decryption events
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


def test_many_tabs_all_load_and_each_shows_a_reload_notice(
    run: Running, tmp_path: Path, page: PageRecorder
) -> None:
    import os

    from tests.app_helpers import open_ready
    from viewer.sample import write_sample

    export = make_sample(tmp_path)
    session = open_ready(run, export)
    sign_in(run, page)
    context = page.page.context
    overview = f"{run.base}/x/{session.id}/en/index.html"
    tabs = [context.new_page() for _ in range(8)]  # more than the six connections per host
    for tab in tabs:
        tab.set_default_timeout(10_000)
        tab.goto(overview)
        assert tab.locator("h1").inner_text().startswith("Your")
    # The export is replaced on disk: every open tab says so within a few polls.
    fresh = tmp_path / "export.zip.part"
    write_sample(fresh, records=500, password=PASSWORD)
    os.replace(fresh, export)
    for tab in tabs:
        tab.locator("[data-ev-notice]").filter(has_text="changed on disk").wait_for(timeout=30_000)
    assert page.external_requests == []
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []
    for tab in tabs:
        tab.close()
    run.sessions.close(session.id)


def test_the_progress_page_shows_progress(run: Running, tmp_path: Path, page: PageRecorder) -> None:
    from viewer.sample import write_sample

    big = tmp_path / "big.zip"
    write_sample(big, records=40_000, password=PASSWORD)
    p = page.page
    sign_in(run, page)
    seen: list[str] = []
    p.expose_function("evNoteProgress", lambda text: seen.append(text))
    p.add_init_script("""
        new MutationObserver(() => {
          const label = document.querySelector('[data-ev-progress-text]');
          if (label && /%/.test(label.textContent)) { window.evNoteProgress(label.textContent); }
        }).observe(document, {subtree: true, childList: true, characterData: true});
    """)  # fmt: skip
    p.fill("#ev-path", str(big))
    p.fill("#ev-password", PASSWORD)
    p.get_by_role("button", name="Open", exact=True).click()
    p.wait_for_url("**/en/index.html", timeout=60_000)
    assert seen and any(" MB)" in text for text in seen), seen  # "37 % (1.2 / 3.3 MB)"
