"""One context builder per page kind: plain dicts, rendered as HTML or returned as JSON alike.

Every href in a context is relative to the language's root; `base` leads there from the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from verify.contract import Service
from viewer.guide.build import guide_link
from viewer.site import paths
from viewer.site.charts import month_range
from viewer.site.i18n import (
    ENCRYPTION_LABELS,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    TYPE_LABELS,
    Formats,
    label,
    translations,
)
from viewer.site.model import SiteData, TableSummary
from viewer.site.values import at_path, cell, pretty_json, record_fields
from viewer.store import Record, dig
from viewer.timeparse import to_epoch_ms

Context = dict[str, Any]
PAGER_WINDOW = 2


def page_context(site: SiteData, lang: str, path: str, kind: str) -> Context:
    """Return what every page has: language, links back to the root, the other language."""
    base = paths.base_for(path)
    return {
        "kind": kind,
        "lang": lang,
        "path": path,
        "base": base,
        "static": f"{base}../static/",
        "root": f"{base}../",
        "provider": site.contract.provider_name.get(lang),
        "export_name": site.report["archive"]["name"],
        "languages": [
            {
                "lang": other,
                "name": LANGUAGE_NAMES[other],
                "href": f"{base}../{other}/{path}",
                "current": other == lang,
            }
            for other in LANGUAGES
        ],
        "guide_href": _guide(site, lang, base),
    }


def _guide(site: SiteData, lang: str, base: str, anchor: str | None = None) -> str | None:
    if not site.guide:
        return None
    page = "exportable-data" if anchor else "index"
    return f"{base}../guide/{guide_link(lang, page, anchor)}"


def _range(summaries: Sequence[TableSummary], fmt: Formats) -> dict[str, Any]:
    firsts = [t.first for t in summaries if t.first is not None]
    lasts = [t.last for t in summaries if t.last is not None]
    first, last = (min(firsts), max(lasts)) if firsts and lasts else (None, None)
    return {"first": fmt.date(first), "last": fmt.date(last), "first_ms": first, "last_ms": last}


def _monthly(summaries: Sequence[TableSummary], months: Sequence[str]) -> list[int]:
    return [sum(t.months.get(m, 0) for t in summaries) for m in months]


def _service_row(site: SiteData, lang: str, service: Service, months: list[str]) -> Context:
    fmt = Formats(lang)
    summaries = site.service_tables(service.id)
    row = site.report_service(service.id)
    return {
        "id": service.id,
        "name": service.name.get(lang),
        "kind": service.kind,
        "href": paths.service_page(service.id),
        "records": sum(t.info.records for t in summaries),
        "status": row.get("status", "missing"),
        "badge_href": f"report.html#service-{service.id}",
        "range": _range(summaries, fmt),
        "spark": _monthly(summaries, months),
        "view": _view_link(service, summaries),
    }


def _view_link(service: Service, summaries: Sequence[TableSummary]) -> str | None:
    if service.view_kind == "table" or not any(t.info.records for t in summaries):
        return None
    return paths.view_page(service.id)


def chart_data(site: SiteData, lang: str) -> Context:
    """Return the activity chart's months and one series of monthly counts per service."""
    all_months = month_range(m for t in site.tables.values() for m in t.months)
    series: list[Context] = []
    for service in site.contract.services:
        counts = {
            m: n for m in all_months if (n := _monthly(site.service_tables(service.id), [m])[0])
        }
        if counts:
            series.append({"id": service.id, "label": service.name.get(lang), "counts": counts})
    other = [t for t in site.tables.values() if t.service is None]
    counts = {m: n for m in all_months if (n := _monthly(other, [m])[0])}
    gettext = translations(lang).gettext
    if counts:
        series.append({"id": None, "label": gettext("Undocumented tables"), "counts": counts})
    fmt = Formats(lang)
    return {
        "months": all_months,
        "series": series,
        "month_labels": {m: fmt.month(m) for m in all_months},
        "count_labels": {n: fmt.number(n) for s in series for n in s["counts"].values()},
    }


def overview_context(site: SiteData, lang: str) -> Context:
    """Return the overview: services, metadata, undocumented tables, categories, facts, chart."""
    ctx = page_context(site, lang, "index.html", "overview")
    chart = chart_data(site, lang)
    spark_months = chart["months"][-24:]
    rows = [_service_row(site, lang, s, spark_months) for s in site.contract.services]
    found = {c["id"] for c in site.report["not_exportable_found"]}
    undocumented = [_table_row(t, lang) for t in site.tables.values() if t.service is None]
    ctx.update(
        services=[r for r in rows if r["kind"] == "data"],
        metadata=[r for r in rows if r["kind"] == "metadata"],
        undocumented=undocumented,
        not_exportable=[
            {
                "id": c.id,
                "name": c.name.get(lang),
                "found": c.id in found,
                "guide_href": _guide(site, lang, "", f"not-exportable-{c.id}"),
            }
            for c in site.contract.not_exportable
        ],
        archive=site.report["archive"],
        archive_text=_archive_text(site.report["archive"], lang),
        summary=site.report["summary"],
        chart=chart,
        range=_range(list(site.tables.values()), Formats(lang)),
        report_href="report.html",
    )
    return ctx


