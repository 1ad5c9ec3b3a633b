"""The built site in Chromium from file://: navigation, search, languages, hostility, a11y."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PageRecorder
from tests.site_helpers import hostile, site
from viewer.offline import external_references

__all__ = ["hostile", "site"]
pytestmark = pytest.mark.browser

AXE_VERSION = "4.10.2"
AXE_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "export-viewer-axe"


def url(path: Path) -> str:
    return path.resolve().as_uri()


def sms_records(site: Path) -> list[list[Any]]:
    """Return the SMS records the site ships for client-side search, as [seq, data] pairs."""
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
    assert p.url.endswith("/en/tables/sms/page-2.html")
    p.locator("table.records tbody th a").first.click()
    assert "/en/tables/sms/records/" in p.url
    assert p.locator("article.record").count() >= 1
    p.go_back()
    assert p.url.endswith("/en/tables/sms/page-2.html")
    assert page.console_errors == []
    assert page.external_requests == []


def test_search_finds_a_known_sms(site: Path, page: PageRecorder) -> None:
    seq, data = next(r for r in sms_records(site) if r[0] >= 120 and r[1]["content"].get("body"))
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
    assert p.locator(f"#r{seq}, article.record").first.is_visible()
    assert page.console_errors == []


def test_switching_to_swedish_keeps_the_page(site: Path, page: PageRecorder) -> None:
    p = page.page
    p.goto(url(site / "en" / "tables" / "sms" / "page-2.html"))
    p.get_by_role("link", name="Svenska").click()
    assert p.url.endswith("/sv/tables/sms/page-2.html")
    assert p.locator("html").get_attribute("lang") == "sv"
    assert p.get_by_label("Sök i tabellen").count() == 1
    p.get_by_role("link", name="Översikt").first.click()
    assert p.locator("h1").inner_text().startswith("Din export")
    assert page.console_errors == []


def test_no_script_from_a_hostile_export_runs(hostile: Path, page: PageRecorder) -> None:
    p = page.page
    pages = sorted((hostile / "en" / "tables").glob("*/records/*.html"))[:40]
    pages += sorted((hostile / "en" / "views").rglob("*.html"))[:40]
    for path in [hostile / "en" / "index.html", *pages]:
        p.goto(url(path))
        assert p.evaluate("typeof window.__pwned") == "undefined", path
        hrefs = p.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
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
        site / "en" / "tables" / "sms" / "page-2.html",
        site / "en" / "tables" / "sms" / "records" / "p1.html",
        site / "en" / "report.html",
        site / "sv" / "views" / "contacts" / "index.html",
        conversation,
    ]
    for path in paths:
        p.goto(url(path))
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
