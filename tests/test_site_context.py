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
