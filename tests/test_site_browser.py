"""The built site in Chromium from file://: navigation, search, languages, hostility, a11y."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PageRecorder, is_local
from tests.site_helpers import hostile, site
from viewer.offline import external_references

__all__ = ["hostile", "site"]
pytestmark = pytest.mark.browser

AXE_VERSION = "4.10.2"
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "export-viewer-axe"


def url(path: Path) -> str:
    return path.resolve().as_uri()


def sms_records(site: Path) -> list[list[Any]]:
    """Return the SMS records the site ships for the browser, as [seq, data, file, index]."""
    text = (site / "data" / "sms-0.js").read_text(encoding="utf-8")
    payload = json.loads(text[text.index("push(") + 5 : text.rindex(");")])
    records: list[list[Any]] = payload["records"]
    return records


def test_a_person_walks_from_the_overview_to_a_record_and_back(
    site: Path, page: PageRecorder
) -> None:
    p = page.page
    p.goto(url(site / "index.html"))
    p.wait_for_url("**/en/index.html")
    p.get_by_role("link", name="SMS", exact=True).first.click()
    assert p.url.endswith("/en/services/sms.html")
    p.locator("main").get_by_role("link", name="sms", exact=True).click()
    assert p.url.endswith("/en/tables/sms/index.html")
    p.locator("nav.pager").get_by_role("link", name="2", exact=True).click()
    assert p.url.endswith("/en/tables/sms/index.html#page=2")
    first = p.locator("table.records tbody th a").first
    first.filter(has_text="50").wait_for()  # page 2 starts at record 50
    assert p.locator("[data-ev-pageof]").inner_text() == "page 2 of 6"
    assert p.locator("nav.pager [aria-current=page]").inner_text() == "2"
    first.click()
    assert p.url.endswith("/en/tables/sms/record.html#r50")
    article = p.locator("article.record#r50")
    article.wait_for()
    assert p.locator("h1").inner_text() == "Record 50 of sms"
    assert "From xiaomi_cloud_export/sms.json, position 50 in its table" in article.inner_text()
    assert article.locator("table.fields th", has_text="Last update time").count() == 1
    raw = json.loads(article.locator("details.raw pre").text_content() or "")
    assert raw == next(r[1] for r in sms_records(site) if r[0] == 50)
    p.get_by_role("link", name="Next record").click()
    p.locator("article.record#r51").wait_for()
    p.go_back()
    p.locator("article.record#r50").wait_for()
    p.get_by_role("link", name="Back to the table").click()
    assert p.url.endswith("/en/tables/sms/index.html#page=2")
    p.locator("table.records tbody th a").first.filter(has_text="50").wait_for()
    p.go_back()
    p.go_back()
    p.locator("table.records tbody th a").first.filter(has_text="50").wait_for()
    assert p.url.endswith("/en/tables/sms/index.html#page=2")
    assert page.console_errors == []
    assert page.external_requests == []


def test_a_page_or_record_that_does_not_exist_says_so(site: Path, page: PageRecorder) -> None:
    p = page.page
    p.goto(url(site / "en" / "tables" / "sms" / "index.html") + "#page=999")
    p.locator("[data-ev-status]").filter(has_text="There is no such page.").wait_for()
    p.goto(url(site / "en" / "tables" / "sms" / "record.html") + "#r99999")
    p.get_by_text("There is no record 99999 in this table.").wait_for()
    assert page.console_errors == []


def test_search_finds_a_known_sms(site: Path, page: PageRecorder) -> None:
    seq, data = next(
        r[:2] for r in sms_records(site) if r[0] >= 120 and r[1]["content"].get("body")
    )
    words = [*data["content"]["body"].split()[:2], data["content"]["address"]]
    p = page.page
    p.goto(url(site / "en" / "tables" / "sms" / "index.html"))
    p.get_by_label("Search this table").fill(" ".join(words))
    link = p.locator(
        f'table.records tbody a[href$="#r{seq}"], table.records tbody a[href$="/{seq}.html"]'
    )
    link.first.wait_for()
    assert p.locator("[data-ev-status]").inner_text().endswith("records found")
    link.first.click()
    p.locator(f"article.record#r{seq}").wait_for()
    assert page.console_errors == []
    assert page.external_requests == []


def test_switching_to_swedish_keeps_the_page(site: Path, page: PageRecorder) -> None:
    p = page.page
    p.goto(url(site / "en" / "tables" / "sms" / "index.html") + "#page=2")
    p.locator("table.records tbody th a").first.filter(has_text="50").wait_for()
    p.get_by_role("link", name="Svenska").click()
    assert p.url.endswith("/sv/tables/sms/index.html#page=2")
    assert p.locator("html").get_attribute("lang") == "sv"
    assert p.get_by_label("Sök i tabellen").count() == 1
    p.locator("[data-ev-pageof]").filter(has_text="sida 2 av 6").wait_for()
    p.locator("table.records tbody th a").first.click()
    p.locator("article.record#r50").wait_for()
    assert p.locator("h1").inner_text() == "Post 50 i sms"
    p.get_by_role("link", name="English").click()
    assert p.url.endswith("/en/tables/sms/record.html#r50")
    p.locator("article.record#r50").wait_for()
    p.get_by_role("link", name="Svenska").click()
    p.get_by_role("link", name="Översikt").first.click()
    assert p.locator("h1").inner_text().startswith("Din export")
    assert page.console_errors == []
    assert page.external_requests == []


def no_script_ran(p: Any, where: object) -> None:
    assert p.evaluate("typeof window.__pwned") == "undefined", where
    hrefs = p.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))], where


def test_no_script_from_a_hostile_export_runs(hostile: Path, page: PageRecorder) -> None:
    p = page.page
    for lang in ("en", "sv"):
        pages = sorted((hostile / lang / "views").rglob("*.html"))[:40]
        pages += sorted((hostile / lang / "services").glob("*.html"))
        for path in [hostile / lang / "index.html", hostile / lang / "report.html", *pages]:
            p.goto(url(path))
            no_script_ran(p, path)
        # Record pages and later table pages are drawn in the browser from the data files.
        for shell in sorted((hostile / lang / "tables").glob("*/record.html")):
            p.goto(url(shell))
            for seq in range(12):
                p.goto(f"{url(shell)}#r{seq}")
                p.locator(f"article.record#r{seq}, p.note").first.wait_for()
                no_script_ran(p, (shell, seq))
        p.goto(url(hostile / lang / "tables" / "sms" / "index.html") + "#page=3")
        p.locator("table.records tbody th a").first.filter(has_text="100").wait_for()
        no_script_ran(p, "sms page 3")
    # Client-side rendering of the hostile values (search and sort over the data files).
    for table in ("notes", "sms", "contacts"):
        p.goto(url(hostile / "en" / "tables" / table / "index.html"))
        p.get_by_label("Search this table").fill("a")
        p.locator("[data-ev-status]").filter(has_text="found").wait_for()
        p.locator("button[data-ev-sort]").first.click()
        p.locator("details.nested summary").first.click()
        assert p.evaluate("typeof window.__pwned") == "undefined", table
    assert page.external_requests == []
    assert page.console_errors == []
    assert external_references(hostile) == []


def _axe_source() -> Path:
    """Return axe-core from npm (cached between runs; never shipped in the site)."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot fetch axe-core")
        AXE_CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(AXE_CACHE), "--no-audit", "--no-fund",
             f"axe-core@{AXE_VERSION}"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not script.is_file():
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"cannot install axe-core: {done.stderr[-500:]}")
            pytest.skip("axe-core could not be installed from npm")
    return script


