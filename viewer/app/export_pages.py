"""One open export's pages: the static site's pages by path, plus search, filters, CSV and data.

The special views (conversations, contacts...) come from `viewer.app.views`.

Paths are the static site's (`viewer.site.paths`), below `/x/<id>/<lang>/`. The server adds what
only a server can: full-text search (one table or the whole export), sorting on any column,
filters (counterpart, status, date range) with their own pages, and a streamed CSV per table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from viewer.app import downloads, views
from viewer.app.pages import render, session_of, static_path, wants_json
from viewer.app.sessions import Session
from viewer.convert.tabular import cell as csv_cell
from viewer.convert.tabular import excel_safe
from viewer.resources import data_path
from viewer.site import context, paths
from viewer.site.build import STATIC, data_script
from viewer.site.i18n import LANGUAGES
from viewer.site.model import TableSummary
from viewer.store import Record, text_of

_TABLE_PAGE = re.compile(r"tables/([^/]+)/(?:index|page-(\d{1,9}))\.html")
_RECORD_PAGE = re.compile(r"tables/([^/]+)/records/(?:(\d{1,12})|p(\d{1,9}))\.html")
_SERVICE_PAGE = re.compile(r"services/([^/]+)\.html")
_DATA_FILE = re.compile(r"([^/]+)-(\d{1,9})\.js")
FILTERS = ("q", "sort", "desc", "counterpart", "status", "since", "until")
SEARCH_LIMIT = 100
CSV_CHUNK = 1000


def _lang(request: Request) -> str:
    lang = str(request.path_params["lang"])
    if lang not in LANGUAGES:
        raise HTTPException(404, "No such language.")
    return lang


def _table(session: Session, slug: str) -> TableSummary:
    for summary in session.site.tables.values():
        if paths.slug(summary.info.name) == slug:
            return summary
    raise HTTPException(404, "No such table.")


def export_page(request: Request) -> Response:
    """Render one page of the export at its static-site path."""
    session = session_of(request)
    lang, path = _lang(request), str(request.path_params["path"])
    site = session.site
    if path == "index.html":
        return render(request, context.overview_context(site, lang), "serve_page.html", session)
    if path == "report.html":
        return render(request, context.report_context(site, lang), "serve_page.html", session)
    if path == "search.html":
        return search_page(request, session, lang)
    if path == downloads.PAGE:
        ctx = downloads.downloads_context(site, lang)
        return render(request, ctx, "serve_downloads.html", session)
    if m := _SERVICE_PAGE.fullmatch(path):
        service = next((s for s in site.contract.services if paths.slug(s.id) == m[1]), None)
        if service is None:
            raise HTTPException(404, "No such service.")
        ctx = context.service_context(site, lang, service.id)
        return render(request, ctx, "serve_page.html", session)
    if path.startswith("views/"):
        if (loaded := session.loaded) is None:  # closed since session_of looked
            raise HTTPException(404, "No such open export: it may have been closed.")
        ctx, template = views.view_page(loaded, lang, path)
        return render(request, ctx, "serve_page.html", session, page_template=template)
    if m := _TABLE_PAGE.fullmatch(path):
        return table_page(request, session, lang, _table(session, m[1]), int(m[2] or 1))
    if m := _RECORD_PAGE.fullmatch(path):
        return record_page(request, session, lang, _table(session, m[1]), m[2], m[3])
    raise HTTPException(404, "No such page.")


# -- table pages: sorted, filtered, searched --------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A table page's search, sort and filters, from its query string."""

    q: str = ""
    sort: str | None = None
    desc: bool = False
    where: tuple[tuple[str, str], ...] = ()
    span: tuple[int | None, int | None] = (None, None)
    text: str = ""  # the query string to carry over to the pager's links

    @property
    def filtered(self) -> bool:
        return bool(self.where) or self.span != (None, None)


