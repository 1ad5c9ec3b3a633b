"""Page contexts are plain data: the same dicts give HTML pages and JSON (for the server)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from verify.contract import load_contract
from verify.report import build_report
from verify.stats import StatsCollector
from viewer.loader import load_export
from viewer.sample import write_sample
from viewer.site import context, paths
from viewer.site.build import summarise
from viewer.site.model import SiteData
from viewer.site.render import render
from viewer.site.views import build_views
from viewer.store import Store


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[SiteData, Store]:
    export = tmp_path_factory.mktemp("ctx") / "export.zip"
    write_sample(export, records=200, password="pw")
    contract = load_contract()
    collector = StatsCollector(contract, latest_ms=int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    result = load_export(export, password=lambda _name: "pw", contract=contract, sinks=[collector])
    assert result.store is not None
    report = build_report(contract, collector, result.info, result.problems)
    return SiteData(contract, report, summarise(result.store, contract), guide=False), result.store


def test_contexts_are_json_and_render_to_html(loaded: tuple[SiteData, Store]) -> None:
    site, store = loaded
    records = store.page("sms", limit=paths.PAGE_SIZE)
    pages = [
        context.overview_context(site, "sv"),
        context.service_context(site, "sv", "sms"),
        context.table_context(site, "sv", "sms", 1, records),
        context.record_context(site, "sv", "sms", records[:1]),
        context.report_context(site, "sv"),
    ]
    for ctx in pages:
        json.dumps(ctx)
        html = render(ctx)
        assert html.startswith("<!DOCTYPE html>")
        assert '<html lang="sv">' in html


def test_overview_lists_every_documented_service_and_category(
    loaded: tuple[SiteData, Store],
) -> None:
    site, _store = loaded
    ctx = context.overview_context(site, "en")
    ids = [s["id"] for s in ctx["services"] + ctx["metadata"]]
    assert ids == [s.id for s in site.contract.services]
    assert len(ctx["not_exportable"]) == len(site.contract.not_exportable)
    sms = next(s for s in ctx["services"] if s["id"] == "sms")
    assert sms["records"] == site.tables["sms"].info.records
    assert sms["status"] in {"complete", "partial"}
    assert sms["view"] == "views/sms/index.html"


def test_record_context_has_labels_provenance_and_neighbours(
    loaded: tuple[SiteData, Store],
) -> None:
    site, store = loaded
    record = store.get("sms", 1)
    assert record is not None
    entry = context.record_entry(site, "sv", record)
    labels = {f["key"]: f["label"] for f in entry["fields"]}
    assert labels["content"] == "Innehåll"  # the contract's Swedish wording
    assert entry["file"] == record.file and entry["index"] == record.index
    assert entry["prev"] and entry["next"]
    assert json.loads(entry["raw"]) == record.data


def test_views_render_without_a_writer_on_disk(loaded: tuple[SiteData, Store]) -> None:
    site, store = loaded
    pages: list[dict[str, object]] = []

    class Collect:
        def page(self, ctx: dict[str, object], template: str | None = None) -> None:
            json.dumps(ctx)
            pages.append(ctx)
            assert render(ctx).count("<main") == 1  # type: ignore[arg-type]

    build_views(site, store, Collect(), ["en"])
    kinds = {p["kind"] for p in pages}
    assert {"people", "conversation", "calls", "contacts", "notes", "agenda"} <= kinds


def test_unknown_service_is_a_key_error(loaded: tuple[SiteData, Store], tmp_path: Path) -> None:
    site, _store = loaded
    with pytest.raises(KeyError):
        context.service_context(site, "en", "no-such-service")


def test_overview_shows_the_exports_facts_in_the_pages_language(
    loaded: tuple[SiteData, Store],
) -> None:
    site, store = loaded
    en, sv = context.overview_context(site, "en"), context.overview_context(site, "sv")
    assert (
        en["archive_text"] == {"encryption": "AES-256", "export_date": "Jan 15, 2026, 12:00:00 PM"}
        or en["archive_text"]["encryption"] == "AES-256"
    )
    assert sv["archive_text"]["export_date"].startswith("15 jan. 2026")
    assert sv["archive"]["sha256"] == site.report["archive"]["sha256"]
    # Documented services first, in the contract's order; undocumented tables after them.
    assert [s["kind"] for s in en["services"]] == ["data"] * 16
    assert [s["kind"] for s in en["metadata"]] == ["metadata"] * 3
    sms = next(s for s in sv["services"] if s["id"] == "sms")
    first, last = (
        store.page("sms", sort="ts", limit=1)[0],
        store.page("sms", sort="ts", desc=True, limit=1)[0],
    )
    assert sms["range"]["first_ms"] == first.ts and sms["range"]["last_ms"] == last.ts
    assert sum(sms["spark"]) > 0 and len(sms["spark"]) <= 24
    assert sms["badge_href"] == "report.html#service-sms"
    chart = sv["chart"]
    assert chart["month_labels"][chart["months"][0]].split()[0] in {
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december"}  # fmt: skip
    html = render(sv)
    assert chart["month_labels"][chart["months"][-1]] in html  # the chart's axis, in Swedish
    assert "Tjänst för kontaktlista" in html


def test_a_found_not_exportable_category_and_undocumented_tables_are_shown(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export.zip"
    defects = ("not-exportable:invoices_profile", "undocumented-table:gadgets")
    write_sample(export, records=150, password=None, defects=defects)
    contract = load_contract()
    collector = StatsCollector(contract, latest_ms=int(dt.datetime.now(dt.UTC).timestamp() * 1000))
    result = load_export(export, password=None, contract=contract, sinks=[collector])
    assert result.store is not None
    report = build_report(contract, collector, result.info, result.problems)
    site = SiteData(contract, report, summarise(result.store, contract), guide=True, static=True)
    ctx = context.overview_context(site, "en")
    found = {c["id"]: c["found"] for c in ctx["not_exportable"]}
    assert found["invoices_profile"] is True and sum(found.values()) == 1
    assert [t["name"] for t in ctx["undocumented"]] == ["invoices", "gadgets"]
    assert ctx["guide_href"] == "../guide/index.html"
    html = render(ctx)
    assert 'href="report.html#not-exportable">found in the export</a>' in html
    assert html.count('href="report.html#not-exportable">not found</a>') == 6
    assert 'href="tables/gadgets/index.html">gadgets</a>' in html
    result.store.close()


def test_service_page_lists_the_guidances_fields_with_their_coverage(
    loaded: tuple[SiteData, Store],
) -> None:
    site, _store = loaded
    ctx = context.service_context(site, "sv", "recorder")
    names = [f["name"] for f in ctx["fields"]]
    assert names == [f.name.sv for f in site.contract.service("recorder").fields]  # type: ignore[union-attr]
    assert all(f["coverage"] == 1.0 for f in ctx["fields"])  # a fresh sample has them all
    assert {f["type_label"] for f in ctx["fields"]} >= {"tid", "storlek i byte", "webbadress"}
    html = render(ctx)
    assert "Dokumentens typ" in html and "100\u00a0%" in html
    assert ctx["badge_href"] == "report.html#service-recorder"


def test_the_report_page_has_the_anchor_of_every_badge(loaded: tuple[SiteData, Store]) -> None:
    site, _store = loaded
    html = render(context.report_context(site, "en"))
    for service in site.contract.services:
        assert f'id="service-{service.id}"' in html, service.id
    assert 'id="not-exportable"' in html  # every category's badge links here, found or not


def test_view_pages_of_a_group_without_a_name_hold_just_those_records(
    loaded: tuple[SiteData, Store],
) -> None:
    site, store = loaded
    pages: list[dict[str, object]] = []

    class Collect:
        def page(self, ctx: dict[str, object], template: str | None = None) -> None:
            pages.append(ctx)

    build_views(site, store, Collect(), ["en"])
    notes = [p for p in pages if p["kind"] == "notes" and p["group"]]
    for page in notes:
        group = page["group"]
        assert isinstance(group, dict)
        items = page["items"]
        assert isinstance(items, list) and len(items) <= group["count"]
        assert items, group  # no empty pages
    contacts = [c for p in pages if p["kind"] == "contacts" for c in p["cards"]]  # type: ignore[attr-defined]
    names = [c["name"].casefold() for c in contacts]
    assert names == sorted(names) and len(contacts) == site.tables["contacts"].info.records