def test_main_pages_have_no_serious_accessibility_violations(
    site: Path, page: PageRecorder
) -> None:
    source = _axe_source().read_text(encoding="utf-8")
    p = page.page
    conversation = next((site / "sv" / "views" / "sms").glob("with-*.html"))
    paths = [
        site / "en" / "index.html",
        site / "en" / "services" / "sms.html",
        site / "en" / "tables" / "sms" / "index.html",
        site / "en" / "tables" / "sms" / "record.html",
        site / "en" / "report.html",
        site / "sv" / "views" / "contacts" / "index.html",
        conversation,
    ]
    for path in paths:
        p.goto(url(path))
        if path.name == "record.html":
            p.locator("article.record").wait_for()
        p.evaluate(source)  # evaluated by the test driver, so the page's CSP does not apply
        # No preload: axe would fetch the stylesheets, which the CSP (rightly) blocks.
        result = p.evaluate(
            "async () => { const r = await axe.run(document, {preload: false});"
            " return {violations: r.violations, passes: r.passes.length}; }"
        )
        assert result["passes"] > 10  # axe really checked the page
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], path
    assert page.console_errors == []
    assert page.external_requests == []


def test_sorting_and_columns_on_a_phone_in_dark_mode_stay_accessible(
    site: Path, browser: Any
) -> None:
    source = _axe_source().read_text(encoding="utf-8")
    context = browser.new_context(color_scheme="dark", viewport={"width": 390, "height": 844})
    leaving: list[str] = []
    context.route("**/*", lambda route: route.continue_() if is_local(route.request.url)
                  else (leaving.append(route.request.url), route.abort()))  # fmt: skip
    p = context.new_page()
    p.set_default_timeout(10_000)
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.goto(url(site / "en" / "tables" / "sms" / "index.html"))
    assert p.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    # Wide tables scroll inside their box: the page itself is no wider than the phone.
    assert p.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")
    p.get_by_role("button", name="Time", exact=True).click()
    p.locator("[data-ev-status]").filter(has_text="records found").wait_for()
    header = p.locator("th[data-ev-key='content.date']")
    assert header.get_attribute("aria-sort") == "ascending"
    times = p.eval_on_selector_all(
        "table.records tbody tr",
        "rows => rows.map(r => r.querySelector('time[title]'))"
        ".filter(Boolean).map(t => Number(t.title))",
    )
    assert len(times) >= 40 and times == sorted(times)
    p.locator("details.columns summary").click()
    p.get_by_label("Text", exact=True).uncheck()
    assert p.locator("th[data-ev-key='content.body']").is_hidden()
    assert p.locator("table.records tbody tr").first.locator("td").nth(1).is_hidden()
    p.evaluate(source)
    result = p.evaluate("async () => (await axe.run(document, {preload: false})).violations")
    bad = [(v["id"], v["impact"]) for v in result if v["impact"] in ("serious", "critical")]
    assert bad == []
    assert errors == [] and leaving == []
    context.close()