def _day(value: str, *, end: bool = False) -> int | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    day += dt.timedelta(days=1) if end else dt.timedelta()
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def parse_query(request: Request, summary: TableSummary) -> Query:
    """Return the page's query, keeping only sort keys and filters the table can have."""
    params = request.query_params
    keys = {c["key"] for c in summary.columns}
    sort = params.get("sort") or None
    if sort not in keys | {"seq", "ts", "rid", "counterpart", None}:
        sort = None
    where = []
    if params.get("counterpart"):
        where.append(("counterpart", params["counterpart"][:200]))
    status_key = status_column(summary)
    if status_key and params.get("status"):
        where.append((status_key, params["status"][:200]))
    span = (_day(params.get("since", "")), _day(params.get("until", ""), end=True))
    kept = [(k, params[k][:200]) for k in FILTERS if params.get(k)]
    return Query(params.get("q", "")[:200].strip(), sort, params.get("desc") == "1",
                 tuple(where), span, urlencode(kept))  # fmt: skip


def sort_key(summary: TableSummary, sort: str | None) -> str | tuple[str, ...] | None:
    """Return what the Store sorts by for a column key: a nested column sorts by its path."""
    column = next((c for c in summary.columns if c["key"] == sort), None)
    if column is not None and len(column["path"]) > 1:
        return tuple(column["path"])
    return sort


def status_column(summary: TableSummary) -> str | None:
    """Return the key of the table's status column, if it has one."""
    return next((c["key"] for c in summary.columns if c.get("type") == "status"), None)


def _fetch(session: Session, name: str, query: Query, page: int) -> tuple[list[Record], int]:
    """Return the page's records and how many records the query matches in all."""
    offset = (page - 1) * paths.PAGE_SIZE
    store = session.store
    sort = sort_key(session.site.tables[name], query.sort)
    with session.lock:
        if query.q:
            found = store.search(query.q, table=name, limit=paths.PAGE_SIZE + 1, offset=offset,
                                 sort=sort, desc=query.desc, where=dict(query.where),
                                 span=query.span)  # fmt: skip
            # FTS gives no cheap count: there are more pages while a page overflows.
            return found[: paths.PAGE_SIZE], offset + len(found)
        where = dict(query.where)
        records = store.page(name, offset=offset, limit=paths.PAGE_SIZE, sort=sort,
                             desc=query.desc, where=where, span=query.span)  # fmt: skip
        total = store.count(name, where, query.span) if query.filtered else None
    return records, total if total is not None else session.site.tables[name].info.records


def table_page(
    request: Request, session: Session, lang: str, summary: TableSummary, page: int
) -> Response:
    """Render a table page; with a search, sort or filters, the matching records instead."""
    name = summary.info.name
    query = parse_query(request, summary)
    records, total = _fetch(session, name, query, page)
    if page > 1 and not records:
        raise HTTPException(404, "No such page.")
    ctx = context.table_context(session.site, lang, name, page, records, cells=wants_json(request))
    ctx["pager"] = context.pager_context(name, page, paths.page_count(total))
    ctx["query"] = {
        "q": query.q, "sort": query.sort or "", "desc": query.desc, "text": query.text,
        "counterpart": request.query_params.get("counterpart", "")[:200],
        "status": request.query_params.get("status", "")[:200],
        "since": request.query_params.get("since", "")[:10],
        "until": request.query_params.get("until", "")[:10],
        "status_values": _status_values(summary), "has_counterpart": _has_counterpart(summary),
        "matches": total, "active": bool(query.q or query.filtered or query.sort),
        "csv": f"{ctx['root']}csv/{paths.slug(name)}.csv",
    }  # fmt: skip
    if query.text:
        _carry(ctx["pager"], query.text)
    return render(request, ctx, "serve_table.html", session)


def _status_values(summary: TableSummary) -> list[str]:
    key = status_column(summary)
    if key is None or summary.service is None:
        return []
    field = next((f for f in summary.service.fields if key in f.keys), None)
    return list(field.values) if field else []


def _has_counterpart(summary: TableSummary) -> bool:
    return bool(summary.service and summary.service.view.get("counterpart"))


def _carry(pager: dict[str, Any], text: str) -> None:
    """Keep the search and filters on the pager's links."""
    for key in ("prev", "next"):
        if pager[key]:
            pager[key] = f"{pager[key]}?{text}"
    for link in pager["links"]:
        if link["href"]:
            link["href"] = f"{link['href']}?{text}"