def _archive_text(archive: Context, lang: str) -> Context:
    """Return the export's facts in the page's language (the report keeps them as data)."""
    exported = archive.get("export_date")
    return {
        "encryption": label(ENCRYPTION_LABELS, archive.get("encryption"), lang),
        "export_date": Formats(lang).datetime(to_epoch_ms(exported)) if exported else "",
    }


def _table_row(t: TableSummary, lang: str) -> Context:
    return {
        "name": t.info.name,
        "href": paths.table_page(t.info.name),  # a table's first page has the same path anywhere
        "records": t.info.records,
        "files": list(t.info.files),
        "range": _range([t], Formats(lang)),
    }


def service_context(site: SiteData, lang: str, service_id: str) -> Context:
    """Return a service's page: its documented fields with coverage, and its tables."""
    service = site.contract.service(service_id)
    if service is None:
        raise KeyError(service_id)
    ctx = page_context(site, lang, paths.service_page(service_id), "service")
    row = site.report_service(service_id)
    coverage = {f["id"]: f for f in row.get("fields", [])}
    summaries = site.service_tables(service_id)
    ctx.update(
        service={
            "id": service.id,
            "name": service.name.get(lang),
            "kind": service.kind,
            "view_kind": service.view_kind,
            "status": row.get("status", "missing"),
            "records": row.get("records", 0),
            "coverage": row.get("coverage", 0.0),
        },
        fields=[
            {
                "id": f.id,
                "name": f.name.get(lang),
                "type": f.type,
                "type_label": label(TYPE_LABELS, f.type, lang),
                "keys": list(f.keys),
                "keys_found": coverage.get(f.id, {}).get("keys_found", []),
                "coverage": coverage.get(f.id, {}).get("coverage", 0.0),
            }
            for f in service.fields
        ],
        tables=[_table_row(t, lang) for t in summaries],
        view_href=_view_link(service, summaries),
        badge_href=f"report.html#service-{service.id}",
        guide_section=_guide(site, lang, ctx["base"], service.id),
    )
    return ctx


def _pager(href: Callable[[int], str], page: int, pages: int) -> Context:
    # site.js draws the same pager for the static site's later pages: keep both in step.
    numbers = sorted(
        {1, pages, *range(max(1, page - PAGER_WINDOW), min(pages, page + PAGER_WINDOW) + 1)}
    )
    links: list[Context] = []
    for n in numbers:
        if links and n - links[-1]["number"] > 1:
            links.append({"number": n - 1, "gap": True, "href": None, "current": False})
        links.append({"number": n, "gap": False, "href": href(n), "current": n == page})
    return {
        "page": page,
        "pages": pages,
        "prev": href(page - 1) if page > 1 else None,
        "next": href(page + 1) if page < pages else None,
        "links": links,
    }


def page_links(href: Callable[[int], str], page: int, pages: int) -> Context:
    """Return a pager: previous, next, the first and last page, and a window around `page`."""
    return _pager(href, page, pages)


def pager_context(table: str, page: int, pages: int) -> Context:
    """Return the pager of one table page (the server's filtered pages count their own pages)."""
    return _pager(lambda n: paths.table_page(table, n), page, pages)


