"""The migration guide: builds strictly, matches the contract in both languages, works offline."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from tests.browser import PageRecorder
from verify.contract import load_contract
from viewer.cli import main
from viewer.guide.build import build_guide, guide_config_path, guide_link
from viewer.guide.hooks import HOLIDAY_YEARS, render_placeholders
from viewer.offline import external_references
from viewer.timeline import deadlines, public_holidays

CONTRACT = load_contract()
PAGES = [
    "index",
    "requests",
    "timelines",
    "calculator",
    "download",
    "decrypt",
    "data-format",
    "exportable-data",
    "provider",
    "law",
    "export-viewer",
    "regulators",
    "troubleshooting",
]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the guide once per test session (per xdist worker), strictly."""
    out = tmp_path_factory.mktemp("guide")
    index = build_guide(out, strict=True)
    assert index == out / "index.html"
    return out


def _page(site: Path, lang: str, name: str) -> str:
    return (site / guide_link(lang, name)).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_every_page_is_built_in_both_languages(site: Path, lang: str) -> None:
    for name in PAGES:
        text = _page(site, lang, name)
        assert f'<html lang="{lang}"' in text, name
        assert "<!-- contract:" not in text and "<!-- timeline:" not in text, name


def test_swedish_interface_texts_are_swedish(site: Path) -> None:
    sv = _page(site, "sv", "index")
    assert 'placeholder="Sök"' in sv
    assert "Flytta dina data från Xiaomi Cloud" in sv
    assert 'placeholder="Search"' in _page(site, "en", "index")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_guide_and_contract_are_in_sync(site: Path, lang: str) -> None:
    text = html.unescape(_page(site, lang, "exportable-data"))
    for service in CONTRACT.services:
        assert f'id="{service.id}"' in text, service.id
        assert service.name.get(lang) in text, service.id
        for field in service.fields:
            assert field.name.get(lang) in text, (service.id, field.id)
        for table in service.tables:
            assert f"<code>{table}</code>" in text, (service.id, table)
    for category in CONTRACT.not_exportable:
        assert f'id="not-exportable-{category.id}"' in text, category.id
        assert category.name.get(lang) in text, category.id


def test_contract_counts_are_all_listed(site: Path) -> None:
    text = _page(site, "en", "exportable-data")
    ids = set(re.findall(r'<h3 id="([^"]+)"', text))
    expected = {s.id for s in CONTRACT.services}
    expected |= {f"not-exportable-{c.id}" for c in CONTRACT.not_exportable}
    assert ids == expected


def test_switching_numbers_come_from_the_contract(site: Path) -> None:
    text = _page(site, "sv", "timelines")
    working = CONTRACT.switching["unfeasibility_notice_working_days"]
    months = CONTRACT.switching["alternative_transition_max_months"]
    assert f"<strong>{working} arbetsdagar</strong>" in text
    assert f"<strong>{months} månader</strong>" in text


def test_built_site_loads_nothing_from_elsewhere(site: Path) -> None:
    assert external_references(site) == []
    index = _page(site, "en", "index")
    assert "assets/vendor/iframe-worker/shim.js" in index
    assert "unpkg.com" not in index and "fonts.googleapis" not in index
    assert "Made with" not in index  # extra.generator: false
    assert (site / "search" / "search_index.js").is_file()


def test_timeline_data_matches_the_holidays_package(site: Path) -> None:
    text = _page(site, "en", "calculator")
    match = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', text)
    assert match is not None
    data = json.loads(match.group(1))
    assert data["country"] == "NL"
    assert data["holidays"] == sorted(d.isoformat() for d in public_holidays("NL", HOLIDAY_YEARS))
    assert data["switching"]["notice_period_max_months"] == 2


def test_unknown_placeholder_fails_the_build() -> None:
    with pytest.raises(ValueError, match="contract:servces"):
        render_placeholders("x\n<!-- contract:servces -->\n", "en", CONTRACT)


def test_config_and_links() -> None:
    assert guide_config_path().name == "mkdocs.yml"
    assert guide_link("en", "exportable-data", "sms") == "exportable-data.html#sms"
    assert guide_link("sv", "exportable-data", "sms") == "sv/exportable-data.html#sms"


def test_guide_build_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "guide"
    assert main(["guide", "build", "--out", str(out)]) == 0
    assert (out / "sv" / "exportable-data.html").is_file()
    assert "built the guide" in capsys.readouterr().err
    assert out.stat().st_mode & 0o077 == 0


# --- in a real browser, from file:// ------------------------------------------------------------