def record_page(
    request: Request,
    session: Session,
    lang: str,
    summary: TableSummary,
    seq: str | None,
    bundle: str | None,
) -> Response:
    """Render a record's page (one record, or one table page's records when bundled)."""
    name, total = summary.info.name, summary.info.records
    with session.lock:
        if seq is not None and not paths.bundled(total):
            found = session.store.get(name, int(seq))
            records = [found] if found else []
        elif bundle is not None and paths.bundled(total):
            offset = (int(bundle) - 1) * paths.PAGE_SIZE
            records = session.store.page(name, offset=offset, limit=paths.PAGE_SIZE)
        else:
            records = []
    if not records:
        raise HTTPException(404, "No such record.")
    ctx = context.record_context(session.site, lang, name, records)
    return render(request, ctx, "serve_page.html", session)


# -- whole-export search ----------------------------------------------------------------------


def search_context(session: Session, lang: str, q: str, records: list[Record]) -> dict[str, Any]:
    """Return the whole-export search page: each found record with its table and a snippet."""
    site = session.site
    ctx = context.page_context(site, lang, "search.html", "search")
    results = []
    for r in records:
        total = site.tables[r.table].info.records
        snippet = " · ".join(text_of(r.data).splitlines())
        results.append({"table": r.table, "seq": r.seq, "rid": r.rid,
                        "href": paths.record_page(r.table, r.seq, total),
                        "table_href": paths.table_page(r.table),
                        "snippet": snippet[:300]})  # fmt: skip
    ctx.update(q=q, results=results, limit=SEARCH_LIMIT, more=len(records) >= SEARCH_LIMIT)
    return ctx


def search_page(request: Request, session: Session, lang: str) -> Response:
    """Search every table of the export (FTS; each word a prefix, all required)."""
    q = request.query_params.get("q", "")[:200].strip()
    with session.lock:
        records = session.store.search(q, limit=SEARCH_LIMIT) if q else []
    return render(request, search_context(session, lang, q, records), "serve_search.html", session)


# -- files: the site's static files, its data files, CSV ----------------------------------------


def site_static(request: Request) -> Response:
    """Send one of the static site's CSS/JS files."""
    session_of(request)
    name = str(request.path_params["name"])
    if name == "report.css":  # the report's own stylesheet, shared with `verify --format html`
        return FileResponse(data_path("templates") / "_partials" / "report.css")
    return FileResponse(static_path(name, STATIC))


def data_file(request: Request) -> Response:
    """Send one data file of a table (its records as JavaScript, for the page's own search)."""
    session = session_of(request)
    m = _DATA_FILE.fullmatch(str(request.path_params["name"]))
    if m is None:
        raise HTTPException(404, "No such data file.")
    summary, chunk = _table(session, m[1]), int(m[2])
    with session.lock:
        rows = session.store.raw_rows(summary.info.name, chunk * paths.DATA_CHUNK, paths.DATA_CHUNK)
    text = data_script(paths.slug(summary.info.name), chunk, summary.info.files, rows)
    return Response(text, media_type="text/javascript")


def csv_rows(session: Session, summary: TableSummary) -> Iterator[str]:
    """Yield a table as CSV text: its columns, then the other keys of each record as JSON."""
    keys = [c["key"] for c in summary.columns]
    yield _csv_line([*keys, "other"])
    records = session.store.records(summary.info.name)
    while True:
        with session.lock:  # one cursor, read in chunks, so other pages are served in between
            chunk = [r for _, r in zip(range(CSV_CHUNK), records, strict=False)]
        if not chunk:
            return
        out = io.StringIO()
        writer = csv.writer(out)
        for record in chunk:
            rest = {k: v for k, v in record.data.items() if k not in keys}
            row = [csv_cell(record.data.get(k)) for k in keys]
            row.append(json.dumps(rest, ensure_ascii=False) if rest else "")
            writer.writerow([excel_safe(value) for value in row])
        yield out.getvalue()


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([excel_safe(v) for v in values])
    return out.getvalue()


def csv_download(request: Request) -> Response:
    """Stream a table as CSV (a download, UTF-8, formulas defused for spreadsheets)."""
    session = session_of(request)
    name = str(request.path_params["name"])
    if not name.endswith(".csv"):
        raise HTTPException(404, "No such table.")
    summary = _table(session, name.removesuffix(".csv"))
    filename = f"{paths.slug(summary.info.name)}.csv"
    return StreamingResponse(
        csv_rows(session, summary),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
