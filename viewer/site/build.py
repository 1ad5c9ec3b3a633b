"""Build the static site: every page written as it is rendered, so memory stays bounded.

Layout of OUT: `index.html` (to the English overview), `en/` and `sv/` (the pages, same paths in
both), `static/` (CSS, JS), `data/` (the tables as JavaScript for client-side search and sorting),
`guide/` (the migration guide, built by the command).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.contract import Contract
from viewer.errors import OutputError
from viewer.resources import data_path
from viewer.site import context, paths
from viewer.site.model import SiteData, TableSummary, columns_for
from viewer.site.render import render
from viewer.site.views import build_views
from viewer.store import Record, Store

STATIC = Path(__file__).resolve().parent / "static"
SAMPLE_ROWS = 200  # records looked at to choose a table's columns

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SiteSummary:
    """What a build wrote."""

    out: Path
    langs: tuple[str, ...]
    pages: int
    files: int
    bytes: int
    seconds: float


class Writer:
    """Write files of the site, 0600 in 0700 folders, counting what was written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files = 0
        self.pages = 0
        self.bytes = 0
        self.folders: set[Path] = set()

    def write(self, rel: str, text: str) -> None:
        """Write one file below the output folder."""
        path = self.out / rel
        self._folder(path.parent)
        data = text.encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        self.files += 1
        self.pages += rel.endswith(".html")
        self.bytes += len(data)

    def _folder(self, folder: Path) -> None:
        # mkdir(parents=True) gives parents the default mode: create each level 0700 instead.
        if folder in self.folders:
            return
        if folder != self.out:
            self._folder(folder.parent)
            folder.mkdir(mode=0o700, exist_ok=True)
        self.folders.add(folder)

    def page(self, ctx: dict[str, Any], template: str | None = None) -> None:
        """Render a page context into its language's folder."""
        self.write(f"{ctx['lang']}/{ctx['path']}", render(ctx, template))


def prepare_output(out: Path) -> Path:
    """Create the output folder 0700 (it will hold personal data in plain text)."""
    out = out.expanduser().resolve()
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        out.chmod(0o700)
    except OSError as exc:
        raise OutputError(f"cannot create {out}: {exc.strerror or exc}") from exc
    return out


def data_script(table_slug: str, chunk: int, records: Sequence[Record]) -> str:
    """Return one data file: a table's records appended to a global list (works from file://)."""
    payload = {"table": table_slug, "chunk": chunk, "records": [[r.seq, r.data] for r in records]}
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"(window.EV_DATA = window.EV_DATA || []).push({text});\n"


def summarise(store: Store, contract: Contract) -> dict[str, TableSummary]:
    """Return every table's summary with its columns chosen from its first records."""
    summaries = {}
    for info in store.tables():
        service = contract.service(info.service) if info.service else None
        samples = store.page(info.name, limit=SAMPLE_ROWS)
        summaries[info.name] = TableSummary(info, service, columns_for(service, samples))
    return summaries


class TableBuilder:
    """Stream one table: its pages, record pages and data files, written as records arrive."""

    def __init__(self, site: SiteData, writer: Writer, langs: Sequence[str], table: str) -> None:
        self.site, self.writer, self.langs, self.table = site, writer, langs, table
        self.summary = site.tables[table]
        self.slug = paths.slug(table)
        self.page_records: list[Record] = []
        self.chunk_records: list[Record] = []
        self.page = 0
        self.chunk = 0

    def add(self, record: Record) -> None:
        self.summary.note(record)
        self.page_records.append(record)
        self.chunk_records.append(record)
        if len(self.page_records) == paths.PAGE_SIZE:
            self.flush_page()
        if len(self.chunk_records) == paths.DATA_CHUNK:
            self.flush_chunk()

    def flush_page(self) -> None:
        records, self.page_records = self.page_records, []
        if not records and self.page:
            return
        self.page += 1
        bundle = paths.bundled(self.summary.info.records)
        for lang in self.langs:
            self.writer.page(context.table_context(self.site, lang, self.table, self.page, records))
            groups = [records] if bundle else [[r] for r in records]
            for group in groups if records else []:
                self.writer.page(context.record_context(self.site, lang, self.table, group))

    def flush_chunk(self) -> None:
        if self.chunk_records:
            rel = paths.data_file(self.table, self.chunk)
            self.writer.write(rel, data_script(self.slug, self.chunk, self.chunk_records))
            self.chunk += 1
            self.chunk_records = []

    def finish(self) -> None:
        self.flush_page()
        self.flush_chunk()


def build_site(
    store: Store,
    report: dict[str, Any],
    contract: Contract,
    out: Path,
    *,
    langs: Sequence[str] = ("en", "sv"),
    progress: Progress | None = None,
    guide: bool = True,
) -> SiteSummary:
    """Write the browsable site of a loaded export and its report into `out`."""
    started = time.monotonic()
    # 1. A private output folder, and what every page needs: the tables' summaries.
    out = prepare_output(out)
    writer = Writer(out)
    site = SiteData(contract, report, summarise(store, contract), guide=guide)
    total = sum(t.info.records for t in site.tables.values())
    done = 0
    # 2. Tables, record pages and data files, streamed table by table (dates are counted here).
    for name in site.tables:
        builder = TableBuilder(site, writer, langs, name)
        for record in store.records(name):
            builder.add(record)
            done += 1
            if progress is not None and done % 5000 == 0:
                progress(done, total)
        builder.finish()
    # 3. The views that fit the data (conversations, contacts, calendar...).
    build_views(site, store, writer, langs)
    # 4. Overview, service pages and the report, now that the dates are known.
    for lang in langs:
        writer.page(context.overview_context(site, lang))
        writer.page(context.report_context(site, lang))
        for service in contract.services:
            writer.page(context.service_context(site, lang, service.id))
    # 5. Static files and the entry page.
    _copy_static(writer)
    writer.write("index.html", _entry_page(langs[0]))
    if progress is not None:
        progress(total, total)
    return SiteSummary(
        out, tuple(langs), writer.pages, writer.files, writer.bytes, time.monotonic() - started
    )


def _copy_static(writer: Writer) -> None:
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            writer.write(f"static/{path.name}", path.read_text(encoding="utf-8"))
    # The report's own stylesheet, shared with `verify --format html`.
    report_css = data_path("templates") / "_partials" / "report.css"
    writer.write("static/report.css", report_css.read_text(encoding="utf-8"))


def _entry_page(lang: str) -> str:
    target = f"{lang}/index.html"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'
        f'<meta http-equiv="refresh" content="0; url={target}"><title>Export Viewer</title>'
        f'</head><body><p><a href="{target}">Export Viewer</a> · '
        '<a href="sv/index.html" lang="sv">Svenska</a></p></body></html>\n'
    )


__all__ = ["SiteSummary", "build_site", "prepare_output"]