# Dates around Christmas, New Year, Easter (2026: 3-6 April), King's Day, month ends, leap years.
DATES = [
    "2025-09-12",
    "2025-12-10",
    "2025-12-19",
    "2025-12-24",
    "2025-12-31",
    "2026-01-31",
    "2026-02-28",
    "2026-03-20",
    "2026-03-27",
    "2026-04-02",
    "2026-04-08",
    "2026-08-31",
    "2026-10-31",
    "2026-12-20",
    "2027-03-19",
    "2027-12-31",
    "2035-12-24",
]


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_pages_open_without_errors_or_requests(site: Path, page: PageRecorder, lang: str) -> None:
    for name in ("index", "exportable-data", "calculator", "timelines"):
        page.page.goto((site / guide_link(lang, name)).as_uri())
        page.page.wait_for_load_state("load")
    assert page.console_errors == []
    assert page.external_requests == []


@pytest.mark.browser
@pytest.mark.parametrize(("lang", "query"), [("en", "Amsterdam"), ("sv", "Nederländerna")])
def test_search_works_from_file(site: Path, page: PageRecorder, lang: str, query: str) -> None:
    page.page.goto((site / guide_link(lang, "index")).as_uri())
    page.page.click("input.md-search__input")
    page.page.locator("input.md-search__input").press_sequentially(query)
    results = page.page.locator(".md-search-result__item")
    results.first.wait_for(timeout=10_000)
    assert results.count() >= 1
    assert query.lower() in results.first.inner_text().lower()
    assert page.console_errors == []
    assert page.external_requests == []


def _browser_deadlines(page: PageRecorder, requested: str) -> dict[str, str]:
    page.page.fill("#ev-requested", requested)
    page.page.click("#ev-calculator button[type=submit]")
    rows = page.page.locator("#ev-deadlines tbody tr")
    return {
        rows.nth(i).get_attribute("data-id") or "": rows.nth(i)
        .locator("time")
        .get_attribute("datetime")
        or ""
        for i in range(rows.count())
    }


@pytest.mark.browser
def test_calculator_matches_the_timeline_command(site: Path, page: PageRecorder) -> None:
    page.page.goto((site / guide_link("en", "calculator")).as_uri())
    for requested in DATES:
        expected = {
            d.id: d.last_day.isoformat()
            for d in deadlines(dt.date.fromisoformat(requested), CONTRACT.switching, "NL")
        }
        assert _browser_deadlines(page, requested) == expected, requested
    assert page.console_errors == []


@pytest.mark.browser
def test_calculator_fills_in_the_swedish_request_text(site: Path, page: PageRecorder) -> None:
    page.page.goto((site / guide_link("sv", "calculator")).as_uri())
    page.page.fill("#ev-ready", "2027-01-04")
    days = _browser_deadlines(page, "2026-12-20")
    assert days["download_link"] == "2027-02-03"
    page.page.select_option("#ev-kind", "migration")
    text = page.page.input_value("#ev-letter")
    assert text.startswith("Ämne: Begäran om byte (migrering)")
    assert "2026-12-20" in text and "2027-01-11" in text and "2027-09-20" in text
    page.page.select_option("#ev-kind", "deletion")
    assert page.page.input_value("#ev-letter").startswith("Ämne: Begäran om radering")
    assert page.console_errors == []


@pytest.mark.browser
def test_calculator_fills_in_every_english_request_text_and_copies_it(
    site: Path, page: PageRecorder
) -> None:
    p = page.page
    p.goto((site / guide_link("en", "calculator")).as_uri())
    _browser_deadlines(page, "2026-12-20")
    starts = {
        "migration": "Subject: Request to switch (migration) of my Xiaomi Cloud data",
        "backup": "Subject: Request for a copy of my Xiaomi Cloud data (backup)",
        "deletion": "Subject: Request to delete my Xiaomi Cloud data",
    }
    for kind, start in starts.items():
        p.select_option("#ev-kind", kind)
        text = p.input_value("#ev-letter")
        assert text.startswith(start), (kind, text[:80])
        assert "2026-12-20" in text and "{" not in text, kind  # every date filled in
    p.select_option("#ev-kind", "backup")
    backup = p.input_value("#ev-letter")
    assert "2027-02-20" in backup and "2027-01-11" in backup  # the notice and 14 working days
    p.select_option("#ev-kind", "deletion")
    assert "within one month at the latest (GDPR article 12(3))" in p.input_value("#ev-letter")
    p.click("#ev-copy")
    p.locator("#ev-message").filter(has_text=re.compile("copied|copy it yourself")).wait_for()
    selected = p.evaluate("() => document.getSelection().toString().length")
    assert selected > 100  # the text is selected, ready to paste
    assert page.console_errors == []
    assert page.external_requests == []