def table_context(
    site: SiteData,
    lang: str,
    table: str,
    page: int,
    records: Sequence[Record],
    *,
    cells: bool = True,
) -> Context:
    """Return one page of a table: columns, rows of cells, pager, and the data files for search.

    Without `cells`, a row has the record's data instead, which the template's `row` filter
    writes straight to HTML (for a page that is only shown, not given as JSON).
    """
    t = site.tables[table]
    path = paths.table_page(table, page)
    ctx = page_context(site, lang, path, "table")
    fmt = Formats(lang)
    fields = t.service.key_index() if t.service else {}
    specs = [(tuple(c["path"]), fields.get(c["key"]), c["type"]) for c in t.columns]
    total = t.info.records
    chunks = -(-total // paths.DATA_CHUNK)
    ctx.update(
        table={
            "name": table,
            "records": total,
            "files": list(t.info.files),
            "slug": paths.slug(table),
            "bundle": paths.PAGE_SIZE if paths.bundled(total) else 0,
            "first_seq": page * paths.PAGE_SIZE - paths.PAGE_SIZE,
            "static": site.static,
            "page_size": paths.PAGE_SIZE,
            "chunk_size": paths.DATA_CHUNK,
        },
        service=_service_ref(t.service, lang),
        not_exportable=_not_exportable_name(site, table, lang),
        columns=[dict(c, label=c["name"][lang]) for c in t.columns],
        rows=[
            {
                "seq": r.seq,
                "href": site.record_href(table, r.seq),
                **({"cells": _cells(r.data, specs, fmt)} if cells else {"data": r.data}),
            }
            for r in records
        ],
        pager=_pager(lambda n: site.table_href(table, n), page, paths.page_count(total)),
        data_files=[f"{ctx['root']}{paths.data_file(table, n)}" for n in range(chunks)],
    )
    return ctx


ColumnSpec = tuple[tuple[str, ...], Any, str | None]  # path, field, type


def _cells(data: dict[str, Any], specs: Sequence[ColumnSpec], fmt: Formats) -> list[Context]:
    return [cell(at_path(data, path), field, fmt, kind=kind) for path, field, kind in specs]


RECORD_LABELS = {
    "record": N_("Record %(n)s"),
    "title": N_("Record %(n)s of %(table)s"),
    "from": N_("From %(file)s, position %(index)s in its table"),
    "neighbours": N_("Record %(n)s: neighbours"),
    "field": N_("Field"),
    "type": N_("Type"),
    "value": N_("Value"),
    "undocumented": N_("undocumented"),
    "raw": N_("Raw JSON"),
    "id": N_("ID"),
    "prev": N_("Previous record"),
    "back": N_("Back to the table"),
    "next": N_("Next record"),
    "missing": N_("There is no record %(n)s in this table."),
    "loading": N_("Loading the record…"),
}
_PLACEHOLDERS = {"n": "{n}", "table": "{table}", "file": "{file}", "index": "{index}"}


def record_shell_context(site: SiteData, lang: str, table: str) -> Context:
    """Return the static site's record page of a table: what the browser needs to draw any record.

    The record itself comes from the table's data files; this holds the labels and the
    documented fields (label, type, format per key), in the page's language.
    """
    t = site.tables[table]
    ctx = page_context(site, lang, paths.record_shell(table), "record_shell")
    gettext = translations(lang).gettext
    fields = {
        key: {
            "label": f.name.get(lang),
            "type": f.type,
            "type_label": label(TYPE_LABELS, f.type, lang),
            "format": f.format,
        }
        for key, f in (t.service.key_index().items() if t.service else ())
    }
    ctx.update(
        table={"name": table, "href": paths.table_page(table), "records": t.info.records},
        service=_service_ref(t.service, lang),
        meta={
            "table": paths.slug(table),
            "name": table,
            "records": t.info.records,
            "page_size": paths.PAGE_SIZE,
            "chunk_size": paths.DATA_CHUNK,
            "data": f"{ctx['root']}data/{paths.slug(table)}-",
            "id_keys": list(t.service.id_keys) if t.service else ["id"],
            "fields": fields,
            "labels": {
                k: gettext(v) % {n: p for n, p in _PLACEHOLDERS.items() if f"%({n})s" in v}
                for k, v in RECORD_LABELS.items()
            },
        },
    )
    return ctx


def _service_ref(service: Service | None, lang: str) -> Context | None:
    if service is None:
        return None
    return {
        "id": service.id,
        "name": service.name.get(lang),
        "href": paths.service_page(service.id),
    }


def _not_exportable_name(site: SiteData, table: str, lang: str) -> str | None:
    category = site.contract.not_exportable_for_table(table)
    return category.name.get(lang) if category else None


def record_entry(site: SiteData, lang: str, record: Record) -> Context:
    """Return one record: every field with label, type and value, raw JSON, provenance, links."""
    t = site.tables[record.table]
    total = t.info.records
    return {
        "seq": record.seq,
        "anchor": f"r{record.seq}",
        "rid": record.rid,
        "file": record.file,
        "index": record.index,
        "fields": record_fields(record.data, t.service, Formats(lang)),
        "raw": pretty_json(record.data),
        "prev": site.record_href(record.table, record.seq - 1) if record.seq > 0 else None,
        "next": site.record_href(record.table, record.seq + 1) if record.seq + 1 < total else None,
        "table_href": site.table_href(record.table, record.seq // paths.PAGE_SIZE + 1),
    }


def record_context(site: SiteData, lang: str, table: str, records: Sequence[Record]) -> Context:
    """Return a record page: one record, or the records of one table page when bundled."""
    t = site.tables[table]
    path = paths.record_file(table, records[0].seq, t.info.records)
    ctx = page_context(site, lang, path, "record")
    ctx.update(
        table={"name": table, "href": paths.table_page(table), "records": t.info.records},
        service=_service_ref(t.service, lang),
        records=[record_entry(site, lang, r) for r in records],
        bundled=paths.bundled(t.info.records),
    )
    return ctx


def report_context(site: SiteData, lang: str) -> Context:
    """Return the verification report page."""
    ctx = page_context(site, lang, "report.html", "report")
    ctx["report"] = site.report
    return ctx
